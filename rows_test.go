package ccql_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/internal/vtable"
)

// seedLogGroups creates n log groups in us-east-1, 500 per INSERT.
func seedLogGroups(t testing.TB, eng *ccql.Engine, n int) {
	t.Helper()
	for start := 0; start < n; start += 500 {
		var vals []string
		for i := start; i < n && i < start+500; i++ {
			vals = append(vals, fmt.Sprintf("('/stream/g%05d', 'us-east-1')", i))
		}
		query(t, eng, "INSERT INTO awscc.logs.log_groups (LogGroupName, region) VALUES "+strings.Join(vals, ", "))
	}
}

// TestStmt_Query_streamsRows reads SELECT * over thousands of log groups
// row by row: the first row comes after one ListResources page, the
// virtual tables never hold more than a bounded number of rows, Rows holds
// none read ahead (no expression column), and every row arrives once.
func TestStmt_Query_streamsRows(t *testing.T) {
	const total = 3000
	eng, cl := openCounted(t, ccql.Config{Wait: true})
	seedLogGroups(t, eng, total)
	ctx := context.Background()
	st, err := eng.Prepare(ctx, `SELECT * FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1'`)
	if err != nil {
		t.Fatal(err)
	}
	cl.reset()
	rows, err := st.Query(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if got := columnNames(rows.Columns()); len(got) == 0 {
		t.Fatalf("no columns")
	}
	seen := map[string]bool{}
	for rows.Next() {
		if rows.Count() == 1 {
			if n := cl.n("ListResources"); n != 1 {
				t.Errorf("ListResources calls before the first row = %d, want 1", n)
			}
		}
		if n := ccql.RowsBufferedForTest(rows); n != 0 {
			t.Fatalf("Rows holds %d rows read ahead, want 0", n)
		}
		row := rows.Row()
		var name string
		for i, c := range rows.Columns() {
			if strings.EqualFold(c.Name, "log_group_name") {
				name, _ = row[i].(string)
			}
		}
		if name == "" || seen[name] {
			t.Fatalf("row %d: log_group_name %q empty or seen before (%v)", rows.Count(), name, row)
		}
		seen[name] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(seen) != total {
		t.Fatalf("read %d rows, want %d", len(seen), total)
	}
	if pages := cl.n("ListResources"); pages < 3 {
		t.Errorf("ListResources calls = %d: the list was not paged", pages)
	}
	if peak := ccql.PeakRowsHeldForTest(eng); peak > vtable.MaxCachedRows+200 || peak >= total {
		t.Errorf("peak rows held = %d, want ≤ %d", peak, vtable.MaxCachedRows+200)
	}
}

// TestStmt_Query_closeStopsPaging: closing Rows after a few rows fetches
// no further page, and the session is free for the next statement.
func TestStmt_Query_closeStopsPaging(t *testing.T) {
	eng, cl := openCounted(t, ccql.Config{Wait: true, MaxStatements: 1})
	seedLogGroups(t, eng, 2000)
	ctx := context.Background()
	for range 3 { // MaxStatements 1: a leaked session would block the second
		cl.reset()
		rows, err := eng.QueryRows(ctx, `SELECT log_group_name FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1'`)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5 && rows.Next(); i++ {
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		if rows.Next() {
			t.Fatal("Next after Close returned a row")
		}
		if n := cl.n("ListResources"); n != 1 {
			t.Fatalf("ListResources calls = %d, want 1 (closed after 5 rows)", n)
		}
	}
}

// TestStmt_Query_cancelStopsPaging: cancelling the context while rows are
// read ends them with the context's error and fetches no further page.
func TestStmt_Query_cancelStopsPaging(t *testing.T) {
	eng, cl := openCounted(t, ccql.Config{Wait: true, MaxStatements: 1})
	seedLogGroups(t, eng, 1500)
	cl.reset()
	ctx, cancel := context.WithCancel(context.Background())
	rows, err := eng.QueryRows(ctx, `SELECT log_group_name FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for i := 0; i < 5 && rows.Next(); i++ {
	}
	cancel()
	for rows.Next() {
		if rows.Count() > 1500 {
			t.Fatal("rows go on after cancel")
		}
	}
	if !errors.Is(rows.Err(), context.Canceled) {
		t.Fatalf("Err = %v, want context.Canceled", rows.Err())
	}
	if n := cl.n("ListResources"); n != 1 {
		t.Errorf("ListResources calls = %d, want 1", n)
	}
	rows.Close()
	// The session came back: the next statement runs.
	query(t, eng, `SELECT count(*) FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1'`)
}

// TestStmt_Query_errors: an error met while streaming is Rows.Err (or
// Query's when it comes first) and wraps the sentinel Exec's does.
func TestStmt_Query_errors(t *testing.T) {
	eng, _ := openCounted(t, ccql.Config{Wait: true})
	ctx := context.Background()
	for _, q := range []string{
		`SELECT log_group_name FROM awscc.logs.log_groups_list_only`,
		`SELECT count(*) FROM awscc.logs.log_groups_list_only`,
	} {
		_, execErr := eng.Query(ctx, q)
		if !errors.Is(execErr, ccql.ErrMissingKey) {
			t.Fatalf("%s: Exec error %v, want ErrMissingKey", q, execErr)
		}
		rows, err := eng.QueryRows(ctx, q)
		if err == nil {
			for rows.Next() {
			}
			err = rows.Err()
			rows.Close()
		}
		if !errors.Is(err, ccql.ErrMissingKey) || err.Error() != execErr.Error() {
			t.Fatalf("%s: Query error %v, want Exec's %v", q, err, execErr)
		}
	}
}

// TestStmt_Query_typesExpressions: an expression column is typed from its
// first values, as Exec types it; a statement that is not a SELECT reads
// its Result.
func TestStmt_Query_typesExpressions(t *testing.T) {
	eng, _ := openCounted(t, ccql.Config{Wait: true})
	seedLogGroups(t, eng, 3)
	ctx := context.Background()
	rows, err := eng.QueryRows(ctx, `SELECT count(*) AS n, 1.5 AS f FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if got := rows.Columns(); got[0].Type != ccql.TypeInt || got[1].Type != ccql.TypeFloat {
		t.Fatalf("columns %+v, want int and float", got)
	}
	if !rows.Next() || rows.Row()[0] != int64(3) || rows.Next() || rows.Err() != nil {
		t.Fatalf("rows: %v, err %v", rows.Row(), rows.Err())
	}
	show, err := eng.QueryRows(ctx, `SHOW PROVIDERS`)
	if err != nil {
		t.Fatal(err)
	}
	defer show.Close()
	if !show.Next() || show.Row()[0] != "awscc" || show.Kind() != ccql.KindQuery || show.Result() == nil {
		t.Fatalf("SHOW PROVIDERS: %v", show.Row())
	}
}
