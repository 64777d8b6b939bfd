package cognito

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/ccql/ccql/emulator/internal/srp"
	"github.com/ccql/ccql/emulator/internal/totp"
	"github.com/ccql/ccql/internal/handler"
)

// signinFixture is a pool, a client and users in memory, with the
// operations called as the emulator calls them.
type signinFixture struct {
	t      *testing.T
	tx     memTx
	env    handler.Env
	ctx    context.Context
	cfg    *poolConfig
	client *clientModel
}

func newSigninFixture(t *testing.T, poolSettings map[string]any, client clientSpec) *signinFixture {
	t.Helper()
	tx := newMemTx()
	f := &signinFixture{t: t, tx: tx, env: userEnv(), ctx: WithRequest(context.Background(), NewRuntime(""), nil)}
	f.env.Rand = rand.NewChaCha8([32]byte{42})
	f.cfg = newUserPool(t, tx, poolSettings)
	client.UserPoolId = &f.cfg.ID
	if client.ClientName == nil {
		client.ClientName = ptr("app")
	}
	c, err := createClient(f.env, tx, &client, "")
	if err != nil {
		t.Fatalf("createClient: %v", err)
	}
	f.client = c
	return f
}

// addUser stores a confirmed user with a password.
func (f *signinFixture) addUser(name, password string, attrs map[string]string) *user {
	f.t.Helper()
	u := mustSaveUser(f.t, f.env, f.tx, f.cfg, name, attrs)
	if err := setPassword(f.env, f.cfg, u, password, true); err != nil {
		f.t.Fatal(err)
	}
	if err := saveUser(f.env, f.tx, f.cfg, u); err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *signinFixture) reload(u *user) *user {
	f.t.Helper()
	v, err := findUser(f.tx, f.cfg, u.Username)
	if err != nil || v == nil {
		f.t.Fatalf("reload %s: %v", u.Username, err)
	}
	return v
}

// call runs an operation with body and returns its answer as JSON.
func (f *signinFixture) call(op Operation, body map[string]any) (map[string]any, error) {
	f.t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		f.t.Fatal(err)
	}
	out, err := op(f.ctx, f.env, f.tx, raw)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(out)
	if err != nil {
		f.t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		f.t.Fatal(err)
	}
	return m, nil
}

func (f *signinFixture) mustCall(op Operation, body map[string]any) map[string]any {
	f.t.Helper()
	m, err := f.call(op, body)
	if err != nil {
		f.t.Fatalf("call: %v", err)
	}
	return m
}

func (f *signinFixture) initiate(flow string, params map[string]string) (map[string]any, error) {
	return f.call(opInitiateAuth, map[string]any{"ClientId": f.client.ClientId, "AuthFlow": flow, "AuthParameters": params})
}

func (f *signinFixture) respond(name, session string, resp map[string]string) (map[string]any, error) {
	body := map[string]any{"ClientId": f.client.ClientId, "ChallengeName": name, "ChallengeResponses": resp}
	if session != "" {
		body["Session"] = session
	}
	return f.call(opRespondToAuthChallenge, body)
}

func tokensOf(t *testing.T, m map[string]any) (access, id, refresh string) {
	t.Helper()
	r, ok := m["AuthenticationResult"].(map[string]any)
	if !ok {
		t.Fatalf("no AuthenticationResult in %v", m)
	}
	access, _ = r["AccessToken"].(string)
	id, _ = r["IdToken"].(string)
	refresh, _ = r["RefreshToken"].(string)
	if r["TokenType"] != "Bearer" {
		t.Errorf("TokenType = %v", r["TokenType"])
	}
	return access, id, refresh
}

func secretHashOf(secret, name, clientID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(name + clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// srpTestClient is a USER_SRP_AUTH client written from
// amazon-cognito-identity-js's AuthenticationHelper, apart from the
// server's code: it shares only the published group N.
type srpTestClient struct {
	a, A *big.Int
}

func newSRPTestClient() *srpTestClient {
	a, _ := new(big.Int).SetString(strings.Repeat("1b2c3d4e5f", 25), 16)
	return &srpTestClient{a: a, A: new(big.Int).Exp(big.NewInt(2), a, srp.N())}
}

func testPad(x *big.Int) []byte {
	h := x.Text(16)
	if len(h)%2 == 1 {
		h = "0" + h
	} else if h[0] >= '8' {
		h = "00" + h
	}
	b, _ := hex.DecodeString(h)
	return b
}

func testH(parts ...[]byte) *big.Int {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return new(big.Int).SetBytes(h.Sum(nil))
}

// sign answers a PASSWORD_VERIFIER challenge with password at timestamp.
func (c *srpTestClient) sign(poolID, password, timestamp string, params map[string]any) map[string]string {
	N, g := srp.N(), big.NewInt(2)
	k := testH(testPad(N), testPad(g))
	B, _ := new(big.Int).SetString(params["SRP_B"].(string), 16)
	salt, _ := new(big.Int).SetString(params["SALT"].(string), 16)
	userID := params["USER_ID_FOR_SRP"].(string)
	poolName := poolID[strings.IndexByte(poolID, '_')+1:]
	inner := sha256.Sum256([]byte(poolName + userID + ":" + password))
	x := testH(testPad(salt), inner[:])
	u := testH(testPad(c.A), testPad(B))
	gx := new(big.Int).Exp(g, x, N)
	base := new(big.Int).Sub(B, new(big.Int).Mul(k, gx))
	base.Mod(base, N)
	exp := new(big.Int).Add(c.a, new(big.Int).Mul(u, x))
	S := new(big.Int).Exp(base, exp, N)
	prk := hmac.New(sha256.New, testPad(u))
	prk.Write(testPad(S))
	m := hmac.New(sha256.New, prk.Sum(nil))
	m.Write([]byte("Caldera Derived Key\x01"))
	key := m.Sum(nil)[:16]
	block, _ := base64.StdEncoding.DecodeString(params["SECRET_BLOCK"].(string))
	sig := hmac.New(sha256.New, key)
	sig.Write([]byte(poolName + userID))
	sig.Write(block)
	sig.Write([]byte(timestamp))
	return map[string]string{
		"USERNAME":                    userID,
		"PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"].(string),
		"PASSWORD_CLAIM_SIGNATURE":    base64.StdEncoding.EncodeToString(sig.Sum(nil)),
		"TIMESTAMP":                   timestamp,
	}
}

// srpSignIn runs both SRP steps and returns the second answer.
func (f *signinFixture) srpSignIn(name, password, timestamp string) (map[string]any, error) {
	f.t.Helper()
	c := newSRPTestClient()
	first, err := f.initiate(flowUserSRP, map[string]string{"USERNAME": name, "SRP_A": c.A.Text(16)})
	if err != nil {
		return nil, err
	}
	if first["ChallengeName"] != chPasswordVerifier {
		f.t.Fatalf("first step: %v", first)
	}
	params := first["ChallengeParameters"].(map[string]any)
	return f.respond(chPasswordVerifier, "", c.sign(f.cfg.ID, password, timestamp, params))
}

// jwks is the pool's key set as /.well-known/jwks.json serves it.
func (f *signinFixture) jwks() jose.JSONWebKeySet {
	f.t.Helper()
	stored, err := loadKeys(f.tx, f.cfg.ID)
	if err != nil || stored == nil {
		f.t.Fatalf("keys: %v", err)
	}
	k, err := stored.parse()
	if err != nil {
		f.t.Fatal(err)
	}
	raw, _ := json.Marshal(&jwksDocument{Keys: []jwk{k.id.jwk, k.access.jwk}})
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		f.t.Fatal(err)
	}
	return set
}

