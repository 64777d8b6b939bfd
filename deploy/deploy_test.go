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

// thingsIQL manages one CloudWatch Logs log group on the emulator: found
// by name through the list, identified by this.name afterwards, its
// retention in the desired state, a secret in its tags.
const thingsIQL = `/*+ exists */
SELECT log_group_name AS name FROM awscc.logs.log_groups_list_only WHERE region = '{{ region }}' AND log_group_name = '{{ thing_name }}'

/*+ create */
INSERT INTO awscc.logs.log_groups (LogGroupName, RetentionInDays, Tags, region) SELECT '{{ thing_name }}', {{ size }}, '[{"Key":"secret","Value":"{{ THING_SECRET }}"}]', '{{ region }}'
RETURNING OperationStatus, ErrorCode, StatusMessage

/*+ statecheck, retries=3, retry_delay=7 */
SELECT COUNT(*) AS count FROM awscc.logs.log_groups WHERE region = '{{ region }}' AND Identifier = '{{ this.name }}' AND retention_in_days = {{ size }}

/*+ update */
UPDATE awscc.logs.log_groups SET PatchDocument = string('{{ {"RetentionInDays": size, "LogGroupClass": "STANDARD"} | generate_patch_document }}') WHERE region = '{{ region }}' AND Identifier = '{{ this.name }}'

/*+ exports */
SELECT arn, json_extract(tags, '$[0].Value') AS secret FROM awscc.logs.log_groups WHERE region = '{{ region }}' AND Identifier = '{{ this.name }}'

/*+ delete, retries=2 */
DELETE FROM awscc.logs.log_groups WHERE region = '{{ region }}' AND Identifier = '{{ this.name }}'
`

const thingsManifest = `version: 1
name: things
globals:
  - name: region
    value: "{{ REGION | default('us-east-1') }}"
resources:
  - name: thing
    props:
      - name: thing_name
        value: "{{ stack_name }}-{{ stack_env }}"
      - name: size
        values:
          dev: {value: "{{ SIZE | default(1) }}"}
          prd: {value: 3}
    exports:
      - arn: thing_id
      - secret: thing_secret
    protected: [thing_secret]
exports:
  - thing_id
  - thing_secret
`

func thingsFiles() map[string]string {
	return map[string]string{"stackql_manifest.yml": thingsManifest, "resources/thing.iql": thingsIQL}
}

type harness struct {
	t        *testing.T
	stack    *deploy.Stack
	cloud    *cloud
	out      bytes.Buffer // queries
	progress bytes.Buffer
	sleeps   sleeps
	vars     map[string]string
}

func newHarness(t *testing.T, files map[string]string) *harness {
	t.Helper()
	if files == nil {
		files = thingsFiles()
	}
	st, err := deploy.Load(writeStack(t, files))
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, stack: st, cloud: newCloud(t), vars: map[string]string{"THING_SECRET": secret}}
}

func (h *harness) cfg(env string) deploy.Config {
	return deploy.Config{Env: env, Vars: h.vars, Out: &h.out, Progress: &h.progress, Sleep: h.sleeps.sleep, ShowQueries: true}
}

func (h *harness) run(cmd, env string) (*deploy.Result, error) {
	h.t.Helper()
	h.cloud.reset()
	ctx := context.Background()
	switch cmd {
	case "build":
		return h.stack.Build(ctx, h.cloud, h.cfg(env))
	case "plan":
		return h.stack.Plan(ctx, h.cloud, h.cfg(env))
	case "plan-teardown":
		cfg := h.cfg(env)
		cfg.Teardown = true
		return h.stack.Plan(ctx, h.cloud, cfg)
	case "test":
		return h.stack.Test(ctx, h.cloud, h.cfg(env))
	case "teardown":
		return h.stack.Teardown(ctx, h.cloud, h.cfg(env))
	}
	h.t.Fatalf("no command %s", cmd)
	return nil, nil
}

// step runs a command that must succeed with the given actions.
func (h *harness) step(cmd, want string) *deploy.Result {
	h.t.Helper()
	res, err := h.run(cmd, "dev")
	if err != nil {
		h.t.Fatalf("%s: %v", cmd, err)
	}
	if got := actions(res); got != want {
		h.t.Fatalf("%s: actions %q, want %q", cmd, got, want)
	}
	return res
}

func actions(r *deploy.Result) string {
	var s []string
	for _, rr := range r.Resources {
		s = append(s, rr.Name+"="+string(rr.Action))
	}
	return strings.Join(s, " ")
}

func retention(t *testing.T, c *cloud, name string) int64 {
	t.Helper()
	rows := c.rows(t, "SELECT retention_in_days FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = '"+name+"'")
	if len(rows) != 1 {
		t.Fatalf("log group %s: %d rows", name, len(rows))
	}
	return rows[0][0].(int64)
}

