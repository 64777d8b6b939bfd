package pgwire_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/pgwire"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
)

// TestServer_ComputedColumnTypes checks that columns computed by
// expressions (count(*), 1.5) carry their value's type in every pgx query
// mode, not only in the simple protocol: pgx's default mode describes the
// statement before binding it, its Exec mode describes the portal.
func TestServer_ComputedColumnTypes(t *testing.T) {
	eng := newEngine(t)
	if _, err := eng.Query(ctxT(t), `INSERT /*+ AWAIT */ INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'p1', 'us-east-1'`); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, eng, pgwire.Config{})
	modes := []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeCacheDescribe,
		pgx.QueryExecModeDescribeExec, pgx.QueryExecModeExec, pgx.QueryExecModeSimpleProtocol}
	queries := []struct {
		name string
		sql  string
		args []any
	}{
		{"literal key", `SELECT count(*) AS n, 1.5 AS f, 'x' || 'y' AS s FROM awscc.cognito.user_pools_list_only WHERE region = 'us-east-1'`, nil},
		{"bound key", `SELECT count(*) AS n, 1.5 AS f, 'x' || 'y' AS s FROM awscc.cognito.user_pools_list_only WHERE region = $1`, []any{"us-east-1"}},
	}
	for _, q := range queries {
		for _, mode := range modes {
			t.Run(q.name+"/"+mode.String(), func(t *testing.T) {
				c := connect(t, ts.url("u", ""))
				// Twice: the second run of a cached statement uses the
				// description pgx kept from the first.
				for range 2 {
					rows, err := c.Query(ctxT(t), q.sql, append([]any{mode}, q.args...)...)
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, fd := range rows.FieldDescriptions() {
						got = append(got, fmt.Sprintf("%s:%d", fd.Name, fd.DataTypeOID))
					}
					var vals []any
					for rows.Next() {
						if vals, err = rows.Values(); err != nil {
							t.Fatal(err)
						}
					}
					if err := rows.Err(); err != nil {
						t.Fatal(err)
					}
					if d := cmp.Diff([]string{"n:20", "f:701", "s:25"}, got); d != "" {
						t.Errorf("column types (-want +got):\n%s", d)
					}
					if d := cmp.Diff([]any{int64(1), 1.5, "xy"}, vals); d != "" {
						t.Errorf("values (-want +got):\n%s", d)
					}
				}
			})
		}
	}
}

// countingEngine records the statements it runs and answers a SELECT with
// three rows of an expression column typed by its values, as the engine
// does (TypeAny under LIMIT 0, where there are no values).
type countingEngine struct {
	mu  sync.Mutex
	ran []string
}

// Prepare implements pgwire.Engine: a SELECT's expression column is untyped
// until it has values, as the engine's is.
func (e *countingEngine) Prepare(ctx context.Context, statement string) (*ccql.Stmt, error) {
	return pgwire.FakeEngine{Columns: []ccql.Column{{Name: "n", Type: ccql.TypeAny}}, Exec: e.query}.Prepare(ctx, statement)
}

func (e *countingEngine) query(ctx context.Context, statement string, args ...any) (*ccql.Result, error) {
	e.mu.Lock()
	e.ran = append(e.ran, strings.Join(strings.Fields(statement), " "))
	e.mu.Unlock()
	switch {
	case strings.HasPrefix(statement, "INSERT"):
		return &ccql.Result{Kind: ccql.KindMutation, RowsAffected: 1, Message: "OK"}, nil
	case strings.Contains(statement, "LIMIT 0"):
		return &ccql.Result{Columns: []ccql.Column{{Name: "n", Type: ccql.TypeAny}}}, nil
	case len(args) > 0 && args[0] == nil:
		return &ccql.Result{Columns: []ccql.Column{{Name: "n", Type: ccql.TypeAny}}}, nil
	}
	return &ccql.Result{Columns: []ccql.Column{{Name: "n", Type: ccql.TypeInt}},
		Rows: [][]any{{int64(1)}, {int64(2)}, {int64(3)}}}, nil
}