// verify checks token's signature against the JWKS with go-jose and
// returns its kid and claims.
func (f *signinFixture) verify(token string) (string, map[string]any) {
	f.t.Helper()
	jws, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		f.t.Fatalf("parse %q: %v", token, err)
	}
	kid := jws.Signatures[0].Header.KeyID
	set := f.jwks()
	keys := set.Key(kid)
	if len(keys) != 1 {
		f.t.Fatalf("kid %s not in the JWKS", kid)
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		f.t.Fatalf("verify: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		f.t.Fatal(err)
	}
	return kid, claims
}

const goodTimestamp = "Tue Sep 1 12:00:00 UTC 2026"

func TestSignIn_ErrorMessages(t *testing.T) {
	type setup func(f *signinFixture)
	withFlows := func(flows ...string) clientSpec { return clientSpec{ExplicitAuthFlows: flows} }
	pwFlows := withFlows("ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	cases := []struct {
		name     string
		client   clientSpec
		setup    setup
		flow     string
		params   map[string]string
		typ, msg string
	}{
		{"flow not enabled (default client)", clientSpec{}, nil, flowUserPassword,
			map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"},
			typeInvalidParameter, "USER_PASSWORD_AUTH flow not enabled for this client"},
		{"USER_AUTH not enabled", pwFlows, nil, flowUserAuth, map[string]string{"USERNAME": "alice"},
			typeInvalidParameter, "USER_AUTH flow not enabled for this client"},
		{"unknown user, LEGACY", pwFlows, nil, flowUserPassword,
			map[string]string{"USERNAME": "nobody", "PASSWORD": "Passw0rd!"}, typeUserNotFound, "User does not exist."},
		{"unknown user, ENABLED", clientSpec{ExplicitAuthFlows: pwFlows.ExplicitAuthFlows, PreventUserExistenceErrors: ptr("ENABLED")}, nil,
			flowUserPassword, map[string]string{"USERNAME": "nobody", "PASSWORD": "Passw0rd!"}, typeNotAuthorized, msgIncorrect},
		{"unknown user SRP, LEGACY", pwFlows, nil, flowUserSRP,
			map[string]string{"USERNAME": "nobody", "SRP_A": "abc"}, typeUserNotFound, "User does not exist."},
		{"wrong password", pwFlows, nil, flowUserPassword,
			map[string]string{"USERNAME": "alice", "PASSWORD": "Wrong0rd!"}, typeNotAuthorized, msgIncorrect},
		{"disabled user", pwFlows, func(f *signinFixture) {
			u := f.reload(&user{Username: "alice"})
			u.Enabled = false
			saveUser(f.env, f.tx, f.cfg, u)
		}, flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}, typeNotAuthorized, "User is disabled."},
		{"unconfirmed user (before the password)", pwFlows, func(f *signinFixture) {
			u := f.reload(&user{Username: "alice"})
			u.Status = statusUnconfirmed
			saveUser(f.env, f.tx, f.cfg, u)
		}, flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Wrong0rd!"}, typeUserNotConfirmed, "User is not confirmed."},
		{"secret hash missing", clientSpec{ExplicitAuthFlows: pwFlows.ExplicitAuthFlows, GenerateSecret: ptr(true)}, nil,
			flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}, typeNotAuthorized, "Client %s is configured with secret but SECRET_HASH was not received"},
		{"secret hash wrong", clientSpec{ExplicitAuthFlows: pwFlows.ExplicitAuthFlows, GenerateSecret: ptr(true)}, nil,
			flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!", "SECRET_HASH": "bm9wZQ=="}, typeNotAuthorized, "Unable to verify secret hash for client %s"},
		{"custom auth", clientSpec{}, nil, flowCustom, map[string]string{"USERNAME": "alice"}, typeInvalidParameter, msgCustomAuth},
		{"admin flow on InitiateAuth", withFlows("ALLOW_ADMIN_USER_PASSWORD_AUTH"), nil, flowAdminUserPassword,
			map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}, typeInvalidParameter, "Initiate Auth method not supported."},
		{"missing USERNAME", pwFlows, nil, flowUserPassword, map[string]string{"PASSWORD": "x"}, typeInvalidParameter, "Missing required parameter USERNAME"},
		{"missing SRP_A", pwFlows, nil, flowUserSRP, map[string]string{"USERNAME": "alice"}, typeInvalidParameter, "Missing required parameter SRP_A"},
		{"A = 0 mod N", pwFlows, nil, flowUserSRP, map[string]string{"USERNAME": "alice", "SRP_A": srp.N().Text(16)}, typeInvalidParameter, "Invalid SRP_A value."},
		{"garbage refresh token", pwFlows, nil, flowRefreshToken, map[string]string{"REFRESH_TOKEN": "a.b.c.d.e"}, typeNotAuthorized, "Invalid Refresh Token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newSigninFixture(t, nil, tc.client)
			f.addUser("alice", "Passw0rd!", map[string]string{"email": "alice@example.com"})
			if tc.setup != nil {
				tc.setup(f)
			}
			_, err := f.initiate(tc.flow, tc.params)
			msg := tc.msg
			if strings.Contains(msg, "%s") {
				msg = strings.ReplaceAll(msg, "%s", f.client.ClientId)
			}
			wantAPIError(t, err, tc.typ, msg)
		})
	}
}

