package cognito

import (
	"context"
	"fmt"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// MaxResourceServersPerPool is Cognito's default quota (reference cognito-oauth 0).
const MaxResourceServersPerPool = 25

var patScopeName = mustPattern(`[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+`)

var resourceServers = &satellite{
	typeName: typeResourceServer,
	keyProp:  "Identifier",
	listable: true,
	create:   createResourceServer,
	update:   updateResourceServer,
	remove:   deleteResourceServer,
}

// resourceServerSpec is a resource server as CloudFormation and the IdP API
// both name it.
type resourceServerSpec struct {
	UserPoolId *string               `json:"UserPoolId"`
	Identifier *string               `json:"Identifier"`
	Name       *string               `json:"Name"`
	Scopes     []resourceServerScope `json:"Scopes"`
}

type resourceServerScope struct {
	ScopeName        *string `json:"ScopeName"`
	ScopeDescription *string `json:"ScopeDescription"`
}

func (s *resourceServerSpec) validate() *APIError {
	var v violations
	v.checkRequiredString("userPoolId", s.UserPoolId, 1, 55, &patUserPoolID)
	v.checkRequiredString("identifier", s.Identifier, 1, 256, &patScope)
	v.checkRequiredString("name", s.Name, 1, 256, &patClientName)
	if len(s.Scopes) > 100 {
		// The service prints the Java toString of the list.
		items := make([]string, len(s.Scopes))
		for i, sc := range s.Scopes {
			items[i] = fmt.Sprintf("ResourceServerScopeType(scopeName=%s, scopeDescription=%s)", deref(sc.ScopeName, "null"), deref(sc.ScopeDescription, "null"))
		}
		v.add(quoteList(items), "scopes", "Member must have length less than or equal to 100")
	}
	for i, sc := range s.Scopes {
		v.checkRequiredString(fmt.Sprintf("scopes.%d.member.scopeName", i+1), sc.ScopeName, 1, 256, &patScopeName)
		v.checkRequiredString(fmt.Sprintf("scopes.%d.member.scopeDescription", i+1), sc.ScopeDescription, 1, 256, nil)
	}
	return v.err()
}

// model is the stored (and read) form: the four properties, Scopes only
// when given.
func (s *resourceServerSpec) model() map[string]any {
	m := map[string]any{"UserPoolId": *s.UserPoolId, "Identifier": *s.Identifier, "Name": *s.Name}
	if s.Scopes != nil {
		scopes := make([]any, len(s.Scopes))
		for i, sc := range s.Scopes {
			scopes[i] = map[string]any{"ScopeName": *sc.ScopeName, "ScopeDescription": *sc.ScopeDescription}
		}
		m["Scopes"] = scopes
	}
	return m
}

func resourceServerNotFound(identifier string) *APIError {
	// Not evidenced on AWS; Cognito's not-found messages follow this shape.
	return resourceNotFound("Resource server %s does not exist.", identifier)
}

func createResourceServer(env handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error) {
	var s resourceServerSpec
	if err := decodeModel(model, &s); err != nil {
		return nil, err
	}
	return createResourceServerSpec(env, tx, &s)
}

func createResourceServerSpec(env handler.Env, tx handler.Tx, s *resourceServerSpec) (map[string]any, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	if _, err := loadPool(tx, *s.UserPoolId); err != nil {
		return nil, err
	}
	if _, found, err := loadSatellite(tx, typeResourceServer, *s.UserPoolId, *s.Identifier); err != nil {
		return nil, err
	} else if found {
		// Wording as moto has it; AWS's is not captured (reference A1).
		return nil, invalidParameter("%s already exists in user pool %s.", *s.Identifier, *s.UserPoolId)
	}
	n, err := tx.Count(typeResourceServer, *s.UserPoolId+"|")
	if err != nil {
		return nil, fmt.Errorf("count resource servers: %w", err)
	}
	if n >= MaxResourceServersPerPool {
		return nil, apiErrorf(typeLimitExceeded, "The number of resource servers in user pool %s exceeds the limit of %d.", *s.UserPoolId, MaxResourceServersPerPool)
	}
	m := s.model()
	return m, storeSatellite(env, tx, typeResourceServer, *s.UserPoolId, *s.Identifier, m)
}

// updateResourceServer is a full replace: omitted Scopes are dropped.
func updateResourceServer(env handler.Env, tx handler.Tx, desired map[string]any) (map[string]any, error) {
	var s resourceServerSpec
	if err := decodeModel(desired, &s); err != nil {
		return nil, err
	}
	return updateResourceServerSpec(env, tx, &s)
}

func updateResourceServerSpec(env handler.Env, tx handler.Tx, s *resourceServerSpec) (map[string]any, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	if _, err := loadPool(tx, *s.UserPoolId); err != nil {
		return nil, err
	}
	if _, found, err := loadSatellite(tx, typeResourceServer, *s.UserPoolId, *s.Identifier); err != nil {
		return nil, err
	} else if !found {
		return nil, resourceServerNotFound(*s.Identifier)
	}
	m := s.model()
	return m, storeSatellite(env, tx, typeResourceServer, *s.UserPoolId, *s.Identifier, m)
}

func deleteResourceServer(tx handler.Tx, poolID, identifier string) error {
	if _, err := loadPool(tx, poolID); err != nil {
		return err
	}
	if _, found, err := loadSatellite(tx, typeResourceServer, poolID, identifier); err != nil {
		return err
	} else if !found {
		return resourceServerNotFound(identifier)
	}
	return removeSatellite(tx, typeResourceServer, poolID, identifier)
}

// IdP operations.

func opCreateResourceServer(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var s resourceServerSpec
	if err := decodeBody(body, &s); err != nil {
		return nil, err
	}
	m, err := createResourceServerSpec(env, tx, &s)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ResourceServer": m}, nil
}

func opUpdateResourceServer(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var s resourceServerSpec
	if err := decodeBody(body, &s); err != nil {
		return nil, err
	}
	m, err := updateResourceServerSpec(env, tx, &s)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ResourceServer": m}, nil
}

type resourceServerKey struct {
	UserPoolId *string `json:"UserPoolId"`
	Identifier *string `json:"Identifier"`
}

func (k *resourceServerKey) validate() *APIError {
	var v violations
	v.checkRequiredString("userPoolId", k.UserPoolId, 1, 55, &patUserPoolID)
	v.checkRequiredString("identifier", k.Identifier, 1, 256, &patScope)
	return v.err()
}

func opDescribeResourceServer(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var k resourceServerKey
	if err := decodeBody(body, &k); err != nil {
		return nil, err
	}
	if err := k.validate(); err != nil {
		return nil, err
	}
	if _, err := loadPool(tx, *k.UserPoolId); err != nil {
		return nil, err
	}
	m, found, err := loadSatellite(tx, typeResourceServer, *k.UserPoolId, *k.Identifier)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, resourceServerNotFound(*k.Identifier)
	}
	return map[string]any{"ResourceServer": m}, nil
}

