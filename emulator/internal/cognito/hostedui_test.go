package cognito_test

import (
	"crypto/sha256"
	"encoding/base64"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ccql/ccql/emulator/internal/cognito"
)

const (
	cbURL     = "https://app.example.com/cb"
	cbDefault = "http://localhost:3000/default"
	logoutURL = "https://app.example.com/bye"
)

// webPool creates a pool with a domain, a resource server and the web
// clients of the hosted UI tests: code (public, PKCE-able, openid email
// profile and a custom scope), implicit, off (OAuth not allowed) and
// m2m. It returns the pool id and the client ids by name.
func (p *idp) webPool() (string, map[string]string) {
	p.t.Helper()
	pool := p.m2mPool()
	p.call("CreateIdentityProvider", `{"UserPoolId":"`+pool+`","ProviderName":"Corp","ProviderType":"SAML","ProviderDetails":{"MetadataFile":"<x/>"},"IdpIdentifiers":["corp.example.com"]}`)
	client := func(name, extra string) string {
		c := p.call("CreateUserPoolClient", `{"UserPoolId":"`+pool+`","ClientName":"`+name+`"`+extra+`}`)["UserPoolClient"].(map[string]any)
		return c["ClientId"].(string)
	}
	ids := map[string]string{
		"code": client("code", `,"AllowedOAuthFlows":["code"],"AllowedOAuthScopes":["openid","email","profile","`+readScope+`"],"AllowedOAuthFlowsUserPoolClient":true,`+
			`"CallbackURLs":["`+cbURL+`","`+cbDefault+`"],"DefaultRedirectURI":"`+cbDefault+`","LogoutURLs":["`+logoutURL+`"],"SupportedIdentityProviders":["COGNITO","Corp"]`),
		"implicit": client("implicit", `,"AllowedOAuthFlows":["implicit"],"AllowedOAuthScopes":["openid"],"AllowedOAuthFlowsUserPoolClient":true,"CallbackURLs":["`+cbURL+`"],"SupportedIdentityProviders":["COGNITO"]`),
		"off":      client("off", `,"AllowedOAuthFlows":["code"],"AllowedOAuthScopes":["openid"],"AllowedOAuthFlowsUserPoolClient":false,"CallbackURLs":["`+cbURL+`"],"SupportedIdentityProviders":["COGNITO"]`),
		"noidp":    client("noidp", `,"AllowedOAuthFlows":["code"],"AllowedOAuthScopes":["openid"],"AllowedOAuthFlowsUserPoolClient":true,"CallbackURLs":["`+cbURL+`"]`),
	}
	return pool, ids
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

const testVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

// TestHostedUI_AuthorizeErrors checks every refusal of /oauth2/authorize
// (reference 4.8, B4): where the redirect URI cannot be trusted, the
// browser goes to the domain's error page; otherwise to the redirect URI
// with error and state.
func TestHostedUI_AuthorizeErrors(t *testing.T) {
	st := newMemStore()
	pool, ids := newIdP(t, st, cognito.DefaultAccount).webPool()
	o := newOAuth(st)
	good := func(client string, kv ...string) url.Values {
		v := url.Values{"client_id": {ids[client]}, "response_type": {"code"}, "redirect_uri": {cbURL}, "state": {"st-1"}}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				v.Del(kv[i])
				continue
			}
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	tests := []struct {
		name   string
		query  url.Values
		page   bool   // the error page, not the redirect URI
		code   string // the error
		state  bool   // state echoed
		target string // redirect target when not the default callback
	}{
		{"no client_id", good("code", "client_id", ""), true, "invalid_request", false, ""},
		{"unknown client", good("code", "client_id", "nosuchclient0000000000000a"), true, "invalid_request", false, ""},
		{"unregistered redirect_uri", good("code", "redirect_uri", "https://evil.example.com/cb"), true, "redirect_mismatch", false, ""},
		{"redirect_uri with a trailing slash", good("code", "redirect_uri", cbURL+"/"), true, "redirect_mismatch", false, ""},
		{"no redirect_uri and no default", good("implicit", "redirect_uri", "", "response_type", "token"), true, "redirect_mismatch", false, ""},
		{"no response_type", good("code", "response_type", ""), false, "invalid_request", true, ""},
		{"unknown response_type", good("code", "response_type", "id_token"), false, "invalid_request", true, ""},
		{"plain PKCE", good("code", "code_challenge_method", "plain", "code_challenge", s256(testVerifier)), false, "invalid_request", true, ""},
		{"code_challenge without method", good("code", "code_challenge", s256(testVerifier)), false, "invalid_request", true, ""},
		{"method without code_challenge", good("code", "code_challenge_method", "S256"), false, "invalid_request", true, ""},
		{"malformed code_challenge", good("code", "code_challenge_method", "S256", "code_challenge", "short"), false, "invalid_request", true, ""},
		{"repeated parameter", func() url.Values { v := good("code"); v["scope"] = []string{"openid", "email"}; return v }(), false, "invalid_request", true, ""},
		{"implicit for a code client", good("code", "response_type", "token"), false, "unauthorized_client", true, ""},
		{"code for an implicit client", good("implicit"), false, "unauthorized_client", true, ""},
		{"AllowedOAuthFlowsUserPoolClient false", good("off"), false, "unauthorized_client", true, ""},
		{"client without identity providers", good("noidp"), false, "unauthorized_client", true, ""},
		{"scope not allowed", good("code", "scope", "openid phone"), false, "invalid_scope", true, ""},
		{"unknown custom scope", good("code", "scope", "openid "+rsIdent+"/delete"), false, "invalid_scope", true, ""},
		{"email without openid", good("code", "scope", "email"), false, "invalid_scope", true, ""},
		{"identity provider not enabled", good("code", "identity_provider", "Google"), false, "invalid_request", true, ""},
		{"unknown idp_identifier", good("code", "idp_identifier", "nobody.example.com"), false, "invalid_request", true, ""},
		{"no state, no state echoed", good("code", "response_type", "", "state", ""), false, "invalid_request", false, ""},
		{"default redirect URI gets the error", good("code", "redirect_uri", "", "response_type", ""), false, "invalid_request", true, cbDefault},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(o, http.MethodGet, "http://127.0.0.1:4566/"+pool+"/oauth2/authorize?"+tt.query.Encode(), "", nil)
			if w.Code != http.StatusFound {
				t.Fatalf("status %d, want 302: %s", w.Code, w.Body)
			}
			loc, err := url.Parse(w.Header().Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			q := loc.Query()
			if tt.page {
				if loc.Path != "/"+pool+"/error" || loc.Host != "" {
					t.Fatalf("Location %s, want the domain's error page", loc)
				}
			} else {
				want := cbURL
				if tt.target != "" {
					want = tt.target
				}
				if got := loc.Scheme + "://" + loc.Host + loc.Path; got != want {
					t.Fatalf("Location %s, want the redirect URI %s", loc, want)
				}
			}
			if got := q.Get("error"); got != tt.code {
				t.Errorf("error = %q, want %q (%s)", got, tt.code, loc)
			}
			if got, ok := q["state"]; ok != tt.state || (ok && got[0] != "st-1") {
				t.Errorf("state = %v, want echoed: %v", got, tt.state)
			}
			if q.Has("code") || loc.Fragment != "" {
				t.Errorf("a refusal carries a code or tokens: %s", loc)
			}
		})
	}
	t.Run("error page", func(t *testing.T) {
		w := serve(o, http.MethodGet, "http://127.0.0.1:4566/"+pool+"/error?error=redirect_mismatch&client_id=x", "", nil)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "redirect_mismatch") || !strings.Contains(w.Body.String(), "An error was encountered with the requested page.") {
			t.Errorf("%d %s", w.Code, w.Body)
		}
	})
	t.Run("POST", func(t *testing.T) {
		w := serve(o, http.MethodPost, "http://127.0.0.1:4566/"+pool+"/oauth2/authorize?"+good("code").Encode(), "", nil)
		if w.Code != http.StatusMethodNotAllowed {
			t.Errorf("status %d, want 405", w.Code)
		}
	})
}

