package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	be "encoding/binary"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// The hosted UI in a real browser: headless Chromium (Debian's chromium,
// which .ci/run installs) driven by chromedp, against `ccql serve`, with
// golang.org/x/oauth2 and go-oidc as the application: discovery, code +
// PKCE, nonce, and every token verified against the pool's JWKS.

// chromiumPath returns the system Chromium. Without one the test skips,
// unless CI is set: there it must run.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI is set and chromium is not installed (.ci/run installs the Debian package)")
	}
	t.Skip("chromium is not installed (apt-get install chromium)")
	return ""
}

// newBrowser starts one headless Chromium for the whole test. The flags
// keep it off the network (as root it needs --no-sandbox).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	if err := chromedp.Do(browser); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	return browser
}

// newTab opens a tab in a fresh browser context (its own cookies), with a
// deadline.
func newTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	tab, cancelTimeout := context.WithTimeout(tab, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	return tab
}

// app is the relying party: a callback listener and an OAuth client.
type rpApp struct {
	hits     chan *url.URL
	callback string
	logout   string
}

func newApp(t *testing.T) *rpApp {
	a := &rpApp{hits: make(chan *url.URL, 16)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/favicon.ico" {
			http.NotFound(w, r)
			return
		}
		a.hits <- r.URL
		fmt.Fprintln(w, "<html><body><p id=app>app page</p></body></html>")
	}))
	t.Cleanup(srv.Close)
	a.callback, a.logout = srv.URL+"/cb", srv.URL+"/bye"
	return a
}

// next returns the app's next request, which must be for path.
func (a *rpApp) next(t *testing.T, path string) *url.URL {
	t.Helper()
	select {
	case u := <-a.hits:
		if u.Path != path {
			t.Fatalf("the app got %s, want %s", u, path)
		}
		return u
	case <-time.After(30 * time.Second):
		t.Fatalf("the browser never reached the app's %s", path)
		return nil
	}
}

// oidcClient is one sign-in's relying-party state.
type oidcClient struct {
	provider *oidc.Provider
	conf     oauth2.Config
	state    string
	nonce    string
	verifier string
}

func newOIDCClient(t *testing.T, issuer, clientID, callback string) *oidcClient {
	t.Helper()
	p, err := oidc.NewProvider(context.Background(), issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	c := &oidcClient{provider: p, conf: oauth2.Config{
		ClientID: clientID, Endpoint: p.Endpoint(), RedirectURL: callback,
		Scopes: []string{oidc.ScopeOpenID, "email"},
	}}
	c.state, c.nonce, c.verifier = oauth2.GenerateVerifier()[:16], oauth2.GenerateVerifier()[:16], oauth2.GenerateVerifier()
	return c
}

func (c *oidcClient) authURL() string {
	return c.conf.AuthCodeURL(c.state, oauth2.S256ChallengeOption(c.verifier), oidc.Nonce(c.nonce))
}

// signedIn is a completed sign-in's verified tokens.
type signedIn struct {
	id     *oidc.IDToken
	claims map[string]any
	access map[string]any
}

// finish checks the callback, redeems the code with the PKCE verifier and
// verifies the ID token (signature, iss, aud, exp, nonce, at_hash) and the
// access token (signature, iss) against the pool's JWKS.
func (c *oidcClient) finish(t *testing.T, cb *url.URL) *signedIn {
	t.Helper()
	if cb.Query().Get("state") != c.state {
		t.Fatalf("callback state %q, want %q", cb.Query().Get("state"), c.state)
	}
	ctx := context.Background()
	tok, err := c.conf.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(c.verifier))
	if err != nil {
		t.Fatalf("code exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	id, err := c.provider.Verifier(&oidc.Config{ClientID: c.conf.ClientID}).Verify(ctx, raw)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	if id.Nonce != c.nonce {
		t.Errorf("nonce %q, want %q", id.Nonce, c.nonce)
	}
	if err := id.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash: %v", err)
	}
	if tok.RefreshToken == "" {
		t.Error("the code grant returned no refresh token")
	}
	at, err := c.provider.Verifier(&oidc.Config{SkipClientIDCheck: true}).Verify(ctx, tok.AccessToken)
	if err != nil {
		t.Fatalf("access token: %v", err)
	}
	s := &signedIn{id: id}
	if err := id.Claims(&s.claims); err != nil {
		t.Fatal(err)
	}
	if err := at.Claims(&s.access); err != nil {
		t.Fatal(err)
	}
	if s.access["scope"] != "openid email" || s.access["token_use"] != "access" {
		t.Errorf("access token claims %v", s.access)
	}
	return s
}

// totpCode is RFC 6238's code (SHA-1, 6 digits, 30 s) of a base32
// secret, written here apart from the emulator's own implementation.
func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil {
		t.Fatalf("TOTP secret: %v", err)
	}
	var msg [8]byte
	be.BigEndian.PutUint64(msg[:], uint64(at.Unix()/30))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	return fmt.Sprintf("%06d", (be.BigEndian.Uint32(sum[off:])&0x7fffffff)%1000000)
}

