package cognito_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/handler"
	"github.com/google/go-cmp/cmp"
)

const (
	rsTypeName     = "AWS::Cognito::UserPoolResourceServer"
	idpTypeName    = "AWS::Cognito::UserPoolIdentityProvider"
	groupTypeName  = "AWS::Cognito::UserPoolGroup"
	domainTypeName = "AWS::Cognito::UserPoolDomain"
)

func (f *fixture) handler(typeName string) handler.Handler {
	f.t.Helper()
	for _, h := range cognito.Handlers(nil) {
		if h.TypeName() == typeName {
			return h
		}
	}
	f.t.Fatalf("no handler for %s", typeName)
	return nil
}

func (f *fixture) mustCreate(typeName string, desired map[string]any) map[string]any {
	f.t.Helper()
	got, err := f.create(f.handler(typeName), desired)
	if err != nil {
		f.t.Fatalf("create %s: %v", typeName, err)
	}
	return got
}

// wantFailure checks a handler error's code and message.
func wantFailure(t *testing.T, err error, code handler.Code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("succeeded, want %s %q", code, msg)
	}
	gotCode, gotMsg := handlerError(t, err)
	if gotCode != code || gotMsg != msg {
		t.Errorf("got %s %q\nwant %s %q", gotCode, gotMsg, code, msg)
	}
}

func TestResourceServer_ScopesForClients(t *testing.T) {
	f := newFixture(t)
	pool := f.mustPool(nil)
	rs := f.mustCreate(rsTypeName, map[string]any{
		"UserPoolId": pool, "Identifier": "https://api.example.com", "Name": "api",
		"Scopes": []any{map[string]any{"ScopeName": "read", "ScopeDescription": "Read"}},
	})
	if diff := cmp.Diff(map[string]any{
		"UserPoolId": pool, "Identifier": "https://api.example.com", "Name": "api",
		"Scopes": []any{map[string]any{"ScopeName": "read", "ScopeDescription": "Read"}},
	}, rs); diff != "" {
		t.Errorf("resource server model (-want +got):\n%s", diff)
	}
	m2m := map[string]any{
		"UserPoolId": pool, "ClientName": "m2m", "GenerateSecret": true, "AllowedOAuthFlowsUserPoolClient": true,
		"AllowedOAuthFlows": []any{"client_credentials"}, "AllowedOAuthScopes": []any{"https://api.example.com/read"},
	}
	f.mustClient(m2m)
	m2m["AllowedOAuthScopes"] = []any{"https://api.example.com/write"}
	_, err := f.create(f.client, m2m)
	wantFailure(t, err, handler.InvalidRequest, "Invalid scope requested: https://api.example.com/write")

	// Replacing the server without Scopes drops them.
	id := pool + "|https://api.example.com"
	if _, err := f.handler(rsTypeName).Update(context.Background(), f.env, f.tx, id, map[string]any{"Name": "api"}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	m2m["AllowedOAuthScopes"] = []any{"https://api.example.com/read"}
	_, err = f.create(f.client, m2m)
	wantFailure(t, err, handler.InvalidRequest, "Invalid scope requested: https://api.example.com/read")
}

func TestResourceServer_Rules(t *testing.T) {
	f := newFixture(t)
	pool := f.mustPool(nil)
	h := f.handler(rsTypeName)
	cases := []struct {
		name  string
		model map[string]any
		code  handler.Code
		msg   string
	}{
		{"identifier with space", m("Identifier", "my api"), handler.InvalidRequest, `1 validation error detected: Value 'my api' at 'identifier' failed to satisfy constraint: Member must satisfy regular expression pattern: [\x21\x23-\x5B\x5D-\x7E]+`},
		{"scope name with space", m("Scopes", []any{map[string]any{"ScopeName": "read all", "ScopeDescription": "d"}}), handler.InvalidRequest, `1 validation error detected: Value 'read all' at 'scopes.1.member.scopeName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+`},
		{"scope name with slash", m("Scopes", []any{map[string]any{"ScopeName": "a", "ScopeDescription": "d"}, map[string]any{"ScopeName": "b/c", "ScopeDescription": "d"}}), handler.InvalidRequest, `1 validation error detected: Value 'b/c' at 'scopes.2.member.scopeName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+`},
		{"missing pool", m("UserPoolId", "us-east-1_nosuch000"), handler.NotFound, "User pool us-east-1_nosuch000 does not exist."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			desired := map[string]any{"UserPoolId": pool, "Identifier": "api", "Name": "api"}
			for k, v := range tc.model {
				desired[k] = v
			}
			_, err := f.create(h, desired)
			wantFailure(t, err, tc.code, tc.msg)
		})
	}

	for i := 0; i < cognito.MaxResourceServersPerPool; i++ {
		f.mustCreate(rsTypeName, map[string]any{"UserPoolId": pool, "Identifier": "api" + string(rune('a'+i)), "Name": "n"})
	}
	_, err := f.create(h, map[string]any{"UserPoolId": pool, "Identifier": "apiz2", "Name": "n"})
	if code, _ := handlerError(t, err); code != handler.ServiceLimitExceeded {
		t.Errorf("26th resource server: %s, want ServiceLimitExceeded", code)
	}
	_, err = f.create(h, map[string]any{"UserPoolId": pool, "Identifier": "apia", "Name": "n"})
	wantFailure(t, err, handler.AlreadyExists, "Resource of type 'AWS::Cognito::UserPoolResourceServer' with identifier '"+pool+"|apia' already exists.")
}

