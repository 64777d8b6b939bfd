package cognito_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ccql/ccql/emulator/internal/cognito"
)

// pageClient is a cookie-keeping HTTP client that stops at the app's
// callback and logout URLs, as a browser would hand them to the app.
type pageClient struct {
	t    *testing.T
	c    *http.Client
	base string // http://127.0.0.1:port
}

func newPageClient(t *testing.T, h http.Handler) *pageClient {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	return &pageClient{t: t, base: srv.URL, c: &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Host != strings.TrimPrefix(srv.URL, "http://") {
			return http.ErrUseLastResponse
		}
		return nil
	}}}
}

// page is a fetched response.
type page struct {
	status int
	url    *url.URL // where the client ended
	loc    string   // Location of a redirect out of the emulator
	body   string   // unescaped HTML
}

func (p *pageClient) do(req *http.Request) *page {
	p.t.Helper()
	resp, err := p.c.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &page{status: resp.StatusCode, url: resp.Request.URL, loc: resp.Header.Get("Location"), body: html.UnescapeString(string(b))}
}

func (p *pageClient) get(u string) *page {
	p.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return p.do(req)
}

var (
	formAction  = regexp.MustCompile(`<form[^>]*action="([^"]*)"`)
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// submit posts the page's form with fields, plus its hidden inputs.
func (p *pageClient) submit(pg *page, fields map[string]string) *page {
	p.t.Helper()
	m := formAction.FindStringSubmatch(pg.body)
	if m == nil {
		p.t.Fatalf("no form on %s:\n%s", pg.url, pg.body)
	}
	form := url.Values{}
	for _, h := range hiddenInput.FindAllStringSubmatch(pg.body, -1) {
		form.Set(h[1], h[2])
	}
	for k, v := range fields {
		form.Set(k, v)
	}
	req, _ := http.NewRequest(http.MethodPost, p.base+m[1], strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return p.do(req)
}

func (p *pageClient) postForm(u string, form url.Values, header map[string]string) (int, map[string]any) {
	p.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	pg := p.do(req)
	var m map[string]any
	if pg.body != "" {
		if err := json.Unmarshal([]byte(pg.body), &m); err != nil {
			p.t.Fatalf("%d %q: %v", pg.status, pg.body, err)
		}
	}
	return pg.status, m
}

// callback returns the query of a redirect to the app's callback.
func callback(t *testing.T, pg *page, want string) url.Values {
	t.Helper()
	if pg.status != http.StatusFound || !strings.HasPrefix(pg.loc, want) {
		t.Fatalf("status %d Location %q, want a redirect to %s; page:\n%s", pg.status, pg.loc, want, pg.body)
	}
	u, _ := url.Parse(pg.loc)
	return u.Query()
}

const (
	alicePassword = "Passw0rd!alice"
	newPassword   = "N3w-Passw0rd!"
)

// TestHostedUI_Flows runs the hosted UI's flows in process with a
// cookie-keeping client: code + PKCE, the remembered session, refresh,
// userInfo, revoke, logout, implicit, wrong password and a forced
// password change. (The browser test runs them through Chromium.)
func TestHostedUI_Flows(t *testing.T) {
	st := newMemStore()
	p := newIdP(t, st, cognito.DefaultAccount)
	pool, ids := p.webPool()
	p.call("AdminCreateUser", `{"UserPoolId":"`+pool+`","Username":"alice","MessageAction":"SUPPRESS","UserAttributes":[{"Name":"email","Value":"alice@example.com"},{"Name":"email_verified","Value":"true"},{"Name":"given_name","Value":"Alice"}]}`)
	p.call("AdminSetUserPassword", `{"UserPoolId":"`+pool+`","Username":"alice","Password":"`+alicePassword+`","Permanent":true}`)
	p.call("AdminCreateUser", `{"UserPoolId":"`+pool+`","Username":"bob","TemporaryPassword":"Temp0rary!pw","MessageAction":"SUPPRESS"}`)
	b := newPageClient(t, newOAuth(st))
	authorize := func(client, responseType, scope string, kv ...string) string {
		q := url.Values{"client_id": {ids[client]}, "response_type": {responseType}, "redirect_uri": {cbURL}, "state": {"st"}, "scope": {scope}}
		for i := 0; i+1 < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		return b.base + "/" + pool + "/oauth2/authorize?" + q.Encode()
	}
	tokenURL := b.base + "/" + pool + "/oauth2/token"

	login := b.get(authorize("code", "code", "openid email", "nonce", "n-42", "code_challenge_method", "S256", "code_challenge", s256(testVerifier)))
	if login.status != 200 || !strings.HasSuffix(login.url.Path, "/login") {
		t.Fatalf("authorize: %d %s", login.status, login.url)
	}
	bad := b.submit(login, map[string]string{"username": "alice", "password": "wrong"})
	if bad.status != http.StatusUnauthorized || !strings.Contains(bad.body, "Incorrect username or password.") {
		t.Fatalf("wrong password: %d\n%s", bad.status, bad.body)
	}
	q := callback(t, b.submit(bad, map[string]string{"username": "alice", "password": alicePassword}), cbURL)
	if q.Get("state") != "st" || q.Get("code") == "" {
		t.Fatalf("callback query %v", q)
	}
	status, toks := b.postForm(tokenURL, url.Values{"grant_type": {"authorization_code"}, "client_id": {ids["code"]}, "code": {q.Get("code")}, "redirect_uri": {cbURL}, "code_verifier": {testVerifier}}, nil)
	if status != 200 || toks["refresh_token"] == nil || toks["id_token"] == nil {
		t.Fatalf("code exchange: %d %v", status, toks)
	}
	id, access := payload(t, toks["id_token"].(string)), payload(t, toks["access_token"].(string))
	for k, want := range map[string]any{"nonce": "n-42", "aud": ids["code"], "email": "alice@example.com", "email_verified": true, "cognito:username": "alice", "token_use": "id"} {
		if id[k] != want {
			t.Errorf("id token %s = %v, want %v", k, id[k], want)
		}
	}
	if id["at_hash"] == nil {
		t.Error("id token lacks at_hash")
	}
	if access["scope"] != "openid email" || access["version"] != float64(2) || access["username"] != "alice" {
		t.Errorf("access token claims %v", access)
	}
	// A used code is spent.
	if status, body := b.postForm(tokenURL, url.Values{"grant_type": {"authorization_code"}, "client_id": {ids["code"]}, "code": {q.Get("code")}, "redirect_uri": {cbURL}, "code_verifier": {testVerifier}}, nil); status != 400 || body["error"] != "invalid_grant" {
		t.Errorf("second exchange: %d %v", status, body)
	}

	// The session cookie skips the form.
	q2 := callback(t, b.get(authorize("code", "code", "openid")), cbURL)
	if q2.Get("code") == "" {
		t.Fatalf("second authorize %v", q2)
	}

	// userInfo: the attributes of the granted scopes.
	req, _ := http.NewRequest(http.MethodGet, b.base+"/"+pool+"/oauth2/userInfo", nil)
	req.Header.Set("Authorization", "Bearer "+toks["access_token"].(string))
	info := b.do(req)
	var ui map[string]any
	_ = json.Unmarshal([]byte(info.body), &ui)
	if info.status != 200 || ui["email"] != "alice@example.com" || ui["email_verified"] != "true" || ui["username"] != "alice" || ui["given_name"] != nil {
		t.Errorf("userInfo %d %s", info.status, info.body)
	}

	// refresh: access and ID tokens, no refresh token without rotation.
	status, ref := b.postForm(tokenURL, url.Values{"grant_type": {"refresh_token"}, "client_id": {ids["code"]}, "refresh_token": {toks["refresh_token"].(string)}}, nil)
	if status != 200 || ref["refresh_token"] != nil || ref["id_token"] == nil || payload(t, ref["access_token"].(string))["scope"] != "openid email" {
		t.Errorf("refresh: %d %v", status, ref)
	}
	// revoke, then the refresh token and its access tokens are refused.
	if status, body := b.postForm(b.base+"/"+pool+"/oauth2/revoke", url.Values{"client_id": {ids["code"]}, "token": {toks["refresh_token"].(string)}}, nil); status != 200 || body != nil {
		t.Errorf("revoke: %d %v", status, body)
	}
	if status, body := b.postForm(tokenURL, url.Values{"grant_type": {"refresh_token"}, "client_id": {ids["code"]}, "refresh_token": {toks["refresh_token"].(string)}}, nil); status != 400 || body["error"] != "invalid_grant" {
		t.Errorf("refresh after revoke: %d %v", status, body)
	}
	if info := b.do(req); info.status != 401 {
		t.Errorf("userInfo after revoke: %d %s", info.status, info.body)
	}

	// logout clears the session: the next authorize shows the form.
	out := b.get(b.base + "/" + pool + "/logout?client_id=" + ids["code"] + "&logout_uri=" + url.QueryEscape(logoutURL))
	if out.status != http.StatusFound || out.loc != logoutURL {
		t.Fatalf("logout: %d %q", out.status, out.loc)
	}
	if again := b.get(authorize("code", "code", "openid")); again.status != 200 || !strings.HasSuffix(again.url.Path, "/login") {
		t.Fatalf("authorize after logout: %d %s", again.status, again.url)
	}

	// Implicit: tokens in the fragment, never a refresh token.
	implicit := b.submit(b.get(authorize("implicit", "token", "openid", "nonce", "n-i")), map[string]string{"username": "alice", "password": alicePassword})
	u, _ := url.Parse(implicit.loc)
	frag, _ := url.ParseQuery(u.Fragment)
	if implicit.status != 302 || frag.Get("access_token") == "" || frag.Get("id_token") == "" || frag.Has("refresh_token") || frag.Get("state") != "st" || frag.Get("token_type") != "Bearer" || u.RawQuery != "" {
		t.Errorf("implicit: %d %q", implicit.status, implicit.loc)
	}

	// A temporary password leads to the change-password page.
	b.get(b.base + "/" + pool + "/logout?client_id=" + ids["code"] + "&logout_uri=" + url.QueryEscape(logoutURL))
	change := b.submit(b.get(authorize("code", "code", "openid")), map[string]string{"username": "bob", "password": "Temp0rary!pw"})
	if change.status != 200 || !strings.Contains(change.body, `name="newPassword"`) {
		t.Fatalf("temporary password: %d\n%s", change.status, change.body)
	}
	weak := b.submit(change, map[string]string{"newPassword": "short", "confirmPassword": "short"})
	if !strings.Contains(weak.body, "Password did not conform with policy") {
		t.Fatalf("weak new password:\n%s", weak.body)
	}
	q3 := callback(t, b.submit(weak, map[string]string{"newPassword": newPassword, "confirmPassword": newPassword}), cbURL)
	if q3.Get("code") == "" {
		t.Fatalf("after the new password %v", q3)
	}
}

// TestHostedUI_Federation signs in to one pool through another pool of
// the same emulator, an OIDC identity provider: the first pool creates an
// EXTERNAL_PROVIDER user with the attribute mapping and issues its own
// tokens with an identities claim; a second sign-in finds the same user.
func TestHostedUI_Federation(t *testing.T) {
	st := newMemStore()
	p := newIdP(t, st, cognito.DefaultAccount)
	b := newPageClient(t, newOAuth(st))
	// The provider pool, its user and the client the first pool signs in with.
	upstream := p.call("CreateUserPool", `{"PoolName":"upstream"}`)["UserPool"].(map[string]any)["Id"].(string)
	p.call("CreateUserPoolDomain", `{"UserPoolId":"`+upstream+`","Domain":"upstream-test"}`)
	p.call("AdminCreateUser", `{"UserPoolId":"`+upstream+`","Username":"carol","MessageAction":"SUPPRESS","UserAttributes":[{"Name":"email","Value":"carol@corp.example"},{"Name":"email_verified","Value":"true"}]}`)
	p.call("AdminSetUserPassword", `{"UserPoolId":"`+upstream+`","Username":"carol","Password":"`+alicePassword+`","Permanent":true}`)
	pool := p.call("CreateUserPool", `{"PoolName":"app"}`)["UserPool"].(map[string]any)["Id"].(string)
	p.call("CreateUserPoolDomain", `{"UserPoolId":"`+pool+`","Domain":"app-test"}`)
	idpResponse := b.base + "/" + pool + "/oauth2/idpresponse"
	up := p.call("CreateUserPoolClient", `{"UserPoolId":"`+upstream+`","ClientName":"federation","GenerateSecret":true,"AllowedOAuthFlows":["code"],"AllowedOAuthScopes":["openid","email"],"AllowedOAuthFlowsUserPoolClient":true,"CallbackURLs":["`+idpResponse+`"],"SupportedIdentityProviders":["COGNITO"]}`)["UserPoolClient"].(map[string]any)
	p.call("CreateIdentityProvider", `{"UserPoolId":"`+pool+`","ProviderName":"Upstream","ProviderType":"OIDC","ProviderDetails":{"client_id":"`+up["ClientId"].(string)+`","client_secret":"`+up["ClientSecret"].(string)+`","authorize_scopes":"openid email","attributes_request_method":"GET","oidc_issuer":"https://cognito-idp.us-east-1.amazonaws.com/`+upstream+`"},"AttributeMapping":{"email":"email","email_verified":"email_verified"}}`)
	p.call("CreateIdentityProvider", `{"UserPoolId":"`+pool+`","ProviderName":"Google","ProviderType":"Google","ProviderDetails":{"client_id":"g","client_secret":"s","authorize_scopes":"openid"}}`)
	app := p.call("CreateUserPoolClient", `{"UserPoolId":"`+pool+`","ClientName":"web","AllowedOAuthFlows":["code"],"AllowedOAuthScopes":["openid","email"],"AllowedOAuthFlowsUserPoolClient":true,"CallbackURLs":["`+cbURL+`"],"SupportedIdentityProviders":["COGNITO","Upstream","Google"]}`)["UserPoolClient"].(map[string]any)["ClientId"].(string)
	authorize := func(provider string) string {
		q := url.Values{"client_id": {app}, "response_type": {"code"}, "redirect_uri": {cbURL}, "state": {"fed"}, "identity_provider": {provider}}
		return b.base + "/" + pool + "/oauth2/authorize?" + q.Encode()
	}
	signIn := func() map[string]any {
		t.Helper()
		login := b.get(authorize("Upstream"))
		if login.status != 200 || login.url.Path != "/"+upstream+"/login" {
			t.Fatalf("authorize: %d %s", login.status, login.url)
		}
		q := callback(t, b.submit(login, map[string]string{"username": "carol", "password": alicePassword}), cbURL)
		if q.Get("state") != "fed" {
			t.Fatalf("callback %v", q)
		}
		status, toks := b.postForm(b.base+"/"+pool+"/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {app}, "code": {q.Get("code")}, "redirect_uri": {cbURL}}, nil)
		if status != 200 {
			t.Fatalf("exchange: %d %v", status, toks)
		}
		return payload(t, toks["id_token"].(string))
	}
	id := signIn()
	user := p.call("AdminGetUser", `{"UserPoolId":"`+pool+`","Username":"`+id["cognito:username"].(string)+`"}`)
	if user["UserStatus"] != "EXTERNAL_PROVIDER" || !strings.HasPrefix(id["cognito:username"].(string), "Upstream_") {
		t.Fatalf("federated user %v", user)
	}
	if id["email"] != "carol@corp.example" || id["iss"] != b.base+"/"+pool {
		t.Errorf("id token %v", id)
	}
	identities, _ := id["identities"].([]any)
	if len(identities) != 1 || identities[0].(map[string]any)["providerName"] != "Upstream" || identities[0].(map[string]any)["providerType"] != "OIDC" {
		t.Errorf("identities claim %v, want one OIDC identity of Upstream", id["identities"])
	}
	// Signed out of both pools, a second federated sign-in finds the same user.
	b.c.Jar, _ = cookiejar.New(nil)
	if again := signIn(); again["sub"] != id["sub"] {
		t.Errorf("second sign-in made another user: %v vs %v", again["sub"], id["sub"])
	}
	// Social providers are not emulated: a page says so.
	g := b.get(authorize("Google"))
	if g.status != http.StatusNotImplemented || !strings.Contains(g.body, "not emulate") {
		t.Errorf("Google: %d\n%s", g.status, g.body)
	}
}

// lastCode returns the code of the newest outbox message to username.
func lastCode(t *testing.T, st *memStore, pool, username string) string {
	t.Helper()
	st.mu.Lock()
	defer st.mu.Unlock()
	msgs, err := cognito.ListMessages(st.scope(cognito.DefaultAccount, testRegion), pool, username)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("no message to %s: %v", username, err)
	}
	return msgs[len(msgs)-1].Code
}

// TestHostedUI_SignUpAndForgotPassword completes sign-up and a password
// reset on the pages with the codes from the outbox, and checks that an
// unconfirmed user is sent to the confirmation page and that repeated
// wrong passwords lock the user out.
func TestHostedUI_SignUpAndForgotPassword(t *testing.T) {
	st := newMemStore()
	p := newIdP(t, st, cognito.DefaultAccount)
	pool := p.call("CreateUserPool", `{"PoolName":"signup","AutoVerifiedAttributes":["email"]}`)["UserPool"].(map[string]any)["Id"].(string)
	p.call("CreateUserPoolDomain", `{"UserPoolId":"`+pool+`","Domain":"signup-test"}`)
	client := p.call("CreateUserPoolClient", `{"UserPoolId":"`+pool+`","ClientName":"web","GenerateSecret":true,"AllowedOAuthFlows":["code"],"AllowedOAuthScopes":["openid"],"AllowedOAuthFlowsUserPoolClient":true,"CallbackURLs":["`+cbURL+`"],"SupportedIdentityProviders":["COGNITO"]}`)["UserPoolClient"].(map[string]any)["ClientId"].(string)
	b := newPageClient(t, newOAuth(st))
	q := url.Values{"client_id": {client}, "response_type": {"code"}, "redirect_uri": {cbURL}, "state": {"s"}}
	login := b.get(b.base + "/" + pool + "/oauth2/authorize?" + q.Encode())

	signup := b.get(b.base + "/" + pool + "/signup?" + q.Encode())
	weak := b.submit(signup, map[string]string{"username": "erin", "email": "erin@example.com", "password": "weak"})
	if weak.status != 400 || !strings.Contains(weak.body, "Password did not conform with policy") {
		t.Fatalf("weak sign-up password: %d\n%s", weak.status, weak.body)
	}
	confirm := b.submit(weak, map[string]string{"username": "erin", "email": "erin@example.com", "password": alicePassword})
	if confirm.status != 200 || !strings.Contains(confirm.body, `name="confirmation_code"`) {
		t.Fatalf("sign-up: %d\n%s", confirm.status, confirm.body)
	}
	// Signing in before confirming leads back to a confirmation page with
	// a new code.
	again := b.submit(login, map[string]string{"username": "erin", "password": alicePassword})
	if again.status != 200 || !strings.Contains(again.body, `name="confirmation_code"`) {
		t.Fatalf("unconfirmed sign-in: %d\n%s", again.status, again.body)
	}
	if bad := b.submit(again, map[string]string{"confirmation_code": "000000"}); bad.status != 400 || !strings.Contains(bad.body, "Invalid verification code provided, please try again.") {
		t.Fatalf("wrong code: %d\n%s", bad.status, bad.body)
	}
	done := b.submit(again, map[string]string{"confirmation_code": lastCode(t, st, pool, "erin")})
	if done.status != 200 || !strings.Contains(done.body, "Your account is confirmed.") {
		t.Fatalf("confirmation: %d %s\n%s", done.status, done.url, done.body)
	}
	callback(t, b.submit(done, map[string]string{"username": "erin", "password": alicePassword}), cbURL)

	b.c.Jar, _ = cookiejar.New(nil)
	forgot := b.get(b.base + "/" + pool + "/forgotPassword?" + q.Encode())
	reset := b.submit(forgot, map[string]string{"username": "erin"})
	if reset.status != 200 || !strings.Contains(reset.body, `name="code"`) {
		t.Fatalf("forgot password: %d\n%s", reset.status, reset.body)
	}
	after := b.submit(reset, map[string]string{"code": lastCode(t, st, pool, "erin"), "password": newPassword, "confirmPassword": newPassword})
	if after.status != 200 || !strings.Contains(after.body, "Your password has been reset.") {
		t.Fatalf("reset: %d\n%s", after.status, after.body)
	}
	if old := b.submit(after, map[string]string{"username": "erin", "password": alicePassword}); !strings.Contains(old.body, "Incorrect username or password.") {
		t.Fatalf("the old password still works:\n%s", old.body)
	}
	callback(t, b.submit(after, map[string]string{"username": "erin", "password": newPassword}), cbURL)

	// Wrong passwords lock the user out, with AWS's message.
	b.c.Jar, _ = cookiejar.New(nil)
	form := b.get(b.base + "/" + pool + "/oauth2/authorize?" + q.Encode())
	var last *page
	for range 6 {
		last = b.submit(form, map[string]string{"username": "erin", "password": "wrong"})
	}
	if !strings.Contains(last.body, "Password attempts exceeded") {
		t.Errorf("after 6 wrong passwords:\n%s", last.body)
	}
	// Unknown users get the client's LEGACY answer.
	if u := b.submit(form, map[string]string{"username": "nobody", "password": "x"}); !strings.Contains(u.body, "User does not exist.") {
		t.Errorf("unknown user:\n%s", u.body)
	}
}

// totpNow is RFC 6238's code of a base32 secret at t (SHA-1, 6 digits,
// 30 s), written here apart from the emulator's implementation.
func totpNow(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil {
		t.Fatalf("secret %q: %v", secret, err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(at.Unix()/30))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:])&0x7fffffff)%1000000)
}

