package vtable_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/ccql/ccql/internal/vtable"
	"github.com/google/go-cmp/cmp"
)

// fakeTable serves rows filtered by its key columns and records each scan.
type fakeTable struct {
	cols  []vtable.Column
	rows  [][]any
	mu    sync.Mutex
	scans []map[string]any
}

func (f *fakeTable) Columns() []vtable.Column { return f.cols }

func (f *fakeTable) Scan(_ context.Context, keys map[string]any) ([][]any, error) {
	f.mu.Lock()
	f.scans = append(f.scans, keys)
	f.mu.Unlock()
	var out [][]any
next:
	for _, r := range f.rows {
		for i, c := range f.cols {
			if v, ok := keys[c.Name]; ok && fmt.Sprint(v) != fmt.Sprint(r[i]) {
				continue next
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func newDB(t *testing.T) (*vtable.DB, *fakeTable, *fakeTable) {
	t.Helper()
	pools := &fakeTable{
		cols: []vtable.Column{{Name: "region", Decl: "TEXT", Key: vtable.Required}, {Name: "pool", Decl: "TEXT"}, {Name: "flag", Decl: "BOOLEAN"}},
		rows: [][]any{{"r1", "p1", true}, {"r1", "p2", false}, {"r2", "p3", true}},
	}
	clients := &fakeTable{
		cols: []vtable.Column{{Name: "region", Decl: "TEXT", Key: vtable.Required}, {Name: "pool", Decl: "TEXT", Key: vtable.Optional}, {Name: "client", Decl: "TEXT"}},
		rows: [][]any{{"r1", "p1", "c1"}, {"r1", "p1", "c2"}, {"r1", "p2", "c3"}},
	}
	db, err := vtable.Open(func(name string) (vtable.Table, error) {
		switch name {
		case "a.b.pools":
			return pools, nil
		case "a.b.clients":
			return clients, nil
		}
		return nil, fmt.Errorf("no table %s", name)
	}, nil, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, pools, clients
}

func TestDB_Query(t *testing.T) {
	db, _, clients := newDB(t)
	ctx := context.Background()
	tests := []struct {
		name   string
		tables []string
		sql    string
		want   [][]any
	}{
		{"filter", []string{"a.b.pools"}, `SELECT pool, flag FROM "a.b.pools" WHERE region = 'r1' ORDER BY pool`, [][]any{{"p1", int64(1)}, {"p2", int64(0)}}},
		{"in", []string{"a.b.pools"}, `SELECT pool FROM "a.b.pools" WHERE region IN ('r1','r2') ORDER BY pool`, [][]any{{"p1"}, {"p2"}, {"p3"}}},
		{"join", []string{"a.b.pools", "a.b.clients"}, `SELECT p.pool, c.client FROM "a.b.pools" p JOIN "a.b.clients" c ON c.pool = p.pool AND c.region = p.region WHERE p.region = 'r1' ORDER BY 2`, [][]any{{"p1", "c1"}, {"p1", "c2"}, {"p2", "c3"}}},
		{"aggregate", []string{"a.b.clients"}, `SELECT pool, count(*) FROM "a.b.clients" WHERE region = 'r1' GROUP BY pool ORDER BY pool`, [][]any{{"p1", int64(2)}, {"p2", int64(1)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := db.Query(ctx, tt.tables, tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, rows.Values); d != "" {
				t.Errorf("rows (-want +got):\n%s", d)
			}
		})
	}
	// The join must have pushed the pool key down to the clients table.
	var sawPool bool
	for _, s := range clients.scans {
		if _, ok := s["pool"]; ok {
			sawPool = true
		}
	}
	if !sawPool {
		t.Errorf("join never bound the pool key: scans %v", clients.scans)
	}
}

func TestDB_QueryMissingKey(t *testing.T) {
	db, _, _ := newDB(t)
	_, err := db.Query(context.Background(), []string{"a.b.pools"}, `SELECT pool FROM "a.b.pools"`)
	var mk *vtable.MissingKeyError
	if !errors.As(err, &mk) {
		t.Fatalf("err = %v, want *MissingKeyError", err)
	}
	if got, want := mk.Keys, []string{"region"}; !cmp.Equal(got, want) {
		t.Errorf("missing keys = %v, want %v", got, want)
	}
}

func TestDB_QueryDeclTypes(t *testing.T) {
	db, _, _ := newDB(t)
	rows, err := db.Query(context.Background(), []string{"a.b.pools"}, `SELECT pool, flag, 1+1 FROM "a.b.pools" WHERE region = 'r2'`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rows.Decls, []string{"TEXT", "BOOLEAN", ""}; !cmp.Equal(got, want) {
		t.Errorf("decls = %q, want %q", got, want)
	}
}

func TestDB_QueryPrefetch(t *testing.T) {
	db, pools, _ := newDB(t)
	pre := []vtable.Prefetch{{Table: "a.b.pools", Keys: []map[string]any{{"region": "r1"}, {"region": "r2"}}}}
	rows, err := db.QueryPrefetch(context.Background(), []string{"a.b.pools"}, pre, 2, `SELECT pool FROM "a.b.pools" WHERE region IN ('r1', 'r2') ORDER BY pool`)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([][]any{{"p1"}, {"p2"}, {"p3"}}, rows.Values); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	// Two prefetched scans, and SQLite's two Filter calls read them.
	if got := len(pools.scans); got != 2 {
		t.Errorf("scans = %d, want 2 (the prefetched ones only): %v", got, pools.scans)
	}
}

// TestDB_ManyConcurrentQueries runs far more statements at once than there
// are sessions: every one must finish (a session's return must wake a
// waiting caller).
func TestDB_ManyConcurrentQueries(t *testing.T) {
	db, _, _ := newDB(t) // 4 sessions
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				if _, err := db.Query(context.Background(), []string{"a.b.pools"}, `SELECT pool FROM "a.b.pools" WHERE region = 'r1'`); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestDB_AcquireHonoursContext(t *testing.T) {
	db, _, _ := newDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.Query(ctx, nil, `SELECT 1`); err == nil {
		t.Error("a query with a cancelled context succeeded")
	}
}
