package deploy_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/deploy"
	"github.com/ccql/ccql/internal/template"
)

const secret = "Sup3rS3cretValue"

type harness struct {
	t        *testing.T
	stack    *deploy.Stack
	fake     *fakeCloud
	out      bytes.Buffer // queries
	progress bytes.Buffer
	sleeps   sleeps
	vars     map[string]string
}

func newHarness(t *testing.T, files map[string]string) *harness {
	t.Helper()
	if files == nil {
		files = map[string]string{"stackql_manifest.yml": thingsManifest, "resources/thing.iql": thingsIQL}
	}
	st, err := deploy.Load(writeStack(t, files))
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, stack: st, fake: newFake(), vars: map[string]string{"THING_SECRET": secret}}
}

func (h *harness) cfg(env string) deploy.Config {
	return deploy.Config{Env: env, Vars: h.vars, Out: &h.out, Progress: &h.progress, Sleep: h.sleeps.sleep, ShowQueries: true}
}

func (h *harness) run(cmd, env string) (*deploy.Result, error) {
	h.t.Helper()
	h.fake.reset()
	ctx := context.Background()
	switch cmd {
	case "build":
		return h.stack.Build(ctx, h.fake, h.cfg(env))
	case "plan":
		return h.stack.Plan(ctx, h.fake, h.cfg(env))
	case "test":
		return h.stack.Test(ctx, h.fake, h.cfg(env))
	case "teardown":
		return h.stack.Teardown(ctx, h.fake, h.cfg(env))
	}
	h.t.Fatalf("no command %s", cmd)
	return nil, nil
}

func actions(r *deploy.Result) string {
	var s []string
	for _, rr := range r.Resources {
		s = append(s, rr.Name+"="+string(rr.Action))
	}
	return strings.Join(s, " ")
}

func TestStack_lifecycle(t *testing.T) {
	h := newHarness(t, nil)
	mustAction := func(cmd, want string) *deploy.Result {
		t.Helper()
		res, err := h.run(cmd, "dev")
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		if got := actions(res); got != want {
			t.Fatalf("%s: actions %q, want %q", cmd, got, want)
		}
		return res
	}

	res := mustAction("plan", "thing=would create")
	if n := len(h.fake.things); n != 0 {
		t.Fatalf("plan created %d things", n)
	}
	if !strings.Contains(res.Resources[0].Statement, "INSERT INTO things") {
		t.Errorf("plan statement = %q", res.Resources[0].Statement)
	}

	res = mustAction("build", "thing=created")
	if got := res.Exports["thing_id"]; got != "id-1" {
		t.Errorf("export thing_id = %v", got)
	}
	if res.Exports["stack_name"] != "things" || res.Exports["stack_env"] != "dev" || res.Exports["elapsed_time"] == nil {
		t.Errorf("stack exports = %v", res.Exports)
	}

	mustAction("build", "thing=unchanged")
	if n := h.fake.count("INSERT") + h.fake.count("UPDATE") + h.fake.count("DELETE"); n != 0 {
		t.Errorf("second build sent %d mutations", n)
	}

	h.vars["SIZE"] = "5"
	res = mustAction("plan", "thing=would update")
	wantPatch := `[{"op": "add", "path": "/Size", "value": 5}, {"op": "add", "path": "/Name", "value": "things-dev"}]`
	if got := res.Resources[0].Patch; got != wantPatch {
		t.Errorf("plan patch = %s\nwant %s", got, wantPatch)
	}
	if h.fake.things["id-1"].Size != 1 {
		t.Fatal("plan changed the thing")
	}
	mustAction("build", "thing=updated")
	if len(h.fake.patches) != 1 || h.fake.patches[0] != wantPatch {
		t.Errorf("patches sent = %q, want one %s", h.fake.patches, wantPatch)
	}
	mustAction("test", "thing=passed")

	mustAction("teardown", "thing=deleted")
	if len(h.fake.things) != 0 {
		t.Errorf("teardown left %v", h.fake.things)
	}
	mustAction("teardown", "thing=not found")
	if _, err := h.run("test", "dev"); !errors.Is(err, deploy.ErrTestFailed) {
		t.Errorf("test after teardown: %v, want ErrTestFailed", err)
	}
}