func TestStack_lifecycle(t *testing.T) {
	h := newHarness(t, nil)

	res := h.step("plan", "thing=create")
	if n := len(h.cloud.logGroups(t)); n != 0 || h.cloud.mutations() != 0 {
		t.Fatalf("plan created %d log groups", n)
	}
	if !strings.Contains(res.Resources[0].Statement, "INSERT INTO awscc.logs.log_groups") {
		t.Errorf("plan statement = %q", res.Resources[0].Statement)
	}

	res = h.step("build", "thing=created")
	if got, _ := res.Exports["thing_id"].(string); got != "arn:aws:logs:us-east-1:000000000000:log-group:things-dev:*" {
		t.Errorf("export thing_id = %v", got)
	}
	if res.Exports["thing_secret"] != secret || res.Exports["stack_name"] != "things" || res.Exports["stack_env"] != "dev" || res.Exports["elapsed_time"] == nil {
		t.Errorf("stack exports = %v", res.Exports)
	}

	h.step("build", "thing=unchanged")
	if n := h.cloud.mutations(); n != 0 {
		t.Errorf("second build sent %d mutations", n)
	}
	h.step("plan", "thing=no change")

	h.vars["SIZE"] = "5"
	res = h.step("plan", "thing=update")
	wantPatch := `[{"op": "add", "path": "/RetentionInDays", "value": 5}, {"op": "add", "path": "/LogGroupClass", "value": "STANDARD"}]`
	if got := res.Resources[0].Patch; got != wantPatch {
		t.Errorf("plan patch = %s\nwant %s", got, wantPatch)
	}
	// The plan names what changes, and only that (the class is already
	// STANDARD).
	if got := res.Resources[0].Changes; len(got) != 1 || got[0].String() != "RetentionInDays: 1 → 5" {
		t.Errorf("plan changes = %v, want [RetentionInDays: 1 → 5]", got)
	}
	if retention(t, h.cloud, "things-dev") != 1 {
		t.Fatal("plan changed the log group")
	}
	// The drifted stack fails its test, naming the property and both values.
	_, err := h.run("test", "dev")
	if !errors.Is(err, deploy.ErrTestFailed) || !strings.Contains(err.Error(), "RetentionInDays is 1, desired 5") {
		t.Errorf("test of the drifted stack: %v", err)
	}
	h.step("build", "thing=updated")
	if got := h.cloud.count("UPDATE awscc.logs.log_groups SET PatchDocument = string('" + wantPatch + "')"); got != 1 {
		t.Errorf("updates sent: %d, want one with %s", got, wantPatch)
	}
	if retention(t, h.cloud, "things-dev") != 5 {
		t.Error("build did not update the retention")
	}
	h.step("test", "thing=passed")

	h.step("plan-teardown", "thing=delete")
	h.step("teardown", "thing=deleted")
	if got := h.cloud.logGroups(t); len(got) != 0 {
		t.Errorf("teardown left %v", got)
	}
	h.step("teardown", "thing=not found")
	h.step("plan-teardown", "thing=no change")
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
			name: "template error names file, line, variable and where it would come from",
			files: map[string]string{
				"stackql_manifest.yml": thingsManifest,
				"resources/thing.iql":  strings.Replace(thingsIQL, "log_group_name = '{{ thing_name }}'", "log_group_name = '{{ thing_nmae }}'", 1),
			},
			wantErr: ccql.ErrTemplate, wantMsg: `resources/thing.iql:2: undefined "thing_nmae" (thing_nmae is not an environment variable (.env or -e), a global, a prop of thing, or an export of any resource)`,
			check: func(t *testing.T, h *harness) {
				if len(h.cloud.stmts) != 0 {
					t.Errorf("ran %q after a template error", h.cloud.stmts)
				}
			},
		},
		{
			name: "an export of a later resource is named as such",
			files: map[string]string{
				"stackql_manifest.yml": thingsManifest[:strings.Index(thingsManifest, "exports:\n  - thing_id\n")] + "  - name: later\n    type: query\n    sql: SELECT 'x' AS later_name\n    exports: [later_name]\n",
				"resources/thing.iql":  strings.Replace(thingsIQL, "log_group_name = '{{ thing_name }}'", "log_group_name = '{{ later_name }}'", 1),
			},
			wantErr: ccql.ErrTemplate, wantMsg: `resource thing: exists: resources/thing.iql:2: undefined "later_name" (later_name is exported by resource later, which comes after thing in the manifest)`,
		},
		{
			name: "exports returning two rows",
			files: map[string]string{"stackql_manifest.yml": thingsManifest, "resources/thing.iql": strings.Replace(thingsIQL,
				"SELECT arn, json_extract(tags, '$[0].Value') AS secret FROM awscc.logs.log_groups WHERE region = '{{ region }}' AND Identifier = '{{ this.name }}'",
				"SELECT log_group_name AS arn, 'x' AS secret FROM awscc.logs.log_groups_list_only WHERE region = '{{ region }}'", 1)},
			setup: func(h *harness) {
				h.cloud.rows(h.t, "INSERT INTO awscc.logs.log_groups (LogGroupName, region) SELECT 'other', 'us-east-1'")
			},
			wantErr: deploy.ErrExports, wantMsg: "returned 2 rows",
		},
		{
			name: "service error in exists is not 'missing'",
			setup: func(h *harness) {
				h.cloud.errOn["log_groups_list_only"] = &ccql.ServiceError{Operation: "ListResources", Code: "AccessDeniedException", Message: "no"}
			},
			wantMsg: "AccessDeniedException",
			check: func(t *testing.T, h *harness) {
				if h.cloud.count("INSERT") != 0 {
					t.Error("create ran after exists failed")
				}
			},
		},
		{
			name: "statecheck never true within retries",
			files: map[string]string{"stackql_manifest.yml": thingsManifest,
				"resources/thing.iql": strings.Replace(thingsIQL, "AND retention_in_days = {{ size }}", "AND retention_in_days = {{ size }} + 1", 1)},
			wantErr: deploy.ErrNotDesired, wantMsg: "after 3 attempt(s)",
			check: func(t *testing.T, h *harness) {
				if got := h.cloud.count("SELECT COUNT"); got != 3 {
					t.Errorf("statecheck ran %d times, want 3 (retries=3 is attempts)", got)
				}
				if d := h.sleeps.get(); len(d) != 2 || d[0] != 7*time.Second {
					t.Errorf("slept %v, want 2×7s", d)
				}
			},
		},
		{
			name: "a rejected create is an error",
			files: map[string]string{"stackql_manifest.yml": thingsManifest,
				"resources/thing.iql": strings.Replace(thingsIQL, "'{{ thing_name }}', {{ size }},", "'{{ thing_name }}', 8,", 1)},
			wantMsg: "ValidationException",
		},
		{
			name: "a FAILED request is an error (engine not failing on FAILED)",
			setup: func(h *harness) {
				h.cloud = openCloud(h.t, ccql.Config{DataDir: h.t.TempDir(), Wait: true})
				// The name is taken, but not by a resource exists finds:
				// the list filter is on another region.
				h.cloud.rows(h.t, "INSERT INTO awscc.logs.log_groups (LogGroupName, region) SELECT 'things-dev', 'us-east-1'")
				h.vars["REGION"] = "us-east-1"
				h.cloud.errOn["log_groups_list_only"] = nil
			},
			files: map[string]string{"stackql_manifest.yml": thingsManifest,
				"resources/thing.iql": strings.Replace(thingsIQL, "log_group_name = '{{ thing_name }}'", "log_group_name = '{{ thing_name }}-absent'", 1)},
			wantErr: deploy.ErrRequestFailed, wantMsg: "FAILED AlreadyExists: Resource of type 'AWS::Logs::LogGroup' with identifier 'things-dev' already exists.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.files)
			if tt.setup != nil {
				tt.setup(h)
			}
			h.cloud.reset()
			env := tt.env
			if env == "" {
				env = "dev"
			}
			_, err := h.stack.Build(context.Background(), h.cloud, h.cfg(env))
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
	h.cloud.errOn["json_extract(tags"] = errors.New("exports failed for " + secret)
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
		"-- thing: exists\nSELECT log_group_name AS name FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1' AND log_group_name = 'things-prd';",
		`SELECT 'things-prd', 3, '[{"Key":"secret","Value":"` + deploy.Masked + `"}]'`,
		"Identifier = '<evaluated>'",
		`string('[{"op": "add", "path": "/RetentionInDays", "value": 3}`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, secret) {
		t.Error("dry run shows the secret")
	}
}

