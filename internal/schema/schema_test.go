package schema_test

import (
	"testing"

	"github.com/ccql/ccql/internal/schema"
	"github.com/google/go-cmp/cmp"
)

func TestRegistry_Lookup(t *testing.T) {
	g := schema.NewRegistry()
	r, err := g.Lookup("AWS::Cognito::UserPoolClient")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range r.Properties {
		names = append(names, p.Name)
	}
	want := []string{"ClientName", "ExplicitAuthFlows", "GenerateSecret", "ReadAttributes", "AuthSessionValidity",
		"RefreshTokenValidity", "AccessTokenValidity", "IdTokenValidity", "TokenValidityUnits", "RefreshTokenRotation",
		"UserPoolId", "WriteAttributes", "AllowedOAuthFlows", "AllowedOAuthFlowsUserPoolClient", "AllowedOAuthScopes",
		"CallbackURLs", "DefaultRedirectURI", "LogoutURLs", "SupportedIdentityProviders", "AnalyticsConfiguration",
		"PreventUserExistenceErrors", "EnableTokenRevocation", "EnablePropagateAdditionalUserContextData", "Name",
		"ClientSecret", "ClientId"}
	if d := cmp.Diff(want, names); d != "" {
		t.Errorf("property order (-want +got):\n%s", d)
	}
	if got, want := r.IdentifierProperties(), []string{"UserPoolId", "ClientId"}; !cmp.Equal(got, want) {
		t.Errorf("identifier = %v, want %v", got, want)
	}
	if got := r.Handlers["list"].Required; !cmp.Equal(got, []string{"UserPoolId"}) {
		t.Errorf("list required = %v", got)
	}
	if _, err := g.Lookup("AWS::No::Such"); err == nil {
		t.Error("Lookup of unknown type succeeded")
	}
}
