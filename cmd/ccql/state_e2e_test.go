package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2E_StateSaveLoad: ccql state save and load on the data dir of a
// running ccql serve, checked through the server (the AWS endpoint) and
// ccql exec; then a damaged store is refused by serve and repaired by load.
func TestE2E_StateSaveLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	addr := startServeArgs(t, "--data-dir", dir)
	remote := []string{"AWS_ENDPOINT_URL_CLOUDCONTROL=http://" + addr, "HOME=" + t.TempDir(), "CCQL_DATA_DIR=" + t.TempDir()}
	run := mustCCQL(t, remote)
	count := func() string {
		t.Helper()
		out, _ := run("exec", "-o", "csv", "SELECT count(*) AS n FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1'")
		return strings.TrimSpace(out)
	}
	create := func(name string) {
		t.Helper()
		run("exec", "--wait", "INSERT INTO awscc.logs.log_groups (LogGroupName, region) SELECT '"+name+"', 'us-east-1'")
	}
	create("/snap/kept")
	if got := count(); got != "n\n1" {
		t.Fatalf("before save: %q", got)
	}
	snap := filepath.Join(t.TempDir(), "team.ccql")
	local := mustCCQL(t, nil)
	out, _ := local("state", "save", snap, "--data-dir", dir)
	if !strings.Contains(out, "saved") {
		t.Errorf("state save said %q", out)
	}
	create("/snap/later")
	if got := count(); got != "n\n2" {
		t.Fatalf("after a second create: %q", got)
	}
	local("state", "load", snap, "--data-dir", dir)
	// The running server sees the loaded state at once.
	if got := count(); got != "n\n1" {
		t.Errorf("after load, the server lists %q, want 1 log group", got)
	}
	// A file that is not a snapshot is refused, naming it.
	bogus := filepath.Join(t.TempDir(), "bogus")
	os.WriteFile(bogus, []byte("hello"), 0o600)
	if _, errOut, code := ccqlBin(t, nil, "state", "load", bogus, "--data-dir", dir); code == 0 || !strings.Contains(errOut, bogus) {
		t.Errorf("load of a non-snapshot: exit %d, stderr %q", code, errOut)
	}
}

// TestE2E_DamagedStore: ccql serve refuses a damaged store with the
// message naming the file, the damage and the remedy, and exits non-zero;
// ccql state load then replaces it and serve starts again.
func TestE2E_DamagedStore(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	local := mustCCQL(t, nil)
	local("exec", "--data-dir", dir, "--wait", "INSERT INTO awscc.logs.log_groups (LogGroupName, region) SELECT '/damage/one', 'us-east-1'")
	snap := filepath.Join(t.TempDir(), "good.ccql")
	local("state", "save", snap, "--data-dir", dir)
	path := filepath.Join(dir, "ccql.db")
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := ccqlBin(t, nil, "serve", "--data-dir", dir, "--addr", "127.0.0.1:0")
	if code == 0 || !strings.Contains(errOut, path) || !strings.Contains(errOut, "empty (0 bytes)") || !strings.Contains(errOut, "ccql state load") {
		t.Errorf("serve on a truncated store: exit %d, stderr %q", code, errOut)
	}
	out, _ := local("state", "load", snap, "--data-dir", dir)
	if !strings.Contains(out, "replaced the damaged") {
		t.Errorf("state load said %q", out)
	}
	out, _ = local("exec", "--data-dir", dir, "-o", "csv", "SELECT log_group_name FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1'")
	if strings.TrimSpace(out) != "log_group_name\n/damage/one" {
		t.Errorf("after repair: %q", out)
	}
}

// TestE2E_BenchScale runs ccql bench scale at two tiny sizes, 10 log groups
// of each step through the API and the rest bulk loaded: every row is
// measured (counts checked by the bench itself against what it created).
func TestE2E_BenchScale(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	out, errOut, code := ccqlBin(t, nil, "bench", "scale", "--sizes", "20,50", "--clients", "4", "--api-creates", "10", "-o", "json", "--data-dir", t.TempDir())
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rows []struct {
		Resources       int     `json:"resources"`
		Created         int     `json:"created"`
		APICreated      int     `json:"apiCreated"`
		BulkCreated     int     `json:"bulkCreated"`
		BulkPerSec      float64 `json:"bulkPerSec"`
		OpenSeconds     float64 `json:"openSeconds"`
		CreatePerSec    float64 `json:"createPerSec"`
		ListOnlySeconds float64 `json:"listOnlySeconds"`
		ListOnlyRSSMB   float64 `json:"listOnlyPeakRSSMB"`
		FullSeconds     float64 `json:"fullViewSeconds"`
		DBBytes         int64   `json:"dbBytes"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	if len(rows) != 2 || rows[0].Resources != 20 || rows[1].Resources != 50 || rows[1].Created != 30 {
		t.Fatalf("rows = %+v", rows)
	}
	for _, r := range rows {
		if r.APICreated != 10 || r.BulkCreated != r.Created-10 {
			t.Errorf("row loaded %d through the API and %d bulk, want 10 and %d", r.APICreated, r.BulkCreated, r.Created-10)
		}
		if r.CreatePerSec <= 0 || r.BulkPerSec <= 0 || r.OpenSeconds <= 0 || r.ListOnlySeconds <= 0 || r.ListOnlyRSSMB <= 0 || r.FullSeconds <= 0 || r.DBBytes <= 0 {
			t.Errorf("row not measured: %+v", r)
		}
	}
}
