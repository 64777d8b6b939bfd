package pgwire

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ccql/ccql"
	"github.com/jackc/pgx/v5/pgproto3"
)

// fuzzEngine answers every statement at once with typed columns (or a
// syntax error for text containing "bad"), so fuzzing exercises the
// protocol, not the engine.
type fuzzEngine struct{}

func (fuzzEngine) Prepare(ctx context.Context, statement string) (*ccql.Stmt, error) {
	return FakeEngine{Columns: fuzzColumns, Exec: fuzzExec}.Prepare(ctx, statement)
}

var fuzzColumns = []ccql.Column{{Name: "t", Type: ccql.TypeText}, {Name: "i", Type: ccql.TypeInt}, {Name: "f", Type: ccql.TypeFloat},
	{Name: "b", Type: ccql.TypeBool}, {Name: "j", Type: ccql.TypeJSON}, {Name: "ts", Type: ccql.TypeTime}, {Name: "a", Type: ccql.TypeAny}}

func fuzzExec(ctx context.Context, statement string, args ...any) (*ccql.Result, error) {
	if strings.Contains(statement, "bad") {
		return nil, ccql.ErrSyntax
	}
	return &ccql.Result{Kind: ccql.KindQuery,
		Columns: fuzzColumns,
		Rows: [][]any{
			{"x", int64(1), 1.5, true, json.RawMessage(`{"a":[1]}`), time.Unix(1700000000, 0), args},
			{nil, nil, nil, nil, nil, nil, nil},
		}}, nil
}

func encodeAll(msgs ...interface{ Encode([]byte) ([]byte, error) }) []byte {
	var out []byte
	for _, m := range msgs {
		var err error
		if out, err = m.Encode(out); err != nil {
			panic(err)
		}
	}
	return out
}

var fuzzStartup = &pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u", "database": "d"}}

// FuzzServeConn feeds arbitrary bytes to one connection: after a valid
// startup message when startup is true, raw otherwise. The server must
// neither panic nor hang; any reply is fine.
func FuzzServeConn(f *testing.F) {
	f.Add(true, encodeAll(&pgproto3.Query{String: "SELECT 1; SELECT 2"}, &pgproto3.Terminate{}))
	f.Add(true, encodeAll(&pgproto3.Query{String: "bad"}, &pgproto3.Query{String: ""}, &pgproto3.Query{String: "SELECT version(), current_setting('TimeZone')"}))
	f.Add(true, encodeAll(
		&pgproto3.Parse{Name: "s", Query: "SELECT $1, $2", ParameterOIDs: []uint32{20}},
		&pgproto3.Describe{ObjectType: 'S', Name: "s"},
		&pgproto3.Bind{PreparedStatement: "s", ParameterFormatCodes: []int16{1, 0}, Parameters: [][]byte{{0, 0, 0, 0, 0, 0, 0, 7}, []byte("x")}, ResultFormatCodes: []int16{1}},
		&pgproto3.Describe{ObjectType: 'P'},
		&pgproto3.Execute{MaxRows: 1},
		&pgproto3.Execute{},
		&pgproto3.Sync{},
		&pgproto3.Close{ObjectType: 'S', Name: "s"},
		&pgproto3.Sync{}))
	f.Add(true, encodeAll(&pgproto3.Bind{PreparedStatement: "missing"}, &pgproto3.Execute{}, &pgproto3.Sync{}))
	f.Add(true, encodeAll(&pgproto3.Parse{Query: "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT $1, 'r'"},
		&pgproto3.Bind{Parameters: [][]byte{[]byte("it's")}}, &pgproto3.Execute{}, &pgproto3.Sync{}))
	f.Add(true, []byte{'Q', 0xff, 0xff, 0xff, 0xff})
	f.Add(true, []byte{'Q', 0, 0, 0, 3})
	f.Add(true, []byte{'F', 0, 0, 0, 4, 'd', 0, 0, 0, 4})
	f.Add(false, encodeAll(&pgproto3.SSLRequest{}, fuzzStartup))
	f.Add(false, encodeAll(&pgproto3.GSSEncRequest{}, &pgproto3.CancelRequest{ProcessID: 1, SecretKey: []byte{1, 2, 3, 4}}))
	f.Add(false, []byte{0, 0, 0, 8, 4, 210, 22, 47})
	f.Add(false, []byte{0x16, 3, 1, 0, 5})
	f.Fuzz(func(t *testing.T, startup bool, data []byte) {
		if startup {
			data = append(encodeAll(fuzzStartup), data...)
		}
		fuzzOne(t, data)
	})
}

func fuzzOne(t *testing.T, data []byte) {
	s := NewServer(fuzzEngine{}, Config{HandshakeTimeout: 2 * time.Second, MaxMessageSize: 1 << 16})
	defer s.cancelBase()
	client, server := net.Pipe()
	c := s.newConn(server)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.serve()
	}()
	go func() { _, _ = io.Copy(io.Discard, client) }()
	go func() {
		_, _ = client.Write(data)
		// Closing the write side is how a client says it is gone.
		client.Close()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("connection still being served 10s after its input ended (%d bytes)", len(data))
	}
}

// FuzzSCRAM feeds arbitrary SCRAM messages to the server side of the
// exchange: no panic, and nothing but the right proof authenticates.
func FuzzSCRAM(f *testing.F) {
	f.Add([]byte("n,,n=,r=abc"), []byte("c=biws,r=abc,p=AAAA"))
	f.Add([]byte("y,,n=u,r=x"), []byte("c=eSws,r=x,p="))
	f.Add([]byte("p=tls-server-end-point,,n=,r=x"), []byte(""))
	f.Add([]byte("n,a=admin,n=,r=x"), []byte(",p="))
	users, err := ParseUsers(strings.NewReader("u:SCRAM-SHA-256$4096:c2FsdA==$" + strings.Repeat("A", 43) + "=:" + strings.Repeat("A", 43) + "=\n"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, first, final []byte) {
		x := newSCRAMExchange(users, "u", []byte("k"))
		if _, err := x.clientFirst(first); err != nil {
			return
		}
		if _, ok, err := x.clientFinal(final); ok && err == nil {
			t.Fatalf("a fuzzed proof authenticated: %q %q", first, final)
		}
	})
}

// FuzzParseUsers: no panic on any users file; what parses formats back
// to itself.
func FuzzParseUsers(f *testing.F) {
	f.Add("alice:SCRAM-SHA-256$4096:c2FsdA==$" + strings.Repeat("A", 43) + "=:" + strings.Repeat("A", 43) + "=\n# c\n\n")
	f.Add("bob:md5abc\n")
	f.Add("x:SCRAM-SHA-256$0:$:")
	f.Fuzz(func(t *testing.T, content string) {
		u, err := ParseUsers(strings.NewReader(content))
		if err != nil {
			if !errors.Is(err, ErrBadUsersFile) && !strings.Contains(err.Error(), "read users") {
				t.Fatalf("error %v does not wrap ErrBadUsersFile", err)
			}
			return
		}
		for name, v := range u.m {
			back, err := parseVerifier(v.String())
			if err != nil || back.String() != v.String() {
				t.Fatalf("user %q: verifier does not round-trip: %v", name, err)
			}
		}
	})
}
