package cognito

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/ccql/ccql/emulator/internal/totp"
	"github.com/ccql/ccql/internal/handler"
)

// The hosted UI's sign-in, on the users' own checks (user.go, password.go):
// the same user resolution (user name, e-mail/phone user names, aliases),
// the same status checks and messages, the same lockout bookkeeping as the
// JSON API's password flows. Then the challenges the classic hosted UI
// shows as pages: NEW_PASSWORD_REQUIRED (a change-password page, with the
// required attributes the user lacks) and SOFTWARE_TOKEN_MFA (a code
// page). A challenge's session lives in memory for the client's
// AuthSessionValidity and is single use, as the API's Session is.

// signInStep is where a sign-in stands: signed in (user), or a challenge to
// answer on the next page.
type signInStep struct {
	user      *signedInUser
	challenge string
	session   string
	username  string
	required  []string // NEW_PASSWORD_REQUIRED: attributes to fill in
	secret    string   // MFA_SETUP: the new authenticator's base32 secret
}

// Challenges the hosted UI shows.
const (
	challengeNewPassword = "NEW_PASSWORD_REQUIRED"
	challengeTOTP        = "SOFTWARE_TOKEN_MFA"
	challengeMFASetup    = "MFA_SETUP"
)

// pendingChallenge is an open challenge of a hosted UI sign-in.
type pendingChallenge struct {
	ref       poolRef
	clientID  string
	username  string // the internal user name
	challenge string
	codeHash  string // SHA-256 (hex) of an SMS or e-mail code sent
	secret    string // MFA_SETUP: the TOTP secret shown to the user
	expires   time.Time
}

// Messages of the challenges (reference 4.3).
const (
	msgSessionExpired  = "Invalid session for the user, session is expired."
	msgCodeMismatchMFA = "Invalid code received for user"
)

// passwordSignIn checks a user name and password as the JSON API's
// password flows do, and returns the signed-in user or the first challenge.
func (o *OAuth) passwordSignIn(r *http.Request, a *authzRequest, username, password string) (*signInStep, error) {
	var step *signInStep
	err := o.update(r, func(scope Scope) error {
		tx, env := a.ref.tx(scope), o.envOf(a.ref)
		cfg, err := loadPoolConfig(tx, a.ref.poolID)
		if err != nil {
			return err
		}
		u, err := findUser(tx, cfg, username)
		if err != nil {
			return err
		}
		if u == nil {
			if a.client.PreventUserExistenceErrors == "ENABLED" {
				return apiErrorf(typeNotAuthorized, msgIncorrectPassword)
			}
			return userNotFound()
		}
		if err := checkPassword(env, tx, cfg, u, password); err != nil {
			return err
		}
		step, err = o.nextStep(env, tx, cfg, a, u, false)
		return err
	})
	return step, err
}

