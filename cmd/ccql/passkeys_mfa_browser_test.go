package main

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// TestPasskeys_BrowserMFA: passkeys as MFA end to end. In a pool that
// requires MFA with FactorConfiguration MULTI_FACTOR_WITH_USER_VERIFICATION,
// a user with TOTP MFA turns on WebAuthnMfaSettings; Chromium's virtual
// authenticator, which verifies its user (isUserVerified), then signs in
// with the passkey alone. With passkey MFA off again, TOTP follows the
// passkey.
func TestPasskeys_BrowserMFA(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a browser")
	}
	browser := newBrowser(t)
	base := "http://" + startServe(t)
	page := passkeyPage(t)
	ctx := context.Background()
	idp := cip.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")},
		func(o *cip.Options) { o.BaseEndpoint = aws.String(base) })

	p, err := idp.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("passkey-mfa"), MfaConfiguration: ciptypes.UserPoolMfaTypeOptional,
		Policies: &ciptypes.UserPoolPolicyType{SignInPolicy: &ciptypes.SignInPolicyType{
			AllowedFirstAuthFactors: []ciptypes.AuthFactorType{ciptypes.AuthFactorTypePassword, ciptypes.AuthFactorTypeWebAuthn}}}})
	if err != nil {
		t.Fatal(err)
	}
	pool := *p.UserPool.Id
	mfaConfig := func(mfa ciptypes.UserPoolMfaType) {
		t.Helper()
		if _, err := idp.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &pool, MfaConfiguration: mfa,
			SoftwareTokenMfaConfiguration: &ciptypes.SoftwareTokenMfaConfigType{Enabled: true},
			WebAuthnConfiguration: &ciptypes.WebAuthnConfigurationType{RelyingPartyId: aws.String("localhost"),
				UserVerification:    ciptypes.UserVerificationTypePreferred,
				FactorConfiguration: ciptypes.WebAuthnFactorConfigurationTypeMultiFactorWithUserVerification}}); err != nil {
			t.Fatalf("SetUserPoolMfaConfig: %v", err)
		}
	}
	mfaConfig(ciptypes.UserPoolMfaTypeOptional)
	clientID, access := browserUser(ctx, t, idp, pool)

	// TOTP, the other MFA method passkey MFA needs.
	assoc, err := idp.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: access})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := idp.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: access,
		UserCode: aws.String(totpCode(t, *assoc.SecretCode, time.Now()))}); err != nil {
		t.Fatalf("VerifySoftwareToken: %v", err)
	}

	// The passkey, made by a virtual platform authenticator that verifies
	// its user.
	tab, _ := registerBrowserPasskey(ctx, t, browser, page, idp, access)

	// Passkey MFA on; the pool now requires MFA.
	if _, err := idp.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: access,
		WebAuthnMfaSettings: &ciptypes.WebAuthnMfaSettingsType{Enabled: true}}); err != nil {
		t.Fatalf("SetUserMFAPreference: %v", err)
	}
	mfaConfig(ciptypes.UserPoolMfaTypeOn)

	passkey := func(wantUV string) *cip.RespondToAuthChallengeOutput {
		t.Helper()
		out, err := idp.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: ciptypes.AuthFlowTypeUserAuth,
			AuthParameters: map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"}})
		if err != nil || out.ChallengeName != ciptypes.ChallengeNameTypeWebAuthn {
			t.Fatalf("InitiateAuth USER_AUTH: %+v %v", out, err)
		}
		text := out.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"]
		var ro struct {
			UserVerification string `json:"userVerification"`
		}
		if err := json.Unmarshal([]byte(text), &ro); err != nil || ro.UserVerification != wantUV {
			t.Errorf("CREDENTIAL_REQUEST_OPTIONS %s: want userVerification %s", text, wantUV)
		}
		asserted, err := browserGet(tab, text)
		if err != nil {
			t.Fatalf("navigator.credentials.get: %v", err)
		}
		res, err := idp.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &clientID, Session: out.Session,
			ChallengeName: ciptypes.ChallengeNameTypeWebAuthn, ChallengeResponses: map[string]string{"USERNAME": "alice", "CREDENTIAL": asserted}})
		if err != nil {
			t.Fatalf("RespondToAuthChallenge WEB_AUTHN: %v", err)
		}
		return res
	}
	// The verified passkey is the whole sign-in, though MFA is required.
	res := passkey("required")
	if r := res.AuthenticationResult; r == nil || aws.ToString(r.AccessToken) == "" {
		t.Fatalf("passkey MFA: want tokens, got %+v", res)
	}
	if user, err := idp.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AuthenticationResult.AccessToken}); err != nil || aws.ToString(user.Username) != "alice" {
		t.Fatalf("GetUser with the passkey's access token: %v %v", user, err)
	}
	// A password sign-in still asks for TOTP, never for the passkey.
	pw, err := idp.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": browserPassword}})
	if err != nil || pw.ChallengeName != ciptypes.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("password sign-in: want SOFTWARE_TOKEN_MFA, got %+v %v", pw, err)
	}
	// TOTP cannot go while it is the only other method.
	_, err = idp.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: access,
		SoftwareTokenMfaSettings: &ciptypes.SoftwareTokenMfaSettingsType{}})
	var ipe *ciptypes.InvalidParameterException
	if !errors.As(err, &ipe) {
		t.Fatalf("TOTP off under passkey MFA: want InvalidParameterException, got %v", err)
	}

	// Passkey MFA off: the passkey is one factor, TOTP follows.
	if _, err := idp.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: &pool, Username: aws.String("alice"),
		WebAuthnMfaSettings: &ciptypes.WebAuthnMfaSettingsType{Enabled: false}}); err != nil {
		t.Fatalf("AdminSetUserMFAPreference: %v", err)
	}
	if res := passkey("preferred"); res.ChallengeName != ciptypes.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("passkey without passkey MFA: want SOFTWARE_TOKEN_MFA, got %+v", res)
	}
}
