package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ccql/ccql/emulator"
	"github.com/ccql/ccql/emulator/internal/cognito/cognitotest"
	"github.com/ccql/ccql/emulator/internal/totp"
	"github.com/ccql/ccql/internal/cloudcontrol"
)

// TestSDK_PasskeyMFA drives passkeys as MFA with aws-sdk-go-v2 and a
// software authenticator: a user with TOTP MFA registers a passkey, turns
// on WebAuthnMfaSettings once the pool's FactorConfiguration allows it, and
// then signs in with the passkey alone in a pool that requires MFA.
func TestSDK_PasskeyMFA(t *testing.T) {
	fullTransports(t, emulator.Options{Credentials: map[string]string{"AKIDEXAMPLE": "secret"}}, func(t *testing.T, s *emulator.Server, hc *http.Client) {
		testPasskeyMFA(t, s, hc)
	})
}

func testPasskeyMFA(t *testing.T, s *emulator.Server, hc *http.Client) {
	ctx := context.Background()
	e := newUsersEnv(t, s, hc, nil)
	anon := cip.NewFromConfig(aws.Config{Region: "us-east-1", HTTPClient: cloudcontrol.BufferBodies(hc), RetryMaxAttempts: 1, Credentials: aws.AnonymousCredentials{}},
		func(o *cip.Options) { o.BaseEndpoint = aws.String(s.URL()) })

	pool := e.pool(&cip.CreateUserPoolInput{MfaConfiguration: types.UserPoolMfaTypeOptional,
		Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{
			AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeWebAuthn}}}})
	mfaConfig := func(mfa types.UserPoolMfaType, factor types.WebAuthnFactorConfigurationType) {
		t.Helper()
		if _, err := e.idp.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &pool, MfaConfiguration: mfa,
			SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
			WebAuthnConfiguration: &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("localhost"),
				UserVerification: types.UserVerificationTypePreferred, FactorConfiguration: factor}}); err != nil {
			t.Fatalf("SetUserPoolMfaConfig: %v", err)
		}
	}
	mfaConfig(types.UserPoolMfaTypeOptional, types.WebAuthnFactorConfigurationTypeSingleFactor)
	c, err := e.idp.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &pool, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	if err != nil {
		t.Fatal(err)
	}
	clientID := c.UserPoolClient.ClientId
	alice := aws.String("alice")
	if _, err := e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &pool, Username: alice, MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.idp.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &pool, Username: alice,
		Password: aws.String("Passw0rd!"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	in, err := anon.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}})
	if err != nil || in.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth: %+v %v", in, err)
	}
	access := in.AuthenticationResult.AccessToken

	// TOTP MFA, the "other MFA method" passkey MFA needs.
	assoc, err := anon.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: access})
	if err != nil {
		t.Fatal(err)
	}
	key, err := totp.DecodeSecret(aws.ToString(assoc.SecretCode))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := anon.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: access, UserCode: aws.String(totp.Code(key, time.Now()))}); err != nil {
		t.Fatalf("VerifySoftwareToken: %v", err)
	}

	// A passkey.
	a, err := cognitotest.NewAuthenticator()
	if err != nil {
		t.Fatal(err)
	}
	start, err := anon.StartWebAuthnRegistration(ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: access})
	if err != nil {
		t.Fatal(err)
	}
	var opts map[string]any
	if err := start.CredentialCreationOptions.UnmarshalSmithyDocument(&opts); err != nil {
		t.Fatal(err)
	}
	cred, err := a.Create(opts, "http://localhost:8080")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := anon.CompleteWebAuthnRegistration(ctx, &cip.CompleteWebAuthnRegistrationInput{AccessToken: access,
		Credential: document.NewLazyDocument(cred)}); err != nil {
		t.Fatalf("CompleteWebAuthnRegistration: %v", err)
	}

	// Passkey MFA needs the pool's MULTI_FACTOR_WITH_USER_VERIFICATION.
	on := &types.WebAuthnMfaSettingsType{Enabled: true}
	_, err = anon.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: access, WebAuthnMfaSettings: on})
	var ipe *types.InvalidParameterException
	if !errors.As(err, &ipe) {
		t.Fatalf("passkey MFA in a SINGLE_FACTOR pool: want InvalidParameterException, got %v", err)
	}
	mfaConfig(types.UserPoolMfaTypeOn, types.WebAuthnFactorConfigurationTypeMultiFactorWithUserVerification)
	if _, err := anon.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: access, WebAuthnMfaSettings: on}); err != nil {
		t.Fatalf("SetUserMFAPreference: %v", err)
	}
	got, err := e.idp.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: &pool})
	if err != nil || got.WebAuthnConfiguration == nil ||
		got.WebAuthnConfiguration.FactorConfiguration != types.WebAuthnFactorConfigurationTypeMultiFactorWithUserVerification {
		t.Fatalf("GetUserPoolMfaConfig: %+v %v", got, err)
	}

	passkey := func(verified bool, wantUV string) (*cip.RespondToAuthChallengeOutput, error) {
		t.Helper()
		ch, err := anon.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: clientID, AuthFlow: types.AuthFlowTypeUserAuth,
			AuthParameters: map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"}})
		if err != nil || ch.ChallengeName != types.ChallengeNameTypeWebAuthn {
			t.Fatalf("InitiateAuth USER_AUTH: %+v %v", ch, err)
		}
		text := ch.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"]
		var ro struct {
			UserVerification string `json:"userVerification"`
		}
		if err := json.Unmarshal([]byte(text), &ro); err != nil || ro.UserVerification != wantUV {
			t.Errorf("request options %s: want userVerification %s", text, wantUV)
		}
		answer, err := a.Get(text, "http://localhost:8080", verified)
		if err != nil {
			t.Fatal(err)
		}
		return anon.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: clientID, Session: ch.Session,
			ChallengeName: types.ChallengeNameTypeWebAuthn, ChallengeResponses: map[string]string{"USERNAME": "alice", "CREDENTIAL": answer}})
	}
	// With user verification the passkey is the whole sign-in, MFA ON.
	out, err := passkey(true, "required")
	if err != nil || out.AuthenticationResult == nil || out.AuthenticationResult.AccessToken == nil {
		t.Fatalf("passkey with UV: %+v %v", out, err)
	}
	// Without it, refused.
	_, err = passkey(false, "required")
	var nae *types.NotAuthorizedException
	if !errors.As(err, &nae) {
		t.Fatalf("passkey without UV: want NotAuthorizedException, got %v", err)
	}

	// TOTP is alice's only other method: turning it off (Enabled false,
	// which the SDK sends as {}) would leave passkey MFA alone.
	_, err = anon.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: access,
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{}})
	if !errors.As(err, &ipe) {
		t.Fatalf("last other MFA method off: want InvalidParameterException, got %v", err)
	}

	// WebAuthnMfaSettings{Enabled: false} (sent as {}) turns it off: the
	// passkey is then one factor and TOTP follows it.
	if _, err := e.idp.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: &pool, Username: alice,
		WebAuthnMfaSettings: &types.WebAuthnMfaSettingsType{}}); err != nil {
		t.Fatalf("AdminSetUserMFAPreference: %v", err)
	}
	out, err = passkey(true, "preferred")
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("passkey without passkey MFA: want SOFTWARE_TOKEN_MFA, got %+v %v", out, err)
	}
}
