package cognito_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/ccql/ccql/internal/handler"
	"github.com/google/go-cmp/cmp"
)

func TestClientHandler_CreateDefaults(t *testing.T) {
	f := newFixture(t)
	pool := f.mustPool(nil)
	got := f.mustClient(map[string]any{"UserPoolId": pool})

	if id, _ := got["ClientId"].(string); !reClientID.MatchString(id) {
		t.Errorf("ClientId = %q, want 26 [a-z0-9]", id)
	}
	name, _ := got["ClientName"].(string)
	if !regexp.MustCompile(`^UserPoolClient-[0-9A-Z]{12}$`).MatchString(name) {
		t.Errorf("generated ClientName = %q, want UserPoolClient-<12 [0-9A-Z]>", name)
	}
	want := map[string]any{
		"UserPoolId":                      pool,
		"ClientId":                        got["ClientId"],
		"ClientName":                      name,
		"Name":                            name,
		"AuthSessionValidity":             float64(3),
		"RefreshTokenValidity":            float64(30),
		"TokenValidityUnits":              map[string]any{},
		"AllowedOAuthFlowsUserPoolClient": false,
		"EnableTokenRevocation":           true,
		"EnablePropagateAdditionalUserContextData": false,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("minimal create model (-want +got):\n%s", diff)
	}
	read, err := f.client.Read(context.Background(), f.env, f.tx, pool+"|"+got["ClientId"].(string))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if diff := cmp.Diff(got, read); diff != "" {
		t.Errorf("Read differs from Create (-create +read):\n%s", diff)
	}
}

func TestClientHandler_Secret(t *testing.T) {
	f := newFixture(t)
	pool := f.mustPool(nil)
	with := f.mustClient(map[string]any{"UserPoolId": pool, "ClientName": "s", "GenerateSecret": true})
	if s, _ := with["ClientSecret"].(string); !reSecret.MatchString(s) {
		t.Errorf("ClientSecret = %q, want 52 [a-z0-9]", s)
	}
	if with["GenerateSecret"] != true {
		t.Errorf("GenerateSecret = %v, want true echoed", with["GenerateSecret"])
	}
	without := f.mustClient(map[string]any{"UserPoolId": pool, "ClientName": "n", "GenerateSecret": false})
	if _, ok := without["ClientSecret"]; ok {
		t.Errorf("client without GenerateSecret has a ClientSecret")
	}
	// A ClientSecret in the desired state is read-only: never adopted.
	given := f.mustClient(map[string]any{"UserPoolId": pool, "ClientName": "g", "ClientSecret": "abcdefghijklmnopqrstuvwxyz0123"})
	if _, ok := given["ClientSecret"]; ok {
		t.Errorf("ClientSecret from desired state was adopted")
	}
}

func TestClientHandler_TokenValidityUnits(t *testing.T) {
	f := newFixture(t)
	pool := f.mustPool(nil)
	got := f.mustClient(map[string]any{
		"UserPoolId": pool, "ClientName": "u",
		"AccessTokenValidity": 1, "TokenValidityUnits": map[string]any{"AccessToken": "days"},
	})
	want := map[string]any{"AccessToken": "days", "IdToken": "hours", "RefreshToken": "days"}
	if diff := cmp.Diff(want, got["TokenValidityUnits"]); diff != "" {
		t.Errorf("partial units not filled (-want +got):\n%s", diff)
	}

	// The default refresh lifetime is 30 days in whatever unit was chosen,
	// and survives a full-replace update that sends the read model back.
	minutes := f.mustClient(map[string]any{
		"UserPoolId": pool, "ClientName": "u2", "TokenValidityUnits": map[string]any{"RefreshToken": "minutes"},
	})
	if got := minutes["RefreshTokenValidity"]; got != float64(43200) {
		t.Errorf("default RefreshTokenValidity in minutes = %v, want 43200", got)
	}
	id := pool + "|" + minutes["ClientId"].(string)
	if _, err := f.client.Update(context.Background(), f.env, f.tx, id, minutes); err != nil {
		t.Errorf("update with the read model: %v", err)
	}
}

// ruleCase is one Cognito rule check through the Cloud Control handler.
type ruleCase struct {
	name  string
	model map[string]any // merged over {UserPoolId, ClientName}
	code  handler.Code   // "" for success
	msg   string
}