func TestIdentityProvider_Rules(t *testing.T) {
	f := newFixture(t)
	pool := f.mustPool(nil)
	google := map[string]string{"client_id": "id", "client_secret": "s", "authorize_scopes": "email openid"}
	oidc := map[string]string{"client_id": "id", "authorize_scopes": "openid", "oidc_issuer": "https://idp.example.com", "attributes_request_method": "GET"}
	with := func(base map[string]string, kv ...string) map[string]any {
		out := map[string]any{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(out, kv[i])
			} else {
				out[kv[i]] = kv[i+1]
			}
		}
		return out
	}
	ir := handler.InvalidRequest
	cases := []struct {
		name, provider, typ string
		details             map[string]any
		msg                 string
	}{
		{"social name mismatch", "MyGoogle", "Google", with(google), "Provider MyGoogle cannot be of type Google."},
		{"google without secret", "Google", "Google", with(google, "client_secret", ""), "clientId, clientSecret and authorizeScopes are all required idp details."},
		{"google", "Google", "Google", with(google), ""},
		{"facebook without scopes", "Facebook", "Facebook", with(google, "authorize_scopes", ""), "clientId, clientSecret and authorizeScopes are all required idp details."},
		{"apple without key", "SignInWithApple", "SignInWithApple", map[string]any{"client_id": "c", "team_id": "t", "key_id": "k"}, "clientId, privateKey, teamId, and keyId are all required idp details."},
		{"oidc", "Corp", "OIDC", with(oidc), ""},
		{"oidc without issuer", "Corp2", "OIDC", with(oidc, "oidc_issuer", ""), "clientId, authorizeScopes, oidcIssuer and attributesRequestMethod are all required idp details."},
		{"oidc http endpoint", "Corp3", "OIDC", with(oidc, "token_url", "http://idp.example.com/token"), "OIDC endpoint must start with https://"},
		{"oidc method", "Corp4", "OIDC", with(oidc, "attributes_request_method", "PUT"), "Value 'PUT' at 'providerConfiguration.oidcConfig.attributesRequestMethod' failed to satisfy constraint: Member must satisfy enum value set: [POST, GET]"},
		{"saml none", "Saml1", "SAML", map[string]any{"IDPSignout": "true"}, "At least one of the MetadataURL or MetadataFile should be provided."},
		{"saml both", "Saml2", "SAML", map[string]any{"MetadataURL": "https://x", "MetadataFile": "<x/>"}, "Only one of the MetadataURL or MetadataFile should be provided."},
		{"unknown type", "Other", "GitHub", with(google), "1 validation error detected: Value 'GitHub' at 'providerType' failed to satisfy constraint: Member must satisfy enum value set: [SAML, Facebook, Google, LoginWithAmazon, SignInWithApple, OIDC]"},
		{"name with underscore start", "_corp", "OIDC", with(oidc), "1 validation error detected: Value '_corp' at 'providerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^_\\p{Z}][\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}][^_\\p{Z}]+"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.create(f.handler(idpTypeName), map[string]any{
				"UserPoolId": pool, "ProviderName": tc.provider, "ProviderType": tc.typ, "ProviderDetails": tc.details,
			})
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("create: %v", err)
				}
				return
			}
			wantFailure(t, err, ir, tc.msg)
		})
	}

	got, err := f.handler(idpTypeName).Read(context.Background(), f.env, f.tx, pool+"|Google")
	if err != nil {
		t.Fatal(err)
	}
	details := got["ProviderDetails"].(map[string]any)
	if details["token_url"] != "https://www.googleapis.com/oauth2/v4/token" || details["oidc_issuer"] != "https://accounts.google.com" || details["client_secret"] != "s" {
		t.Errorf("Google details as read: %v", details)
	}

	// Clients may now name the providers that exist.
	f.mustClient(map[string]any{"UserPoolId": pool, "SupportedIdentityProviders": []any{"COGNITO", "Google", "Corp"}})
	_, err = f.create(f.client, map[string]any{"UserPoolId": pool, "SupportedIdentityProviders": []any{"Facebook"}})
	wantFailure(t, err, ir, "The provider Facebook does not exist for User Pool "+pool+".")
}

