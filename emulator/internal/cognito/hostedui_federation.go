package cognito

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// Federation, offline. An OIDC identity provider of a pool (the "first"
// pool) whose oidc_issuer is another user pool of the same emulator (the
// provider pool, reached by its pool id, the last segment of the issuer)
// works end to end, as between two real pools:
//
//  1. authorize on the first pool with identity_provider (or its button on
//     the sign-in page) sends the browser to the provider pool's
//     /oauth2/authorize with the provider's client_id, authorize_scopes, a
//     state, a nonce and PKCE, and redirect_uri = the first pool's
//     /oauth2/idpresponse (which the provider pool's client must list in
//     its CallbackURLs, as on AWS);
//  2. the user signs in on the provider pool's hosted UI;
//  3. /oauth2/idpresponse redeems the code with the provider pool as its
//     token endpoint would (client, secret, redirect URI, PKCE, single
//     use), reads the provider user's attributes as its ID token and
//     userInfo carry them, and links to or creates the first pool's
//     EXTERNAL_PROVIDER user "<ProviderName>_<sub>" with the provider's
//     AttributeMapping and the identities attribute;
//  4. the first pool's authorize completes for that user: its own code or
//     tokens, with an identities claim.
//
// The code is redeemed inside the emulator rather than over HTTP: both
// pools are in its store, and the emulator may not be able to reach its own
// address (containers, proxies). SAML and social providers (Google,
// Facebook, Login with Amazon, Sign in with Apple) would reach servers
// outside: they get a page saying they are not emulated.

// providerInfo is what federation reads of an identity provider.
type providerInfo struct {
	ProviderName     string            `json:"ProviderName"`
	ProviderType     string            `json:"ProviderType"`
	ProviderDetails  map[string]string `json:"ProviderDetails"`
	AttributeMapping map[string]string `json:"AttributeMapping"`
}

// federation is a resolved provider: its record and the provider pool.
type federation struct {
	provider providerInfo
	idpRef   poolRef // the provider pool
	idpHost  string  // the provider pool's domain host, "" without one
}

// notEmulated answers the page for a provider the emulator cannot reach.
func (o *OAuth) notEmulated(w http.ResponseWriter, msg string) {
	o.render(w, http.StatusNotImplemented, "notEmulated", &pageData{Title: "Not emulated", Error: msg})
}

// resolveFederation finds a's provider and the pool its issuer names.
func (o *OAuth) resolveFederation(r *http.Request, ref poolRef, name string) (*federation, string, error) {
	var f federation
	var refusal string
	err := o.cfg.Store.View(r.Context(), func(scope Scope) error {
		found, err := getJSON(ref.tx(scope), typeIdentityProv, ref.poolID+"|"+name, &f.provider)
		if err != nil {
			return err
		}
		if !found {
			refusal = fmt.Sprintf("Identity provider %s does not exist.", name)
			return nil
		}
		if f.provider.ProviderType != "OIDC" {
			refusal = fmt.Sprintf("Identity provider %s is of type %s, which ccql does not emulate: it would sign in at a server outside the emulator.", name, f.provider.ProviderType)
			return nil
		}
		issuer := strings.TrimRight(f.provider.ProviderDetails["oidc_issuer"], "/")
		poolID := issuer[strings.LastIndex(issuer, "/")+1:]
		m := poolIDPath().FindStringSubmatch(poolID)
		if m == nil {
			refusal = fmt.Sprintf("Identity provider %s has the issuer %s, which is not a user pool of this emulator; ccql emulates OIDC providers only when they are.", name, issuer)
			return nil
		}
		f.idpRef, err = poolDomainLocator{poolLocator{poolID: poolID, reg: m[1]}}.locate(scope, o.cfg.Accounts)
		if err != nil {
			refusal = fmt.Sprintf("Identity provider %s has the issuer %s: no user pool %s with a domain in this emulator.", name, issuer, poolID)
			return nil
		}
		f.idpHost, err = domainHostOf(f.idpRef.tx(scope), f.idpRef)
		return err
	})
	if err != nil && err != errNoPool {
		return nil, "", err
	}
	return &f, refusal, nil
}

// requestOrigin is scheme://host of the request, as the browser used it.
func requestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// idpResponseURL is the first pool's /oauth2/idpresponse as the browser
// reaches it.
func idpResponseURL(r *http.Request, base string) string {
	return requestOrigin(r) + base + "/oauth2/idpresponse"
}

