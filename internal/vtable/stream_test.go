package vtable_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"testing"

	"github.com/ccql/ccql/internal/vtable"
	"github.com/google/go-cmp/cmp"
)

// streamTable streams n rows (region, n) per region key in batches of
// batch, and counts the streams started, the batches produced and the
// streams that ended; failAt > 0 fails the batch of that number, and
// onBatch runs before each batch.
type streamTable struct {
	n, batch int
	failAt   int
	fail     error
	onBatch  func(i int)
	mu       sync.Mutex
	streams  int
	batches  int
	ended    int
}

func (s *streamTable) Columns() []vtable.Column {
	return []vtable.Column{{Name: "region", Decl: "TEXT", Key: vtable.Required}, {Name: "n", Decl: "INTEGER"}}
}

func (s *streamTable) Scan(ctx context.Context, keys map[string]any) ([][]any, error) {
	var out [][]any
	for rows, err := range s.Stream(ctx, keys) {
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

func (s *streamTable) Stream(ctx context.Context, keys map[string]any) iter.Seq2[[][]any, error] {
	s.mu.Lock()
	s.streams++
	s.mu.Unlock()
	return func(yield func([][]any, error) bool) {
		defer func() {
			s.mu.Lock()
			s.ended++
			s.mu.Unlock()
		}()
		for i, start := 1, 0; start < s.n; i, start = i+1, start+s.batch {
			if s.onBatch != nil {
				s.onBatch(i)
			}
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			s.mu.Lock()
			s.batches++
			s.mu.Unlock()
			if i == s.failAt {
				yield(nil, s.fail)
				return
			}
			rows := make([][]any, 0, s.batch)
			for j := start; j < min(s.n, start+s.batch); j++ {
				rows = append(rows, []any{keys["region"], int64(j)})
			}
			if !yield(rows, nil) {
				return
			}
		}
	}
}

func (s *streamTable) counts() (streams, batches, ended int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.streams, s.batches, s.ended
}

func openStream(t *testing.T, tables map[string]vtable.Table) *vtable.DB {
	t.Helper()
	db, err := vtable.Open(func(name string) (vtable.Table, error) {
		if tb, ok := tables[name]; ok {
			return tb, nil
		}
		return nil, fmt.Errorf("no table %s", name)
	}, nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestStream_limitReadsFirstBatch: LIMIT 10 over 100,000 rows pulls one
// batch, and the stream is stopped when the statement ends.
func TestStream_limitReadsFirstBatch(t *testing.T) {
	big := &streamTable{n: 100_000, batch: 100}
	db := openStream(t, map[string]vtable.Table{"a.b.big": big})
	rows, err := db.Query(context.Background(), []string{"a.b.big"}, `SELECT n FROM "a.b.big" WHERE region = 'r1' LIMIT 10`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows.Values) != 10 {
		t.Fatalf("rows = %d, want 10", len(rows.Values))
	}
	if streams, batches, ended := big.counts(); streams != 1 || batches != 1 || ended != 1 {
		t.Errorf("streams %d, batches %d, ended %d; want 1, 1, 1", streams, batches, ended)
	}
}

// TestStream_countHoldsBatches: count(*) over 50,000 rows never holds
// more than a batch and the bounded cache, and the result is exact.
func TestStream_countHoldsBatches(t *testing.T) {
	big := &streamTable{n: 50_000, batch: 100}
	db := openStream(t, map[string]vtable.Table{"a.b.big": big})
	rows, err := db.Query(context.Background(), []string{"a.b.big"}, `SELECT count(*), sum(n) FROM "a.b.big" WHERE region = 'r1'`)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([][]any{{int64(50_000), int64(50_000 * 49_999 / 2)}}, rows.Values); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if _, batches, _ := big.counts(); batches != 500 {
		t.Errorf("batches = %d, want 500", batches)
	}
	if peak := db.PeakRowsHeld(); peak > vtable.MaxCachedRows+100 || peak < 100 {
		t.Errorf("peak rows held = %d, want a batch (100) to MaxCachedRows+100, never 50,000", peak)
	}
}

// TestStream_errorMidStream: a batch that fails after two good ones fails
// the statement with the provider's own error.
func TestStream_errorMidStream(t *testing.T) {
	boom := errors.New("throttled on page 3")
	big := &streamTable{n: 1000, batch: 100, failAt: 3, fail: boom}
	db := openStream(t, map[string]vtable.Table{"a.b.big": big})
	_, err := db.Query(context.Background(), []string{"a.b.big"}, `SELECT count(*) FROM "a.b.big" WHERE region = 'r1'`)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	if _, batches, ended := big.counts(); batches != 3 || ended != 1 {
		t.Errorf("batches %d, ended %d; want 3, 1", batches, ended)
	}
}

// TestStream_cancelStopsPaging: the statement's context ending mid-stream
// stops the paging and is the statement's error.
func TestStream_cancelStopsPaging(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	big := &streamTable{n: 100_000, batch: 100, onBatch: func(i int) {
		if i == 3 {
			cancel()
		}
	}}
	db := openStream(t, map[string]vtable.Table{"a.b.big": big})
	_, err := db.Query(ctx, []string{"a.b.big"}, `SELECT count(*) FROM "a.b.big" WHERE region = 'r1'`)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, batches, ended := big.counts(); batches != 2 || ended != 1 {
		t.Errorf("batches %d, ended %d; want 2 then stop", batches, ended)
	}
}

// TestStream_cacheOnlyShortScans: SQLite reads the inner table of a
// cross join once per outer row. A short scan is kept for the statement
// and streamed once; a scan longer than MaxCachedRows is not kept (it is
// streamed again, its memory stays bounded).
func TestStream_cacheOnlyShortScans(t *testing.T) {
	for _, tc := range []struct {
		name        string
		n           int
		wantStreams int
	}{
		{"short", vtable.MaxCachedRows, 1},
		{"long", vtable.MaxCachedRows + 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outer := &streamTable{n: 3, batch: 10}
			inner := &streamTable{n: tc.n, batch: 100}
			db := openStream(t, map[string]vtable.Table{"a.b.outer": outer, "a.b.inner": inner})
			rows, err := db.Query(context.Background(), []string{"a.b.outer", "a.b.inner"},
				`SELECT count(*) FROM "a.b.outer" o CROSS JOIN "a.b.inner" i WHERE o.region = 'r1' AND i.region = 'r2'`)
			if err != nil {
				t.Fatal(err)
			}
			if got := rows.Values[0][0]; got != int64(3*tc.n) {
				t.Errorf("count = %v, want %d", got, 3*tc.n)
			}
			if streams, _, ended := inner.counts(); streams != tc.wantStreams || ended != streams {
				t.Errorf("inner streams %d (ended %d), want %d", streams, ended, tc.wantStreams)
			}
			if peak := db.PeakRowsHeld(); peak > 2*vtable.MaxCachedRows+100 {
				t.Errorf("peak rows held = %d", peak)
			}
		})
	}
}

// TestStream_prefetch: the values of region IN (…) are prefetched in
// parallel, each stream up to its share of MaxCachedRows, and their
// cursors stream the rest: every row is read once, and no stream is left
// running.
func TestStream_prefetch(t *testing.T) {
	big := &streamTable{n: 5000, batch: 100}
	db := openStream(t, map[string]vtable.Table{"a.b.big": big})
	pre := []vtable.Prefetch{{Table: "a.b.big", Keys: []map[string]any{{"region": "r1"}, {"region": "r2"}}}}
	rows, err := db.QueryPrefetch(context.Background(), []string{"a.b.big"}, pre, 2, `SELECT region, count(*) FROM "a.b.big" WHERE region IN ('r1', 'r2') GROUP BY 1 ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([][]any{{"r1", int64(5000)}, {"r2", int64(5000)}}, rows.Values); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if streams, batches, ended := big.counts(); streams != 2 || batches != 100 || ended != 2 {
		t.Errorf("streams %d, batches %d, ended %d; want 2, 100, 2", streams, batches, ended)
	}
	// A prefetched stream that no cursor reads (the WHERE excludes it)
	// is stopped when the statement ends.
	big2 := &streamTable{n: 5000, batch: 100}
	db2 := openStream(t, map[string]vtable.Table{"a.b.big": big2})
	pre = []vtable.Prefetch{{Table: "a.b.big", Keys: []map[string]any{{"region": "r1"}, {"region": "r3"}}}}
	if _, err := db2.QueryPrefetch(context.Background(), []string{"a.b.big"}, pre, 2, `SELECT count(*) FROM "a.b.big" WHERE region = 'r1'`); err != nil {
		t.Fatal(err)
	}
	if streams, _, ended := big2.counts(); streams != 2 || ended != 2 {
		t.Errorf("streams %d, ended %d; want both stopped", streams, ended)
	}
}
