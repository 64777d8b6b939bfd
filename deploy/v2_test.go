package deploy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/deploy"
)

// v2Manifest is one log group in stackql-deploy v2 style; RV is replaced
// by its return_vals.
const v2Manifest = `name: v2
globals:
  - {name: region, value: us-east-1}
resources:
  - name: group
    props:
      - {name: group_name, value: "{{ stack_name }}-{{ resource_name }}"}
      - {name: days, value: "{{ DAYS | default(7) }}"}
RV
    exports:
      - arn: group_arn
exports: [group_arn]
`

const v2IQL = `/*+ exists */
SELECT log_group_name AS identifier FROM awscc.logs.log_groups_list_only WHERE region = '{{ region }}' AND log_group_name = '{{ group_name }}'

/*+ create */
INSERT INTO awscc.logs.log_groups (LogGroupName, RetentionInDays, region) SELECT '{{ group_name }}', {{ days }}, '{{ region }}'
RETURNING *

/*+ statecheck */
SELECT COUNT(*) AS count FROM awscc.logs.log_groups WHERE region = '{{ region }}' AND Identifier = '{{ this.identifier }}' AND retention_in_days = {{ days }}

/*+ update */
UPDATE awscc.logs.log_groups SET PatchDocument = string('{{ {"RetentionInDays": days} | generate_patch_document }}') WHERE region = '{{ region }}' AND Identifier = '{{ this.identifier }}'
RETURNING *

/*+ exports */
SELECT arn FROM awscc.logs.log_groups WHERE region = '{{ region }}' AND Identifier = '{{ this.identifier }}'

/*+ delete */
DELETE FROM awscc.logs.log_groups WHERE region = '{{ region }}' AND Identifier = '{{ this.identifier }}'
RETURNING *
`

func v2Files(returnVals, extra string) map[string]string {
	return map[string]string{
		"stackql_manifest.yml": strings.Replace(v2Manifest, "RV\n", returnVals, 1),
		"resources/group.iql":  v2IQL + extra,
	}
}

// pollCallback polls the request of the last mutation.
const pollCallback = `SELECT OperationStatus = 'SUCCESS' AS success FROM awscc.cloud_control.resource_request WHERE region = '{{ region }}' AND RequestToken = '{{ callback.RequestToken }}'`

func TestV2_callbacks(t *testing.T) {
	tests := []struct {
		name     string
		anchors  string
		wantErr  error
		polls    int // callback queries sent by the build
		sleeps   []time.Duration
		teardown int // callback queries sent by the teardown
	}{
		{name: "a plain callback polls after create and delete until success",
			anchors: "\n/*+ callback, retries=4, retry_delay=9 */\n" + pollCallback + "\n",
			polls:   1, teardown: 1},
		{name: "callback:create does not run after delete",
			anchors: "\n/*+ callback:create */\n" + pollCallback + "\n",
			polls:   1, teardown: 0},
		{name: "a short circuit on the RETURNING row skips the poll (ProgressEvent spelling)",
			anchors: "\n/*+ callback:create, short_circuit_field=ProgressEvent.OperationStatus, short_circuit_value=SUCCESS */\n" + pollCallback + "\n",
			polls:   0},
		{name: "a short circuit that does not match polls",
			anchors: "\n/*+ callback:create, short_circuit_field=OperationStatus, short_circuit_value='IN_PROGRESS' */\n" + pollCallback + "\n",
			polls:   1},
		{name: "retries counts re-polls, as in stackql-deploy v2",
			anchors: "\n/*+ callback:create, retries=2, retry_delay=9 */\nSELECT OperationStatus = 'FAILED' AS success FROM awscc.cloud_control.resource_request WHERE region = '{{ region }}' AND RequestToken = '{{ callback.RequestToken }}'\n",
			wantErr: deploy.ErrCallback, polls: 3, sleeps: []time.Duration{9 * time.Second, 9 * time.Second}},
		{name: "a count column answers too",
			anchors: "\n/*+ callback:create, retries=0 */\nSELECT COUNT(*) AS count FROM awscc.logs.log_groups WHERE region = '{{ region }}' AND Identifier = '{{ callback.Identifier }}'\n",
			polls:   1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, v2Files("", tt.anchors))
			_, err := h.run("build", "dev")
			if !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
				t.Fatalf("build: %v, want %v", err, tt.wantErr)
			}
			if n := h.callbackPolls(); n != tt.polls {
				t.Errorf("callback polls: %d, want %d\n%q", n, tt.polls, h.cloud.stmts)
			}
			if d := h.sleeps.get(); len(tt.sleeps) > 0 && (len(d) != len(tt.sleeps) || d[0] != tt.sleeps[0]) {
				t.Errorf("slept %v, want %v", d, tt.sleeps)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "resource group: callback:create: callback timed out: create of group not done after 3 poll(s) (retries=2)") {
					t.Errorf("err = %v", err)
				}
				return
			}
			h.step("teardown", "group=deleted")
			if n := h.callbackPolls(); n != tt.teardown {
				t.Errorf("teardown callback polls: %d, want %d", n, tt.teardown)
			}
		})
	}
}