// startFederation sends the browser to the identity provider an authorize
// request names.
func (o *OAuth) startFederation(w http.ResponseWriter, r *http.Request, base string, a *authzRequest) {
	f, refusal, err := o.resolveFederation(r, a.ref, a.provider)
	if err != nil {
		o.failPage(w, r, base, a, err)
		return
	}
	if refusal != "" {
		o.notEmulated(w, refusal)
		return
	}
	verifier, err := o.newSecret()
	if err != nil {
		o.failPage(w, r, base, a, err)
		return
	}
	nonce, err := o.newSecret()
	if err != nil {
		o.failPage(w, r, base, a, err)
		return
	}
	state, err := o.putPending(&pendingFederation{params: a.params, ref: a.ref, base: base, provider: a.provider, nonce: nonce, verifier: verifier})
	if err != nil {
		o.failPage(w, r, base, a, err)
		return
	}
	q := url.Values{
		"client_id":             {f.provider.ProviderDetails["client_id"]},
		"response_type":         {"code"},
		"redirect_uri":          {idpResponseURL(r, base)},
		"scope":                 {f.provider.ProviderDetails["authorize_scopes"]},
		"state":                 {state},
		"nonce":                 {nonce},
		"code_challenge_method": {"S256"},
		"code_challenge":        {s256Challenge(verifier)},
	}
	target := "/" + f.idpRef.poolID + "/oauth2/authorize"
	if _, ok := poolIDFromBase(base); !ok && f.idpHost != "" {
		// On a domain host, the provider pool is reached by its own.
		target = requestScheme(r) + "://" + f.idpHost + "/oauth2/authorize"
	}
	http.Redirect(w, r, target+"?"+q.Encode(), http.StatusFound)
}

func requestScheme(r *http.Request) string {
	return strings.SplitN(requestOrigin(r), ":", 2)[0]
}

func poolIDFromBase(base string) (string, bool) {
	if base == "" {
		return "", false
	}
	return strings.TrimPrefix(base, "/"), true
}

// serveIdPResponse answers /oauth2/idpresponse, where the provider pool
// sends the browser back with a code (or an error).
func (o *OAuth) serveIdPResponse(w http.ResponseWriter, r *http.Request, loc locator, base string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	p := o.takePending(q.Get("state"))
	if p == nil || p.base != base {
		o.refuse(w, r, base, nil, pageError(ErrCodeInvalidRequest, "unknown or expired state from the identity provider"))
		return
	}
	a, err := o.loadAuthorize(r, loc, p.params)
	if o.authorizeFailed(w, r, loc, base, a, err) {
		return
	}
	if e := q.Get("error"); e != "" {
		o.refuse(w, r, base, a, redirectError(ErrCodeInvalidRequest, "identity provider %s answered %s", p.provider, e))
		return
	}
	f, refusal, err := o.resolveFederation(r, a.ref, p.provider)
	if err != nil || refusal != "" {
		o.refuse(w, r, base, a, redirectError(ErrCodeInvalidRequest, "identity provider %s is no longer usable", p.provider))
		return
	}
	claims, terr := o.redeemAtProvider(r, f, q.Get("code"), idpResponseURL(r, base), p.verifier)
	if terr != nil {
		// An IdP failure is invalid_request with a description (reference B4).
		o.refuse(w, r, base, a, redirectError(ErrCodeInvalidRequest, "identity provider %s refused the code: %s", p.provider, terr.code))
		return
	}
	var who signedInUser
	err = o.update(r, func(scope Scope) error {
		var err error
		who, err = linkFederatedUser(o.envOf(a.ref), a.ref.tx(scope), a.ref.poolID, &f.provider, claims)
		return err
	})
	if err != nil {
		o.failPage(w, r, base, a, err)
		return
	}
	if err := o.startSession(w, a.ref, base, who); err != nil {
		o.failPage(w, r, base, a, err)
		return
	}
	o.completeAuthorize(w, r, a, who)
}

