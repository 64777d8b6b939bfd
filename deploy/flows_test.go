package deploy_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ccql/ccql/deploy"
)

// upsertIQL manages the thing with createorupdate: no exists, so it is
// found by name.
const upsertIQL = `/*+ createorupdate, retries=2, retry_delay=3 */
INSERT OR REPLACE INTO things (name, size) VALUES ('{{ thing_name }}', {{ size }})
RETURNING OperationStatus, ErrorCode, StatusMessage

/*+ statecheck, retries=3, retry_delay=7 */
SELECT COUNT(*) AS count FROM things WHERE name = '{{ thing_name }}' AND size = {{ size }}

/*+ exports */
SELECT id, secret FROM things WHERE name = '{{ thing_name }}'

/*+ delete */
DELETE FROM things WHERE name = '{{ thing_name }}'
`

// TestStack_createOrUpdate drives a createorupdate resource through every
// command: build runs it on every build with no pre-check, then the
// statecheck (with its retries) and exports; plan runs only the
// statecheck; test finds the resource with the statecheck; teardown
// deletes it.
func TestStack_createOrUpdate(t *testing.T) {
	h := newHarness(t, map[string]string{"stackql_manifest.yml": thingsManifest, "resources/thing.iql": upsertIQL})
	h.vars["SIZE"] = "2"
	step := func(cmd, want string) *deploy.Result {
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
	mutations := func() int { return h.fake.count("INSERT") + h.fake.count("UPDATE") + h.fake.count("DELETE") }

	res := step("plan", "thing=would run createorupdate")
	if st := res.Resources[0].Statement; !strings.HasPrefix(st, "INSERT OR REPLACE INTO things (name, size) VALUES ('things-dev', 2)") {
		t.Errorf("plan statement = %q", st)
	}
	if n := mutations(); n != 0 || len(h.fake.things) != 0 {
		t.Fatalf("plan sent %d mutations, things = %v", n, h.fake.things)
	}

	res = step("build", "thing=deployed")
	wantStmts := []string{"INSERT OR REPLACE", "SELECT COUNT(*)", "SELECT id, secret"}
	if len(h.fake.stmts) != len(wantStmts) {
		t.Fatalf("build ran %q, want %q", h.fake.stmts, wantStmts)
	}
	for i, w := range wantStmts {
		if !strings.HasPrefix(h.fake.stmts[i], w) {
			t.Errorf("statement %d = %q, want %s…", i, h.fake.stmts[i], w)
		}
	}
	if res.Exports["thing_id"] != "id-1" {
		t.Errorf("exports = %v", res.Exports)
	}

	// createorupdate runs on every build, even when nothing changed.
	step("build", "thing=deployed")
	if n := h.fake.count("INSERT OR REPLACE"); n != 1 || len(h.fake.things) != 1 {
		t.Errorf("second build: %d upserts, things %v", n, h.fake.things)
	}
	step("plan", "thing=unchanged")
	if n := mutations(); n != 0 {
		t.Errorf("plan of an unchanged stack sent %d mutations", n)
	}

	h.vars["SIZE"] = "5"
	step("plan", "thing=would run createorupdate")
	h.fake.staleState = 2 // the change shows on the third statecheck
	step("build", "thing=deployed")
	if got := h.fake.things["id-1"].Size; got != 5 {
		t.Errorf("size after build = %d, want 5", got)
	}
	if n := h.fake.count("SELECT COUNT"); n != 3 {
		t.Errorf("statecheck ran %d times, want 3", n)
	}
	if d := h.sleeps.d; len(d) != 2 || d[0] != 7*time.Second {
		t.Errorf("slept %v, want 2×7s", d)
	}

	step("test", "thing=passed")
	if n := mutations(); n != 0 {
		t.Errorf("test sent %d mutations", n)
	}
	step("teardown", "thing=deleted")
	if len(h.fake.things) != 0 {
		t.Errorf("teardown left %v", h.fake.things)
	}
	if _, err := h.run("test", "dev"); !errors.Is(err, deploy.ErrTestFailed) {
		t.Errorf("test after teardown: %v, want ErrTestFailed", err)
	}

	// A failing createorupdate is retried as its anchor says, then fails
	// the build naming the resource and the anchor.
	h.sleeps.d = nil
	h.fake.errOn["INSERT OR REPLACE"] = errors.New("boom")
	_, err := h.run("build", "dev")
	if err == nil || !strings.Contains(err.Error(), "resource thing: createorupdate: boom") {
		t.Errorf("failing createorupdate: %v", err)
	}
	if n := h.fake.count("INSERT OR REPLACE"); n != 2 {
		t.Errorf("createorupdate tried %d times, want 2 (retries=2)", n)
	}
	if d := h.sleeps.d; len(d) != 1 || d[0] != 3*time.Second {
		t.Errorf("slept %v, want one 3s", d)
	}
}

// commandsManifest has the thing, then two commands that use its export:
// one inline (sql), one from a file with a command and an exports anchor.
const commandsManifest = `name: things
resources:
  - name: thing
    props:
      - {name: thing_name, value: "{{ stack_name }}-{{ stack_env }}"}
      - {name: size, value: 1}
    exports: [{id: thing_id}]
  - name: grow
    type: command
    props: [{name: new_size, value: 1}]
    sql: "UPDATE things SET size = {{ new_size }} WHERE id = '{{ thing_id }}'"
  - name: grow_file
    type: command
    props: [{name: new_size, value: 1}]
    exports: [{id: grown_id}]
exports: [thing_id, grown_id]
`

const growIQL = `/*+ command, retries=2, retry_delay=4 */
UPDATE things SET size = {{ new_size }} WHERE id = '{{ thing_id }}'
RETURNING OperationStatus

/*+ exports */
SELECT id, secret FROM things WHERE id = '{{ thing_id }}'
`

// TestStack_commands checks type: command resources: they run in build,
// in manifest order, with the exports of earlier resources, every time;
// their exports anchor feeds the stack; plan, test and teardown never send
// them; a failing command is retried per its anchor and fails the build.
func TestStack_commands(t *testing.T) {
	h := newHarness(t, map[string]string{"stackql_manifest.yml": commandsManifest,
		"resources/thing.iql": withoutAnchors("update"), "resources/grow_file.iql": growIQL})
	step := func(cmd, want string) *deploy.Result {
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
	commands := func() []string {
		var out []string
		for _, s := range h.fake.stmts {
			if strings.HasPrefix(s, "UPDATE things SET size") {
				out = append(out, strings.Join(strings.Fields(s), " "))
			}
		}
		return out
	}

	res := step("build", "thing=created grow=ran grow_file=ran")
	want := []string{"UPDATE things SET size = 1 WHERE id = 'id-1'", "UPDATE things SET size = 1 WHERE id = 'id-1' RETURNING OperationStatus"}
	if got := commands(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("commands sent %q, want %q", got, want)
	}
	if i := strings.Index(strings.Join(h.fake.stmts, "\n"), "INSERT INTO things"); i < 0 || i > strings.Index(strings.Join(h.fake.stmts, "\n"), "UPDATE things SET size") {
		t.Errorf("the commands did not run after the create: %q", h.fake.stmts)
	}
	if res.Exports["grown_id"] != "id-1" {
		t.Errorf("exports = %v", res.Exports)
	}

	// Commands run on every build, even when nothing else changes.
	step("build", "thing=unchanged grow=ran grow_file=ran")
	if n := len(commands()); n != 2 {
		t.Errorf("second build sent %d commands, want 2", n)
	}

	// Plan predicts the commands (and that grow_file's exports are known
	// only after build) without sending them.
	res = step("plan", "thing=unchanged grow=would run grow_file=would run")
	if res.Exports["grown_id"] != "<evaluated>" {
		t.Errorf("plan exports = %v", res.Exports)
	}
	if got := commands(); len(got) != 0 {
		t.Errorf("plan sent %q", got)
	}
	step("test", "thing=passed grow=skipped grow_file=skipped")
	if got := commands(); len(got) != 0 {
		t.Errorf("test sent %q", got)
	}

	// A dry run prints both commands, with the export not yet known.
	cfg := h.cfg("dev")
	cfg.DryRun = true
	h.out.Reset()
	h.fake.reset()
	if _, err := h.stack.Build(t.Context(), h.fake, cfg); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"-- grow: command\nUPDATE things SET size = 1 WHERE id = '<evaluated>';", "-- grow_file: command\nUPDATE things SET size = 1 WHERE id = '<evaluated>'\nRETURNING OperationStatus;"} {
		if !strings.Contains(h.out.String(), w) {
			t.Errorf("dry run output lacks %q:\n%s", w, h.out.String())
		}
	}
	if len(h.fake.stmts) != 0 {
		t.Errorf("dry run ran %q", h.fake.stmts)
	}

	// A failing command is retried as its anchor says (the inline one runs
	// once), then fails the build naming the resource and the anchor.
	h.fake.errOn["RETURNING OperationStatus"] = errors.New("boom")
	h.sleeps.d = nil
	_, err := h.run("build", "dev")
	if err == nil || !strings.Contains(err.Error(), "resource grow_file: command: boom") {
		t.Errorf("failing command: %v", err)
	}
	if got := commands(); len(got) != 3 {
		t.Errorf("commands sent %q, want grow once and grow_file twice", got)
	}
	if d := h.sleeps.d; len(d) != 1 || d[0] != 4*time.Second {
		t.Errorf("slept %v, want one 4s", d)
	}

	step("teardown", "thing=deleted grow=skipped grow_file=skipped")
	if got := commands(); len(got) != 0 {
		t.Errorf("teardown sent %q", got)
	}
}
