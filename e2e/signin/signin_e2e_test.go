// Package signin_test drives Cognito sign-in on `ccql serve` with real
// clients: amazon-cognito-identity-js (node, SRP) and aws-sdk-go-v2, and
// verifies the tokens with go-oidc against the pool's discovery document
// and JWKS.
package signin_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/ccql/ccql/internal/cloudcontrol"
	"github.com/ccql/ccql/internal/e2etest"
	"github.com/coreos/go-oidc/v3/oidc"
)

const (
	accessKey = "AKIDSIGNINE2E"
	secretKey = "signin-e2e-secret"
)

// buildOnce builds the ccql binary once for this test binary.
var buildOnce = sync.OnceValues(func() (string, error) { return e2etest.Build("ccql-signin-e2e") })

// serve starts `ccql serve` with SigV4 checking on and returns its URL.
func serve(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs ccql serve")
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	auth := filepath.Join(dir, "auth")
	if err := os.WriteFile(auth, []byte(accessKey+":"+secretKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return "http://" + e2etest.Serve(t, bin, []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")},
		"--data-dir", filepath.Join(dir, "data"), "--auth-file", auth, "--log-level", "warn")
}

// clients returns an SDK client that signs (admin operations) and one
// that does not (the operations AWS serves anonymously).
func clients(endpoint string) (admin, anon *cip.Client) {
	admin = cip.New(cip.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1,
		HTTPClient: cloudcontrol.BufferBodies(awshttp.NewBuildableClient()), Credentials: credentials.NewStaticCredentialsProvider(accessKey, secretKey, "")})
	anon = cip.New(cip.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1,
		HTTPClient: cloudcontrol.BufferBodies(awshttp.NewBuildableClient()), Credentials: aws.AnonymousCredentials{}})
	return admin, anon
}

// setupPool makes a pool, a client and a confirmed user alice.
func setupPool(t *testing.T, admin *cip.Client, client *cip.CreateUserPoolClientInput) (poolID, clientID string) {
	t.Helper()
	ctx := context.Background()
	pool, err := admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("e2e"), AutoVerifiedAttributes: []types.VerifiedAttributeType{"email"}})
	if err != nil {
		t.Fatal(err)
	}
	poolID = aws.ToString(pool.UserPool.Id)
	client.UserPoolId, client.ClientName = &poolID, aws.String("app")
	c, err := admin.CreateUserPoolClient(ctx, client)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("alice"),
		MessageAction: types.MessageActionTypeSuppress, TemporaryPassword: aws.String("Temp0rary!pw"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("alice@example.com")},
			{Name: aws.String("email_verified"), Value: aws.String("true")}}}); err != nil {
		t.Fatal(err)
	}
	return poolID, aws.ToString(c.UserPoolClient.ClientId)
}

func setPermanentPassword(t *testing.T, admin *cip.Client, poolID, password string) {
	t.Helper()
	if _, err := admin.AdminSetUserPassword(context.Background(), &cip.AdminSetUserPasswordInput{UserPoolId: &poolID,
		Username: aws.String("alice"), Password: &password, Permanent: true}); err != nil {
		t.Fatal(err)
	}
}

func wantError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		t.Fatalf("error %v, want %s: %s", err, code, msg)
	}
}

// verifier checks tokens with go-oidc through the pool's discovery
// document and JWKS, as an application's backend would.
func verifier(t *testing.T, endpoint, poolID, clientID string, access bool) *oidc.IDTokenVerifier {
	t.Helper()
	p, err := oidc.NewProvider(context.Background(), endpoint+"/"+poolID)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return p.Verifier(&oidc.Config{ClientID: clientID, SkipClientIDCheck: access})
}

