package cognito

import (
	"context"
	"fmt"

	"github.com/ccql/ccql/internal/handler"
)

// MaxIdentityProvidersPerPool is Cognito's default quota.
const MaxIdentityProvidersPerPool = 300

var (
	patCreateProviderName = mustPattern(`[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+`)
	patIdpIdentifier      = mustPattern(`[\w\s+=.@-]+`)
	providerTypeValues    = []string{"SAML", "Facebook", "Google", "LoginWithAmazon", "SignInWithApple", "OIDC"}
	socialProviderTypes   = []string{"Facebook", "Google", "LoginWithAmazon", "SignInWithApple"}
)

var identityProviders = &satellite{
	typeName: typeIdentityProv,
	keyProp:  "ProviderName",
	listable: true,
	create: func(env handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error) {
		var s identityProviderSpec
		if err := decodeModel(model, &s); err != nil {
			return nil, err
		}
		return createIdentityProvider(env, tx, &s)
	},
	update: func(env handler.Env, tx handler.Tx, desired map[string]any) (map[string]any, error) {
		var s identityProviderSpec
		if err := decodeModel(desired, &s); err != nil {
			return nil, err
		}
		// Cloud Control hands over the whole desired model: a removed
		// mapping or identifier list is cleared.
		if s.AttributeMapping == nil {
			s.AttributeMapping = map[string]string{}
		}
		if s.IdpIdentifiers == nil {
			s.IdpIdentifiers = []string{}
		}
		return updateIdentityProvider(env, tx, &s)
	},
	remove: deleteIdentityProvider,
	view:   providerView,
}

// identityProviderSpec is an identity provider as CloudFormation and the
// IdP API both name it.
type identityProviderSpec struct {
	UserPoolId       *string           `json:"UserPoolId"`
	ProviderName     *string           `json:"ProviderName"`
	ProviderType     *string           `json:"ProviderType"`
	ProviderDetails  map[string]string `json:"ProviderDetails"`
	AttributeMapping map[string]string `json:"AttributeMapping"`
	IdpIdentifiers   []string          `json:"IdpIdentifiers"`
}

func (s *identityProviderSpec) validate(create bool) *APIError {
	var v violations
	v.checkRequiredString("userPoolId", s.UserPoolId, 1, 55, &patUserPoolID)
	if create {
		v.checkRequiredString("providerName", s.ProviderName, 1, 32, &patCreateProviderName)
		if s.ProviderType == nil {
			v.add("null", "providerType", "Member must not be null")
		}
		v.checkEnum("providerType", s.ProviderType, providerTypeValues)
		if s.ProviderDetails == nil {
			v.add("null", "providerDetails", "Member must not be null")
		}
	} else {
		v.checkRequiredString("providerName", s.ProviderName, 1, 32, &patProviderName)
	}
	ids, idsC := stringMember(1, 40, &patIdpIdentifier)
	v.checkList("idpIdentifiers", s.IdpIdentifiers, 50, ids, idsC)
	for k := range s.AttributeMapping {
		if n := lengthOf(k); n < 1 || n > 32 {
			v.add(quote(k), "attributeMapping", "Map keys must satisfy constraint: [Member must have length less than or equal to 32, Member must have length greater than or equal to 1]")
		}
	}
	return v.err()
}

// checkProviderRules applies the per-type rules of reference A2.
func checkProviderRules(name, typ string, details map[string]string) *APIError {
	if contains(socialProviderTypes, typ) && name != typ {
		return invalidParameter("Provider %s cannot be of type %s.", name, typ)
	}
	has := func(keys ...string) bool {
		for _, k := range keys {
			if details[k] == "" {
				return false
			}
		}
		return true
	}
	switch typ {
	case "OIDC":
		if !has("client_id", "authorize_scopes", "oidc_issuer", "attributes_request_method") {
			return invalidParameter("clientId, authorizeScopes, oidcIssuer and attributesRequestMethod are all required idp details.")
		}
		if m := details["attributes_request_method"]; m != "GET" && m != "POST" {
			return invalidParameter("Value '%s' at 'providerConfiguration.oidcConfig.attributesRequestMethod' failed to satisfy constraint: Member must satisfy enum value set: [POST, GET]", m)
		}
		for _, k := range []string{"oidc_issuer", "authorize_url", "token_url", "attributes_url", "jwks_uri"} {
			if u, ok := details[k]; ok && !hasPrefixFold(u, "https://") {
				return invalidParameter("OIDC endpoint must start with https://")
			}
		}
	case "Google", "Facebook", "LoginWithAmazon":
		if !has("client_id", "client_secret", "authorize_scopes") {
			return invalidParameter("clientId, clientSecret and authorizeScopes are all required idp details.")
		}
	case "SignInWithApple":
		if !has("client_id", "private_key", "team_id", "key_id") {
			return invalidParameter("clientId, privateKey, teamId, and keyId are all required idp details.")
		}
	case "SAML":
		url, file := details["MetadataURL"] != "", details["MetadataFile"] != ""
		switch {
		case !url && !file:
			return invalidParameter("At least one of the MetadataURL or MetadataFile should be provided.")
		case url && file:
			return invalidParameter("Only one of the MetadataURL or MetadataFile should be provided.")
		}
	}
	return nil
}

