package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The AWS CLI against `ccql serve`: the "real client" check for
// the CLI (the SDK's is in emulator/sdk_test.go). It runs whatever `aws`
// is on PATH (v1 from Debian's awscli, which .ci/run installs, or v2).

const (
	cliPoolType   = "AWS::Cognito::UserPool"
	cliClientType = "AWS::Cognito::UserPoolClient"
)

// startServeWith starts `ccql serve` on a free loopback port with extra
// flags and returns its address once it accepts connections.
func startServeWith(t *testing.T, args ...string) string {
	t.Helper()
	return startServeArgs(t, append([]string{"--data-dir", t.TempDir()}, args...)...)
}

// awsCLI runs the AWS CLI against one endpoint with dummy credentials and
// no user configuration.
type awsCLI struct {
	t        *testing.T
	endpoint string
	keyID    string
	secret   string
}

// cliResult is one run of the CLI.
type cliResult struct {
	args   []string
	stdout string
	stderr string
	code   int
	took   time.Duration
}

func (c *awsCLI) run(args ...string) cliResult {
	c.t.Helper()
	full := append([]string{"--endpoint-url", c.endpoint, "--region", "us-east-1", "--output", "json"}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "aws", full...)
	cmd.Env = append(cleanEnv(),
		"AWS_ACCESS_KEY_ID="+c.keyID,
		"AWS_SECRET_ACCESS_KEY="+c.secret,
		"AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"AWS_PAGER=",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_RETRY_MODE=standard",
		"AWS_MAX_ATTEMPTS=1",
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := cliResult{args: args, stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
	}
	return res
}

// ok runs the CLI, requires exit 0 and decodes its JSON output (nil when
// it printed nothing).
func (c *awsCLI) ok(args ...string) map[string]any {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("aws %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	if strings.TrimSpace(r.stdout) == "" {
		return nil
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		c.t.Fatalf("aws %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, r.stdout)
	}
	return out
}

// Exit codes of a failed call: v1 exits 255 for everything; v2 (Debian's
// awscli) exits 254 when the service answered with an error and 255 for a
// failed waiter.
const (
	exitServiceError = 254
	exitOther        = 255
)

// failed reports whether code is how the CLI exits for want, in either
// major version.
func failed(code, want int) bool {
	return code == want || want == exitServiceError && code == exitOther
}

// fails runs the CLI and requires the exit code and every fragment on stderr.
func (c *awsCLI) fails(code int, fragments []string, args ...string) {
	c.t.Helper()
	r := c.run(args...)
	if !failed(r.code, code) {
		c.t.Errorf("aws %s: exit %d, want %d\nstdout %s\nstderr %s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
		return
	}
	for _, f := range fragments {
		if !strings.Contains(r.stderr, f) {
			c.t.Errorf("aws %s: stderr lacks %q:\n%s", strings.Join(args, " "), f, r.stderr)
		}
	}
}

// str walks a decoded JSON document by keys and returns the string there.
func str(t *testing.T, doc map[string]any, path ...string) string {
	t.Helper()
	var v any = doc
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%v: no object at %s", path, k)
		}
		v = m[k]
	}
	s, ok := v.(string)
	if !ok {
		t.Fatalf("%v: %v is not a string", path, v)
	}
	return s
}

// waitSuccess runs the CLI's waiter. The emulator finishes requests at
// once, so the waiter's first poll (made without delay) should succeed;
// a slow wait means it saw IN_PROGRESS and slept its 5 s delay.
func (c *awsCLI) waitSuccess(token string) {
	c.t.Helper()
	r := c.run("cloudcontrol", "wait", "resource-request-success", "--request-token", token)
	if r.code != 0 {
		c.t.Fatalf("wait %s: exit %d\n%s", token, r.code, r.stderr)
	}
	if r.took > 5*time.Second {
		c.t.Logf("wait %s took %v: the first poll saw the request in progress", token, r.took)
	}
}

func requireAWSCLI(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary and runs the AWS CLI")
	}
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI (aws) is not on PATH: install the Debian package awscli (.ci/run does)")
	}
}

