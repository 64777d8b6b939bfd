package signin_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ccql/ccql/internal/e2etest"
)

// claimOf reads one claim of a JWT without verifying it (the other tests
// verify these tokens' signatures).
func claimOf(t *testing.T, token, name string) any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	return claims[name]
}

// TestAmazonCognitoIdentityJSDevices runs devices.cjs: on a pool that
// tracks devices (opt-in remembering, a remembered device replaces MFA)
// and requires TOTP, amazon-cognito-identity-js signs in with SRP and TOTP
// and confirms its device itself, remembers it, signs in again through
// DEVICE_SRP_AUTH without TOTP, lists, refreshes and forgets it. The admin
// operations through aws-sdk-go-v2 see the same devices.
func TestAmazonCognitoIdentityJSDevices(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs ccql serve and node")
	}
	e2etest.RequireNodeModules(t, "e2e/signin", "amazon-cognito-identity-js")
	endpoint := serve(t)
	admin, anon := clients(endpoint)
	ctx := context.Background()
	poolID, clientID := setupPool(t, admin, &cip.CreateUserPoolClientInput{
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	setPermanentPassword(t, admin, poolID, "Corr3ct!horse")
	// TOTP for alice, then MFA required and device tracking on.
	in, err := anon.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Corr3ct!horse"}})
	if err != nil {
		t.Fatal(err)
	}
	assoc, err := anon.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: in.AuthenticationResult.AccessToken})
	if err != nil {
		t.Fatal(err)
	}
	secret := aws.ToString(assoc.SecretCode)
	key, err := decodeSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := anon.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: in.AuthenticationResult.AccessToken,
		UserCode: aws.String(totpCode(key, time.Now()))}); err != nil {
		t.Fatal(err)
	}
	if _, err := anon.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: in.AuthenticationResult.AccessToken,
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID, AutoVerifiedAttributes: []types.VerifiedAttributeType{"email"},
		DeviceConfiguration: &types.DeviceConfigurationType{ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &poolID, MfaConfiguration: types.UserPoolMfaTypeOn,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}}); err != nil {
		t.Fatal(err)
	}

	cfg, _ := json.Marshal(map[string]string{"endpoint": endpoint + "/", "poolId": poolID, "clientId": clientID,
		"username": "alice", "password": "Corr3ct!horse", "totpSecret": secret})
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, "node", "devices.cjs", string(cfg))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	type signIn struct {
		AskedTOTP                 bool
		UserConfirmationNecessary bool
		Requests                  []string
		DeviceKey                 string
		AccessToken               string
	}
	var out struct {
		First, Second, Third, Fourth        signIn
		GetBeforeRemember, GetAfterRemember string
		Listed                              []struct {
			Key        string
			Attributes map[string]string
		}
		RefreshedAccessToken string
		ListedAfterForget    int
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("node output %q: %v", stdout.String(), err)
	}
	// First sign-in: TOTP, then the library's ConfirmDevice; opt-in.
	wantRequests := func(name string, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s requests %v, want %v", name, got, want)
		}
	}
	dev := out.First.DeviceKey
	if !regexp.MustCompile(`^us-east-1_[0-9a-f-]{36}$`).MatchString(dev) || !out.First.AskedTOTP || !out.First.UserConfirmationNecessary {
		t.Fatalf("first sign-in %+v", out.First)
	}
	wantRequests("first", out.First.Requests, "InitiateAuth", "RespondToAuthChallenge:PASSWORD_VERIFIER",
		"RespondToAuthChallenge:SOFTWARE_TOKEN_MFA", "ConfirmDevice")
	if got := claimOf(t, out.First.AccessToken, "device_key"); got != dev {
		t.Errorf("first access token device_key %v, want %s", got, dev)
	}
	if out.GetBeforeRemember != "ResourceNotFoundException: Device does not exist." || out.GetAfterRemember != dev {
		t.Errorf("GetDevice before/after remembering: %q / %q", out.GetBeforeRemember, out.GetAfterRemember)
	}
	// Second sign-in: device SRP, no TOTP, no new device.
	if out.Second.AskedTOTP {
		t.Error("a remembered device was asked for TOTP")
	}
	wantRequests("second", out.Second.Requests, "InitiateAuth", "RespondToAuthChallenge:PASSWORD_VERIFIER",
		"RespondToAuthChallenge:DEVICE_SRP_AUTH", "RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER")
	for _, tok := range []string{out.Second.AccessToken, out.RefreshedAccessToken} {
		if got := claimOf(t, tok, "device_key"); got != dev {
			t.Errorf("device_key %v, want %s", got, dev)
		}
	}
	if len(out.Listed) != 1 || out.Listed[0].Key != dev || out.Listed[0].Attributes["device_name"] == "" ||
		out.Listed[0].Attributes["dev:device_remembered_status"] != "remembered" || out.Listed[0].Attributes["last_ip_used"] != "127.0.0.1" {
		t.Errorf("listDevices %+v", out.Listed)
	}
	if out.ListedAfterForget != 0 {
		t.Errorf("%d devices after forgetDevice", out.ListedAfterForget)
	}
	// Third sign-in: a new device again.
	if !out.Third.AskedTOTP || out.Third.DeviceKey == "" || out.Third.DeviceKey == dev {
		t.Errorf("third sign-in %+v", out.Third)
	}
	// A stale device key: "Device does not exist.", the library's retry
	// without it, TOTP and a new device.
	wantRequests("fourth", out.Fourth.Requests, "InitiateAuth", "RespondToAuthChallenge:PASSWORD_VERIFIER",
		"RespondToAuthChallenge:PASSWORD_VERIFIER", "RespondToAuthChallenge:SOFTWARE_TOKEN_MFA", "ConfirmDevice")
	if !out.Fourth.AskedTOTP || out.Fourth.DeviceKey == "" || out.Fourth.DeviceKey == out.Third.DeviceKey {
		t.Errorf("fourth sign-in %+v", out.Fourth)
	}
	// The admin operations see what the library left: the last device,
	// not remembered (opt-in), and none of the forgotten ones.
	list, err := admin.AdminListDevices(ctx, &cip.AdminListDevicesInput{UserPoolId: &poolID, Username: aws.String("alice")})
	if err != nil || len(list.Devices) != 1 || aws.ToString(list.Devices[0].DeviceKey) != out.Fourth.DeviceKey {
		t.Fatalf("AdminListDevices %v %v", list, err)
	}
	_, err = admin.AdminGetDevice(ctx, &cip.AdminGetDeviceInput{UserPoolId: &poolID, Username: aws.String("alice"), DeviceKey: &dev})
	wantError(t, err, "ResourceNotFoundException", "Device does not exist.")
}
