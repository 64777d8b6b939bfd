package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccql/ccql/pgwire"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// mcpClient connects the Go SDK's client to `ccql mcp args…` over stdio.
func mcpStdio(t *testing.T, env []string, elicit func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error), args ...string) *mcp.ClientSession {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"mcp"}, args...)...)
	cmd.Env = append(cleanEnv(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	c := mcp.NewClient(&mcp.Implementation{Name: "ccql-test", Version: "1"}, &mcp.ClientOptions{ElicitationHandler: elicit})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs, err := c.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("connect: %v\n%s", err, stderr.String())
	}
	t.Cleanup(func() {
		cs.Close()
		if t.Failed() {
			t.Logf("ccql mcp stderr:\n%s", stderr.String())
		}
	})
	return cs
}

// startMCPHTTP starts `ccql mcp --http 127.0.0.1:0 args…` and returns its
// URL, read from the line it prints once it listens.
func startMCPHTTP(t *testing.T, env []string, args ...string) string {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, append([]string{"mcp", "--http", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(cleanEnv(), env...)
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); pw.Close(); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	urls := make(chan string, 1)
	var lines []string
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines = append(lines, sc.Text())
			if u, ok := strings.CutPrefix(sc.Text(), "ccql mcp: listening on "); ok {
				urls <- u
			}
		}
		close(urls)
	}()
	select {
	case u, ok := <-urls:
		if !ok {
			t.Fatalf("ccql mcp --http exited: %s", strings.Join(lines, "\n"))
		}
		go io.Copy(io.Discard, pr)
		return u
	case <-time.After(time.Minute):
		t.Fatal("ccql mcp --http did not start")
	}
	return ""
}

// bearer adds an Authorization header to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

func mcpHTTP(t *testing.T, url, token string) (*mcp.ClientSession, error) {
	t.Helper()
	hc := &http.Client{}
	if token != "" {
		hc.Transport = bearer{token, http.DefaultTransport}
	}
	c := mcp.NewClient(&mcp.Implementation{Name: "ccql-test", Version: "1"}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs, err := c.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: hc, MaxRetries: -1}, nil)
	if err == nil {
		t.Cleanup(func() { cs.Close() })
	}
	return cs, err
}

func callTool(t *testing.T, cs *mcp.ClientSession, name string, args map[string]any) (*mcp.CallToolResult, map[string]any) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var out map[string]any
	if res.StructuredContent != nil {
		b, _ := json.Marshal(res.StructuredContent)
		json.Unmarshal(b, &out)
	}
	return res, out
}

func toolText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

func canonJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	json.Unmarshal(b, &x)
	b, _ = json.Marshal(x)
	return string(b)
}