func TestClientHandler_Rules(t *testing.T) {
	f := newFixture(t)
	pool := f.mustPool(map[string]any{
		"Schema": []any{map[string]any{"Name": "tier", "AttributeDataType": "String", "Mutable": true}},
	})
	other := "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/0123456789abcdef0123456789abcdef"
	same := "arn:aws:mobiletargeting:us-east-1:123456789012:apps/0123456789abcdef0123456789abcdef"
	role := "arn:aws:iam::123456789012:role/pinpoint"
	manyURLs := make([]any, 101)
	for i := range manyURLs {
		manyURLs[i] = fmt.Sprintf("https://example.com/%d", i)
	}
	longURL := "https://www.example.com/redirect/" + strings.Repeat("あ", 991) // 1024 characters
	const ir = handler.InvalidRequest
	cases := []ruleCase{
		// token validity (B3)
		{"access 25 hours", m("AccessTokenValidity", 25), ir, "Invalid range for token validity."},
		{"access 4 minutes", m("AccessTokenValidity", 4, "TokenValidityUnits", map[string]any{"AccessToken": "minutes"}), ir, "Invalid range for token validity."},
		{"access 5 minutes", m("AccessTokenValidity", 5, "TokenValidityUnits", map[string]any{"AccessToken": "minutes"}), "", ""},
		{"id 86400 seconds", m("IdTokenValidity", 86400, "TokenValidityUnits", map[string]any{"IdToken": "seconds"}), "", ""},
		{"id 86401 seconds", m("IdTokenValidity", 86401, "TokenValidityUnits", map[string]any{"IdToken": "seconds"}), ir, "1 validation error detected: Value '86401' at 'idTokenValidity' failed to satisfy constraint: Member must have value less than or equal to 86400"},
		{"refresh 30 minutes", m("RefreshTokenValidity", 30, "TokenValidityUnits", map[string]any{"RefreshToken": "minutes"}), ir, "Invalid range for token validity."},
		{"refresh 60 minutes", m("RefreshTokenValidity", 60, "TokenValidityUnits", map[string]any{"RefreshToken": "minutes"}), "", ""},
		{"refresh 4000 days", m("RefreshTokenValidity", 4000), ir, "Invalid range for token validity."},
		{"refresh 3650 days", m("RefreshTokenValidity", 3650), "", ""},
		{"access above refresh", m("AccessTokenValidity", 12, "RefreshTokenValidity", 2, "TokenValidityUnits", map[string]any{"RefreshToken": "hours"}), ir, "Access and Id Token expiration times must be less than or equal to refresh token expiration times."},
		{"id above refresh", m("IdTokenValidity", 3, "RefreshTokenValidity", 2, "TokenValidityUnits", map[string]any{"RefreshToken": "hours"}), ir, "Access and Id Token expiration times must be less than or equal to refresh token expiration times."},
		{"unit without a value", m("TokenValidityUnits", map[string]any{"AccessToken": "minutes", "IdToken": "seconds"}), "", ""},
		{"refresh unit without a value", m("TokenValidityUnits", map[string]any{"RefreshToken": "minutes"}), "", ""},
		{"access equals refresh", m("AccessTokenValidity", 1, "RefreshTokenValidity", 1, "TokenValidityUnits", map[string]any{"AccessToken": "days"}), "", ""},
		{"unknown unit", m("TokenValidityUnits", map[string]any{"AccessToken": "weeks"}), ir, "1 validation error detected: Value 'weeks' at 'tokenValidityUnits.accessToken' failed to satisfy constraint: Member must satisfy enum value set: [seconds, minutes, hours, days]"},

		// explicit auth flows (B4)
		{"unknown auth flow", m("ExplicitAuthFlows", []any{"FOO", "ALLOW_USER_SRP_AUTH"}), ir, "1 validation error detected: Value '[FOO, ALLOW_USER_SRP_AUTH]' at 'explicitAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_CUSTOM_AUTH, ALLOW_USER_PASSWORD_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_AUTH]]"},
		{"legacy mixed with ALLOW", m("ExplicitAuthFlows", []any{"USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"}), ir, "Auth flow name with prefix 'ALLOW' cannot be used with legacy auth flow names."},
		{"legacy only", m("ExplicitAuthFlows", []any{"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"}), "", ""},
		{"ALLOW only", m("ExplicitAuthFlows", []any{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH"}), "", ""},

		// URLs (B5)
		{"http callback", m("CallbackURLs", []any{"http://example.com/cb"}), ir, "http://example.com/cb cannot use the HTTP protocol."},
		{"http localhost with port", m("CallbackURLs", []any{"http://localhost:3000/cb"}), "", ""},
		{"http 127.0.0.1", m("CallbackURLs", []any{"http://127.0.0.1:8080/cb"}), "", ""},
		{"http [::1]", m("CallbackURLs", []any{"http://[::1]:8080/cb"}), "", ""},
		{"http localhost lookalike", m("CallbackURLs", []any{"http://localhost.example.com/cb"}), ir, "http://localhost.example.com/cb cannot use the HTTP protocol."},
		{"app scheme", m("CallbackURLs", []any{"myapp://callback"}), "", ""},
		{"fragment", m("CallbackURLs", []any{"https://example.com/cb#frag"}), ir, "https://example.com/cb#frag cannot use fragment"},
		{"relative", m("CallbackURLs", []any{"/cb"}), ir, "/cb is not a valid URL."},
		{"http logout", m("LogoutURLs", []any{"http://example.com/out"}), ir, "http://example.com/out cannot use the HTTP protocol."},
		{"1024-character UTF-8 URL", m("CallbackURLs", []any{longURL}), "", ""},
		{"1025-character URL", m("CallbackURLs", []any{longURL + "x"}), ir, "1 validation error detected: Value '[" + longURL + "x]' at 'callbackURLs' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+]"},
		{"101 callbacks", m("CallbackURLs", manyURLs), ir, "1 validation error detected: Value '[" + joinAny(manyURLs) + "]' at 'callbackURLs' failed to satisfy constraint: Member must have length less than or equal to 100"},
		{"default redirect not a callback", m("CallbackURLs", []any{"https://a.example.com/cb"}, "DefaultRedirectURI", "https://b.example.com/cb"), ir, "The default redirect URI https://b.example.com/cb is not in the callback URIs list."},
		{"default redirect without callbacks", m("DefaultRedirectURI", "https://b.example.com/cb"), ir, "The default redirect URI https://b.example.com/cb is not in the callback URIs list."},
		{"default redirect is a callback", m("CallbackURLs", []any{"https://a.example.com/cb"}, "DefaultRedirectURI", "https://a.example.com/cb"), "", ""},

		// OAuth (B6)
		{"oauth flag without flows", m("AllowedOAuthFlowsUserPoolClient", true, "AllowedOAuthScopes", []any{"openid"}), ir, "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows."},
		{"oauth flag without scopes", m("AllowedOAuthFlowsUserPoolClient", true, "AllowedOAuthFlows", []any{"code"}, "CallbackURLs", []any{"https://a.example.com"}), ir, "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows."},
		{"code without callbacks", m("AllowedOAuthFlowsUserPoolClient", true, "AllowedOAuthFlows", []any{"code"}, "AllowedOAuthScopes", []any{"openid"}), ir, "CallbackUrls can not be empty when code flow or implicit flow is selected"},
		{"implicit without callbacks", m("AllowedOAuthFlows", []any{"implicit"}), ir, "CallbackUrls can not be empty when code flow or implicit flow is selected"},
		{"code with callbacks", m("AllowedOAuthFlowsUserPoolClient", true, "AllowedOAuthFlows", []any{"code", "implicit"}, "AllowedOAuthScopes", []any{"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"}, "CallbackURLs", []any{"https://a.example.com/cb"}), "", ""},
		{"client_credentials without secret", m("AllowedOAuthFlowsUserPoolClient", true, "AllowedOAuthFlows", []any{"client_credentials"}, "AllowedOAuthScopes", []any{"api/read"}), ir, "client_credentials flow can not be selected if client does not have a client secret."},
		{"client_credentials with code", m("GenerateSecret", true, "AllowedOAuthFlows", []any{"client_credentials", "code"}, "CallbackURLs", []any{"https://a.example.com/cb"}), ir, "client_credentials flow can not be selected along with code flow or implicit flow."},
		{"client_credentials with user scope", m("GenerateSecret", true, "AllowedOAuthFlowsUserPoolClient", true, "AllowedOAuthFlows", []any{"client_credentials"}, "AllowedOAuthScopes", []any{"openid"}), ir, "openid is not supported with client_credentials flow"},
		{"unknown custom scope", m("AllowedOAuthFlowsUserPoolClient", true, "AllowedOAuthFlows", []any{"code"}, "AllowedOAuthScopes", []any{"api/read"}, "CallbackURLs", []any{"https://a.example.com/cb"}), ir, "Invalid scope requested: api/read"},
		{"unknown plain scope", m("AllowedOAuthScopes", []any{"admin"}), ir, "Invalid scope requested: admin"},
		{"unknown oauth flow", m("AllowedOAuthFlows", []any{"password"}), ir, "1 validation error detected: Value '[password]' at 'allowedOAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [code, implicit, client_credentials]]"},
		{"scope with space", m("AllowedOAuthScopes", []any{"a b"}), ir, "1 validation error detected: Value '[a b]' at 'allowedOAuthScopes' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\\x21\\x23-\\x5B\\x5D-\\x7E]+]"},

		// other cross-field rules (B7)
		{"context data without secret", m("EnablePropagateAdditionalUserContextData", true), ir, "Client Secret is required to set EnablePropagateAdditionalUserContextData as true"},
		{"context data with secret", m("EnablePropagateAdditionalUserContextData", true, "GenerateSecret", true), "", ""},
		{"analytics arn and role", m("AnalyticsConfiguration", map[string]any{"ApplicationArn": same, "RoleArn": role}), ir, "Invalid analytics configuration given, either <application arn> or <application id, role arn, external id> are valid"},
		{"analytics id alone", m("AnalyticsConfiguration", map[string]any{"ApplicationId": "0123456789abcdef"}), ir, "Invalid analytics configuration given, either <application arn> or <application id, role arn, external id> are valid"},
		{"analytics id and role", m("AnalyticsConfiguration", map[string]any{"ApplicationId": "0123456789abcdef", "RoleArn": role, "ExternalId": "x"}), "", ""},
		{"analytics arn same region", m("AnalyticsConfiguration", map[string]any{"ApplicationArn": same, "UserDataShared": true}), "", ""},
		{"analytics arn other region", m("AnalyticsConfiguration", map[string]any{"ApplicationArn": other}), ir, "The integration with Pinpoint is not supported for the requested eu-west-1 region."},
		{"read standard and custom", m("ReadAttributes", []any{"email", "email_verified", "custom:tier"}), "", ""},
		{"read unknown custom", m("ReadAttributes", []any{"custom:nope"}), ir, "Invalid read attributes specified while creating a client"},
		{"write email_verified", m("WriteAttributes", []any{"email", "email_verified"}), ir, "Invalid write attributes specified while creating a client"},
		{"write phone_number_verified", m("WriteAttributes", []any{"phone_number_verified"}), ir, "Invalid write attributes specified while creating a client"},
		{"write sub", m("WriteAttributes", []any{"sub"}), ir, "Invalid write attributes specified while creating a client"},
		{"write custom", m("WriteAttributes", []any{"email", "custom:tier"}), "", ""},
		{"unknown provider", m("SupportedIdentityProviders", []any{"COGNITO", "Google"}), ir, "The provider Google does not exist for User Pool " + pool + "."},
		{"COGNITO provider", m("SupportedIdentityProviders", []any{"COGNITO"}), "", ""},
		{"prevent user existence enum", m("PreventUserExistenceErrors", "SOMETIMES"), ir, "1 validation error detected: Value 'SOMETIMES' at 'preventUserExistenceErrors' failed to satisfy constraint: Member must satisfy enum value set: [LEGACY, ENABLED]"},
		{"prevent user existence ENABLED", m("PreventUserExistenceErrors", "ENABLED"), "", ""},
		{"client name pattern", m("ClientName", "bad/name"), ir, "1 validation error detected: Value 'bad/name' at 'clientName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+"},
		{"client name allowed characters", m("ClientName", "My app+=,.@-_ 1"), "", ""},
		{"two shape errors", m("ClientName", "bad/name", "PreventUserExistenceErrors", "X"), ir, "2 validation errors detected: Value 'bad/name' at 'clientName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+; Value 'X' at 'preventUserExistenceErrors' failed to satisfy constraint: Member must satisfy enum value set: [LEGACY, ENABLED]"},
		{"rotation without feature", m("RefreshTokenRotation", map[string]any{"RetryGracePeriodSeconds": 10}), ir, "1 validation error detected: Value null at 'refreshTokenRotation.feature' failed to satisfy constraint: Member must not be null"},
		{"rotation enabled", m("RefreshTokenRotation", map[string]any{"Feature": "ENABLED", "RetryGracePeriodSeconds": 10}), "", ""},
		{"missing pool", m("UserPoolId", "us-east-1_missing01"), handler.NotFound, "User pool us-east-1_missing01 does not exist."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			desired := map[string]any{"UserPoolId": pool, "ClientName": "app"}
			for k, v := range tc.model {
				desired[k] = v
			}
			got, err := f.create(f.client, desired)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("create failed: %v", err)
				}
				if got["ClientId"] == nil {
					t.Fatalf("created model has no ClientId: %v", got)
				}
				return
			}
			if err == nil {
				t.Fatalf("create succeeded, want %s %q", tc.code, tc.msg)
			}
			code, msg := handlerError(t, err)
			if code != tc.code || msg != tc.msg {
				t.Errorf("got %s %q\nwant %s %q", code, msg, tc.code, tc.msg)
			}
		})
	}
}

