package cognito

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// Links between a native user and an identity of a federated provider
// (AdminLinkProviderForUser). A link is stored under typePoolSettings
// "<UserPoolId>|link|<ProviderName>|<value>" naming the destination user's
// key, and the identity is added to the user's identities attribute; a
// federated sign-in through the hosted UI with that identity then signs the
// linked user in (linkFederatedUser looks links up first).

// maxLinkedIdentities is how many provider identities one user may have.
const maxLinkedIdentities = 5

type providerUser struct {
	ProviderName           *string `json:"ProviderName"`
	ProviderAttributeName  *string `json:"ProviderAttributeName"`
	ProviderAttributeValue *string `json:"ProviderAttributeValue"`
}

func (p *providerUser) check(v *violations, path string, requireName bool) {
	v.checkString(path+".providerName", p.ProviderName, 0, 128, nil)
	v.checkString(path+".providerAttributeName", p.ProviderAttributeName, 0, 2048, nil)
	v.checkString(path+".providerAttributeValue", p.ProviderAttributeValue, 0, 2048, nil)
	if requireName && p.ProviderName == nil {
		v.add("null", path+".providerName", "Member must not be null")
	}
}

type identityLink struct {
	UserKey string `json:"UserKey"`
}

func linkKey(poolID, provider, value string) string {
	return settingKey(poolID, "link", provider+"|"+value)
}

// linkedUser returns the user linked to a provider identity, or nil.
func linkedUser(tx handler.Tx, poolID, provider, value string) (*user, error) {
	var l identityLink
	found, err := getJSON(tx, typePoolSettings, linkKey(poolID, provider, value), &l)
	if err != nil || !found {
		return nil, err
	}
	return loadUserByKey(tx, l.UserKey)
}

// identitiesOf decodes a user's identities attribute.
func identitiesOf(u *user) ([]federatedIdentity, error) {
	raw, ok := u.attr("identities")
	if !ok || raw == "" {
		return nil, nil
	}
	var ids []federatedIdentity
	if err := json.Unmarshal([]byte(raw), &ids); err != nil {
		return nil, fmt.Errorf("decode identities of %s: %w", u.Username, err)
	}
	return ids, nil
}

func setIdentities(u *user, ids []federatedIdentity) error {
	if len(ids) == 0 {
		u.deleteAttr("identities")
		return nil
	}
	raw, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("encode identities: %w", err)
	}
	u.setAttr("identities", string(raw))
	return nil
}

func opAdminLinkProviderForUser(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		UserPoolId      *string       `json:"UserPoolId"`
		DestinationUser *providerUser `json:"DestinationUser"`
		SourceUser      *providerUser `json:"SourceUser"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	if in.DestinationUser == nil {
		v.add("null", "destinationUser", "Member must not be null")
	} else {
		in.DestinationUser.check(&v, "destinationUser", false)
	}
	if in.SourceUser == nil {
		v.add("null", "sourceUser", "Member must not be null")
	} else {
		in.SourceUser.check(&v, "sourceUser", false)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	cfg, err := loadPoolConfig(tx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	dst, src := in.DestinationUser, in.SourceUser
	// The messages below are not ones Cognito is known to use, except where
	// marked; the rules are AWS's documented ones.
	if !strings.EqualFold(deref(dst.ProviderName, ""), providerCognito) {
		return nil, invalidParameter("DestinationUser ProviderName must be Cognito.")
	}
	srcName, srcValue := deref(src.ProviderName, ""), deref(src.ProviderAttributeValue, "")
	if srcName == "" || strings.EqualFold(srcName, providerCognito) || srcValue == "" {
		return nil, invalidParameter("SourceUser must name a federated identity provider and a ProviderAttributeValue.")
	}
	idp, found, err := loadSatellite(tx, typeIdentityProv, cfg.ID, srcName)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, resourceNotFound("Identity provider %s does not exist.", srcName)
	}
	u, err := getUser(tx, cfg, deref(dst.ProviderAttributeValue, ""))
	if err != nil {
		return nil, err
	}
	if u.Status == statusExternalProvider {
		return nil, invalidParameter("DestinationUser must be a native Cognito user, not a federated one.")
	}
	if existing, err := findUser(tx, cfg, srcName+"_"+srcValue); err != nil {
		return nil, err
	} else if existing != nil {
		// AWS's message for a source identity that already signed in.
		return nil, invalidParameter("Merging is not currently supported, provide a SourceUser that has not been imported into the User Pool")
	}
	if other, err := linkedUser(tx, cfg.ID, srcName, srcValue); err != nil {
		return nil, err
	} else if other != nil {
		return nil, apiErrorf(typeAliasExists, "The SourceUser is already linked to user %s.", other.Username)
	}
	ids, err := identitiesOf(u)
	if err != nil {
		return nil, err
	}
	if len(ids) >= maxLinkedIdentities {
		return nil, apiErrorf(typeLimitExceeded, "A user can be linked to at most %d provider identities.", maxLinkedIdentities)
	}
	ptype, _ := idp["ProviderType"].(string)
	ids = append(ids, federatedIdentity{UserID: srcValue, ProviderName: srcName, ProviderType: ptype,
		Primary: "false", DateCreated: fmt.Sprint(env.Now.UnixMilli())})
	if err := setIdentities(u, ids); err != nil {
		return nil, err
	}
	if err := putJSON(tx, typePoolSettings, linkKey(cfg.ID, srcName, srcValue), identityLink{UserKey: cfg.userKey(u.Username)}); err != nil {
		return nil, err
	}
	if err := saveUser(env, tx, cfg, u); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opAdminDisableProviderForUser(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		UserPoolId *string       `json:"UserPoolId"`
		User       *providerUser `json:"User"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	if in.User == nil {
		v.add("null", "user", "Member must not be null")
	} else {
		in.User.check(&v, "user", false)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	cfg, err := loadPoolConfig(tx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	name, value := deref(in.User.ProviderName, ""), deref(in.User.ProviderAttributeValue, "")
	// A linked identity: the link and the identity go.
	if u, err := linkedUser(tx, cfg.ID, name, value); err != nil {
		return nil, err
	} else if u != nil {
		ids, err := identitiesOf(u)
		if err != nil {
			return nil, err
		}
		keep := ids[:0]
		for _, id := range ids {
			if id.ProviderName != name || id.UserID != value {
				keep = append(keep, id)
			}
		}
		if err := setIdentities(u, keep); err != nil {
			return nil, err
		}
		if err := deleteIfPresent(tx, typePoolSettings, linkKey(cfg.ID, name, value)); err != nil {
			return nil, err
		}
		return struct{}{}, saveUser(env, tx, cfg, u)
	}
	// A federated user of its own: it is disabled.
	u, err := findUser(tx, cfg, name+"_"+value)
	if err != nil {
		return nil, err
	}
	if u == nil || u.Status != statusExternalProvider {
		return nil, userNotFound()
	}
	u.Enabled = false
	return struct{}{}, saveUser(env, tx, cfg, u)
}
