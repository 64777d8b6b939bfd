package cognito

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/ccql/ccql/internal/handler"
)

// The token endpoint, POST /oauth2/token (reference B3).

// OAuth 2.0 error codes of the token endpoint.
const (
	ErrCodeInvalidRequest       = "invalid_request"
	ErrCodeInvalidClient        = "invalid_client"
	ErrCodeInvalidGrant         = "invalid_grant"
	ErrCodeUnauthorizedClient   = "unauthorized_client"
	ErrCodeUnsupportedGrantType = "unsupported_grant_type"
	ErrCodeInvalidScope         = "invalid_scope"
)

// Grant types Cognito's token endpoint knows.
const (
	grantClientCredentials = "client_credentials"
	grantAuthorizationCode = "authorization_code"
	grantRefreshToken      = "refresh_token"
)

// tokenError is an answer {"error": code} with an HTTP status.
type tokenError struct {
	status int
	code   string
}

func (e *tokenError) Error() string { return e.code }

func oauthError(code string) *tokenError {
	return &tokenError{status: http.StatusBadRequest, code: code}
}

// tokenResponse is the client_credentials answer: exactly these three
// members (no id token, no refresh token, no scope).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
	TokenType   string `json:"token_type"`
}

// tokenRequest is a parsed token request.
type tokenRequest struct {
	grantType   string
	clientID    string
	secret      string
	hasSecret   bool
	scope       string
	hasScope    bool
	code        string
	redirectURI string
	refresh     string
	verifier    string // PKCE code_verifier
}

// setTokenHeaders sets the headers Cognito sends with every token answer.
func setTokenHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
	h.Set("Pragma", "no-cache")
	h.Set("Expires", "0")
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("x-amz-cognito-request-id", uuid.NewString())
}

func (o *OAuth) writeTokenError(w http.ResponseWriter, e *tokenError) {
	status := e.status
	if e.code == ErrCodeInvalidClient {
		status = o.cfg.InvalidClientStatus
		if status == http.StatusUnauthorized {
			// RFC 6749 §5.2: a 401 names the authentication scheme.
			w.Header().Set("WWW-Authenticate", `Basic realm="cognito"`)
		}
	}
	writeJSON(w, status, map[string]string{"error": e.code})
}

