package cognito

// Users of a user pool: the durable record and the functions the IdP
// operations, the Cloud Control handlers and the sign-in flows share.
//
// # Contract for the other parts of issue 10 (sign-in, hosted UI)
//
// These in-package functions are stable; their signatures change only with
// a commit message that says so.
//
//   - loadPoolConfig(tx, poolID) (*poolConfig, error): a pool's settings that
//     shape users (UsernameAttributes, AliasAttributes, CaseSensitive,
//     AutoVerifiedAttributes, PasswordPolicy, AdminCreateUserConfig, MFA,
//     message templates), or poolNotFound.
//   - findUser(tx, cfg, name) (*user, error): resolves a name as Cognito
//     does for sign-in and admin operations: the user name, then a
//     UsernameAttributes value (e-mail/phone), a verified alias
//     (AliasAttributes; preferred_username needs no verification), then the
//     sub. Returns (nil, nil) when no user matches.
//   - getUser(tx, cfg, name) (*user, error): findUser, or UserNotFoundException
//     "User does not exist." when there is none.
//   - saveUser(env, tx, cfg, u) error: stores u (and its sign-in index),
//     setting Modified to env.Now.
//   - removeUser(tx, cfg, u) error: deletes u, its index entries.
//   - (*user).attr(name) / setAttr / deleteAttr: attribute access.
//   - checkPassword(env, tx, cfg, u, password) error: the password flows'
//     whole check with lockout bookkeeping (see password.go); the SRP flow
//     uses checkSignInAllowed before its first step and
//     recordSignInFailure / recordSignInSuccess after verifying the
//     signature.
//   - setPassword(env, cfg, u, password, permanent) error: policy check
//     (InvalidPasswordException with each rule's message) and new salt and
//     verifier; status CONFIRMED or FORCE_CHANGE_PASSWORD (the caller saves).
//   - checkSecretHash(c, username, given) error (secrethash.go).
//   - recordMessage(env, tx, m) error and render helpers (outbox.go);
//     sendCode(env, tx, cfg, u, kind, medium, code) records a
//     verification-type message rendered from the pool's templates;
//     sendVerificationCode(env, tx, cfg, u, attr) draws and records an
//     attribute verification code (consume it with consumeCode(env, tx,
//     cfg, u, codePurposeVerify+attr, code)).
//   - findClientByID(tx, clientID) (*clientModel, error): the client of an
//     unsigned operation (api_user.go).
//   - applyAttributes(cfg, u, attrs, creating), checkRequiredAttributes,
//     requiredAttributes, claimAliases (user_attributes.go): schema checks
//     with Cognito's messages, for UpdateUserAttributes and
//     NEW_PASSWORD_REQUIRED.
//   - applyMFAPreference(u, sms, totp, email) (api_user.go), for
//     SetUserMFAPreference.
//   - APIError.Commit: return a failure whose writes must be kept (the
//     IdP server commits the transaction, then answers the error).
//
// A user is stored under the private type "ccql::Cognito::User" keyed
// "<poolId>|<user name key>" (the user name, lower-cased when the pool is
// case-insensitive); the sign-in index, "ccql::Cognito::UserIndex", maps
// "<poolId>|<attribute>|<value key>" to that key for the sub and for every
// attribute a user may sign in with. Passwords are never stored: only the
// SRP salt and verifier (emulator/internal/srp), which serve both the SRP
// and the plain password flows.

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ccql/ccql/internal/handler"
)

// The private types users are stored under.
const (
	typeUser      = "ccql::Cognito::User"
	typeUserIndex = "ccql::Cognito::UserIndex"
)

// User statuses (UserStatusType).
const (
	statusUnconfirmed         = "UNCONFIRMED"
	statusConfirmed           = "CONFIRMED"
	statusForceChangePassword = "FORCE_CHANGE_PASSWORD"
	statusResetRequired       = "RESET_REQUIRED"
	statusExternalProvider    = "EXTERNAL_PROVIDER"
)

