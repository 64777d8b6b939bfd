package pgwire_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/pgwire"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// newEngine opens the real engine on the embedded emulator in a temp dir.
func newEngine(t testing.TB) *ccql.Engine {
	t.Helper()
	eng, err := ccql.Open(context.Background(), ccql.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatalf("ccql.Open: %v", err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

// testServer is a running server on a loopback port.
type testServer struct {
	srv  *pgwire.Server
	addr *net.TCPAddr
	errc chan error
}

func startServer(t testing.TB, eng pgwire.Engine, cfg pgwire.Config) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{srv: pgwire.NewServer(eng, cfg), addr: ln.Addr().(*net.TCPAddr), errc: make(chan error, 1)}
	go func() { ts.errc <- ts.srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := ts.srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-ts.errc; !errors.Is(err, pgwire.ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return ts
}

// url returns a connection string for user with extra key=value options.
func (ts *testServer) url(user, extra string) string {
	s := fmt.Sprintf("host=127.0.0.1 port=%d user=%s dbname=ccql sslmode=disable", ts.addr.Port, user)
	if extra != "" {
		s += " " + extra
	}
	return s
}

func connect(t testing.TB, connString string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, connString)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// funcEngine is a fault-injecting Engine: statements prepared by
// pgwire.FakeEngine, without result columns, run by the function.
type funcEngine func(ctx context.Context, statement string, args ...any) (*ccql.Result, error)

func (f funcEngine) Prepare(ctx context.Context, statement string) (*ccql.Stmt, error) {
	return pgwire.FakeEngine{Exec: f}.Prepare(ctx, statement)
}