// nextStep decides what follows a correct password, with the API
// sign-in's rules (signin_flows.go): a new password for a user with a
// temporary one; then the second factor the pool and the user call for
// (the preferred one, else the only one, else the first; a code for SMS
// and e-mail goes to the outbox); else the sign-in is complete.
func (o *OAuth) nextStep(env handler.Env, tx handler.Tx, cfg *poolConfig, a *authzRequest, u *user, afterNewPassword bool) (*signInStep, error) {
	f := &flow{env: env, tx: tx, cfg: cfg, client: a.client}
	p := &pendingChallenge{ref: a.ref, clientID: a.client.ClientId, username: u.Username}
	step := &signInStep{username: u.Username}
	switch methods := f.userMFAs(u); {
	case u.Status == statusForceChangePassword && !afterNewPassword:
		p.challenge = challengeNewPassword
		for _, r := range f.missingRequired(u, nil) {
			step.required = append(step.required, strings.TrimPrefix(r, "userAttributes."))
		}
	case cfg.MfaConfiguration == "OFF" || cfg.MfaConfiguration == "":
	case len(methods) == 0 && cfg.MfaConfiguration == "ON":
		p.challenge = challengeMFASetup
	case len(methods) == 0:
	case contains(methods, u.MFA.Preferred):
		p.challenge = u.MFA.Preferred
	default:
		p.challenge = methods[0]
	}
	if p.challenge == "" {
		return &signInStep{user: &signedInUser{Username: u.Username, AuthTime: env.Now.Unix()}}, nil
	}
	if p.challenge == challengeMFASetup {
		// The pool requires MFA and the user has none: set up an
		// authenticator app, as AWS's page offers.
		secret, err := totp.NewSecret(env.Rand)
		if err != nil {
			return nil, err
		}
		p.secret, step.secret = secret, secret
	}
	if p.challenge == chSMSMFA || p.challenge == chEmailOTP {
		var s authSession
		if _, err := f.sendOTP(u, &s, p.challenge); err != nil {
			return nil, err
		}
		p.codeHash = s.CodeHash
	}
	validity := time.Duration(max(a.client.AuthSessionValidity, DefaultAuthSessionValidity)) * time.Minute
	id, err := o.putChallenge(p, validity)
	if err != nil {
		return nil, err
	}
	step.challenge, step.session = p.challenge, id
	return step, nil
}

// respondChallenge answers a challenge of a sign-in in progress.
func (o *OAuth) respondChallenge(r *http.Request, a *authzRequest, challenge, session, username string, answers map[string]string) (*signInStep, error) {
	p := o.takeChallenge(session)
	if p == nil || p.ref != a.ref || p.clientID != a.client.ClientId || p.challenge != challenge || p.username != username {
		return nil, apiErrorf(typeNotAuthorized, msgSessionExpired)
	}
	var step *signInStep
	err := o.update(r, func(scope Scope) error {
		tx, env := a.ref.tx(scope), o.envOf(a.ref)
		cfg, err := loadPoolConfig(tx, a.ref.poolID)
		if err != nil {
			return err
		}
		u, err := getUser(tx, cfg, p.username)
		if err != nil {
			return err
		}
		if err := checkSignInAllowed(env, u); err != nil {
			return err
		}
		switch challenge {
		case challengeNewPassword:
			// The API's rules for NEW_PASSWORD_REQUIRED (signin_flows.go):
			// required attributes, the client's WriteAttributes, the schema.
			given := map[string]string{}
			for k, v := range answers {
				if name, ok := cutAttrAnswer(k); ok && v != "" {
					given[name] = v
				}
			}
			if missing := (&flow{cfg: cfg}).missingRequired(u, given); len(missing) > 0 {
				return invalidParameter("Invalid attributes given, %s is missing", strings.TrimPrefix(missing[0], "userAttributes."))
			}
			names := make([]string, 0, len(given))
			for k := range given {
				names = append(names, k)
			}
			sort.Strings(names)
			if err := checkWritable(a.client, names); err != nil {
				return err
			}
			for _, k := range names {
				_, has := u.attr(k)
				if err := applyAttributes(cfg, u, []attributeType{{Name: &k, Value: ptr(given[k])}}, !has); err != nil {
					return err
				}
			}
			if err := setPassword(env, cfg, u, answers["NEW_PASSWORD"], true); err != nil {
				return err
			}
			if err := saveUser(env, tx, cfg, u); err != nil {
				return err
			}
			step, err = o.nextStep(env, tx, cfg, a, u, true)
			return err
		case challengeTOTP:
			key, err := totp.DecodeSecret(u.MFA.TOTPSecret)
			if err != nil {
				return err
			}
			if _, ok := totp.Validate(key, answers["SOFTWARE_TOKEN_MFA_CODE"], env.Now); !ok {
				return apiErrorf(typeCodeMismatch, msgCodeMismatchMFA)
			}
		case challengeMFASetup:
			key, err := totp.DecodeSecret(p.secret)
			if err != nil {
				return err
			}
			if _, ok := totp.Validate(key, answers["SOFTWARE_TOKEN_MFA_CODE"], env.Now); !ok {
				return apiErrorf(typeCodeMismatch, msgCodeMismatchMFA)
			}
			u.MFA.TOTPSecret, u.MFA.TOTPVerified, u.MFA.SoftwareTokenEnabled = p.secret, true, true
			if u.MFA.Preferred == "" {
				u.MFA.Preferred = challengeTOTP
			}
			if err := saveUser(env, tx, cfg, u); err != nil {
				return err
			}
		case chSMSMFA, chEmailOTP:
			code := answers["SMS_MFA_CODE"] + answers["EMAIL_OTP_CODE"]
			sum := sha256.Sum256([]byte(code))
			if p.codeHash == "" || subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(p.codeHash)) != 1 {
				return apiErrorf(typeCodeMismatch, msgCodeMismatchMFA)
			}
		default:
			return invalidParameter("The %s challenge is not supported by the emulated hosted UI.", challenge)
		}
		step = &signInStep{user: &signedInUser{Username: u.Username, AuthTime: env.Now.Unix()}}
		return nil
	})
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Type != typeNotAuthorized {
			// The challenge stays open for another try, as on AWS's pages.
			o.reopenChallenge(session, p)
		}
		return nil, err
	}
	return step, nil
}