// TestHostedUI_AuthorizeToLogin checks that a valid request without a
// session goes to the sign-in page with the same parameters, on the domain
// host and on the path form.
func TestHostedUI_AuthorizeToLogin(t *testing.T) {
	st := newMemStore()
	pool, ids := newIdP(t, st, cognito.DefaultAccount).webPool()
	o := newOAuth(st)
	q := url.Values{
		"client_id": {ids["code"]}, "response_type": {"code"}, "redirect_uri": {cbURL}, "state": {"s"},
		"scope": {"openid email"}, "nonce": {"n-1"}, "code_challenge_method": {"S256"}, "code_challenge": {s256(testVerifier)},
	}
	for _, tt := range []struct{ name, target, login string }{
		{"path form", "http://127.0.0.1:4566/" + pool + "/oauth2/authorize", "/" + pool + "/login"},
		{"domain host", "http://auth-test.auth.us-east-1.amazoncognito.com/oauth2/authorize", "/login"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(o, http.MethodGet, tt.target+"?"+q.Encode(), "", nil)
			loc, _ := url.Parse(w.Header().Get("Location"))
			if w.Code != http.StatusFound || loc.Path != tt.login {
				t.Fatalf("%d Location %s, want %s", w.Code, loc, tt.login)
			}
			if got := loc.Query(); got.Encode() != q.Encode() {
				t.Errorf("login query %s, want %s", got.Encode(), q.Encode())
			}
			page := serve(o, http.MethodGet, "http://127.0.0.1:4566"+loc.String(), "", nil)
			if tt.name == "domain host" {
				page = serve(o, http.MethodGet, "http://auth-test.auth.us-east-1.amazoncognito.com"+loc.String(), "", nil)
			}
			body := html.UnescapeString(page.Body.String())
			for _, want := range []string{`name="username"`, `name="password"`, `name="signInSubmitButton"`, `action="` + loc.String() + `"`, "Continue with Corp"} {
				if !strings.Contains(body, want) {
					t.Errorf("login page lacks %s:\n%s", want, body)
				}
			}
		})
	}
}

