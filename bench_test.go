package ccql_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ccql/ccql"
)

// seedClients creates pools×perPool clients through the engine, 500 per
// INSERT statement.
func seedClients(b *testing.B, eng *ccql.Engine, pools, perPool int) {
	b.Helper()
	for p := 0; p < pools; p++ {
		pool := createPool(b, eng, "us-east-1", fmt.Sprintf("bench-%d", p))
		for start := 0; start < perPool; start += 500 {
			var rows []string
			for i := start; i < perPool && i < start+500; i++ {
				rows = append(rows, fmt.Sprintf("('%s', 'c%d', 'us-east-1')", pool, i))
			}
			query(b, eng, "INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, region) VALUES "+strings.Join(rows, ", "))
		}
	}
}

// BenchmarkCountClients is issue 3's aim: SELECT count(*) over 10,000
// clients in 10 pools in ≤ 1 s, through the list view (which lists the
// pools first and fans out) and through the full table (a GetResource per
// client, in parallel).
func BenchmarkCountClients(b *testing.B) {
	eng := openEngine(b)
	seedClients(b, eng, 10, 1000)
	for _, tc := range []struct{ name, sql string }{
		{"list_only", `SELECT count(*) FROM awscc.cognito.user_pool_clients_list_only WHERE region = 'us-east-1'`},
		{"full", `SELECT count(*) FROM awscc.cognito.user_pool_clients WHERE region = 'us-east-1'`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				res, err := eng.Query(context.Background(), tc.sql)
				if err != nil {
					b.Fatal(err)
				}
				if got := res.Rows[0][0]; got != int64(10000) {
					b.Fatalf("count = %v, want 10000", got)
				}
			}
		})
	}
}

// BenchmarkSelectByIdentifier is one GetResource through SQLite and the
// in-process emulator.
func BenchmarkSelectByIdentifier(b *testing.B) {
	eng := openEngine(b)
	pool := createPool(b, eng, "us-east-1", "bench")
	res := query(b, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, region) SELECT '%s', 'c', 'us-east-1' RETURNING Identifier`, pool))
	stmt := fmt.Sprintf(`SELECT client_name, client_id FROM awscc.cognito.user_pool_clients WHERE region = 'us-east-1' AND Identifier = '%s'`, res.Rows[0][0])
	for b.Loop() {
		if _, err := eng.Query(context.Background(), stmt); err != nil {
			b.Fatal(err)
		}
	}
}
