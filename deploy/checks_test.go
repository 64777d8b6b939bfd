package deploy_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/deploy"
)

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
	const bareManifest = "name: things\nresources:\n  - name: thing\n    props:\n      - {name: region, value: us-east-1}\n      - {name: thing_name, value: things-dev}\n      - {name: size, value: 1}\n"
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
			"resources/thing.iql": "/*+ createorupdate */\nINSERT INTO awscc.logs.log_groups (LogGroupName, RetentionInDays, region) SELECT '{{ thing_name }}-2', {{ size }}, '{{ region }}'\n"}, []step{
			{"build", ""},
			{"test", "which test needs"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.files)
			h.cloud.rows(t, "INSERT INTO awscc.logs.log_groups (LogGroupName, RetentionInDays, Tags, region) SELECT 'things-dev', 1, '[{\"Key\":\"secret\",\"Value\":\"x\"}]', 'us-east-1'")
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
					if len(h.cloud.stmts) != 0 {
						t.Errorf("%s ran %q before refusing", s.cmd, h.cloud.stmts)
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
      - name: region
        value: us-east-1
      - name: thing_name
        value: "{{ stack_name }}-{{ stack_env }}"
      - name: size
        values:
          dev: {value: 1}
          prd: {value: 3}
    exports:
      - arn: thing_id
  - name: second
    file: thing.iql
    IF
    props:
      - name: region
        value: us-east-1
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
			files: map[string]string{"stackql_manifest.yml": strings.Replace(manifest("if: wanted == 'yes'"), "props:\n      - name: region\n        value: us-east-1\n      - name: thing_name\n        value: other",
				"props:\n      - {name: wanted, values: {dev: {value: 'yes'}, prd: {value: 'yes'}}}\n      - name: region\n        value: us-east-1\n      - name: thing_name\n        value: other", 1),
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
				"resources/thing.iql": strings.Replace(thingsIQL, "log_group_name = '{{ thing_name }}'", "log_group_name = '{{ thing_name '", 1)},
			cmd: "build", env: "dev",
			wantErr: ccql.ErrTemplate,
			wantMsg: []string{`resource thing: exists: resources/thing.iql:2: syntax error: unterminated string`},
		},
		{
			name: "syntax errors in any anchor, prop or if, and missing values, all at once",
			files: map[string]string{
				"stackql_manifest.yml": strings.Replace(manifest("if: stack_env == 'dev' and"), "value: other", "value: \"{{ x | }}\"", 1),
				"resources/thing.iql":  strings.Replace(thingsIQL, "AND retention_in_days = {{ size }}", "AND retention_in_days = {{ size '", 1),
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
			if ran := len(h.cloud.stmts) > 0; ran != tt.wantCalls {
				t.Errorf("queries ran: %v, want %v (%q)", ran, tt.wantCalls, h.cloud.stmts)
			}
		})
	}
}
