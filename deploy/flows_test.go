package deploy_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ccql/ccql/deploy"
)

// upsertManifest has the log group, and its retention managed by a second
// resource with createorupdate (a patch of the existing log group, as
// stackql-deploy's docs show for s3 bucket notifications).
const upsertManifest = `name: things
resources:
  - name: thing
    props:
      - {name: region, value: us-east-1}
      - {name: thing_name, value: "{{ stack_name }}-{{ stack_env }}"}
      - {name: size, value: 1}
    exports:
      - secret: thing_secret
  - name: retention
    props:
      - {name: group, value: "{{ stack_name }}-{{ stack_env }}"}
      - {name: days, value: "{{ DAYS | default(7) }}"}
    exports: [arn]
`

const upsertIQL = `/*+ createorupdate, retries=2, retry_delay=3 */
UPDATE awscc.logs.log_groups SET PatchDocument = string('{{ {"RetentionInDays": days} | generate_patch_document }}')
WHERE region = 'us-east-1' AND Identifier = '{{ group }}'
RETURNING OperationStatus, ErrorCode, StatusMessage

/*+ statecheck, retries=3, retry_delay=7 */
SELECT COUNT(*) AS count FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = '{{ group }}' AND retention_in_days = {{ days }}

/*+ exports */
SELECT arn FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = '{{ group }}'
`

// TestStack_createOrUpdate drives a createorupdate resource through every
// command: build runs it on every build with no pre-check, then the
// statecheck and exports; plan runs only the statecheck (and names the
// change); test finds the resource with the statecheck; teardown keeps it
// (no delete anchor).
func TestStack_createOrUpdate(t *testing.T) {
	h := newHarness(t, map[string]string{"stackql_manifest.yml": upsertManifest, "resources/thing.iql": withoutAnchors("update", "statecheck"), "resources/retention.iql": upsertIQL})
	h.step("plan", "thing=create retention=create or update")
	if n := h.cloud.mutations(); n != 0 {
		t.Fatalf("plan sent %d mutations", n)
	}
	h.step("build", "thing=created retention=deployed")
	if got := retention(t, h.cloud, "things-dev"); got != 7 {
		t.Errorf("retention after build = %d, want 7", got)
	}
	// createorupdate runs on every build, even when nothing changed.
	h.step("build", "thing=unchanged retention=deployed")
	if n := h.cloud.count("UPDATE awscc.logs.log_groups"); n != 1 {
		t.Errorf("second build: %d updates, want the createorupdate", n)
	}
	h.step("plan", "thing=no change retention=no change")
	if n := h.cloud.mutations(); n != 0 {
		t.Errorf("plan of an unchanged stack sent %d mutations", n)
	}

	h.vars["DAYS"] = "14"
	res := h.step("plan", "thing=no change retention=create or update")
	if got := res.Resources[1].Changes; len(got) != 1 || got[0].String() != "RetentionInDays: 7 → 14" {
		t.Errorf("plan changes = %v", got)
	}
	h.step("build", "thing=unchanged retention=deployed")
	if got := retention(t, h.cloud, "things-dev"); got != 14 {
		t.Errorf("retention after build = %d, want 14", got)
	}
	h.step("test", "thing=passed retention=passed")
	if n := h.cloud.mutations(); n != 0 {
		t.Errorf("test sent %d mutations", n)
	}

	// A failing createorupdate is retried as its anchor says, then fails
	// the build naming the resource and the anchor.
	h.cloud.errOn["SET PatchDocument"] = errBoom
	_, err := h.run("build", "dev")
	if err == nil || !strings.Contains(err.Error(), "resource retention: createorupdate: boom") {
		t.Errorf("failing createorupdate: %v", err)
	}
	if n := h.cloud.count("UPDATE"); n != 2 {
		t.Errorf("createorupdate tried %d times, want 2 (retries=2)", n)
	}
	if d := h.sleeps.get(); len(d) == 0 || d[len(d)-1] != 3*time.Second {
		t.Errorf("slept %v, want a last 3s", d)
	}
	delete(h.cloud.errOn, "SET PatchDocument")

	h.step("teardown", "thing=deleted retention=kept")
	if got := h.cloud.logGroups(t); len(got) != 0 {
		t.Errorf("teardown left %v", got)
	}
}

// commandsManifest has the log group, then two commands that use its
// export: one inline (sql), one from a file with a command and an exports
// anchor.
const commandsManifest = `name: things
resources:
  - name: thing
    props:
      - {name: region, value: us-east-1}
      - {name: thing_name, value: "{{ stack_name }}-{{ stack_env }}"}
      - {name: size, value: 1}
    exports: [{arn: thing_id}]
  - name: grow
    type: command
    props: [{name: new_size, value: 3}]
    sql: "UPDATE awscc.logs.log_groups SET PatchDocument = string('[{\"op\":\"add\",\"path\":\"/RetentionInDays\",\"value\":{{ new_size }}}]') WHERE region = 'us-east-1' AND Identifier = '{{ thing_id | replace(':*', '') | replace('arn:aws:logs:us-east-1:000000000000:log-group:', '') }}'"
  - name: grow_file
    type: command
    props: [{name: new_size, value: 5}]
    exports: [{arn: grown_id}]
exports: [thing_id, grown_id]
`

