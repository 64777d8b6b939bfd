package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nodeMCP runs e2e/mcp/client.mjs (the official TypeScript MCP SDK) and
// decodes what it prints. Without node or e2e/mcp/node_modules it skips,
// except under CI, where it fails.
func nodeMCP(t *testing.T, args ...string) map[string]any {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "e2e", "mcp")
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "@modelcontextprotocol", "sdk"))
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the TypeScript MCP client is not installed (run npm ci in e2e/mcp): %v", err)
		}
		t.Skipf("the TypeScript MCP client is not installed (npm ci in e2e/mcp): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{"client.mjs"}, args...)...)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node client.mjs %v: %v\n%s\n%s", args, err, stdout.String(), stderr.String())
	}
	var out map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("node client.mjs output: %v\n%s", err, stdout.String())
	}
	return out
}

func nodeCall(out map[string]any, name string) (isError bool, structured map[string]any, text string) {
	c, _ := out["calls"].(map[string]any)[name].(map[string]any)
	structured, _ = c["structured"].(map[string]any)
	text, _ = c["text"].(string)
	return c["isError"] == true, structured, text
}

// checkNodeAll checks the "all" scenario: every tool called by the
// TypeScript client, rows equal to ccql exec -o json.
func checkNodeAll(t *testing.T, out map[string]any, dataDir string) {
	t.Helper()
	ccql := mustCCQL(t, nil)
	execJSON := func(stmt string) string {
		o, _ := ccql("exec", "--data-dir", dataDir, "-o", "json", stmt)
		var v any
		if err := json.Unmarshal([]byte(o), &v); err != nil {
			t.Fatalf("exec -o json %s: %v", stmt, err)
		}
		return canonJSON(t, v)
	}
	tools, _ := out["tools"].([]any)
	annotations := map[string]map[string]any{}
	for _, x := range tools {
		m := x.(map[string]any)
		if m["inputType"] != "object" || m["outputType"] != "object" {
			t.Errorf("tool %v: schemas", m)
		}
		annotations[m["name"].(string)], _ = m["annotations"].(map[string]any)
	}
	if len(tools) != 9 || annotations["run_mutation"]["destructiveHint"] != true || annotations["query"]["readOnlyHint"] != true {
		t.Errorf("tools: %v", tools)
	}
	if len(out["prompts"].([]any)) != 3 || len(out["templates"].([]any)) != 2 || !strings.Contains(out["page"].(string), "| client_id | string |") ||
		!strings.Contains(out["prompt"].(string), "json_each") {
		t.Errorf("prompts %v, templates %v, page/prompt text", out["prompts"], out["templates"])
	}
	for name, stmt := range map[string]string{
		"list_services":  "SHOW SERVICES IN awscc LIKE 'cog%'",
		"list_resources": "SHOW RESOURCES IN awscc.cognito",
		"list_methods":   "SHOW METHODS IN awscc.cognito.user_pool_clients",
	} {
		isErr, s, text := nodeCall(out, name)
		if isErr || canonJSON(t, s["rows"]) != execJSON(stmt) {
			t.Errorf("%s: %v %s", name, s, text)
		}
	}
	isErr, run, text := nodeCall(out, "run_mutation")
	reqs, _ := run["requests"].([]any)
	if isErr || len(reqs) != 1 {
		t.Fatalf("run_mutation: %s", text)
	}
	req := reqs[0].(map[string]any)
	if req["status"] != "SUCCESS" || req["operation"] != "CREATE" {
		t.Errorf("run_mutation request %v", req)
	}
	if isErr, s, text := nodeCall(out, "query"); isErr || canonJSON(t, s["rows"]) != execJSON(s["statement"].(string)) || len(s["rows"].([]any)) != 1 {
		t.Errorf("query: %v %s", s, text)
	}
	if isErr, s, text := nodeCall(out, "request_status"); isErr || canonJSON(t, s["rows"]) != execJSON(s["statement"].(string)) {
		t.Errorf("request_status: %v %s", s, text)
	}
	if isErr, s, text := nodeCall(out, "plan_mutation"); isErr || len(s["requests"].([]any)) != 1 {
		t.Errorf("plan_mutation: %v %s", s, text)
	}
	if isErr, s, _ := nodeCall(out, "describe_resource"); isErr || s["type_name"] != "AWS::Cognito::UserPoolClient" {
		t.Errorf("describe_resource: %v", s)
	}
	if isErr, s, _ := nodeCall(out, "server_info"); isErr || s["mode"] != "full" {
		t.Errorf("server_info: %v", s)
	}
	stmt := "SELECT nope FROM awscc.cognito.user_pools WHERE region = 'us-east-1'"
	_, errOut, _ := ccqlBin(t, nil, "exec", "--data-dir", dataDir, stmt)
	if isErr, _, text := nodeCall(out, "query_error"); !isErr || !strings.Contains(errOut, text) {
		t.Errorf("query error %q, ccql exec: %q", text, errOut)
	}
	if isErr, _, text := nodeCall(out, "query_mutation"); !isErr || !strings.Contains(text, "read-only") {
		t.Errorf("query of an INSERT: %q", text)
	}
}

