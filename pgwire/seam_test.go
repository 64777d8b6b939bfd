package pgwire_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/pgwire"
	"github.com/jackc/pgx/v5"
)

// slowEngine is the real engine on an emulator whose requests never
// finish: an awaited INSERT runs until its context ends.
func slowEngine(t testing.TB) *ccql.Engine {
	t.Helper()
	eng, err := ccql.Open(context.Background(), ccql.Config{DataDir: t.TempDir(), Latency: time.Hour, WaitTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

const awaitForever = `INSERT /*+ AWAIT */ INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'slow', 'us-east-1'`

// TestServer_DisconnectCancels: pgx closes its socket when a query's
// context ends; the server must cancel that statement at once, so two such
// clients cannot tie up a server of two connections.
func TestServer_DisconnectCancels(t *testing.T) {
	ts := startServer(t, slowEngine(t), pgwire.Config{MaxConnections: 2})
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := pgx.Connect(ctxT(t), ts.url("u", ""))
			if err != nil {
				t.Error(err)
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			if _, err := c.Exec(ctx, awaitForever); err == nil {
				t.Error("a statement that never ends returned")
			}
			if !c.IsClosed() {
				t.Error("pgx did not close its connection on the deadline")
			}
		}()
	}
	wg.Wait()
	// Both sockets are closed: the server must let go of both statements
	// and both connections promptly.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := ts.srv.WaitUntil(ctx, func(busy, conns int) bool { return busy == 0 && conns == 0 }); err != nil {
		busy, conns := ts.srv.Running()
		t.Fatalf("server still has %d busy sessions of %d connections a second after its clients left", busy, conns)
	}
	for i := 0; i < 2; i++ {
		c := connect(t, ts.url("u", ""))
		var n int64
		if err := c.QueryRow(ctxT(t), "SELECT 1").Scan(&n); err != nil || n != 1 {
			t.Fatalf("after the disconnects: %v %d", err, n)
		}
	}
}

func TestServer_StatementTimeout(t *testing.T) {
	eng := slowEngine(t)
	t.Run("SET", func(t *testing.T) {
		ts := startServer(t, eng, pgwire.Config{})
		c := connect(t, ts.url("u", ""))
		ctx := ctxT(t)
		if _, err := c.Exec(ctx, "SET statement_timeout = '150ms'"); err != nil {
			t.Fatal(err)
		}
		var v string
		if err := c.QueryRow(ctx, "SHOW statement_timeout").Scan(&v); err != nil || v != "150ms" {
			t.Errorf("SHOW statement_timeout = %q, %v", v, err)
		}
		for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeExec} {
			if _, err := c.Exec(ctx, awaitForever, mode); sqlState(err) != "57014" {
				t.Errorf("%v: err = %v, want 57014", mode, err)
			}
		}
		if _, err := c.Exec(ctx, "SET statement_timeout = 'soon'"); sqlState(err) != "22023" {
			t.Errorf("bad value: err = %v, want 22023", err)
		}
		if _, err := c.Exec(ctx, "SET statement_timeout = 0"); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRow(ctx, "SHOW statement_timeout").Scan(&v); err != nil || v != "0" {
			t.Errorf("SHOW statement_timeout = %q, %v", v, err)
		}
	})
	t.Run("startup parameter", func(t *testing.T) {
		ts := startServer(t, eng, pgwire.Config{})
		c := connect(t, ts.url("u", "statement_timeout=100"))
		if _, err := c.Exec(ctxT(t), awaitForever); sqlState(err) != "57014" {
			t.Errorf("err = %v, want 57014", err)
		}
		c2 := connect(t, ts.url("u", "options='-c statement_timeout=100ms'"))
		if _, err := c2.Exec(ctxT(t), awaitForever); sqlState(err) != "57014" {
			t.Errorf("options: err = %v, want 57014", err)
		}
	})
	t.Run("server default", func(t *testing.T) {
		ts := startServer(t, eng, pgwire.Config{StatementTimeout: 100 * time.Millisecond})
		c := connect(t, ts.url("u", ""))
		if _, err := c.Exec(ctxT(t), awaitForever); sqlState(err) != "57014" {
			t.Errorf("err = %v, want 57014", err)
		}
		var n int64
		if err := c.QueryRow(ctxT(t), "SELECT 1").Scan(&n); err != nil {
			t.Errorf("the session is not usable after a timeout: %v", err)
		}
	})
}