// TestServe_AWSCLI_CloudControl walks a pool and a client through the
// Cloud Control lifecycle with the AWS CLI, then the Cognito IdP API.
func TestServe_AWSCLI_CloudControl(t *testing.T) {
	requireAWSCLI(t)
	cli := &awsCLI{t: t, endpoint: "http://" + startServeWith(t), keyID: "AKIDCLITEST", secret: "cli-secret"}

	// Create a pool, wait, get it.
	out := cli.ok("cloudcontrol", "create-resource", "--type-name", cliPoolType, "--desired-state", `{"UserPoolName":"cli-pool"}`)
	if got := str(t, out, "ProgressEvent", "OperationStatus"); got != "IN_PROGRESS" {
		t.Errorf("create pool: OperationStatus %s, want IN_PROGRESS", got)
	}
	pool := str(t, out, "ProgressEvent", "Identifier")
	if !regexp.MustCompile(`^us-east-1_[0-9A-Za-z]{9}$`).MatchString(pool) {
		t.Fatalf("pool id %q", pool)
	}
	cli.waitSuccess(str(t, out, "ProgressEvent", "RequestToken"))
	got := cli.ok("cloudcontrol", "get-resource", "--type-name", cliPoolType, "--identifier", pool)
	if !strings.Contains(str(t, got, "ResourceDescription", "Properties"), `"UserPoolName":"cli-pool"`) {
		t.Errorf("get pool: %v", got)
	}

	// Create a client with a desired state, wait, get, list.
	out = cli.ok("cloudcontrol", "create-resource", "--type-name", cliClientType, "--desired-state",
		fmt.Sprintf(`{"UserPoolId":%q,"ClientName":"cli-client","GenerateSecret":true,"ExplicitAuthFlows":["ALLOW_USER_SRP_AUTH","ALLOW_REFRESH_TOKEN_AUTH"]}`, pool))
	client := str(t, out, "ProgressEvent", "Identifier")
	createToken := str(t, out, "ProgressEvent", "RequestToken")
	if !strings.HasPrefix(client, pool+"|") {
		t.Fatalf("client identifier %q does not start with the pool", client)
	}
	cli.waitSuccess(createToken)
	got = cli.ok("cloudcontrol", "get-resource", "--type-name", cliClientType, "--identifier", client)
	props := str(t, got, "ResourceDescription", "Properties")
	for _, want := range []string{`"ClientName":"cli-client"`, `"ClientSecret":"`, `"ALLOW_USER_SRP_AUTH"`} {
		if !strings.Contains(props, want) {
			t.Errorf("get client: properties lack %s: %s", want, props)
		}
	}
	list := cli.ok("cloudcontrol", "list-resources", "--type-name", cliClientType, "--resource-model", fmt.Sprintf(`{"UserPoolId":%q}`, pool))
	descs, _ := list["ResourceDescriptions"].([]any)
	if len(descs) != 1 || str(t, descs[0].(map[string]any), "Identifier") != client {
		t.Errorf("list clients: %v", list)
	}

	// Update with a patch document, wait, read it back.
	out = cli.ok("cloudcontrol", "update-resource", "--type-name", cliClientType, "--identifier", client,
		"--patch-document", `[{"op":"replace","path":"/ClientName","value":"renamed"},{"op":"add","path":"/AccessTokenValidity","value":2}]`)
	if got := str(t, out, "ProgressEvent", "Operation"); got != "UPDATE" {
		t.Errorf("update: Operation %s", got)
	}
	cli.waitSuccess(str(t, out, "ProgressEvent", "RequestToken"))
	props = str(t, cli.ok("cloudcontrol", "get-resource", "--type-name", cliClientType, "--identifier", client), "ResourceDescription", "Properties")
	if !strings.Contains(props, `"ClientName":"renamed"`) || !strings.Contains(props, `"AccessTokenValidity":2`) {
		t.Errorf("after update: %s", props)
	}

	// The ledger: the create's status, and the filtered list.
	st := cli.ok("cloudcontrol", "get-resource-request-status", "--request-token", createToken)
	if str(t, st, "ProgressEvent", "OperationStatus") != "SUCCESS" || str(t, st, "ProgressEvent", "Operation") != "CREATE" {
		t.Errorf("request status: %v", st)
	}
	reqs := cli.ok("cloudcontrol", "list-resource-requests", "--resource-request-status-filter", "Operations=CREATE,OperationStatuses=SUCCESS")
	sums, _ := reqs["ResourceRequestStatusSummaries"].([]any)
	if len(sums) != 2 {
		t.Errorf("list-resource-requests CREATE/SUCCESS: %d summaries, want 2 (pool and client): %v", len(sums), reqs)
	}
	for _, s := range sums {
		m := s.(map[string]any)
		if m["Operation"] != "CREATE" || m["OperationStatus"] != "SUCCESS" {
			t.Errorf("filtered summary %v", m)
		}
	}

	// Delete, wait, and the client is gone.
	out = cli.ok("cloudcontrol", "delete-resource", "--type-name", cliClientType, "--identifier", client)
	cli.waitSuccess(str(t, out, "ProgressEvent", "RequestToken"))
	cli.fails(exitServiceError, []string{"ResourceNotFoundException"}, "cloudcontrol", "get-resource", "--type-name", cliClientType, "--identifier", client)

	// The Cognito IdP API on the same port and state.
	created := cli.ok("cognito-idp", "create-user-pool", "--pool-name", "idp-pool")
	idpPool := str(t, created, "UserPool", "Id")
	c := cli.ok("cognito-idp", "create-user-pool-client", "--user-pool-id", idpPool, "--client-name", "idp-client", "--generate-secret")
	clientID := str(t, c, "UserPoolClient", "ClientId")
	if str(t, c, "UserPoolClient", "ClientSecret") == "" {
		t.Error("create-user-pool-client --generate-secret: no secret")
	}
	d := cli.ok("cognito-idp", "describe-user-pool-client", "--user-pool-id", idpPool, "--client-id", clientID)
	if str(t, d, "UserPoolClient", "ClientName") != "idp-client" {
		t.Errorf("describe-user-pool-client: %v", d)
	}
	l := cli.ok("cognito-idp", "list-user-pool-clients", "--user-pool-id", idpPool)
	clients, _ := l["UserPoolClients"].([]any)
	if len(clients) != 1 || str(t, clients[0].(map[string]any), "ClientId") != clientID {
		t.Errorf("list-user-pool-clients: %v", l)
	}
	// A pool made through Cognito is a Cloud Control resource too.
	got = cli.ok("cloudcontrol", "get-resource", "--type-name", cliPoolType, "--identifier", idpPool)
	if !strings.Contains(str(t, got, "ResourceDescription", "Properties"), `"UserPoolName":"idp-pool"`) {
		t.Errorf("get-resource of a pool made with cognito-idp: %v", got)
	}
}