func TestSignIn_LockoutAfterFiveFailures(t *testing.T) {
	f := newSigninFixture(t, nil, clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
	f.addUser("alice", "Passw0rd!", nil)
	for range 5 {
		_, err := f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Wrong0rd!"})
		wantAPIError(t, err, typeNotAuthorized, msgIncorrect)
	}
	_, err := f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	wantAPIError(t, err, typeNotAuthorized, "Password attempts exceeded")
}

func TestSignIn_PasswordFlowsIssueVerifiableTokens(t *testing.T) {
	f := newSigninFixture(t, map[string]any{
		"Schema": []any{map[string]any{"Name": "tier", "AttributeDataType": "Number", "Mutable": true}},
	}, clientSpec{
		ExplicitAuthFlows:   []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		ReadAttributes:      []string{"email", "email_verified", "custom:tier"},
		AccessTokenValidity: ptr(10), IdTokenValidity: ptr(2),
		TokenValidityUnits: &tokenValidityUnits{AccessToken: ptr("minutes"), IdToken: ptr("hours")},
	})
	u := f.addUser("alice", "Passw0rd!", map[string]string{"email": "alice@example.com", "email_verified": "true", "name": "Alice", "custom:tier": "3"})
	u.Groups = []string{"b", "a"}
	saveUser(f.env, f.tx, f.cfg, u)
	putJSON(f.tx, typeGroup, f.cfg.ID+"|a", map[string]any{"GroupName": "a", "Precedence": 2})
	putJSON(f.tx, typeGroup, f.cfg.ID+"|b", map[string]any{"GroupName": "b", "Precedence": 1})

	for _, flow := range []string{flowUserPassword, flowAdminUserPassword, flowAdminNoSRP} {
		t.Run(flow, func(t *testing.T) {
			var m map[string]any
			var err error
			if flow == flowUserPassword {
				m, err = f.initiate(flow, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
			} else {
				m, err = f.call(opAdminInitiateAuth, map[string]any{"UserPoolId": f.cfg.ID, "ClientId": f.client.ClientId,
					"AuthFlow": flow, "AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}})
			}
			if err != nil {
				t.Fatal(err)
			}
			access, id, refresh := tokensOf(t, m)
			if parts := strings.Split(refresh, "."); len(parts) != 5 {
				t.Errorf("refresh token has %d parts, want 5", len(parts))
			}
			if r := m["AuthenticationResult"].(map[string]any); r["ExpiresIn"] != float64(600) {
				t.Errorf("ExpiresIn = %v, want 600", r["ExpiresIn"])
			}
			akid, ac := f.verify(access)
			ikid, ic := f.verify(id)
			if akid == ikid {
				t.Error("ID and access tokens are signed with the same key")
			}
			iss := "https://cognito-idp.us-east-1.amazonaws.com/" + f.cfg.ID
			now := f.env.Now.Unix()
			wantAccess := map[string]any{"sub": u.Sub, "iss": iss, "client_id": f.client.ClientId, "token_use": "access",
				"scope": adminScope, "username": "alice", "auth_time": float64(now), "iat": float64(now), "exp": float64(now + 600)}
			for k, v := range wantAccess {
				if ac[k] != v {
					t.Errorf("access %s = %v, want %v", k, ac[k], v)
				}
			}
			for _, k := range []string{"jti", "origin_jti", "event_id"} {
				if s, _ := ac[k].(string); len(s) != 36 {
					t.Errorf("access %s = %v", k, ac[k])
				}
			}
			if _, ok := ac["aud"]; ok {
				t.Error("access token has aud")
			}
			if g, _ := json.Marshal(ac["cognito:groups"]); string(g) != `["b","a"]` {
				t.Errorf("cognito:groups = %s, want precedence order", g)
			}
			wantID := map[string]any{"sub": u.Sub, "aud": f.client.ClientId, "token_use": "id", "cognito:username": "alice",
				"email": "alice@example.com", "email_verified": true, "custom:tier": "3", "exp": float64(now + 7200),
				"origin_jti": ac["origin_jti"], "event_id": ac["event_id"]}
			for k, v := range wantID {
				if ic[k] != v {
					t.Errorf("id %s = %#v, want %#v", k, ic[k], v)
				}
			}
			if _, ok := ic["name"]; ok {
				t.Error("ID token carries name, which the client may not read")
			}
		})
	}
}

func TestSignIn_SRP(t *testing.T) {
	newF := func(t *testing.T, prevent string) *signinFixture {
		f := newSigninFixture(t, nil, clientSpec{PreventUserExistenceErrors: ptr(prevent)})
		f.addUser("alice", "Passw0rd!", nil)
		return f
	}
	t.Run("correct password", func(t *testing.T) {
		f := newF(t, "LEGACY")
		m, err := f.srpSignIn("alice", "Passw0rd!", goodTimestamp)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := m["Session"]; ok {
			t.Error("tokens come with a Session")
		}
		access, _, _ := tokensOf(t, m)
		f.verify(access)
	})
	t.Run("wrong password", func(t *testing.T) {
		f := newF(t, "LEGACY")
		_, err := f.srpSignIn("alice", "Wrong0rd!", goodTimestamp)
		wantAPIError(t, err, typeNotAuthorized, msgIncorrect)
		if got := f.reload(&user{Username: "alice"}).FailedAttempts; got != 1 {
			t.Errorf("FailedAttempts = %d, want 1", got)
		}
	})
	for _, ts := range []string{"Tue Sep 01 12:00:00 UTC 2026", "Wed Sep 1 12:00:00 UTC 2026"} {
		t.Run("timestamp "+ts, func(t *testing.T) {
			f := newF(t, "LEGACY")
			_, err := f.srpSignIn("alice", "Passw0rd!", ts)
			wantAPIError(t, err, typeNotAuthorized, msgIncorrect)
		})
	}
	t.Run("secret block single use", func(t *testing.T) {
		f := newF(t, "LEGACY")
		c := newSRPTestClient()
		first, err := f.initiate(flowUserSRP, map[string]string{"USERNAME": "alice", "SRP_A": c.A.Text(16)})
		if err != nil {
			t.Fatal(err)
		}
		resp := c.sign(f.cfg.ID, "Passw0rd!", goodTimestamp, first["ChallengeParameters"].(map[string]any))
		if _, err := f.respond(chPasswordVerifier, "", resp); err != nil {
			t.Fatal(err)
		}
		_, err = f.respond(chPasswordVerifier, "", resp)
		wantAPIError(t, err, typeNotAuthorized, "Invalid session for the user, session can only be used once.")
	})
	t.Run("expired", func(t *testing.T) {
		f := newF(t, "LEGACY")
		c := newSRPTestClient()
		first, _ := f.initiate(flowUserSRP, map[string]string{"USERNAME": "alice", "SRP_A": c.A.Text(16)})
		f.env.Now = f.env.Now.Add(3*time.Minute + time.Second)
		_, err := f.respond(chPasswordVerifier, "", c.sign(f.cfg.ID, "Passw0rd!", goodTimestamp, first["ChallengeParameters"].(map[string]any)))
		wantAPIError(t, err, typeNotAuthorized, "Invalid session for the user, session is expired.")
	})
	t.Run("unknown user, ENABLED: simulated and stable", func(t *testing.T) {
		f := newF(t, "ENABLED")
		var salts, ids []any
		for range 2 {
			m, err := f.initiate(flowUserSRP, map[string]string{"USERNAME": "ghost", "SRP_A": newSRPTestClient().A.Text(16)})
			if err != nil {
				t.Fatal(err)
			}
			p := m["ChallengeParameters"].(map[string]any)
			salts, ids = append(salts, p["SALT"]), append(ids, p["USER_ID_FOR_SRP"])
		}
		if salts[0] != salts[1] || ids[0] != ids[1] || len(ids[0].(string)) != 36 {
			t.Fatalf("simulated steps differ or id not a UUID: %v %v", salts, ids)
		}
		_, err := f.srpSignIn("ghost", "Passw0rd!", goodTimestamp)
		wantAPIError(t, err, typeNotAuthorized, msgIncorrect)
	})
}

func TestSignIn_RefreshRevokeSignOut(t *testing.T) {
	f := newSigninFixture(t, nil, clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	f.addUser("alice", "Passw0rd!", nil)
	signIn := func() (string, string) {
		m, err := f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
		if err != nil {
			t.Fatal(err)
		}
		a, _, r := tokensOf(t, m)
		return a, r
	}
	access, refresh := signIn()
	_, first := f.verify(access)
	f.env.Now = f.env.Now.Add(10 * time.Minute)
	m, err := f.initiate(flowRefreshToken, map[string]string{"REFRESH_TOKEN": refresh})
	if err != nil {
		t.Fatal(err)
	}
	a2, id2, r2 := tokensOf(t, m)
	if r2 != "" || id2 == "" {
		t.Fatalf("refresh without rotation: refresh %q id %q", r2, id2)
	}
	_, c2 := f.verify(a2)
	if c2["auth_time"] != first["auth_time"] || c2["iat"] == first["iat"] || c2["origin_jti"] != first["origin_jti"] || c2["jti"] == first["jti"] {
		t.Errorf("refresh claims: auth_time %v/%v iat %v/%v", c2["auth_time"], first["auth_time"], c2["iat"], first["iat"])
	}
	if _, err := f.call(opGetUser, map[string]any{"AccessToken": a2}); err != nil {
		t.Fatalf("GetUser: %v", err)
	}

	// RevokeToken revokes the refresh token and the access tokens of its family.
	if _, err := f.call(opRevokeToken, map[string]any{"Token": refresh, "ClientId": f.client.ClientId}); err != nil {
		t.Fatal(err)
	}
	_, err = f.initiate(flowRefreshToken, map[string]string{"REFRESH_TOKEN": refresh})
	wantAPIError(t, err, typeNotAuthorized, "Refresh Token has been revoked")
	_, err = f.call(opGetUser, map[string]any{"AccessToken": a2})
	wantAPIError(t, err, typeNotAuthorized, "Access Token has been revoked")
	_, err = f.call(opRevokeToken, map[string]any{"Token": a2, "ClientId": f.client.ClientId})
	wantAPIError(t, err, "UnsupportedTokenTypeException", "Unsupported token type.")

	// GlobalSignOut revokes every family; a later sign-in works.
	access, refresh = signIn()
	if _, err := f.call(opGlobalSignOut, map[string]any{"AccessToken": access}); err != nil {
		t.Fatal(err)
	}
	_, err = f.call(opGetUser, map[string]any{"AccessToken": access})
	wantAPIError(t, err, typeNotAuthorized, "Access Token has been revoked")
	_, err = f.initiate(flowRefreshToken, map[string]string{"REFRESH_TOKEN": refresh})
	wantAPIError(t, err, typeNotAuthorized, "Refresh Token has been revoked")
	access, _ = signIn()
	if _, err := f.call(opGetUser, map[string]any{"AccessToken": access}); err != nil {
		t.Fatalf("GetUser after a new sign-in: %v", err)
	}
	if _, err := f.call(opAdminUserGlobalSignOut, map[string]any{"UserPoolId": f.cfg.ID, "Username": "alice"}); err != nil {
		t.Fatal(err)
	}
	_, err = f.call(opGetUser, map[string]any{"AccessToken": access})
	wantAPIError(t, err, typeNotAuthorized, "Access Token has been revoked")

	// Expiry.
	access, _ = signIn()
	f.env.Now = f.env.Now.Add(time.Hour)
	_, err = f.call(opGetUser, map[string]any{"AccessToken": access})
	wantAPIError(t, err, typeNotAuthorized, "Access Token has expired")
	_, err = f.call(opGetUser, map[string]any{"AccessToken": "not.a.token"})
	wantAPIError(t, err, typeNotAuthorized, "Invalid Access Token")
}

// TestSignIn_AdminDisableUserRevokesTokens: AdminDisableUser "deactivates a
// user and revokes all access tokens for the user" (API reference), so the
// tokens issued before stay refused after AdminEnableUser; a new sign-in
// works.
func TestSignIn_AdminDisableUserRevokesTokens(t *testing.T) {
	f := newSigninFixture(t, nil, clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	f.addUser("alice", "Passw0rd!", nil)
	signIn := func() (string, string) {
		m, err := f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
		if err != nil {
			t.Fatal(err)
		}
		a, _, r := tokensOf(t, m)
		return a, r
	}
	access, refresh := signIn()
	user := map[string]any{"UserPoolId": f.cfg.ID, "Username": "alice"}
	if _, err := f.call(opAdminDisableUser, user); err != nil {
		t.Fatal(err)
	}
	_, err := f.call(opGetUser, map[string]any{"AccessToken": access})
	wantAPIError(t, err, typeNotAuthorized, "Access Token has been revoked")
	_, err = f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	wantAPIError(t, err, typeNotAuthorized, "User is disabled.")
	if _, err := f.call(opAdminEnableUser, user); err != nil {
		t.Fatal(err)
	}
	_, err = f.call(opGetUser, map[string]any{"AccessToken": access})
	wantAPIError(t, err, typeNotAuthorized, "Access Token has been revoked")
	_, err = f.initiate(flowRefreshToken, map[string]string{"REFRESH_TOKEN": refresh})
	wantAPIError(t, err, typeNotAuthorized, "Refresh Token has been revoked")
	access, _ = signIn()
	if _, err := f.call(opGetUser, map[string]any{"AccessToken": access}); err != nil {
		t.Fatalf("GetUser after a new sign-in: %v", err)
	}
}

func TestSignIn_RefreshTokenRotation(t *testing.T) {
	f := newSigninFixture(t, nil, clientSpec{
		ExplicitAuthFlows:    []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		RefreshTokenRotation: &refreshTokenRotation{Feature: ptr("ENABLED"), RetryGracePeriodSeconds: ptr(30)},
	})
	f.addUser("alice", "Passw0rd!", nil)
	m, _ := f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	_, _, old := tokensOf(t, m)
	_, err := f.initiate(flowRefreshToken, map[string]string{"REFRESH_TOKEN": old})
	wantAPIError(t, err, typeInvalidParameter, "Refresh token rotation is enabled for this client; use GetTokensFromRefreshToken.")
	get := func(token string) (map[string]any, error) {
		return f.call(opGetTokensFromRefreshToken, map[string]any{"RefreshToken": token, "ClientId": f.client.ClientId})
	}
	m, err = get(old)
	if err != nil {
		t.Fatal(err)
	}
	_, _, fresh := tokensOf(t, m)
	if fresh == "" || fresh == old {
		t.Fatal("rotation gave no new refresh token")
	}
	f.env.Now = f.env.Now.Add(20 * time.Second)
	if _, err := get(old); err != nil {
		t.Fatalf("old token within the grace period: %v", err)
	}
	f.env.Now = f.env.Now.Add(60 * time.Second)
	_, err = get(old)
	wantAPIError(t, err, "RefreshTokenReuseException", "Refresh token has been reused")
}

func TestSignIn_NewPasswordRequired(t *testing.T) {
	f := newSigninFixture(t, map[string]any{
		"Schema": []any{map[string]any{"Name": "given_name", "AttributeDataType": "String", "Mutable": true, "Required": true}},
	}, clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
	u := mustSaveUser(t, f.env, f.tx, f.cfg, "alice", map[string]string{"email": "a@example.com"})
	if err := setPassword(f.env, f.cfg, u, "Temp0rary!", false); err != nil {
		t.Fatal(err)
	}
	saveUser(f.env, f.tx, f.cfg, u)
	m, err := f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Temp0rary!"})
	if err != nil {
		t.Fatal(err)
	}
	p := m["ChallengeParameters"].(map[string]any)
	if m["ChallengeName"] != chNewPassword || p["requiredAttributes"] != `["userAttributes.given_name"]` || p["userAttributes"] != `{"email":"a@example.com"}` {
		t.Fatalf("challenge %v", m)
	}
	session := m["Session"].(string)
	_, err = f.respond(chNewPassword, session, map[string]string{"USERNAME": "alice", "NEW_PASSWORD": "Fresh0ne!"})
	wantAPIError(t, err, typeInvalidParameter, "Invalid attributes given, given_name is missing")
	// The failure rolled back on the emulator; here the session is spent, so start over.
	m, _ = f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Temp0rary!"})
	_, err = f.respond(chNewPassword, m["Session"].(string), map[string]string{"USERNAME": "alice", "NEW_PASSWORD": "short", "userAttributes.given_name": "Al"})
	if err == nil || !strings.Contains(err.Error(), "InvalidPasswordException") {
		t.Fatalf("weak password: %v", err)
	}
	m, _ = f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Temp0rary!"})
	_, err = f.respond(chNewPassword, m["Session"].(string), map[string]string{"USERNAME": "alice", "NEW_PASSWORD": "Fresh0ne!",
		"userAttributes.given_name": "Al", "userAttributes.custom:nope": "x"})
	wantAPIError(t, err, typeInvalidParameter, "Attributes did not conform to the schema: Type for attribute {custom:nope} could not be determined")
	m, _ = f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Temp0rary!"})
	m, err = f.respond(chNewPassword, m["Session"].(string), map[string]string{"USERNAME": "alice", "NEW_PASSWORD": "Fresh0ne!", "userAttributes.given_name": "Al"})
	if err != nil {
		t.Fatal(err)
	}
	_, id, _ := tokensOf(t, m)
	if _, c := f.verify(id); c["given_name"] != "Al" {
		t.Errorf("given_name = %v", c["given_name"])
	}
	if u := f.reload(u); u.Status != statusConfirmed {
		t.Errorf("status %s", u.Status)
	}
	if _, err := f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Fresh0ne!"}); err != nil {
		t.Fatalf("new password: %v", err)
	}
}

func TestSignIn_SoftwareTokenMFA(t *testing.T) {
	f := newSigninFixture(t, map[string]any{"MfaConfiguration": "ON", "EnabledMfas": []any{"SOFTWARE_TOKEN_MFA"}},
		clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
	f.addUser("alice", "Passw0rd!", nil)
	// No MFA yet: MFA_SETUP, then AssociateSoftwareToken and VerifySoftwareToken with the session.
	m, err := f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	if err != nil {
		t.Fatal(err)
	}
	if m["ChallengeName"] != chMFASetup || m["ChallengeParameters"].(map[string]any)["MFAS_CAN_SETUP"] != `["SOFTWARE_TOKEN_MFA"]` {
		t.Fatalf("want MFA_SETUP: %v", m)
	}
	session := m["Session"].(string)
	assoc := f.mustCall(opAssociateSoftwareToken, map[string]any{"Session": session})
	key, err := totp.DecodeSecret(assoc["SecretCode"].(string))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.call(opVerifySoftwareToken, map[string]any{"Session": session, "UserCode": "000000"})
	if err == nil && totp.Code(key, f.env.Now) != "000000" {
		t.Fatal("a wrong code verified")
	}
	v := f.mustCall(opVerifySoftwareToken, map[string]any{"Session": session, "UserCode": totp.Code(key, f.env.Now)})
	if v["Status"] != "SUCCESS" {
		t.Fatalf("verify: %v", v)
	}
	m, err = f.respond(chMFASetup, session, map[string]string{"USERNAME": "alice"})
	if err != nil {
		t.Fatal(err)
	}
	tokensOf(t, m)
	// Next sign-in: SOFTWARE_TOKEN_MFA.
	m, _ = f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	if m["ChallengeName"] != chSoftwareToken {
		t.Fatalf("want SOFTWARE_TOKEN_MFA: %v", m)
	}
	m, err = f.respond(chSoftwareToken, m["Session"].(string), map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": totp.Code(key, f.env.Now.Add(-30*time.Second))})
	if err != nil {
		t.Fatal(err)
	}
	tokensOf(t, m)
	m, _ = f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	_, err = f.respond(chSoftwareToken, m["Session"].(string), map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": totp.Code(key, f.env.Now.Add(-90*time.Second))})
	wantAPIError(t, err, typeCodeMismatch, msgCodeInvalid)
}

func TestSignIn_SMSMFAAndSelect(t *testing.T) {
	f := newSigninFixture(t, map[string]any{"MfaConfiguration": "OPTIONAL", "EnabledMfas": []any{"SMS_MFA", "SOFTWARE_TOKEN_MFA"}},
		clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
	u := f.addUser("alice", "Passw0rd!", map[string]string{"phone_number": "+15555550100", "phone_number_verified": "true"})
	// OPTIONAL and nothing enabled: tokens at once.
	m, _ := f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	tokensOf(t, m)
	u.MFA.SMSEnabled, u.MFA.SoftwareTokenEnabled, u.MFA.TOTPVerified, u.MFA.TOTPSecret = true, true, true, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	saveUser(f.env, f.tx, f.cfg, u)
	m, _ = f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	if m["ChallengeName"] != chSelectMFA || m["ChallengeParameters"].(map[string]any)["MFAS_CAN_CHOOSE"] != `["SMS_MFA","SOFTWARE_TOKEN_MFA"]` {
		t.Fatalf("want SELECT_MFA_TYPE: %v", m)
	}
	m, err := f.respond(chSelectMFA, m["Session"].(string), map[string]string{"USERNAME": "alice", "ANSWER": "SMS_MFA"})
	if err != nil {
		t.Fatal(err)
	}
	p := m["ChallengeParameters"].(map[string]any)
	if m["ChallengeName"] != chSMSMFA || p["CODE_DELIVERY_DELIVERY_MEDIUM"] != "SMS" {
		t.Fatalf("want SMS_MFA: %v", m)
	}
	msgs, err := ListMessages(f.tx, f.cfg.ID, "alice")
	if err != nil || len(msgs) == 0 {
		t.Fatalf("outbox: %v %v", msgs, err)
	}
	last := msgs[len(msgs)-1]
	if last.Kind != MessageAuthentication || last.Destination != "+15555550100" || !strings.Contains(last.Message, last.Code) {
		t.Fatalf("outbox message %+v", last)
	}
	m, err = f.respond(chSMSMFA, m["Session"].(string), map[string]string{"USERNAME": "alice", "SMS_MFA_CODE": last.Code})
	if err != nil {
		t.Fatal(err)
	}
	tokensOf(t, m)
}

func TestSignIn_UserAuthChoices(t *testing.T) {
	f := newSigninFixture(t, map[string]any{
		"Policies": map[string]any{"SignInPolicy": map[string]any{"AllowedFirstAuthFactors": []any{"PASSWORD", "EMAIL_OTP"}}},
	}, clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_AUTH"}})
	f.addUser("alice", "Passw0rd!", map[string]string{"email": "alice@example.com", "email_verified": "true"})
	m, err := f.initiate(flowUserAuth, map[string]string{"USERNAME": "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if m["ChallengeName"] != chSelectChallenge {
		t.Fatalf("want SELECT_CHALLENGE: %v", m)
	}
	if got, _ := json.Marshal(m["AvailableChallenges"]); string(got) != `["PASSWORD_SRP","PASSWORD","EMAIL_OTP"]` {
		t.Errorf("AvailableChallenges = %s", got)
	}
	m, err = f.respond(chSelectChallenge, m["Session"].(string), map[string]string{"USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": "Passw0rd!"})
	if err != nil {
		t.Fatal(err)
	}
	tokensOf(t, m)
	// EMAIL_OTP preferred: the code comes through the outbox.
	m, err = f.initiate(flowUserAuth, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	if err != nil || m["ChallengeName"] != chEmailOTP {
		t.Fatalf("want EMAIL_OTP: %v %v", m, err)
	}
	msgs, _ := ListMessages(f.tx, f.cfg.ID, "alice")
	code := msgs[len(msgs)-1].Code
	m, err = f.respond(chEmailOTP, m["Session"].(string), map[string]string{"USERNAME": "alice", "EMAIL_OTP_CODE": code})
	if err != nil {
		t.Fatal(err)
	}
	tokensOf(t, m)
	// PASSWORD_SRP preferred: the SRP challenge.
	m, err = f.initiate(flowUserAuth, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": newSRPTestClient().A.Text(16)})
	if err != nil || m["ChallengeName"] != chPasswordVerifier {
		t.Fatalf("want PASSWORD_VERIFIER: %v %v", m, err)
	}
}

func TestSignIn_SecretHashAndMFAPreference(t *testing.T) {
	f := newSigninFixture(t, nil, clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, GenerateSecret: ptr(true)})
	f.addUser("alice", "Passw0rd!", nil)
	hash := secretHashOf(f.client.ClientSecret, "alice", f.client.ClientId)
	m, err := f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!", "SECRET_HASH": hash})
	if err != nil {
		t.Fatal(err)
	}
	access, _, refresh := tokensOf(t, m)
	_, err = f.initiate(flowRefreshToken, map[string]string{"REFRESH_TOKEN": refresh})
	wantAPIError(t, err, typeNotAuthorized, "Client "+f.client.ClientId+" is configured with secret but SECRET_HASH was not received")
	if _, err := f.initiate(flowRefreshToken, map[string]string{"REFRESH_TOKEN": refresh, "SECRET_HASH": hash}); err != nil {
		t.Fatal(err)
	}
	_, err = f.call(opSetUserMFAPreference, map[string]any{"AccessToken": access, "SoftwareTokenMfaSettings": map[string]any{"Enabled": true}})
	wantAPIError(t, err, typeInvalidParameter, "User has not verified software token mfa")
	assoc := f.mustCall(opAssociateSoftwareToken, map[string]any{"AccessToken": access})
	key, _ := totp.DecodeSecret(assoc["SecretCode"].(string))
	f.mustCall(opVerifySoftwareToken, map[string]any{"AccessToken": access, "UserCode": totp.Code(key, f.env.Now), "FriendlyDeviceName": "phone"})
	f.mustCall(opSetUserMFAPreference, map[string]any{"AccessToken": access, "SoftwareTokenMfaSettings": map[string]any{"Enabled": true, "PreferredMfa": true}})
	got := f.mustCall(opGetUser, map[string]any{"AccessToken": access})
	if got["PreferredMfaSetting"] != chSoftwareToken || got["Username"] != "alice" {
		t.Errorf("GetUser = %v", got)
	}
	if _, err := f.call(opChangePassword, map[string]any{"AccessToken": access, "PreviousPassword": "Passw0rd!", "ProposedPassword": "Chang3d!pw"}); err != nil {
		t.Fatal(err)
	}
	_, err = f.call(opChangePassword, map[string]any{"AccessToken": access, "PreviousPassword": "Passw0rd!", "ProposedPassword": "Chang3d!pw2"})
	wantAPIError(t, err, typeNotAuthorized, msgIncorrect)
	if _, err := f.call(opDeleteUser, map[string]any{"AccessToken": access}); err != nil {
		t.Fatal(err)
	}
	_, err = f.call(opGetUser, map[string]any{"AccessToken": access})
	wantAPIError(t, err, typeNotAuthorized, "Access Token has been revoked")
}

func TestSignIn_AttributeOperations(t *testing.T) {
	f := newSigninFixture(t, map[string]any{"AutoVerifiedAttributes": []any{"email"}},
		clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}, WriteAttributes: []string{"email", "name"},
			ReadAttributes: []string{"email", "email_verified", "name", "nickname"}})
	f.addUser("alice", "Passw0rd!", map[string]string{"email": "a@example.com", "email_verified": "true", "nickname": "al"})
	m, _ := f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	access, _, _ := tokensOf(t, m)
	attr := func(n, v string) map[string]string { return map[string]string{"Name": n, "Value": v} }

	_, err := f.call(opUpdateUserAttributes, map[string]any{"AccessToken": access, "UserAttributes": []any{attr("nickname", "x")}})
	wantAPIError(t, err, typeNotAuthorized, "A client attempted to write unauthorized attribute")
	_, err = f.call(opDeleteUserAttributes, map[string]any{"AccessToken": access, "UserAttributeNames": []string{"nickname"}})
	wantAPIError(t, err, typeNotAuthorized, "A client attempted to write unauthorized attribute")

	out := f.mustCall(opUpdateUserAttributes, map[string]any{"AccessToken": access, "UserAttributes": []any{attr("email", "b@example.com"), attr("name", "Alice")}})
	list, _ := out["CodeDeliveryDetailsList"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["AttributeName"] != "email" {
		t.Fatalf("CodeDeliveryDetailsList = %v", out)
	}
	u := f.reload(&user{Username: "alice"})
	if u.Attributes["email"] != "b@example.com" || u.Attributes["email_verified"] != "false" || u.Attributes["name"] != "Alice" {
		t.Fatalf("attributes %v", u.Attributes)
	}
	msgs, _ := ListMessages(f.tx, f.cfg.ID, "alice")
	code := msgs[len(msgs)-1].Code
	_, err = f.call(opVerifyUserAttribute, map[string]any{"AccessToken": access, "AttributeName": "email", "Code": "000000x"})
	if err == nil {
		t.Fatal("a wrong code verified")
	}
	u = f.reload(u)
	u.Codes[codePurposeVerify+"email"].Failures = 0
	saveUser(f.env, f.tx, f.cfg, u)
	f.mustCall(opVerifyUserAttribute, map[string]any{"AccessToken": access, "AttributeName": "email", "Code": code})
	if u := f.reload(u); u.Attributes["email_verified"] != "true" {
		t.Fatalf("email_verified = %q", u.Attributes["email_verified"])
	}
	got := f.mustCall(opGetUserAttributeVerificationCode, map[string]any{"AccessToken": access, "AttributeName": "email"})
	if d := got["CodeDeliveryDetails"].(map[string]any); d["DeliveryMedium"] != "EMAIL" || d["Destination"] == "b@example.com" {
		t.Errorf("CodeDeliveryDetails = %v (the destination must be masked)", d)
	}
	f.mustCall(opDeleteUserAttributes, map[string]any{"AccessToken": access, "UserAttributeNames": []string{"name"}})
	if _, ok := f.reload(u).Attributes["name"]; ok {
		t.Error("name not deleted")
	}
}

// TestSignIn_StateGoesWithThePool: sessions, token families and sign-out
// records are removed with their pool.
func TestSignIn_StateGoesWithThePool(t *testing.T) {
	f := newSigninFixture(t, nil, clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"}})
	f.addUser("alice", "Passw0rd!", nil)
	m, _ := f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	access, _, _ := tokensOf(t, m)
	f.mustCall(opGlobalSignOut, map[string]any{"AccessToken": access})
	if _, err := f.initiate(flowUserSRP, map[string]string{"USERNAME": "alice", "SRP_A": newSRPTestClient().A.Text(16)}); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{typeAuthSession, typeTokenFamily, typeSignOut} {
		if n, _ := f.tx.Count(typ, f.cfg.ID+"|"); n == 0 {
			t.Fatalf("no %s before the delete", typ)
		}
	}
	if err := deletePool(f.tx, f.cfg.ID); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{typeAuthSession, typeTokenFamily, typeSignOut} {
		if n, _ := f.tx.Count(typ, f.cfg.ID+"|"); n != 0 {
			t.Errorf("%d %s left after the pool was deleted", n, typ)
		}
	}
}

// TestIssueTokens_OAuthGrant: what the hosted UI passes (granted scopes, a
// nonce, at_hash, version 2) shapes the tokens; a refresh of that family
// keeps its scopes; GetUser refuses a token without the admin scope.
func TestIssueTokens_OAuthGrant(t *testing.T) {
	f := newSigninFixture(t, nil, clientSpec{})
	u := f.addUser("alice", "Passw0rd!", map[string]string{"email": "a@example.com"})
	keys, err := f.ctx.Value(requestKey{}).(requestInfo).poolKeys(f.env, f.tx, f.cfg.ID)
	if err != nil {
		t.Fatal(err)
	}
	tu, _ := tokenUserOf(f.tx, f.cfg.ID, u)
	grant := tokenGrant{PoolID: f.cfg.ID, Region: "us-east-1", Issuer: "http://localhost/" + f.cfg.ID, Client: f.client, User: tu,
		AuthTime: f.env.Now.Unix(), Scopes: []string{"openid", "email"}, IDToken: true, Refresh: true, Nonce: "n-0S6", AtHash: true, Version: 2}
	out, err := issueTokens(f.env, f.tx, keys, grant)
	if err != nil {
		t.Fatal(err)
	}
	_, ac := f.verify(out.AccessToken)
	_, ic := f.verify(out.IDToken)
	sum := sha256.Sum256([]byte(out.AccessToken))
	if ac["scope"] != "openid email" || ac["version"] != float64(2) || ic["nonce"] != "n-0S6" ||
		ic["at_hash"] != base64.RawURLEncoding.EncodeToString(sum[:16]) {
		t.Fatalf("access %v\nid %v", ac, ic)
	}
	_, err = f.call(opGetUser, map[string]any{"AccessToken": out.AccessToken})
	wantAPIError(t, err, typeNotAuthorized, "Access Token does not have required scopes")
	fam, current, err := findRefresh(f.env, f.tx, f.cfg.ID, f.client.ClientId, out.RefreshToken)
	if err != nil || !current {
		t.Fatal(err)
	}
	again, err := issueTokens(f.env, f.tx, keys, tokenGrant{PoolID: f.cfg.ID, Issuer: grant.Issuer, Client: f.client, User: tu, Family: fam})
	if err != nil {
		t.Fatal(err)
	}
	if _, ac := f.verify(again.AccessToken); ac["scope"] != "openid email" || ac["origin_jti"] != fam.OriginJti {
		t.Errorf("refreshed access token %v", ac)
	}
	// Without openid, no ID token.
	noID, err := issueTokens(f.env, f.tx, keys, tokenGrant{PoolID: f.cfg.ID, Issuer: grant.Issuer, Client: f.client, User: tu, Scopes: []string{"phone"}})
	if err != nil || noID.IDToken != "" || noID.RefreshToken != "" {
		t.Fatalf("scopes without openid: %+v %v", noID, err)
	}
}

// TestAllowedFlows: which InitiateAuth flows each ExplicitAuthFlows value
// enables (reference 4.1, 4.11).
func TestAllowedFlows(t *testing.T) {
	all := []string{flowUserSRP, flowUserPassword, flowAdminUserPassword, flowAdminNoSRP, flowRefreshToken, flowRefresh, flowCustom, flowUserAuth}
	tests := []struct {
		flows []string
		want  []string
	}{
		{nil, []string{flowUserSRP, flowRefreshToken, flowRefresh, flowCustom}},
		{[]string{"ALLOW_USER_PASSWORD_AUTH"}, []string{flowUserPassword}},
		{[]string{"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, []string{flowAdminUserPassword, flowAdminNoSRP, flowRefreshToken, flowRefresh}},
		{[]string{"ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH"}, []string{flowUserSRP, flowUserAuth}},
		{[]string{"USER_PASSWORD_AUTH"}, []string{flowUserSRP, flowUserPassword, flowRefreshToken, flowRefresh}},
		{[]string{"ADMIN_NO_SRP_AUTH"}, []string{flowUserSRP, flowAdminUserPassword, flowAdminNoSRP, flowRefreshToken, flowRefresh}},
		{[]string{"CUSTOM_AUTH_FLOW_ONLY"}, []string{flowRefreshToken, flowRefresh, flowCustom}},
	}
	for _, tt := range tests {
		f := &flow{client: &clientModel{ExplicitAuthFlows: tt.flows}}
		for _, name := range all {
			err := f.checkFlow(name)
			if want := contains(tt.want, name); (err == nil) != want {
				t.Errorf("%v: %s allowed = %v, want %v", tt.flows, name, err == nil, want)
			} else if err != nil {
				wantAPIError(t, err, typeInvalidParameter, name+" flow not enabled for this client")
			}
		}
	}
}
