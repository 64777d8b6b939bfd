package pgwire_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/pgwire"
	"github.com/jackc/pgx/v5"
)

// blockingEngine blocks statements containing "slow" until released or
// cancelled; others answer at once.
type blockingEngine struct {
	started chan struct{} // receives when a slow statement starts
	release chan struct{} // closed to let slow statements finish
}

func newBlockingEngine() *blockingEngine {
	return &blockingEngine{started: make(chan struct{}, 16), release: make(chan struct{})}
}

func (b *blockingEngine) Prepare(ctx context.Context, statement string) (*ccql.Stmt, error) {
	return pgwire.FakeEngine{Columns: []ccql.Column{{Name: "x", Type: ccql.TypeText}}, Exec: b.exec}.Prepare(ctx, statement)
}

func (b *blockingEngine) exec(ctx context.Context, statement string, args ...any) (*ccql.Result, error) {
	if strings.Contains(statement, "slow") {
		b.started <- struct{}{}
		select {
		case <-b.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return &ccql.Result{Columns: []ccql.Column{{Name: "x", Type: ccql.TypeText}}, Rows: [][]any{{"done"}}}, nil
}

func TestServer_CancelRequest(t *testing.T) {
	eng := newBlockingEngine()
	ts := startServer(t, eng, pgwire.Config{})
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeExec} {
		t.Run(mode.String(), func(t *testing.T) {
			c := connect(t, ts.url("u", ""))
			ctx := ctxT(t)
			errc := make(chan error, 1)
			go func() {
				_, err := c.Exec(ctx, "SELECT 'slow'", mode)
				errc <- err
			}()
			<-eng.started
			if err := c.PgConn().CancelRequest(ctx); err != nil {
				t.Fatalf("CancelRequest: %v", err)
			}
			err := <-errc
			if sqlState(err) != "57014" {
				t.Fatalf("cancelled statement: %v, want 57014", err)
			}
			var x string
			if err := c.QueryRow(ctx, "SELECT 'fast'", mode).Scan(&x); err != nil || x != "done" {
				t.Fatalf("after cancel: %v %q", err, x)
			}
		})
	}
}

func TestServer_WrongCancelKeyIsIgnored(t *testing.T) {
	eng := newBlockingEngine()
	ts := startServer(t, eng, pgwire.Config{})
	victim := connect(t, ts.url("u", ""))
	other := connect(t, ts.url("u", ""))
	ctx := ctxT(t)
	errc := make(chan error, 1)
	go func() {
		_, err := victim.Exec(ctx, "SELECT 'slow'")
		errc <- err
	}()
	<-eng.started
	// other's cancel key does not match victim's session.
	if err := other.PgConn().CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	// A statement on another connection proves the cancel was handled.
	if _, err := other.Exec(ctx, "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	close(eng.release)
	if err := <-errc; err != nil {
		t.Fatalf("victim was cancelled: %v", err)
	}
}

func TestServer_SlowStatementDoesNotBlockOthers(t *testing.T) {
	eng := newBlockingEngine()
	ts := startServer(t, eng, pgwire.Config{})
	slow := connect(t, ts.url("u", ""))
	ctx := ctxT(t)
	errc := make(chan error, 1)
	go func() {
		_, err := slow.Exec(ctx, "SELECT 'slow'")
		errc <- err
	}()
	<-eng.started
	for i := 0; i < 3; i++ {
		c := connect(t, ts.url("u", ""))
		var x string
		if err := c.QueryRow(ctx, "SELECT 'fast'").Scan(&x); err != nil {
			t.Fatalf("connection %d while another is busy: %v", i, err)
		}
	}
	close(eng.release)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func TestServer_MaxConnections(t *testing.T) {
	ts := startServer(t, newBlockingEngine(), pgwire.Config{MaxConnections: 2})
	first := connect(t, ts.url("u", ""))
	connect(t, ts.url("u", ""))
	_, err := pgx.Connect(ctxT(t), ts.url("u", ""))
	if sqlState(err) != "53300" {
		t.Fatalf("third connection: %v, want 53300", err)
	}
	// A slot frees when a session ends.
	first.Close(ctxT(t))
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := pgx.Connect(ctxT(t), ts.url("u", ""))
		if err == nil {
			c.Close(ctxT(t))
			break
		}
		if sqlState(err) != "53300" || time.Now().After(deadline) {
			t.Fatalf("after a close: %v", err)
		}
	}
}

func TestServer_ShutdownLetsRunningStatementsFinish(t *testing.T) {
	eng := newBlockingEngine()
	ts := startServer(t, eng, pgwire.Config{})
	busy := connect(t, ts.url("u", ""))
	idle := connect(t, ts.url("u", ""))
	ctx := ctxT(t)
	errc := make(chan error, 1)
	var got string
	// One message cycle: a pgx prepared statement spans two (describe,
	// then execute), and a session ends at the first ReadyForQuery after
	// Shutdown.
	go func() { errc <- busy.QueryRow(ctx, "SELECT 'slow'", pgx.QueryExecModeSimpleProtocol).Scan(&got) }()
	<-eng.started

	shut := make(chan error, 1)
	go func() { shut <- ts.srv.Shutdown(ctx) }()
	// New connections are refused once Shutdown has begun.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := pgx.Connect(ctx, ts.url("u", "connect_timeout=5"))
		if err != nil {
			break
		}
		c.Close(ctx)
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections after Shutdown")
		}
	}
	// The idle session is ended by the server (Shutdown ends idle sessions
	// right after closing the listener).
	for {
		if _, err := idle.Exec(ctx, "SELECT 1"); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("idle connection still works after Shutdown")
		}
	}
	close(eng.release)
	if err := <-errc; err != nil || got != "done" {
		t.Fatalf("running statement: %v %q", err, got)
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if _, err := busy.Exec(ctx, "SELECT 1"); err == nil {
		t.Error("busy connection still works after its statement and Shutdown")
	}
}

func TestServer_ShutdownDeadlineCancelsStatements(t *testing.T) {
	eng := newBlockingEngine()
	ts := startServer(t, eng, pgwire.Config{})
	c := connect(t, ts.url("u", ""))
	ctx := ctxT(t)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Exec(ctx, "SELECT 'slow'")
		errc <- err
	}()
	<-eng.started
	expired, cancel := context.WithCancel(ctx)
	cancel()
	if err := ts.srv.Shutdown(expired); !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown = %v, want context.Canceled", err)
	}
	if err := <-errc; err == nil {
		t.Fatal("statement survived a forced shutdown")
	}
}
