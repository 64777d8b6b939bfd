package cognito

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/ccql/ccql/internal/handler"
)

// GET /oauth2/authorize (reference 4.8, B4): the request is checked in the
// order that decides where a refusal may go. Until the client and its
// redirect URI are known to be genuine, nothing is sent to the redirect URI:
// the browser goes to the domain's /error page. After that, every refusal
// goes to the redirect URI as ?error=<code>&state=<state>.

// Error codes of the authorize endpoint, besides those of the token endpoint.
const (
	errCodeServerError      = "server_error"
	errCodeRedirectMismatch = "redirect_mismatch" // the /error page's, as AWS shows it
)

// providerCognito is the identity provider of the pool's own users.
const providerCognito = "COGNITO"

// authorizeParams are the parameters of an authorize request that the
// hosted UI carries from page to page (in the query, as Cognito's /login
// does), in the order they are written back.
var authorizeParams = []string{
	"client_id", "response_type", "redirect_uri", "state", "scope",
	"identity_provider", "idp_identifier", "nonce", "code_challenge", "code_challenge_method", "lang",
}

// codeChallengePattern is RFC 7636's code_challenge: 43–128 unreserved
// characters (a base64url SHA-256 is 43).
var codeChallengePattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)
})

// authzRequest is a checked authorize request.
type authzRequest struct {
	ref          poolRef
	client       *clientModel
	responseType string // "code" or "token"
	redirectURI  string // as requested, or the client's DefaultRedirectURI
	state        string
	hasState     bool
	scopes       []string // granted, in the client's AllowedOAuthScopes order
	provider     string   // "" for the pool's own sign-in page
	nonce        string
	challenge    string // PKCE code_challenge (S256), "" without PKCE
	params       url.Values
}

// authzError is a refused authorize request. page means the redirect URI
// cannot be trusted: the browser is shown the domain's error page.
type authzError struct {
	page        bool
	code        string
	description string
}

func (e *authzError) Error() string { return e.code + ": " + e.description }

func pageError(code, format string, args ...any) *authzError {
	return &authzError{page: true, code: code, description: fmt.Sprintf(format, args...)}
}

func redirectError(code, format string, args ...any) *authzError {
	return &authzError{code: code, description: fmt.Sprintf(format, args...)}
}

// singleParams returns the authorize parameters of q, refusing repeated
// ones (RFC 6749 §3.1).
func singleParams(q url.Values) (url.Values, string) {
	out := url.Values{}
	for _, k := range authorizeParams {
		vs := q[k]
		if len(vs) > 1 {
			return out, k
		}
		if len(vs) == 1 {
			out.Set(k, vs[0])
		}
	}
	return out, ""
}

