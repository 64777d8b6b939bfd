package pgwire_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/pgwire"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
)

// exchange sends raw frontend messages on c and returns the backend's
// replies, summarised, up to the ReadyForQuery of the last cycle.
func exchange(t *testing.T, c *pgx.Conn, msgs ...pgproto3.FrontendMessage) []string {
	t.Helper()
	fe := c.PgConn().Frontend()
	cycles := 0 // each Sync and Query ends with a ReadyForQuery
	for _, m := range msgs {
		fe.Send(m)
		switch m.(type) {
		case *pgproto3.Sync, *pgproto3.Query:
			cycles++
		}
	}
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		msg, err := fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		switch m := msg.(type) {
		case *pgproto3.DataRow:
			var vals []string
			for _, v := range m.Values {
				if v == nil {
					vals = append(vals, "NULL")
				} else {
					vals = append(vals, string(v))
				}
			}
			got = append(got, "DataRow "+strings.Join(vals, ","))
		case *pgproto3.CommandComplete:
			got = append(got, "CommandComplete "+string(m.CommandTag))
		case *pgproto3.ErrorResponse:
			got = append(got, "Error "+m.Code)
		case *pgproto3.RowDescription:
			var names []string
			for _, f := range m.Fields {
				names = append(names, fmt.Sprintf("%s:%d:%d", f.Name, f.DataTypeOID, f.Format))
			}
			got = append(got, "RowDescription "+strings.Join(names, ","))
		case *pgproto3.ParameterDescription:
			got = append(got, fmt.Sprintf("ParameterDescription %v", m.ParameterOIDs))
		case *pgproto3.ReadyForQuery:
			got = append(got, "ReadyForQuery "+string(m.TxStatus))
			if cycles--; cycles == 0 {
				return got
			}
		default:
			got = append(got, strings.TrimPrefix(fmt.Sprintf("%T", msg), "*pgproto3."))
		}
	}
}

// tableEngine answers every statement with three rows of (n int, s text),
// and fails statements containing "fail".
var tableEngine = pgwire.FakeEngine{Columns: []ccql.Column{{Name: "n", Type: ccql.TypeInt}, {Name: "s", Type: ccql.TypeText}}, Exec: func(ctx context.Context, statement string, args ...any) (*ccql.Result, error) {
	if strings.Contains(statement, "fail") {
		return nil, fmt.Errorf("%w: fail", ccql.ErrSyntax)
	}
	if statement == "BEGIN" || statement == "COMMIT" {
		return &ccql.Result{Kind: ccql.KindMutation, Message: "OK"}, nil
	}
	if strings.HasPrefix(statement, "INSERT") {
		return &ccql.Result{Kind: ccql.KindMutation, RowsAffected: 1, Message: "sent"}, nil
	}
	return &ccql.Result{Columns: []ccql.Column{{Name: "n", Type: ccql.TypeInt}, {Name: "s", Type: ccql.TypeText}},
		Rows: [][]any{{int64(1), "a"}, {int64(2), nil}, {int64(3), fmt.Sprint(args...)}}}, nil
}}

