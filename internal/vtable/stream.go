package vtable

import (
	"context"
	"iter"
)

// Streamer is an optional capability of a Table: the rows of a scan as a
// stream, read as SQLite's cursor advances, so that a statement holds a
// batch (a Cloud Control page) at a time however many rows the scan has.
// A cursor over a Streamer pulls the next batch only when SQLite asks for
// the row after the last one it holds: SELECT … LIMIT 10 reads the first
// batch only, and count(*) over a million rows never holds them all.
type Streamer interface {
	Table
	// Stream returns the rows Scan would return for keys, in batches. An
	// error ends the stream (yielded with a nil batch) and fails the
	// statement; the stream stops when ctx ends, and when the consumer
	// stops pulling (yield returns false) it must stop fetching. A batch
	// handed to yield belongs to the consumer.
	Stream(ctx context.Context, keys map[string]any) iter.Seq2[[][]any, error]
}

// MaxCachedRows bounds a scan the session keeps for the rest of its
// statement (so that SQLite visiting the same keys again — a join's inner
// loop, the values of key IN (…) — does not fetch them twice): a stream
// longer than this is not kept, and a prefetched one keeps only its
// first rows and streams the rest.
const MaxCachedRows = 1000

// batches is a stream being read: the rows read ahead and the rest.
type batches struct {
	ahead [][]any // read, not yet consumed
	next  func() ([][]any, error, bool)
	stop  func()
}

// pull starts reading seq.
func pull(seq iter.Seq2[[][]any, error]) *batches {
	next, stop := iter.Pull2(seq)
	return &batches{next: next, stop: stop}
}

// read returns the next non-empty batch, or nil at the end.
func (b *batches) read() ([][]any, error) {
	if len(b.ahead) > 0 {
		rows := b.ahead
		b.ahead = nil
		return rows, nil
	}
	for b.next != nil {
		rows, err, ok := b.next()
		if !ok {
			b.close()
			return nil, nil
		}
		if err != nil {
			b.close()
			return nil, err
		}
		if len(rows) > 0 {
			return rows, nil
		}
	}
	return nil, nil
}

// readAhead reads batches into ahead until it holds at least limit rows or
// the stream ends; done reports the end.
func (b *batches) readAhead(limit int) (done bool, err error) {
	for len(b.ahead) < limit {
		if b.next == nil {
			return true, nil
		}
		rows, err, ok := b.next()
		if !ok {
			b.close()
			return true, nil
		}
		if err != nil {
			b.close()
			return true, err
		}
		b.ahead = append(b.ahead, rows...)
	}
	return b.next == nil, nil
}

// close stops the stream; it is safe to call twice.
func (b *batches) close() {
	if b.stop != nil {
		b.stop()
	}
	b.next, b.stop = nil, nil
}
