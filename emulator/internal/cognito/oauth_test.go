package cognito_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/emulator/internal/cognito/cognitotest"
	"github.com/ccql/ccql/internal/handler"
)

// memStore is a cognito.OAuthStore over one in-memory Tx per partition.
// Transactions are serialised by a mutex; nothing is rolled back.
type memStore struct {
	mu    sync.Mutex
	parts map[[2]string]*cognitotest.Tx
}

func newMemStore() *memStore { return &memStore{parts: map[[2]string]*cognitotest.Tx{}} }

// scope must be called with mu held.
func (m *memStore) scope(account, region string) handler.Tx {
	k := [2]string{account, region}
	if m.parts[k] == nil {
		m.parts[k] = cognitotest.NewTx()
	}
	return m.parts[k]
}

func (m *memStore) View(_ context.Context, fn func(cognito.Scope) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return fn(m.scope)
}

func (m *memStore) Update(ctx context.Context, fn func(cognito.Scope) error) error {
	return m.View(ctx, fn)
}

var _ cognito.OAuthStore = (*memStore)(nil)

var oauthNow = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)

// idp runs IdP operations in one account of a memStore.
type idp struct {
	t       testing.TB
	st      *memStore
	account string
	env     handler.Env
}

func newIdP(t testing.TB, st *memStore, account string) *idp {
	return &idp{t: t, st: st, account: account, env: handler.Env{
		Account: account, Region: testRegion, Now: oauthNow, Rand: rand.NewChaCha8([32]byte{7}),
	}}
}

// call runs an operation and returns its result as generic JSON.
func (p *idp) call(op string, body string) map[string]any {
	p.t.Helper()
	p.st.mu.Lock()
	out, err := cognito.Operations()[op](context.Background(), p.env, p.st.scope(p.account, testRegion), []byte(body))
	p.st.mu.Unlock()
	if err != nil {
		p.t.Fatalf("%s %s: %v", op, body, err)
	}
	m, err := roundTrip(out)
	if err != nil {
		p.t.Fatal(err)
	}
	return m
}

const (
	rsIdent   = "https://api.example.com"
	readScope = rsIdent + "/read"
)

// m2mPool creates a pool with a resource server (read, write), the prefix
// domain "auth-test" and returns the pool id.
func (p *idp) m2mPool() string {
	p.t.Helper()
	pool := p.call("CreateUserPool", `{"PoolName":"p"}`)["UserPool"].(map[string]any)["Id"].(string)
	p.call("CreateResourceServer", `{"UserPoolId":"`+pool+`","Identifier":"`+rsIdent+`","Name":"api","Scopes":[{"ScopeName":"read","ScopeDescription":"r"},{"ScopeName":"write","ScopeDescription":"w"}]}`)
	p.call("CreateUserPoolDomain", `{"UserPoolId":"`+pool+`","Domain":"auth-test"}`)
	return pool
}

// m2mClient creates a client_credentials client with extra members
// (a JSON fragment starting with ",") and returns its id and secret.
func (p *idp) m2mClient(pool, extra string) (id, secret string) {
	p.t.Helper()
	c := p.call("CreateUserPoolClient", `{"UserPoolId":"`+pool+`","ClientName":"m2m","GenerateSecret":true,"AllowedOAuthFlows":["client_credentials"],"AllowedOAuthScopes":["`+readScope+`","`+rsIdent+`/write"],"AllowedOAuthFlowsUserPoolClient":true`+extra+`}`)["UserPoolClient"].(map[string]any)
	return c["ClientId"].(string), c["ClientSecret"].(string)
}

func newOAuth(st *memStore, accounts ...string) *cognito.OAuth {
	return cognito.NewOAuth(cognito.OAuthConfig{
		Store:    st,
		Accounts: accounts,
		Now:      func() time.Time { return oauthNow },
		Rand:     rand.NewChaCha8([32]byte{9}),
	})
}

func serve(h http.Handler, method, target string, body string, header map[string]string) *httptest.ResponseRecorder {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func basicAuth(id, secret string) map[string]string {
	return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))}
}