// checkAuthorize checks an authorize request for the pool ref in tx.
// Errors are *authzError, or internal failures.
func checkAuthorize(tx handler.Tx, ref poolRef, q url.Values) (*authzRequest, error) {
	params, repeated := singleParams(q)
	clientID := params.Get("client_id")
	if clientID == "" {
		return nil, pageError(ErrCodeInvalidRequest, "Required String parameter 'client_id' is not present")
	}
	client, err := loadClient(tx, ref.poolID, clientID)
	if isNotFound(err) {
		return nil, pageError(ErrCodeInvalidRequest, "Invalid client_id %s", clientID)
	}
	if err != nil {
		return nil, err
	}
	a := &authzRequest{ref: ref, client: client, params: params}
	a.redirectURI = params.Get("redirect_uri")
	if a.redirectURI == "" {
		a.redirectURI = client.DefaultRedirectURI
	}
	if a.redirectURI == "" || !slices.Contains(client.CallbackURLs, a.redirectURI) {
		return nil, pageError(errCodeRedirectMismatch, "redirect_uri does not match a callback URL of client %s", clientID)
	}
	a.state, a.hasState = formValue(params, "state")
	// From here on the redirect URI is one the client registered.
	if repeated != "" {
		return a, redirectError(ErrCodeInvalidRequest, "parameter %s is repeated", repeated)
	}
	a.responseType = params.Get("response_type")
	var flow string
	switch a.responseType {
	case "code":
		flow = "code"
	case "token":
		flow = "implicit"
	case "":
		return a, redirectError(ErrCodeInvalidRequest, "response_type is required")
	default:
		return a, redirectError(ErrCodeInvalidRequest, "response_type must be code or token")
	}
	method, hasMethod := formValue(params, "code_challenge_method")
	challenge, hasChallenge := formValue(params, "code_challenge")
	switch {
	case hasMethod && method != "S256":
		return a, redirectError(ErrCodeInvalidRequest, "code_challenge_method must be S256")
	case hasChallenge && !hasMethod:
		return a, redirectError(ErrCodeInvalidRequest, "code_challenge requires code_challenge_method")
	case hasMethod && !hasChallenge:
		return a, redirectError(ErrCodeInvalidRequest, "code_challenge_method requires code_challenge")
	case hasChallenge && !codeChallengePattern().MatchString(challenge):
		return a, redirectError(ErrCodeInvalidRequest, "code_challenge is malformed")
	}
	a.challenge = challenge
	if !client.AllowedOAuthFlowsUserPoolClient || !slices.Contains(client.AllowedOAuthFlows, flow) {
		return a, redirectError(ErrCodeUnauthorizedClient, "client %s may not use response_type %s", clientID, a.responseType)
	}
	if a.scopes, err = authorizeScopes(tx, ref.poolID, client, params); err != nil {
		return a, err
	}
	if a.provider, err = authorizeProvider(tx, ref.poolID, client, params); err != nil {
		return a, err
	}
	a.nonce = params.Get("nonce")
	return a, nil
}

// authorizeScopes returns the scopes an authorize request is granted: the
// requested ones, each allowed to the client and still existing, in the
// order of the client's AllowedOAuthScopes; all of them when none is
// requested. email, phone and profile need openid (reference 4.8).
func authorizeScopes(tx handler.Tx, poolID string, c *clientModel, params url.Values) ([]string, error) {
	requested := strings.Fields(params.Get("scope"))
	want := map[string]bool{}
	for _, s := range requested {
		if !slices.Contains(c.AllowedOAuthScopes, s) {
			return nil, redirectError(ErrCodeInvalidScope, "scope %s is not allowed for the client", s)
		}
		want[s] = true
	}
	var granted []string
	for _, s := range c.AllowedOAuthScopes {
		if len(want) > 0 && !want[s] {
			continue
		}
		ok, err := scopeExists(tx, poolID, s)
		if err != nil {
			return nil, err
		}
		if !ok {
			if want[s] {
				return nil, redirectError(ErrCodeInvalidScope, "scope %s does not exist", s)
			}
			continue
		}
		granted = append(granted, s)
	}
	if len(granted) == 0 {
		return nil, redirectError(ErrCodeInvalidScope, "no scope to grant")
	}
	if !slices.Contains(granted, "openid") {
		for _, s := range []string{"email", "phone", "profile"} {
			if slices.Contains(granted, s) {
				return nil, redirectError(ErrCodeInvalidScope, "scope %s requires openid", s)
			}
		}
	}
	return granted, nil
}

// authorizeProvider returns the identity provider an authorize request
// names (identity_provider, or the provider of idp_identifier), "" when it
// names none. It must be one of the client's SupportedIdentityProviders.
func authorizeProvider(tx handler.Tx, poolID string, c *clientModel, params url.Values) (string, error) {
	name := params.Get("identity_provider")
	if ident := params.Get("idp_identifier"); name == "" && ident != "" {
		p, err := providerByIdentifier(tx, poolID, ident)
		if err != nil {
			return "", err
		}
		if p == "" {
			return "", redirectError(ErrCodeInvalidRequest, "no identity provider has the identifier %s", ident)
		}
		name = p
	}
	if name == "" {
		if len(c.SupportedIdentityProviders) == 0 {
			return "", redirectError(ErrCodeUnauthorizedClient, "client %s has no identity provider", c.ClientId)
		}
		return "", nil
	}
	if !slices.Contains(c.SupportedIdentityProviders, name) {
		return "", redirectError(ErrCodeInvalidRequest, "identity provider %s is not enabled for the client", name)
	}
	if name == providerCognito {
		return "", nil
	}
	return name, nil
}