// TestHostedUI_TokenCodeErrors checks the authorization_code grant's
// refusals (reference 4.8, B3) on codes stored as a sign-in stores them.
func TestHostedUI_TokenCodeErrors(t *testing.T) {
	st := newMemStore()
	pool, ids := newIdP(t, st, cognito.DefaultAccount).webPool()
	o := newOAuth(st)
	tokenURL := "http://127.0.0.1:4566/" + pool + "/oauth2/token"
	code := func(client, challenge string) string {
		c, err := o.IssueCodeForTest(cognito.DefaultAccount, testRegion, pool, ids[client], cbURL, challenge, "alice", []string{"openid"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	form := func(kv ...string) string {
		v := url.Values{"grant_type": {"authorization_code"}, "client_id": {ids["code"]}, "redirect_uri": {cbURL}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	used := code("code", "")
	serve(o, http.MethodPost, tokenURL, form("code", used, "redirect_uri", "https://other.example.com/"), nil)
	tests := []struct {
		name, body, want string
	}{
		{"no code", form(), "invalid_request"},
		{"no redirect_uri", url.Values{"grant_type": {"authorization_code"}, "client_id": {ids["code"]}, "code": {code("code", "")}}.Encode(), "invalid_request"},
		{"unknown code", form("code", "nope"), "invalid_grant"},
		{"code used once already", form("code", used), "invalid_grant"},
		{"code of another client", form("code", code("implicit", "")), "invalid_grant"},
		{"redirect_uri differs", form("code", code("code", ""), "redirect_uri", cbURL+"/"), "unauthorized_client"},
		{"PKCE verifier missing", form("code", code("code", s256(testVerifier))), "invalid_grant"},
		{"PKCE verifier wrong", form("code", code("code", s256(testVerifier)), "code_verifier", testVerifier+"x"), "invalid_grant"},
		{"client not allowed OAuth", form("client_id", ids["off"], "code", code("off", "")), "unauthorized_client"},
		{"implicit client", form("client_id", ids["implicit"], "code", code("implicit", "")), "unauthorized_client"},
		{"refresh without token", url.Values{"grant_type": {"refresh_token"}, "client_id": {ids["code"]}}.Encode(), "invalid_request"},
		{"unknown refresh token", url.Values{"grant_type": {"refresh_token"}, "client_id": {ids["code"]}, "refresh_token": {"nope"}}.Encode(), "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(o, http.MethodPost, tokenURL, tt.body, nil)
			if w.Code != http.StatusBadRequest || w.Body.String() != `{"error":"`+tt.want+`"}` {
				t.Errorf("%d %s, want 400 %s", w.Code, w.Body, tt.want)
			}
		})
	}
}

// TestHostedUI_LogoutRevokeUserInfoErrors checks the refusals of /logout,
// /oauth2/revoke and /oauth2/userInfo (reference 4.8, B5–B7).
func TestHostedUI_LogoutRevokeUserInfoErrors(t *testing.T) {
	st := newMemStore()
	p := newIdP(t, st, cognito.DefaultAccount)
	pool, ids := p.webPool()
	noRevoke := p.call("CreateUserPoolClient", `{"UserPoolId":"`+pool+`","ClientName":"norevoke","EnableTokenRevocation":false}`)["UserPoolClient"].(map[string]any)["ClientId"].(string)
	secretID, secret := p.m2mClient(pool, "")
	o := newOAuth(st)
	at := "http://127.0.0.1:4566/" + pool
	idHint := "e30." + base64.RawURLEncoding.EncodeToString([]byte(`{"aud":"`+ids["code"]+`"}`)) + ".sig"
	for _, tt := range []struct {
		name, query, location string
	}{
		{"no client_id", "logout_uri=" + url.QueryEscape(logoutURL), "/" + pool + "/error?"},
		{"unknown client", "client_id=nosuchclient0000000000000a&logout_uri=" + url.QueryEscape(logoutURL), "/" + pool + "/error?"},
		{"logout_uri not registered", "client_id=" + ids["code"] + "&logout_uri=" + url.QueryEscape("https://evil.example.com/"), "/" + pool + "/error?client_id=" + ids["code"] + "&error=redirect_mismatch"},
		{"neither logout_uri nor redirect_uri", "client_id=" + ids["code"], "/" + pool + "/error?"},
		{"logout_uri", "client_id=" + ids["code"] + "&logout_uri=" + url.QueryEscape(logoutURL), logoutURL},
		{"back to the sign-in page", "client_id=" + ids["code"] + "&response_type=code&redirect_uri=" + url.QueryEscape(cbURL) + "&state=x", "/" + pool + "/login?client_id=" + ids["code"] + "&redirect_uri=" + url.QueryEscape(cbURL) + "&response_type=code&state=x"},
		{"RP-initiated logout", "id_token_hint=" + idHint + "&post_logout_redirect_uri=" + url.QueryEscape(logoutURL) + "&state=z", logoutURL + "?state=z"},
	} {
		t.Run("logout "+tt.name, func(t *testing.T) {
			w := serve(o, http.MethodGet, at+"/logout?"+tt.query, "", nil)
			if loc := w.Header().Get("Location"); w.Code != http.StatusFound || !strings.HasPrefix(loc, tt.location) {
				t.Errorf("%d Location %q, want %q…", w.Code, loc, tt.location)
			}
		})
	}
	for _, tt := range []struct {
		name, body string
		header     map[string]string
		status     int
		want       string
	}{
		{"no token", "client_id=" + ids["code"], nil, 400, `{"error":"invalid_request"}`},
		{"no client", "token=abc", nil, 400, `{"error":"invalid_request"}`},
		{"unknown client", "client_id=nosuchclient0000000000000a&token=abc", nil, 401, `{"error":"invalid_client"}`},
		{"wrong secret", "token=abc", basicAuth(secretID, secret+"x"), 401, `{"error":"invalid_client"}`},
		{"secret missing", "token=abc&client_id=" + secretID, nil, 401, `{"error":"invalid_client"}`},
		{"revocation disabled", "client_id=" + noRevoke + "&token=abc", nil, 400, `{"error":"invalid_request"}`},
		{"an access token", "client_id=" + ids["code"] + "&token=a.b.c", nil, 400, `{"error":"unsupported_token_type"}`},
		{"unknown refresh token", "client_id=" + ids["code"] + "&token=abc", nil, 200, ``},
		{"confidential client, Basic", "token=abc", basicAuth(secretID, secret), 200, ``},
	} {
		t.Run("revoke "+tt.name, func(t *testing.T) {
			w := serve(o, http.MethodPost, at+"/oauth2/revoke", tt.body, tt.header)
			if w.Code != tt.status || w.Body.String() != tt.want {
				t.Errorf("%d %s, want %d %s", w.Code, w.Body, tt.status, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		name, auth string
		status     int
		www        string
	}{
		{"no token", "", 400, `error="invalid_request"`},
		{"not Bearer", "Basic abc", 400, `error="invalid_request"`},
		{"garbage token", "Bearer abc.def.ghi", 401, `error="invalid_token"`},
	} {
		t.Run("userInfo "+tt.name, func(t *testing.T) {
			h := map[string]string{}
			if tt.auth != "" {
				h["Authorization"] = tt.auth
			}
			w := serve(o, http.MethodGet, at+"/oauth2/userInfo", "", h)
			if w.Code != tt.status || !strings.Contains(w.Header().Get("WWW-Authenticate"), tt.www) {
				t.Errorf("%d WWW-Authenticate %q, want %d %s", w.Code, w.Header().Get("WWW-Authenticate"), tt.status, tt.www)
			}
		})
	}
}

// TestHostedUI_ProviderOnlyClient: a client without COGNITO among its
// identity providers gets no sign-in form, and a posted one is refused.
func TestHostedUI_ProviderOnlyClient(t *testing.T) {
	st := newMemStore()
	p := newIdP(t, st, cognito.DefaultAccount)
	pool, _ := p.webPool()
	client := p.call("CreateUserPoolClient", `{"UserPoolId":"`+pool+`","ClientName":"corp","AllowedOAuthFlows":["code"],"AllowedOAuthScopes":["openid"],"AllowedOAuthFlowsUserPoolClient":true,"CallbackURLs":["`+cbURL+`"],"SupportedIdentityProviders":["Corp"]}`)["UserPoolClient"].(map[string]any)["ClientId"].(string)
	o := newOAuth(st)
	q := url.Values{"client_id": {client}, "response_type": {"code"}, "redirect_uri": {cbURL}}.Encode()
	page := serve(o, http.MethodGet, "http://127.0.0.1:4566/"+pool+"/login?"+q, "", nil)
	if page.Code != 200 || strings.Contains(page.Body.String(), `name="password"`) || !strings.Contains(page.Body.String(), "Continue with Corp") {
		t.Errorf("login page of a provider-only client: %d\n%s", page.Code, page.Body)
	}
	for _, path := range []string{"/login", "/signup", "/forgotPassword"} {
		w := serve(o, http.MethodPost, "http://127.0.0.1:4566/"+pool+path+"?"+q, "username=alice&password=x", nil)
		loc, _ := url.Parse(w.Header().Get("Location"))
		if w.Code != http.StatusFound || loc.Query().Get("error") != "unauthorized_client" {
			t.Errorf("POST %s: %d %s", path, w.Code, loc)
		}
	}
}
