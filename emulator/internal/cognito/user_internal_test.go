package cognito

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ccql/ccql/emulator/internal/srp"
	"github.com/ccql/ccql/internal/handler"
)

var userClock = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)

func userEnv() handler.Env {
	return handler.Env{Account: "123456789012", Region: "us-east-1", Now: userClock, Rand: rand.NewChaCha8([32]byte{7})}
}

// newUserPool stores a pool with the given settings and returns its config.
func newUserPool(t *testing.T, tx handler.Tx, settings map[string]any) *poolConfig {
	t.Helper()
	m := map[string]any{"UserPoolId": "us-east-1_TestPool1", "UserPoolName": "p"}
	for k, v := range settings {
		m[k] = v
	}
	if _, err := createPool(userEnv(), tx, m); err != nil {
		t.Fatalf("createPool: %v", err)
	}
	cfg, err := loadPoolConfig(tx, "us-east-1_TestPool1")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func wantAPIError(t *testing.T, err error, typ, msg string) {
	t.Helper()
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v, want %s %q", err, typ, msg)
	}
	if ae.Type != typ || ae.Message != msg {
		t.Fatalf("error %s %q, want %s %q", ae.Type, ae.Message, typ, msg)
	}
}

func mustSaveUser(t *testing.T, env handler.Env, tx handler.Tx, cfg *poolConfig, name string, attrs map[string]string) *user {
	t.Helper()
	u, err := newUser(env, cfg, name)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range attrs {
		u.setAttr(k, v)
	}
	u.Status = statusConfirmed
	if err := saveUser(env, tx, cfg, u); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestFindUser(t *testing.T) {
	type lookup struct {
		name string
		want string // "" = no user
	}
	cases := []struct {
		desc     string
		settings map[string]any
		attrs    map[string]string
		lookups  []lookup
	}{
		{"case sensitive by default", nil, map[string]string{"email": "a@example.com", "email_verified": "true"},
			[]lookup{{"Alice", "Alice"}, {"alice", ""}, {"a@example.com", ""}}},
		{"case insensitive", map[string]any{"UsernameConfiguration": map[string]any{"CaseSensitive": false}}, nil,
			[]lookup{{"alice", "Alice"}, {"ALICE", "Alice"}}},
		{"verified e-mail alias", map[string]any{"AliasAttributes": []any{"email", "preferred_username"}},
			map[string]string{"email": "a@example.com", "email_verified": "true", "preferred_username": "al"},
			[]lookup{{"a@example.com", "Alice"}, {"al", "Alice"}, {"A@example.com", ""}}},
		{"unverified e-mail alias does not sign in", map[string]any{"AliasAttributes": []any{"email"}},
			map[string]string{"email": "a@example.com", "email_verified": "false"},
			[]lookup{{"a@example.com", ""}, {"Alice", "Alice"}}},
		{"alias case-insensitive pool", map[string]any{"AliasAttributes": []any{"email"}, "UsernameConfiguration": map[string]any{"CaseSensitive": false}},
			map[string]string{"email": "a@example.com", "email_verified": "true"},
			[]lookup{{"A@Example.com", "Alice"}}},
		{"phone alias needs verification", map[string]any{"AliasAttributes": []any{"phone_number"}},
			map[string]string{"phone_number": "+15555550100", "phone_number_verified": "true"},
			[]lookup{{"+15555550100", "Alice"}}},
	}
	for _, c := range cases {
		t.Run(c.desc, func(t *testing.T) {
			tx := newMemTx()
			env := userEnv()
			cfg := newUserPool(t, tx, c.settings)
			u := mustSaveUser(t, env, tx, cfg, "Alice", c.attrs)
			for _, l := range append(c.lookups, lookup{u.Sub, "Alice"}) {
				got, err := findUser(tx, cfg, l.name)
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case l.want == "" && got != nil:
					t.Errorf("findUser(%q) = %s, want none", l.name, got.Username)
				case l.want != "" && (got == nil || got.Username != l.want):
					t.Errorf("findUser(%q) = %v, want %s", l.name, got, l.want)
				}
			}
		})
	}
}

