package cognito

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

const passkeyOrigin = "http://localhost:8080"

// passkeyFixture is a pool that allows passkeys with RP ID localhost, a
// client with USER_AUTH and a signed-in user.
type passkeyFixture struct {
	*signinFixture
	access string
}

func newPasskeyFixture(t *testing.T, pool map[string]any) *passkeyFixture {
	t.Helper()
	settings := map[string]any{
		"Policies":                 map[string]any{"SignInPolicy": map[string]any{"AllowedFirstAuthFactors": []any{"PASSWORD", "WEB_AUTHN"}}},
		"WebAuthnRelyingPartyID":   "localhost",
		"WebAuthnUserVerification": "required",
	}
	for k, v := range pool {
		if v == nil {
			delete(settings, k)
		} else {
			settings[k] = v
		}
	}
	f := newSigninFixture(t, settings, clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	f.addUser("alice", "Passw0rd!", map[string]string{"email": "alice@example.com", "email_verified": "true"})
	m, err := f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	if err != nil {
		t.Fatal(err)
	}
	access, _, _ := tokensOf(t, m)
	return &passkeyFixture{signinFixture: f, access: access}
}

func (f *passkeyFixture) start() map[string]any {
	f.t.Helper()
	m := f.mustCall(opStartWebAuthnRegistration, map[string]any{"AccessToken": f.access})
	return m["CredentialCreationOptions"].(map[string]any)
}

func (f *passkeyFixture) complete(cred any) error {
	_, err := f.call(opCompleteWebAuthnRegistration, map[string]any{"AccessToken": f.access, "Credential": cred})
	return err
}

// register registers a passkey of a and fails the test if it cannot.
func (f *passkeyFixture) register(a *softAuthenticator) {
	f.t.Helper()
	if err := f.complete(json.RawMessage(a.create(f.start(), passkeyOrigin, ceremony{}))); err != nil {
		f.t.Fatalf("CompleteWebAuthnRegistration: %v", err)
	}
}

// challenge starts a USER_AUTH sign-in preferring WEB_AUTHN.
func (f *passkeyFixture) challenge() (session, options string) {
	f.t.Helper()
	m, err := f.initiate(flowUserAuth, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"})
	if err != nil {
		f.t.Fatal(err)
	}
	if m["ChallengeName"] != chWebAuthn {
		f.t.Fatalf("want WEB_AUTHN, got %v", m)
	}
	return m["Session"].(string), m["ChallengeParameters"].(map[string]any)["CREDENTIAL_REQUEST_OPTIONS"].(string)
}

func (f *passkeyFixture) answer(session, credential string) (map[string]any, error) {
	return f.respond(chWebAuthn, session, map[string]string{"USERNAME": "alice", "CREDENTIAL": credential})
}

func apiType(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Type
	}
	return ""
}

func TestPasskeys_RegisterAndSignIn(t *testing.T) {
	for _, tc := range []struct {
		name   string
		alg    int
		format string
	}{
		{"ES256 none", -7, "none"},
		{"ES256 packed", -7, "packed"},
		{"RS256 none", -257, "none"},
		{"RS256 packed", -257, "packed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newPasskeyFixture(t, nil)
			opts := f.start()
			if rp := opts["rp"].(map[string]any); rp["id"] != "localhost" {
				t.Errorf("rp = %v", rp)
			}
			if sel := opts["authenticatorSelection"].(map[string]any); sel["userVerification"] != "required" || sel["residentKey"] != "required" {
				t.Errorf("authenticatorSelection = %v", sel)
			}
			a := newSoftAuthenticator(t, tc.alg)
			// The Credential document may be the object or its JSON text.
			cred := a.create(opts, passkeyOrigin, ceremony{format: tc.format})
			if err := f.complete(cred); err != nil {
				t.Fatalf("CompleteWebAuthnRegistration: %v", err)
			}
			list := f.mustCall(opListWebAuthnCredentials, map[string]any{"AccessToken": f.access})
			creds := list["Credentials"].([]any)
			if len(creds) != 1 {
				t.Fatalf("Credentials = %v", creds)
			}
			c := creds[0].(map[string]any)
			if c["CredentialId"] != a.id() || c["RelyingPartyId"] != "localhost" || c["AuthenticatorAttachment"] != "platform" ||
				c["FriendlyCredentialName"] == "" || c["CreatedAt"] != float64(userClock.Unix()) {
				t.Errorf("credential = %v", c)
			}
			if tr, _ := json.Marshal(c["AuthenticatorTransports"]); string(tr) != `["internal"]` {
				t.Errorf("AuthenticatorTransports = %s", tr)
			}
			factors := f.mustCall(opGetUserAuthFactors, map[string]any{"AccessToken": f.access})
			if got, _ := json.Marshal(factors["ConfiguredUserAuthFactors"]); string(got) != `["PASSWORD","WEB_AUTHN"]` {
				t.Errorf("ConfiguredUserAuthFactors = %s", got)
			}
			session, options := f.challenge()
			var ro map[string]any
			if err := json.Unmarshal([]byte(options), &ro); err != nil {
				t.Fatal(err)
			}
			if ro["rpId"] != "localhost" || ro["userVerification"] != "required" {
				t.Errorf("request options = %v", ro)
			}
			if ac, _ := json.Marshal(ro["allowCredentials"]); !strings.Contains(string(ac), a.id()) {
				t.Errorf("allowCredentials = %s", ac)
			}
			m, err := f.answer(session, a.get(options, passkeyOrigin, ceremony{}))
			if err != nil {
				t.Fatal(err)
			}
			access, _, _ := tokensOf(t, m)
			if sub, claims := f.verify(access); sub == "" || claims["username"] != "alice" {
				t.Errorf("token claims = %v", claims)
			}
			// The counter is stored: a second sign-in with a higher one works.
			session, options = f.challenge()
			if _, err := f.answer(session, a.get(options, passkeyOrigin, ceremony{})); err != nil {
				t.Fatalf("second sign-in: %v", err)
			}
		})
	}
}

