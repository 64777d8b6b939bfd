package vtable

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ccql/ccql/internal/fanout"
)

// scan is a scan the session holds for its statement: either all of its
// rows (src nil), kept for every cursor that asks again, or a prefetched
// stream (its first rows read ahead in src), which one cursor takes.
type scan struct {
	rows [][]any
	src  *batches
}

// size is the number of rows the scan holds.
func (e *scan) size() int {
	if e.src != nil {
		return len(e.src.ahead)
	}
	return len(e.rows)
}

// take returns the scan held under key; a stream is handed over (removed).
// s may be nil.
func (s *session) take(key string) (*scan, bool) {
	if s == nil || s.cache == nil {
		return nil, false
	}
	e, ok := s.cache[key]
	if ok && e.src != nil {
		delete(s.cache, key)
		s.hold(-e.size())
	}
	return e, ok
}

// keep holds the whole rows of a scan for the rest of the statement (the
// callers keep only scans of at most MaxCachedRows). s may be nil.
func (s *session) keep(key string, rows [][]any) {
	if s == nil {
		return
	}
	if s.cache == nil {
		s.cache = map[string]*scan{}
	}
	if old, ok := s.cache[key]; ok {
		s.hold(-old.size())
	}
	s.cache[key] = &scan{rows: rows}
	s.hold(len(rows))
}

// hold adds n (negative to release) to the rows the session's cursors and
// cache hold, and records the DB's peak. s may be nil.
func (s *session) hold(n int) {
	if s == nil || n == 0 {
		return
	}
	now := s.held.Add(int64(n))
	for {
		peak := s.v.peak.Load()
		if now <= peak || s.v.peak.CompareAndSwap(peak, now) {
			return
		}
	}
}

// dropCache stops the streams no cursor took and forgets the scans.
func (s *session) dropCache() {
	for _, e := range s.cache {
		if e.src != nil {
			e.src.close()
		}
	}
	s.cache = nil
	s.held.Store(0)
}

// PeakRowsHeld returns the most provider rows that the cursors and scan
// caches of any one statement held at once since the DB was opened: a
// streamed scan holds a batch (a page) at a time, so this stays bounded
// by the page size and MaxCachedRows however many rows a scan returns. It
// is a diagnostic for tests and benchmarks.
func (v *DB) PeakRowsHeld() int64 { return v.peak.Load() }

// Prefetch names scans of one table to run before a statement: one per
// key set, in parallel. SQLite visits the values of `key IN (…)` one at a
// time; prefetching them turns that into a parallel fan-out, and the
// statement's cursors then read the results.
type Prefetch struct {
	Table string
	Keys  []map[string]any
}

// QueryPrefetch is Query after running the prefetch scans, at most
// parallel at once (0 means 8). A prefetch that fails fails the statement.
// A streamed scan (Streamer) is prefetched up to its share of
// MaxCachedRows (at least its first batch); its cursor streams the rest.
func (v *DB) QueryPrefetch(ctx context.Context, tables []string, pre []Prefetch, parallel int, query string, args ...any) (*Rows, error) {
	c, err := v.QueryCursor(ctx, tables, pre, parallel, query, args...)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	out := &Rows{Columns: c.Columns, Decls: c.Decls}
	for c.Next() {
		out.Values = append(out.Values, c.Values())
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func (v *DB) prefetch(ctx context.Context, s *session, pre []Prefetch, parallel int) error {
	if parallel <= 0 {
		parallel = 8
	}
	type job struct {
		t    Table
		name string
		keys map[string]any
	}
	var jobs []job
	for _, p := range pre {
		t, err := v.resolve(p.Table)
		if err != nil {
			return err
		}
		for _, k := range p.Keys {
			jobs = append(jobs, job{t: t, name: p.Table, keys: k})
		}
	}
	share := max(1, MaxCachedRows/max(1, len(jobs)))
	results := make([]*scan, len(jobs))
	err := fanout.Run(ctx, len(jobs), parallel, func(_ context.Context, i int) error {
		j := jobs[i]
		st, ok := j.t.(Streamer)
		if !ok {
			rows, err := j.t.Scan(ctx, j.keys)
			results[i] = &scan{rows: rows}
			return err
		}
		// The stream outlives this call: it reads with the statement's
		// context. Its next batches are read by the cursor, on SQLite's
		// goroutine, never at the same time as here.
		b := pull(st.Stream(ctx, j.keys))
		done, err := b.readAhead(share)
		if done {
			results[i] = &scan{rows: b.ahead}
		} else {
			results[i] = &scan{src: b}
		}
		return err
	})
	s.cache = make(map[string]*scan, len(jobs))
	for i, j := range jobs {
		if e := results[i]; e != nil {
			s.cache[cacheKey(j.name, j.keys)] = e
			s.hold(e.size())
		}
	}
	if err != nil {
		s.dropCache()
		return fanout.First(err)
	}
	return nil
}

// cacheKey identifies a scan: the table and its bound keys, sorted.
func cacheKey(table string, keys map[string]any) string {
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, strings.ToLower(k))
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(strings.ToLower(table))
	for _, n := range names {
		var val any
		for k, v := range keys {
			if strings.ToLower(k) == n {
				val = v
			}
		}
		fmt.Fprintf(&b, "\x00%s=%v", n, val)
	}
	return b.String()
}
