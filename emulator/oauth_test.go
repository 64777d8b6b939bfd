package emulator_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/emulator"
)

// oauthFixture is what an application has after provisioning through SQL:
// a pool with a resource server, a prefix domain and app clients.
type oauthFixture struct {
	dir     string
	pool    string
	prefix  string
	cc      client // client_credentials, 10-minute access tokens
	off     client // client_credentials stored, AllowedOAuthFlowsUserPoolClient false
	code    client // public code-flow client
	noDom   string // a pool without a domain
	noDomCC client // a client_credentials client of noDom
}

type client struct{ id, secret string }

const (
	rsID       = "https://api.example.com"
	scopeRead  = rsID + "/read"
	scopeWrite = rsID + "/write"
)

func sqlQuery(t testing.TB, eng *ccql.Engine, stmt string) *ccql.Result {
	t.Helper()
	res, err := eng.Query(context.Background(), stmt)
	if err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	return res
}

// created runs an INSERT … RETURNING Identifier, OperationStatus and returns
// the identifier of the created resource.
func created(t testing.TB, eng *ccql.Engine, stmt string) string {
	t.Helper()
	res := sqlQuery(t, eng, stmt+` RETURNING Identifier, OperationStatus, StatusMessage`)
	if res.Rows[0][1] != "SUCCESS" {
		t.Fatalf("%s: %v: %v", stmt, res.Rows[0][1], res.Rows[0][2])
	}
	return res.Rows[0][0].(string)
}

func sqlClient(t testing.TB, eng *ccql.Engine, pool, columns, values string) client {
	t.Helper()
	id := created(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, %s, region) SELECT '%s', %s, 'us-east-1'`, columns, pool, values))
	res := sqlQuery(t, eng, fmt.Sprintf(`SELECT client_id, client_secret FROM awscc.cognito.user_pool_clients WHERE region = 'us-east-1' AND Identifier = '%s'`, id))
	c := client{id: res.Rows[0][0].(string)}
	if s, ok := res.Rows[0][1].(string); ok {
		c.secret = s
	}
	return c
}

// provision creates the fixture through the SQL engine on a data dir.
func provision(t testing.TB) *oauthFixture {
	t.Helper()
	f := &oauthFixture{dir: t.TempDir(), prefix: "ccql-oauth-test"}
	eng, err := ccql.Open(context.Background(), ccql.Config{DataDir: f.dir, Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	f.pool = created(t, eng, `INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'oauth', 'us-east-1'`)
	created(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.user_pool_resource_servers (UserPoolId, Identifier, Name, Scopes, region)
		SELECT '%s', '%s', 'api', '[{"ScopeName":"read","ScopeDescription":"r"},{"ScopeName":"write","ScopeDescription":"w"},{"ScopeName":"admin","ScopeDescription":"a"}]', 'us-east-1'`, f.pool, rsID))
	created(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.user_pool_domains (UserPoolId, Domain, region) SELECT '%s', '%s', 'us-east-1'`, f.pool, f.prefix))
	f.cc = sqlClient(t, eng, f.pool,
		`ClientName, GenerateSecret, AllowedOAuthFlows, AllowedOAuthScopes, AllowedOAuthFlowsUserPoolClient, AccessTokenValidity, TokenValidityUnits`,
		fmt.Sprintf(`'m2m', true, '["client_credentials"]', '["%s","%s"]', true, 10, '{"AccessToken":"minutes"}'`, scopeWrite, scopeRead))
	f.off = sqlClient(t, eng, f.pool,
		`ClientName, GenerateSecret, AllowedOAuthFlows, AllowedOAuthScopes, AllowedOAuthFlowsUserPoolClient`,
		fmt.Sprintf(`'off', true, '["client_credentials"]', '["%s"]', false`, scopeRead))
	f.code = sqlClient(t, eng, f.pool,
		`ClientName, AllowedOAuthFlows, AllowedOAuthScopes, AllowedOAuthFlowsUserPoolClient, CallbackURLs, SupportedIdentityProviders`,
		`'web', '["code"]', '["openid"]', true, '["https://app.example.com/cb"]', '["COGNITO"]'`)
	f.noDom = created(t, eng, `INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'nodomain', 'us-east-1'`)
	created(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.user_pool_resource_servers (UserPoolId, Identifier, Name, Scopes, region)
		SELECT '%s', '%s', 'api', '[{"ScopeName":"read","ScopeDescription":"r"}]', 'us-east-1'`, f.noDom, rsID))
	f.noDomCC = sqlClient(t, eng, f.noDom,
		`ClientName, GenerateSecret, AllowedOAuthFlows, AllowedOAuthScopes, AllowedOAuthFlowsUserPoolClient`,
		fmt.Sprintf(`'m2m', true, '["client_credentials"]', '["%s"]', true`, scopeRead))
	if f.cc.secret == "" || f.off.secret == "" || f.code.secret != "" {
		t.Fatalf("client secrets: cc %t, off %t, code %t", f.cc.secret != "", f.off.secret != "", f.code.secret != "")
	}
	return f
}