func cutAttrAnswer(k string) (string, bool) {
	const prefix = "userAttributes."
	if len(k) > len(prefix) && k[:len(prefix)] == prefix {
		return k[len(prefix):], true
	}
	return "", false
}

func (o *OAuth) putChallenge(p *pendingChallenge, validity time.Duration) (string, error) {
	id, err := o.newSecret()
	if err != nil {
		return "", err
	}
	now := o.cfg.Now()
	p.expires = now.Add(validity)
	h := &o.hosted
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sweep(now)
	if h.challenges == nil {
		h.challenges = map[string]*pendingChallenge{}
	}
	h.challenges[id] = p
	return id, nil
}

// takeChallenge returns and forgets an open challenge: a session is used
// once.
func (o *OAuth) takeChallenge(id string) *pendingChallenge {
	h := &o.hosted
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.challenges[id]
	delete(h.challenges, id)
	if p == nil || o.cfg.Now().After(p.expires) {
		return nil
	}
	return p
}

func (o *OAuth) reopenChallenge(id string, p *pendingChallenge) {
	h := &o.hosted
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.challenges == nil {
		h.challenges = map[string]*pendingChallenge{}
	}
	h.challenges[id] = p
}

// scopeAttributes are the attributes the standard scopes release (OIDC
// Core 5.4); profile releases the profile claims and custom attributes.
var scopeAttributes = map[string][]string{
	"email": {"email", "email_verified"},
	"phone": {"phone_number", "phone_number_verified"},
	"profile": {
		"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile",
		"picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at", "address",
	},
}

// checkScopeReadable refuses scopes whose attributes the client may not
// all read: Cognito's token endpoint answers invalid_grant when, say, the
// client reads email but not email_verified (reference B3).
func checkScopeReadable(c *clientModel, scopes []string) *tokenError {
	if len(c.ReadAttributes) == 0 {
		return nil
	}
	for _, s := range []string{"email", "phone"} {
		if !contains(scopes, s) {
			continue
		}
		for _, a := range scopeAttributes[s] {
			if !contains(c.ReadAttributes, a) {
				return oauthError(ErrCodeInvalidGrant)
			}
		}
	}
	return nil
}