func TestIdentityProvider_AppleKeyHiddenAndKept(t *testing.T) {
	f := newFixture(t)
	pool := f.mustPool(nil)
	h := f.handler(idpTypeName)
	created := f.mustCreate(idpTypeName, map[string]any{
		"UserPoolId": pool, "ProviderName": "SignInWithApple", "ProviderType": "SignInWithApple",
		"ProviderDetails": map[string]any{"client_id": "c", "team_id": "t", "key_id": "k", "private_key": "PRIVATE", "authorize_scopes": "email"},
	})
	if _, ok := created["ProviderDetails"].(map[string]any)["private_key"]; ok {
		t.Errorf("private_key returned by create")
	}
	// An update built from the read model (no private key) keeps the key.
	created["ProviderDetails"].(map[string]any)["authorize_scopes"] = "email name"
	if _, err := h.Update(context.Background(), f.env, f.tx, pool+"|SignInWithApple", created); err != nil {
		t.Fatalf("Update without the private key: %v", err)
	}
	raw, err := f.tx.Get(idpTypeName, pool+"|SignInWithApple")
	if err != nil || !strings.Contains(string(raw), `"private_key":"PRIVATE"`) || !strings.Contains(string(raw), `"email name"`) {
		t.Errorf("stored provider after update: %s %v", raw, err)
	}
}

func TestIdentityProvider_DuplicateIdentifiers(t *testing.T) {
	f := newFixture(t)
	pool := f.mustPool(nil)
	details := map[string]any{"MetadataFile": "<md/>"}
	f.mustCreate(idpTypeName, map[string]any{"UserPoolId": pool, "ProviderName": "SamlA", "ProviderType": "SAML", "ProviderDetails": details, "IdpIdentifiers": []any{"corp"}})
	_, err := f.create(f.handler(idpTypeName), map[string]any{"UserPoolId": pool, "ProviderName": "SamlB", "ProviderType": "SAML", "ProviderDetails": details, "IdpIdentifiers": []any{"corp"}})
	wantFailure(t, err, handler.AlreadyExists, "The identifier corp is already used by identity provider SamlA.")
}

func TestGroup_GeneratedNameAndReplace(t *testing.T) {
	f := newFixture(t)
	pool := f.mustPool(nil)
	g := f.mustCreate(groupTypeName, map[string]any{"UserPoolId": pool, "Description": "d", "Precedence": 3})
	name, _ := g["GroupName"].(string)
	if !regexp.MustCompile(`^UserPoolGroup-[0-9A-Z]{12}$`).MatchString(name) {
		t.Errorf("generated GroupName %q", name)
	}
	got, err := f.handler(groupTypeName).Update(context.Background(), f.env, f.tx, pool+"|"+name, map[string]any{"RoleArn": "arn:aws:iam::123456789012:role/r"})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	want := map[string]any{"UserPoolId": pool, "GroupName": name, "RoleArn": "arn:aws:iam::123456789012:role/r"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("group update is not a replace (-want +got):\n%s", diff)
	}
	list, err := f.handler(groupTypeName).List(context.Background(), f.env, f.tx, map[string]any{"UserPoolId": pool})
	if err != nil || len(list) != 1 || list[0]["GroupName"] != name {
		t.Errorf("List: %v %v", list, err)
	}
}