// serveOAuth opens the emulator on the fixture's data dir and serves its
// OAuth endpoints on a loopback listener; it returns the base URL.
func serveOAuth(t testing.TB, dir string, o emulator.OAuthOptions) string {
	t.Helper()
	s, err := emulator.NewServer(emulator.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.OAuthHandler(o))
	t.Cleanup(func() {
		hs.Close()
		s.Close()
	})
	return hs.URL
}

// accessClaimOrder is the claim set of a client_credentials access token,
// in AWS's order (reference C2).
var accessClaimOrder = []string{"sub", "token_use", "scope", "auth_time", "iss", "exp", "iat", "version", "jti", "client_id"}

type accessClaims struct {
	Sub      string `json:"sub"`
	TokenUse string `json:"token_use"`
	Scope    string `json:"scope"`
	AuthTime int64  `json:"auth_time"`
	Iss      string `json:"iss"`
	Exp      int64  `json:"exp"`
	Iat      int64  `json:"iat"`
	Version  int    `json:"version"`
	Jti      string `json:"jti"`
	ClientID string `json:"client_id"`
}

// claimKeys returns a JWT's payload keys in the order they were written.
func claimKeys(t *testing.T, token string) []string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// TestOAuth_ClientCredentials is the application's path: provision through
// SQL, get a token with golang.org/x/oauth2's client_credentials client,
// verify it with go-oidc (discovery → JWKS → signature, iss, exp), then
// check the claims.
func TestOAuth_ClientCredentials(t *testing.T) {
	f := provision(t)
	base := serveOAuth(t, f.dir, emulator.OAuthOptions{})
	issuer := base + "/" + f.pool
	ctx := context.Background()

	for _, style := range []struct {
		name  string
		style oauth2.AuthStyle
	}{{"Basic", oauth2.AuthStyleInHeader}, {"Body", oauth2.AuthStyleInParams}} {
		t.Run(style.name, func(t *testing.T) {
			provider, err := oidc.NewProvider(ctx, issuer) // checks issuer equality
			if err != nil {
				t.Fatalf("discovery: %v", err)
			}
			if got, want := provider.Endpoint().TokenURL, issuer+"/oauth2/token"; got != want {
				t.Errorf("token_endpoint = %q, want %q", got, want)
			}
			cfg := clientcredentials.Config{
				ClientID:     f.cc.id,
				ClientSecret: f.cc.secret,
				TokenURL:     provider.Endpoint().TokenURL,
				AuthStyle:    style.style,
			}
			tok, err := cfg.Token(ctx)
			if err != nil {
				t.Fatalf("token: %v", err)
			}
			if tok.TokenType != "Bearer" {
				t.Errorf("token_type = %q", tok.TokenType)
			}
			if got := tok.Extra("expires_in"); got != float64(600) {
				t.Errorf("expires_in = %v, want 600 (10 minutes)", got)
			}
			verified, err := provider.Verifier(&oidc.Config{SkipClientIDCheck: true}).Verify(ctx, tok.AccessToken)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			var c accessClaims
			if err := verified.Claims(&c); err != nil {
				t.Fatal(err)
			}
			if c.Iss != issuer || c.Sub != f.cc.id || c.ClientID != f.cc.id || c.TokenUse != "access" || c.Version != 2 {
				t.Errorf("claims = %+v", c)
			}
			// All allowed scopes, in the client's AllowedOAuthScopes order.
			if want := scopeWrite + " " + scopeRead; c.Scope != want {
				t.Errorf("scope = %q, want %q", c.Scope, want)
			}
			if c.Exp-c.Iat != 600 || c.AuthTime != c.Iat {
				t.Errorf("iat %d, exp %d, auth_time %d", c.Iat, c.Exp, c.AuthTime)
			}
			if time.Until(time.Unix(c.Exp, 0)) <= 0 {
				t.Errorf("expired at issue: exp %d", c.Exp)
			}
			if diff := cmp.Diff(accessClaimOrder, claimKeys(t, tok.AccessToken)); diff != "" {
				t.Errorf("claims (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("ScopeSubset", func(t *testing.T) {
		cfg := clientcredentials.Config{ClientID: f.cc.id, ClientSecret: f.cc.secret, TokenURL: issuer + "/oauth2/token", Scopes: []string{scopeRead}}
		tok, err := cfg.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		provider, err := oidc.NewProvider(ctx, issuer)
		if err != nil {
			t.Fatal(err)
		}
		verified, err := provider.Verifier(&oidc.Config{SkipClientIDCheck: true}).Verify(ctx, tok.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		var c accessClaims
		verified.Claims(&c)
		if c.Scope != scopeRead {
			t.Errorf("scope = %q, want %q", c.Scope, scopeRead)
		}
	})

	// The domain's host name: AWS's issuer, verifiable against the
	// emulator's JWKS.
	t.Run("DomainHost", func(t *testing.T) {
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {f.cc.id}, "client_secret": {f.cc.secret}}
		status, body := postToken(t, base+"/oauth2/token", f.prefix+".auth.us-east-1.amazoncognito.com", form, nil)
		if status != http.StatusOK {
			t.Fatalf("status %d: %s", status, body)
		}
		var tr struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.Unmarshal(body, &tr); err != nil {
			t.Fatal(err)
		}
		awsIssuer := "https://cognito-idp.us-east-1.amazonaws.com/" + f.pool
		keys := oidc.NewRemoteKeySet(ctx, issuer+"/.well-known/jwks.json")
		v := oidc.NewVerifier(awsIssuer, keys, &oidc.Config{SkipClientIDCheck: true})
		if _, err := v.Verify(ctx, tr.AccessToken); err != nil {
			t.Fatalf("verify with AWS issuer: %v", err)
		}
		if got := tokenKeys(t, body); !cmp.Equal(got, []string{"access_token", "expires_in", "token_type"}) {
			t.Errorf("response members = %v", got)
		}
	})

	t.Run("IssuerURL", func(t *testing.T) {
		base := serveOAuth(t, f.dir, emulator.OAuthOptions{IssuerURL: "https://idp.example.test/"})
		want := "https://idp.example.test/" + f.pool
		doc := getJSON(t, base+"/"+f.pool+"/.well-known/openid-configuration")
		if doc["issuer"] != want || doc["token_endpoint"] != want+"/oauth2/token" || doc["jwks_uri"] != want+"/.well-known/jwks.json" {
			t.Errorf("discovery = %v", doc)
		}
	})
}

// TestOAuth_KeysSurviveRestart checks that keys are stored, not made per
// process: a token issued by one server verifies with the JWKS of the next.
func TestOAuth_KeysSurviveRestart(t *testing.T) {
	f := provision(t)
	ctx := context.Background()
	s1, err := emulator.NewServer(emulator.Options{DataDir: f.dir})
	if err != nil {
		t.Fatal(err)
	}
	hs1 := httptest.NewServer(s1.OAuthHandler(emulator.OAuthOptions{IssuerURL: "http://issuer.test"}))
	cfg := clientcredentials.Config{ClientID: f.cc.id, ClientSecret: f.cc.secret, TokenURL: hs1.URL + "/" + f.pool + "/oauth2/token"}
	tok, err := cfg.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	jwks1 := getJSON(t, hs1.URL+"/"+f.pool+"/.well-known/jwks.json")
	hs1.Close()
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	base := serveOAuth(t, f.dir, emulator.OAuthOptions{IssuerURL: "http://issuer.test"})
	jwks2 := getJSON(t, base+"/"+f.pool+"/.well-known/jwks.json")
	if diff := cmp.Diff(jwks1, jwks2); diff != "" {
		t.Errorf("JWKS changed across restart (-before +after):\n%s", diff)
	}
	keys := jwks2["keys"].([]any)
	if len(keys) != 2 {
		t.Fatalf("%d keys, want 2 (ID and access)", len(keys))
	}
	for _, k := range keys {
		m := k.(map[string]any)
		if kid := m["kid"].(string); len(kid) != 44 || m["alg"] != "RS256" || m["kty"] != "RSA" || m["use"] != "sig" || m["e"] != "AQAB" || len(m["n"].(string)) != 342 {
			t.Errorf("key %v", m)
		}
	}
	v := oidc.NewVerifier("http://issuer.test/"+f.pool, oidc.NewRemoteKeySet(ctx, base+"/"+f.pool+"/.well-known/jwks.json"), &oidc.Config{SkipClientIDCheck: true})
	if _, err := v.Verify(ctx, tok.AccessToken); err != nil {
		t.Fatalf("token of the first process: %v", err)
	}
}

// TestOAuth_TokenErrors checks every documented error of the token
// endpoint (reference B3) and the emulator's routing failures.
func TestOAuth_TokenErrors(t *testing.T) {
	f := provision(t)
	base := serveOAuth(t, f.dir, emulator.OAuthOptions{})
	tokenURL := base + "/" + f.pool + "/oauth2/token"
	cc := func(extra ...string) url.Values {
		v := url.Values{"grant_type": {"client_credentials"}, "client_id": {f.cc.id}, "client_secret": {f.cc.secret}}
		for i := 0; i+1 < len(extra); i += 2 {
			v[extra[i]] = []string{extra[i+1]}
		}
		return v
	}
	basic := func(id, secret string) http.Header {
		return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))}}
	}
	tests := []struct {
		name   string
		url    string
		host   string
		form   url.Values
		header http.Header
		status int
		want   string // the error code; "" for a non-OAuth body
	}{
		{"bad secret in body", tokenURL, "", cc("client_secret", "wrong"), nil, 400, "invalid_client"},
		{"bad secret in Basic", tokenURL, "", url.Values{"grant_type": {"client_credentials"}}, basic(f.cc.id, "wrong"), 400, "invalid_client"},
		{"no secret", tokenURL, "", url.Values{"grant_type": {"client_credentials"}, "client_id": {f.cc.id}}, nil, 400, "invalid_client"},
		{"no client", tokenURL, "", url.Values{"grant_type": {"client_credentials"}}, nil, 400, "invalid_client"},
		{"unknown client", tokenURL, "", cc("client_id", "nosuchclient0000000000000a"), nil, 400, "invalid_client"},
		{"Basic and body disagree", tokenURL, "", cc("client_id", f.off.id), basic(f.cc.id, f.cc.secret), 400, "invalid_client"},
		{"secret for a public client", tokenURL, "", url.Values{"grant_type": {"authorization_code"}, "client_id": {f.code.id}, "client_secret": {"x"}, "code": {"c"}, "redirect_uri": {"https://app.example.com/cb"}}, nil, 400, "invalid_client"},
		{"client of another pool", tokenURL, "", cc("client_id", f.noDomCC.id, "client_secret", f.noDomCC.secret), nil, 400, "invalid_client"},
		{"unknown scope", tokenURL, "", cc("scope", rsID+"/delete"), nil, 400, "invalid_scope"},
		{"scope not allowed for the client", tokenURL, "", cc("scope", rsID+"/admin"), nil, 400, "invalid_scope"},
		{"bare scope name", tokenURL, "", cc("scope", "read"), nil, 400, "invalid_scope"},
		{"standard scope", tokenURL, "", cc("scope", "openid"), nil, 400, "invalid_scope"},
		{"one bad scope among good", tokenURL, "", cc("scope", scopeRead+" "+rsID+"/delete"), nil, 400, "invalid_scope"},
		{"AllowedOAuthFlowsUserPoolClient false", tokenURL, "", cc("client_id", f.off.id, "client_secret", f.off.secret), nil, 400, "invalid_grant"},
		{"flow not allowed", tokenURL, "", url.Values{"grant_type": {"client_credentials"}, "client_id": {f.code.id}}, nil, 400, "unauthorized_client"},
		{"unsupported grant", tokenURL, "", cc("grant_type", "password"), nil, 400, "unsupported_grant_type"},
		{"no grant", tokenURL, "", url.Values{"client_id": {f.cc.id}, "client_secret": {f.cc.secret}}, nil, 400, "invalid_request"},
		{"repeated parameter", tokenURL, "", url.Values{"grant_type": {"client_credentials", "client_credentials"}, "client_id": {f.cc.id}, "client_secret": {f.cc.secret}}, nil, 400, "invalid_request"},
		{"code grant without code", tokenURL, "", url.Values{"grant_type": {"authorization_code"}, "client_id": {f.code.id}, "redirect_uri": {"https://app.example.com/cb"}}, nil, 400, "invalid_request"},
		{"unknown code", tokenURL, "", url.Values{"grant_type": {"authorization_code"}, "client_id": {f.code.id}, "code": {"nope"}, "redirect_uri": {"https://app.example.com/cb"}}, nil, 400, "invalid_grant"},
		{"code grant for a client_credentials client", tokenURL, "", cc("grant_type", "authorization_code", "code", "c", "redirect_uri", "https://x"), nil, 400, "unauthorized_client"},
		{"unknown refresh token", tokenURL, "", url.Values{"grant_type": {"refresh_token"}, "client_id": {f.code.id}, "refresh_token": {"nope"}}, nil, 400, "invalid_grant"},
		{"pool without domain", base + "/" + f.noDom + "/oauth2/token", "", cc("client_id", f.noDomCC.id, "client_secret", f.noDomCC.secret), nil, 404, ""},
		{"unknown pool", base + "/us-east-1_AAAAAAAAA/oauth2/token", "", cc(), nil, 404, ""},
		{"unknown domain host", base + "/oauth2/token", "nosuch.auth.us-east-1.amazoncognito.com", cc(), nil, 404, ""},
		{"domain host, other region", base + "/oauth2/token", f.prefix + ".auth.eu-west-1.amazoncognito.com", cc(), nil, 404, ""},
		{"domain host, bad secret", base + "/oauth2/token", f.prefix + ".auth.us-east-1.amazoncognito.com", cc("client_secret", "wrong"), nil, 400, "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := postToken(t, tt.url, tt.host, tt.form, tt.header)
			if status != tt.status {
				t.Fatalf("status = %d, want %d (%s)", status, tt.status, body)
			}
			if tt.want == "" {
				return
			}
			if got, want := string(body), `{"error":"`+tt.want+`"}`; got != want {
				t.Errorf("body = %s, want %s", got, want)
			}
		})
	}

	t.Run("JSON body", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader(`{"grant_type":"client_credentials"}`))
		req.Header.Set("Content-Type", "application/json")
		status, body := do(t, req)
		if status != 400 || string(body) != `{"error":"invalid_request"}` {
			t.Errorf("%d %s", status, body)
		}
	})
	t.Run("GET", func(t *testing.T) {
		status, _ := do(t, mustRequest(t, http.MethodGet, tokenURL))
		if status != http.StatusMethodNotAllowed {
			t.Errorf("status = %d, want 405", status)
		}
	})
	t.Run("query string parameters", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, tokenURL+"?"+cc().Encode(), nil)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if status, body := do(t, req); status != 200 {
			t.Errorf("%d %s", status, body)
		}
	})
	t.Run("authorize without client_id shows the error page", func(t *testing.T) {
		status, body := do(t, mustRequest(t, http.MethodGet, base+"/"+f.pool+"/oauth2/authorize"))
		if status != http.StatusBadRequest || !strings.Contains(string(body), "invalid_request") {
			t.Errorf("status = %d, want 400 and invalid_request (%s)", status, body)
		}
	})
	t.Run("InvalidClientStatus 401", func(t *testing.T) {
		base := serveOAuth(t, f.dir, emulator.OAuthOptions{InvalidClientStatus: 401})
		status, body := postToken(t, base+"/"+f.pool+"/oauth2/token", "", cc("client_secret", "wrong"), nil)
		if status != 401 || string(body) != `{"error":"invalid_client"}` {
			t.Errorf("%d %s", status, body)
		}
	})
	t.Run("unknown pool discovery", func(t *testing.T) {
		status, _ := do(t, mustRequest(t, http.MethodGet, base+"/us-east-1_AAAAAAAAA/.well-known/jwks.json"))
		if status != 404 {
			t.Errorf("status = %d, want 404", status)
		}
	})
}