func TestServer_IdleTimeout(t *testing.T) {
	ts := startServer(t, newEngine(t), pgwire.Config{IdleTimeout: 100 * time.Millisecond})
	c := connect(t, ts.url("u", ""))
	if err := ts.srv.WaitUntil(ctxT(t), func(_, conns int) bool { return conns == 0 }); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctxT(t), "SELECT 1"); err == nil {
		t.Error("a session closed for idleness still answers")
	}
}

// TestServer_PgxMutations runs parameterised INSERT, UPDATE and DELETE
// through pgx's extended protocol against the real engine.
func TestServer_PgxMutations(t *testing.T) {
	eng, err := ccql.Open(context.Background(), ccql.Config{DataDir: t.TempDir(), Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	ts := startServer(t, eng, pgwire.Config{})
	c := connect(t, ts.url("u", ""))
	ctx := ctxT(t)
	var pool, status string
	if err := c.QueryRow(ctx, `INSERT INTO awscc.cognito.user_pools (UserPoolName, region) VALUES ($1, $2) RETURNING Identifier, OperationStatus`,
		"pgx-pool", "us-east-1").Scan(&pool, &status); err != nil || status != "SUCCESS" {
		t.Fatalf("INSERT: %v %s", err, status)
	}
	tag, err := c.Exec(ctx, `UPDATE awscc.cognito.user_pools SET user_pool_name = $1 WHERE region = $2 AND Identifier = $3`, "renamed", "us-east-1", pool)
	if err != nil || tag.String() != "UPDATE 1" {
		t.Fatalf("UPDATE: %v %s", err, tag)
	}
	var name string
	if err := c.QueryRow(ctx, `SELECT user_pool_name FROM awscc.cognito.user_pools WHERE region = $1 AND Identifier = $2`, "us-east-1", pool).Scan(&name); err != nil || name != "renamed" {
		t.Fatalf("SELECT: %v %q", err, name)
	}
	// A value that does not fit its property is 22P02; a read-only column 42501.
	if _, err := c.Exec(ctx, `INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, RefreshTokenValidity, region) VALUES ($1, $2, 'us-east-1')`, pool, "soon"); sqlState(err) != "22P02" {
		t.Errorf("bad value: err = %v, want 22P02", err)
	}
	if _, err := c.Exec(ctx, `UPDATE awscc.cognito.user_pools SET Arn = $1 WHERE region = 'us-east-1' AND Identifier = $2`, "x", pool); sqlState(err) != "42501" {
		t.Errorf("read-only column: err = %v, want 42501", err)
	}
	tag, err = c.Exec(ctx, `DELETE FROM awscc.cognito.user_pools WHERE region = $1 AND Identifier = $2`, "us-east-1", pool)
	if err != nil || tag.String() != "DELETE 1" {
		t.Fatalf("DELETE: %v %s", err, tag)
	}
	var n int64
	if err := c.QueryRow(ctx, `SELECT count(*) FROM awscc.cognito.user_pools_list_only WHERE region = $1`, "us-east-1").Scan(&n); err != nil || n != 0 {
		t.Errorf("pools left: %v %d", err, n)
	}
	// NaN and Infinity are parameter values, never SQL text.
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		var got any
		if err := c.QueryRow(ctx, `SELECT $1 AS v`, f).Scan(&got); err != nil {
			t.Errorf("SELECT %v: %v", f, err)
		}
		if _, err := c.Exec(ctx, `INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, RefreshTokenValidity, region) VALUES ('p', $1, 'us-east-1')`, f); sqlState(err) != "22P02" {
			t.Errorf("INSERT %v as an integer: err = %v, want 22P02", f, err)
		}
	}
}

// TestServer_FiftyConnections runs parameterised statements on 50
// connections at once.
func TestServer_FiftyConnections(t *testing.T) {
	ts := startServer(t, newEngine(t), pgwire.Config{})
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ctx := ctxT(t)
			c, err := pgx.Connect(ctx, ts.url("u", ""))
			if err != nil {
				errs <- err
				return
			}
			defer c.Close(context.Background())
			var s string
			var n int64
			if err := c.QueryRow(ctx, `SELECT $1 || '-' || $2, (SELECT count(*) FROM awscc.cognito.user_pools_list_only WHERE region = $3)`, "conn", i, "us-east-1").Scan(&s, &n); err != nil {
				errs <- err
				return
			}
			if s != fmt.Sprintf("conn-%d", i) || n != 0 {
				errs <- fmt.Errorf("connection %d got %q %d", i, s, n)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

var _ = errors.Is