func opDeleteResourceServer(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var k resourceServerKey
	if err := decodeBody(body, &k); err != nil {
		return nil, err
	}
	if err := k.validate(); err != nil {
		return nil, err
	}
	if err := deleteResourceServer(tx, *k.UserPoolId, *k.Identifier); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opListResourceServers(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	items, next, err := listSatellites(tx, body, typeResourceServer, resourceServerPage, nil)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"ResourceServers": items}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

// pageSize is the page-size member of a List* request, as the service
// model declares it: its name in validation messages and its range.
// ListResourceServers takes MaxResults 1…50, ListIdentityProviders
// MaxResults 0…60 and ListGroups Limit 0…60; 0, like an absent member,
// means a full page.
type pageSize struct {
	member   string // "maxResults" (JSON MaxResults) or "limit" (JSON Limit)
	min, max int
}

var (
	resourceServerPage   = pageSize{"maxResults", 1, 50}
	identityProviderPage = pageSize{"maxResults", 0, 60}
	groupPage            = pageSize{"limit", 0, 60}
)

// listSatellites serves the List* operations of satellites: it decodes
// {UserPoolId, MaxResults or Limit, NextToken}, checks the pool and pages
// the pool's models through render (nil: the stored model).
func listSatellites(tx handler.Tx, body []byte, typeName string, ps pageSize, render func(id string, m map[string]any) (map[string]any, error)) ([]map[string]any, string, error) {
	var in struct {
		UserPoolId *string `json:"UserPoolId"`
		MaxResults *int    `json:"MaxResults"`
		Limit      *int    `json:"Limit"`
		NextToken  *string `json:"NextToken"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, "", err
	}
	limit := in.MaxResults
	if ps.member == "limit" {
		limit = in.Limit
	}
	var v violations
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	v.checkInt(ps.member, limit, ps.min, ps.max)
	v.checkString("nextToken", in.NextToken, 1, 131072, &patNextToken)
	if err := v.err(); err != nil {
		return nil, "", err
	}
	size := deref(limit, ps.max)
	if size == 0 {
		size = ps.max
	}
	if _, err := loadPool(tx, *in.UserPoolId); err != nil {
		return nil, "", err
	}
	p, err := keyPage(tx, typeName, *in.UserPoolId+"|", size, in.NextToken, typeName+"|"+*in.UserPoolId, nil)
	if err != nil {
		return nil, "", err
	}
	items := make([]map[string]any, 0, len(p.recs))
	for _, r := range p.recs {
		var m map[string]any
		if err := decodeRaw(r.Model, &m); err != nil {
			return nil, "", err
		}
		if render != nil {
			if m, err = render(r.Identifier, m); err != nil {
				return nil, "", err
			}
		}
		items = append(items, m)
	}
	return items, p.next, nil
}

// hasPrefixFold reports whether s starts with prefix, ignoring case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