func TestStack_Build_failures(t *testing.T) {
	tests := []struct {
		name    string
		env     string
		setup   func(h *harness)
		files   map[string]string
		wantErr error
		wantMsg string
		check   func(t *testing.T, h *harness)
	}{
		{
			name: "template error names file, line and variable",
			files: map[string]string{
				"stackql_manifest.yml": thingsManifest,
				"resources/thing.iql":  strings.Replace(thingsIQL, "name = '{{ thing_name }}'", "name = '{{ thing_nmae }}'", 1),
			},
			wantErr: ccql.ErrTemplate, wantMsg: `resources/thing.iql:2: undefined "thing_nmae"`,
			check: func(t *testing.T, h *harness) {
				if len(h.fake.stmts) != 0 {
					t.Errorf("ran %q after a template error", h.fake.stmts)
				}
			},
		},
		{
			name:    "exports returning two rows",
			setup:   func(h *harness) { h.fake.dupExports = true },
			wantErr: deploy.ErrExports, wantMsg: "returned 2 rows",
		},
		{
			name: "service error in exists is not 'missing'",
			setup: func(h *harness) {
				h.fake.errOn["SELECT id FROM things WHERE name"] = &ccql.ServiceError{Operation: "ListResources", Code: "AccessDeniedException", Message: "no"}
			},
			wantMsg: "AccessDeniedException",
			check: func(t *testing.T, h *harness) {
				if h.fake.count("INSERT") != 0 {
					t.Error("create ran after exists failed")
				}
			},
		},
		{
			name:    "statecheck never true within retries",
			setup:   func(h *harness) { h.fake.staleState = 100 },
			wantErr: deploy.ErrNotDesired, wantMsg: "after 3 attempt(s)",
			check: func(t *testing.T, h *harness) {
				if got := h.fake.count("SELECT COUNT"); got != 3 {
					t.Errorf("statecheck ran %d times, want 3 (retries=3 is attempts)", got)
				}
				if len(h.sleeps.d) != 2 || h.sleeps.d[0] != 7*time.Second {
					t.Errorf("slept %v, want 2×7s", h.sleeps.d)
				}
			},
		},
		{
			name:    "FAILED request is an error",
			setup:   func(h *harness) { h.fake.failCreate = true },
			wantErr: deploy.ErrRequestFailed, wantMsg: "FAILED InvalidRequest: size is silly",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.files)
			if tt.setup != nil {
				tt.setup(h)
			}
			env := tt.env
			if env == "" {
				env = "dev"
			}
			_, err := h.stack.Build(context.Background(), h.fake, h.cfg(env))
			if err == nil {
				t.Fatal("build succeeded")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want it to contain %q", err, tt.wantMsg)
			}
			var de *deploy.Error
			if !errors.As(err, &de) || de.Resource != "thing" {
				t.Errorf("err is not a *deploy.Error about thing: %#v", err)
			}
			if strings.Contains(err.Error(), "{{") {
				t.Errorf("error holds raw template text: %v", err)
			}
			if !strings.Contains(h.progress.String(), "✗ thing") {
				t.Errorf("progress has no failure line: %q", h.progress.String())
			}
			if tt.check != nil {
				tt.check(t, h)
			}
		})
	}
}

func TestStack_secretsMasked(t *testing.T) {
	h := newHarness(t, nil)
	if _, err := h.run("build", "dev"); err != nil {
		t.Fatal(err)
	}
	h.fake.errOn["SELECT id, secret"] = errors.New("exports failed for " + secret)
	_, err := h.run("build", "dev")
	if err == nil {
		t.Fatal("want an error")
	}
	for what, text := range map[string]string{"queries": h.out.String(), "progress": h.progress.String(), "error": err.Error()} {
		if strings.Contains(text, secret) {
			t.Errorf("%s shows the secret:\n%s", what, text)
		}
	}
	if !strings.Contains(h.out.String(), deploy.Masked) {
		t.Errorf("queries do not show the mask:\n%s", h.out.String())
	}
}