// TestServe_AWSCLI_Failures checks what the CLI shows for the errors a
// user meets: synchronous exceptions with their messages, a request that
// fails asynchronously, and rejected signatures.
func TestServe_AWSCLI_Failures(t *testing.T) {
	requireAWSCLI(t)
	cli := &awsCLI{t: t, endpoint: "http://" + startServeWith(t), keyID: "AKIDCLITEST", secret: "cli-secret"}
	out := cli.ok("cloudcontrol", "create-resource", "--type-name", cliPoolType, "--desired-state", `{"UserPoolName":"fail-pool"}`)
	pool := str(t, out, "ProgressEvent", "Identifier")
	cli.waitSuccess(str(t, out, "ProgressEvent", "RequestToken"))

	tests := []struct {
		name      string
		args      []string
		fragments []string
	}{
		{"unknown type", []string{"cloudcontrol", "create-resource", "--type-name", "AWS::Cognito::NoSuchThing", "--desired-state", "{}"},
			[]string{"TypeNotFoundException", "AWS::Cognito::NoSuchThing"}},
		{"bad desired state", []string{"cloudcontrol", "create-resource", "--type-name", cliPoolType, "--desired-state", `{"UserPoolName":5}`},
			[]string{"ValidationException", "Model validation failed (#/UserPoolName: expected type: String, found: Integer)"}},
		{"read-only property", []string{"cloudcontrol", "create-resource", "--type-name", cliPoolType, "--desired-state", `{"Arn":"x"}`},
			[]string{"ValidationException", "readOnlyProperties [/properties/Arn]"}},
		{"list without the required model", []string{"cloudcontrol", "list-resources", "--type-name", cliClientType},
			[]string{"InvalidRequestException", "required key [UserPoolId] not found"}},
		{"unknown request token", []string{"cloudcontrol", "get-resource-request-status", "--request-token", "11111111-2222-3333-4444-555555555555"},
			[]string{"RequestTokenNotFoundException", "11111111-2222-3333-4444-555555555555"}},
		{"missing resource", []string{"cloudcontrol", "get-resource", "--type-name", cliPoolType, "--identifier", "us-east-1_Missing00"},
			[]string{"ResourceNotFoundException"}},
		{"create-only patch", []string{"cloudcontrol", "update-resource", "--type-name", cliPoolType, "--identifier", pool,
			"--patch-document", `[{"op":"replace","path":"/UserPoolId","value":"x"}]`},
			[]string{"ValidationException", "readOnlyProperties"}},
		{"cognito error", []string{"cognito-idp", "describe-user-pool-client", "--user-pool-id", pool, "--client-id", "nosuchclient"},
			[]string{"ResourceNotFoundException"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := *cli
			c.t = t
			c.fails(exitServiceError, tt.fragments, tt.args...)
		})
	}

	// A client Cognito refuses: accepted (IN_PROGRESS), then FAILED with
	// Cognito's message; the waiter reports the failure state.
	out = cli.ok("cloudcontrol", "create-resource", "--type-name", cliClientType, "--desired-state",
		fmt.Sprintf(`{"UserPoolId":%q,"CallbackURLs":["http://example.com/callback"]}`, pool))
	token := str(t, out, "ProgressEvent", "RequestToken")
	cli.fails(exitOther, []string{"Waiter ResourceRequestSuccess failed", "FAILED"},
		"cloudcontrol", "wait", "resource-request-success", "--request-token", token)
	st := cli.ok("cloudcontrol", "get-resource-request-status", "--request-token", token)
	if got := str(t, st, "ProgressEvent", "OperationStatus"); got != "FAILED" {
		t.Errorf("bad client: OperationStatus %s, want FAILED", got)
	}
	if got := str(t, st, "ProgressEvent", "ErrorCode"); got != "InvalidRequest" {
		t.Errorf("bad client: ErrorCode %s, want InvalidRequest", got)
	}
	if msg := str(t, st, "ProgressEvent", "StatusMessage"); !strings.Contains(msg, "http://example.com/callback cannot use the HTTP protocol") {
		t.Errorf("bad client: StatusMessage %q", msg)
	}
}