func TestMCP_NodeClientStdio(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := nodeMCP(t, "all", "stdio", bin, "--data-dir", dir, "--audit-log", filepath.Join(t.TempDir(), "a.jsonl"))
	checkNodeAll(t, out, dir)
}

func TestMCP_NodeClientHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	url := startMCPHTTP(t, nil, "--data-dir", dir)
	checkNodeAll(t, nodeMCP(t, "all", "http", url), dir)
	// Safe mode over HTTP: the confirmation travels as a server-to-client
	// request on the session's stream.
	url = startMCPHTTP(t, nil, "--data-dir", t.TempDir(), "--mode", "safe")
	out := nodeMCP(t, "confirm", "http", url)
	r := out["result"].(map[string]any)
	if asked, _ := out["asked"].([]any); r["isError"] == true || len(asked) != 1 {
		t.Errorf("safe mode over HTTP: asked %d times: %v", len(asked), r["text"])
	}
}

func TestMCP_NodeClientModes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	pools := func(dir string) string {
		o, _ := mustCCQL(t, nil)("exec", "--data-dir", dir, "-o", "json", "SELECT * FROM awscc.cognito.user_pools_list_only WHERE region = 'us-east-1'")
		return strings.TrimSpace(o)
	}
	result := func(out map[string]any) (bool, string) {
		r := out["result"].(map[string]any)
		return r["isError"] == true, r["text"].(string)
	}
	for _, tc := range []struct {
		scenario, mode string
		asked          int
		refused        bool
		want           string
	}{
		{"refuse", "read-only", 0, true, "read-only"},
		{"refuse", "safe", 0, true, "elicitation"},
		{"confirm", "safe", 1, false, "SUCCESS"},
		{"decline", "safe", 1, true, "did not confirm"},
	} {
		dir := t.TempDir()
		out := nodeMCP(t, tc.scenario, "stdio", bin, "--data-dir", dir, "--mode", tc.mode)
		refused, text := result(out)
		asked, _ := out["asked"].([]any)
		if refused != tc.refused || !strings.Contains(text, tc.want) || len(asked) != tc.asked {
			t.Errorf("%s in %s mode: refused %v, asked %d times, %q", tc.scenario, tc.mode, refused, len(asked), text)
		}
		if tc.asked > 0 && !strings.Contains(asked[0].(map[string]any)["message"].(string), "INSERT INTO awscc.cognito.user_pools") {
			t.Errorf("the confirmation does not show the statement: %v", asked[0])
		}
		if got := pools(dir); (got == "[]") != tc.refused {
			t.Errorf("%s in %s mode: pools %s", tc.scenario, tc.mode, got)
		}
	}
}