// exerciseMCP calls every tool against a server on dataDir and checks the
// rows against `ccql exec -o json` for the same statement.
func exerciseMCP(t *testing.T, cs *mcp.ClientSession, dataDir string) {
	t.Helper()
	tools, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tools.Tools) < 9 {
		t.Errorf("%d tools", len(tools.Tools))
	}
	ccql := mustCCQL(t, nil)
	execJSON := func(stmt string) string {
		out, _ := ccql("exec", "--data-dir", dataDir, "-o", "json", stmt)
		var v any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("exec -o json %s: %v\n%s", stmt, err, out)
		}
		return canonJSON(t, v)
	}
	res, out := callTool(t, cs, "run_mutation", map[string]any{"statement": "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'mcp-e2e', 'us-east-1'"})
	reqs, _ := out["requests"].([]any)
	if res.IsError || len(reqs) != 1 || reqs[0].(map[string]any)["status"] != "SUCCESS" {
		t.Fatalf("run_mutation: %s", toolText(res))
	}
	pool := reqs[0].(map[string]any)["identifier"].(string)
	token := reqs[0].(map[string]any)["request_token"].(string)
	for _, tc := range []struct {
		tool string
		args map[string]any
		stmt string
	}{
		{"list_services", map[string]any{"like": "cog%"}, "SHOW SERVICES IN awscc LIKE 'cog%'"},
		{"list_resources", map[string]any{"service": "cognito"}, "SHOW RESOURCES IN awscc.cognito"},
		{"list_methods", map[string]any{"resource": "awscc.cognito.user_pool_clients"}, "SHOW METHODS IN awscc.cognito.user_pool_clients"},
		{"query", map[string]any{"statement": "SELECT user_pool_id, user_pool_name, mfa_configuration, policies FROM awscc.cognito.user_pools WHERE region = 'us-east-1' AND Identifier = '" + pool + "'"},
			"SELECT user_pool_id, user_pool_name, mfa_configuration, policies FROM awscc.cognito.user_pools WHERE region = 'us-east-1' AND Identifier = '" + pool + "'"},
		{"query", map[string]any{"statement": "DESCRIBE EXTENDED awscc.cognito.user_pool_clients"}, "DESCRIBE EXTENDED awscc.cognito.user_pool_clients"},
		{"request_status", map[string]any{"region": "us-east-1", "request_token": token},
			"SELECT * FROM awscc.cloud_control.resource_request WHERE region = 'us-east-1' AND RequestToken = '" + token + "'"},
	} {
		res, out := callTool(t, cs, tc.tool, tc.args)
		if res.IsError {
			t.Errorf("%s: %s", tc.tool, toolText(res))
			continue
		}
		if got, want := canonJSON(t, out["rows"]), execJSON(tc.stmt); got != want {
			t.Errorf("%s %v:\n got %s\nwant %s (ccql exec -o json %q)", tc.tool, tc.args, got, want, tc.stmt)
		}
	}
	res, out = callTool(t, cs, "describe_resource", map[string]any{"resource": "awscc.cognito.user_pools"})
	if res.IsError || out["type_name"] != "AWS::Cognito::UserPool" {
		t.Errorf("describe_resource: %s", toolText(res))
	}
	res, out = callTool(t, cs, "server_info", map[string]any{})
	if res.IsError || out["mode"] != "full" {
		t.Errorf("server_info: %v", out)
	}
	// Errors carry ccql exec's message.
	stmt := "SELECT nope FROM awscc.cognito.user_pools WHERE region = 'us-east-1'"
	res, _ = callTool(t, cs, "query", map[string]any{"statement": stmt})
	_, errOut, code := ccqlBin(t, nil, "exec", "--data-dir", dataDir, stmt)
	if !res.IsError || code != 1 || !strings.Contains(errOut, toolText(res)) {
		t.Errorf("query error %q; ccql exec says %q", toolText(res), errOut)
	}
	res, _ = callTool(t, cs, "run_mutation", map[string]any{"statement": "DELETE FROM awscc.cognito.user_pools WHERE region = 'us-east-1' AND Identifier = '" + pool + "'"})
	if res.IsError {
		t.Errorf("delete: %s", toolText(res))
	}
	if got := execJSON("SELECT * FROM awscc.cognito.user_pools_list_only WHERE region = 'us-east-1'"); got != "[]" {
		t.Errorf("after delete: %s", got)
	}
}

func TestMCP_Stdio(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	audit := filepath.Join(t.TempDir(), "audit.jsonl")
	cs := mcpStdio(t, nil, nil, "--data-dir", dir, "--audit-log", audit)
	exerciseMCP(t, cs, dir)
	b, err := os.ReadFile(audit)
	if err != nil || strings.Count(string(b), "\n") != 4 || !strings.Contains(string(b), `"event":"finished"`) {
		t.Errorf("audit log (%v):\n%s", err, b)
	}
}

func TestMCP_HTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	url := startMCPHTTP(t, nil, "--data-dir", dir)
	cs, err := mcpHTTP(t, url, "")
	if err != nil {
		t.Fatal(err)
	}
	exerciseMCP(t, cs, dir)
}