func TestUsernameAttributesUser(t *testing.T) {
	tx := newMemTx()
	env := userEnv()
	cfg := newUserPool(t, tx, map[string]any{"UsernameAttributes": []any{"email"}})
	u := mustSaveUser(t, env, tx, cfg, "bob@example.com", map[string]string{"email": "bob@example.com"})
	if u.Username != u.Sub {
		t.Fatalf("username %q, want the sub %q", u.Username, u.Sub)
	}
	got, err := getUser(tx, cfg, "bob@example.com")
	if err != nil || got.Sub != u.Sub {
		t.Fatalf("getUser by e-mail = %v, %v", got, err)
	}
	// Changing the e-mail moves the index entry.
	got.setAttr("email", "robert@example.com")
	if err := saveUser(env, tx, cfg, got); err != nil {
		t.Fatal(err)
	}
	if old, _ := findUser(tx, cfg, "bob@example.com"); old != nil {
		t.Error("old e-mail still signs in")
	}
	if cur, _ := findUser(tx, cfg, "robert@example.com"); cur == nil {
		t.Error("new e-mail does not sign in")
	}
	if err := removeUser(tx, cfg, got); err != nil {
		t.Fatal(err)
	}
	_, err = getUser(tx, cfg, "robert@example.com")
	wantAPIError(t, err, typeUserNotFound, "User does not exist.")
	if n, _ := tx.Count(typeUserIndex, cfg.ID+"|"); n != 0 {
		t.Errorf("%d index entries left after removeUser", n)
	}
}

func TestAliasMovesToNewOwner(t *testing.T) {
	tx := newMemTx()
	env := userEnv()
	cfg := newUserPool(t, tx, map[string]any{"AliasAttributes": []any{"email"}})
	verified := map[string]string{"email": "x@example.com", "email_verified": "true"}
	first := mustSaveUser(t, env, tx, cfg, "first", verified)
	mustSaveUser(t, env, tx, cfg, "second", verified)
	if got, _ := findUser(tx, cfg, "x@example.com"); got == nil || got.Username != "second" {
		t.Fatalf("alias owner = %v, want second", got)
	}
	// Saving the first user again must not take the alias back or drop it.
	first.setAttr("email_verified", "false")
	if err := saveUser(env, tx, cfg, first); err != nil {
		t.Fatal(err)
	}
	if got, _ := findUser(tx, cfg, "x@example.com"); got == nil || got.Username != "second" {
		t.Fatalf("alias owner after first's save = %v, want second", got)
	}
}

func TestValidatePassword(t *testing.T) {
	def := defaultPasswordPolicy()
	cases := []struct {
		policy passwordPolicy
		pw     string
		rule   string // "" = accepted
	}{
		{def, "Passw0rd!", ""},
		{def, "Pa0!", "Password not long enough"},
		{def, "password1!", "Password must have uppercase characters"},
		{def, "PASSWORD1!", "Password must have lowercase characters"},
		{def, "Password!!", "Password must have numeric characters"},
		{def, "Password11", "Password must have symbol characters"},
		{def, "Pass word1", ""}, // an inner space is a symbol
		{def, "Passw0rd=", ""},
		{def, "Passw0rd+", ""},
		{def, "ÄÖÜäöü1!", ""},
		{passwordPolicy{MinimumLength: 6}, "abcdef", ""},
		{passwordPolicy{MinimumLength: 6}, "abcde", "Password not long enough"},
		{passwordPolicy{MinimumLength: 6, RequireNumbers: true}, "abcdef", "Password must have numeric characters"},
		{passwordPolicy{MinimumLength: 99}, string(make([]byte, 98)), "Password not long enough"},
	}
	for _, c := range cases {
		err := validatePassword(c.policy, c.pw)
		if c.rule == "" {
			if err != nil {
				t.Errorf("%q: %v", c.pw, err)
			}
			continue
		}
		wantAPIError(t, err, typeInvalidPassword, "Password did not conform with policy: "+c.rule)
	}
}

