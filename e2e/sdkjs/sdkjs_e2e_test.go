// Package sdkjs_test drives the Cognito IdP API of `ccql serve` with the
// AWS SDK for JavaScript v3 (@aws-sdk/client-cognito-identity-provider,
// pinned in package-lock.json), with and without SigV4 checking
// (--auth-file). The node script sdkjs.cjs runs the groups of groups/,
// which assert each operation's effects and some of AWS's errors; this test
// checks that every operation the server serves was exercised, that the
// SDK signed exactly the operations the server requires a signature for,
// and the refusals' error names and messages.
package sdkjs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/ccql/ccql/internal/e2etest"
)

const (
	accessKey = "AKIDSDKJSE2E"
	secretKey = "sdkjs-e2e-secret"
)

// notExercised are the operations of the SDK's model that no group of
// groups/ exercises, each with the reason. The test fails when an operation
// is neither exercised nor listed here, when a listed one is exercised,
// and when one listed as not served is served, so the list is always exact.
var notExercised = map[string]string{}

// notServed begins the reason of notExercised for an operation ccql serve
// does not serve (the probe checks that it does not), e.g. notServed +
// "passkeys are not merged yet".
const notServed = "not served: "

// buildOnce builds the ccql binary once for this test binary.
var buildOnce = sync.OnceValues(func() (string, error) { return e2etest.Build("ccql-sdkjs-e2e") })

// serve starts `ccql serve`, checking SigV4 when withAuth is set, and
// returns its URL.
func serve(t *testing.T, withAuth bool) string {
	t.Helper()
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	args := []string{"--data-dir", filepath.Join(dir, "data"), "--log-level", "warn"}
	if withAuth {
		auth := filepath.Join(dir, "auth")
		if err := os.WriteFile(auth, []byte(accessKey+":"+secretKey+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--auth-file", auth)
	}
	return "http://" + e2etest.Serve(t, bin, []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}, args...)
}

type apiError struct{ Name, Message string }

type result struct {
	Operations []string
	Groups     map[string][]string
	Refusals   map[string]apiError
	Signed     map[string]bool
	Clients    struct{ Public, Confidential, DefaultFlows string }
}

// runSDK runs sdkjs.cjs against endpoint and decodes its report.
func runSDK(t *testing.T, endpoint string, checksSignatures bool) result {
	t.Helper()
	cfg, err := json.Marshal(map[string]any{"endpoint": endpoint, "accessKeyId": accessKey, "secretAccessKey": secretKey,
		"checksSignatures": checksSignatures})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "sdkjs.cjs", string(cfg))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var out result
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("node output %q: %v", stdout.String(), err)
	}
	return out
}

