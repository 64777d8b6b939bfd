// Package sdkjs_test drives Cognito users and sign-in on `ccql serve` with
// the AWS SDK for JavaScript v3 (@aws-sdk/client-cognito-identity-provider,
// pinned in package-lock.json), with and without SigV4 checking
// (--auth-file). The node script sdkjs.cjs asserts each response's shape;
// this test checks which operations ran, that the SDK signed exactly the
// admin ones, and the refusals' error names and messages.
package sdkjs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ccql/ccql/internal/e2etest"
)

const (
	accessKey = "AKIDSDKJSE2E"
	secretKey = "sdkjs-e2e-secret"
)

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

// adminOperations are signed by the SDK; anonymousOperations are sent
// unsigned (AWS serves them without credentials).
var (
	adminOperations = []string{"CreateUserPool", "CreateUserPoolClient", "AdminCreateUser", "AdminGetUser", "ListUsers",
		"AdminUpdateUserAttributes", "AdminSetUserPassword", "CreateGroup", "AdminAddUserToGroup", "AdminListGroupsForUser",
		"ListUsersInGroup", "AdminDisableUser", "AdminEnableUser", "SetUserPoolMfaConfig", "AdminDeleteUser", "UpdateUserPool",
		"AddCustomAttributes", "DescribeUserPool"}
	anonymousOperations = []string{"SignUp", "ConfirmSignUp", "ForgotPassword", "ConfirmForgotPassword", "InitiateAuth",
		"RespondToAuthChallenge", "GetUser", "UpdateUserAttributes", "ChangePassword", "AssociateSoftwareToken",
		"VerifySoftwareToken", "SetUserMFAPreference", "GlobalSignOut", "RevokeToken"}
)

// TestSDKForJavaScriptV3 drives every user and sign-in operation with the
// AWS SDK for JavaScript v3 against ccql serve, with SigV4 checked and not.
func TestSDKForJavaScriptV3(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs ccql serve and node")
	}
	e2etest.RequireNodeModules(t, "e2e/sdkjs", "@aws-sdk/client-cognito-identity-provider")
	for _, withAuth := range []bool{true, false} {
		name := "no-auth-file"
		if withAuth {
			name = "auth-file"
		}
		t.Run(name, func(t *testing.T) {
			out := runSDK(t, serve(t, withAuth), withAuth)
			ran := map[string]bool{}
			for _, op := range out.Operations {
				ran[op] = true
			}
			for _, op := range adminOperations {
				if !ran[op] || !out.Signed[op] {
					t.Errorf("admin operation %s: ran %v, signed %v", op, ran[op], out.Signed[op])
				}
			}
			for _, op := range anonymousOperations {
				if !ran[op] || out.Signed[op] {
					t.Errorf("anonymous operation %s: ran %v, signed %v (want unsigned)", op, ran[op], out.Signed[op])
				}
			}
			if len(out.Signed) != len(adminOperations)+len(anonymousOperations) {
				t.Errorf("operations sent %v, want exactly %v and %v", out.Signed, adminOperations, anonymousOperations)
			}
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
		})
	}
}