// childIQL is a second log group named after the first's export.
const childIQL = `/*+ exists */
SELECT log_group_name AS name FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1' AND log_group_name = '{{ parent_name }}-child'
/*+ create */
INSERT INTO awscc.logs.log_groups (LogGroupName, region) SELECT '{{ parent_name }}-child', 'us-east-1'
/*+ delete */
DELETE FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = '{{ this.name }}'
`

// parentManifest is thing, exporting its name, and child.
const parentManifest = `name: things
resources:
  - name: thing
    props:
      - {name: region, value: us-east-1}
      - {name: thing_name, value: "{{ stack_name }}-{{ stack_env }}"}
      - {name: size, value: 1}
    exports:
      - arn: thing_id
      - secret: parent_name
  - name: child
`

func TestStack_Teardown_dependsOnMissing(t *testing.T) {
	h := newHarness(t, map[string]string{"stackql_manifest.yml": parentManifest, "resources/thing.iql": thingsIQL, "resources/child.iql": childIQL})
	h.step("build", "thing=created child=created")
	if got := strings.Join(h.cloud.logGroups(t), ","); got != secret+"-child,things-dev" {
		t.Fatalf("log groups %s", got)
	}
	// The parent vanished behind our back.
	h.cloud.rows(t, "DELETE FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = 'things-dev'")
	res := h.step("teardown", "thing=not found child=not found")
	if !strings.Contains(res.Resources[1].Note, "parent_name of thing") {
		t.Errorf("note = %q", res.Resources[1].Note)
	}
}