// sdkOperations enumerates the operations of the aws-sdk-go-v2 client by
// reflection: every exported method of *Client but Options.
func sdkOperations() []string {
	ty := reflect.TypeOf(&cip.Client{})
	var out []string
	for i := range ty.NumMethod() {
		if name := ty.Method(i).Name; name != "Options" {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// surface is what a server serves: per operation, whether it answers it
// at all and whether it does without a signature.
type surface struct{ served, anonymous map[string]bool }

// probe sends every SDK operation unsigned, with an empty body, to a
// server that checks signatures: UnknownOperationException means the
// operation is not served, MissingAuthenticationTokenException that it is
// served to signed requests only; any other answer (the operation's own
// validation) that it is served anonymously.
func probe(t *testing.T, endpoint string) surface {
	t.Helper()
	s := surface{served: map[string]bool{}, anonymous: map[string]bool{}}
	for _, op := range sdkOperations() {
		req, err := http.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("probe %s: %v", op, err)
		}
		var body struct {
			Type string `json:"__type"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("probe %s: %v", op, err)
		}
		switch {
		case resp.StatusCode == http.StatusOK:
			t.Fatalf("probe %s: an empty request succeeded", op)
		case strings.HasSuffix(body.Type, "UnknownOperationException"):
		case strings.HasSuffix(body.Type, "MissingAuthenticationTokenException"):
			s.served[op] = true
		default:
			s.served[op] = true
			s.anonymous[op] = true
		}
	}
	return s
}

// commandRef is how a group names an operation: cip.<Operation>Command.
var commandRef = regexp.MustCompile(`\bcip\.(\w+)Command\b`)

// namedOperations reads the operations each file of groups/ names.
func namedOperations(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("groups", "*.cjs"))
	if err != nil || len(files) == 0 {
		t.Fatalf("groups/*.cjs: %v (%d files)", err, len(files))
	}
	out := map[string][]string{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".cjs")
		seen := map[string]bool{}
		for _, m := range commandRef.FindAllStringSubmatch(string(src), -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				out[name] = append(out[name], m[1])
			}
		}
	}
	return out
}

// TestSDKForJavaScriptV3 drives every served Cognito IdP operation with
// the AWS SDK for JavaScript v3 against ccql serve, with SigV4 checked and
// not.
func TestSDKForJavaScriptV3(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs ccql serve and node")
	}
	e2etest.RequireNodeModules(t, "e2e/sdkjs", "@aws-sdk/client-cognito-identity-provider")
	var srv surface // probed on the server that checks signatures
	for _, withAuth := range []bool{true, false} {
		name := "no-auth-file"
		if withAuth {
			name = "auth-file"
		}
		t.Run(name, func(t *testing.T) {
			endpoint := serve(t, withAuth)
			if withAuth {
				srv = probe(t, endpoint)
			}
			if srv.served == nil {
				t.Fatal("the auth-file run did not probe the server")
			}
			out := runSDK(t, endpoint, withAuth)
			checkCoverage(t, out, srv)
			checkRefusals(t, out, withAuth)
		})
	}
}

// checkCoverage checks that every served operation succeeded at least
// once (but those notExercised lists), that each group's named operations
// all succeeded in that group, and that the SDK signed exactly the
// operations the server refuses unsigned.
func checkCoverage(t *testing.T, out result, srv surface) {
	t.Helper()
	for _, p := range coverageProblems(out, srv, sdkOperations(), notExercised, namedOperations(t)) {
		t.Error(p)
	}
}

// coverageProblems is checkCoverage's judgement: sdk is the model's
// operations, excused the operations no group needs to exercise (with the
// reason), named the operations each group's file names.
func coverageProblems(out result, srv surface, sdk []string, excused map[string]string, named map[string][]string) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	ran := map[string]bool{}
	for _, op := range out.Operations {
		ran[op] = true
		if !srv.served[op] {
			bad("%s ran, but the probe found it not served", op)
		}
	}
	for _, op := range sdk {
		reason, listed := excused[op]
		switch {
		case ran[op] && listed:
			bad("%s is exercised now: remove it from notExercised (%s)", op, reason)
		case listed && strings.HasPrefix(reason, notServed) && srv.served[op]:
			bad("%s is served now: exercise it in a group of groups/ (notExercised says %q)", op, reason)
		case !ran[op] && !listed && srv.served[op]:
			bad("%s is served but no group of groups/ exercises it", op)
		case !ran[op] && !listed:
			bad("%s is not served and not listed in notExercised", op)
		}
	}
	for op, signed := range out.Signed {
		if signed == srv.anonymous[op] {
			bad("%s: the SDK signed it: %v; the server serves it anonymously: %v", op, signed, srv.anonymous[op])
		}
	}
	for group, ops := range named {
		did := map[string]bool{}
		for _, op := range out.Groups[group] {
			did[op] = true
		}
		for _, op := range ops {
			if !did[op] {
				bad("groups/%s.cjs names %s, which never succeeded in that group", group, op)
			}
		}
	}
	sort.Strings(problems)
	return problems
}

// checkRefusals compares the users group's refusals with AWS's words.
func checkRefusals(t *testing.T, out result, withAuth bool) {
	t.Helper()
	sec := out.Clients.Confidential
	want := map[string]apiError{
		"badFilter":               {"InvalidParameterException", "Error while parsing filter."},
		"disabled":                {"NotAuthorizedException", "User is disabled."},
		"wrongPassword":           {"NotAuthorizedException", "Incorrect username or password."},
		"oldPassword":             {"NotAuthorizedException", "Incorrect username or password."},
		"changePasswordWrong":     {"NotAuthorizedException", "Incorrect username or password."},
		"flowNotEnabled":          {"InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client"},
		"missingSecretHash":       {"NotAuthorizedException", "Client " + sec + " is configured with secret but SECRET_HASH was not received"},
		"signUpMissingSecretHash": {"NotAuthorizedException", "Client " + sec + " is configured with secret but SECRET_HASH was not received"},
		"wrongSecretHash":         {"NotAuthorizedException", "Unable to verify secret hash for client " + sec},
		"unconfirmed":             {"UserNotConfirmedException", "User is not confirmed."},
		"wrongCode":               {"CodeMismatchException", "Invalid verification code provided, please try again."},
		"wrongTotp":               {"CodeMismatchException", "Invalid code or auth state for the user."},
		"revokedRefresh":          {"NotAuthorizedException", "Refresh Token has been revoked"},
		"revokedAccess":           {"NotAuthorizedException", "Access Token has been revoked"},
		"signedOut":               {"NotAuthorizedException", "Access Token has been revoked"},
		"reenabledAccess":         {"NotAuthorizedException", "Access Token has been revoked"},
		"deletedUser":             {"UserNotFoundException", "User does not exist."},
		"shortPassword":           {"InvalidPasswordException", "Password did not conform with policy: Password not long enough"},
	}
	for label, w := range want {
		if got := out.Refusals[label]; got != w {
			t.Errorf("%s: got %s %q, want %s %q", label, got.Name, got.Message, w.Name, w.Message)
		}
	}
	if got := out.Refusals["tierTooLong"]; got.Name != "InvalidParameterException" || !strings.Contains(got.Message, "custom:tier") {
		t.Errorf("tierTooLong: %+v", got)
	}
	forged, ok := out.Refusals["forgedSignature"]
	if withAuth && forged.Name != "InvalidSignatureException" {
		t.Errorf("forged signature: %+v", forged)
	}
	if !withAuth && ok {
		t.Errorf("forged-signature check ran without --auth-file: %+v", forged)
	}
}
