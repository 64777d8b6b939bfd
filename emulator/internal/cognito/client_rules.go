package cognito

import (
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// The token lifetime bounds after unit conversion, in seconds (reference B3).
const (
	minAccessSeconds  = 300
	maxAccessSeconds  = 86400
	minRefreshSeconds = 3600
	maxRefreshSeconds = 315360000
)

// checkClientRules applies Cognito's cross-field rules to a client's new
// configuration, in a fixed order, returning the first violation as an
// *APIError (or a store error). pool is the client's user pool model;
// lookups of satellites (resource servers, identity providers) go through tx.
func checkClientRules(tx handler.Tx, poolID string, pool map[string]any, m *clientModel) error {
	checks := []func() error{
		func() error { return checkTokenValidity(m) },
		func() error { return checkAuthFlows(m.ExplicitAuthFlows) },
		func() error { return checkAttributes(pool, m) },
		func() error { return checkProviders(tx, poolID, m.SupportedIdentityProviders) },
		func() error { return checkURLs(m) },
		func() error { return checkOAuth(tx, poolID, m) },
		func() error { return checkContextData(m) },
		func() error { return checkAnalytics(pool, m.AnalyticsConfiguration) },
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func checkTokenValidity(m *clientModel) error {
	u := m.TokenValidityUnits
	if u == nil {
		u = &tokenValidityUnits{}
	}
	// Only lifetimes the request gives are range-checked; an absent access
	// or ID token lifetime is the default hour whatever its unit.
	access, accessOK := seconds(m.AccessTokenValidity, u.AccessToken, "hours", minAccessSeconds, maxAccessSeconds)
	id, idOK := seconds(m.IdTokenValidity, u.IdToken, "hours", minAccessSeconds, maxAccessSeconds)
	refresh, refreshOK := seconds(&m.RefreshTokenValidity, u.RefreshToken, "days", minRefreshSeconds, maxRefreshSeconds)
	if !accessOK || !idOK || !refreshOK {
		return invalidParameter("Invalid range for token validity.")
	}
	if access > refresh || id > refresh {
		return invalidParameter("Access and Id Token expiration times must be less than or equal to refresh token expiration times.")
	}
	return nil
}

// seconds converts a lifetime in its unit to seconds and reports whether it
// is within [lo, hi]; an absent lifetime is one hour and always in range.
func seconds(v *int, unit *string, defUnit string, lo, hi int) (int, bool) {
	if v == nil {
		return 3600, true
	}
	s := *v * unitSeconds[deref(unit, defUnit)]
	return s, s >= lo && s <= hi
}

func checkAuthFlows(flows []string) error {
	var legacy, allow bool
	for _, f := range flows {
		legacy = legacy || contains(legacyAuthFlows, f)
		allow = allow || strings.HasPrefix(f, "ALLOW_")
	}
	if legacy && allow {
		return invalidParameter("Auth flow name with prefix 'ALLOW' cannot be used with legacy auth flow names.")
	}
	return nil
}

func checkAttributes(pool map[string]any, m *clientModel) error {
	has := poolAttributes(pool)
	for _, a := range m.ReadAttributes {
		if !has[a] {
			return invalidParameter("Invalid read attributes specified while creating a client")
		}
	}
	for _, a := range m.WriteAttributes {
		if !has[a] || contains(unwritableAttributes, a) {
			return invalidParameter("Invalid write attributes specified while creating a client")
		}
	}
	return nil
}

// checkProviders requires every supported identity provider to exist in the
// pool; COGNITO always does.
func checkProviders(tx handler.Tx, poolID string, providers []string) error {
	for _, p := range providers {
		if p == "COGNITO" {
			continue
		}
		var idp map[string]any
		found, err := getJSON(tx, typeIdentityProv, poolID+"|"+p, &idp)
		if err != nil {
			return err
		}
		if !found {
			return invalidParameter("The provider %s does not exist for User Pool %s.", p, poolID)
		}
	}
	return nil
}

func checkURLs(m *clientModel) error {
	for _, list := range [][]string{m.CallbackURLs, m.LogoutURLs} {
		for _, u := range list {
			if err := checkRedirectURL(u); err != nil {
				return err
			}
		}
	}
	if m.DefaultRedirectURI != "" {
		if err := checkRedirectURL(m.DefaultRedirectURI); err != nil {
			return err
		}
		if !contains(m.CallbackURLs, m.DefaultRedirectURI) {
			return invalidParameter("The default redirect URI %s is not in the callback URIs list.", m.DefaultRedirectURI)
		}
	}
	return nil
}

// checkOAuth applies the OAuth rules of reference B6. They apply whatever
// AllowedOAuthFlowsUserPoolClient says, since the flows and scopes are
// stored either way.
func checkOAuth(tx handler.Tx, poolID string, m *clientModel) error {
	if m.AllowedOAuthFlowsUserPoolClient && (len(m.AllowedOAuthFlows) == 0 || len(m.AllowedOAuthScopes) == 0) {
		return invalidParameter("AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.")
	}
	userFlow := contains(m.AllowedOAuthFlows, "code") || contains(m.AllowedOAuthFlows, "implicit")
	clientCredentials := contains(m.AllowedOAuthFlows, "client_credentials")
	if clientCredentials && userFlow {
		return apiErrorf(typeInvalidOAuthFlow, "client_credentials flow can not be selected along with code flow or implicit flow.")
	}
	if clientCredentials && m.ClientSecret == "" {
		return apiErrorf(typeInvalidOAuthFlow, "client_credentials flow can not be selected if client does not have a client secret.")
	}
	if userFlow && len(m.CallbackURLs) == 0 {
		return apiErrorf(typeInvalidOAuthFlow, "CallbackUrls can not be empty when code flow or implicit flow is selected")
	}
	for _, s := range m.AllowedOAuthScopes {
		ok, err := scopeExists(tx, poolID, s)
		if err != nil {
			return err
		}
		if !ok {
			return apiErrorf(typeScopeDoesNotExist, "Invalid scope requested: %s", s)
		}
		if clientCredentials && contains(standardScopes, s) {
			return apiErrorf(typeInvalidOAuthFlow, "%s is not supported with client_credentials flow", s)
		}
	}
	return nil
}

// scopeExists reports whether scope is a standard scope or
// "<identifier>/<name>" of a resource server of the pool. The identifier may
// itself contain "/" (https://api.example.com/read), so the scope name is
// what follows the last one.
func scopeExists(tx handler.Tx, poolID, scope string) (bool, error) {
	if contains(standardScopes, scope) {
		return true, nil
	}
	i := strings.LastIndex(scope, "/")
	if i <= 0 || i == len(scope)-1 {
		return false, nil
	}
	var rs struct {
		Scopes []struct {
			ScopeName string `json:"ScopeName"`
		} `json:"Scopes"`
	}
	found, err := getJSON(tx, typeResourceServer, poolID+"|"+scope[:i], &rs)
	if err != nil || !found {
		return false, err
	}
	for _, s := range rs.Scopes {
		if s.ScopeName == scope[i+1:] {
			return true, nil
		}
	}
	return false, nil
}

func checkContextData(m *clientModel) error {
	if m.EnablePropagateAdditionalUserContextData && m.ClientSecret == "" {
		return invalidParameter("Client Secret is required to set EnablePropagateAdditionalUserContextData as true")
	}
	return nil
}

// checkAnalytics accepts either an application ARN alone, or an application
// id with a role ARN (and optionally an external id); a Pinpoint ARN must be
// in the pool's region.
func checkAnalytics(pool map[string]any, a *analyticsConfiguration) error {
	if a == nil {
		return nil
	}
	byArn := a.ApplicationArn != nil && a.ApplicationId == nil && a.RoleArn == nil && a.ExternalId == nil
	byID := a.ApplicationArn == nil && a.ApplicationId != nil && a.RoleArn != nil
	if !byArn && !byID {
		return invalidParameter("Invalid analytics configuration given, either <application arn> or <application id, role arn, external id> are valid")
	}
	if byArn {
		region := arnRegion(*a.ApplicationArn)
		if poolRegion := regionOfPool(pool); region != poolRegion {
			return invalidParameter("The integration with Pinpoint is not supported for the requested %s region.", region)
		}
	}
	return nil
}

// arnRegion returns the region field of an ARN.
func arnRegion(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 4 {
		return ""
	}
	return parts[3]
}

// regionOfPool returns the region a pool id names ("us-east-1_abc" → us-east-1).
func regionOfPool(pool map[string]any) string {
	id, _ := pool["UserPoolId"].(string)
	region, _, _ := strings.Cut(id, "_")
	return region
}
