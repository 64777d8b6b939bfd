package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ccql/ccql/deploy"
)

// TestDeploy_cognitoExample drives examples/deploy/cognito through the
// binary on the embedded emulator: plan, build, build again (no change),
// change a prop (one update with the expected patch), test, teardown.
func TestDeploy_cognitoExample(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	env := []string{"CCQL_DATA_DIR=" + t.TempDir(), "AWS_REGION=us-east-1"}
	stack := filepath.Join("examples", "deploy", "cognito")
	must, wantLines := mustCCQL(t, env), wantLinesIn(t)

	out, _ := must("deploy", "plan", stack, "dev")
	wantLines("plan", out, `^\+ user_pool\s+create$`, `^\+ app_client\s+create$`, `^Plan: 2 to create, 0 to update, 0 unchanged\.$`)

	// An existing, world-readable exports file must end up owner-only.
	exportsFile := filepath.Join(t.TempDir(), "exports.json")
	if err := os.WriteFile(exportsFile, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut := must("deploy", "build", stack, "dev", "--output-file", exportsFile)
	wantLines("build", errOut, `✓ user_pool\s+created`, `✓ app_client\s+created`)
	if fi, err := os.Stat(exportsFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("exports file mode = %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	var exports map[string]any
	b, err := os.ReadFile(exportsFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &exports); err != nil {
		t.Fatal(err)
	}
	clientID, _ := exports["client_id"].(string)
	poolID, _ := exports["user_pool_id"].(string)
	if !regexp.MustCompile(`^[a-z0-9]{26}$`).MatchString(clientID) || !strings.HasPrefix(poolID, "us-east-1_") ||
		exports["stack_name"] != "cognito-auth" || exports["stack_env"] != "dev" {
		t.Errorf("exports = %v", exports)
	}

	out, errOut = must("deploy", "build", stack, "dev", "--show-queries")
	wantLines("second build", errOut, `✓ user_pool\s+unchanged`, `✓ app_client\s+unchanged`)
	if strings.Contains(out, "INSERT") || strings.Contains(out, "UPDATE") || strings.Contains(out, "DELETE") {
		t.Errorf("second build sent a mutation:\n%s", out)
	}

	// Change one prop in a copy of the stack.
	changed := t.TempDir()
	copyDir(t, filepath.Join(repoRoot(t), stack), changed)
	manifest := filepath.Join(changed, "stackql_manifest.yml")
	m, _ := os.ReadFile(manifest)
	if err := os.WriteFile(manifest, []byte(strings.Replace(string(m), "dev: {value: 60}", "dev: {value: 45}", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ = must("deploy", "plan", changed, "dev")
	// The plan names the one property that changes, not the whole patch.
	wantLines("plan after change", out, `^  user_pool\s+no change$`, `^~ app_client\s+update\n\s+AccessTokenValidity: 60 → 45\n`,
		`^Plan: 0 to create, 1 to update, 1 unchanged\.$`)
	if strings.Contains(out, "IdTokenValidity") {
		t.Errorf("the plan shows properties that do not change:\n%s", out)
	}
	// The same as data, for CI.
	out, _ = must("deploy", "plan", changed, "dev", "-o", "json")
	var plan deploy.PlanDoc
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("plan -o json: %v\n%s", err, out)
	}
	if len(plan.Resources) != 2 || plan.Resources[1].Action != deploy.ActionUpdate || len(plan.Resources[1].Changes) != 1 ||
		plan.Resources[1].Changes[0] != (deploy.Change{Property: "AccessTokenValidity", Current: 60.0, Desired: 45.0}) || plan.Summary.Update != 1 {
		t.Errorf("plan -o json = %+v", plan)
	}
	out, errOut = must("deploy", "build", changed, "dev", "--show-queries")
	wantLines("build after change", errOut, `✓ user_pool\s+unchanged`, `✓ app_client\s+updated`)
	wantPatch := `SET PatchDocument = string('[{"op": "add", "path": "/ExplicitAuthFlows", "value": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}, ` +
		`{"op": "add", "path": "/AccessTokenValidity", "value": 45}, {"op": "add", "path": "/IdTokenValidity", "value": 60}, ` +
		`{"op": "add", "path": "/RefreshTokenValidity", "value": 30}, {"op": "add", "path": "/TokenValidityUnits", "value": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"}}, ` +
		`{"op": "add", "path": "/AllowedOAuthScopes", "value": ["openid", "email"]}, {"op": "add", "path": "/CallbackURLs", "value": ["http://localhost:3000/callback"]}, ` +
		`{"op": "add", "path": "/PreventUserExistenceErrors", "value": "ENABLED"}]')`
	if n := strings.Count(out, "UPDATE awscc.cognito.user_pool_clients"); n != 1 {
		t.Errorf("build after change sent %d client updates, want 1:\n%s", n, out)
	}
	if !strings.Contains(out, wantPatch) {
		t.Errorf("update patch differs; want\n%s\nin\n%s", wantPatch, out)
	}
	got, _ := must("exec", "-o", "json", "SELECT access_token_validity FROM awscc.cognito.user_pool_clients WHERE region = 'us-east-1' AND Identifier = '"+poolID+"|"+clientID+"'")
	if !strings.Contains(got, `45`) {
		t.Errorf("client after update: %s", got)
	}

	_, errOut = must("deploy", "test", changed, "dev")
	wantLines("test", errOut, `✓ user_pool\s+passed`, `✓ app_client\s+passed`)
	// The unchanged stack now fails its test: the client drifted from it.
	_, errOut, code := ccqlBin(t, env, "deploy", "test", stack, "dev")
	if code == 0 || !strings.Contains(errOut, "resource app_client: statecheck: test failed") {
		t.Errorf("test of the drifted stack: exit %d\n%s", code, errOut)
	}

	out, _ = must("deploy", "plan", changed, "dev", "--teardown")
	wantLines("plan of teardown", out, `^- user_pool\s+delete$`, `^- app_client\s+delete$`, `^Plan: 2 to delete, 0 unchanged\.$`)
	_, errOut = must("deploy", "teardown", changed, "dev")
	wantLines("teardown", errOut, `✓ app_client\s+deleted[^\n]*\n✓ user_pool\s+deleted`)
	_, errOut = must("deploy", "teardown", changed, "dev")
	wantLines("second teardown", errOut, `- app_client\s+not found`, `- user_pool\s+not found`)
}

func TestDeploy_errors(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	env := []string{"CCQL_DATA_DIR=" + t.TempDir()}
	dir := t.TempDir()
	copyDir(t, filepath.Join(repoRoot(t), "examples", "deploy", "cognito"), dir)
	iql := filepath.Join(dir, "resources", "user_pool.iql")
	b, _ := os.ReadFile(iql)
	os.WriteFile(iql, []byte(strings.Replace(string(b), "user_pool_name = '{{ pool_name }}'", "user_pool_name = '{{ vars.pool_nam }}'", 1)), 0o644)

	_, stderr, code := ccqlBin(t, env, "deploy", "build", dir, "dev")
	if code != 1 || !strings.Contains(stderr, `resource user_pool: exists: resources/user_pool.iql:5: undefined "vars.pool_nam"`) {
		t.Errorf("template error: exit %d\n%s", code, stderr)
	}
	_, stderr, code = ccqlBin(t, env, "deploy", "build", filepath.Join("examples", "deploy", "cognito"), "stg")
	if code != 1 || !strings.Contains(stderr, `prop access_token_validity has no value for environment "stg"`) {
		t.Errorf("missing env: exit %d\n%s", code, stderr)
	}
	_, stderr, code = ccqlBin(t, env, "deploy", "build", filepath.Join("examples", "deploy", "cognito"))
	if code == 0 {
		t.Errorf("missing STACK_ENV accepted: %s", stderr)
	}
}

func TestDeploy_init(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := filepath.Join(t.TempDir(), "My_Stack")
	out, stderr, code := ccqlBin(t, nil, "deploy", "init", "My_Stack", "--dir", dir)
	if code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "Created stack my-stack") {
		t.Errorf("init output: %s", out)
	}
	out, stderr, code = ccqlBin(t, nil, "deploy", "build", dir, "dev", "--dry-run")
	if code != 0 || !strings.Contains(out, "'my-stack-dev-pool'") || !strings.Contains(out, "-- app_client: create\nINSERT INTO awscc.cognito.user_pool_clients") {
		t.Errorf("dry run of the starter: exit %d\n%s\n%s", code, out, stderr)
	}
	// The example stack is exactly what init writes.
	example := filepath.Join(repoRoot(t), "examples", "deploy", "cognito")
	initDir := filepath.Join(t.TempDir(), "cognito-auth")
	if _, stderr, code := ccqlBin(t, nil, "deploy", "init", "cognito-auth", "--dir", initDir); code != 0 {
		t.Fatal(stderr)
	}
	for _, f := range []string{"stackql_manifest.yml", "README.md", "resources/user_pool.iql", "resources/app_client.iql"} {
		a, _ := os.ReadFile(filepath.Join(example, f))
		b, _ := os.ReadFile(filepath.Join(initDir, f))
		if string(a) != string(b) || len(a) == 0 {
			t.Errorf("%s: examples/deploy/cognito differs from `ccql deploy init cognito-auth`", f)
		}
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
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
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDeploy_v2LogGroupExample drives examples/deploy/log-group (v2 style:
// this.* from exists, return_vals, callbacks) through the binary: build,
// build again (no mutation), a changed retention planned as the one
// property that changes, build, test, teardown (its delete uses
// this.identifier).
func TestDeploy_v2LogGroupExample(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	env := []string{"CCQL_DATA_DIR=" + t.TempDir(), "AWS_REGION=us-east-1"}
	stack := filepath.Join("examples", "deploy", "log-group")
	must, wantLines := mustCCQL(t, env), wantLinesIn(t)

	_, errOut := must("deploy", "build", stack, "dev")
	wantLines("build", errOut, `✓ app_log_group\s+created`)
	out, errOut := must("deploy", "build", stack, "dev", "--show-queries")
	wantLines("second build", errOut, `✓ app_log_group\s+unchanged`)
	if strings.Contains(out, "INSERT") || strings.Contains(out, "UPDATE") {
		t.Errorf("second build sent a mutation:\n%s", out)
	}
	out, _ = must("deploy", "plan", stack, "dev", "-e", "RETENTION_DAYS=30")
	wantLines("plan", out, `^~ app_log_group\s+update\n\s+RetentionInDays: 7 → 30\n`, `^Plan: 0 to create, 1 to update, 0 unchanged\.$`)
	_, errOut = must("deploy", "build", stack, "dev", "-e", "RETENTION_DAYS=30")
	wantLines("build after change", errOut, `✓ app_log_group\s+updated`)
	must("deploy", "test", stack, "dev", "-e", "RETENTION_DAYS=30")
	_, errOut = must("deploy", "teardown", stack, "dev", "-e", "RETENTION_DAYS=30")
	wantLines("teardown", errOut, `✓ app_log_group\s+deleted`)
	got, _ := must("exec", "-o", "json", "SELECT log_group_name FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1'")
	if strings.TrimSpace(got) != "[]" {
		t.Errorf("teardown left %s", got)
	}
}
