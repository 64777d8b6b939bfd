package benchmark

import (
	"context"
	"fmt"
	"testing"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/emulator"
)

// listOnlyCountAllocs loads n log groups (bulk) into a fresh data dir and
// returns the allocations of one list-only count through the engine, the
// path `ccql exec` takes, with the result checked.
func listOnlyCountAllocs(t *testing.T, n int) float64 {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	srv, err := emulator.NewServer(emulator.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	states := make([]string, n)
	for i := range states {
		states[i] = logGroupState(i)
	}
	if err := srv.CloudControl("").BulkCreate(ctx, scaleType, states); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	eng, err := ccql.Open(ctx, ccql.Config{Backend: ccql.BackendLocal, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	q := "SELECT count(*) FROM " + scaleListOnly + " WHERE region = 'us-east-1'"
	var got string
	allocs := testing.AllocsPerRun(2, func() {
		res, err := eng.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
			t.Fatalf("count returned %v", res.Rows)
		}
		got = fmt.Sprint(res.Rows[0][0])
	})
	if got != fmt.Sprint(n) {
		t.Fatalf("count over %d log groups = %s", n, got)
	}
	return allocs
}

// TestListOnlyCount_linear measures the work of a list-only count at two
// sizes by its allocations (not its time, which a shared machine makes
// noisy) and checks it grows linearly: four times the resources may cost
// at most five times the allocations (a list that re-read the type for
// every page, as the old ListResources did, costs about sixteen times),
// and more than twice (the count does visit every resource).
func TestListOnlyCount_linear(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 25,000 log groups")
	}
	const small = 5000
	a := listOnlyCountAllocs(t, small)
	b := listOnlyCountAllocs(t, 4*small)
	ratio := b / a
	t.Logf("allocations of a list-only count: %.0f at %d, %.0f at %d (x%.2f)", a, small, b, 4*small, ratio)
	if ratio > 5 || ratio < 2 {
		t.Errorf("4x the log groups cost x%.2f the allocations (%.0f, then %.0f), want linear growth (x2 to x5)", ratio, a, b)
	}
}
