package cognito

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"
)

// The user grants of the token endpoint (authorization_code,
// refresh_token), and the endpoints that take their tokens: userInfo,
// revoke and logout (reference 4.8, B3, B5–B7).

// userTokenResponse is the token endpoint's answer to a user grant:
// id_token only when openid was granted, refresh_token only for the code
// grant (and refreshes of a rotating client).
type userTokenResponse struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	ExpiresIn    int    `json:"expires_in"`
	TokenType    string `json:"token_type"`
}

// userTokens are the tokens of one user sign-in or refresh.
type userTokens struct {
	IDToken, AccessToken, RefreshToken string
	ExpiresIn                          int // access token lifetime, seconds
}

// userGrant runs the authorization_code or refresh_token grant for an
// authenticated client that may use the code flow.
func (o *OAuth) userGrant(r *http.Request, ref poolRef, client *clientModel, req *tokenRequest) (any, error) {
	if req.grantType == grantRefreshToken {
		if req.refresh == "" {
			return nil, oauthError(ErrCodeInvalidRequest)
		}
		toks, err := o.refreshUserTokens(r, ref, client, req.refresh)
		if err != nil {
			return nil, err
		}
		return tokenBody(toks), nil
	}
	if req.code == "" || req.redirectURI == "" {
		return nil, oauthError(ErrCodeInvalidRequest)
	}
	c := o.takeCode(req.code)
	if c == nil || c.ref != ref || c.clientID != client.ClientId {
		return nil, oauthError(ErrCodeInvalidGrant)
	}
	if c.redirectURI != req.redirectURI {
		// AWS answers unauthorized_client, even for a trailing slash
		// (reference B3).
		return nil, oauthError(ErrCodeUnauthorizedClient)
	}
	if c.challenge != "" && !pkceMatches(c.challenge, req.verifier) {
		return nil, oauthError(ErrCodeInvalidGrant)
	}
	toks, err := o.userTokens(r, ref, client, c.user, c.scopes, c.nonce, true)
	if err != nil {
		return nil, err
	}
	return tokenBody(toks), nil
}

func tokenBody(t *userTokens) *userTokenResponse {
	return &userTokenResponse{
		AccessToken: t.AccessToken, IDToken: t.IDToken, RefreshToken: t.RefreshToken,
		ExpiresIn: t.ExpiresIn, TokenType: "Bearer",
	}
}

// pkceMatches reports whether verifier is the S256 code verifier of
// challenge: BASE64URL(SHA256(verifier)) (RFC 7636 §4.6), compared in
// constant time.
func pkceMatches(challenge, verifier string) bool {
	if verifier == "" {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

// hasOpenID reports whether openid was granted: only then is there an ID
// token, and only then may the access token read userInfo.
func hasOpenID(scopes []string) bool { return slices.Contains(scopes, "openid") }

// serveUserInfo answers GET (or POST) /oauth2/userInfo.
func (o *OAuth) serveUserInfo(w http.ResponseWriter, r *http.Request, loc locator) {
	w.Header().Set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	auth := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_request", error_description="Bearer token is required"`)
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": ErrCodeInvalidRequest, "error_description": "Bearer token is required"})
		return
	}
	info, err := o.userInfo(r, loc, strings.TrimSpace(token))
	var te *tokenError
	switch {
	case errors.Is(err, errNoPool):
		notFound(w, loc)
	case errors.As(err, &te):
		const desc = "Access token is expired, disabled, or deleted, or the user has globally signed out."
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+desc+`"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": desc})
	case err != nil:
		o.internalError(w, r, err, map[string]string{"error": "server_error"})
	default:
		writeJSON(w, http.StatusOK, info)
	}
}

// serveRevoke answers POST /oauth2/revoke: 200 with an empty body, also for
// a token that is unknown or already revoked.
func (o *OAuth) serveRevoke(w http.ResponseWriter, r *http.Request, loc locator) {
	setTokenHeaders(w)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		o.writeTokenError(w, oauthError(ErrCodeInvalidRequest))
		return
	}
	req, terr := parseClientAuth(r)
	if terr != nil {
		writeJSON(w, terr.status, map[string]string{"error": terr.code})
		return
	}
	token := r.Form.Get("token")
	err := o.revoke(r, loc, req, token)
	var te *tokenError
	switch {
	case errors.Is(err, errNoPool):
		notFound(w, loc)
	case errors.As(err, &te):
		// The revocation endpoint's invalid_client is 401 (reference B6).
		writeJSON(w, te.status, map[string]string{"error": te.code})
	case err != nil:
		o.internalError(w, r, err, map[string]string{"error": "server_error"})
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// parseClientAuth reads the client's credentials of a revoke request: Basic
// or client_id (+ client_secret) in the form.
func parseClientAuth(r *http.Request) (*tokenRequest, *tokenError) {
	for _, k := range []string{"client_id", "client_secret", "token"} {
		if len(r.Form[k]) > 1 {
			return nil, oauthError(ErrCodeInvalidRequest)
		}
	}
	req := &tokenRequest{}
	bodyID := r.Form.Get("client_id")
	bodySecret, bodyHasSecret := formValue(r.Form, "client_secret")
	if r.Header.Get("Authorization") == "" {
		req.clientID, req.secret, req.hasSecret = bodyID, bodySecret, bodyHasSecret
	} else {
		id, secret, ok := r.BasicAuth()
		if !ok {
			return nil, &tokenError{status: http.StatusUnauthorized, code: ErrCodeInvalidClient}
		}
		id, secret = formUnescape(id), formUnescape(secret)
		if bodyID != "" && bodyID != id {
			return nil, &tokenError{status: http.StatusUnauthorized, code: ErrCodeInvalidClient}
		}
		req.clientID, req.secret, req.hasSecret = id, secret, true
	}
	if req.clientID == "" {
		return nil, oauthError(ErrCodeInvalidRequest)
	}
	return req, nil
}

// s256Challenge is the S256 code_challenge of verifier.
func s256Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