func TestGenerateTemporaryPasswordMeetsPolicy(t *testing.T) {
	r := rand.NewChaCha8([32]byte{3})
	for _, p := range []passwordPolicy{defaultPasswordPolicy(), {MinimumLength: 6}, {MinimumLength: 99, RequireSymbols: true, RequireUppercase: true}} {
		for i := 0; i < 50; i++ {
			pw, err := generateTemporaryPassword(r, p)
			if err != nil {
				t.Fatal(err)
			}
			if err := validatePassword(defaultPasswordPolicy(), pw); err != nil {
				t.Fatalf("%q breaks the full policy: %v", pw, err)
			}
			if err := validatePassword(p, pw); err != nil {
				t.Fatalf("%q breaks %+v: %v", pw, p, err)
			}
		}
	}
}

func TestCheckPasswordLockout(t *testing.T) {
	tx := newMemTx()
	env := userEnv()
	cfg := newUserPool(t, tx, nil)
	u := mustSaveUser(t, env, tx, cfg, "carol", nil)
	if err := setPassword(env, cfg, u, "Passw0rd!", true); err != nil {
		t.Fatal(err)
	}
	if err := saveUser(env, tx, cfg, u); err != nil {
		t.Fatal(err)
	}
	reload := func() *user {
		got, err := getUser(tx, cfg, "carol")
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if err := checkPassword(env, tx, cfg, reload(), "Passw0rd!"); err != nil {
		t.Fatalf("right password: %v", err)
	}
	for i := 1; i <= lockoutThreshold; i++ {
		err := checkPassword(env, tx, cfg, reload(), "wrong")
		wantAPIError(t, err, typeNotAuthorized, msgIncorrectPassword)
		if ae := err.(*APIError); !ae.Commit {
			t.Fatal("a wrong password's failure is not marked Commit")
		}
	}
	// Locked: even the right password is refused, and not counted.
	err := checkPassword(env, tx, cfg, reload(), "Passw0rd!")
	wantAPIError(t, err, typeNotAuthorized, msgAttemptsExceeded)
	if got := reload().FailedAttempts; got != lockoutThreshold {
		t.Errorf("attempts during a lockout counted: %d", got)
	}
	// After the 1 s lockout, a wrong password locks for 2 s.
	env.Now = env.Now.Add(time.Second)
	wantAPIError(t, checkPassword(env, tx, cfg, reload(), "wrong"), typeNotAuthorized, msgIncorrectPassword)
	if got := time.Time(*reload().LockedUntil); !got.Equal(env.Now.Add(2 * time.Second)) {
		t.Errorf("second lockout until %v, want +2s", got)
	}
	env.Now = env.Now.Add(2 * time.Second)
	if err := checkPassword(env, tx, cfg, reload(), "Passw0rd!"); err != nil {
		t.Fatalf("right password after the lockout: %v", err)
	}
	if got := reload(); got.FailedAttempts != 0 || got.LockedUntil != nil {
		t.Errorf("success did not reset the counter: %d %v", got.FailedAttempts, got.LockedUntil)
	}
	// The lockout is capped at 15 minutes.
	u = reload()
	u.FailedAttempts = 40
	wantAPIError(t, recordSignInFailure(env, tx, cfg, u), typeNotAuthorized, msgIncorrectPassword)
	if got := time.Time(*reload().LockedUntil); !got.Equal(env.Now.Add(lockoutMax)) {
		t.Errorf("lockout until %v, want +15m", got)
	}
}

func TestCheckSignInAllowed(t *testing.T) {
	tx := newMemTx()
	env := userEnv()
	cfg := newUserPool(t, tx, nil)
	cases := []struct {
		desc   string
		mutate func(*user)
		pw     string
		typ    string
		msg    string
	}{
		{"disabled", func(u *user) { u.Enabled = false }, "Passw0rd!", typeNotAuthorized, msgUserDisabled},
		{"unconfirmed, before the password", func(u *user) { u.Status = statusUnconfirmed }, "wrong", typeUserNotConfirmed, msgNotConfirmed},
		{"reset required", func(u *user) { u.Status = statusResetRequired }, "Passw0rd!", typePasswordResetRequired, msgResetRequired},
		{"no password", func(u *user) { u.Salt, u.Verifier = nil, nil }, "Passw0rd!", typeNotAuthorized, msgIncorrectPassword},
		{"temporary password expired", func(u *user) {
			u.Status = statusForceChangePassword
			exp := epochSeconds(userClock.Add(-time.Second))
			u.TempPasswordExpires = &exp
		}, "Passw0rd!", typeNotAuthorized, msgTempExpired},
	}
	for _, c := range cases {
		t.Run(c.desc, func(t *testing.T) {
			u := mustSaveUser(t, env, tx, cfg, "dave", nil)
			if err := setPassword(env, cfg, u, "Passw0rd!", true); err != nil {
				t.Fatal(err)
			}
			c.mutate(u)
			wantAPIError(t, checkPassword(env, tx, cfg, u, c.pw), c.typ, c.msg)
		})
	}
}

func TestSetPasswordStoresVerifierOnly(t *testing.T) {
	tx := newMemTx()
	env := userEnv()
	cfg := newUserPool(t, tx, map[string]any{"Policies": map[string]any{"PasswordPolicy": map[string]any{"MinimumLength": 8, "TemporaryPasswordValidityDays": 3}}})
	u := mustSaveUser(t, env, tx, cfg, "erin", nil)
	if err := setPassword(env, cfg, u, "temporary", false); err != nil {
		t.Fatal(err)
	}
	if u.Status != statusForceChangePassword || !time.Time(*u.TempPasswordExpires).Equal(userClock.Add(72*time.Hour)) {
		t.Errorf("temporary: status %s, expires %v", u.Status, u.TempPasswordExpires)
	}
	if !srp.CheckPassword(cfg.Name, "erin", "temporary", u.Salt, u.Verifier) {
		t.Error("verifier does not match")
	}
	if err := saveUser(env, tx, cfg, u); err != nil {
		t.Fatal(err)
	}
	raw, _ := tx.Get(typeUser, cfg.userKey("erin"))
	if strings.Contains(string(raw), "temporary") {
		t.Errorf("stored user contains the password: %s", raw)
	}
	wantAPIError(t, setPassword(env, cfg, u, "short", true), typeInvalidPassword, "Password did not conform with policy: Password not long enough")
}

func TestCheckSecretHash(t *testing.T) {
	withSecret := &clientModel{ClientId: "client1", ClientSecret: "s3cr3t"}
	public := &clientModel{ClientId: "client2"}
	good := secretHash("s3cr3t", "alice", "client1")
	// Computed independently: printf 'aliceclient1' | openssl dgst -sha256 -hmac s3cr3t -binary | base64
	if good != "fCAqzbXMBFv913e80qdJL+ZcaIH/qgqG+MROjbtZN/A=" {
		t.Fatalf("secretHash = %s", good)
	}
	bad := "AAAA"
	cases := []struct {
		c     *clientModel
		given *string
		msg   string
	}{
		{withSecret, &good, ""},
		{withSecret, nil, "Client client1 is configured with secret but SECRET_HASH was not received"},
		{withSecret, &bad, "Unable to verify secret hash for client client1"},
		{public, nil, ""},
		{public, &bad, ""},
	}
	for _, c := range cases {
		err := checkSecretHash(c.c, "alice", c.given)
		if c.msg == "" {
			if err != nil {
				t.Errorf("%s: %v", c.c.ClientId, err)
			}
			continue
		}
		wantAPIError(t, err, typeNotAuthorized, c.msg)
	}
}

func TestOutboxRecordAndMask(t *testing.T) {
	tx := newMemTx()
	env := userEnv()
	cfg := newUserPool(t, tx, map[string]any{"VerificationMessageTemplate": map[string]any{
		"DefaultEmailOption": "CONFIRM_WITH_CODE", "EmailSubject": "Code for {username}", "EmailMessage": "Hi {username}, code {####}", "SmsMessage": "SMS {####}",
	}})
	u := mustSaveUser(t, env, tx, cfg, "frank", map[string]string{"email": "frank@example.com", "phone_number": "+15555550123"})
	m1, err := sendCode(env, tx, cfg, u, MessageSignUp, MediumEmail, "123456")
	if err != nil {
		t.Fatal(err)
	}
	m2, err := sendCode(env, tx, cfg, u, MessageForgotPassword, MediumSMS, "654321")
	if err != nil {
		t.Fatal(err)
	}
	if m1.Message != "Hi frank, code 123456" || m1.Subject != "Code for {username}" || m1.MaskedDestination != "f***@e***" {
		t.Errorf("email message %+v", m1)
	}
	if m2.Message != "SMS 654321" || m2.MaskedDestination != "+*******0123" || m2.AttributeName != "phone_number" {
		t.Errorf("sms message %+v", m2)
	}
	got, err := ListMessages(tx, cfg.ID, "frank")
	if err != nil || len(got) != 2 || got[0].Sequence != 1 || got[1].Code != "654321" {
		t.Fatalf("ListMessages = %+v, %v", got, err)
	}
	if other, _ := ListMessages(tx, cfg.ID, "someone"); len(other) != 0 {
		t.Errorf("messages of another user: %+v", other)
	}
	if err := deletePool(tx, cfg.ID); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{typeUser, typeUserIndex, typeMessage} {
		if n, _ := tx.Count(typ, cfg.ID+"|"); n != 0 {
			t.Errorf("%d %s left after the pool's deletion", n, typ)
		}
	}
}

func TestRenderTemplate(t *testing.T) {
	for _, c := range []struct{ tmpl, want string }{
		{"Your code is {####}.", "Your code is 42."},
		{"{username}: {####} {####}", "u: 42 42"},
		{"Click {##Verify Email##} now", "Click Verify Email now"},
	} {
		if got := renderTemplate(c.tmpl, "42", "u"); got != c.want {
			t.Errorf("renderTemplate(%q) = %q, want %q", c.tmpl, got, c.want)
		}
	}
}

// memTx is an in-memory handler.Tx for the package's internal tests
// (cognitotest imports this package, so it cannot serve them).
type memTx map[string]json.RawMessage

func newMemTx() memTx { return memTx{} }

func (m memTx) Get(typ, id string) (json.RawMessage, error) {
	if v, ok := m[typ+"\x00"+id]; ok {
		return v, nil
	}
	return nil, handler.ErrNotFound
}

func (m memTx) Put(typ, id string, model json.RawMessage) error {
	m[typ+"\x00"+id] = append(json.RawMessage(nil), model...)
	return nil
}

func (m memTx) Delete(typ, id string) error {
	if _, ok := m[typ+"\x00"+id]; !ok {
		return handler.ErrNotFound
	}
	delete(m, typ+"\x00"+id)
	return nil
}

func (m memTx) List(typ, prefix string) ([]handler.Record, error) {
	var out []handler.Record
	for k, v := range m {
		if t, id, _ := strings.Cut(k, "\x00"); t == typ && strings.HasPrefix(id, prefix) {
			out = append(out, handler.Record{Identifier: id, Model: v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Identifier < out[j].Identifier })
	return out, nil
}

func (m memTx) Count(typ, prefix string) (int, error) {
	recs, err := m.List(typ, prefix)
	return len(recs), err
}