func TestDomain_Rules(t *testing.T) {
	f := newFixture(t)
	pool, other := f.mustPool(nil), f.mustPool(nil)
	h := f.handler(domainTypeName)
	got := f.mustCreate(domainTypeName, map[string]any{"UserPoolId": pool, "Domain": "my-app"})
	if cf, _ := got["CloudFrontDistribution"].(string); !regexp.MustCompile(`^d[a-z0-9]{13}\.cloudfront\.net$`).MatchString(cf) {
		t.Errorf("CloudFrontDistribution %q", cf)
	}
	ir := handler.InvalidRequest
	cases := []struct {
		name, pool, domain string
		custom             map[string]any
		msg                string
	}{
		{"invalid character", other, "My_App", nil, `The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`},
		{"reserved word", other, "my-aws-app", nil, "Domain cannot contain reserved word: aws"},
		{"reserved word cognito", other, "cognito-login", nil, "Domain cannot contain reserved word: cognito"},
		{"taken", other, "my-app", nil, "Domain already associated with another user pool."},
		{"second prefix domain", pool, "my-app-2", nil, "User Pool already has domain configured."},
		{"certificate outside us-east-1", pool, "auth.example.com", map[string]any{"CertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc"}, "The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a valid certificate chain."},
		{"too long", other, strings.Repeat("a", 64), nil, "1 validation error detected: Value '" + strings.Repeat("a", 64) + "' at 'domain' failed to satisfy constraint: Member must have length less than or equal to 63"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			desired := map[string]any{"UserPoolId": tc.pool, "Domain": tc.domain}
			if tc.custom != nil {
				desired["CustomDomainConfig"] = tc.custom
			}
			_, err := f.create(h, desired)
			wantFailure(t, err, ir, tc.msg)
		})
	}
	f.mustCreate(domainTypeName, map[string]any{"UserPoolId": other, "Domain": "awsome"})
	f.mustCreate(domainTypeName, map[string]any{"UserPoolId": pool, "Domain": "auth.example.com",
		"CustomDomainConfig": map[string]any{"CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"}})
	if _, err := h.List(context.Background(), f.env, f.tx, map[string]any{"UserPoolId": pool}); err == nil {
		t.Errorf("List of a type without a list handler succeeded")
	}
}

func TestPoolDelete_RemovesSatellites(t *testing.T) {
	f := newFixture(t)
	pool := f.mustPool(nil)
	f.mustCreate(rsTypeName, map[string]any{"UserPoolId": pool, "Identifier": "api", "Name": "api"})
	f.mustCreate(idpTypeName, map[string]any{"UserPoolId": pool, "ProviderName": "Saml", "ProviderType": "SAML", "ProviderDetails": map[string]any{"MetadataFile": "<m/>"}})
	f.mustCreate(groupTypeName, map[string]any{"UserPoolId": pool, "GroupName": "admins"})
	f.mustCreate(domainTypeName, map[string]any{"UserPoolId": pool, "Domain": "gone"})
	f.mustClient(map[string]any{"UserPoolId": pool})
	if err := f.pool.Delete(context.Background(), f.env, f.tx, pool); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	for _, typ := range []string{clientTypeName, rsTypeName, idpTypeName, groupTypeName, domainTypeName, "ccql::Cognito::Timestamps"} {
		if n, _ := f.tx.Count(typ, ""); n != 0 {
			t.Errorf("%d %s left after the pool was deleted", n, typ)
		}
	}
	// The domain prefix is free again.
	other := f.mustPool(nil)
	f.mustCreate(domainTypeName, map[string]any{"UserPoolId": other, "Domain": "gone"})
}