// user is a stored user.
type user struct {
	PoolID   string `json:"UserPoolId"`
	Username string `json:"Username"` // as created; for UsernameAttributes pools a UUID (= Sub)
	Sub      string `json:"Sub"`
	// Attributes holds every attribute value as a string, as the API
	// carries them (email_verified "true"/"false"); sub is kept here too.
	Attributes map[string]string `json:"Attributes"`
	Status     string            `json:"Status"`
	Enabled    bool              `json:"Enabled"`
	Created    epochSeconds      `json:"Created"`
	Modified   epochSeconds      `json:"Modified"`
	Groups     []string          `json:"Groups,omitempty"` // sorted group names
	MFA        mfaSettings       `json:"MFA"`
	// Salt and Verifier are the SRP password verifier; both empty for a
	// user without a password (none yet, or reset by an administrator).
	Salt     []byte `json:"Salt,omitempty"`
	Verifier []byte `json:"Verifier,omitempty"`
	// TempPasswordExpires is when a temporary password (status
	// FORCE_CHANGE_PASSWORD) stops working.
	TempPasswordExpires *epochSeconds `json:"TempPasswordExpires,omitempty"`
	// FailedAttempts counts consecutive wrong passwords; LockedUntil is the
	// end of the current lockout (see password.go).
	FailedAttempts int           `json:"FailedAttempts,omitempty"`
	LockedUntil    *epochSeconds `json:"LockedUntil,omitempty"`
	// Codes are the pending one-time codes by purpose (codePurpose*).
	Codes map[string]*pendingCode `json:"Codes,omitempty"`
	// IndexKeys are the sign-in index entries last written for the user,
	// so that saveUser and removeUser can drop stale ones.
	IndexKeys []string `json:"IndexKeys,omitempty"`
}

// mfaSettings are a user's MFA settings. The TOTP secret is the
// base32 secret of AssociateSoftwareToken, pending until VerifySoftwareToken
// sets TOTPVerified.
type mfaSettings struct {
	Preferred            string `json:"Preferred,omitempty"` // SMS_MFA | SOFTWARE_TOKEN_MFA | EMAIL_OTP
	SMSEnabled           bool   `json:"SMSEnabled,omitempty"`
	SoftwareTokenEnabled bool   `json:"SoftwareTokenEnabled,omitempty"`
	EmailEnabled         bool   `json:"EmailEnabled,omitempty"`
	TOTPSecret           string `json:"TOTPSecret,omitempty"`
	TOTPVerified         bool   `json:"TOTPVerified,omitempty"`
	TOTPFriendlyName     string `json:"TOTPFriendlyName,omitempty"`
	// WebAuthnEnabled is WebAuthnMfaSettings, passkey MFA (passkeys_mfa.go).
	WebAuthnEnabled bool `json:"WebAuthnEnabled,omitempty"`
}

// pendingCode is a one-time code sent to the user.
type pendingCode struct {
	Code     string       `json:"Code"`
	Expires  epochSeconds `json:"Expires"`
	Failures int          `json:"Failures,omitempty"`
}

// Purposes of pending codes.
const (
	codePurposeSignUp = "SIGN_UP"
	codePurposeForgot = "FORGOT_PASSWORD"
	// codePurposeVerify + attribute name: attribute verification.
	codePurposeVerify = "VERIFY:"
)

// attr returns an attribute's value and whether the user has it.
func (u *user) attr(name string) (string, bool) {
	v, ok := u.Attributes[name]
	return v, ok
}

// setAttr sets an attribute.
func (u *user) setAttr(name, value string) {
	if u.Attributes == nil {
		u.Attributes = map[string]string{}
	}
	u.Attributes[name] = value
}

// deleteAttr removes an attribute.
func (u *user) deleteAttr(name string) { delete(u.Attributes, name) }

// verified reports whether email or phone_number is set and verified.
func (u *user) verified(attr string) bool {
	v, ok := u.Attributes[attr]
	return ok && v != "" && u.Attributes[attr+"_verified"] == "true"
}

