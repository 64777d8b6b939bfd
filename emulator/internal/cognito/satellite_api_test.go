package cognito_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/emulator/internal/cognito/cognitotest"
	"github.com/ccql/ccql/internal/handler"
)

// satAPI runs IdP operations on one in-memory partition.
type satAPI struct {
	t   *testing.T
	tx  *cognitotest.Tx
	env handler.Env
}

func newSatAPI(t *testing.T) *satAPI {
	return &satAPI{t: t, tx: cognitotest.NewTx(), env: handler.Env{
		Account: "123456789012", Region: testRegion, Now: clock, Rand: rand.NewChaCha8([32]byte{5}),
	}}
}

func (a *satAPI) do(op, body string) (map[string]any, error) {
	a.t.Helper()
	out, err := cognito.Operations()[op](context.Background(), a.env, a.tx, []byte(body))
	if err != nil {
		return nil, err
	}
	m, rerr := roundTrip(out)
	if rerr != nil {
		a.t.Fatal(rerr)
	}
	return m, nil
}

func (a *satAPI) must(op, body string) map[string]any {
	a.t.Helper()
	m, err := a.do(op, body)
	if err != nil {
		a.t.Fatalf("%s %s: %v", op, body, err)
	}
	return m
}

// TestSatelliteOperations_Validation checks the service model's limits on
// the satellites' IdP operations (reference A1, A2, A4 and the botocore
// cognito-idp model): list lengths, page sizes and their messages.
func TestSatelliteOperations_Validation(t *testing.T) {
	a := newSatAPI(t)
	pool := a.must("CreateUserPool", `{"PoolName":"sat"}`)["UserPool"].(map[string]any)["Id"].(string)
	a.must("CreateResourceServer", `{"UserPoolId":"`+pool+`","Identifier":"api","Name":"api"}`)
	a.must("CreateIdentityProvider", `{"UserPoolId":"`+pool+`","ProviderName":"Saml","ProviderType":"SAML","ProviderDetails":{"MetadataFile":"<m/>"}}`)
	a.must("CreateGroup", `{"UserPoolId":"`+pool+`","GroupName":"admins"}`)

	scopes := func(n int) (string, string) {
		items, java := make([]string, n), make([]string, n)
		for i := range n {
			items[i] = fmt.Sprintf(`{"ScopeName":"s%d","ScopeDescription":"d"}`, i)
			java[i] = fmt.Sprintf("ResourceServerScopeType(scopeName=s%d, scopeDescription=d)", i)
		}
		return "[" + strings.Join(items, ",") + "]", "[" + strings.Join(java, ", ") + "]"
	}
	ids := func(n int) (string, string) {
		items, plain := make([]string, n), make([]string, n)
		for i := range n {
			items[i], plain[i] = fmt.Sprintf(`"id%d"`, i), fmt.Sprintf("id%d", i)
		}
		return "[" + strings.Join(items, ",") + "]", "[" + strings.Join(plain, ", ") + "]"
	}
	scopes100, _ := scopes(100)
	scopes101, java101 := scopes(101)
	ids50, _ := ids(50)
	ids51, plain51 := ids(51)
	p := `"UserPoolId":"` + pool + `"`
	saml := `"ProviderType":"SAML","ProviderDetails":{"MetadataFile":"<m/>"}`

	tests := []struct {
		name, op, body string
		items          string // the list member of a successful List*, with its wanted length
		n              int
		err            string // "Type: message"; "" for success
	}{
		{"100 scopes", "CreateResourceServer", `{` + p + `,"Identifier":"api100","Name":"n","Scopes":` + scopes100 + `}`, "", 0, ""},
		{"101 scopes", "CreateResourceServer", `{` + p + `,"Identifier":"api101","Name":"n","Scopes":` + scopes101 + `}`, "", 0,
			"InvalidParameterException: 1 validation error detected: Value '" + java101 + "' at 'scopes' failed to satisfy constraint: Member must have length less than or equal to 100"},
		{"update without Name", "UpdateResourceServer", `{` + p + `,"Identifier":"api"}`, "", 0,
			"InvalidParameterException: 1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{"scope without description", "CreateResourceServer", `{` + p + `,"Identifier":"api2","Name":"n","Scopes":[{"ScopeName":"read"}]}`, "", 0,
			"InvalidParameterException: 1 validation error detected: Value null at 'scopes.1.member.scopeDescription' failed to satisfy constraint: Member must not be null"},
		{"50 identifiers", "CreateIdentityProvider", `{` + p + `,"ProviderName":"Saml50",` + saml + `,"IdpIdentifiers":` + ids50 + `}`, "", 0, ""},
		{"51 identifiers", "CreateIdentityProvider", `{` + p + `,"ProviderName":"Saml51",` + saml + `,"IdpIdentifiers":` + ids51 + `}`, "", 0,
			"InvalidParameterException: 1 validation error detected: Value '" + plain51 + "' at 'idpIdentifiers' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"identifier used by another provider", "CreateIdentityProvider", `{` + p + `,"ProviderName":"Saml2",` + saml + `,"IdpIdentifiers":["id7"]}`, "", 0,
			"DuplicateProviderException: The identifier id7 is already used by identity provider Saml50."},

		// Page sizes: ListResourceServers MaxResults 1…50, ListIdentityProviders
		// MaxResults 0…60, ListGroups Limit 0…60; 0 means a full page.
		{"resource servers, MaxResults 1", "ListResourceServers", `{` + p + `,"MaxResults":1}`, "ResourceServers", 1, ""},
		{"resource servers, MaxResults 50", "ListResourceServers", `{` + p + `,"MaxResults":50}`, "ResourceServers", 2, ""},
		{"resource servers, MaxResults 0", "ListResourceServers", `{` + p + `,"MaxResults":0}`, "", 0,
			"InvalidParameterException: 1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"resource servers, MaxResults 51", "ListResourceServers", `{` + p + `,"MaxResults":51}`, "", 0,
			"InvalidParameterException: 1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50"},
		{"providers, MaxResults 0", "ListIdentityProviders", `{` + p + `,"MaxResults":0}`, "Providers", 2, ""},
		{"providers, MaxResults 1", "ListIdentityProviders", `{` + p + `,"MaxResults":1}`, "Providers", 1, ""},
		{"providers, MaxResults 61", "ListIdentityProviders", `{` + p + `,"MaxResults":61}`, "", 0,
			"InvalidParameterException: 1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60"},
		{"groups, Limit 0", "ListGroups", `{` + p + `,"Limit":0}`, "Groups", 1, ""},
		{"groups, Limit 61", "ListGroups", `{` + p + `,"Limit":61}`, "", 0,
			"InvalidParameterException: 1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"},
		{"groups, MaxResults is not their member", "ListGroups", `{` + p + `,"MaxResults":0}`, "Groups", 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := a.do(tt.op, tt.body)
			if tt.err != "" {
				var ae *cognito.APIError
				if !errors.As(err, &ae) {
					t.Fatalf("got %v, %v; want %s", got, err, tt.err)
				}
				if g := ae.Type + ": " + ae.Message; g != tt.err {
					t.Errorf("got  %s\nwant %s", g, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", tt.op, err)
			}
			if tt.items == "" {
				return
			}
			if items, _ := got[tt.items].([]any); len(items) != tt.n {
				t.Errorf("%d %s, want %d: %v", len(items), tt.items, tt.n, got)
			}
		})
	}
}
