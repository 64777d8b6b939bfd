package cognito

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// The hosted UI's short-lived state: authorization codes (single use, 5
// minutes), sign-in sessions (the "cognito" cookie, 1 hour, renewed on use)
// and federated sign-ins in progress (10 minutes). They live in the serving
// process's memory, not in the store: they are worth minutes, and a restart
// only signs browsers out of the hosted UI (tokens stay valid). Expired
// entries are dropped whenever a new one is added.

const (
	codeLifetime       = 5 * time.Minute
	sessionLifetime    = time.Hour
	federationLifetime = 10 * time.Minute
	sessionCookie      = "cognito"
)

// signedInUser is who completed a sign-in, as codes, sessions and the
// token issuer need it.
type signedInUser struct {
	Username string // the pool's internal user name
	AuthTime int64  // when the user signed in (Unix seconds), kept across refreshes
}

// authCode is an issued authorization code.
type authCode struct {
	ref         poolRef
	clientID    string
	redirectURI string
	scopes      []string
	nonce       string
	challenge   string
	user        signedInUser
	expires     time.Time
}

// hostedSession is a browser's sign-in to one pool's hosted UI.
type hostedSession struct {
	id      string // the cookie's value
	ref     poolRef
	user    signedInUser
	expires time.Time
}

func (s *hostedSession) signedIn() signedInUser { return s.user }

// pendingFederation is an authorize request waiting for an external
// identity provider's answer.
type pendingFederation struct {
	params   url.Values // the original authorize parameters
	ref      poolRef
	base     string
	provider string
	nonce    string
	verifier string // PKCE verifier of the request to the provider
	expires  time.Time
}

// hostedState holds the hosted UI's state of one OAuth handler.
type hostedState struct {
	mu         sync.Mutex
	codes      map[string]*authCode
	sessions   map[string]*hostedSession
	pending    map[string]*pendingFederation
	challenges map[string]*pendingChallenge
}

// newSecret returns 32 random bytes as base64url: codes, session ids,
// federation states.
func (o *OAuth) newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// sweep drops expired entries; mu must be held.
func (h *hostedState) sweep(now time.Time) {
	for k, c := range h.codes {
		if now.After(c.expires) {
			delete(h.codes, k)
		}
	}
	for k, s := range h.sessions {
		if now.After(s.expires) {
			delete(h.sessions, k)
		}
	}
	for k, p := range h.pending {
		if now.After(p.expires) {
			delete(h.pending, k)
		}
	}
	for k, c := range h.challenges {
		if now.After(c.expires) {
			delete(h.challenges, k)
		}
	}
}

func (o *OAuth) putCode(c *authCode) (string, error) {
	code, err := o.newSecret()
	if err != nil {
		return "", err
	}
	now := o.cfg.Now()
	c.expires = now.Add(codeLifetime)
	h := &o.hosted
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sweep(now)
	if h.codes == nil {
		h.codes = map[string]*authCode{}
	}
	h.codes[code] = c
	return code, nil
}

// takeCode returns and forgets a code: a code is used once, whether the
// exchange then succeeds or not (RFC 6749 §4.1.2).
func (o *OAuth) takeCode(code string) *authCode {
	h := &o.hosted
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.codes[code]
	delete(h.codes, code)
	if c == nil || o.cfg.Now().After(c.expires) {
		return nil
	}
	return c
}

// cookiePath is the path the hosted UI's cookies are scoped to: the pool's
// path prefix when it is served under /<poolId>/, so that two pools on one
// host keep separate sessions.
func cookiePath(base string) string { return base + "/" }

// startSession records a sign-in and sets its cookie.
func (o *OAuth) startSession(w http.ResponseWriter, ref poolRef, base string, user signedInUser) error {
	id, err := o.newSecret()
	if err != nil {
		return err
	}
	now := o.cfg.Now()
	h := &o.hosted
	h.mu.Lock()
	h.sweep(now)
	if h.sessions == nil {
		h.sessions = map[string]*hostedSession{}
	}
	h.sessions[id] = &hostedSession{ref: ref, user: user, expires: now.Add(sessionLifetime)}
	h.mu.Unlock()
	setSessionCookie(w, base, id, sessionLifetime)
	return nil
}

func setSessionCookie(w http.ResponseWriter, base, value string, lifetime time.Duration) {
	c := &http.Cookie{
		Name:     sessionCookie,
		Value:    value,
		Path:     cookiePath(base),
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
		MaxAge:   int(lifetime / time.Second),
	}
	if value == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// sessionOf returns the live session the request's cookie names for the
// pool ref, renewing it, or nil.
func (o *OAuth) sessionOf(r *http.Request, ref poolRef, _ string) *hostedSession {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	now := o.cfg.Now()
	h := &o.hosted
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.sessions[c.Value]
	if s == nil || s.ref != ref || now.After(s.expires) {
		return nil
	}
	s.expires = now.Add(sessionLifetime)
	s.id = c.Value
	return s
}

// endSession forgets the request's session and clears its cookie.
func (o *OAuth) endSession(w http.ResponseWriter, r *http.Request, base string) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		h := &o.hosted
		h.mu.Lock()
		delete(h.sessions, c.Value)
		h.mu.Unlock()
	}
	setSessionCookie(w, base, "", 0)
}

func (o *OAuth) putPending(p *pendingFederation) (string, error) {
	id, err := o.newSecret()
	if err != nil {
		return "", err
	}
	now := o.cfg.Now()
	p.expires = now.Add(federationLifetime)
	h := &o.hosted
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sweep(now)
	if h.pending == nil {
		h.pending = map[string]*pendingFederation{}
	}
	h.pending[id] = p
	return id, nil
}

func (o *OAuth) takePending(id string) *pendingFederation {
	h := &o.hosted
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.pending[id]
	delete(h.pending, id)
	if p == nil || o.cfg.Now().After(p.expires) {
		return nil
	}
	return p
}

// completeAuthorize ends a successful authorize request: a code to the
// redirect URI's query, or (implicit) the tokens in its fragment, never a
// refresh token.
func (o *OAuth) completeAuthorize(w http.ResponseWriter, r *http.Request, a *authzRequest, user signedInUser) {
	v := url.Values{}
	if a.hasState {
		v.Set("state", a.state)
	}
	if a.responseType == "code" {
		code, err := o.putCode(&authCode{
			ref: a.ref, clientID: a.client.ClientId, redirectURI: a.redirectURI,
			scopes: a.scopes, nonce: a.nonce, challenge: a.challenge, user: user,
		})
		if err != nil {
			o.cfg.Logger.Error("cognito hosted UI: code", "error", err)
			o.refuse(w, r, "", a, redirectError(errCodeServerError, "internal error"))
			return
		}
		v.Set("code", code)
		http.Redirect(w, r, redirectTo(a.redirectURI, v, false), http.StatusFound)
		return
	}
	toks, err := o.userTokens(r, a.ref, a.client, user, a.scopes, a.nonce, false)
	if err != nil {
		o.cfg.Logger.Error("cognito hosted UI: implicit tokens", "error", err)
		o.refuse(w, r, "", a, redirectError(errCodeServerError, "internal error"))
		return
	}
	if toks.IDToken != "" {
		v.Set("id_token", toks.IDToken)
	}
	v.Set("access_token", toks.AccessToken)
	v.Set("token_type", "Bearer")
	v.Set("expires_in", strconv.Itoa(toks.ExpiresIn))
	http.Redirect(w, r, redirectTo(a.redirectURI, v, true), http.StatusFound)
}
