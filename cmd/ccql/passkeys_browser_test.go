package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
)

// Passkeys in a real browser: `ccql serve` is the user pool (RP ID
// localhost), aws-sdk-go-v2 the application's calls, and Chromium's
// WebAuthn virtual authenticator (DevTools protocol) the passkey, used by
// navigator.credentials.create() and get() in a page served on
// http://localhost:PORT.

// passkeyPage serves an empty page on localhost, the origin of the
// ceremonies.
func passkeyPage(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, "<!doctype html><html><body><p id=page>passkeys</p></body></html>")
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://localhost:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port) + "/"
}

// browserCreate runs navigator.credentials.create() with the JSON creation
// options and returns the credential's toJSON() text.
func browserCreate(tab context.Context, options []byte) (string, error) {
	return chromedp.Run(tab, chromedp.Evaluate[string](`(async () => {
		const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(`+string(options)+`);
		const cred = await navigator.credentials.create({publicKey});
		return JSON.stringify(cred.toJSON());
	})()`, chromedp.EvalAwaitPromise))
}

// browserGet runs navigator.credentials.get() with the JSON request
// options and returns the assertion's toJSON() text.
func browserGet(tab context.Context, options string) (string, error) {
	return chromedp.Run(tab, chromedp.Evaluate[string](`(async () => {
		const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(`+options+`);
		const cred = await navigator.credentials.get({publicKey});
		return JSON.stringify(cred.toJSON());
	})()`, chromedp.EvalAwaitPromise))
}

func TestPasskeys_Browser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a browser")
	}
	browser := newBrowser(t)
	base := "http://" + startServe(t)
	page := passkeyPage(t)
	ctx := context.Background()
	idp := cip.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")},
		func(o *cip.Options) { o.BaseEndpoint = aws.String(base) })

	p, err := idp.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("passkeys"),
		Policies: &ciptypes.UserPoolPolicyType{SignInPolicy: &ciptypes.SignInPolicyType{
			AllowedFirstAuthFactors: []ciptypes.AuthFactorType{ciptypes.AuthFactorTypePassword, ciptypes.AuthFactorTypeWebAuthn}}}})
	if err != nil {
		t.Fatal(err)
	}
	pool := *p.UserPool.Id
	mfa, err := idp.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &pool,
		WebAuthnConfiguration: &ciptypes.WebAuthnConfigurationType{RelyingPartyId: aws.String("localhost"), UserVerification: ciptypes.UserVerificationTypeRequired}})
	if err != nil {
		t.Fatal(err)
	}
	if w := mfa.WebAuthnConfiguration; w == nil || aws.ToString(w.RelyingPartyId) != "localhost" || w.UserVerification != ciptypes.UserVerificationTypeRequired {
		t.Fatalf("WebAuthnConfiguration %+v", w)
	}
	clientID, access := browserUser(ctx, t, idp, pool)

	// The tab on http://localhost:PORT with a platform authenticator that
	// verifies its user.
	tab, credentialID := registerBrowserPasskey(ctx, t, browser, page, idp, access)
	list, err := idp.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: access})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Credentials) != 1 || aws.ToString(list.Credentials[0].CredentialId) != credentialID ||
		aws.ToString(list.Credentials[0].RelyingPartyId) != "localhost" || aws.ToString(list.Credentials[0].AuthenticatorAttachment) != "platform" {
		t.Fatalf("ListWebAuthnCredentials = %+v", list.Credentials)
	}
	factors, err := idp.GetUserAuthFactors(ctx, &cip.GetUserAuthFactorsInput{AccessToken: access})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(factors.ConfiguredUserAuthFactors); got != "[PASSWORD WEB_AUTHN]" {
		t.Errorf("ConfiguredUserAuthFactors = %s", got)
	}

	// Sign-in with the passkey, once with PREFERRED_CHALLENGE and once
	// through SELECT_CHALLENGE (the authenticator's counter moves on).
	provider, err := oidc.NewProvider(ctx, base+"/"+pool)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	for _, preferred := range []bool{true, false} {
		params := map[string]string{"USERNAME": "alice"}
		if preferred {
			params["PREFERRED_CHALLENGE"] = "WEB_AUTHN"
		}
		out, err := idp.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: ciptypes.AuthFlowTypeUserAuth, AuthParameters: params})
		if err != nil {
			t.Fatal(err)
		}
		session, challenge := out.Session, out.ChallengeParameters
		if !preferred {
			if out.ChallengeName != ciptypes.ChallengeNameTypeSelectChallenge {
				t.Fatalf("want SELECT_CHALLENGE, got %s", out.ChallengeName)
			}
			sel, err := idp.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &clientID, Session: session,
				ChallengeName: ciptypes.ChallengeNameTypeSelectChallenge, ChallengeResponses: map[string]string{"USERNAME": "alice", "ANSWER": "WEB_AUTHN"}})
			if err != nil {
				t.Fatal(err)
			}
			out.ChallengeName, session, challenge = sel.ChallengeName, sel.Session, sel.ChallengeParameters
		}
		if out.ChallengeName != ciptypes.ChallengeNameTypeWebAuthn {
			t.Fatalf("want WEB_AUTHN, got %s", out.ChallengeName)
		}
		asserted, err := browserGet(tab, challenge["CREDENTIAL_REQUEST_OPTIONS"])
		if err != nil {
			t.Fatalf("navigator.credentials.get: %v", err)
		}
		res, err := idp.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &clientID, Session: session,
			ChallengeName: ciptypes.ChallengeNameTypeWebAuthn, ChallengeResponses: map[string]string{"USERNAME": "alice", "CREDENTIAL": asserted}})
		if err != nil {
			t.Fatalf("RespondToAuthChallenge WEB_AUTHN: %v", err)
		}
		r := res.AuthenticationResult
		if r == nil || aws.ToString(r.RefreshToken) == "" {
			t.Fatalf("no tokens: %+v", res)
		}
		id, err := provider.Verifier(&oidc.Config{ClientID: clientID}).Verify(ctx, aws.ToString(r.IdToken))
		if err != nil {
			t.Fatalf("ID token: %v", err)
		}
		var claims map[string]any
		if err := id.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		if claims["cognito:username"] != "alice" {
			t.Errorf("ID token claims %v", claims)
		}
		user, err := idp.GetUser(ctx, &cip.GetUserInput{AccessToken: r.AccessToken})
		if err != nil || aws.ToString(user.Username) != "alice" {
			t.Fatalf("GetUser with the passkey's access token: %v %v", user, err)
		}
		// The assertion cannot be used again: its session is spent.
		if _, err := idp.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &clientID, Session: session,
			ChallengeName: ciptypes.ChallengeNameTypeWebAuthn, ChallengeResponses: map[string]string{"USERNAME": "alice", "CREDENTIAL": asserted}}); err == nil {
			t.Error("a replayed assertion signed in")
		}
	}

	// Deleted, the passkey is no longer offered.
	if _, err := idp.DeleteWebAuthnCredential(ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: access, CredentialId: list.Credentials[0].CredentialId}); err != nil {
		t.Fatal(err)
	}
	out, err := idp.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: ciptypes.AuthFlowTypeUserAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.ChallengeName != ciptypes.ChallengeNameTypeSelectChallenge || fmt.Sprint(out.AvailableChallenges) != "[PASSWORD_SRP PASSWORD]" {
		t.Errorf("after deletion: %s %v", out.ChallengeName, out.AvailableChallenges)
	}
}

