package pgwire_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/pgwire"
	"github.com/jackc/pgx/v5"
)

func TestServer_ErrorCodes(t *testing.T) {
	ts := startServer(t, newEngine(t), pgwire.Config{ReadOnly: true})
	tests := []struct {
		name, sql, code, inMessage string
	}{
		{"syntax", "SELEC 1", "42601", "SELEC"},
		{"unknown resource", "SELECT * FROM awscc.cognito.no_such_thing WHERE region = 'us-east-1'", "42P01", "awscc.cognito.no_such_thing"},
		{"unknown column", "SELECT no_such_col FROM awscc.cognito.user_pools_list_only WHERE region = 'us-east-1'", "42703", "no_such_col"},
		{"missing key", "SELECT * FROM awscc.cognito.user_pool_clients", "42P02", "region"},
		{"read-only insert", "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'p', 'us-east-1'", "25006", "INSERT"},
		{"read-only delete", "DELETE FROM awscc.cognito.user_pools WHERE Identifier = 'x' AND region = 'us-east-1'", "25006", "DELETE"},
		{"unknown setting", "SELECT current_setting('no_such_setting')", "42704", "no_such_setting"},
		{"pg_catalog probe", "SELECT * FROM pg_catalog.pg_type", "42P01", "pg_type"},
	}
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeSimpleProtocol} {
		c := connect(t, ts.url("u", ""))
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/%v", tt.name, mode), func(t *testing.T) {
				ctx := ctxT(t)
				rows, err := c.Query(ctx, tt.sql, mode)
				if err == nil {
					for rows.Next() {
					}
					rows.Close()
					err = rows.Err()
				}
				if got := sqlState(err); got != tt.code {
					t.Fatalf("SQLSTATE = %q (%v), want %s", got, err, tt.code)
				}
				if !strings.Contains(err.Error(), tt.inMessage) {
					t.Errorf("message %q does not name %q", err, tt.inMessage)
				}
				// The connection stays usable. (Expression columns are text:
				// SQLite gives them no declared type.)
				var n string
				if err := c.QueryRow(ctx, "SELECT 41 + 1", mode).Scan(&n); err != nil || n != "42" {
					t.Fatalf("after the error: %v, %q", err, n)
				}
			})
		}
	}
}

func TestServer_EngineErrorsMapToSQLSTATE(t *testing.T) {
	tests := []struct {
		err        error
		code, text string
	}{
		{&ccql.ServiceError{Operation: "GetResource", Code: "ResourceNotFoundException", Message: "not found"}, "42704", "ResourceNotFoundException"},
		{&ccql.ServiceError{Operation: "CreateResource", Code: "SomethingNewException", Message: "boom"}, "58000", "SomethingNewException"},
		{fmt.Errorf("get: %w", &ccql.ServiceError{Operation: "GetResource", Code: "ThrottlingException"}), "53400", "ThrottlingException"},
		{fmt.Errorf("%w: x", ccql.ErrUnsupported), "0A000", "not supported"},
		{fmt.Errorf("%w: after 2m", ccql.ErrTimeout), "57014", "timed out"},
		{errors.New("disk on fire"), "XX000", "disk on fire"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			eng := funcEngine(func(ctx context.Context, statement string, args ...any) (*ccql.Result, error) {
				return nil, tt.err
			})
			ts := startServer(t, eng, pgwire.Config{})
			c := connect(t, ts.url("u", ""))
			_, err := c.Exec(ctxT(t), "SELECT 1")
			if got := sqlState(err); got != tt.code || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("got %s %v, want %s naming %s", got, err, tt.code, tt.text)
			}
		})
	}
}

func TestServer_EnginePanicIsInternalError(t *testing.T) {
	calls := 0
	eng := funcEngine(func(ctx context.Context, statement string, args ...any) (*ccql.Result, error) {
		calls++
		if calls == 1 {
			panic("bug")
		}
		return &ccql.Result{Columns: []ccql.Column{{Name: "x", Type: ccql.TypeInt}}, Rows: [][]any{{int64(7)}}}, nil
	})
	ts := startServer(t, eng, pgwire.Config{})
	c := connect(t, ts.url("u", ""))
	ctx := ctxT(t)
	if _, err := c.Exec(ctx, "SELECT 1", pgx.QueryExecModeSimpleProtocol); sqlState(err) != "XX000" {
		t.Fatalf("panic: %v", err)
	}
	var n int64
	if err := c.QueryRow(ctx, "SELECT 1", pgx.QueryExecModeSimpleProtocol).Scan(&n); err != nil || n != 7 {
		t.Fatalf("after panic: %v %d", err, n)
	}
}