// payload decodes a JWT's claims.
func payload(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestOAuth_DiscoveryDocument(t *testing.T) {
	st := newMemStore()
	pool := newIdP(t, st, cognito.DefaultAccount).m2mPool()
	o := newOAuth(st)
	tests := []struct {
		name   string
		target string
		header map[string]string
		iss    string
		domain string // base of the domain endpoints
	}{
		{"AWS host", "http://cognito-idp.us-east-1.amazonaws.com/" + pool + "/.well-known/openid-configuration", nil,
			"https://cognito-idp.us-east-1.amazonaws.com/" + pool, "https://auth-test.auth.us-east-1.amazoncognito.com"},
		{"emulator address", "http://127.0.0.1:4566/" + pool + "/.well-known/openid-configuration", nil,
			"http://127.0.0.1:4566/" + pool, "http://127.0.0.1:4566/" + pool},
		{"behind TLS proxy", "http://ccql.internal:8443/" + pool + "/.well-known/openid-configuration", map[string]string{"X-Forwarded-Proto": "https"},
			"https://ccql.internal:8443/" + pool, "https://ccql.internal:8443/" + pool},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(o, http.MethodGet, tt.target, "", tt.header)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			// AWS's members, in its (alphabetical) order.
			want := `{"authorization_endpoint":"` + tt.domain + `/oauth2/authorize",` +
				`"end_session_endpoint":"` + tt.domain + `/logout",` +
				`"id_token_signing_alg_values_supported":["RS256"],` +
				`"issuer":"` + tt.iss + `",` +
				`"jwks_uri":"` + tt.iss + `/.well-known/jwks.json",` +
				`"response_types_supported":["code","token"],` +
				`"revocation_endpoint":"` + tt.domain + `/oauth2/revoke",` +
				`"scopes_supported":["openid","email","phone","profile"],` +
				`"subject_types_supported":["public"],` +
				`"token_endpoint":"` + tt.domain + `/oauth2/token",` +
				`"token_endpoint_auth_methods_supported":["client_secret_basic","client_secret_post"],` +
				`"userinfo_endpoint":"` + tt.domain + `/oauth2/userInfo"}`
			if diff := cmp.Diff(want, w.Body.String()); diff != "" {
				t.Errorf("document (-want +got):\n%s", diff)
			}
		})
	}
	if w := serve(o, http.MethodPost, "http://127.0.0.1:4566/"+pool+"/.well-known/openid-configuration", "", nil); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", w.Code)
	}
}