func TestPasskeys_SelectChallenge(t *testing.T) {
	f := newPasskeyFixture(t, nil)
	a := newSoftAuthenticator(t, -7)
	f.register(a)
	m, err := f.initiate(flowUserAuth, map[string]string{"USERNAME": "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := json.Marshal(m["AvailableChallenges"]); string(got) != `["PASSWORD_SRP","PASSWORD","WEB_AUTHN"]` {
		t.Fatalf("AvailableChallenges = %s", got)
	}
	m, err = f.respond(chSelectChallenge, m["Session"].(string), map[string]string{"USERNAME": "alice", "ANSWER": "WEB_AUTHN"})
	if err != nil || m["ChallengeName"] != chWebAuthn {
		t.Fatalf("want WEB_AUTHN: %v %v", m, err)
	}
	options := m["ChallengeParameters"].(map[string]any)["CREDENTIAL_REQUEST_OPTIONS"].(string)
	m, err = f.answer(m["Session"].(string), a.get(options, passkeyOrigin, ceremony{}))
	if err != nil {
		t.Fatal(err)
	}
	tokensOf(t, m)
}

func TestPasskeys_RegistrationFailures(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    ceremony
		alg  int
		want string
	}{
		{"wrong origin", ceremony{origin: "http://evil.example:8080"}, -7, typeWebAuthnOriginNotAllowed},
		{"http origin not localhost", ceremony{origin: "http://localhost.evil.example"}, -7, typeWebAuthnOriginNotAllowed},
		{"wrong challenge", ceremony{challenge: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, -7, typeWebAuthnChallengeNotFound},
		{"wrong type", ceremony{typ: "webauthn.get"}, -7, typeInvalidParameter},
		{"wrong rp id hash", ceremony{rpID: "example.com"}, -7, typeWebAuthnRPMismatch},
		{"no user verification", ceremony{flags: flagUP}, -7, typeWebAuthnNotSupported},
		{"no user presence", ceremony{flags: flagUV}, -7, typeWebAuthnNotSupported},
		{"bad packed signature ES256", ceremony{format: "packed", badSignature: true}, -7, typeWebAuthnNotSupported},
		{"bad packed signature RS256", ceremony{format: "packed", badSignature: true}, -257, typeWebAuthnNotSupported},
		{"unknown format", ceremony{format: "made-up"}, -7, typeWebAuthnNotSupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newPasskeyFixture(t, nil)
			a := newSoftAuthenticator(t, tc.alg)
			opts := f.start()
			err := f.complete(a.create(opts, passkeyOrigin, tc.c))
			if got := apiType(err); got != tc.want {
				t.Fatalf("error %v, want %s", err, tc.want)
			}
			if strings.Contains(err.Error(), opts["challenge"].(string)) {
				t.Errorf("the message quotes the challenge: %v", err)
			}
			// Nothing is registered, and the challenge is spent.
			list := f.mustCall(opListWebAuthnCredentials, map[string]any{"AccessToken": f.access})
			if n := len(list["Credentials"].([]any)); n != 0 {
				t.Errorf("%d credentials registered", n)
			}
		})
	}
}

