package pgwire_test

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/pgwire"
	"github.com/jackc/pgx/v5"
)

var (
	loadDuration = flag.Duration("load.duration", 2*time.Second, "how long each phase of TestLoad runs (the README's numbers use 30s)")
	loadConns    = flag.Int("load.conns", 32, "concurrent connections in TestLoad")
)

// loadWorker is one connection's share of the load: its own user pool and
// client, so that updates never race another worker's.
type loadWorker struct {
	id       int
	pool     string
	client   string // Identifier pool|client
	inserted int
}

// statement returns the i-th statement of the mix: 3 SELECT (get by
// Identifier), 1 INSERT (a new client, not awaited), 1 UPDATE (awaited,
// so the next update of the same client never meets one in flight).
func (w *loadWorker) statement(i int) (kind, text string, args []any) {
	switch i % 5 {
	case 3:
		w.inserted++
		return "INSERT", fmt.Sprintf(`INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, region) SELECT '%s', 'load-%d-%d', 'us-east-1' RETURNING Identifier`, w.pool, w.id, i), nil
	case 4:
		return "UPDATE", fmt.Sprintf(`UPDATE /*+ AWAIT */ awscc.cognito.user_pool_clients SET client_name = 'renamed-%d' WHERE region = 'us-east-1' AND Identifier = '%s'`, i, w.client), nil
	}
	return "SELECT", `SELECT client_name, access_token_validity, explicit_auth_flows FROM awscc.cognito.user_pool_clients WHERE region = 'us-east-1' AND Identifier = $1`, []any{w.client}
}

// setup gives the worker a fresh pool and client (a pool holds at most
// 1,000 clients, so a long run moves on to a new pool).
func (w *loadWorker) setup(ctx context.Context, eng *ccql.Engine) error {
	res, err := eng.Query(ctx, fmt.Sprintf(`INSERT /*+ AWAIT */ INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'load-%d', 'us-east-1' RETURNING Identifier`, w.id))
	if err != nil {
		return err
	}
	w.pool = res.Rows[0][0].(string)
	res, err = eng.Query(ctx, fmt.Sprintf(`INSERT /*+ AWAIT */ INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, AccessTokenValidity, region) SELECT '%s', 'c', 2, 'us-east-1' RETURNING Identifier`, w.pool))
	if err != nil {
		return err
	}
	w.client = res.Rows[0][0].(string)
	w.inserted = 0
	return nil
}

type loadStats struct {
	n         int
	elapsed   time.Duration
	latencies []time.Duration
	errs      []error
}

func (s *loadStats) String() string {
	slices.Sort(s.latencies)
	pct := func(p float64) time.Duration {
		if len(s.latencies) == 0 {
			return 0
		}
		return s.latencies[int(float64(len(s.latencies)-1)*p)]
	}
	return fmt.Sprintf("%d statements in %v: %.0f statements/s, p50 %v, p99 %v, %d errors",
		s.n, s.elapsed.Round(time.Millisecond), float64(s.n)/s.elapsed.Seconds(), pct(0.50).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), len(s.errs))
}

// runLoad runs workers until the duration is over and merges their
// latencies. exec runs one statement for a worker.
func runLoad(ctx context.Context, eng *ccql.Engine, workers []*loadWorker, d time.Duration,
	exec func(ctx context.Context, w int, kind, text string, args []any) error) *loadStats {
	var mu sync.Mutex
	stats := &loadStats{}
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for wi, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			var errs []error
			for i := 0; time.Now().Before(deadline); i++ {
				if w.inserted >= 900 {
					if err := w.setup(ctx, eng); err != nil {
						errs = append(errs, err)
						break
					}
				}
				kind, text, args := w.statement(i)
				t0 := time.Now()
				if err := exec(ctx, wi, kind, text, args); err != nil {
					errs = append(errs, fmt.Errorf("worker %d %s: %w", w.id, kind, err))
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			stats.latencies = append(stats.latencies, lat...)
			stats.errs = append(stats.errs, errs...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	stats.elapsed = time.Since(start)
	stats.n = len(stats.latencies)
	return stats
}

// TestLoad runs a mixed SELECT/INSERT/UPDATE load over 32 connections,
// then the same statements through the engine in process, and requires
// zero errors. It logs statements/s and p50/p99 latency. Full run:
//
//	go test ./pgwire -run TestLoad -v -load.duration=30s
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test; run without -short")
	}
	eng, err := ccql.Open(context.Background(), ccql.Config{DataDir: t.TempDir(), MaxStatements: *loadConns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() }) // after the server's shutdown (cleanups run last-in first-out)
	ts := startServer(t, eng, pgwire.Config{MaxConnections: *loadConns + 8})
	ctx := context.Background()
	newWorkers := func() []*loadWorker {
		ws := make([]*loadWorker, *loadConns)
		for i := range ws {
			ws[i] = &loadWorker{id: i}
			if err := ws[i].setup(ctx, eng); err != nil {
				t.Fatalf("setup: %v", err)
			}
		}
		return ws
	}

	conns := make([]*pgx.Conn, *loadConns)
	for i := range conns {
		conns[i] = connect(t, ts.url("load", ""))
	}
	wire := runLoad(ctx, eng, newWorkers(), *loadDuration, func(ctx context.Context, w int, kind, text string, args []any) error {
		c := conns[w]
		var rows pgx.Rows
		var err error
		if args == nil {
			// Literal statements: one round trip, nothing to cache.
			rows, err = c.Query(ctx, text, pgx.QueryExecModeSimpleProtocol)
		} else {
			rows, err = c.Query(ctx, text, args...)
		}
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		rows.Close()
		return rows.Err()
	})
	inproc := runLoad(ctx, eng, newWorkers(), *loadDuration, func(ctx context.Context, w int, kind, text string, args []any) error {
		_, err := eng.Query(ctx, text, args...)
		return err
	})
	t.Logf("pgwire, %d connections: %v", *loadConns, wire)
	t.Logf("engine in process, %d goroutines: %v", *loadConns, inproc)
	for _, s := range []*loadStats{wire, inproc} {
		for i, err := range s.errs {
			if i == 5 {
				t.Errorf("… and %d more", len(s.errs)-5)
				break
			}
			t.Error(err)
		}
	}
	if wire.n == 0 || inproc.n == 0 {
		t.Fatal("no statement completed")
	}
}

// BenchmarkSelect compares one SELECT (get by Identifier) over the wire
// with the same SELECT in process; run with -cpu and -benchtime to taste.
func BenchmarkSelect(b *testing.B) {
	eng := newEngine(b)
	w := &loadWorker{}
	if err := w.setup(context.Background(), eng); err != nil {
		b.Fatal(err)
	}
	_, text, args := w.statement(0)
	b.Run("pgwire", func(b *testing.B) {
		ts := startServer(b, eng, pgwire.Config{})
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			c, err := pgx.Connect(context.Background(), ts.url("bench", ""))
			if err != nil {
				b.Error(err)
				return
			}
			defer c.Close(context.Background())
			for pb.Next() {
				var name string
				var access int64
				var flows []string
				if err := c.QueryRow(context.Background(), text, args...).Scan(&name, &access, &flows); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("engine", func(b *testing.B) {
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := eng.Query(context.Background(), text, args...); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