// inGroup reports whether the user is a member of group.
func (u *user) inGroup(group string) bool {
	i := sort.SearchStrings(u.Groups, group)
	return i < len(u.Groups) && u.Groups[i] == group
}

// hasPassword reports whether the user has a password verifier.
func (u *user) hasPassword() bool { return len(u.Verifier) > 0 }

// poolConfig is what a pool's settings say about its users.
type poolConfig struct {
	ID string
	// Name is the part of the id after "_", the SRP pool name.
	Name               string
	UsernameAttributes []string // "email", "phone_number"
	AliasAttributes    []string // "email", "phone_number", "preferred_username"
	CaseSensitive      bool
	AutoVerified       []string
	Policy             passwordPolicy
	AdminCreateOnly    bool
	TempPasswordDays   int
	MfaConfiguration   string // OFF | ON | OPTIONAL
	// Model is the stored pool model, for templates and schema.
	Model map[string]any
}

// loadPoolConfig reads a pool's user settings, or Cognito's not-found error.
func loadPoolConfig(tx handler.Tx, poolID string) (*poolConfig, error) {
	pool, err := loadPool(tx, poolID)
	if err != nil {
		return nil, err
	}
	return poolConfigOf(pool), nil
}

// poolConfigOf interprets a stored pool model.
func poolConfigOf(pool map[string]any) *poolConfig {
	id, _ := pool["UserPoolId"].(string)
	_, name, _ := strings.Cut(id, "_")
	cfg := &poolConfig{
		ID:                 id,
		Name:               name,
		UsernameAttributes: stringList(pool["UsernameAttributes"]),
		AliasAttributes:    stringList(pool["AliasAttributes"]),
		AutoVerified:       stringList(pool["AutoVerifiedAttributes"]),
		CaseSensitive:      true, // pools without UsernameConfiguration are case sensitive
		TempPasswordDays:   7,
		MfaConfiguration:   "OFF",
		Model:              pool,
	}
	if uc, ok := pool["UsernameConfiguration"].(map[string]any); ok {
		if b, ok := uc["CaseSensitive"].(bool); ok {
			cfg.CaseSensitive = b
		}
	}
	if s, ok := pool["MfaConfiguration"].(string); ok {
		cfg.MfaConfiguration = s
	}
	cfg.Policy = defaultPasswordPolicy()
	if pol, ok := pool["Policies"].(map[string]any); ok {
		if pp, ok := pol["PasswordPolicy"].(map[string]any); ok {
			cfg.Policy = passwordPolicyOf(pp)
			if d, ok := numberOf(pp["TemporaryPasswordValidityDays"]); ok {
				cfg.TempPasswordDays = d
			}
		}
	}
	if ac, ok := pool["AdminCreateUserConfig"].(map[string]any); ok {
		cfg.AdminCreateOnly, _ = ac["AllowAdminCreateUserOnly"].(bool)
	}
	return cfg
}