func TestOAuth_TokenLifetime(t *testing.T) {
	st := newMemStore()
	p := newIdP(t, st, cognito.DefaultAccount)
	pool := p.m2mPool()
	o := newOAuth(st)
	tests := []struct {
		extra string
		want  int
	}{
		{``, 3600},
		{`,"AccessTokenValidity":10,"TokenValidityUnits":{"AccessToken":"minutes"}`, 600},
		{`,"AccessTokenValidity":10`, 36000}, // hours by default
		{`,"AccessTokenValidity":1,"TokenValidityUnits":{"AccessToken":"days"}`, 86400},
		{`,"AccessTokenValidity":500,"TokenValidityUnits":{"AccessToken":"seconds"}`, 500},
		{`,"TokenValidityUnits":{"AccessToken":"minutes"}`, 3600}, // no value: the default hour
	}
	for _, tt := range tests {
		t.Run(tt.extra, func(t *testing.T) {
			id, secret := p.m2mClient(pool, tt.extra)
			w := serve(o, http.MethodPost, "http://auth-test.auth.us-east-1.amazoncognito.com/oauth2/token", "grant_type=client_credentials", basicAuth(id, secret))
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			var resp struct {
				AccessToken string `json:"access_token"`
				ExpiresIn   int    `json:"expires_in"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
				t.Fatal(err)
			}
			if resp.ExpiresIn != tt.want {
				t.Errorf("expires_in = %d, want %d", resp.ExpiresIn, tt.want)
			}
			c := payload(t, resp.AccessToken)
			if iat, exp := c["iat"].(float64), c["exp"].(float64); int(exp-iat) != tt.want || int64(iat) != oauthNow.Unix() {
				t.Errorf("iat %v exp %v", iat, exp)
			}
		})
	}
}

// A resource server that lost a scope: the token endpoint stops granting
// it (reference A1, inferred).
func TestOAuth_StaleScope(t *testing.T) {
	st := newMemStore()
	p := newIdP(t, st, cognito.DefaultAccount)
	pool := p.m2mPool()
	id, secret := p.m2mClient(pool, "")
	p.call("UpdateResourceServer", `{"UserPoolId":"`+pool+`","Identifier":"`+rsIdent+`","Name":"api","Scopes":[{"ScopeName":"read","ScopeDescription":"r"}]}`)
	o := newOAuth(st)
	target := "http://127.0.0.1:4566/" + pool + "/oauth2/token"
	w := serve(o, http.MethodPost, target, "grant_type=client_credentials", basicAuth(id, secret))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var resp struct {
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal(w.Body.Bytes(), &resp)
	if got := payload(t, resp.AccessToken)["scope"]; got != readScope {
		t.Errorf("scope = %v, want %s", got, readScope)
	}
	w = serve(o, http.MethodPost, target, "grant_type=client_credentials&scope="+url.QueryEscape(rsIdent+"/write"), basicAuth(id, secret))
	if w.Code != http.StatusBadRequest || w.Body.String() != `{"error":"invalid_scope"}` {
		t.Errorf("removed scope: %d %s", w.Code, w.Body)
	}
}

// OAuth requests are unsigned: a pool of another account is found only
// when that account is searched.
func TestOAuth_Accounts(t *testing.T) {
	st := newMemStore()
	pool := newIdP(t, st, "111111111111").m2mPool()
	target := "http://127.0.0.1:4566/" + pool + "/.well-known/jwks.json"
	if w := serve(newOAuth(st), http.MethodGet, target, "", nil); w.Code != http.StatusNotFound {
		t.Errorf("default accounts: status %d, want 404", w.Code)
	}
	if w := serve(newOAuth(st, cognito.DefaultAccount, "111111111111"), http.MethodGet, target, "", nil); w.Code != http.StatusOK {
		t.Errorf("with the account: status %d, want 200", w.Code)
	}
}

// Keys are made once per pool, even when the first requests race, and go
// with the pool.
func TestOAuth_KeysPerPool(t *testing.T) {
	st := newMemStore()
	p := newIdP(t, st, cognito.DefaultAccount)
	pool := p.m2mPool()
	other := p.call("CreateUserPool", `{"PoolName":"q"}`)["UserPool"].(map[string]any)["Id"].(string)
	o := newOAuth(st)
	jwks := func(pool string) string {
		w := serve(o, http.MethodGet, "http://127.0.0.1:4566/"+pool+"/.well-known/jwks.json", "", nil)
		if w.Code != http.StatusOK {
			t.Errorf("status %d: %s", w.Code, w.Body)
		}
		return w.Body.String()
	}
	bodies := make([]string, 4)
	var wg sync.WaitGroup
	for i := range bodies {
		wg.Go(func() { bodies[i] = jwks(pool) })
	}
	wg.Wait()
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			t.Fatalf("racing first requests saw different keys:\n%s\n%s", bodies[0], b)
		}
	}
	// A fresh handler (another process) reads the stored keys.
	if got := serve(newOAuth(st), http.MethodGet, "http://127.0.0.1:4566/"+pool+"/.well-known/jwks.json", "", nil).Body.String(); got != bodies[0] {
		t.Errorf("another handler sees other keys")
	}
	var doc struct {
		Keys []struct{ Kid string } `json:"keys"`
	}
	json.Unmarshal([]byte(bodies[0]), &doc)
	var otherDoc struct {
		Keys []struct{ Kid string } `json:"keys"`
	}
	json.Unmarshal([]byte(jwks(other)), &otherDoc)
	if len(doc.Keys) != 2 || doc.Keys[0].Kid == doc.Keys[1].Kid || doc.Keys[0].Kid == otherDoc.Keys[0].Kid {
		t.Errorf("kids: %v, other pool %v", doc.Keys, otherDoc.Keys)
	}

	p.call("DeleteUserPool", `{"UserPoolId":"`+pool+`"}`)
	st.mu.Lock()
	n, err := st.scope(cognito.DefaultAccount, testRegion).Count("ccql::Cognito::SigningKey", pool+"|")
	st.mu.Unlock()
	if err != nil || n != 0 {
		t.Errorf("signing keys left after the pool was deleted: %d (%v)", n, err)
	}
	if w := serve(o, http.MethodGet, "http://127.0.0.1:4566/"+pool+"/.well-known/jwks.json", "", nil); w.Code != http.StatusNotFound {
		t.Errorf("JWKS of a deleted pool: status %d, want 404", w.Code)
	}
}

// FuzzTokenEndpoint sends arbitrary token requests: the endpoint must
// answer every one with a status and body of its contract, never a panic
// or a 500.
func FuzzTokenEndpoint(f *testing.F) {
	st := newMemStore()
	p := newIdP(f, st, cognito.DefaultAccount)
	pool := p.m2mPool()
	id, secret := p.m2mClient(pool, "")
	o := newOAuth(st)
	// Make the keys once, outside the fuzz loop.
	if w := serve(o, http.MethodGet, "http://127.0.0.1:4566/"+pool+"/.well-known/jwks.json", "", nil); w.Code != http.StatusOK {
		f.Fatalf("jwks: %d", w.Code)
	}
	good := "grant_type=client_credentials&client_id=" + id + "&client_secret=" + secret
	for _, seed := range []struct{ path, ct, auth, body string }{
		{"/oauth2/token", "application/x-www-form-urlencoded", "", good},
		{"/oauth2/token", "application/x-www-form-urlencoded", "", good + "&scope=" + url.QueryEscape(readScope)},
		{"/oauth2/token", `"application/x-www-form-urlencoded"`, "", good},
		{"/oauth2/token", "application/json", "", `{"grant_type":"client_credentials"}`},
		{"/oauth2/token", "application/x-www-form-urlencoded", "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret)), "grant_type=client_credentials"},
		{"/oauth2/token", "application/x-www-form-urlencoded", "Basic !!!", "grant_type=client_credentials"},
		{"/oauth2/token", "application/x-www-form-urlencoded", "Bearer x", "grant_type=refresh_token&refresh_token=x"},
		{"/oauth2/token", "application/x-www-form-urlencoded", "", "grant_type=%zz"},
		{"/oauth2/token", "application/x-www-form-urlencoded; charset=UTF-8", "", "grant_type=authorization_code&client_id=" + id + "&code=a&redirect_uri=b"},
		{"/oauth2/authorize", "", "", ""},
		{"/.well-known/jwks.json", "", "", ""},
	} {
		f.Add(seed.path, seed.ct, seed.auth, seed.body)
	}
	codes := map[string]bool{"invalid_request": true, "invalid_client": true, "invalid_grant": true, "unauthorized_client": true, "unsupported_grant_type": true, "invalid_scope": true}
	f.Fuzz(func(t *testing.T, path, ct, auth, body string) {
		target := "http://127.0.0.1:4566/" + pool + "/" + strings.TrimPrefix(path, "/")
		u, err := url.Parse(target)
		if err != nil || u.Host != "127.0.0.1:4566" {
			return
		}
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader(body))
		r.URL = u
		r.RequestURI = u.RequestURI()
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		o.ServeHTTP(w, r)
		switch w.Code {
		case http.StatusOK:
			var resp map[string]any
			if u.Path == "/"+pool+"/oauth2/token" {
				if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || resp["token_type"] != "Bearer" {
					t.Fatalf("200 with %s", w.Body)
				}
			}
		case http.StatusBadRequest:
			var resp map[string]string
			if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || !codes[resp["error"]] || len(resp) != 1 {
				t.Fatalf("400 with %s", w.Body)
			}
		case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
		default:
			t.Fatalf("status %d for %q %q %q %q: %s", w.Code, path, ct, auth, body, w.Body)
		}
	})
}