// TestServe_AWSCLI_Auth runs ccql serve with --auth-file: the right
// secret works, a wrong secret and an unknown key are refused with the
// exceptions AWS answers, and the secret never reaches the output.
func TestServe_AWSCLI_Auth(t *testing.T) {
	requireAWSCLI(t)
	auth := filepath.Join(t.TempDir(), "auth")
	if err := os.WriteFile(auth, []byte("AKIDCLIAUTH:right-secret-value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + startServeWith(t, "--auth-file", auth)
	list := []string{"cloudcontrol", "list-resources", "--type-name", cliPoolType}
	good := &awsCLI{t: t, endpoint: endpoint, keyID: "AKIDCLIAUTH", secret: "right-secret-value"}
	if out := good.ok(list...); out["TypeName"] != cliPoolType {
		t.Errorf("signed list: %v", out)
	}
	// The Cognito IdP API is signed by the CLI too (cognito-idp scope) and
	// passes the strict checks (host, X-Amz-Target and X-Amz-Date signed).
	if out := good.ok("cognito-idp", "list-user-pools", "--max-results", "1"); out["UserPools"] == nil {
		t.Errorf("signed list-user-pools: %v", out)
	}
	tests := []struct {
		name, keyID, secret, want string
	}{
		{"wrong secret", "AKIDCLIAUTH", "wrong-secret-value", "InvalidSignatureException"},
		{"unknown key", "AKIDSTRANGER", "right-secret-value", "UnrecognizedClientException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &awsCLI{t: t, endpoint: endpoint, keyID: tt.keyID, secret: tt.secret}
			r := c.run(list...)
			if !failed(r.code, exitServiceError) || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %s", r.code, r.stderr, exitServiceError, tt.want)
			}
			if strings.Contains(r.stderr+r.stdout, "right-secret-value") {
				t.Error("the output contains the secret")
			}
		})
	}
}