// stringList reads a JSON array of strings.
func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, it := range list {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// numberOf reads a JSON number (float64 from a decoded model, or int).
func numberOf(v any) (int, bool) {
	switch n := v.(type) {
	case float64:
		return int(n), true
	case int:
		return n, true
	case int64:
		return int(n), true
	}
	return 0, false
}

// key folds a user name or alias value as the pool compares them.
func (cfg *poolConfig) key(s string) string {
	if cfg.CaseSensitive {
		return s
	}
	return strings.ToLower(s)
}

// userKey is the stored identifier of a user.
func (cfg *poolConfig) userKey(username string) string { return cfg.ID + "|" + cfg.key(username) }

// indexKey is the identifier of a sign-in index entry.
func (cfg *poolConfig) indexKey(attr, value string) string {
	if attr == "sub" {
		return cfg.ID + "|sub|" + value
	}
	return cfg.ID + "|" + attr + "|" + cfg.key(value)
}

// usernameAttribute reports whether attr (email, phone_number) is used as
// the user name.
func (cfg *poolConfig) usernameAttribute(attr string) bool {
	return contains(cfg.UsernameAttributes, attr)
}

// signInAttributes returns the attributes u signs in with besides the user
// name: UsernameAttributes values (verified or not), verified e-mail and
// phone aliases, preferred_username.
func (cfg *poolConfig) signInAttributes(u *user) map[string]string {
	out := map[string]string{}
	for _, a := range cfg.UsernameAttributes {
		if v, ok := u.attr(a); ok && v != "" {
			out[a] = v
		}
	}
	for _, a := range cfg.AliasAttributes {
		v, ok := u.attr(a)
		if !ok || v == "" {
			continue
		}
		if a == "preferred_username" || u.verified(a) {
			out[a] = v
		}
	}
	return out
}

// indexEntry is a sign-in index record.
type indexEntry struct {
	Key string `json:"Key"` // the user's stored identifier
}

// findUser resolves name to a user: the user name, then a sign-in
// attribute value (UsernameAttributes, verified aliases,
// preferred_username), then the sub. (nil, nil) when none matches.
func findUser(tx handler.Tx, cfg *poolConfig, name string) (*user, error) {
	if name == "" {
		return nil, nil
	}
	if u, err := loadUserByKey(tx, cfg.userKey(name)); u != nil || err != nil {
		return u, err
	}
	attrs := append(append([]string{}, cfg.UsernameAttributes...), cfg.AliasAttributes...)
	attrs = append(attrs, "sub")
	for _, a := range attrs {
		var e indexEntry
		found, err := getJSON(tx, typeUserIndex, cfg.indexKey(a, name), &e)
		if err != nil {
			return nil, err
		}
		if found {
			return loadUserByKey(tx, e.Key)
		}
	}
	return nil, nil
}

// userNotFound is Cognito's UserNotFoundException.
func userNotFound() *APIError { return apiErrorf(typeUserNotFound, "User does not exist.") }

// getUser is findUser, failing with UserNotFoundException.
func getUser(tx handler.Tx, cfg *poolConfig, name string) (*user, error) {
	u, err := findUser(tx, cfg, name)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, userNotFound()
	}
	return u, nil
}

func loadUserByKey(tx handler.Tx, key string) (*user, error) {
	var u user
	found, err := getJSON(tx, typeUser, key, &u)
	if err != nil || !found {
		return nil, err
	}
	return &u, nil
}

// aliasOwner returns the user other than self whose sign-in attribute attr
// has value, or nil.
func aliasOwner(tx handler.Tx, cfg *poolConfig, attr, value string, self *user) (*user, error) {
	var e indexEntry
	found, err := getJSON(tx, typeUserIndex, cfg.indexKey(attr, value), &e)
	if err != nil || !found {
		return nil, err
	}
	if self != nil && e.Key == cfg.userKey(self.Username) {
		return nil, nil
	}
	return loadUserByKey(tx, e.Key)
}

// saveUser stores u and rewrites its sign-in index entries. Modified
// becomes env.Now.
func saveUser(env handler.Env, tx handler.Tx, cfg *poolConfig, u *user) error {
	u.Modified = epochSeconds(env.Now)
	key := cfg.userKey(u.Username)
	want := map[string]bool{cfg.indexKey("sub", u.Sub): true}
	for a, v := range cfg.signInAttributes(u) {
		want[cfg.indexKey(a, v)] = true
	}
	for _, k := range u.IndexKeys {
		if !want[k] {
			if err := dropIndexIfMine(tx, k, key); err != nil {
				return err
			}
		}
	}
	u.IndexKeys = u.IndexKeys[:0]
	for k := range want {
		if err := putJSON(tx, typeUserIndex, k, indexEntry{Key: key}); err != nil {
			return err
		}
		u.IndexKeys = append(u.IndexKeys, k)
	}
	sort.Strings(u.IndexKeys)
	return putJSON(tx, typeUser, key, u)
}