// callbackPolls counts the callback queries of the last run: those on the
// request status table, and the count one (not the statecheck).
func (h *harness) callbackPolls() int {
	n := 0
	for _, s := range h.cloud.stmts {
		if strings.Contains(s, "resource_request") || strings.Contains(s, "COUNT(*) AS count") && !strings.Contains(s, "retention_in_days") {
			n++
		}
	}
	return n
}

// TestV2_returnVals: return_vals capture RETURNING columns as this.*; with
// them the exists query does not run again after the create; a column
// that is missing, or no RETURNING row at all, fails the build.
func TestV2_returnVals(t *testing.T) {
	rv := "    return_vals:\n      create:\n        - Identifier: identifier\n        - RequestToken\n      update:\n        - Identifier: identifier\n"
	h := newHarness(t, v2Files(rv, "\n/*+ troubleshoot */\nSELECT '{{ this.RequestToken }}' <> '' AS has_token\n"))
	res := h.step("build", "group=created")
	if n := h.cloud.count("SELECT log_group_name AS identifier"); n != 1 {
		t.Errorf("exists ran %d times; return_vals captured the id, want 1", n)
	}
	if got, _ := res.Exports["group_arn"].(string); !strings.HasSuffix(got, ":log-group:v2-group:*") {
		t.Errorf("exports = %v", res.Exports)
	}
	h.vars["DAYS"] = "14"
	h.step("build", "group=updated")
	h.step("teardown", "group=deleted")

	for name, tc := range map[string]struct{ rv, create, want string }{
		"missing column": {rv: "    return_vals:\n      create:\n        - NoSuchColumn: x\n", want: "bad return_vals: return_vals.create: the RETURNING row has no column NoSuchColumn"},
		"null column":    {rv: "    return_vals:\n      create:\n        - ErrorCode\n", want: "return_vals.create: ErrorCode is null or empty in the RETURNING row"},
		"no RETURNING": {rv: "    return_vals:\n      create: [Identifier]\n", create: "RETURNING *\n",
			want: "return_vals.create needs the create statement to return a row (RETURNING *)"},
	} {
		t.Run(name, func(t *testing.T) {
			files := v2Files(tc.rv, "")
			if tc.create != "" {
				files["resources/group.iql"] = strings.Replace(files["resources/group.iql"], "'{{ region }}'\nRETURNING *\n", "'{{ region }}'\n", 1)
			}
			h := newHarness(t, files)
			_, err := h.run("build", "dev")
			if !errors.Is(err, deploy.ErrReturnVals) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrReturnVals containing %q", err, tc.want)
			}
		})
	}
}