// registerBrowserPasskey opens page in a new tab of browser with a virtual
// platform authenticator that verifies its user, registers a passkey for
// the user of access through Start/CompleteWebAuthnRegistration and
// navigator.credentials.create, and returns the tab and the credential id.
func registerBrowserPasskey(ctx context.Context, t *testing.T, browser context.Context, page string, idp *cip.Client, access *string) (context.Context, string) {
	t.Helper()
	tab := newTab(t, browser)
	if err := chromedp.Do(tab, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#page`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(tab, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatalf("WebAuthn.enable: %v", err)
	}
	if _, err := chromedp.Call(tab, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21, Transport: webauthn.AuthenticatorTransportInternal,
		HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
	}}); err != nil {
		t.Fatalf("WebAuthn.addVirtualAuthenticator: %v", err)
	}

	start, err := idp.StartWebAuthnRegistration(ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: access})
	if err != nil {
		t.Fatal(err)
	}
	var options map[string]any
	if err := start.CredentialCreationOptions.UnmarshalSmithyDocument(&options); err != nil {
		t.Fatal(err)
	}
	optionsJSON, err := json.Marshal(options)
	if err != nil {
		t.Fatal(err)
	}
	created, err := browserCreate(tab, optionsJSON)
	if err != nil {
		t.Fatalf("navigator.credentials.create: %v", err)
	}
	var credential map[string]any
	if err := json.Unmarshal([]byte(created), &credential); err != nil {
		t.Fatal(err)
	}
	if _, err := idp.CompleteWebAuthnRegistration(ctx, &cip.CompleteWebAuthnRegistrationInput{AccessToken: access,
		Credential: document.NewLazyDocument(credential)}); err != nil {
		t.Fatalf("CompleteWebAuthnRegistration: %v", err)
	}
	id, _ := credential["id"].(string)
	return tab, id
}

// browserUser creates the app client "web" (user auth, password and
// refresh flows) and the confirmed user alice in pool, signs alice in with
// her password, and returns the client id and her access token.
func browserUser(ctx context.Context, t *testing.T, idp *cip.Client, pool string) (string, *string) {
	t.Helper()
	c, err := idp.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &pool, ClientName: aws.String("web"),
		ExplicitAuthFlows: []ciptypes.ExplicitAuthFlowsType{ciptypes.ExplicitAuthFlowsTypeAllowUserAuth,
			ciptypes.ExplicitAuthFlowsTypeAllowUserPasswordAuth, ciptypes.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	clientID := *c.UserPoolClient.ClientId
	if _, err := idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &pool, Username: aws.String("alice"),
		MessageAction: ciptypes.MessageActionTypeSuppress, TemporaryPassword: aws.String(browserPassword)}); err != nil {
		t.Fatal(err)
	}
	if _, err := idp.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &pool, Username: aws.String("alice"),
		Password: aws.String(browserPassword), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	signIn, err := idp.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": browserPassword}})
	if err != nil || signIn.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth: %+v %v", signIn, err)
	}
	return clientID, signIn.AuthenticationResult.AccessToken
}
