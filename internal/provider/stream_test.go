package provider_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/ccql/ccql/emulator"
	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/cloudcontrol"
	"github.com/ccql/ccql/internal/provider"
	"github.com/ccql/ccql/internal/schema"
	"github.com/ccql/ccql/internal/store"
	"github.com/ccql/ccql/internal/vtable"
	"github.com/google/go-cmp/cmp"
)

const logGroupType = "AWS::Logs::LogGroup"

// loadLogGroups stores n log groups in dir's state file directly (as the
// generic handler stores them), in big transactions: the tests and
// benchmarks here are about reading.
func loadLogGroups(tb testing.TB, dir string, n int) {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, store.FileName))
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	p := store.Partition{Account: "000000000000", Region: "us-east-1"}
	for start := 0; start < n; start += 50_000 {
		err := st.Update(ctx, func(tx store.Tx) error {
			for i := start; i < min(n, start+50_000); i++ {
				name := fmt.Sprintf("/scale/group-%07d", i)
				m := fmt.Sprintf(`{"LogGroupName":%q,"Arn":"arn:aws:logs:%s:%s:log-group:%s:*","RetentionInDays":7}`, name, p.Region, p.Account, name)
				if err := tx.PutModel(p, logGroupType, name, json.RawMessage(m)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// countingAPI is the embedded emulator's Cloud Control, counting
// ListResources calls; before runs ahead of each (with its number).
type countingAPI struct {
	cloudcontrol.API
	lists  atomic.Int64
	before func(n int64) error
}

func (c *countingAPI) ListResources(ctx context.Context, in *cc.ListResourcesInput, o ...func(*cc.Options)) (*cc.ListResourcesOutput, error) {
	n := c.lists.Add(1)
	if c.before != nil {
		if err := c.before(n); err != nil {
			return nil, err
		}
	}
	return c.API.ListResources(ctx, in, o...)
}

// openLogGroups returns a SQLite DB over the provider over an emulator
// holding n log groups.
func openLogGroups(tb testing.TB, n int) (*vtable.DB, *countingAPI) {
	tb.Helper()
	dir := tb.TempDir()
	loadLogGroups(tb, dir, n)
	srv, err := emulator.NewServer(emulator.Options{DataDir: dir})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { srv.Close() })
	api := &countingAPI{API: srv.CloudControl("")}
	p := provider.New(catalog.New(schema.NewFullRegistry()), api, 8)
	p.SetDefaultRegion("us-east-1") // as ccql --region: the wrapper must stream too
	db, err := vtable.Open(p.Resolve, nil, 2)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, api
}

const logGroupsListOnly = "awscc.logs.log_groups_list_only"

func countLogGroups(ctx context.Context, db *vtable.DB) (*vtable.Rows, error) {
	return db.Query(ctx, []string{logGroupsListOnly}, `SELECT count(*) FROM "`+logGroupsListOnly+`"`)
}

// TestListOnly_streams: over 5,000 log groups (50 pages of 100), LIMIT 10
// fetches one page; count(*) fetches every page once and never holds more
// than a page or two (and the short-scan cache) at once; an error on a
// page, and the statement's context ending, stop the paging there.
func TestListOnly_streams(t *testing.T) {
	const n = 5000
	db, api := openLogGroups(t, n)
	ctx := context.Background()

	rows, err := db.Query(ctx, []string{logGroupsListOnly}, `SELECT log_group_name FROM "`+logGroupsListOnly+`" LIMIT 10`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows.Values) != 10 || rows.Values[0][0] != "/scale/group-0000000" {
		t.Fatalf("rows = %v", rows.Values)
	}
	if got := api.lists.Swap(0); got != 1 {
		t.Errorf("LIMIT 10: %d ListResources calls, want 1", got)
	}

	rows, err = countLogGroups(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if got := rows.Values[0][0]; got != int64(n) {
		t.Errorf("count = %v, want %d", got, n)
	}
	if got := api.lists.Swap(0); got != n/100 {
		t.Errorf("count(*): %d ListResources calls, want %d", got, n/100)
	}
	if peak := db.PeakRowsHeld(); peak > vtable.MaxCachedRows+200 {
		t.Errorf("peak rows held = %d of %d: the scan was not streamed", peak, n)
	}

	boom := errors.New("throttled")
	api.before = func(i int64) error {
		if i == 3 {
			return boom
		}
		return nil
	}
	if _, err := countLogGroups(ctx, db); !errors.Is(err, boom) {
		t.Errorf("err = %v, want the third page's error", err)
	}
	if got := api.lists.Swap(0); got != 3 {
		t.Errorf("%d ListResources calls, want 3 (none after the failure)", got)
	}

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	api.before = func(i int64) error {
		if i == 3 {
			cancel()
		}
		return nil
	}
	if _, err := countLogGroups(cctx, db); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if got := api.lists.Swap(0); got != 3 {
		t.Errorf("%d ListResources calls, want 3 (none after the cancel)", got)
	}
}

// BenchmarkListOnlyCount is SELECT count(*) over the list-only view of
// 10,000 and 100,000 log groups, through SQLite, the provider and the
// embedded emulator: the time per op should grow tenfold (linear), and
// rows-held reports the most rows held at once (a page, not the count).
func BenchmarkListOnlyCount(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			db, _ := openLogGroups(b, n)
			for b.Loop() {
				rows, err := countLogGroups(context.Background(), db)
				if err != nil {
					b.Fatal(err)
				}
				if got := rows.Values[0][0]; got != int64(n) {
					b.Fatalf("count = %v, want %d", got, n)
				}
			}
			b.ReportMetric(float64(db.PeakRowsHeld()), "rows-held")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/resource")
		})
	}
}

// TestListOnly_rowsFromIdentifier: a list-only row whose columns are all
// identifier parts is cut from the Identifier; when the parts cannot be
// told apart (a part holding "|"), the row comes from Properties.
func TestListOnly_rowsFromIdentifier(t *testing.T) {
	api := &fakeAPI{models: map[string]map[string]string{
		"AWS::Cognito::UserPoolClient": {
			"us-east-1_pool00001|c1":   `{"UserPoolId":"us-east-1_pool00001","ClientId":"c1"}`,
			"us-east-1_pool00001|c|2":  `{"UserPoolId":"us-east-1_pool00001","ClientId":"c|2"}`,
			"us-east-1_pool00001|only": ``, // a handler that echoes only the identifier
		},
	}}
	p := provider.New(catalog.New(schema.NewRegistry()), api, 4)
	cols, rows, err := scan(t, p, "awscc.cognito.user_pool_clients_list_only", map[string]any{"region": "us-east-1", "user_pool_id": "us-east-1_pool00001"})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]any{"c1", "c|2", "only"}, col(cols, rows, "client_id")); d != "" {
		t.Errorf("client_id (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]any{"us-east-1_pool00001", "us-east-1_pool00001", "us-east-1_pool00001"}, col(cols, rows, "user_pool_id")); d != "" {
		t.Errorf("user_pool_id (-want +got):\n%s", d)
	}
}