// TestV2_troubleshoot: a failure runs the troubleshoot query for the
// operation; its rows are logged as JSON (secrets masked) and the
// failure is reported unchanged. A failing troubleshoot query is logged
// and changes nothing either.
func TestV2_troubleshoot(t *testing.T) {
	ts := "\n/*+ troubleshoot:create */\nSELECT log_group_name, retention_in_days, '{{ THING_SECRET }}' AS secret FROM awscc.logs.log_groups WHERE region = '{{ region }}' AND Identifier = '{{ group_name }}'\n" +
		"\n/*+ troubleshoot:delete */\nSELECT * FROM awscc.no_such.table\n"
	files := v2Files("", ts)
	// The statecheck can never pass: the build fails after the create.
	files["resources/group.iql"] = strings.Replace(files["resources/group.iql"], "AND retention_in_days = {{ days }}", "AND retention_in_days = {{ days }} + 1", 1)
	h := newHarness(t, files)
	var logs bytes.Buffer
	cfg := h.cfg("dev")
	cfg.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	_, err := h.stack.Build(t.Context(), h.cloud, cfg)
	if !errors.Is(err, deploy.ErrNotDesired) {
		t.Fatalf("build: %v, want ErrNotDesired", err)
	}
	var entry struct {
		Msg       string `json:"msg"`
		Resource  string `json:"resource"`
		Operation string `json:"operation"`
		Failure   string `json:"failure"`
		Rows      string `json:"rows"`
	}
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, `"msg":"troubleshoot"`) {
			if err := json.Unmarshal([]byte(line), &entry); err != nil {
				t.Fatal(err)
			}
		}
	}
	if entry.Resource != "group" || entry.Operation != "create" || !strings.Contains(entry.Failure, "statecheck still false") ||
		entry.Rows != `[{"log_group_name":"v2-group","retention_in_days":7,"secret":"****"}]` {
		t.Errorf("troubleshoot log = %+v\n%s", entry, logs.String())
	}
	if strings.Contains(logs.String(), secret) || strings.Contains(h.progress.String(), secret) {
		t.Error("the log shows the secret")
	}
	if want := `! troubleshoot group (create): [{"log_group_name":"v2-group","retention_in_days":7,"secret":"****"}]`; !strings.Contains(h.progress.String(), want) {
		t.Errorf("progress lacks %s:\n%s", want, h.progress.String())
	}

	// The delete fails; its troubleshoot query fails too: the delete's
	// error is what the teardown reports.
	logs.Reset()
	h.cloud.errOn["DELETE FROM awscc.logs.log_groups"] = errBoom
	_, err = h.stack.Teardown(t.Context(), h.cloud, cfg)
	if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "resource group: delete: boom") {
		t.Errorf("teardown: %v", err)
	}
	if !strings.Contains(logs.String(), `"msg":"troubleshoot query failed"`) || !strings.Contains(logs.String(), `"operation":"delete"`) {
		t.Errorf("log:\n%s", logs.String())
	}
}

// TestV2_jitStatecheck: a statecheck that uses a this.* value the (count)
// exists query never captures is deferred, as in stackql-deploy v2: the
// exports query stands in for it.
func TestV2_jitStatecheck(t *testing.T) {
	files := v2Files("", "")
	iql := files["resources/group.iql"]
	iql = strings.Replace(iql, "SELECT log_group_name AS identifier FROM", "SELECT COUNT(*) AS count FROM", 1)
	iql = strings.ReplaceAll(iql, "Identifier = '{{ this.identifier }}' AND retention", "Identifier = '{{ this.never }}' AND retention")
	iql = strings.ReplaceAll(iql, "{{ this.identifier }}", "{{ group_name }}")
	files["resources/group.iql"] = iql
	h := newHarness(t, files)
	h.step("build", "group=created")
	h.step("build", "group=unchanged")
	if n := h.cloud.count("SELECT COUNT(*) AS count FROM awscc.logs.log_groups WHERE"); n != 0 {
		t.Errorf("the deferred statecheck ran %d times", n)
	}
	h.step("test", "group=passed")
	h.step("teardown", "group=deleted")
}

// TestV2_multi: a multi resource's failing create is logged and the build
// goes on (a set that partly exists is completed); teardown deletes it
// without asking exists.
func TestV2_multi(t *testing.T) {
	h := newHarness(t, map[string]string{
		"stackql_manifest.yml": "name: m\nresources:\n  - name: groups\n    type: multi\n    props:\n      - {name: names, value: [a, b, c]}\n",
		"resources/groups.iql": `/*+ exists */
SELECT CASE WHEN COUNT(*) = 3 THEN 1 ELSE 0 END AS count FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1' AND log_group_name IN (SELECT value FROM json_each('{{ names }}'))
/*+ create */
INSERT INTO awscc.logs.log_groups (LogGroupName, region) SELECT value, 'us-east-1' FROM json_each('{{ names }}')
/*+ delete */
DELETE FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier IN (SELECT value FROM json_each('{{ names }}'))
`})
	h.cloud.rows(t, "INSERT INTO awscc.logs.log_groups (LogGroupName, region) SELECT 'b', 'us-east-1'")
	h.step("build", "groups=created")
	if got := strings.Join(h.cloud.logGroups(t), ","); got != "a,b,c" {
		t.Errorf("log groups = %s", got)
	}
	h.step("build", "groups=unchanged")
	// With a gone, exists says the set is not there; teardown deletes
	// the rest all the same.
	h.cloud.rows(t, "DELETE FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = 'a'")
	h.step("teardown", "groups=deleted")
	if got := h.cloud.logGroups(t); len(got) != 0 {
		t.Errorf("teardown left %v", got)
	}
}