// userTokens issues a signed-in user's tokens for a client through the
// domain, with the sign-in's token issuer: access token with the granted
// scopes (version 2), ID token only with openid (nonce, at_hash), refresh
// token when withRefresh (never for the implicit grant).
func (o *OAuth) userTokens(r *http.Request, ref poolRef, client *clientModel, who signedInUser, scopes []string, nonce string, withRefresh bool) (*userTokens, error) {
	if terr := checkScopeReadable(client, scopes); terr != nil {
		return nil, terr
	}
	keys, err := o.poolKeysFor(r.Context(), ref, nil)
	if err != nil {
		return nil, err
	}
	var out *issuedTokens
	err = o.update(r, func(scope Scope) error {
		tx, env := ref.tx(scope), o.envOf(ref)
		cfg, err := loadPoolConfig(tx, ref.poolID)
		if err != nil {
			return err
		}
		u, err := findUser(tx, cfg, who.Username)
		if err != nil {
			return err
		}
		if u == nil || !u.Enabled {
			return oauthError(ErrCodeInvalidGrant)
		}
		tu, err := tokenUserOf(tx, ref.poolID, u)
		if err != nil {
			return err
		}
		out, err = issueTokens(env, tx, keys, tokenGrant{
			PoolID: ref.poolID, Region: ref.region, Issuer: o.refIssuer(r, ref),
			Client: client, User: tu, AuthTime: who.AuthTime, Scopes: scopes,
			IDToken: hasOpenID(scopes), Refresh: withRefresh, Nonce: nonce, AtHash: true, Version: 2,
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &userTokens{IDToken: out.IDToken, AccessToken: out.AccessToken, RefreshToken: out.RefreshToken, ExpiresIn: out.ExpiresIn}, nil
}

// refreshUserTokens runs the refresh_token grant: new access and ID
// tokens of the refresh token's family (its scopes, its auth_time), and a
// new refresh token only when the client rotates them. A refresh token
// that is unknown, of another client, expired or revoked is invalid_grant.
func (o *OAuth) refreshUserTokens(r *http.Request, ref poolRef, client *clientModel, token string) (*userTokens, error) {
	keys, err := o.poolKeysFor(r.Context(), ref, nil)
	if err != nil {
		return nil, err
	}
	var out *issuedTokens
	err = o.update(r, func(scope Scope) error {
		tx, env := ref.tx(scope), o.envOf(ref)
		fam, _, err := findRefresh(env, tx, ref.poolID, client.ClientId, token)
		var ae *APIError
		if errors.As(err, &ae) {
			return oauthError(ErrCodeInvalidGrant)
		}
		if err != nil {
			return err
		}
		cfg, err := loadPoolConfig(tx, ref.poolID)
		if err != nil {
			return err
		}
		u, err := findUser(tx, cfg, fam.Username)
		if err != nil {
			return err
		}
		if u == nil || !u.Enabled || u.Sub != fam.Sub {
			return oauthError(ErrCodeInvalidGrant)
		}
		tu, err := tokenUserOf(tx, ref.poolID, u)
		if err != nil {
			return err
		}
		scopes := fam.Scopes
		idToken := fam.IDToken
		if scopes == nil {
			// A refresh token from the API sign-in: the admin scope and an
			// ID token, as InitiateAuth's refresh gives.
			idToken = true
		}
		out, err = issueTokens(env, tx, keys, tokenGrant{
			PoolID: ref.poolID, Region: ref.region, Issuer: o.refIssuer(r, ref),
			Client: client, User: tu, AuthTime: fam.AuthTime, Scopes: scopes, IDToken: idToken,
			Refresh: rotationEnabled(client), AtHash: scopes != nil, Version: fam.Version, Family: fam,
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &userTokens{IDToken: out.IDToken, AccessToken: out.AccessToken, RefreshToken: out.RefreshToken, ExpiresIn: out.ExpiresIn}, nil
}

// userInfo answers the attributes an access token may read: the token
// must be the pool's, live and carry openid; the attributes are those of
// the granted scopes (all of them with openid alone) that the client's
// ReadAttributes allow, as the strings the API carries.
func (o *OAuth) userInfo(r *http.Request, loc locator, token string) (map[string]any, error) {
	var ref poolRef
	if err := o.cfg.Store.View(r.Context(), func(scope Scope) error {
		var err error
		ref, err = loc.locate(scope, o.cfg.Accounts)
		return err
	}); err != nil {
		return nil, err
	}
	if _, err := o.poolKeysFor(r.Context(), ref, nil); err != nil {
		return nil, err
	}
	var info map[string]any
	err := o.cfg.Store.View(r.Context(), func(scope Scope) error {
		tx, env := ref.tx(scope), o.envOf(ref)
		ri := requestInfo{rt: o.runtime, r: r}
		at, err := verifyAccessToken(ri, env, tx, token, "openid")
		var ae *APIError
		if errors.As(err, &ae) {
			return oauthError("invalid_token")
		}
		if err != nil {
			return err
		}
		if at.poolID != ref.poolID {
			return oauthError("invalid_token")
		}
		cfg, err := loadPoolConfig(tx, ref.poolID)
		if err != nil {
			return err
		}
		u, err := findUser(tx, cfg, at.claims.Username)
		if err != nil {
			return err
		}
		if u == nil || !u.Enabled {
			return oauthError("invalid_token")
		}
		client, err := loadClient(tx, ref.poolID, at.claims.ClientID)
		if err != nil {
			return oauthError("invalid_token")
		}
		info = userInfoClaims(client, u, strings.Fields(at.claims.Scope))
		return nil
	})
	return info, err
}

// userInfoClaims filters u's attributes by scopes and the client's
// ReadAttributes.
func userInfoClaims(c *clientModel, u *user, scopes []string) map[string]any {
	released := map[string]bool{}
	all := true
	for s, attrs := range scopeAttributes {
		if contains(scopes, s) {
			all = false
			for _, a := range attrs {
				released[a] = true
			}
		}
	}
	info := map[string]any{"sub": u.Sub, "username": u.Username}
	for name, value := range u.Attributes {
		if name == "sub" || (len(c.ReadAttributes) > 0 && !contains(c.ReadAttributes, name)) {
			continue
		}
		if all || released[name] || (contains(scopes, "profile") && (strings.HasPrefix(name, "custom:") || name == "identities")) {
			info[name] = value
		}
	}
	return info
}

// revoke revokes a refresh token of the client (and every token issued
// with it). Unknown, foreign and already revoked tokens are answered as
// revoked, as AWS does.
func (o *OAuth) revoke(r *http.Request, loc locator, req *tokenRequest, token string) error {
	return o.update(r, func(scope Scope) error {
		ref, err := loc.locate(scope, o.cfg.Accounts)
		if err != nil {
			return err
		}
		tx, env := ref.tx(scope), o.envOf(ref)
		client, err := loadClient(tx, ref.poolID, req.clientID)
		if isNotFound(err) {
			return &tokenError{status: http.StatusUnauthorized, code: ErrCodeInvalidClient}
		}
		if err != nil {
			return err
		}
		if authenticate(client, req) != nil {
			return &tokenError{status: http.StatusUnauthorized, code: ErrCodeInvalidClient}
		}
		if token == "" || !client.EnableTokenRevocation {
			return oauthError(ErrCodeInvalidRequest)
		}
		if strings.Count(token, ".") == 2 {
			return oauthError("unsupported_token_type") // a JWT: access or ID token
		}
		fam, _, err := findRefresh(env, tx, ref.poolID, client.ClientId, token)
		var ae *APIError
		if errors.As(err, &ae) {
			return nil
		}
		if err != nil {
			return err
		}
		fam.Revoked = true
		return putJSON(tx, typeTokenFamily, familyKey(ref.poolID, fam.EventID), fam)
	})
}

// challengeSecret returns the TOTP secret of an open MFA_SETUP step, to
// show again after a wrong code.
func (o *OAuth) challengeSecret(id string) string {
	h := &o.hosted
	h.mu.Lock()
	defer h.mu.Unlock()
	if p := h.challenges[id]; p != nil {
		return p.secret
	}
	return ""
}