func TestMCP_HTTPAuth(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte("s3cret-token\n"), 0o600)
	url := startMCPHTTP(t, nil, "--data-dir", t.TempDir(), "--token-file", tokenFile)
	if _, err := mcpHTTP(t, url, ""); err == nil {
		t.Error("connected without the token")
	}
	if _, err := mcpHTTP(t, url, "wrong"); err == nil {
		t.Error("connected with a wrong token")
	}
	cs, err := mcpHTTP(t, url, "s3cret-token")
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := callTool(t, cs, "list_services", map[string]any{"like": "cognito"}); res.IsError {
		t.Error(toolText(res))
	}
	// Off loopback, authentication is required.
	_, errOut, code := ccqlBin(t, nil, "mcp", "--http", "0.0.0.0:0", "--data-dir", t.TempDir())
	if code != 2 || !strings.Contains(errOut, "without authentication") {
		t.Errorf("0.0.0.0 without auth: exit %d, %q", code, errOut)
	}
}

// basicAuth adds HTTP Basic credentials to every request.
type basicAuth struct {
	user, pass string
	next       http.RoundTripper
}

func (b basicAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.SetBasicAuth(b.user, b.pass)
	return b.next.RoundTrip(r)
}

func TestMCP_HTTPUsersFile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	line, err := pgwire.UsersLine("alice", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	users := filepath.Join(t.TempDir(), "users")
	os.WriteFile(users, []byte(line), 0o600)
	url := startMCPHTTP(t, nil, "--data-dir", t.TempDir(), "--users-file", users)
	connect := func(pass string) error {
		c := mcp.NewClient(&mcp.Implementation{Name: "ccql-test", Version: "1"}, nil)
		hc := &http.Client{Transport: basicAuth{"alice", pass, http.DefaultTransport}}
		cs, err := c.Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: hc, MaxRetries: -1}, nil)
		if err == nil {
			_, err = cs.ListTools(context.Background(), nil)
			cs.Close()
		}
		return err
	}
	if err := connect("wrong"); err == nil {
		t.Error("a wrong password was accepted")
	}
	if err := connect("correct horse"); err != nil {
		t.Errorf("alice's password: %v", err)
	}
}

func TestMCP_Modes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	insert := map[string]any{"statement": "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'm', 'us-east-1'"}
	cs := mcpStdio(t, nil, nil, "--data-dir", t.TempDir(), "--mode", "read-only")
	if res, _ := callTool(t, cs, "run_mutation", insert); !res.IsError || !strings.Contains(toolText(res), "read-only") {
		t.Errorf("read-only: %s", toolText(res))
	}
	asked := 0
	cs = mcpStdio(t, nil, func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
		asked++
		return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}, nil
	}, "--data-dir", t.TempDir(), "--mode", "safe")
	if res, _ := callTool(t, cs, "run_mutation", insert); res.IsError || asked != 1 {
		t.Errorf("safe: asked %d times: %s", asked, toolText(res))
	}
	// The default mode follows the backend: real AWS is read-only, an
	// endpoint asks, the embedded emulator runs.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--backend", "aws", "--region", "us-east-1"}, "read-only"},
		{[]string{"--endpoint", "http://127.0.0.1:9"}, "safe"},
		{nil, "full"},
	} {
		cs := mcpStdio(t, []string{"AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=x"}, nil, append(tc.args, "--data-dir", t.TempDir())...)
		if _, out := callTool(t, cs, "server_info", map[string]any{}); out["mode"] != tc.want {
			t.Errorf("%v: mode %v, want %s", tc.args, out["mode"], tc.want)
		}
	}
	_, errOut, code := ccqlBin(t, nil, "mcp", "--mode", "yolo", "--data-dir", t.TempDir())
	if code != 2 || !strings.Contains(errOut, "--mode") {
		t.Errorf("--mode yolo: exit %d, %q", code, errOut)
	}
}

func TestMCP_UsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"mcp", "--mode", "yolo"},
		{"mcp", "--max-rows", "0"},
		{"mcp", "--token-file", "t"},
		{"mcp", "--users-file", "u"},
		{"mcp", "--http", "0.0.0.0:0"},
		{"mcp", "--backend", "nope"},
		{"mcp", "extra"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append(args, "--data-dir", t.TempDir()), strings.NewReader(""), &stdout, &stderr)
		if code != 2 || stdout.Len() != 0 || !strings.HasPrefix(stderr.String(), "ccql: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout.String(), stderr.String())
		}
	}
}