// TestTeardown_renamedExport: as in stackql-deploy v2, a delete may use an
// export renamed in the manifest ({column: name}) under its column's name.
func TestTeardown_renamedExport(t *testing.T) {
	files := v2Files("", "")
	files["resources/group.iql"] = strings.Replace(files["resources/group.iql"],
		"DELETE FROM awscc.logs.log_groups WHERE region = '{{ region }}' AND Identifier = '{{ this.identifier }}'",
		"DELETE FROM awscc.logs.log_groups WHERE region = '{{ region }}' AND Identifier = '{{ arn | replace(\":*\", \"\") | replace(\"arn:aws:logs:us-east-1:000000000000:log-group:\", \"\") }}'", 1)
	h := newHarness(t, files)
	h.step("build", "group=created")
	h.step("teardown", "group=deleted")
	if got := h.cloud.logGroups(t); len(got) != 0 {
		t.Errorf("teardown left %v", got)
	}
}

var _ = ccql.ErrTemplate

// TestV2_scopedVariables: as in stackql-deploy v2, a resource's exports
// and idempotency token are also {{ <resource>.<name> }}; the token is
// stable for the run (this.idempotency_token inside the resource); a
// protected prop is masked wherever ccql prints.
func TestV2_scopedVariables(t *testing.T) {
	h := newHarness(t, map[string]string{
		"stackql_manifest.yml": `name: v2
resources:
  - name: group
    props:
      - {name: note, value: hushhush-value, protected: true}
    exports: [arn]
  - name: reader
    type: query
    sql: "SELECT '{{ group.arn }}' AS seen, '{{ group.idempotency_token }}' AS token"
    exports: [seen, token]
exports: [arn, seen, token]
`,
		"resources/group.iql": `/*+ exists */
SELECT log_group_name FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1' AND log_group_name = 'g'
/*+ create */
INSERT INTO awscc.logs.log_groups (LogGroupName, Tags, region) SELECT 'g', '[{"Key":"token","Value":"{{ this.idempotency_token }}"},{"Key":"note","Value":"{{ note }}"}]', 'us-east-1'
/*+ exports */
SELECT arn, json_extract(tags, '$[0].Value') AS token FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = 'g'
`})
	res := h.step("build", "group=created reader=queried")
	token := h.cloud.rows(t, "SELECT json_extract(tags, '$[0].Value') FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = 'g'")[0][0]
	if res.Exports["seen"] != res.Exports["arn"] || res.Exports["token"] != token || len(token.(string)) != 36 {
		t.Errorf("exports = %v, token in the cloud %v", res.Exports, token)
	}
	if strings.Contains(h.out.String(), "hushhush-value") || !strings.Contains(h.out.String(), `"Key":"note","Value":"****"`) {
		t.Errorf("the protected prop is not masked:\n%s", h.out.String())
	}
}

// TestV2_callbackNeedsReturning: a callback follows only a statement that
// returned its request (RETURNING), as stackql-deploy v2 documents.
func TestV2_callbackNeedsReturning(t *testing.T) {
	files := v2Files("", "\n/*+ callback */\n"+pollCallback+"\n")
	files["resources/group.iql"] = strings.ReplaceAll(files["resources/group.iql"], "\nRETURNING *\n", "\n")
	h := newHarness(t, files)
	polls := 0
	h.step("build", "group=created")
	polls += h.callbackPolls()
	h.vars["DAYS"] = "14"
	h.step("build", "group=updated")
	polls += h.callbackPolls()
	h.step("teardown", "group=deleted")
	if polls += h.callbackPolls(); polls != 0 {
		t.Errorf("callbacks ran %d times without RETURNING", polls)
	}
}