func (e *countingEngine) take() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	ran := e.ran
	e.ran = nil
	return ran
}

// TestServer_DescribePortalRunsOnce checks that a SELECT portal described
// before Execute runs once, at Describe, and Execute sends the kept rows
// (row limits included); that a mutation never runs at Describe; and that a
// described portal closed without Execute is gone.
func TestServer_DescribePortalRunsOnce(t *testing.T) {
	eng := &countingEngine{}
	ts := startServer(t, eng, pgwire.Config{})
	c := connect(t, ts.url("u", ""))
	eng.take() // connection set-up, if any
	tests := []struct {
		name    string
		msgs    []pgproto3.FrontendMessage
		want    []string
		wantRan []string
	}{
		{"described portal, row limit", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Name: "s1", Query: "SELECT count(*) AS n FROM t"},
			&pgproto3.Bind{DestinationPortal: "p1", PreparedStatement: "s1"},
			&pgproto3.Describe{ObjectType: 'P', Name: "p1"},
			&pgproto3.Execute{Portal: "p1", MaxRows: 2},
			&pgproto3.Execute{Portal: "p1", MaxRows: 2},
			&pgproto3.Close{ObjectType: 'S', Name: "s1"},
			&pgproto3.Sync{},
		}, []string{"ParseComplete", "BindComplete", "RowDescription n:20:0",
			"DataRow 1", "DataRow 2", "PortalSuspended", "DataRow 3", "CommandComplete SELECT 3",
			"CloseComplete", "ReadyForQuery I"},
			[]string{"SELECT count(*) AS n FROM t"}},
		{"described portal closed without Execute", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Name: "s2", Query: "SELECT count(*) AS n FROM t"},
			&pgproto3.Bind{DestinationPortal: "p2", PreparedStatement: "s2"},
			&pgproto3.Describe{ObjectType: 'P', Name: "p2"},
			&pgproto3.Close{ObjectType: 'P', Name: "p2"},
			&pgproto3.Execute{Portal: "p2"},
			&pgproto3.Sync{},
			&pgproto3.Close{ObjectType: 'S', Name: "s2"},
			&pgproto3.Sync{},
		}, []string{"ParseComplete", "BindComplete", "RowDescription n:20:0", "CloseComplete", "Error 34000", "ReadyForQuery I",
			"CloseComplete", "ReadyForQuery I"},
			[]string{"SELECT count(*) AS n FROM t"}},
		{"described statement: typed by a run with NULL parameters, then executed", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Name: "s3", Query: "SELECT count(*) AS n FROM t WHERE k = $1"},
			&pgproto3.Describe{ObjectType: 'S', Name: "s3"},
			&pgproto3.Sync{},
			&pgproto3.Bind{PreparedStatement: "s3", Parameters: [][]byte{[]byte("v")}},
			&pgproto3.Execute{},
			&pgproto3.Close{ObjectType: 'S', Name: "s3"},
			&pgproto3.Sync{},
		}, []string{"ParseComplete", "ParameterDescription [0]", "RowDescription n:25:0", "ReadyForQuery I",
			"BindComplete", "DataRow 1", "DataRow 2", "DataRow 3", "CommandComplete SELECT 3", "CloseComplete", "ReadyForQuery I"},
			[]string{"SELECT count(*) AS n FROM t WHERE k = $1", "SELECT count(*) AS n FROM t WHERE k = $1"}},
		{"described mutation does not run before Execute", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'p', 'us-east-1'"},
			&pgproto3.Bind{},
			&pgproto3.Describe{ObjectType: 'P'},
			&pgproto3.Sync{},
		}, []string{"ParseComplete", "BindComplete", "NoData", "ReadyForQuery I"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := exchange(t, c, tt.msgs...)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("replies (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.wantRan, eng.take()); d != "" {
				t.Errorf("statements run (-want +got):\n%s", d)
			}
		})
	}
}
