package pgwire_test

import (
	"testing"

	"github.com/ccql/ccql/pgwire"
	"github.com/jackc/pgx/v5"
)

// TestServer_StackQLMeta runs REGISTRY LIST and SHOW INSERT in every pgx
// query mode: the extended protocol describes them before running them, so
// they must be described as returning rows.
func TestServer_StackQLMeta(t *testing.T) {
	ts := startServer(t, newEngine(t), pgwire.Config{})
	c := connect(t, ts.url("me", ""))
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeDescribeExec, pgx.QueryExecModeExec, pgx.QueryExecModeSimpleProtocol} {
		var provider, version string
		if err := c.QueryRow(ctxT(t), "REGISTRY LIST", mode).Scan(&provider, &version); err != nil || provider != "awscc" || version != "v00.00.00000" {
			t.Errorf("mode %v: REGISTRY LIST = %q %q, %v", mode, provider, version, err)
		}
		rows, err := c.Query(ctxT(t), "SHOW INSERT /*+ REQUIRED */ INTO awscc.cognito.user_pool_clients", mode)
		if err != nil {
			t.Fatalf("mode %v: SHOW INSERT: %v", mode, err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(lines) != 8 || lines[0] != "INSERT INTO awscc.cognito.user_pool_clients (" {
			t.Errorf("mode %v: SHOW INSERT = %q, %v", mode, lines, err)
		}
	}
}
