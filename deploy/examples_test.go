package deploy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ccql/ccql/deploy"
)

// reGeneratedID matches the ids the emulator generates: user pools and
// app clients.
var reGeneratedID = regexp.MustCompile(`us-east-1_[0-9A-Za-z]{9}|\b[a-z0-9]{26}\b`)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/<name>, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", filepath.FromSlash(name))
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./deploy -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs (-update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// copyStack copies examples/deploy/<name> into a temp dir, applying the
// replacements to its manifest.
func copyStack(t *testing.T, name string, replace ...string) string {
	t.Helper()
	from := filepath.Join("..", "examples", "deploy", name)
	to := filepath.Join(t.TempDir(), name)
	err := filepath.Walk(from, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if rel == deploy.ManifestFile {
			s := string(b)
			for i := 0; i+1 < len(replace); i += 2 {
				if !strings.Contains(s, replace[i]) {
					t.Fatalf("%s: no %q to replace", name, replace[i])
				}
				s = strings.Replace(s, replace[i], replace[i+1], 1)
			}
			b = []byte(s)
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

// TestExamples runs every example stack (the stackql-deploy examples,
// translated to awscc: a Cognito user pool and web client, a
// machine-to-machine Cognito stack, a v2 log group with callbacks and
// return_vals, a multi resource) on the embedded emulator: plan, build,
// build again (nothing sent), plan, change one value, plan (the change
// named), test (the drift named), build (updated), test, plan of teardown,
// teardown (everything gone), teardown again. The plans are golden files.
func TestExamples(t *testing.T) {
	tests := []struct {
		name     string
		change   []string // manifest replacements
		vars     map[string]string
		drift    string   // in the failing test's error after the change
		updated  []string // resources the change updates
		leftover string   // a query that counts what the stack made
	}{
		{name: "cognito", change: []string{"dev: {value: 60}", "dev: {value: 45}"},
			drift: "AccessTokenValidity is 60, desired 45", updated: []string{"app_client"},
			leftover: "SELECT COUNT(*) FROM awscc.cognito.user_pools_list_only WHERE region = 'us-east-1'"},
		{name: "cognito-m2m", change: []string{"Read orders}", "Read all orders}"},
			drift: "resource resource_server: statecheck: test failed", updated: []string{"resource_server"},
			leftover: "SELECT COUNT(*) FROM awscc.cognito.user_pools_list_only WHERE region = 'us-east-1'"},
		{name: "log-group", vars: map[string]string{"RETENTION_DAYS": "30"},
			drift: "RetentionInDays is 7, desired 30", updated: []string{"app_log_group"},
			leftover: "SELECT COUNT(*) FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1'"},
		{name: "multi", vars: map[string]string{"RETENTION_DAYS": "30"},
			drift: "resource service_log_groups: statecheck: test failed", updated: []string{"service_log_groups"},
			leftover: "SELECT COUNT(*) FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCloud(t)
			orig, changed := copyStack(t, tt.name), copyStack(t, tt.name, tt.change...)
			var sl sleeps
			var progress bytes.Buffer
			cfg := func(vars map[string]string) deploy.Config {
				return deploy.Config{Env: "dev", Vars: vars, Sleep: sl.sleep, Progress: &progress}
			}
			load := func(dir string) *deploy.Stack {
				st, err := deploy.Load(dir)
				if err != nil {
					t.Fatal(err)
				}
				return st
			}
			before, after := load(orig), load(changed)
			plan := func(st *deploy.Stack, vars map[string]string, teardown bool, name string) *deploy.Result {
				t.Helper()
				c.reset()
				cf := cfg(vars)
				cf.Teardown = teardown
				res, err := st.Plan(t.Context(), c, cf)
				if err != nil {
					t.Fatalf("plan %s: %v", name, err)
				}
				if n := c.mutations(); n != 0 {
					t.Fatalf("plan %s sent %d mutations", name, n)
				}
				var b bytes.Buffer
				if err := res.WritePlan(&b); err != nil {
					t.Fatal(err)
				}
				golden(t, "plans/"+tt.name+"/"+name+".golden", b.String())
				return res
			}
			run := func(what string, fn func() (*deploy.Result, error)) *deploy.Result {
				t.Helper()
				c.reset()
				res, err := fn()
				if err != nil {
					t.Fatalf("%s: %v\n%s", what, err, progress.String())
				}
				return res
			}

			// Dry runs render every query, with what is not known yet as
			// <evaluated>, and send nothing.
			for _, cmd := range []string{"build", "teardown"} {
				var out bytes.Buffer
				cf := cfg(nil)
				cf.DryRun, cf.Out = true, &out
				fn := before.Build
				if cmd == "teardown" {
					fn = before.Teardown
				}
				if _, err := fn(t.Context(), nil, cf); err != nil {
					t.Fatalf("dry run of %s: %v", cmd, err)
				}
				if !strings.Contains(out.String(), "<evaluated>") && tt.name != "multi" {
					t.Errorf("dry run of %s shows no unknown value:\n%s", cmd, out.String())
				}
			}

			plan(before, nil, false, "1-create")
			res := run("build", func() (*deploy.Result, error) { return before.Build(t.Context(), c, cfg(nil)) })
			for _, rr := range res.Resources {
				if rr.Action != deploy.ActionCreated && rr.Action != deploy.ActionQueried {
					t.Errorf("build: %s %s", rr.Name, rr.Action)
				}
			}
			run("second build", func() (*deploy.Result, error) { return before.Build(t.Context(), c, cfg(nil)) })
			if n := c.mutations(); n != 0 {
				t.Errorf("second build sent %d mutations", n)
			}
			plan(before, nil, false, "2-no-change")

			res = plan(after, tt.vars, false, "3-update")
			doc, err := json.Marshal(res.Plan())
			if err != nil {
				t.Fatal(err)
			}
			// Generated ids differ from run to run.
			doc = reGeneratedID.ReplaceAll(doc, []byte("<id>"))
			golden(t, "plans/"+tt.name+"/3-update.json.golden", string(doc)+"\n")
			_, err = after.Test(t.Context(), c, cfg(tt.vars))
			if !errors.Is(err, deploy.ErrTestFailed) || !strings.Contains(err.Error(), tt.drift) {
				t.Errorf("test of the changed stack: %v, want ErrTestFailed naming %q", err, tt.drift)
			}
			res = run("build after the change", func() (*deploy.Result, error) { return after.Build(t.Context(), c, cfg(tt.vars)) })
			var updated []string
			for _, rr := range res.Resources {
				if rr.Action == deploy.ActionUpdated {
					updated = append(updated, rr.Name)
				}
			}
			if strings.Join(updated, ",") != strings.Join(tt.updated, ",") {
				t.Errorf("updated %v, want %v", updated, tt.updated)
			}
			run("test", func() (*deploy.Result, error) { return after.Test(t.Context(), c, cfg(tt.vars)) })

			plan(after, tt.vars, true, "4-teardown")
			run("teardown", func() (*deploy.Result, error) { return after.Teardown(t.Context(), c, cfg(tt.vars)) })
			if n := c.rows(t, tt.leftover)[0][0]; n != int64(0) {
				t.Errorf("teardown left %v (%s)", n, tt.leftover)
			}
			res = run("second teardown", func() (*deploy.Result, error) { return after.Teardown(t.Context(), c, cfg(tt.vars)) })
			for _, rr := range res.Resources {
				// A multi resource is deleted without asking exists.
				if rr.Action == deploy.ActionDeleted && rr.Type != deploy.TypeMulti {
					t.Errorf("second teardown deleted %s", rr.Name)
				}
			}
			if n := c.mutations(); n != 0 && tt.name != "multi" {
				t.Errorf("second teardown sent %d mutations", n)
			}
		})
	}
}