// TestStack_Teardown_deleteCannotRender: a delete that uses a variable
// nothing defines fails, naming the variable and where it would come
// from, before anything is deleted.
func TestStack_Teardown_deleteCannotRender(t *testing.T) {
	tests := []struct{ name, delete, want string }{
		{"an export of a later resource", "DELETE FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = '{{ later_name }}'",
			`undefined "later_name" (later_name is exported by resource later, whose exports query returned no row)`},
		{"an uncaptured this", "DELETE FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = '{{ this.group_id }}'",
			`undefined "this.group_id" (this.group_id is captured from a column group_id returned by the exists query of thing (or by its return_vals); none has been captured)`},
		{"nothing", "DELETE FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = '{{ nowhere }}'",
			`undefined "nowhere" (nowhere is not an environment variable (.env or -e), a global, a prop of thing, or an export of any resource)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iql := thingsIQL[:strings.Index(thingsIQL, "/*+ delete")] + "/*+ delete */\n" + tt.delete + "\n"
			manifest := thingsManifest[:strings.Index(thingsManifest, "exports:\n  - thing_id\n")] + "  - name: later\n    type: query\n    sql: SELECT 'x' AS later_name WHERE 1 = 0\n    exports: [later_name]\n"
			h := newHarness(t, map[string]string{"stackql_manifest.yml": manifest, "resources/thing.iql": iql})
			if _, err := h.run("build", "dev"); err != nil && !strings.Contains(err.Error(), "later") {
				t.Fatal(err)
			}
			_, err := h.run("teardown", "dev")
			if err == nil || !strings.Contains(err.Error(), "resource thing: delete: resources/thing.iql:") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant it to contain %q", err, tt.want)
			}
			if got := h.cloud.logGroups(t); len(got) != 1 {
				t.Errorf("log groups after the failed teardown: %v", got)
			}
		})
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
SELECT log_group_name FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1' AND log_group_name = 'merged' AND '{{ tags }}{{ flows }}' <> ''
/*+ create */
INSERT INTO awscc.logs.log_groups (LogGroupName, region) SELECT 'merged', 'us-east-1'
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
	want := `SELECT log_group_name FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1' AND log_group_name = 'merged' AND '{"Env":"dev","Team":"auth"}["b","c","a"]' <> ''`
	if got := h.cloud.stmts[0]; got != want {
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
	h := newHarness(t, map[string]string{"stackql_manifest.yml": parentManifest, "resources/thing.iql": thingsIQL, "resources/child.iql": childIQL})
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
	if !strings.Contains(out, "-- child: delete\nDELETE FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = '<evaluated>';") {
		t.Errorf("child delete not rendered with placeholders:\n%s", out)
	}
}

// TestStack_inlineQueryResource: a query resource whose statement is inline
// (sql:) rather than in a file, with exports; teardown reads it and says
// it is a query, not something deleted.
func TestStack_inlineQueryResource(t *testing.T) {
	manifest := `name: m
resources:
  - name: thing
    props:
      - {name: region, value: us-east-1}
      - {name: thing_name, value: x}
      - {name: size, value: 1}
    exports:
      - arn: thing_id
  - name: lookup
    type: query
    sql: "SELECT log_group_name AS looked_up FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = '{{ thing_id | replace(':*', '') | replace('arn:aws:logs:us-east-1:000000000000:log-group:', '') }}'"
    exports: [looked_up]
exports:
  - looked_up
`
	h := newHarness(t, map[string]string{"stackql_manifest.yml": manifest, "resources/thing.iql": thingsIQL})
	res := h.step("build", "thing=created lookup=queried")
	if got := res.Exports["looked_up"]; got != "x" {
		t.Errorf("exports = %v, want looked_up = x from the inline query", res.Exports)
	}
	h.progress.Reset()
	h.step("teardown", "thing=deleted lookup=queried")
	if strings.Contains(h.progress.String(), "✓ lookup") || !strings.Contains(h.progress.String(), "a query: nothing to delete") {
		t.Errorf("teardown progress reads as if the query was torn down:\n%s", h.progress.String())
	}
}