func TestStack_Build_dryRun(t *testing.T) {
	h := newHarness(t, nil)
	cfg := h.cfg("prd")
	cfg.DryRun = true
	res, err := h.stack.Build(context.Background(), nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if actions(res) != "thing=rendered" {
		t.Errorf("actions = %s", actions(res))
	}
	out := h.out.String()
	for _, want := range []string{
		"-- thing: exists\nSELECT id FROM things WHERE name = 'things-prd';",
		"VALUES ('things-prd', 3, '" + deploy.Masked + "')",
		"WHERE id = '<evaluated>'",
		`string('[{"op": "add", "path": "/Size", "value": 3}`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, secret) {
		t.Error("dry run shows the secret")
	}
}

func TestStack_Teardown_dependsOnMissing(t *testing.T) {
	child := `/*+ exists */
SELECT id FROM things WHERE name = '{{ thing_id }}-child'
/*+ create */
INSERT INTO things (name, size, secret) VALUES ('{{ thing_id }}-child', 1, 'x')
/*+ delete */
DELETE FROM things WHERE id = '{{ this.id }}'
`
	manifest := thingsManifest[:strings.Index(thingsManifest, "exports:\n  - thing_id\n")] + `  - name: child
    props: []
`
	h := newHarness(t, map[string]string{"stackql_manifest.yml": manifest, "resources/thing.iql": thingsIQL, "resources/child.iql": child})
	res, err := h.run("build", "dev")
	if err != nil || actions(res) != "thing=created child=created" {
		t.Fatalf("build: %v %v", actions(res), err)
	}
	delete(h.fake.things, "id-1") // the parent vanished behind our back
	res, err = h.run("teardown", "dev")
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(res); got != "thing=not found child=not found" {
		t.Errorf("actions = %s", got)
	}
	if !strings.Contains(res.Resources[1].Note, "thing_id of thing") {
		t.Errorf("note = %q", res.Resources[1].Note)
	}
}

func TestStack_ifAndMerge(t *testing.T) {
	manifest := `name: m
resources:
  - name: thing
    if: "stack_env == 'prd' or '{{ FORCE | default('') }}' == 'yes'"
    props:
      - name: base
        value: [a, b]
      - name: thing_name
        value: x
      - name: size
        value: 1
        merge: []
      - name: tags
        value: {Env: "{{ stack_env }}"}
        merge: [extra_tags]
      - name: flows
        value: [b, c]
        merge: [base]
`
	iql := `/*+ exists */
SELECT id FROM things WHERE name = '{{ tags }}{{ flows }}'
/*+ create */
INSERT INTO things (name, size, secret) VALUES ('{{ tags }}{{ flows }}', 1, 's')
`
	h := newHarness(t, map[string]string{"stackql_manifest.yml": manifest, "resources/thing.iql": iql})
	h.vars["extra_tags"] = `{"Team": "auth"}`
	res, err := h.run("build", "dev")
	if err != nil || actions(res) != "thing=skipped" {
		t.Fatalf("dev: %s %v", actions(res), err)
	}
	h.vars["FORCE"] = "yes"
	if _, err = h.run("build", "dev"); err != nil {
		t.Fatal(err)
	}
	want := `SELECT id FROM things WHERE name = '{"Env":"dev","Team":"auth"}["b","c","a"]'`
	if got := h.fake.stmts[0]; got != want {
		t.Errorf("exists = %s\nwant     %s", got, want)
	}
}

func TestResultValuesNormalised(t *testing.T) {
	// Exports keep JSON values as values: a list export prints as JSON.
	if got := template.Normalize(ccql.JSON(`["a","b"]`)); template.List(got.(template.List)).String() != `["a","b"]` {
		t.Errorf("got %v", got)
	}
}

func TestStack_Teardown_dryRunDeletesInReverse(t *testing.T) {
	child := "/*+ exists */\nSELECT id FROM things WHERE name = '{{ thing_id }}-child'\n/*+ create */\nINSERT INTO things (name, size, secret) VALUES ('c', 1, 'x')\n/*+ delete */\nDELETE FROM things WHERE id = 'child-{{ this.id }}'\n"
	manifest := thingsManifest[:strings.Index(thingsManifest, "exports:\n  - thing_id\n")] + "  - name: child\n"
	h := newHarness(t, map[string]string{"stackql_manifest.yml": manifest, "resources/thing.iql": thingsIQL, "resources/child.iql": child})
	cfg := h.cfg("dev")
	cfg.DryRun = true
	if _, err := h.stack.Teardown(context.Background(), nil, cfg); err != nil {
		t.Fatal(err)
	}
	out := h.out.String()
	c, p := strings.Index(out, "-- child: delete"), strings.Index(out, "-- thing: delete")
	if c < 0 || p < 0 || c > p {
		t.Errorf("deletes not printed child first:\n%s", out)
	}
	if len(h.fake.stmts) != 0 {
		t.Errorf("dry run ran %q", h.fake.stmts)
	}
}

// TestStack_inlineQueryResource: a query resource whose statement is inline
// (sql:) rather than in a file, with exports.
func TestStack_inlineQueryResource(t *testing.T) {
	manifest := `name: m
resources:
  - name: thing
    props:
      - name: thing_name
        value: x
      - name: size
        value: 1
    exports:
      - id: thing_id
  - name: lookup
    type: query
    sql: "SELECT id, secret FROM things WHERE id = '{{ thing_id }}'"
    exports:
      - id: looked_up
exports:
  - looked_up
`
	h := newHarness(t, map[string]string{"stackql_manifest.yml": manifest, "resources/thing.iql": thingsIQL})
	res, err := h.run("build", "dev")
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if got := res.Exports["looked_up"]; got == nil || got == "" {
		t.Errorf("exports = %v, want looked_up set from the inline query", res.Exports)
	}
}

// withoutAnchors removes the sections of thingsIQL (blank-line separated)
// that start with the given anchors.
func withoutAnchors(anchors ...string) string {
	var keep []string
	for _, sec := range strings.Split(thingsIQL, "\n\n") {
		drop := false
		for _, a := range anchors {
			if strings.HasPrefix(sec, "/*+ "+a+" ") || strings.HasPrefix(sec, "/*+ "+a+",") {
				drop = true
			}
		}
		if !drop {
			keep = append(keep, sec)
		}
	}
	return strings.Join(keep, "\n\n")
}

// TestStack_anchorsPerCommand checks that each command asks for the
// anchors it uses, before running any query: build and plan need create
// (or createorupdate), test and teardown a query that finds the resource,
// and a test never asks for create.
func TestStack_anchorsPerCommand(t *testing.T) {
	const bareManifest = "name: things\nresources:\n  - name: thing\n    props:\n      - {name: thing_name, value: things-dev}\n      - {name: size, value: 1}\n"
	type step struct {
		cmd     string
		wantErr string // "" for success
	}
	tests := []struct {
		name  string
		files map[string]string
		steps []step
	}{
		{"no create", map[string]string{"stackql_manifest.yml": thingsManifest, "resources/thing.iql": withoutAnchors("create")}, []step{
			{"build", "resource thing: missing anchor: resources/thing.iql has no create (or createorupdate) anchor, which build needs"},
			{"plan", "which plan needs"},
			{"test", ""},
			{"teardown", ""},
		}},
		{"no exists, statecheck or exports", map[string]string{"stackql_manifest.yml": bareManifest, "resources/thing.iql": withoutAnchors("exists", "statecheck", "exports", "update")}, []step{
			{"build", "has no exists, statecheck or exports anchor (or createorupdate), which build needs"},
			{"test", "has no exists, statecheck or exports anchor, which test needs"},
			{"teardown", "which teardown needs"},
		}},
		{"createorupdate alone builds, cannot be tested", map[string]string{"stackql_manifest.yml": bareManifest,
			"resources/thing.iql": "/*+ createorupdate */\nINSERT INTO things (name, size, secret) VALUES ('{{ thing_name }}', {{ size }}, 'x')\n"}, []step{
			{"build", ""},
			{"test", "which test needs"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.files)
			h.fake.things["id-1"] = &thing{ID: "id-1", Name: "things-dev", Size: 1, Secret: secret}
			for _, s := range tt.steps {
				_, err := h.run(s.cmd, "dev")
				switch {
				case s.wantErr == "" && err != nil:
					t.Errorf("%s: %v", s.cmd, err)
				case s.wantErr == "":
				case err == nil:
					t.Errorf("%s succeeded, want an error containing %q", s.cmd, s.wantErr)
				default:
					if !errors.Is(err, deploy.ErrMissingAnchor) || !strings.Contains(err.Error(), s.wantErr) {
						t.Errorf("%s: err = %v, want ErrMissingAnchor containing %q", s.cmd, err, s.wantErr)
					}
					if len(h.fake.stmts) != 0 {
						t.Errorf("%s ran %q before refusing", s.cmd, h.fake.stmts)
					}
				}
			}
		})
	}
}

// twoThingsManifest has a second resource, on the same query file, whose
// size is given for prd only; {{ .If }} is its if.
const twoThingsManifest = `name: things
resources:
  - name: thing
    props:
      - name: thing_name
        value: "{{ stack_name }}-{{ stack_env }}"
      - name: size
        values:
          dev: {value: 1}
          prd: {value: 3}
    exports:
      - id: thing_id
  - name: second
    file: thing.iql
    IF
    props:
      - name: thing_name
        value: other
      - name: size
        values:
          prd: {value: 2}
`

// TestStack_preflight checks that what can be checked before any query
// (props' values for the environment, template syntax) is, for every
// resource, so that a mistake in a later resource never leaves earlier
// ones created; and that every problem is named at once.
func TestStack_preflight(t *testing.T) {
	manifest := func(ifLine string) string { return strings.Replace(twoThingsManifest, "IF", ifLine, 1) }
	tests := []struct {
		name      string
		files     map[string]string
		cmd, env  string
		wantErr   error
		wantMsg   []string // all in the error; nil: the command succeeds
		wantCalls bool     // queries ran (before a run-time failure)
	}{
		{
			name:  "a later resource's missing value stops the build before the first create",
			files: map[string]string{"stackql_manifest.yml": manifest(""), "resources/thing.iql": thingsIQL},
			cmd:   "build", env: "dev",
			wantErr: deploy.ErrMissingValue,
			wantMsg: []string{`resource second: missing value: prop size has no value for environment "dev" (it has [prd])`},
		},
		{
			name:  "every missing value is named, in test too",
			files: map[string]string{"stackql_manifest.yml": manifest(""), "resources/thing.iql": thingsIQL},
			cmd:   "test", env: "stg",
			wantErr: deploy.ErrMissingValue,
			wantMsg: []string{"stack things: 2 problems, nothing was run:\n",
				`resource thing: missing value: prop size has no value for environment "stg" (it has [dev prd])`,
				`resource second: missing value: prop size has no value for environment "stg" (it has [prd])`},
		},
		{
			name:  "a resource whose if is false needs no value",
			files: map[string]string{"stackql_manifest.yml": manifest("if: stack_env == 'prd'"), "resources/thing.iql": thingsIQL},
			cmd:   "build", env: "dev", wantCalls: true,
		},
		{
			name: "an if on a prop is decided before any query",
			files: map[string]string{"stackql_manifest.yml": strings.Replace(manifest("if: wanted == 'yes'"), "props:\n      - name: thing_name\n        value: other",
				"props:\n      - {name: wanted, values: {dev: {value: 'yes'}, prd: {value: 'yes'}}}\n      - name: thing_name\n        value: other", 1),
				"resources/thing.iql": thingsIQL},
			cmd: "build", env: "dev",
			wantErr: deploy.ErrMissingValue,
			wantMsg: []string{`resource second: missing value: prop size has no value for environment "dev" (it has [prd])`},
		},
		{
			name:  "an if that needs an export is decided, and the value missed, only when reached",
			files: map[string]string{"stackql_manifest.yml": manifest("if: thing_id != ''"), "resources/thing.iql": thingsIQL},
			cmd:   "build", env: "dev", wantCalls: true,
			wantErr: deploy.ErrMissingValue,
			wantMsg: []string{`resource second: missing value: prop size has no value for environment "dev"`},
		},
		{
			name: "a template syntax error names file and line",
			files: map[string]string{"stackql_manifest.yml": thingsManifest,
				"resources/thing.iql": strings.Replace(thingsIQL, "name = '{{ thing_name }}'", "name = '{{ thing_name '", 1)},
			cmd: "build", env: "dev",
			wantErr: ccql.ErrTemplate,
			wantMsg: []string{`resource thing: exists: resources/thing.iql:2: syntax error: unterminated string`},
		},
		{
			name: "syntax errors in any anchor, prop or if, and missing values, all at once",
			files: map[string]string{
				"stackql_manifest.yml": strings.Replace(manifest("if: stack_env == 'dev' and"), "value: other", "value: \"{{ x | }}\"", 1),
				"resources/thing.iql":  strings.Replace(thingsIQL, "AND size = {{ size }}", "AND size = {{ size '", 1),
			},
			cmd: "build", env: "dev",
			wantErr: ccql.ErrTemplate,
			// The if does not parse, so whether second needs a size in dev
			// is not known: no missing value is reported for it.
			wantMsg: []string{"4 problems, nothing was run",
				`resource thing: statecheck: resources/thing.iql:9: syntax error: unterminated string`,
				`resource second: statecheck: resources/thing.iql:9: syntax error: unterminated string`,
				`resource second: stackql_manifest.yml resources.second.props.thing_name:1: syntax error: filter name must be an identifier`,
				`resource second: stackql_manifest.yml resources.second.if: syntax error:`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.files)
			_, err := h.run(tt.cmd, tt.env)
			if tt.wantMsg == nil {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				if err == nil {
					t.Fatal("no error")
				}
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("err = %v, want %v", err, tt.wantErr)
				}
				for _, m := range tt.wantMsg {
					if !strings.Contains(err.Error(), m) {
						t.Errorf("err = %q\nwant it to contain %q", err, m)
					}
				}
			}
			if ran := len(h.fake.stmts) > 0; ran != tt.wantCalls {
				t.Errorf("queries ran: %v, want %v (%q)", ran, tt.wantCalls, h.fake.stmts)
			}
		})
	}
}
