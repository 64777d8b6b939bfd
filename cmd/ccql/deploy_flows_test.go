package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDeploy_createOrUpdateAndCommand drives testdata/deploy-upsert
// through the binary on the embedded emulator: a createorupdate resource
// (the pool's tags, patched on every build, checked by its statecheck) and
// a command resource (the pool's verification subject) that use the pool's
// export. Then a test of the stack with the create anchor removed, which
// test never needs.
func TestDeploy_createOrUpdateAndCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	env := []string{"CCQL_DATA_DIR=" + t.TempDir(), "AWS_REGION=us-east-1"}
	stack := filepath.Join(t.TempDir(), "upsert")
	copyDir(t, filepath.Join(repoRoot(t), "cmd", "ccql", "testdata", "deploy-upsert"), stack)
	must, wantLines := mustCCQL(t, env), wantLinesIn(t)

	exportsFile := filepath.Join(t.TempDir(), "exports.json")
	_, errOut := must("deploy", "build", stack, "dev", "--output-file", exportsFile)
	wantLines("build", errOut, `✓ user_pool\s+created`, `✓ pool_tags\s+deployed`, `✓ subject\s+ran`)
	var exports map[string]any
	b, err := os.ReadFile(exportsFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &exports); err != nil {
		t.Fatal(err)
	}
	poolID, _ := exports["user_pool_id"].(string)
	got, _ := must("exec", "-o", "json", "SELECT user_pool_tags, email_verification_subject FROM awscc.cognito.user_pools WHERE region = 'us-east-1' AND Identifier = '"+poolID+"'")
	if strings.TrimSpace(got) != `[{"user_pool_tags":{"team":"auth"},"email_verification_subject":"Your code"}]` {
		t.Errorf("pool after build: %s", got)
	}

	// Both run again on an unchanged stack; the pool itself is unchanged.
	out, errOut := must("deploy", "build", stack, "dev", "--show-queries")
	wantLines("second build", errOut, `✓ user_pool\s+unchanged`, `✓ pool_tags\s+deployed`, `✓ subject\s+ran`)
	if n := strings.Count(out, "UPDATE awscc.cognito.user_pools"); n != 2 || strings.Contains(out, "INSERT") {
		t.Errorf("second build sent %d updates (want 2: createorupdate and command):\n%s", n, out)
	}

	out, _ = must("deploy", "plan", stack, "dev")
	wantLines("plan", out, `^  user_pool\s+no change$`, `^  pool_tags\s+no change$`, `^  subject\s+command: runs on every build$`)
	_, errOut = must("deploy", "test", stack, "dev")
	wantLines("test", errOut, `✓ user_pool\s+passed`, `✓ pool_tags\s+passed`, `- subject\s+skipped`)

	// test never creates: a file without a create anchor is fine for it,
	// and refused by build before anything runs.
	iql := filepath.Join(stack, "resources", "user_pool.iql")
	src, _ := os.ReadFile(iql)
	noCreate := regexp.MustCompile(`(?s)/\*\+ create \*/.*?;\n`).ReplaceAllString(string(src), "")
	if noCreate == string(src) {
		t.Fatal("no create anchor removed")
	}
	if err := os.WriteFile(iql, []byte(noCreate), 0o644); err != nil {
		t.Fatal(err)
	}
	must("deploy", "test", stack, "dev")
	_, stderr, code := ccqlBin(t, env, "deploy", "build", stack, "dev")
	if code != 1 || !strings.Contains(stderr, "resources/user_pool.iql has no create (or createorupdate) anchor, which build needs") {
		t.Errorf("build without create: exit %d\n%s", code, stderr)
	}
	if err := os.WriteFile(iql, src, 0o644); err != nil {
		t.Fatal(err)
	}

	_, errOut = must("deploy", "teardown", stack, "dev")
	wantLines("teardown", errOut, `- pool_tags\s+kept`, `✓ user_pool\s+deleted`)
}