// serveToken answers a token request for the pool loc finds.
func (o *OAuth) serveToken(w http.ResponseWriter, r *http.Request, loc locator) {
	setTokenHeaders(w)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct != "" && err != nil {
		// A Content-Type Cognito cannot parse (e.g. sent with literal
		// quotes) gets 405 with an empty body (reference B0).
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if mt != "application/x-www-form-urlencoded" {
		o.writeTokenError(w, oauthError(ErrCodeInvalidRequest))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		o.writeTokenError(w, oauthError(ErrCodeInvalidRequest))
		return
	}
	req, terr := parseTokenRequest(r)
	if terr != nil {
		o.writeTokenError(w, terr)
		return
	}
	body, err := o.issue(r, loc, req)
	var te *tokenError
	switch {
	case errors.Is(err, errNoPool):
		notFound(w, loc)
	case errors.As(err, &te):
		o.writeTokenError(w, te)
	case err != nil:
		o.internalError(w, r, err, map[string]string{"error": "server_error"})
	default:
		writeJSON(w, http.StatusOK, body)
	}
}

// parseTokenRequest reads the parameters (body and query string alike:
// Cognito accepts both) and the client's credentials.
func parseTokenRequest(r *http.Request) (*tokenRequest, *tokenError) {
	for _, k := range []string{"grant_type", "client_id", "client_secret", "scope", "code", "redirect_uri", "refresh_token", "code_verifier"} {
		if len(r.Form[k]) > 1 {
			return nil, oauthError(ErrCodeInvalidRequest) // RFC 6749 §3.2: no repeated parameters
		}
	}
	req := &tokenRequest{
		grantType:   r.Form.Get("grant_type"),
		code:        r.Form.Get("code"),
		redirectURI: r.Form.Get("redirect_uri"),
		refresh:     r.Form.Get("refresh_token"),
		verifier:    r.Form.Get("code_verifier"),
	}
	req.scope, req.hasScope = formValue(r.Form, "scope")
	switch req.grantType {
	case "":
		return nil, oauthError(ErrCodeInvalidRequest)
	case grantClientCredentials, grantAuthorizationCode, grantRefreshToken:
	default:
		return nil, oauthError(ErrCodeUnsupportedGrantType)
	}
	bodyID := r.Form.Get("client_id")
	bodySecret, bodyHasSecret := formValue(r.Form, "client_secret")
	if r.Header.Get("Authorization") == "" {
		req.clientID, req.secret, req.hasSecret = bodyID, bodySecret, bodyHasSecret
	} else {
		// client_secret_basic: the id and secret are form-encoded before
		// being joined (RFC 6749 §2.3.1), as golang.org/x/oauth2 sends them.
		id, secret, ok := r.BasicAuth()
		if !ok {
			return nil, oauthError(ErrCodeInvalidClient)
		}
		id, secret = formUnescape(id), formUnescape(secret)
		if (bodyID != "" && bodyID != id) || (bodyHasSecret && bodySecret != secret) {
			return nil, oauthError(ErrCodeInvalidClient)
		}
		req.clientID, req.secret, req.hasSecret = id, secret, true
	}
	if req.clientID == "" {
		return nil, oauthError(ErrCodeInvalidClient)
	}
	return req, nil
}

func formValue(v url.Values, key string) (string, bool) {
	vs, ok := v[key]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

func formUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// issue authenticates the client and runs the grant. Errors are
// *tokenError for OAuth answers, errNoPool, or internal failures.
func (o *OAuth) issue(r *http.Request, loc locator, req *tokenRequest) (any, error) {
	ctx := r.Context()
	var (
		ref     poolRef
		client  *clientModel
		granted []string
		stored  *storedKeys
	)
	err := o.cfg.Store.View(ctx, func(scope Scope) error {
		var err error
		if ref, err = loc.locate(scope, o.cfg.Accounts); err != nil {
			return err
		}
		tx := ref.tx(scope)
		if client, err = loadClient(tx, ref.poolID, req.clientID); err != nil {
			if isNotFound(err) {
				return oauthError(ErrCodeInvalidClient)
			}
			return err
		}
		if err := authenticate(client, req); err != nil {
			return err
		}
		if err := authorize(client, req.grantType); err != nil {
			return err
		}
		if req.grantType != grantClientCredentials {
			return nil // the user grants go on below (hostedui_grants.go)
		}
		if granted, err = grantScopes(tx, ref.poolID, client, req); err != nil {
			return err
		}
		if o.keys.get(ref.cacheKey()) == nil {
			stored, err = loadKeys(tx, ref.poolID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if req.grantType != grantClientCredentials {
		return o.userGrant(r, ref, client, req)
	}
	keys, err := o.poolKeysFor(ctx, ref, stored)
	if err != nil {
		return nil, err
	}
	lifetime, _ := seconds(client.AccessTokenValidity, accessUnit(client), "hours", 0, 0)
	jti, err := uuid.NewRandomFromReader(o.cfg.Rand)
	if err != nil {
		return nil, fmt.Errorf("token id: %w", err)
	}
	now := o.cfg.Now().Unix()
	token, err := keys.access.sign(&accessClaims{
		Sub:      client.ClientId,
		TokenUse: "access",
		Scope:    strings.Join(granted, " "),
		AuthTime: now,
		Iss:      o.Issuer(r, ref.region, ref.poolID),
		Exp:      now + int64(lifetime),
		Iat:      now,
		Version:  2,
		Jti:      jti.String(),
		ClientID: client.ClientId,
	})
	if err != nil {
		return nil, err
	}
	o.cfg.Logger.Debug("issued access token", "userPoolId", ref.poolID, "clientId", client.ClientId, "scope", strings.Join(granted, " "))
	return &tokenResponse{AccessToken: token, ExpiresIn: lifetime, TokenType: "Bearer"}, nil
}

func accessUnit(c *clientModel) *string {
	if c.TokenValidityUnits == nil {
		return nil
	}
	return c.TokenValidityUnits.AccessToken
}

// authenticate checks the client's secret: a confidential client must send
// its own, a public client none. The comparison takes constant time.
func authenticate(c *clientModel, req *tokenRequest) *tokenError {
	if c.ClientSecret == "" {
		if req.hasSecret {
			return oauthError(ErrCodeInvalidClient)
		}
		return nil
	}
	if !req.hasSecret || !c.matchesSecret(req.secret) {
		return oauthError(ErrCodeInvalidClient)
	}
	return nil
}

// authorize checks that the client may use grant at the token endpoint.
// With AllowedOAuthFlowsUserPoolClient false, client_credentials is refused
// as invalid_grant, as AWS answers (reference B3, C7); a grant whose flow
// the client does not allow is unauthorized_client (RFC 6749 §5.2; the
// refresh grant needs the code flow, the only flow that issues refresh
// tokens through the domain).
func authorize(c *clientModel, grant string) *tokenError {
	flow := grant
	switch grant {
	case grantAuthorizationCode, grantRefreshToken:
		flow = "code"
	}
	if !c.AllowedOAuthFlowsUserPoolClient {
		if grant == grantClientCredentials {
			return oauthError(ErrCodeInvalidGrant)
		}
		return oauthError(ErrCodeUnauthorizedClient)
	}
	if !contains(c.AllowedOAuthFlows, flow) {
		return oauthError(ErrCodeUnauthorizedClient)
	}
	if grant == grantClientCredentials && c.ClientSecret == "" {
		return oauthError(ErrCodeInvalidClient)
	}
	return nil
}

// grantScopes returns the scopes a client_credentials token carries, in the
// order of the client's AllowedOAuthScopes: the requested ones, each of
// which must be a custom scope the client is allowed and that still exists
// (a resource server may have lost it since), or all the client's custom
// scopes when none is requested. Anything else is invalid_scope, as AWS
// answers today (reference B3).
func grantScopes(tx handler.Tx, poolID string, c *clientModel, req *tokenRequest) ([]string, error) {
	requested := strings.Fields(req.scope)
	want := map[string]bool{}
	for _, s := range requested {
		if !contains(c.AllowedOAuthScopes, s) || contains(standardScopes, s) {
			return nil, oauthError(ErrCodeInvalidScope)
		}
		want[s] = true
	}
	var granted []string
	for _, s := range c.AllowedOAuthScopes {
		if contains(standardScopes, s) || (len(want) > 0 && !want[s]) {
			continue
		}
		ok, err := scopeExists(tx, poolID, s)
		if err != nil {
			return nil, err
		}
		if !ok {
			if want[s] {
				return nil, oauthError(ErrCodeInvalidScope)
			}
			continue // a stale scope the client was given, not asked for
		}
		granted = append(granted, s)
	}
	if len(granted) == 0 {
		return nil, oauthError(ErrCodeInvalidScope)
	}
	return granted, nil
}