func signInForm(username, password string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SetValue(chromedp.CSS(`input[name="username"]`), username),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Click(chromedp.CSS(`input[name="signInSubmitButton"]`)),
	)
}

const browserPassword = "Br0wser!Passw0rd"

// TestHostedUI_Browser signs in through the hosted UI in Chromium.
func TestHostedUI_Browser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a browser")
	}
	browser := newBrowser(t)
	base := "http://" + startServe(t)
	ctx := context.Background()
	idp := cip.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")},
		func(o *cip.Options) { o.BaseEndpoint = aws.String(base) })
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	a := newApp(t)

	// The provider pool of the federation case, and its user.
	up, err := idp.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("upstream")})
	if err != nil {
		t.Fatal(err)
	}
	upstream := *up.UserPool.Id
	must(idp.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &upstream, Domain: aws.String("browser-upstream")}))
	newUser := func(pool, name, password string, permanent bool) {
		t.Helper()
		must(idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &pool, Username: &name, MessageAction: ciptypes.MessageActionTypeSuppress,
			TemporaryPassword: aws.String(password), UserAttributes: []ciptypes.AttributeType{
				{Name: aws.String("email"), Value: aws.String(name + "@example.com")}, {Name: aws.String("email_verified"), Value: aws.String("true")}}}))
		if permanent {
			must(idp.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &pool, Username: &name, Password: &password, Permanent: true}))
		}
	}
	newUser(upstream, "carol", browserPassword, true)

	// The application's pool.
	p, err := idp.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("app"), MfaConfiguration: ciptypes.UserPoolMfaTypeOptional})
	if err != nil {
		t.Fatal(err)
	}
	pool := *p.UserPool.Id
	must(idp.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &pool, Domain: aws.String("browser-app")}))
	must(idp.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &pool, MfaConfiguration: ciptypes.UserPoolMfaTypeOptional,
		SoftwareTokenMfaConfiguration: &ciptypes.SoftwareTokenMfaConfigType{Enabled: true}}))
	fed, err := idp.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &upstream, ClientName: aws.String("federation"), GenerateSecret: true,
		AllowedOAuthFlows: []ciptypes.OAuthFlowType{ciptypes.OAuthFlowTypeCode}, AllowedOAuthScopes: []string{"openid", "email"}, AllowedOAuthFlowsUserPoolClient: true,
		CallbackURLs: []string{base + "/" + pool + "/oauth2/idpresponse"}, SupportedIdentityProviders: []string{"COGNITO"}})
	if err != nil {
		t.Fatal(err)
	}
	must(idp.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: &pool, ProviderName: aws.String("Upstream"), ProviderType: ciptypes.IdentityProviderTypeTypeOidc,
		ProviderDetails: map[string]string{"client_id": *fed.UserPoolClient.ClientId, "client_secret": *fed.UserPoolClient.ClientSecret, "authorize_scopes": "openid email",
			"attributes_request_method": "GET", "oidc_issuer": "https://cognito-idp.us-east-1.amazonaws.com/" + upstream},
		AttributeMapping: map[string]string{"email": "email"}}))
	web, err := idp.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &pool, ClientName: aws.String("web"),
		AllowedOAuthFlows: []ciptypes.OAuthFlowType{ciptypes.OAuthFlowTypeCode}, AllowedOAuthScopes: []string{"openid", "email"}, AllowedOAuthFlowsUserPoolClient: true,
		CallbackURLs: []string{a.callback}, LogoutURLs: []string{a.logout}, SupportedIdentityProviders: []string{"COGNITO", "Upstream"},
		ExplicitAuthFlows: []ciptypes.ExplicitAuthFlowsType{ciptypes.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, ciptypes.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	clientID := *web.UserPoolClient.ClientId
	issuer := base + "/" + pool
	newUser(pool, "alice", browserPassword, true)
	newUser(pool, "bob", "Temp0rary!pw1", false)
	newUser(pool, "dave", browserPassword, true)

	t.Run("code and PKCE, wrong password, remembered session, logout", func(t *testing.T) {
		tab := newTab(t, browser)
		c := newOIDCClient(t, issuer, clientID, a.callback)
		if err := chromedp.Do(tab, chromedp.Navigate(c.authURL()), signInForm("alice", "not-the-password"),
			chromedp.WaitVisible(chromedp.CSS(`#loginErrorMessage`))); err != nil {
			t.Fatal(err)
		}
		msg, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(`#loginErrorMessage`)))
		if err != nil {
			t.Fatal(err)
		}
		if msg != "Incorrect username or password." {
			t.Errorf("error text %q", msg)
		}
		if err := chromedp.Do(tab, signInForm("alice", browserPassword)); err != nil {
			t.Fatal(err)
		}
		first := c.finish(t, a.next(t, "/cb"))
		if first.claims["cognito:username"] != "alice" || first.claims["email"] != "alice@example.com" {
			t.Errorf("ID token claims %v", first.claims)
		}
		// The session cookie: a second authorize comes straight back.
		c2 := newOIDCClient(t, issuer, clientID, a.callback)
		if err := chromedp.Do(tab, chromedp.Navigate(c2.authURL())); err != nil {
			t.Fatal(err)
		}
		second := c2.finish(t, a.next(t, "/cb"))
		if second.claims["auth_time"] != first.claims["auth_time"] || second.claims["sub"] != first.claims["sub"] {
			t.Errorf("remembered session: auth_time %v sub %v, want %v %v", second.claims["auth_time"], second.claims["sub"], first.claims["auth_time"], first.claims["sub"])
		}
		// Logout goes to the sign-out URL and forgets the session.
		if err := chromedp.Do(tab, chromedp.Navigate(issuer+"/logout?client_id="+clientID+"&logout_uri="+url.QueryEscape(a.logout))); err != nil {
			t.Fatal(err)
		}
		a.next(t, "/bye")
		c3 := newOIDCClient(t, issuer, clientID, a.callback)
		if err := chromedp.Do(tab, chromedp.Navigate(c3.authURL()), chromedp.WaitVisible(chromedp.CSS(`input[name="signInSubmitButton"]`))); err != nil {
			t.Fatalf("the sign-in form after logout: %v", err)
		}
	})

	t.Run("forced password change", func(t *testing.T) {
		tab := newTab(t, browser)
		c := newOIDCClient(t, issuer, clientID, a.callback)
		if err := chromedp.Do(tab, chromedp.Navigate(c.authURL()), signInForm("bob", "Temp0rary!pw1"),
			chromedp.WaitVisible(chromedp.CSS(`input[name="newPassword"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="newPassword"]`), browserPassword),
			chromedp.SendKeys(chromedp.CSS(`input[name="confirmPassword"]`), browserPassword),
			chromedp.Click(chromedp.CSS(`input[name="changePasswordSubmitButton"]`))); err != nil {
			t.Fatal(err)
		}
		if s := c.finish(t, a.next(t, "/cb")); s.claims["cognito:username"] != "bob" {
			t.Errorf("ID token claims %v", s.claims)
		}
		u, err := idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &pool, Username: aws.String("bob")})
		if err != nil || u.UserStatus != ciptypes.UserStatusTypeConfirmed {
			t.Errorf("bob after the change: %v %v", u, err)
		}
	})

	t.Run("TOTP MFA", func(t *testing.T) {
		auth, err := idp.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &pool, ClientId: &clientID, AuthFlow: ciptypes.AuthFlowTypeAdminUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "dave", "PASSWORD": browserPassword}})
		if err != nil {
			t.Fatal(err)
		}
		assoc, err := idp.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: auth.AuthenticationResult.AccessToken})
		if err != nil {
			t.Fatal(err)
		}
		must(idp.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: auth.AuthenticationResult.AccessToken, UserCode: aws.String(totpCode(t, *assoc.SecretCode, time.Now()))}))
		must(idp.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: &pool, Username: aws.String("dave"),
			SoftwareTokenMfaSettings: &ciptypes.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}))
		tab := newTab(t, browser)
		c := newOIDCClient(t, issuer, clientID, a.callback)
		if err := chromedp.Do(tab, chromedp.Navigate(c.authURL()), signInForm("dave", browserPassword),
			chromedp.WaitVisible(chromedp.CSS(`input[name="totpCode"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="totpCode"]`), "000000"),
			chromedp.Click(chromedp.CSS(`input[name="signInSubmitButton"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#mfaErrorMessage`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="totpCode"]`), totpCode(t, *assoc.SecretCode, time.Now())),
			chromedp.Click(chromedp.CSS(`input[name="signInSubmitButton"]`))); err != nil {
			t.Fatal(err)
		}
		if s := c.finish(t, a.next(t, "/cb")); s.claims["cognito:username"] != "dave" {
			t.Errorf("ID token claims %v", s.claims)
		}
	})

	t.Run("federation through another pool", func(t *testing.T) {
		tab := newTab(t, browser)
		c := newOIDCClient(t, issuer, clientID, a.callback)
		if err := chromedp.Do(tab, chromedp.Navigate(c.authURL()),
			chromedp.WaitVisible(chromedp.CSS(`a.idpButton-customizable`)),
			chromedp.Click(chromedp.CSS(`a.idpButton-customizable`)),
			chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`))); err != nil {
			t.Fatal(err)
		}
		where, err := chromedp.Run(tab, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(where, "/"+upstream+"/login") {
			t.Fatalf("the provider's sign-in page is %s, want the upstream pool's", where)
		}
		if err := chromedp.Do(tab, signInForm("carol", browserPassword)); err != nil {
			t.Fatal(err)
		}
		s := c.finish(t, a.next(t, "/cb"))
		name, _ := s.claims["cognito:username"].(string)
		ids, _ := s.claims["identities"].([]any)
		if !strings.HasPrefix(name, "Upstream_") || s.claims["email"] != "carol@example.com" || len(ids) != 1 {
			t.Errorf("federated ID token claims %v", s.claims)
		}
		u, err := idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &pool, Username: &name})
		if err != nil || u.UserStatus != ciptypes.UserStatusTypeExternalProvider {
			t.Errorf("federated user: %v %v", u, err)
		}
	})
}
