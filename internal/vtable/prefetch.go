package vtable

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ccql/ccql/internal/fanout"
)

// cached returns a prefetched scan; s may be nil.
func (s *session) cached(table string, keys map[string]any) ([][]any, bool) {
	if s == nil || s.cache == nil {
		return nil, false
	}
	rows, ok := s.cache[cacheKey(table, keys)]
	return rows, ok
}

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
func (v *DB) QueryPrefetch(ctx context.Context, tables []string, pre []Prefetch, parallel int, query string, args ...any) (*Rows, error) {
	s, err := v.acquire(ctx)
	if err != nil {
		return nil, err
	}
	s.ctx = ctx
	if len(pre) > 0 {
		if s.cache, err = v.prefetch(ctx, pre, parallel); err != nil {
			v.release(s, false)
			return nil, err
		}
	}
	out, err := v.run(ctx, s, tables, query, args)
	v.release(s, ctx.Err() != nil)
	return out, err
}

func (v *DB) prefetch(ctx context.Context, pre []Prefetch, parallel int) (map[string][][]any, error) {
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
			return nil, err
		}
		for _, k := range p.Keys {
			jobs = append(jobs, job{t: t, name: p.Table, keys: k})
		}
	}
	results := make([][][]any, len(jobs))
	err := fanout.Run(ctx, len(jobs), parallel, func(ctx context.Context, i int) error {
		var err error
		results[i], err = jobs[i].t.Scan(ctx, jobs[i].keys)
		return err
	})
	if err != nil {
		return nil, fanout.First(err)
	}
	cache := make(map[string][][]any, len(jobs))
	for i, j := range jobs {
		cache[cacheKey(j.name, j.keys)] = results[i]
	}
	return cache, nil
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
