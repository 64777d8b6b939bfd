package main

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDeploy_m2mExample drives examples/deploy/cognito-m2m through the
// binary on the embedded emulator: build, build again (no mutation), test;
// then a `ccql serve` on the same data dir issues the built client a
// client_credentials token, which must be an RS256 JWT signed by a key of
// the pool's JWKS; then a changed scope description is one update, and
// teardown removes everything (the server sees it: no more token).
func TestDeploy_m2mExample(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dataDir := t.TempDir()
	env := []string{"CCQL_DATA_DIR=" + dataDir, "AWS_REGION=us-east-1"}
	stack := filepath.Join("examples", "deploy", "cognito-m2m")
	must, wantLines := mustCCQL(t, env), wantLinesIn(t)
	resources := []string{"user_pool", "resource_server", "domain", "m2m_client"}
	each := func(outcome string) []string {
		var out []string
		for _, r := range resources {
			out = append(out, `✓ `+r+`\s+`+outcome)
		}
		return out
	}

	out, _ := must("deploy", "plan", stack, "dev")
	wantLines("plan", out, `^\+ user_pool\s+create$`, `^\+ resource_server\s+create$`, `^\+ domain\s+create$`,
		`^\+ m2m_client\s+create$`, `^Plan: 4 to create, 0 to update, 0 unchanged\.$`)

	exportsFile := filepath.Join(t.TempDir(), "exports.json")
	_, errOut := must("deploy", "build", stack, "dev", "--output-file", exportsFile)
	wantLines("build", errOut, append(each("created"), `✓ token_endpoint\s+queried`)...)
	exports := readExports(t, exportsFile)
	poolID, clientID, secret := exports["user_pool_id"], exports["client_id"], exports["client_secret"]
	if !regexp.MustCompile(`^us-east-1_[0-9A-Za-z]{9}$`).MatchString(poolID) || !regexp.MustCompile(`^[a-z0-9]{26}$`).MatchString(clientID) ||
		!regexp.MustCompile(`^[a-z0-9]{52}$`).MatchString(secret) {
		t.Fatalf("exports = %v", exports)
	}
	if strings.Contains(errOut, secret) {
		t.Errorf("build printed the client secret:\n%s", errOut)
	}
	if got, want := exports["domain"], "orders-m2m-dev"; got != want {
		t.Errorf("domain = %q, want %q", got, want)
	}
	if got, want := exports["token_endpoint"], "https://orders-m2m-dev.auth.us-east-1.amazoncognito.com/oauth2/token"; got != want {
		t.Errorf("token_endpoint = %q, want %q", got, want)
	}

	out, errOut = must("deploy", "build", stack, "dev", "--show-queries")
	wantLines("second build", errOut, each("unchanged")...)
	for _, verb := range []string{"INSERT", "UPDATE", "DELETE"} {
		if strings.Contains(out, verb) {
			t.Errorf("second build sent an %s:\n%s", verb, out)
		}
	}
	_, errOut = must("deploy", "test", stack, "dev")
	wantLines("test", errOut, each("passed")...)

	// What the build made, through SQL: the client's scopes joined with the
	// resource server that defines them.
	out, _ = must("exec", "-o", "csv", `SELECT s.value AS scope, rs.name
FROM awscc.cognito.user_pool_clients c
JOIN json_each(c.allowed_oauth_scopes) s
JOIN awscc.cognito.user_pool_resource_servers rs ON rs.user_pool_id = c.user_pool_id AND rs.region = c.region
JOIN json_each(rs.scopes) d ON rs._identifier || '/' || (d.value ->> 'ScopeName') = s.value
WHERE c.region = 'us-east-1' AND c.Identifier = '`+poolID+`|`+clientID+`'
ORDER BY s.key`)
	if want := "scope,name\nhttps://orders.example.com/orders.read,orders-api\nhttps://orders.example.com/orders.write,orders-api\n"; out != want {
		t.Errorf("scopes of the built client:\n%s\nwant\n%s", out, want)
	}

	// A token from the emulator's OAuth endpoints, served by another process
	// on the same data dir.
	addr := startServeOnDataDir(t, dataDir)
	base := "http://" + addr + "/" + poolID
	status, body := postClientCredentials(t, base+"/oauth2/token", clientID, secret, "")
	if status != http.StatusOK {
		t.Fatalf("token: status %d: %s", status, body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		TokenType   string `json:"token_type"`
	}
	if err := json.Unmarshal(body, &tok); err != nil {
		t.Fatalf("token response %s: %v", body, err)
	}
	if tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 { // 60 minutes, the dev access_token_validity
		t.Errorf("token_type %q, expires_in %d; want Bearer, 3600", tok.TokenType, tok.ExpiresIn)
	}
	claims := verifyRS256(t, tok.AccessToken, base+"/.well-known/jwks.json")
	if claims["iss"] != base || claims["client_id"] != clientID || claims["sub"] != clientID || claims["token_use"] != "access" ||
		claims["scope"] != "https://orders.example.com/orders.read https://orders.example.com/orders.write" {
		t.Errorf("claims = %v", claims)
	}
	if exp, iat := claims["exp"].(float64), claims["iat"].(float64); exp-iat != 3600 {
		t.Errorf("exp - iat = %v, want 3600", exp-iat)
	}
	// A scope the resource server does not define is refused.
	if status, body := postClientCredentials(t, base+"/oauth2/token", clientID, secret, "https://orders.example.com/orders.delete"); status != 400 || string(body) != `{"error":"invalid_scope"}` {
		t.Errorf("undefined scope: %d %s", status, body)
	}

	// Drift: a changed scope description is one update of the resource
	// server, with the whole scope list in its patch.
	changed := t.TempDir()
	copyDir(t, filepath.Join(repoRoot(t), stack), changed)
	manifest := filepath.Join(changed, "stackql_manifest.yml")
	m, _ := os.ReadFile(manifest)
	if err := os.WriteFile(manifest, []byte(strings.Replace(string(m), "ScopeDescription: Read orders}", "ScopeDescription: Read all orders}", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut = must("deploy", "build", changed, "dev", "--show-queries")
	wantLines("build after change", errOut, `✓ user_pool\s+unchanged`, `✓ resource_server\s+updated`, `✓ domain\s+unchanged`, `✓ m2m_client\s+unchanged`)
	wantPatch := `SET PatchDocument = string('[{"op": "add", "path": "/Name", "value": "orders-api"}, {"op": "add", "path": "/Scopes", "value": ` +
		`[{"ScopeDescription": "Read all orders", "ScopeName": "orders.read"}, {"ScopeDescription": "Create and change orders", "ScopeName": "orders.write"}]}]')`
	if !strings.Contains(out, wantPatch) || strings.Count(out, "UPDATE ") != 1 {
		t.Errorf("update differs; want one UPDATE with\n%s\nin\n%s", wantPatch, out)
	}
	_, errOut, code := ccqlBin(t, env, "deploy", "test", stack, "dev")
	if code == 0 || !strings.Contains(errOut, "resource resource_server: statecheck: test failed") {
		t.Errorf("test of the drifted stack: exit %d\n%s", code, errOut)
	}

	_, errOut = must("deploy", "teardown", changed, "dev")
	wantLines("teardown", errOut, `✓ m2m_client\s+deleted[^\n]*\n✓ domain\s+deleted[^\n]*\n✓ resource_server\s+deleted[^\n]*\n✓ user_pool\s+deleted`,
		`- token_endpoint\s+queried[^\n]*\(a query: nothing to delete\)`)
	if strings.Contains(errOut, "✓ token_endpoint") {
		t.Errorf("teardown reports the query resource as if it were torn down:\n%s", errOut)
	}
	_, errOut = must("deploy", "teardown", changed, "dev")
	wantLines("second teardown", errOut, `- m2m_client\s+not found`, `- user_pool\s+not found`)
	// The server reads the same store: the pool and its endpoint are gone.
	if status, body := postClientCredentials(t, base+"/oauth2/token", clientID, secret, ""); status != http.StatusNotFound {
		t.Errorf("token after teardown: %d %s, want 404", status, body)
	}
}

// readExports reads a deploy --output-file.
func readExports(t *testing.T, path string) map[string]string {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %v, want 0600 (it holds a secret)", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := map[string]string{}
	for k, v := range raw {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// startServeOnDataDir starts `ccql serve` on a free loopback port over an
// existing data dir, so that it shares its state with the ccql commands of
// the test, and waits until it accepts connections.
func startServeOnDataDir(t *testing.T, dataDir string) string {
	t.Helper()
	return startServeArgs(t, "--data-dir", dataDir)
}

// postClientCredentials asks a token endpoint for a client_credentials
// token with HTTP Basic client authentication.
func postClientCredentials(t *testing.T, tokenURL, clientID, secret, scope string) (int, []byte) {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	req, err := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	return httpDo(t, req)
}

func httpDo(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// verifyRS256 checks that token is a JWS with header {"kid","alg":"RS256"}
// whose signature verifies with the JWKS key of that kid, and returns its
// claims.
func verifyRS256(t *testing.T, token, jwksURL string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts, want 3", len(parts))
	}
	var header struct {
		Kid string `json:"kid"`
		Alg string `json:"alg"`
	}
	decodeSegment(t, "header", parts[0], &header)
	if header.Alg != "RS256" || header.Kid == "" {
		t.Fatalf("header = %+v, want alg RS256 and a kid", header)
	}
	var claims map[string]any
	decodeSegment(t, "claims", parts[1], &claims)

	status, body := httpDo(t, mustGet(t, jwksURL))
	if status != http.StatusOK {
		t.Fatalf("JWKS: %d %s", status, body)
	}
	var jwks struct {
		Keys []struct {
			Alg, E, Kid, Kty, N, Use string
		} `json:"keys"`
	}
	if err := json.Unmarshal(body, &jwks); err != nil {
		t.Fatalf("JWKS %s: %v", body, err)
	}
	var pub *rsa.PublicKey
	for _, k := range jwks.Keys {
		if k.Kid != header.Kid {
			continue
		}
		if k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" {
			t.Fatalf("JWKS key %s: kty %s, alg %s, use %s", k.Kid, k.Kty, k.Alg, k.Use)
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil {
			t.Fatalf("JWKS key %s: n %v, e %v", k.Kid, err1, err2)
		}
		pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	if pub == nil {
		t.Fatalf("no key %q in the JWKS %s", header.Kid, body)
	}
	if pub.N.BitLen() != 2048 {
		t.Errorf("key of %d bits, want 2048", pub.N.BitLen())
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		t.Fatalf("signature does not verify with JWKS key %s: %v", header.Kid, err)
	}
	return claims
}

func decodeSegment(t *testing.T, what, seg string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s %s: %v", what, b, err)
	}
}

func mustGet(t *testing.T, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