// deriveDetails adds the keys DescribeIdentityProvider reports beyond what
// the caller gave, with the values of the cognito-idp model's examples.
func deriveDetails(typ string, details map[string]string) map[string]string {
	out := make(map[string]string, len(details)+6)
	for k, v := range details {
		out[k] = v
	}
	set := func(kv ...string) {
		for i := 0; i < len(kv); i += 2 {
			if _, ok := out[kv[i]]; !ok {
				out[kv[i]] = kv[i+1]
			}
		}
	}
	switch typ {
	case "Google":
		set("attributes_url", "https://people.googleapis.com/v1/people/me?personFields=",
			"attributes_url_add_attributes", "true",
			"authorize_url", "https://accounts.google.com/o/oauth2/v2/auth",
			"oidc_issuer", "https://accounts.google.com",
			"token_request_method", "POST",
			"token_url", "https://www.googleapis.com/oauth2/v4/token")
	case "Facebook":
		ver := details["api_version"]
		if ver == "" {
			ver = "v17.0"
		}
		set("attributes_url", "https://graph.facebook.com/"+ver+"/me?fields=",
			"attributes_url_add_attributes", "true",
			"authorize_url", "https://www.facebook.com/"+ver+"/dialog/oauth",
			"token_request_method", "GET",
			"token_url", "https://graph.facebook.com/"+ver+"/oauth/access_token")
	case "LoginWithAmazon":
		set("attributes_url", "https://api.amazon.com/user/profile",
			"attributes_url_add_attributes", "false",
			"authorize_url", "https://www.amazon.com/ap/oa",
			"token_request_method", "POST",
			"token_url", "https://api.amazon.com/auth/o2/token")
	case "SignInWithApple":
		set("attributes_url_add_attributes", "false",
			"authorize_url", "https://appleid.apple.com/auth/authorize",
			"oidc_issuer", "https://appleid.apple.com",
			"token_request_method", "POST",
			"token_url", "https://appleid.apple.com/auth/token")
	case "OIDC":
		set("attributes_url_add_attributes", "false")
	}
	return out
}

// providerView hides what Describe never returns: Apple's private key.
func providerView(m map[string]any) map[string]any {
	d, ok := m["ProviderDetails"].(map[string]any)
	if !ok || m["ProviderType"] != "SignInWithApple" {
		return m
	}
	out := copyMap(m)
	dd := copyMap(d)
	delete(dd, "private_key")
	out["ProviderDetails"] = dd
	return out
}

func providerNotFound(name string) *APIError {
	// Not evidenced on AWS; the shape of Cognito's other not-found messages.
	return resourceNotFound("Identity provider %s does not exist.", name)
}

// checkIdpIdentifiers rejects identifiers another provider of the pool uses.
func checkIdpIdentifiers(tx handler.Tx, poolID, self string, ids []string) error {
	recs, err := tx.List(typeIdentityProv, poolID+"|")
	if err != nil {
		return fmt.Errorf("list identity providers: %w", err)
	}
	for _, r := range recs {
		var other identityProviderSpec
		if err := decodeRaw(r.Model, &other); err != nil {
			return err
		}
		if deref(other.ProviderName, "") == self {
			continue
		}
		for _, id := range ids {
			if contains(other.IdpIdentifiers, id) {
				return apiErrorf(typeDuplicateProvider, "The identifier %s is already used by identity provider %s.", id, deref(other.ProviderName, ""))
			}
		}
	}
	return nil
}