func TestOperations_SDKSatellites(t *testing.T) {
	ctx := context.Background()
	sdk, _ := newSDK(t)
	p, err := sdk.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("sat")})
	if err != nil {
		t.Fatal(err)
	}
	pool := p.UserPool.Id

	rs, err := sdk.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
		UserPoolId: pool, Identifier: aws.String("orders"), Name: aws.String("Orders"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("Read orders")}},
	})
	if err != nil || aws.ToString(rs.ResourceServer.Identifier) != "orders" || len(rs.ResourceServer.Scopes) != 1 {
		t.Fatalf("CreateResourceServer: %+v %v", rs, err)
	}
	if _, err := sdk.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: pool, ClientName: aws.String("m2m"), GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthFlows: []types.OAuthFlowType{"client_credentials"}, AllowedOAuthScopes: []string{"orders/read"},
	}); err != nil {
		t.Errorf("client with a resource server scope: %v", err)
	}
	lrs, err := sdk.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: pool, MaxResults: aws.Int32(10)})
	if err != nil || len(lrs.ResourceServers) != 1 {
		t.Errorf("ListResourceServers: %+v %v", lrs, err)
	}

	idp, err := sdk.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{
		UserPoolId: pool, ProviderName: aws.String("Google"), ProviderType: types.IdentityProviderTypeTypeGoogle,
		ProviderDetails:  map[string]string{"client_id": "id", "client_secret": "s", "authorize_scopes": "openid"},
		AttributeMapping: map[string]string{"email": "email"},
	})
	if err != nil {
		t.Fatalf("CreateIdentityProvider: %v", err)
	}
	if idp.IdentityProvider.ProviderDetails["authorize_url"] != "https://accounts.google.com/o/oauth2/v2/auth" || !aws.ToTime(idp.IdentityProvider.CreationDate).Equal(clock) {
		t.Errorf("IdentityProvider: %+v", idp.IdentityProvider)
	}
	_, err = sdk.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{
		UserPoolId: pool, ProviderName: aws.String("Google"), ProviderType: types.IdentityProviderTypeTypeGoogle,
		ProviderDetails: map[string]string{"client_id": "id", "client_secret": "s", "authorize_scopes": "openid"},
	})
	var dup *types.DuplicateProviderException
	if !errors.As(err, &dup) {
		t.Errorf("second Google provider: %v", err)
	}
	lp, err := sdk.ListIdentityProviders(ctx, &cip.ListIdentityProvidersInput{UserPoolId: pool})
	if err != nil || len(lp.Providers) != 1 || lp.Providers[0].ProviderType != types.IdentityProviderTypeTypeGoogle {
		t.Errorf("ListIdentityProviders: %+v %v", lp, err)
	}

	g, err := sdk.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: pool, GroupName: aws.String("admins"), Precedence: aws.Int32(1)})
	if err != nil || aws.ToInt32(g.Group.Precedence) != 1 {
		t.Fatalf("CreateGroup: %+v %v", g, err)
	}
	_, err = sdk.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: pool, GroupName: aws.String("admins")})
	var exists *types.GroupExistsException
	if !errors.As(err, &exists) {
		t.Errorf("duplicate group: %v", err)
	}
	ug, err := sdk.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: pool, GroupName: aws.String("admins"), Description: aws.String("d")})
	if err != nil || aws.ToInt32(ug.Group.Precedence) != 1 || aws.ToString(ug.Group.Description) != "d" {
		t.Errorf("UpdateGroup keeps omitted members: %+v %v", ug, err)
	}
	_, err = sdk.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: pool, GroupName: aws.String("nobody")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || nf.ErrorMessage() != "Group not found." {
		t.Errorf("GetGroup of a missing group: %v", err)
	}
	lg, err := sdk.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: pool})
	if err != nil || len(lg.Groups) != 1 {
		t.Errorf("ListGroups: %+v %v", lg, err)
	}

	if _, err := sdk.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: pool, Domain: aws.String("sat-login")}); err != nil {
		t.Fatalf("CreateUserPoolDomain: %v", err)
	}
	dd, err := sdk.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("sat-login")})
	if err != nil || aws.ToString(dd.DomainDescription.UserPoolId) != aws.ToString(pool) || dd.DomainDescription.Status != types.DomainStatusTypeActive {
		t.Errorf("DescribeUserPoolDomain: %+v %v", dd, err)
	}
	unknown, err := sdk.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("nobody-here")})
	if err != nil || unknown.DomainDescription == nil || unknown.DomainDescription.UserPoolId != nil {
		t.Errorf("DescribeUserPoolDomain of an unknown domain: %+v %v", unknown, err)
	}
	dp, err := sdk.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: pool})
	if err != nil || aws.ToString(dp.UserPool.Domain) != "sat-login" {
		t.Errorf("DescribeUserPool Domain: %v %v", dp, err)
	}
	_, err = sdk.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: pool, Domain: aws.String("nobody-here")})
	var ip *types.InvalidParameterException
	if !errors.As(err, &ip) || !strings.Contains(ip.ErrorMessage(), "No such domain") {
		t.Errorf("DeleteUserPoolDomain of an unknown domain: %v", err)
	}
}
