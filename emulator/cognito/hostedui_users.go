package cognito

import (
	"errors"
	"net/http"
	"sort"
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
		step, err = o.nextStep(env, cfg, a, u)
		return err
	})
	return step, err
}

// nextStep decides what follows a correct password: a new password for a
// user with a temporary one, then TOTP MFA when the pool asks for it and
// the user has an authenticator, else the sign-in is complete.
func (o *OAuth) nextStep(env handler.Env, cfg *poolConfig, a *authzRequest, u *user) (*signInStep, error) {
	challenge := ""
	switch {
	case u.Status == statusForceChangePassword:
		challenge = challengeNewPassword
	case cfg.MfaConfiguration == "OFF":
	case u.MFA.TOTPVerified && (cfg.MfaConfiguration == "ON" || u.MFA.SoftwareTokenEnabled || u.MFA.Preferred == challengeTOTP):
		challenge = challengeTOTP
	case cfg.MfaConfiguration == "ON":
		challenge = challengeMFASetup
	}
	if challenge == "" {
		return &signInStep{user: &signedInUser{Username: u.Username, AuthTime: env.Now.Unix()}}, nil
	}
	step := &signInStep{challenge: challenge, username: u.Username}
	if challenge == challengeNewPassword {
		step.required = missingRequired(cfg, u)
	}
	validity := time.Duration(max(a.client.AuthSessionValidity, DefaultAuthSessionValidity)) * time.Minute
	id, err := o.putChallenge(&pendingChallenge{ref: a.ref, clientID: a.client.ClientId, username: u.Username, challenge: challenge}, validity)
	if err != nil {
		return nil, err
	}
	step.session = id
	return step, nil
}

// missingRequired lists the pool's required attributes the user lacks.
func missingRequired(cfg *poolConfig, u *user) []string {
	var out []string
	for _, a := range schemaOf(cfg.Model) {
		name, _ := a["Name"].(string)
		if req, _ := a["Required"].(bool); req && name != "" && name != "sub" {
			if _, ok := u.attr(name); !ok {
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out
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
			for k, v := range answers {
				if name, ok := cutAttrAnswer(k); ok {
					u.setAttr(name, v)
				}
			}
			if missing := missingRequired(cfg, u); len(missing) > 0 {
				return invalidParameter("Missing required attribute %s", missing[0])
			}
			if err := setPassword(env, cfg, u, answers["NEW_PASSWORD"], true); err != nil {
				return err
			}
			if err := saveUser(env, tx, cfg, u); err != nil {
				return err
			}
		case challengeTOTP:
			key, err := totp.DecodeSecret(u.MFA.TOTPSecret)
			if err != nil {
				return err
			}
			if _, ok := totp.Validate(key, answers["SOFTWARE_TOKEN_MFA_CODE"], env.Now); !ok {
				return apiErrorf(typeCodeMismatch, msgCodeMismatchMFA)
			}
		default:
			return invalidParameter("The %s challenge is not supported by the emulated hosted UI.", challenge)
		}
		step, err = o.nextStepAfter(env, cfg, a, u, challenge)
		return err
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

// nextStepAfter is nextStep once challenge is answered: MFA still follows
// a new password; nothing follows MFA.
func (o *OAuth) nextStepAfter(env handler.Env, cfg *poolConfig, a *authzRequest, u *user, answered string) (*signInStep, error) {
	if answered == challengeTOTP {
		return &signInStep{user: &signedInUser{Username: u.Username, AuthTime: env.Now.Unix()}}, nil
	}
	return o.nextStep(env, cfg, a, u)
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

// errNoSignIn means this build has no token issuer for user sign-ins.
var errNoSignIn = errors.New("user token issuance is not available in this build")

// userTokens issues a signed-in user's tokens for a client through the
// domain: access token with the granted scopes, ID token only with openid
// (nonce, at_hash), refresh token when withRefresh.
func (o *OAuth) userTokens(r *http.Request, ref poolRef, client *clientModel, user signedInUser, scopes []string, nonce string, withRefresh bool) (*userTokens, error) {
	_, _, _, _, _, _, _ = r, ref, client, user, scopes, nonce, withRefresh
	return nil, errNoSignIn
}

// refreshUserTokens runs the refresh_token grant.
func (o *OAuth) refreshUserTokens(r *http.Request, ref poolRef, client *clientModel, token string) (*userTokens, error) {
	_, _, _, _ = r, ref, client, token
	return nil, oauthError(ErrCodeInvalidGrant)
}

// userInfo answers the attributes an access token may read.
func (o *OAuth) userInfo(r *http.Request, loc locator, token string) (map[string]any, error) {
	_, _, _ = r, loc, token
	return nil, oauthError("invalid_token")
}

// revoke revokes a refresh token of the client.
func (o *OAuth) revoke(r *http.Request, loc locator, req *tokenRequest, token string) error {
	_, _, _, _ = r, loc, req, token
	return errNoSignIn
}