func TestPasskeys_RegistrationChallengeRules(t *testing.T) {
	f := newPasskeyFixture(t, nil)
	a := newSoftAuthenticator(t, -7)
	// Without a Start there is no challenge.
	opts := map[string]any{"rp": map[string]any{"id": "localhost"}, "user": map[string]any{"id": "eA"}, "challenge": "AAAA"}
	if err := f.complete(a.create(opts, passkeyOrigin, ceremony{})); apiType(err) != typeWebAuthnChallengeNotFound {
		t.Fatalf("no start: %v", err)
	}
	// A completed registration cannot be replayed.
	cred := a.create(f.start(), passkeyOrigin, ceremony{})
	if err := f.complete(cred); err != nil {
		t.Fatal(err)
	}
	if err := f.complete(cred); apiType(err) != typeWebAuthnChallengeNotFound {
		t.Fatalf("replay: %v", err)
	}
	// The same credential twice, with a fresh challenge, is refused.
	if err := f.complete(a.create(f.start(), passkeyOrigin, ceremony{})); apiType(err) != typeInvalidParameter {
		t.Fatalf("duplicate: %v", err)
	}
	// An expired challenge.
	opts = f.start()
	f.env.Now = f.env.Now.Add(webAuthnTimeout + time.Second)
	b := newSoftAuthenticator(t, -7)
	if err := f.complete(b.create(opts, passkeyOrigin, ceremony{})); apiType(err) != typeWebAuthnChallengeNotFound {
		t.Fatalf("expired: %v", err)
	}
	// A token of another client than the one that started.
	f.env.Now = userClock
	opts = f.start()
	other, err := createClient(f.env, f.tx, &clientSpec{UserPoolId: &f.cfg.ID, ClientName: ptr("other"), ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	m := f.mustCall(opInitiateAuth, map[string]any{"ClientId": other.ClientId, "AuthFlow": flowUserPassword,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}})
	otherAccess, _, _ := tokensOf(t, m)
	_, err = f.call(opCompleteWebAuthnRegistration, map[string]any{"AccessToken": otherAccess, "Credential": b.create(opts, passkeyOrigin, ceremony{})})
	if apiType(err) != typeWebAuthnClientMismatch {
		t.Fatalf("other client: %v", err)
	}
	// Failures that commit do not change the shared error values.
	f.start()
	if err := f.complete(b.create(f.start(), passkeyOrigin, ceremony{challenge: "AAAA"})); apiType(err) != typeWebAuthnChallengeNotFound {
		t.Fatalf("wrong challenge: %v", err)
	}
	if errWebAuthnNoChallenge.Commit || errWebAuthnClientMismatch.Commit {
		t.Error("a shared error value was marked Commit")
	}
	// excludeCredentials names the registered passkey.
	if ex, _ := json.Marshal(f.start()["excludeCredentials"]); !strings.Contains(string(ex), a.id()) {
		t.Errorf("excludeCredentials = %s", ex)
	}
}

func TestPasskeys_PoolConfiguration(t *testing.T) {
	// Not in AllowedFirstAuthFactors: not enabled.
	f := newPasskeyFixture(t, map[string]any{"Policies": map[string]any{"SignInPolicy": map[string]any{"AllowedFirstAuthFactors": []any{"PASSWORD"}}}})
	_, err := f.call(opStartWebAuthnRegistration, map[string]any{"AccessToken": f.access})
	if apiType(err) != typeWebAuthnNotEnabled {
		t.Fatalf("not enabled: %v", err)
	}
	// No RP ID and no domain: configuration missing.
	f = newPasskeyFixture(t, map[string]any{"WebAuthnRelyingPartyID": nil})
	_, err = f.call(opStartWebAuthnRegistration, map[string]any{"AccessToken": f.access})
	if apiType(err) != typeWebAuthnConfigMissing {
		t.Fatalf("no rp id: %v", err)
	}
	// The prefix domain is the default RP ID.
	if _, err := createDomain(f.env, f.tx, &domainSpec{UserPoolId: &f.cfg.ID, Domain: ptr("myapp")}); err != nil {
		t.Fatal(err)
	}
	opts := f.start()
	if rp := opts["rp"].(map[string]any); rp["id"] != "myapp.auth.us-east-1.amazoncognito.com" {
		t.Errorf("rp = %v", rp)
	}
	if sel := opts["authenticatorSelection"].(map[string]any); sel["userVerification"] != "required" {
		t.Errorf("userVerification = %v", sel)
	}
	// SetUserPoolMfaConfig sets and GetUserPoolMfaConfig shows WebAuthnConfiguration.
	m := f.mustCall(opSetUserPoolMfaConfig, map[string]any{"UserPoolId": f.cfg.ID,
		"WebAuthnConfiguration": map[string]any{"RelyingPartyId": "localhost", "UserVerification": "preferred", "FactorConfiguration": "SINGLE_FACTOR"}})
	if got, _ := json.Marshal(m["WebAuthnConfiguration"]); string(got) != `{"FactorConfiguration":"SINGLE_FACTOR","RelyingPartyId":"localhost","UserVerification":"preferred"}` {
		t.Errorf("Set: WebAuthnConfiguration = %s", got)
	}
	m = f.mustCall(opGetUserPoolMfaConfig, map[string]any{"UserPoolId": f.cfg.ID})
	if got, _ := json.Marshal(m["WebAuthnConfiguration"]); string(got) != `{"FactorConfiguration":"SINGLE_FACTOR","RelyingPartyId":"localhost","UserVerification":"preferred"}` {
		t.Errorf("Get: WebAuthnConfiguration = %s", got)
	}
	// The pool config is reloaded per call, so the new settings apply.
	f.cfg, _ = loadPoolConfig(f.tx, f.cfg.ID)
	opts = f.start()
	if rp := opts["rp"].(map[string]any); rp["id"] != "localhost" {
		t.Errorf("rp after Set = %v", rp)
	}
	if sel := opts["authenticatorSelection"].(map[string]any); sel["userVerification"] != "preferred" {
		t.Errorf("userVerification after Set = %v", sel)
	}
	// Preferred user verification accepts an authenticator without UV.
	a := newSoftAuthenticator(t, -7)
	if err := f.complete(a.create(opts, passkeyOrigin, ceremony{flags: flagUP})); err != nil {
		t.Fatalf("UP only with preferred: %v", err)
	}
	for _, bad := range []map[string]any{
		{"UserVerification": "always"},
		{"FactorConfiguration": "TWO"},
		{"RelyingPartyId": strings.Repeat("a", 64)},
	} {
		_, err := f.call(opSetUserPoolMfaConfig, map[string]any{"UserPoolId": f.cfg.ID, "WebAuthnConfiguration": bad})
		if apiType(err) != "InvalidParameterException" && apiType(err) != "ValidationException" {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

func TestPasskeys_AssertionFailures(t *testing.T) {
	zero := uint32(0)
	for _, tc := range []struct {
		name string
		c    func(a *softAuthenticator) ceremony
		want string
	}{
		{"wrong origin", func(*softAuthenticator) ceremony { return ceremony{origin: "https://evil.example"} }, typeWebAuthnOriginNotAllowed},
		{"wrong challenge", func(*softAuthenticator) ceremony {
			return ceremony{challenge: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}
		}, typeNotAuthorized},
		{"wrong type", func(*softAuthenticator) ceremony { return ceremony{typ: "webauthn.create"} }, typeInvalidParameter},
		{"bad signature", func(*softAuthenticator) ceremony { return ceremony{badSignature: true} }, typeNotAuthorized},
		{"wrong rp id hash", func(*softAuthenticator) ceremony { return ceremony{rpID: "example.com"} }, typeWebAuthnRPMismatch},
		{"no user verification", func(*softAuthenticator) ceremony { return ceremony{flags: flagUP} }, typeNotAuthorized},
		{"counter not increasing", func(a *softAuthenticator) ceremony {
			c := a.count
			return ceremony{count: &c}
		}, typeNotAuthorized},
		{"counter reset to zero", func(*softAuthenticator) ceremony { return ceremony{count: &zero} }, typeNotAuthorized},
		{"unknown credential", func(*softAuthenticator) ceremony { return ceremony{credID: []byte("not-registered")} }, typeNotAuthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newPasskeyFixture(t, nil)
			a := newSoftAuthenticator(t, -7)
			f.register(a)
			// One good sign-in first, so the stored counter is 1.
			session, options := f.challenge()
			if _, err := f.answer(session, a.get(options, passkeyOrigin, ceremony{})); err != nil {
				t.Fatal(err)
			}
			session, options = f.challenge()
			_, err := f.answer(session, a.get(options, passkeyOrigin, tc.c(a)))
			if got := apiType(err); got != tc.want {
				t.Fatalf("error %v, want %s", err, tc.want)
			}
			// The session is spent by the failure.
			_, err = f.answer(session, a.get(options, passkeyOrigin, ceremony{}))
			if !errors.Is(err, errSessionUsed) && apiType(err) != typeNotAuthorized {
				t.Fatalf("session after failure: %v", err)
			}
		})
	}
}

func TestPasskeys_ReplayAndDeletion(t *testing.T) {
	f := newPasskeyFixture(t, nil)
	a := newSoftAuthenticator(t, -7)
	f.register(a)
	session, options := f.challenge()
	cred := a.get(options, passkeyOrigin, ceremony{})
	if _, err := f.answer(session, cred); err != nil {
		t.Fatal(err)
	}
	// The same session again: single use.
	if _, err := f.answer(session, cred); err == nil || err.Error() != errSessionUsed.Error() {
		t.Fatalf("replayed session: %v", err)
	}
	// The same assertion on a new session: its challenge is another.
	session2, _ := f.challenge()
	if _, err := f.answer(session2, cred); apiType(err) != typeNotAuthorized {
		t.Fatalf("replayed assertion: %v", err)
	}
	// Delete the passkey: WEB_AUTHN is no longer offered, and an assertion
	// by it is refused.
	session3, options3 := f.challenge()
	f.mustCall(opDeleteWebAuthnCredential, map[string]any{"AccessToken": f.access, "CredentialId": a.id()})
	if _, err := f.answer(session3, a.get(options3, passkeyOrigin, ceremony{})); apiType(err) != typeNotAuthorized {
		t.Fatalf("deleted credential: %v", err)
	}
	m, err := f.initiate(flowUserAuth, map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"})
	if err != nil || m["ChallengeName"] != chSelectChallenge {
		t.Fatalf("after deletion: %v %v", m, err)
	}
	if got, _ := json.Marshal(m["AvailableChallenges"]); string(got) != `["PASSWORD_SRP","PASSWORD"]` {
		t.Errorf("AvailableChallenges = %s", got)
	}
	_, err = f.call(opDeleteWebAuthnCredential, map[string]any{"AccessToken": f.access, "CredentialId": a.id()})
	wantAPIError(t, err, typeResourceNotFound, "Credential not found.")
}

func TestPasskeys_ListPaging(t *testing.T) {
	f := newPasskeyFixture(t, nil)
	var ids []string
	for range 3 {
		a := newSoftAuthenticator(t, -7)
		f.register(a)
		ids = append(ids, a.id())
	}
	var got []string
	var token any
	for range 4 {
		body := map[string]any{"AccessToken": f.access, "MaxResults": 2}
		if token != nil {
			body["NextToken"] = token
		}
		m := f.mustCall(opListWebAuthnCredentials, body)
		for _, c := range m["Credentials"].([]any) {
			got = append(got, c.(map[string]any)["CredentialId"].(string))
		}
		if token = m["NextToken"]; token == nil {
			break
		}
		// The token is bound to the list: another user's list refuses it.
		if _, err := paginate(nil, 2, ptr(token.(string)), "ListWebAuthnCredentials|"+f.cfg.ID+"|other"); err == nil {
			t.Error("token accepted for another scope")
		}
	}
	if len(got) != 3 {
		t.Fatalf("listed %v, registered %v", got, ids)
	}
	_, err := f.call(opListWebAuthnCredentials, map[string]any{"AccessToken": f.access, "NextToken": "bm9wZQ"})
	wantAPIError(t, err, typeInvalidParameter, "Invalid pagination token.")
	_, err = f.call(opListWebAuthnCredentials, map[string]any{"AccessToken": f.access, "MaxResults": 21})
	if apiType(err) == "" {
		t.Errorf("MaxResults 21 accepted")
	}
}

func TestPasskeys_GoWithUserAndPool(t *testing.T) {
	f := newPasskeyFixture(t, nil)
	a := newSoftAuthenticator(t, -7)
	f.register(a)
	u := f.reload(&user{Username: "alice"})
	if recs, _ := f.tx.List(typeWebAuthnCredential, f.cfg.ID+"|"); len(recs) != 1 {
		t.Fatalf("stored %d credentials", len(recs))
	}
	f.start() // a registration in progress
	if err := removeUser(f.tx, f.cfg, u); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{typeWebAuthnCredential, typeWebAuthnRegistration} {
		if recs, _ := f.tx.List(typ, f.cfg.ID+"|"); len(recs) != 0 {
			t.Errorf("%s left after user deletion: %d", typ, len(recs))
		}
	}
	g := newPasskeyFixture(t, nil)
	g.register(newSoftAuthenticator(t, -7))
	if err := deletePool(g.tx, g.cfg.ID); err != nil {
		t.Fatal(err)
	}
	if recs, _ := g.tx.List(typeWebAuthnCredential, g.cfg.ID+"|"); len(recs) != 0 {
		t.Errorf("credentials left after pool deletion: %d", len(recs))
	}
}

func TestPasskeys_AccessTokenRequired(t *testing.T) {
	f := newPasskeyFixture(t, nil)
	for name, op := range passkeyOperations() {
		_, err := f.call(op, map[string]any{"AccessToken": "not-a-token", "CredentialId": "x", "Credential": map[string]any{}})
		if apiType(err) != typeNotAuthorized {
			t.Errorf("%s with a bad token: %v", name, err)
		}
	}
}

func TestOriginAllowed(t *testing.T) {
	for _, tc := range []struct {
		origin, rp string
		want       bool
	}{
		{"http://localhost:8080", "localhost", true},
		{"http://localhost", "localhost", true},
		{"https://localhost:3000", "localhost", true},
		{"https://auth.example.com", "example.com", true},
		{"https://example.com", "example.com", true},
		{"http://example.com", "example.com", false},
		{"https://badexample.com", "example.com", false},
		{"https://example.com.evil.net", "example.com", false},
		{"https://example.com/path", "example.com", false},
		{"android:apk-key-hash:abc", "example.com", false},
		{"", "localhost", false},
	} {
		if got := originAllowed(tc.origin, tc.rp); got != tc.want {
			t.Errorf("originAllowed(%q, %q) = %v", tc.origin, tc.rp, got)
		}
	}
}

func TestPasskeys_AdminFlow(t *testing.T) {
	f := newPasskeyFixture(t, nil)
	a := newSoftAuthenticator(t, -257)
	f.register(a)
	m := f.mustCall(opAdminInitiateAuth, map[string]any{"UserPoolId": f.cfg.ID, "ClientId": f.client.ClientId, "AuthFlow": flowUserAuth,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"}})
	if m["ChallengeName"] != chWebAuthn {
		t.Fatalf("want WEB_AUTHN: %v", m)
	}
	options := m["ChallengeParameters"].(map[string]any)["CREDENTIAL_REQUEST_OPTIONS"].(string)
	// The admin session does not serve the public operation.
	if _, err := f.answer(m["Session"].(string), a.get(options, passkeyOrigin, ceremony{})); err == nil {
		t.Fatal("an admin session answered through RespondToAuthChallenge")
	}
	m = f.mustCall(opAdminInitiateAuth, map[string]any{"UserPoolId": f.cfg.ID, "ClientId": f.client.ClientId, "AuthFlow": flowUserAuth,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"}})
	options = m["ChallengeParameters"].(map[string]any)["CREDENTIAL_REQUEST_OPTIONS"].(string)
	m = f.mustCall(opAdminRespondToAuthChallenge, map[string]any{"UserPoolId": f.cfg.ID, "ClientId": f.client.ClientId, "ChallengeName": chWebAuthn,
		"Session": m["Session"], "ChallengeResponses": map[string]string{"USERNAME": "alice", "CREDENTIAL": a.get(options, passkeyOrigin, ceremony{})}})
	tokensOf(t, m)
}