var secretOnPage = regexp.MustCompile(`<code id="totpSecret">([A-Z2-7=]+)</code>`)

// TestHostedUI_MFASetup: a pool that requires MFA has a user without any
// set one up on the page (MFA_SETUP), then answer the code page.
func TestHostedUI_MFASetup(t *testing.T) {
	st := newMemStore()
	p := newIdP(t, st, cognito.DefaultAccount)
	pool := p.call("CreateUserPool", `{"PoolName":"mfa"}`)["UserPool"].(map[string]any)["Id"].(string)
	p.call("CreateUserPoolDomain", `{"UserPoolId":"`+pool+`","Domain":"mfa-test"}`)
	p.call("SetUserPoolMfaConfig", `{"UserPoolId":"`+pool+`","MfaConfiguration":"ON","SoftwareTokenMfaConfiguration":{"Enabled":true}}`)
	client := p.call("CreateUserPoolClient", `{"UserPoolId":"`+pool+`","ClientName":"web","AllowedOAuthFlows":["code"],"AllowedOAuthScopes":["openid"],"AllowedOAuthFlowsUserPoolClient":true,"CallbackURLs":["`+cbURL+`"],"LogoutURLs":["`+logoutURL+`"],"SupportedIdentityProviders":["COGNITO"]}`)["UserPoolClient"].(map[string]any)["ClientId"].(string)
	p.call("AdminCreateUser", `{"UserPoolId":"`+pool+`","Username":"frank","MessageAction":"SUPPRESS"}`)
	p.call("AdminSetUserPassword", `{"UserPoolId":"`+pool+`","Username":"frank","Password":"`+alicePassword+`","Permanent":true}`)
	b := newPageClient(t, newOAuth(st))
	authorize := b.base + "/" + pool + "/oauth2/authorize?" + url.Values{"client_id": {client}, "response_type": {"code"}, "redirect_uri": {cbURL}}.Encode()

	setup := b.submit(b.get(authorize), map[string]string{"username": "frank", "password": alicePassword})
	m := secretOnPage.FindStringSubmatch(setup.body)
	if setup.status != 200 || m == nil {
		t.Fatalf("MFA setup page: %d\n%s", setup.status, setup.body)
	}
	wrong := b.submit(setup, map[string]string{"totpCode": "000000"})
	if wrong.status != 400 || !strings.Contains(wrong.body, m[1]) {
		t.Fatalf("wrong setup code: %d\n%s", wrong.status, wrong.body)
	}
	callback(t, b.submit(wrong, map[string]string{"totpCode": totpNow(t, m[1], oauthNow)}), cbURL)

	b.get(b.base + "/" + pool + "/logout?client_id=" + client + "&logout_uri=" + url.QueryEscape(logoutURL))
	code := b.submit(b.get(authorize), map[string]string{"username": "frank", "password": alicePassword})
	if !strings.Contains(code.body, `name="totpCode"`) || strings.Contains(code.body, "totpSecret") {
		t.Fatalf("second sign-in: want the code page\n%s", code.body)
	}
	callback(t, b.submit(code, map[string]string{"totpCode": totpNow(t, m[1], oauthNow)}), cbURL)
}