// providerByIdentifier returns the name of the pool's identity provider
// with the identifier ident (case-insensitively), "" when none has it.
func providerByIdentifier(tx handler.Tx, poolID, ident string) (string, error) {
	recs, err := tx.List(typeIdentityProv, poolID+"|")
	if err != nil {
		return "", fmt.Errorf("list identity providers of %s: %w", poolID, err)
	}
	for _, rec := range recs {
		var p struct {
			ProviderName   string   `json:"ProviderName"`
			IdpIdentifiers []string `json:"IdpIdentifiers"`
		}
		if err := decodeRaw(rec.Model, &p); err != nil {
			return "", err
		}
		for _, id := range p.IdpIdentifiers {
			if strings.EqualFold(id, ident) {
				return p.ProviderName, nil
			}
		}
	}
	return "", nil
}

// redirectTo returns the redirect URI with values added to its query (or,
// for fragment, set as its fragment).
func redirectTo(redirectURI string, values url.Values, fragment bool) string {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return redirectURI // registered URLs parse; never reached
	}
	if fragment {
		u.Fragment = ""
		u.RawFragment = ""
		return u.String() + "#" + values.Encode()
	}
	q := u.Query()
	for k, vs := range values {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// refuse answers a refused authorize request: the error page, or a
// redirect to the client's redirect URI with error and state.
func (o *OAuth) refuse(w http.ResponseWriter, r *http.Request, base string, a *authzRequest, e *authzError) {
	if e.page || a == nil {
		q := url.Values{"error": {e.code}, "error_description": {e.description}}
		if a != nil || e.code == errCodeRedirectMismatch {
			q.Set("client_id", r.URL.Query().Get("client_id"))
		}
		http.Redirect(w, r, base+"/error?"+q.Encode(), http.StatusFound)
		return
	}
	v := url.Values{"error": {e.code}, "error_description": {e.description}}
	if a.hasState {
		v.Set("state", a.state)
	}
	http.Redirect(w, r, redirectTo(a.redirectURI, v, false), http.StatusFound)
}

// serveAuthorize answers GET /oauth2/authorize.
func (o *OAuth) serveAuthorize(w http.ResponseWriter, r *http.Request, loc locator, base string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	a, err := o.loadAuthorize(r, loc, r.URL.Query())
	if o.authorizeFailed(w, r, loc, base, a, err) {
		return
	}
	if a.provider != "" {
		o.startFederation(w, r, base, a)
		return
	}
	if sess := o.sessionOf(r, a.ref, base); sess != nil {
		setSessionCookie(w, base, sess.id, sessionLifetime) // renewed on use, as on AWS
		o.completeAuthorize(w, r, a, sess.signedIn())
		return
	}
	http.Redirect(w, r, base+"/login?"+a.params.Encode(), http.StatusFound)
}

// loadAuthorize locates the pool and checks an authorize request in one
// read transaction.
func (o *OAuth) loadAuthorize(r *http.Request, loc locator, q url.Values) (*authzRequest, error) {
	var a *authzRequest
	err := o.cfg.Store.View(r.Context(), func(scope Scope) error {
		ref, err := loc.locate(scope, o.cfg.Accounts)
		if err != nil {
			return err
		}
		a, err = checkAuthorize(ref.tx(scope), ref, q)
		return err
	})
	return a, err
}

// authorizeFailed answers err, if any, and reports whether it did.
func (o *OAuth) authorizeFailed(w http.ResponseWriter, r *http.Request, loc locator, base string, a *authzRequest, err error) bool {
	var ae *authzError
	switch {
	case err == nil:
		return false
	case errors.Is(err, errNoPool):
		notFound(w, loc)
	case errors.As(err, &ae):
		o.refuse(w, r, base, a, ae)
	default:
		o.cfg.Logger.Error("cognito hosted UI", "path", r.URL.Path, "error", err)
		if a != nil {
			o.refuse(w, r, base, a, redirectError(errCodeServerError, "internal error"))
		} else {
			o.refuse(w, r, base, nil, pageError(errCodeServerError, "internal error"))
		}
	}
	return true
}