func TestClientHandler_Update(t *testing.T) {
	f := newFixture(t)
	pool := f.mustPool(nil)
	created := f.mustClient(map[string]any{
		"UserPoolId": pool, "ClientName": "full", "GenerateSecret": true,
		"ExplicitAuthFlows":               []any{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		"AccessTokenValidity":             2,
		"RefreshTokenValidity":            10,
		"AuthSessionValidity":             10,
		"EnableTokenRevocation":           false,
		"CallbackURLs":                    []any{"https://a.example.com/cb"},
		"AllowedOAuthFlows":               []any{"code"},
		"AllowedOAuthScopes":              []any{"openid"},
		"AllowedOAuthFlowsUserPoolClient": true,
		"PreventUserExistenceErrors":      "ENABLED",
	})
	id := pool + "|" + created["ClientId"].(string)

	// The core hands Update the patched model with read-only properties as
	// they were; here everything but the name was removed by the patch.
	desired := map[string]any{
		"UserPoolId": pool, "ClientId": created["ClientId"], "ClientSecret": "tampered-secret-value-0000",
		"Name": "full", "GenerateSecret": true, "ClientName": "renamed",
	}
	got, err := f.client.Update(context.Background(), f.env, f.tx, id, desired)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	want := map[string]any{
		"UserPoolId":                      pool,
		"ClientId":                        created["ClientId"],
		"ClientSecret":                    created["ClientSecret"],
		"GenerateSecret":                  true,
		"ClientName":                      "renamed",
		"Name":                            "renamed",
		"AuthSessionValidity":             float64(3),
		"RefreshTokenValidity":            float64(30),
		"TokenValidityUnits":              map[string]any{},
		"AllowedOAuthFlowsUserPoolClient": false,
		"EnableTokenRevocation":           true,
		"EnablePropagateAdditionalUserContextData": false,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("update is not a full replace (-want +got):\n%s", diff)
	}
	read, err := f.client.Read(context.Background(), f.env, f.tx, id)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if diff := cmp.Diff(got, read); diff != "" {
		t.Errorf("Read after Update (-update +read):\n%s", diff)
	}

	// Without a name the name is kept.
	got, err = f.client.Update(context.Background(), f.env, f.tx, id, map[string]any{"UserPoolId": pool})
	if err != nil {
		t.Fatalf("Update without name: %v", err)
	}
	if got["ClientName"] != "renamed" {
		t.Errorf("ClientName after update without one = %v, want renamed", got["ClientName"])
	}

	// The rules apply on update too, and a failed update changes nothing.
	_, err = f.client.Update(context.Background(), f.env, f.tx, id, map[string]any{"UserPoolId": pool, "AccessTokenValidity": 25})
	code, msg := handlerError(t, err)
	if code != handler.InvalidRequest || msg != "Invalid range for token validity." {
		t.Errorf("bad update: got %s %q", code, msg)
	}

	// The secret keeps client_credentials possible after the update.
	_, err = f.client.Update(context.Background(), f.env, f.tx, id, map[string]any{
		"UserPoolId": pool, "AllowedOAuthFlowsUserPoolClient": true,
		"AllowedOAuthFlows": []any{"client_credentials"}, "AllowedOAuthScopes": []any{"openid"},
	})
	if _, msg := handlerError(t, err); msg != "openid is not supported with client_credentials flow" {
		t.Errorf("client_credentials update on a secret client: %q", msg)
	}

	_, err = f.client.Update(context.Background(), f.env, f.tx, pool+"|nosuchclient0000000000000", map[string]any{"UserPoolId": pool})
	if code, _ := handlerError(t, err); code != handler.NotFound {
		t.Errorf("update of a missing client: code %s, want NotFound", code)
	}
}

func TestClientHandler_ReadDeleteNotFound(t *testing.T) {
	f := newFixture(t)
	pool := f.mustPool(nil)
	c := f.mustClient(map[string]any{"UserPoolId": pool})
	id := pool + "|" + c["ClientId"].(string)
	ctx := context.Background()
	if err := f.client.Delete(ctx, f.env, f.tx, id); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	for _, ident := range []string{id, "nopipe", pool + "|"} {
		_, err := f.client.Read(ctx, f.env, f.tx, ident)
		code, msg := handlerError(t, err)
		want := fmt.Sprintf("Resource of type 'AWS::Cognito::UserPoolClient' with identifier '%s' was not found.", ident)
		if code != handler.NotFound || msg != want {
			t.Errorf("Read(%q) = %s %q, want NotFound %q", ident, code, msg, want)
		}
	}
	if code, _ := handlerError(t, f.client.Delete(ctx, f.env, f.tx, id)); code != handler.NotFound {
		t.Errorf("second Delete: code %s, want NotFound", code)
	}
}

func TestClientHandler_List(t *testing.T) {
	f := newFixture(t)
	p1, p2 := f.mustPool(nil), f.mustPool(nil)
	a := f.mustClient(map[string]any{"UserPoolId": p1, "ClientName": "a"})
	b := f.mustClient(map[string]any{"UserPoolId": p1, "ClientName": "b"})
	f.mustClient(map[string]any{"UserPoolId": p2, "ClientName": "c"})
	got, err := f.client.List(context.Background(), f.env, f.tx, map[string]any{"UserPoolId": p1})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	want := []map[string]any{
		{"UserPoolId": p1, "ClientId": a["ClientId"]},
		{"UserPoolId": p1, "ClientId": b["ClientId"]},
	}
	if want[0]["ClientId"].(string) > want[1]["ClientId"].(string) {
		want[0], want[1] = want[1], want[0]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	_, err = f.client.List(context.Background(), f.env, f.tx, map[string]any{"UserPoolId": "us-east-1_nosuch000"})
	if code, msg := handlerError(t, err); code != handler.NotFound || msg != "User pool us-east-1_nosuch000 does not exist." {
		t.Errorf("List of a missing pool: %s %q", code, msg)
	}
}

func TestClientHandler_Limit(t *testing.T) {
	f := newFixture(t)
	pool := f.mustPool(nil)
	for i := 0; i < 1000; i++ {
		if _, err := f.create(f.client, map[string]any{"UserPoolId": pool, "ClientName": "c"}); err != nil {
			t.Fatalf("client %d: %v", i+1, err)
		}
	}
	_, err := f.create(f.client, map[string]any{"UserPoolId": pool, "ClientName": "c"})
	if code, _ := handlerError(t, err); code != handler.ServiceLimitExceeded {
		t.Errorf("client 1001: code %s, want ServiceLimitExceeded", code)
	}
	// Another pool is not affected.
	other := f.mustPool(nil)
	f.mustClient(map[string]any{"UserPoolId": other})
}

// m builds a model from key, value pairs.
func m(kv ...any) map[string]any {
	out := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func joinAny(items []any) string {
	s := make([]string, len(items))
	for i, it := range items {
		s[i] = fmt.Sprint(it)
	}
	return strings.Join(s, ", ")
}
