package deploy_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccql/ccql/deploy"
	"github.com/google/go-cmp/cmp"
)

func TestParseManifest(t *testing.T) {
	m, err := deploy.ParseManifest([]byte(`
version: 1
name: s
providers: [awscc]
globals:
  - {name: region, value: us-east-1, description: where}
resources:
  - name: a
    props:
      - {name: x, value: null}
      - name: y
        values: {dev: {value: [1, 2]}}
    exports:
      - plain
      - {column_name: renamed}
    protected: [renamed]
  - name: q
    type: query
    sql: SELECT 1 AS one
    exports: [one]
  - name: m
    type: multi
    return_vals:
      create:
        - Identifier: identifier
        - RequestToken
exports: [plain]
`), "dir")
	if err != nil {
		t.Fatal(err)
	}
	a := m.Resources[0]
	if a.Type != deploy.TypeResource || !a.Props[0].HasValue || a.Props[0].Value != nil || a.Props[1].HasValue {
		t.Errorf("props = %+v", a.Props)
	}
	if diff := cmp.Diff([]deploy.Export{{Column: "plain", As: "plain"}, {Column: "column_name", As: "renamed"}}, a.Exports); diff != "" {
		t.Errorf("exports (-want +got):\n%s", diff)
	}
	rv := m.Resources[2]
	if diff := cmp.Diff(map[string][]deploy.Export{"create": {{Column: "Identifier", As: "identifier"}, {Column: "RequestToken", As: "RequestToken"}}}, rv.ReturnVals); diff != "" || rv.Type != deploy.TypeMulti {
		t.Errorf("multi resource %s, return_vals (-want +got):\n%s", rv.Type, diff)
	}
	m2, err := deploy.ParseManifest([]byte("resources: []\n"), "from-dir")
	if err != nil || m2.Name != "from-dir" || m2.Version != 1 {
		t.Errorf("defaults: %+v %v", m2, err)
	}
}

func TestParseManifest_errors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"empty", "", "manifest is empty"},
		{"unknown top-level key", "name: s\nresorces: []\n", "field resorces not found"},
		{"unknown resource key", "resources:\n  - name: a\n    prop: []\n", "field prop not found"},
		{"unknown prop key", "resources:\n  - name: a\n    props:\n      - {name: x, valeu: 1}\n", "field valeu not found"},
		{"value and values", "resources:\n  - name: a\n    props:\n      - {name: x, value: 1, values: {dev: {value: 2}}}\n", "exactly one of value and values"},
		{"no value", "resources:\n  - name: a\n    props:\n      - {name: x}\n", "exactly one of value and values"},
		{"bad type", "resources:\n  - {name: a, type: multiple}\n", `type "multiple"`},
		{"bad return_vals op", "resources:\n  - name: a\n    return_vals: {build: [Identifier]}\n", "return_vals.build: want create, update or delete"},
		{"return_vals on a query", "resources:\n  - name: a\n    type: query\n    return_vals: {create: [Identifier]}\n", "return_vals are for resource and multi resources"},
		{"duplicate", "resources:\n  - {name: a}\n  - {name: a}\n", "duplicate resource name"},
		{"no name", "resources:\n  - {type: query}\n", "name is required"},
		{"bad export", "resources:\n  - name: a\n    exports: [{a: b, c: d}]\n", "one-key map"},
		{"protected not exported", "resources:\n  - {name: a, exports: [x], protected: [y]}\n", `protected "y"`},
		{"bad prop name", "resources:\n  - name: a\n    props: [{name: a-b, value: 1}]\n", "not a valid variable name"},
		{"script without run", "resources:\n  - {name: a, type: script}\n", "needs run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := deploy.ParseManifest([]byte(tt.yaml), "s")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseQueries(t *testing.T) {
	f, err := deploy.ParseQueries("r.iql", `-- header ignored
/*+ preflight */
SELECT 1 AS count
  /*+ postdeploy, retries=4, retry_delay=2, postdelete_retries=3, postdelete_retry_delay=1 */
SELECT 2
/*+ DELETE */
DELETE FROM x
`)
	if err != nil {
		t.Fatal(err)
	}
	ex, st, del := f.Get(deploy.AnchorExists), f.Get(deploy.AnchorStatecheck), f.Get(deploy.AnchorDelete)
	if ex == nil || st == nil || del == nil {
		t.Fatalf("queries = %v", f.Queries)
	}
	if ex.Line != 2 || strings.TrimSpace(ex.Text) != "SELECT 1 AS count" || ex.Options.Retries != 1 || ex.Options.RetryDelay != 5*time.Second {
		t.Errorf("exists = %+v", ex)
	}
	want := deploy.Options{Retries: 4, RetryDelay: 2 * time.Second, PostDeleteRetries: 3, PostDeleteRetryDelay: time.Second}
	if st.Options != want {
		t.Errorf("statecheck options = %+v, want %+v", st.Options, want)
	}
	if del.Options.PostDeleteRetries != deploy.DefaultPostDeleteRetries {
		t.Errorf("delete options = %+v", del.Options)
	}
}

