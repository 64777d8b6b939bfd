package cognito

import (
	"context"
	"errors"
	"net/http"

	"github.com/ccql/ccql/internal/handler"
)

// The issuer endpoints: /<poolId>/.well-known/openid-configuration and
// /<poolId>/.well-known/jwks.json (reference B1, B2).

// discoveryDocument is the OpenID Provider metadata Cognito publishes,
// members in its (alphabetical) order, plus the two endpoints the domain
// serves that AWS's document leaves out (revocation_endpoint,
// end_session_endpoint): the document lists every endpoint served and none
// that is not. The endpoints point to where the emulator serves the pool's
// domain.
type discoveryDocument struct {
	AuthorizationEndpoint            string   `json:"authorization_endpoint"`
	EndSessionEndpoint               string   `json:"end_session_endpoint"`
	IDTokenSigningAlgValuesSupported []string `json:"id_token_signing_alg_values_supported"`
	Issuer                           string   `json:"issuer"`
	JWKSURI                          string   `json:"jwks_uri"`
	ResponseTypesSupported           []string `json:"response_types_supported"`
	RevocationEndpoint               string   `json:"revocation_endpoint"`
	ScopesSupported                  []string `json:"scopes_supported"`
	SubjectTypesSupported            []string `json:"subject_types_supported"`
	TokenEndpoint                    string   `json:"token_endpoint"`
	TokenEndpointAuthMethods         []string `json:"token_endpoint_auth_methods_supported"`
	UserinfoEndpoint                 string   `json:"userinfo_endpoint"`
}

// jwksDocument is a JWK set.
type jwksDocument struct {
	Keys []jwk `json:"keys"`
}

// wellKnownMethod answers 405 to anything but GET and HEAD.
func wellKnownMethod(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	w.WriteHeader(http.StatusMethodNotAllowed)
	return false
}

// serveDiscovery answers the pool's OpenID Connect discovery document.
func (o *OAuth) serveDiscovery(w http.ResponseWriter, r *http.Request, loc poolLocator) {
	if !wellKnownMethod(w, r) {
		return
	}
	var ref poolRef
	var domain string
	err := o.cfg.Store.View(r.Context(), func(scope Scope) error {
		var err error
		if ref, err = loc.locate(scope, o.cfg.Accounts); err != nil {
			return err
		}
		domain, err = domainHostOf(ref.tx(scope), ref)
		return err
	})
	switch {
	case errors.Is(err, errNoPool):
		notFound(w, loc)
		return
	case err != nil:
		o.internalError(w, r, err, map[string]string{"message": "Internal error"})
		return
	}
	iss := o.Issuer(r, ref.region, ref.poolID)
	base := iss // the emulator serves the domain under the issuer path
	if o.cfg.IssuerURL == "" && awsHost(requestHost(r)) && domain != "" {
		base = "https://" + domain // as AWS publishes it
	}
	writeJSON(w, http.StatusOK, newDiscoveryDocument(iss, base))
}

// domainHostOf returns the host name of a pool's domain: the custom
// domain when it has one, else <prefix>.auth.<region>.amazoncognito.com;
// "" when it has none.
func domainHostOf(tx handler.Tx, ref poolRef) (string, error) {
	recs, err := tx.List(typeDomain, ref.poolID+"|")
	if err != nil {
		return "", err
	}
	host := ""
	for _, rec := range recs {
		var d struct {
			Domain             string         `json:"Domain"`
			CustomDomainConfig map[string]any `json:"CustomDomainConfig"`
		}
		if err := decodeRaw(rec.Model, &d); err != nil {
			return "", err
		}
		if d.CustomDomainConfig != nil {
			return d.Domain, nil
		}
		host = d.Domain + ".auth." + ref.region + ".amazoncognito.com"
	}
	return host, nil
}

// serveJWKS answers the pool's public keys, creating them on first use.
func (o *OAuth) serveJWKS(w http.ResponseWriter, r *http.Request, loc poolLocator) {
	if !wellKnownMethod(w, r) {
		return
	}
	keys, err := o.jwks(r.Context(), loc)
	switch {
	case errors.Is(err, errNoPool):
		notFound(w, loc)
	case err != nil:
		o.internalError(w, r, err, map[string]string{"message": "Internal error"})
	default:
		writeJSON(w, http.StatusOK, &jwksDocument{Keys: []jwk{keys.id.jwk, keys.access.jwk}})
	}
}

func (o *OAuth) jwks(ctx context.Context, loc poolLocator) (*poolKeys, error) {
	var ref poolRef
	var stored *storedKeys
	err := o.cfg.Store.View(ctx, func(scope Scope) error {
		var err error
		if ref, err = loc.locate(scope, o.cfg.Accounts); err != nil {
			return err
		}
		if o.keys.get(ref.cacheKey()) == nil {
			stored, err = loadKeys(ref.tx(scope), ref.poolID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return o.poolKeysFor(ctx, ref, stored)
}

// newDiscoveryDocument is the OpenID configuration of the issuer iss whose
// domain endpoints (authorize, token, userInfo, logout, revoke) are under
// base.
func newDiscoveryDocument(iss, base string) *discoveryDocument {
	return &discoveryDocument{
		AuthorizationEndpoint:            base + "/oauth2/authorize",
		EndSessionEndpoint:               base + "/logout",
		IDTokenSigningAlgValuesSupported: []string{signingKeyAlg},
		Issuer:                           iss,
		JWKSURI:                          iss + "/.well-known/jwks.json",
		ResponseTypesSupported:           []string{"code", "token"},
		RevocationEndpoint:               base + "/oauth2/revoke",
		ScopesSupported:                  []string{"openid", "email", "phone", "profile"},
		SubjectTypesSupported:            []string{"public"},
		TokenEndpoint:                    base + "/oauth2/token",
		TokenEndpointAuthMethods:         []string{"client_secret_basic", "client_secret_post"},
		UserinfoEndpoint:                 base + "/oauth2/userInfo",
	}
}