func providerModel(s *identityProviderSpec, details map[string]string) map[string]any {
	d := make(map[string]any, len(details))
	for k, v := range details {
		d[k] = v
	}
	m := map[string]any{
		"UserPoolId":      *s.UserPoolId,
		"ProviderName":    *s.ProviderName,
		"ProviderType":    *s.ProviderType,
		"ProviderDetails": d,
	}
	if len(s.AttributeMapping) > 0 {
		m["AttributeMapping"] = s.AttributeMapping
	}
	if len(s.IdpIdentifiers) > 0 {
		m["IdpIdentifiers"] = s.IdpIdentifiers
	}
	return m
}

func createIdentityProvider(env handler.Env, tx handler.Tx, s *identityProviderSpec) (map[string]any, error) {
	if err := s.validate(true); err != nil {
		return nil, err
	}
	poolID, name := *s.UserPoolId, *s.ProviderName
	if _, err := loadPool(tx, poolID); err != nil {
		return nil, err
	}
	if err := checkProviderRules(name, *s.ProviderType, s.ProviderDetails); err != nil {
		return nil, err
	}
	if _, found, err := loadSatellite(tx, typeIdentityProv, poolID, name); err != nil {
		return nil, err
	} else if found {
		return nil, apiErrorf(typeDuplicateProvider, "A provider with the name %s already exists in this user pool.", name)
	}
	if err := checkIdpIdentifiers(tx, poolID, name, s.IdpIdentifiers); err != nil {
		return nil, err
	}
	n, err := tx.Count(typeIdentityProv, poolID+"|")
	if err != nil {
		return nil, fmt.Errorf("count identity providers: %w", err)
	}
	if n >= MaxIdentityProvidersPerPool {
		return nil, apiErrorf(typeLimitExceeded, "The number of identity providers in user pool %s exceeds the limit of %d.", poolID, MaxIdentityProvidersPerPool)
	}
	m := providerModel(s, deriveDetails(*s.ProviderType, s.ProviderDetails))
	return m, storeSatellite(env, tx, typeIdentityProv, poolID, name, m)
}

// updateIdentityProvider changes details, mapping and identifiers; a nil
// member keeps the stored value (UpdateIdentityProvider's optional members).
// The type never changes. Apple's private key is kept when not resent,
// since no read ever returns it.
func updateIdentityProvider(env handler.Env, tx handler.Tx, s *identityProviderSpec) (map[string]any, error) {
	if err := s.validate(false); err != nil {
		return nil, err
	}
	poolID, name := *s.UserPoolId, *s.ProviderName
	if _, err := loadPool(tx, poolID); err != nil {
		return nil, err
	}
	var cur identityProviderSpec
	found, err := getJSON(tx, typeIdentityProv, poolID+"|"+name, &cur)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, providerNotFound(name)
	}
	next := cur
	if s.ProviderDetails != nil {
		next.ProviderDetails = s.ProviderDetails
		if *cur.ProviderType == "SignInWithApple" && s.ProviderDetails["private_key"] == "" {
			next.ProviderDetails["private_key"] = cur.ProviderDetails["private_key"]
		}
	}
	if s.AttributeMapping != nil {
		next.AttributeMapping = s.AttributeMapping
	}
	if s.IdpIdentifiers != nil {
		next.IdpIdentifiers = s.IdpIdentifiers
	}
	if err := checkProviderRules(name, *cur.ProviderType, next.ProviderDetails); err != nil {
		return nil, err
	}
	if err := checkIdpIdentifiers(tx, poolID, name, next.IdpIdentifiers); err != nil {
		return nil, err
	}
	m := providerModel(&next, deriveDetails(*cur.ProviderType, next.ProviderDetails))
	return m, storeSatellite(env, tx, typeIdentityProv, poolID, name, m)
}

func deleteIdentityProvider(tx handler.Tx, poolID, name string) error {
	if _, err := loadPool(tx, poolID); err != nil {
		return err
	}
	if _, found, err := loadSatellite(tx, typeIdentityProv, poolID, name); err != nil {
		return err
	} else if !found {
		return providerNotFound(name)
	}
	return removeSatellite(tx, typeIdentityProv, poolID, name)
}