func mustRequest(t testing.TB, method, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func postToken(t testing.TB, u, host string, form url.Values, header http.Header) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	if host != "" {
		req.Host = host
	}
	return do(t, req)
}

func do(t testing.TB, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(req.URL.Path, "/oauth2/token") && resp.StatusCode != http.StatusMethodNotAllowed && resp.StatusCode != http.StatusNotFound {
		if got := resp.Header.Get("Cache-Control"); got != "no-cache, no-store, max-age=0, must-revalidate" {
			t.Errorf("Cache-Control = %q", got)
		}
		if got := resp.Header.Get("Content-Type"); got != "application/json;charset=UTF-8" {
			t.Errorf("Content-Type = %q", got)
		}
	}
	return resp.StatusCode, body
}

func getJSON(t testing.TB, u string) map[string]any {
	t.Helper()
	status, body := do(t, mustRequest(t, http.MethodGet, u))
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, status, body)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// tokenKeys returns the member names of a JSON object in order.
func tokenKeys(t *testing.T, body []byte) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.Token()
	var keys []string
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var v json.RawMessage
		dec.Decode(&v)
	}
	return keys
}

// BenchmarkOAuth_Token measures client_credentials tokens issued per
// second over loopback HTTP: form parsing, Basic authentication, one store
// read (pool, domain, client, resource servers), an RS256 signature.
func BenchmarkOAuth_Token(b *testing.B) {
	f := provision(b)
	base := serveOAuth(b, f.dir, emulator.OAuthOptions{})
	tokenURL := base + "/" + f.pool + "/oauth2/token"
	body := url.Values{"grant_type": {"client_credentials"}, "scope": {scopeRead}}.Encode()
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(f.cc.id+":"+f.cc.secret))
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	post := func() error {
		req, err := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", auth)
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	if err := post(); err != nil { // keys are made on first use
		b.Fatal(err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := post(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

// TestServer_RoutesOAuth checks that the server's own endpoint (listener
// and in-process client) serves the OAuth routes next to the AWS JSON APIs.
func TestServer_RoutesOAuth(t *testing.T) {
	f := provision(t)
	for _, listen := range []bool{true, false} {
		t.Run(fmt.Sprintf("listener=%t", listen), func(t *testing.T) {
			opts := emulator.Options{DataDir: f.dir}
			if listen {
				opts.Addr = "127.0.0.1:0"
			}
			s, err := emulator.NewServer(opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			hc := s.HTTPClient()
			if listen {
				hc = http.DefaultClient
			}
			ctx := oidc.ClientContext(context.Background(), hc)
			issuer := s.URL() + "/" + f.pool
			provider, err := oidc.NewProvider(ctx, issuer)
			if err != nil {
				t.Fatalf("discovery: %v", err)
			}
			cfg := clientcredentials.Config{ClientID: f.cc.id, ClientSecret: f.cc.secret, TokenURL: provider.Endpoint().TokenURL}
			tok, err := cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, hc))
			if err != nil {
				t.Fatalf("token: %v", err)
			}
			if _, err := provider.Verifier(&oidc.Config{SkipClientIDCheck: true}).Verify(ctx, tok.AccessToken); err != nil {
				t.Fatalf("verify: %v", err)
			}
		})
	}
}