func TestServer_ExtendedProtocolMessages(t *testing.T) {
	ts := startServer(t, tableEngine, pgwire.Config{})
	c := connect(t, ts.url("u", ""))
	tests := []struct {
		name string
		msgs []pgproto3.FrontendMessage
		want []string
	}{
		{"portal with a row limit", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Name: "s1", Query: "SELECT n, s FROM t WHERE s = $1;"},
			&pgproto3.Describe{ObjectType: 'S', Name: "s1"},
			&pgproto3.Bind{DestinationPortal: "p1", PreparedStatement: "s1", Parameters: [][]byte{[]byte("x")}, ResultFormatCodes: []int16{0, 1}},
			&pgproto3.Describe{ObjectType: 'P', Name: "p1"},
			&pgproto3.Execute{Portal: "p1", MaxRows: 2},
			&pgproto3.Execute{Portal: "p1", MaxRows: 2},
			&pgproto3.Close{ObjectType: 'S', Name: "s1"},
			&pgproto3.Sync{},
		}, []string{"ParseComplete", "ParameterDescription [0]", "RowDescription n:20:0,s:25:0",
			"BindComplete", "RowDescription n:20:0,s:25:1",
			"DataRow 1,a", "DataRow 2,NULL", "PortalSuspended", "DataRow 3,x", "CommandComplete SELECT 3",
			"CloseComplete", "ReadyForQuery I"}},
		{"an error skips to Sync", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "SELECT fail"},
			&pgproto3.Bind{},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
			&pgproto3.Parse{Query: "SELECT 1"},
			&pgproto3.Bind{},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
		}, []string{"ParseComplete", "BindComplete", "Error 42601", "ReadyForQuery I",
			"ParseComplete", "BindComplete", "DataRow 1,a", "DataRow 2,NULL", "DataRow 3,", "CommandComplete SELECT 3", "ReadyForQuery I"}},
		{"parameter count mismatch", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "SELECT $2"},
			&pgproto3.Bind{Parameters: [][]byte{[]byte("x")}},
			&pgproto3.Sync{},
		}, []string{"ParseComplete", "Error 08P01", "ReadyForQuery I"}},
		{"several statements in Parse", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "SELECT 1; SELECT 2"},
			&pgproto3.Sync{},
		}, []string{"Error 42601", "ReadyForQuery I"}},
		{"unknown statement and portal", []pgproto3.FrontendMessage{
			&pgproto3.Describe{ObjectType: 'S', Name: "nope"},
			&pgproto3.Sync{},
			&pgproto3.Execute{Portal: "nope"},
			&pgproto3.Sync{},
		}, []string{"Error 26000", "ReadyForQuery I", "Error 34000", "ReadyForQuery I"}},
		{"empty query", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: " "},
			&pgproto3.Bind{},
			&pgproto3.Describe{ObjectType: 'P'},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
		}, []string{"ParseComplete", "BindComplete", "NoData", "EmptyQueryResponse", "ReadyForQuery I"}},
		{"mutation with a notice, binary int parameter substituted", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT $1, 'us-east-1'", ParameterOIDs: []uint32{20}},
			&pgproto3.Bind{ParameterFormatCodes: []int16{1}, Parameters: [][]byte{{0, 0, 0, 0, 0, 0, 0, 42}}},
			&pgproto3.Describe{ObjectType: 'P'},
			&pgproto3.Execute{},
			&pgproto3.Sync{},
		}, []string{"ParseComplete", "BindComplete", "NoData", "NoticeResponse", "CommandComplete INSERT 0 1", "ReadyForQuery I"}},
		{"simple query: statements run in order until an error", []pgproto3.FrontendMessage{
			&pgproto3.Query{String: "SELECT 1; SELECT fail; SELECT 3"},
		}, []string{"RowDescription n:20:0,s:25:0", "DataRow 1,a", "DataRow 2,NULL", "DataRow 3,", "CommandComplete SELECT 3",
			"Error 42601", "ReadyForQuery I"}},
		{"simple query: a syntax error runs nothing", []pgproto3.FrontendMessage{
			&pgproto3.Query{String: "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'p', 'r'; SELEC 2"},
		}, []string{"Error 42601", "ReadyForQuery I"}},
		{"transaction status", []pgproto3.FrontendMessage{
			&pgproto3.Query{String: "BEGIN"},
		}, []string{"CommandComplete BEGIN", "ReadyForQuery T"}},
		{"commit", []pgproto3.FrontendMessage{
			&pgproto3.Query{String: "COMMIT"},
		}, []string{"CommandComplete COMMIT", "ReadyForQuery I"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := exchange(t, c, tt.msgs...)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("replies (-want +got):\n%s", d)
			}
		})
	}
}

// TestServer_ParametersAreArguments: parameters reach the engine as
// arguments of the prepared statement, whatever its kind; the server
// substitutes nothing into the text.
func TestServer_ParametersAreArguments(t *testing.T) {
	var got []string
	eng := funcEngine(func(ctx context.Context, statement string, args ...any) (*ccql.Result, error) {
		got = append(got, fmt.Sprintf("%s %q", statement, args))
		return &ccql.Result{Kind: ccql.KindMutation, RowsAffected: 1}, nil
	})
	ts := startServer(t, eng, pgwire.Config{})
	c := connect(t, ts.url("u", ""))
	text := `UPDATE awscc.cognito.user_pool_clients SET client_name = $1, access_token_validity = $2, generate_secret = $4
		WHERE region = 'us-east-1' AND Identifier = $3 -- a comment`
	tag, err := c.Exec(ctxT(t), text, "it's", 5, "p|c", true)
	if err != nil {
		t.Fatal(err)
	}
	if tag.String() != "UPDATE 1" {
		t.Errorf("tag = %q", tag)
	}
	// pgx sends parameters of open type in its text format (5 as '5',
	// true as 't'); the engine coerces them by the property's schema type.
	want := text + ` ["it's" "5" "p|c" "t"]`
	if len(got) == 0 || got[len(got)-1] != want {
		t.Errorf("engine got %q, want %q", got, want)
	}
}

func TestServer_SelectParameterTypes(t *testing.T) {
	var got []any
	eng := funcEngine(func(ctx context.Context, statement string, args ...any) (*ccql.Result, error) {
		got = args
		return &ccql.Result{Columns: []ccql.Column{{Name: "x", Type: ccql.TypeText}}}, nil
	})
	ts := startServer(t, eng, pgwire.Config{})
	c := connect(t, ts.url("u", ""))
	rows, err := c.Query(ctxT(t), "SELECT x FROM t WHERE a = $1 AND b = $2 AND c = $3 AND d = $4", "s", int64(7), 1.5, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// Parameters of open type arrive as text; SQLite's affinity compares
	// '7' with an INTEGER column as 7.
	if d := cmp.Diff([]any{"s", "7", "1.5", nil}, got); d != "" {
		t.Errorf("args (-want +got):\n%s", d)
	}
}