// providerToAPI renders a stored provider as IdentityProviderType.
func providerToAPI(tx handler.Tx, m map[string]any) (map[string]any, error) {
	out := providerView(m)
	out = copyMap(out)
	id := fmt.Sprintf("%v|%v", m["UserPoolId"], m["ProviderName"])
	ts, err := stamps(tx, typeIdentityProv, id)
	if err != nil {
		return nil, err
	}
	out["CreationDate"], out["LastModifiedDate"] = ts.CreationDate, ts.LastModifiedDate
	return out, nil
}

func opCreateIdentityProvider(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var s identityProviderSpec
	if err := decodeBody(body, &s); err != nil {
		return nil, err
	}
	m, err := createIdentityProvider(env, tx, &s)
	if err != nil {
		return nil, err
	}
	return wrapProvider(tx, m)
}

func opUpdateIdentityProvider(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var s identityProviderSpec
	if err := decodeBody(body, &s); err != nil {
		return nil, err
	}
	s.ProviderType = nil // not an UpdateIdentityProvider member
	m, err := updateIdentityProvider(env, tx, &s)
	if err != nil {
		return nil, err
	}
	return wrapProvider(tx, m)
}

func wrapProvider(tx handler.Tx, m map[string]any) (any, error) {
	out, err := providerToAPI(tx, m)
	if err != nil {
		return nil, err
	}
	return map[string]any{"IdentityProvider": out}, nil
}

type providerKey struct {
	UserPoolId   *string `json:"UserPoolId"`
	ProviderName *string `json:"ProviderName"`
}

func (k *providerKey) load(tx handler.Tx) (map[string]any, error) {
	var v violations
	v.checkRequiredString("userPoolId", k.UserPoolId, 1, 55, &patUserPoolID)
	v.checkRequiredString("providerName", k.ProviderName, 1, 32, &patProviderName)
	if err := v.err(); err != nil {
		return nil, err
	}
	if _, err := loadPool(tx, *k.UserPoolId); err != nil {
		return nil, err
	}
	m, found, err := loadSatellite(tx, typeIdentityProv, *k.UserPoolId, *k.ProviderName)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, providerNotFound(*k.ProviderName)
	}
	return m, nil
}

func opDescribeIdentityProvider(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var k providerKey
	if err := decodeBody(body, &k); err != nil {
		return nil, err
	}
	m, err := k.load(tx)
	if err != nil {
		return nil, err
	}
	return wrapProvider(tx, m)
}

func opDeleteIdentityProvider(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var k providerKey
	if err := decodeBody(body, &k); err != nil {
		return nil, err
	}
	if _, err := k.load(tx); err != nil {
		return nil, err
	}
	if err := removeSatellite(tx, typeIdentityProv, *k.UserPoolId, *k.ProviderName); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opGetIdentityProviderByIdentifier(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		UserPoolId    *string `json:"UserPoolId"`
		IdpIdentifier *string `json:"IdpIdentifier"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	v.checkRequiredString("idpIdentifier", in.IdpIdentifier, 1, 40, &patIdpIdentifier)
	if err := v.err(); err != nil {
		return nil, err
	}
	if _, err := loadPool(tx, *in.UserPoolId); err != nil {
		return nil, err
	}
	recs, err := tx.List(typeIdentityProv, *in.UserPoolId+"|")
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		var m map[string]any
		if err := decodeRaw(r.Model, &m); err != nil {
			return nil, err
		}
		ids, _ := m["IdpIdentifiers"].([]any)
		for _, id := range ids {
			if id == *in.IdpIdentifier {
				return wrapProvider(tx, m)
			}
		}
	}
	return nil, resourceNotFound("Identity provider with identifier %s does not exist.", *in.IdpIdentifier)
}

func opListIdentityProviders(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	items, next, err := listSatellites(tx, body, typeIdentityProv, identityProviderPage, func(id string, m map[string]any) (map[string]any, error) {
		ts, err := stamps(tx, typeIdentityProv, id)
		if err != nil {
			return nil, err
		}
		return map[string]any{
			"ProviderName":     m["ProviderName"],
			"ProviderType":     m["ProviderType"],
			"CreationDate":     ts.CreationDate,
			"LastModifiedDate": ts.LastModifiedDate,
		}, nil
	})
	if err != nil {
		return nil, err
	}
	out := map[string]any{"Providers": items}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}