// TestAmazonCognitoIdentityJS signs in with the library's SRP, refreshes,
// reads the user and signs out; the tokens verify with go-oidc, and the
// signed-out tokens are refused.
func TestAmazonCognitoIdentityJS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs ccql serve and node")
	}
	e2etest.RequireNodeModules(t, "e2e/signin", "amazon-cognito-identity-js")
	endpoint := serve(t)
	admin, anon := clients(endpoint)
	poolID, clientID := setupPool(t, admin, &cip.CreateUserPoolClientInput{})
	setPermanentPassword(t, admin, poolID, "Corr3ct!horse")
	cfg, _ := json.Marshal(map[string]string{"endpoint": endpoint + "/", "poolId": poolID, "clientId": clientID,
		"username": "alice", "password": "Corr3ct!horse"})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "signin.cjs", string(cfg))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var out struct {
		WrongPassword string
		First         struct{ IDToken, AccessToken, RefreshToken, Username string }
		Refreshed     struct{ IDToken, AccessToken string }
		Attributes    map[string]string
		SignedOut     bool
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("node output %q: %v", stdout.String(), err)
	}
	if out.WrongPassword != "NotAuthorizedException: Incorrect username or password." {
		t.Errorf("wrong password: %q", out.WrongPassword)
	}
	if out.First.Username != "alice" || out.Attributes["email"] != "alice@example.com" || !out.SignedOut {
		t.Errorf("library results: %+v", out)
	}
	if n := strings.Count(out.First.RefreshToken, "."); n != 4 {
		t.Errorf("refresh token has %d dots, want 4 (JWE shape)", n)
	}
	ctx = context.Background()
	idv := verifier(t, endpoint, poolID, clientID, false)
	for _, tok := range []string{out.First.IDToken, out.Refreshed.IDToken} {
		id, err := idv.Verify(ctx, tok)
		if err != nil {
			t.Fatalf("ID token: %v", err)
		}
		var c struct {
			TokenUse string `json:"token_use"`
			AuthTime int64  `json:"auth_time"`
		}
		if err := id.Claims(&c); err != nil || c.TokenUse != "id" {
			t.Errorf("ID token claims %+v %v", c, err)
		}
	}
	av := verifier(t, endpoint, poolID, clientID, true)
	for _, tok := range []string{out.First.AccessToken, out.Refreshed.AccessToken} {
		if _, err := av.Verify(ctx, tok); err != nil {
			t.Fatalf("access token: %v", err)
		}
	}
	_, err := anon.GetUser(ctx, &cip.GetUserInput{AccessToken: &out.Refreshed.AccessToken})
	wantError(t, err, "NotAuthorizedException", "Access Token has been revoked")
	_, err = anon.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": out.First.RefreshToken}})
	wantError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
}

// outboxCode reads the newest code sent to alice from the outbox endpoint.
func outboxCode(t *testing.T, endpoint, poolID string) string {
	t.Helper()
	resp, err := http.Get(endpoint + "/_ccql/cognito/messages?userPoolId=" + url.QueryEscape(poolID) + "&username=alice")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Messages []struct{ Code string }
	}
	raw := new(bytes.Buffer)
	raw.ReadFrom(resp.Body)
	if err := json.Unmarshal(raw.Bytes(), &body); err != nil || len(body.Messages) == 0 {
		var list []struct{ Code string }
		if err2 := json.Unmarshal(raw.Bytes(), &list); err2 != nil || len(list) == 0 {
			t.Fatalf("outbox %s: %v", raw.String(), err)
		}
		return list[len(list)-1].Code
	}
	return body.Messages[len(body.Messages)-1].Code
}