// TestParseQueries_v2 checks stackql-deploy v2's anchor grammar: leading
// white space, qualified callback and troubleshoot anchors, string
// options (bare or quoted), and callback's own retry defaults.
func TestParseQueries_v2(t *testing.T) {
	f, err := deploy.ParseQueries("r.iql", `
    /*+ Callback:Create, retries=10, retry_delay=15, short_circuit_field=ProgressEvent.OperationStatus, short_circuit_value='SUCCESS' */
SELECT 1 AS success
	/*+ callback */
SELECT 2 AS success
/*+ troubleshoot:delete */
SELECT 3
/*+ troubleshoot */
SELECT 4
`)
	if err != nil {
		t.Fatal(err)
	}
	cc := f.Get("callback:create")
	want := deploy.Options{Retries: 10, RetryDelay: 15 * time.Second, PostDeleteRetries: 10, PostDeleteRetryDelay: 5 * time.Second,
		ShortCircuitField: "ProgressEvent.OperationStatus", ShortCircuitValue: "SUCCESS"}
	if cc == nil || cc.Options != want || cc.Line != 2 {
		t.Fatalf("callback:create = %+v, want options %+v", cc, want)
	}
	if cb := f.Get(deploy.AnchorCallback); cb == nil || cb.Options.Retries != deploy.DefaultCallbackRetries || cb.Options.RetryDelay != deploy.DefaultCallbackRetryDelay {
		t.Errorf("callback = %+v, want v2's defaults (3 re-polls, 5s)", cb)
	}
	for op, want := range map[string]string{"create": "SELECT 1 AS success", "update": "SELECT 2 AS success", "delete": "SELECT 2 AS success"} {
		if q := f.ForOp(deploy.AnchorCallback, op); q == nil || strings.TrimSpace(q.Text) != want {
			t.Errorf("ForOp(callback, %s) = %+v, want %q", op, q, want)
		}
	}
	if q := f.ForOp(deploy.AnchorTroubleshoot, "delete"); q == nil || strings.TrimSpace(q.Text) != "SELECT 3" {
		t.Errorf("troubleshoot:delete = %+v", q)
	}
	if q := f.ForOp(deploy.AnchorTroubleshoot, "create"); q == nil || strings.TrimSpace(q.Text) != "SELECT 4" {
		t.Errorf("troubleshoot for create = %+v", q)
	}
}

func TestParseQueries_errors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"unknown anchor", "/*+ callbacks */\nSELECT 1", `r.iql:1: unknown anchor "callbacks"`},
		{"operation on a plain anchor", "/*+ exists:create */\nSELECT 1", `only callback and troubleshoot take an operation`},
		{"unknown operation", "/*+ callback:build */\nSELECT 1", `operation "build": want create, update or delete`},
		{"short circuit alone", "/*+ callback, short_circuit_field=OperationStatus */\nSELECT 1", "go together"},
		{"short circuit off a callback", "/*+ exists, short_circuit_field=a, short_circuit_value=b */\nSELECT 1", "is a callback option"},
		{"duplicate", "/*+ exists */\nSELECT 1\n/*+ exists */\nSELECT 2", "r.iql:3: anchor exists appears twice"},
		{"empty", "/*+ exists */\n\n/*+ create */\nINSERT", "r.iql:1: anchor exists has no query"},
		{"bad option", "/*+ exists, retries=x */\nSELECT 1", "want a whole number"},
		{"unknown option", "/*+ exists, tries=2 */\nSELECT 1", `unknown anchor option "tries"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := deploy.ParseQueries("r.iql", tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestLoad_errors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no manifest", map[string]string{"x": ""}, "stackql_manifest.yml"},
		{"no iql", map[string]string{"stackql_manifest.yml": "resources: [{name: a}]"}, "resource a:"},
		{"command without its statement", map[string]string{"stackql_manifest.yml": "resources: [{name: a, type: command}]", "resources/a.iql": "/*+ exists */\nSELECT 1"},
			"a command resource needs a command anchor or sql"},
		{"exports without query", map[string]string{"stackql_manifest.yml": "resources: [{name: a, exports: [x]}]", "resources/a.iql": "/*+ exists */\nSELECT 1\n/*+ create */\nINSERT"},
			"no exports anchor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := deploy.Load(writeStack(t, tt.files))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	if err := deploy.Init(dir, "Auth_Stack"); err != nil {
		t.Fatal(err)
	}
	st, err := deploy.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Manifest.Name != "auth-stack" || len(st.Manifest.Resources) != 2 {
		t.Errorf("manifest = %+v", st.Manifest)
	}
	if err := deploy.Init(dir, "again"); err == nil {
		t.Error("init over a non-empty dir succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Error(err)
	}
	if err := deploy.Init(t.TempDir(), "a/b"); err == nil {
		t.Error("init accepted a name with a slash")
	}
}

func TestStack_requiresEnv(t *testing.T) {
	st, err := deploy.Load(writeStack(t, thingsFiles()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Build(t.Context(), newCloud(t), deploy.Config{})
	if err == nil || errors.Is(err, deploy.ErrNotDesired) {
		t.Errorf("err = %v", err)
	}
}

func FuzzParseManifest(f *testing.F) {
	for _, s := range []string{
		thingsManifest,
		"resources:\n  - name: a\n    exports: [{a: b}]\n",
		"resources: [{name: a, props: [{name: x, values: {dev: {value: [1, {a: b}]}}}]}]",
		"name: [1]\n", "- a\n- b\n", "resources:\n  - name: a\n    props:\n      - &x {name: y, value: *x}\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := deploy.ParseManifest([]byte(s), "s")
		if err == nil && (m == nil || m.Name == "") {
			t.Fatalf("no error but manifest %+v", m)
		}
	})
}

func FuzzParseQueries(f *testing.F) {
	for _, s := range []string{thingsIQL, "/*+ exists, retries=2 */\nSELECT 1", "/*+ callback:create, retries=0, short_circuit_field=ProgressEvent.OperationStatus, short_circuit_value='SUCCESS' */\nSELECT 1", "  /*+ */", "/*+ exists, a=b=c */\nx", "/*+ create */ */\nx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		qf, err := deploy.ParseQueries("f.iql", s)
		if err != nil {
			return
		}
		for a, q := range qf.Queries {
			if q.Anchor != a || q.Options.Retries < 0 || q.Line < 1 {
				t.Fatalf("query %s = %+v", a, q)
			}
		}
	})
}