// redeemAtProvider redeems a code of the provider pool as its token
// endpoint would for the provider's client, and returns the claims its ID
// token carries about the user (sub, cognito:username and the attributes
// the client may read; nothing without openid).
func (o *OAuth) redeemAtProvider(r *http.Request, f *federation, code, redirectURI, verifier string) (map[string]string, *tokenError) {
	c := o.takeCode(code)
	if c == nil || c.ref != f.idpRef || c.clientID != f.provider.ProviderDetails["client_id"] {
		return nil, oauthError(ErrCodeInvalidGrant)
	}
	if c.redirectURI != redirectURI {
		return nil, oauthError(ErrCodeUnauthorizedClient)
	}
	if c.challenge != "" && !pkceMatches(c.challenge, verifier) {
		return nil, oauthError(ErrCodeInvalidGrant)
	}
	if !hasOpenID(c.scopes) {
		return nil, oauthError(ErrCodeInvalidScope)
	}
	var claims map[string]string
	var terr *tokenError
	err := o.cfg.Store.View(r.Context(), func(scope Scope) error {
		tx := f.idpRef.tx(scope)
		client, err := loadClient(tx, f.idpRef.poolID, c.clientID)
		if err != nil {
			terr = oauthError(ErrCodeInvalidClient)
			return nil
		}
		if client.ClientSecret != "" && client.ClientSecret != f.provider.ProviderDetails["client_secret"] {
			terr = oauthError(ErrCodeInvalidClient)
			return nil
		}
		cfg, err := loadPoolConfig(tx, f.idpRef.poolID)
		if err != nil {
			return err
		}
		u, err := findUser(tx, cfg, c.user.Username)
		if err != nil {
			return err
		}
		if u == nil || !u.Enabled {
			terr = oauthError(ErrCodeInvalidGrant)
			return nil
		}
		claims = map[string]string{"sub": u.Sub, "cognito:username": u.Username, "username": u.Username}
		for k, v := range u.Attributes {
			if len(client.ReadAttributes) == 0 || contains(client.ReadAttributes, k) {
				claims[k] = v
			}
		}
		return nil
	})
	if err != nil {
		o.cfg.Logger.Error("cognito federation: redeem", "error", err)
		return nil, oauthError("server_error")
	}
	if terr != nil {
		return nil, terr
	}
	return claims, nil
}

// federatedIdentity is one entry of the identities attribute.
type federatedIdentity struct {
	UserID       string  `json:"userId"`
	ProviderName string  `json:"providerName"`
	ProviderType string  `json:"providerType"`
	Issuer       *string `json:"issuer"`
	Primary      string  `json:"primary"`
	DateCreated  string  `json:"dateCreated"`
}

// linkFederatedUser finds the first pool's user of a provider identity,
// or creates it: user name "<ProviderName>_<sub>", status
// EXTERNAL_PROVIDER, attributes from the provider's AttributeMapping
// (pool attribute → provider claim; username → sub when there is none),
// and the identities attribute. A returning user's mapped attributes are
// refreshed, as Cognito does at every federated sign-in.
func linkFederatedUser(env handler.Env, tx handler.Tx, poolID string, p *providerInfo, claims map[string]string) (signedInUser, error) {
	cfg, err := loadPoolConfig(tx, poolID)
	if err != nil {
		return signedInUser{}, err
	}
	userID := claims["sub"]
	mapping := p.AttributeMapping
	if id, ok := mapping["username"]; ok && claims[id] != "" {
		userID = claims[id]
	}
	name := p.ProviderName + "_" + userID
	// An identity linked to a native user (AdminLinkProviderForUser, in
	// provider_links.go) signs that user in.
	u, err := linkedUser(tx, poolID, p.ProviderName, userID)
	if err == nil && u == nil {
		u, err = findUser(tx, cfg, name)
	}
	if err != nil {
		return signedInUser{}, err
	}
	if u == nil {
		if u, err = newUser(env, cfg, name); err != nil {
			return signedInUser{}, err
		}
		u.Username = name
		u.Status = statusExternalProvider
		ids, err := json.Marshal([]federatedIdentity{{
			UserID: userID, ProviderName: p.ProviderName, ProviderType: p.ProviderType,
			Primary: "true", DateCreated: fmt.Sprint(env.Now.UnixMilli()),
		}})
		if err != nil {
			return signedInUser{}, fmt.Errorf("encode identities: %w", err)
		}
		u.setAttr("identities", string(ids))
	}
	if !u.Enabled {
		return signedInUser{}, apiErrorf(typeNotAuthorized, msgUserDisabled)
	}
	for attr, claim := range mapping {
		if attr == "username" {
			continue
		}
		if v, ok := claims[claim]; ok {
			u.setAttr(attr, v)
		}
	}
	if err := saveUser(env, tx, cfg, u); err != nil {
		return signedInUser{}, err
	}
	return signedInUser{Username: u.Username, AuthTime: env.Now.Unix()}, nil
}

// identitiesClaim is the ID token's identities claim: the attribute's
// JSON array as an array (the attribute itself is a string, as
// AdminGetUser shows it).
func identitiesClaim(value string) any {
	var v []any
	if err := json.Unmarshal([]byte(value), &v); err != nil {
		return value
	}
	return v
}