// TestSDKDrivesEveryOperation runs every sign-in and token operation with
// aws-sdk-go-v2, unsigned where AWS serves them anonymously.
func TestSDKDrivesEveryOperation(t *testing.T) {
	endpoint := serve(t)
	admin, anon := clients(endpoint)
	ctx := context.Background()
	poolID, clientID := setupPool(t, admin, &cip.CreateUserPoolClientInput{
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
	})
	pw := func(p string) map[string]string { return map[string]string{"USERNAME": "alice", "PASSWORD": p} }

	// SRP is not enabled on this client.
	_, err := anon.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserSrpAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "SRP_A": "2"}})
	wantError(t, err, "InvalidParameterException", "USER_SRP_AUTH flow not enabled for this client")
	// A temporary password: NEW_PASSWORD_REQUIRED.
	init, err := anon.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: pw("Temp0rary!pw")})
	if err != nil {
		t.Fatal(err)
	}
	if init.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
		t.Fatalf("challenge %s", init.ChallengeName)
	}
	resp, err := anon.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &clientID, Session: init.Session,
		ChallengeName:      types.ChallengeNameTypeNewPasswordRequired,
		ChallengeResponses: map[string]string{"USERNAME": "alice", "NEW_PASSWORD": "Perm4nent!pw"}})
	if err != nil {
		t.Fatal(err)
	}
	access := aws.ToString(resp.AuthenticationResult.AccessToken)
	if _, err := verifier(t, endpoint, poolID, clientID, true).Verify(ctx, access); err != nil {
		t.Fatalf("access token: %v", err)
	}
	got, err := anon.GetUser(ctx, &cip.GetUserInput{AccessToken: &access})
	if err != nil || aws.ToString(got.Username) != "alice" {
		t.Fatalf("GetUser: %v %v", got, err)
	}
	// Attributes.
	upd, err := anon.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: &access,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("new@example.com")}, {Name: aws.String("name"), Value: aws.String("Alice")}}})
	if err != nil || len(upd.CodeDeliveryDetailsList) != 1 {
		t.Fatalf("UpdateUserAttributes: %v %v", upd, err)
	}
	if _, err := anon.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: &access, AttributeName: aws.String("email"),
		Code: aws.String(outboxCode(t, endpoint, poolID))}); err != nil {
		t.Fatalf("VerifyUserAttribute: %v", err)
	}
	if _, err := anon.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: &access, AttributeName: aws.String("email")}); err != nil {
		t.Fatalf("GetUserAttributeVerificationCode: %v", err)
	}
	if _, err := anon.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: &access, UserAttributeNames: []string{"name"}}); err != nil {
		t.Fatalf("DeleteUserAttributes: %v", err)
	}
	if _, err := anon.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: &access, PreviousPassword: aws.String("Perm4nent!pw"), ProposedPassword: aws.String("Chang3d!pw")}); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	// Software token MFA.
	assoc, err := anon.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: &access})
	if err != nil {
		t.Fatal(err)
	}
	key, err := decodeSecret(aws.ToString(assoc.SecretCode))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := anon.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: &access, UserCode: aws.String(totpCode(key, time.Now()))}); err != nil {
		t.Fatalf("VerifySoftwareToken: %v", err)
	}
	if _, err := anon.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: &access,
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}); err != nil {
		t.Fatalf("SetUserMFAPreference: %v", err)
	}
	if _, err := admin.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &poolID, MfaConfiguration: types.UserPoolMfaTypeOptional,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}}); err != nil {
		t.Fatalf("SetUserPoolMfaConfig: %v", err)
	}
	ai, err := admin.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &poolID, ClientId: &clientID,
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: pw("Chang3d!pw")})
	if err != nil || ai.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("AdminInitiateAuth: %v %v", ai, err)
	}
	ar, err := admin.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: &poolID, ClientId: &clientID,
		Session: ai.Session, ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa,
		ChallengeResponses: map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": totpCode(key, time.Now())}})
	if err != nil {
		t.Fatalf("AdminRespondToAuthChallenge: %v", err)
	}
	refresh := aws.ToString(ar.AuthenticationResult.RefreshToken)
	gt, err := anon.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: &clientID, RefreshToken: &refresh})
	if err != nil || gt.AuthenticationResult.AccessToken == nil || gt.AuthenticationResult.RefreshToken != nil {
		t.Fatalf("GetTokensFromRefreshToken: %v %v", gt, err)
	}
	if _, err := anon.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: &clientID, Token: &refresh}); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	_, err = anon.GetUser(ctx, &cip.GetUserInput{AccessToken: ar.AuthenticationResult.AccessToken})
	wantError(t, err, "NotAuthorizedException", "Access Token has been revoked")
	// Sign-outs.
	if _, err := anon.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: &access}); err != nil {
		t.Fatalf("GlobalSignOut: %v", err)
	}
	_, err = anon.GetUser(ctx, &cip.GetUserInput{AccessToken: &access})
	wantError(t, err, "NotAuthorizedException", "Access Token has been revoked")
	if _, err := admin.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &poolID, Username: aws.String("alice")}); err != nil {
		t.Fatalf("AdminUserGlobalSignOut: %v", err)
	}
	// Unsigned admin calls stay refused while SigV4 is checked.
	_, err = anon.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &poolID, Username: aws.String("alice")})
	if err == nil {
		t.Fatal("an unsigned AdminUserGlobalSignOut was accepted")
	}
	// DeleteUser with a fresh session.
	ai, err = admin.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &poolID, ClientId: &clientID,
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: pw("Chang3d!pw")})
	if err != nil {
		t.Fatal(err)
	}
	ar, err = admin.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: &poolID, ClientId: &clientID,
		Session: ai.Session, ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa,
		ChallengeResponses: map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": totpCode(key, time.Now())}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := anon.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: ar.AuthenticationResult.AccessToken}); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	_, err = anon.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: pw("Chang3d!pw")})
	wantError(t, err, "UserNotFoundException", "User does not exist.")
}

// decodeSecret and totpCode are an authenticator app's side of RFC 6238
// (SHA-1, 6 digits, 30 s), written here apart from the emulator's code.
func decodeSecret(s string) ([]byte, error) {
	return base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
}

func totpCode(key []byte, t time.Time) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(t.Unix()/30))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[19] & 0x0f
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:off+4])&0x7fffffff)%1000000)
}