// dropIndexIfMine deletes an index entry unless it now names another user
// (an alias moved to someone else).
func dropIndexIfMine(tx handler.Tx, indexKey, userKey string) error {
	var e indexEntry
	found, err := getJSON(tx, typeUserIndex, indexKey, &e)
	if err != nil || !found || e.Key != userKey {
		return err
	}
	return deleteIfPresent(tx, typeUserIndex, indexKey)
}

// removeUser deletes u and its index entries.
func removeUser(tx handler.Tx, cfg *poolConfig, u *user) error {
	key := cfg.userKey(u.Username)
	if err := forgetUserDevices(tx, cfg.ID, u.Sub); err != nil {
		return err
	}
	for _, k := range u.IndexKeys {
		if err := dropIndexIfMine(tx, k, key); err != nil {
			return err
		}
	}
	if err := forgetWebAuthn(tx, u); err != nil {
		return err
	}
	if err := deleteUserEvents(tx, cfg.ID, u.Sub); err != nil {
		return err
	}
	return deleteIfPresent(tx, typeUser, key)
}

// listUsers returns a pool's users in stored-key order.
func listUsers(tx handler.Tx, poolID string) ([]*user, error) {
	recs, err := tx.List(typeUser, poolID+"|")
	if err != nil {
		return nil, fmt.Errorf("list users of %s: %w", poolID, err)
	}
	out := make([]*user, 0, len(recs))
	for _, r := range recs {
		var u user
		if err := decodeRaw(r.Model, &u); err != nil {
			return nil, err
		}
		out = append(out, &u)
	}
	return out, nil
}

// deletePoolUsers removes every user, index entry and message of a pool
// (its deletion).
func deletePoolUsers(tx handler.Tx, poolID string) error {
	for _, typ := range []string{typeUser, typeUserIndex, typeMessage, typeWebAuthnCredential, typeWebAuthnRegistration} {
		recs, err := tx.List(typ, poolID+"|")
		if err != nil {
			return fmt.Errorf("list %s of %s: %w", typ, poolID, err)
		}
		for _, r := range recs {
			if err := tx.Delete(typ, r.Identifier); err != nil {
				return fmt.Errorf("delete %s %s: %w", typ, r.Identifier, err)
			}
		}
	}
	return nil
}

// removeGroupMembers takes group out of every user of the pool (its deletion).
func removeGroupMembers(tx handler.Tx, poolID, group string) error {
	users, err := listUsers(tx, poolID)
	if err != nil {
		return err
	}
	var cfg *poolConfig
	for _, u := range users {
		if !u.inGroup(group) {
			continue
		}
		if cfg == nil {
			if cfg, err = loadPoolConfig(tx, poolID); err != nil {
				return err
			}
		}
		u.Groups = removeString(u.Groups, group)
		if err := putJSON(tx, typeUser, cfg.userKey(u.Username), u); err != nil {
			return err
		}
	}
	return nil
}

func removeString(list []string, s string) []string {
	out := list[:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// addString inserts s into a sorted list.
func addString(list []string, s string) []string {
	i := sort.SearchStrings(list, s)
	if i < len(list) && list[i] == s {
		return list
	}
	list = append(list, "")
	copy(list[i+1:], list[i:])
	list[i] = s
	return list
}

// newUser returns an unsaved user with a fresh sub.
func newUser(env handler.Env, cfg *poolConfig, username string) (*user, error) {
	sub := requestID(env.Rand)
	if env.Rand != nil {
		// requestID swallows read errors; a sub must be unique.
		if sub == "00000000-0000-4000-8000-000000000000" {
			return nil, fmt.Errorf("generate sub: random source failed")
		}
	}
	if len(cfg.UsernameAttributes) > 0 {
		username = sub
	}
	now := epochSeconds(env.Now)
	return &user{
		PoolID:     cfg.ID,
		Username:   username,
		Sub:        sub,
		Attributes: map[string]string{"sub": sub},
		Enabled:    true,
		Created:    now,
		Modified:   now,
	}, nil
}

// expired reports whether t is set and not after now.
func expired(t *epochSeconds, now time.Time) bool {
	return t != nil && !time.Time(*t).After(now)
}