const growIQL = `/*+ command, retries=2, retry_delay=4 */
UPDATE awscc.logs.log_groups SET PatchDocument = string('[{"op":"add","path":"/RetentionInDays","value":{{ new_size }}}]')
WHERE region = 'us-east-1' AND Identifier = 'things-dev'
RETURNING OperationStatus

/*+ exports */
SELECT arn FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = 'things-dev'
`

// TestStack_commands checks type: command resources: they run in build,
// in manifest order, with the exports of earlier resources, every time;
// their exports anchor feeds the stack; plan, test and teardown never send
// them; a failing command is retried per its anchor and fails the build.
func TestStack_commands(t *testing.T) {
	h := newHarness(t, map[string]string{"stackql_manifest.yml": commandsManifest,
		"resources/thing.iql": withoutAnchors("update", "statecheck"), "resources/grow_file.iql": growIQL})
	commands := func() int { return h.cloud.count("UPDATE awscc.logs.log_groups") }

	res := h.step("build", "thing=created grow=ran grow_file=ran")
	if n := commands(); n != 2 {
		t.Errorf("build sent %d commands, want 2", n)
	}
	if got := retention(t, h.cloud, "things-dev"); got != 5 {
		t.Errorf("retention = %d, want 5 (grow, then grow_file)", got)
	}
	if res.Exports["grown_id"] != res.Exports["thing_id"] || res.Exports["grown_id"] == nil {
		t.Errorf("exports = %v", res.Exports)
	}

	// Commands run on every build, even when nothing else changes.
	h.step("build", "thing=unchanged grow=ran grow_file=ran")
	if n := commands(); n != 2 {
		t.Errorf("second build sent %d commands, want 2", n)
	}

	// Plan predicts the commands (and that grow_file's exports are known
	// only after build) without sending them.
	res = h.step("plan", "thing=no change grow=run grow_file=run")
	if res.Exports["grown_id"] != "<evaluated>" {
		t.Errorf("plan exports = %v", res.Exports)
	}
	if n := commands(); n != 0 {
		t.Errorf("plan sent %d commands", n)
	}
	h.step("test", "thing=passed grow=skipped grow_file=skipped")
	if n := commands(); n != 0 {
		t.Errorf("test sent %d commands", n)
	}

	// A dry run prints both commands, with the export not yet known.
	cfg := h.cfg("dev")
	cfg.DryRun = true
	h.out.Reset()
	h.cloud.reset()
	if _, err := h.stack.Build(t.Context(), h.cloud, cfg); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"-- grow: command\nUPDATE awscc.logs.log_groups SET PatchDocument = string('[{\"op\":\"add\",\"path\":\"/RetentionInDays\",\"value\":3}]') WHERE region = 'us-east-1' AND Identifier = '<evaluated>';",
		"-- grow_file: command\nUPDATE awscc.logs.log_groups"} {
		if !strings.Contains(h.out.String(), w) {
			t.Errorf("dry run output lacks %q:\n%s", w, h.out.String())
		}
	}
	if len(h.cloud.stmts) != 0 {
		t.Errorf("dry run ran %q", h.cloud.stmts)
	}

	// A failing command is retried as its anchor says (the inline one runs
	// once), then fails the build naming the resource and the anchor.
	h.cloud.errOn["RETURNING OperationStatus"] = errBoom
	h.sleeps = sleeps{}
	_, err := h.run("build", "dev")
	if err == nil || !strings.Contains(err.Error(), "resource grow_file: command: boom") {
		t.Errorf("failing command: %v", err)
	}
	if n := commands(); n != 3 {
		t.Errorf("sent %d commands, want grow once and grow_file twice", n)
	}
	if d := h.sleeps.get(); len(d) != 1 || d[0] != 4*time.Second {
		t.Errorf("slept %v, want one 4s", d)
	}
	delete(h.cloud.errOn, "RETURNING OperationStatus")

	h.progress.Reset()
	h.step("teardown", "thing=deleted grow=skipped grow_file=skipped")
	if n := commands(); n != 0 {
		t.Errorf("teardown sent %d commands", n)
	}
	if !strings.Contains(h.progress.String(), "a command: nothing to delete") {
		t.Errorf("teardown progress:\n%s", h.progress.String())
	}
	if _, err := h.run("test", "dev"); !errors.Is(err, deploy.ErrTestFailed) {
		t.Errorf("test after teardown: %v", err)
	}
}
