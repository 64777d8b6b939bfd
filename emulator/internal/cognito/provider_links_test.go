package cognito_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/ccql/ccql/emulator/internal/cognito"
)

// TestAdminLinkProviderForUser links an identity of another pool (an OIDC
// provider) to a native user: the federated sign-in through the hosted UI
// then signs the native user in; AdminDisableProviderForUser removes the
// link, and the next sign-in makes a federated user of its own.
func TestAdminLinkProviderForUser(t *testing.T) {
	st := newMemStore()
	p := newIdP(t, st, cognito.DefaultAccount)
	b := newPageClient(t, newOAuth(st))
	upstream := p.call("CreateUserPool", `{"PoolName":"upstream"}`)["UserPool"].(map[string]any)["Id"].(string)
	p.call("CreateUserPoolDomain", `{"UserPoolId":"`+upstream+`","Domain":"upstream-link"}`)
	p.call("AdminCreateUser", `{"UserPoolId":"`+upstream+`","Username":"carol","MessageAction":"SUPPRESS","UserAttributes":[{"Name":"email","Value":"carol@corp.example"},{"Name":"email_verified","Value":"true"}]}`)
	p.call("AdminSetUserPassword", `{"UserPoolId":"`+upstream+`","Username":"carol","Password":"`+alicePassword+`","Permanent":true}`)
	carolSub := ""
	for _, a := range p.call("AdminGetUser", `{"UserPoolId":"`+upstream+`","Username":"carol"}`)["UserAttributes"].([]any) {
		if a.(map[string]any)["Name"] == "sub" {
			carolSub = a.(map[string]any)["Value"].(string)
		}
	}
	pool := p.call("CreateUserPool", `{"PoolName":"app"}`)["UserPool"].(map[string]any)["Id"].(string)
	p.call("CreateUserPoolDomain", `{"UserPoolId":"`+pool+`","Domain":"app-link"}`)
	idpResponse := b.base + "/" + pool + "/oauth2/idpresponse"
	up := p.call("CreateUserPoolClient", `{"UserPoolId":"`+upstream+`","ClientName":"federation","GenerateSecret":true,"AllowedOAuthFlows":["code"],"AllowedOAuthScopes":["openid","email"],"AllowedOAuthFlowsUserPoolClient":true,"CallbackURLs":["`+idpResponse+`"],"SupportedIdentityProviders":["COGNITO"]}`)["UserPoolClient"].(map[string]any)
	p.call("CreateIdentityProvider", `{"UserPoolId":"`+pool+`","ProviderName":"Upstream","ProviderType":"OIDC","ProviderDetails":{"client_id":"`+up["ClientId"].(string)+`","client_secret":"`+up["ClientSecret"].(string)+`","authorize_scopes":"openid email","attributes_request_method":"GET","oidc_issuer":"https://cognito-idp.us-east-1.amazonaws.com/`+upstream+`"},"AttributeMapping":{"email":"email"}}`)
	app := p.call("CreateUserPoolClient", `{"UserPoolId":"`+pool+`","ClientName":"web","AllowedOAuthFlows":["code"],"AllowedOAuthScopes":["openid","email"],"AllowedOAuthFlowsUserPoolClient":true,"CallbackURLs":["`+cbURL+`"],"SupportedIdentityProviders":["COGNITO","Upstream"]}`)["UserPoolClient"].(map[string]any)["ClientId"].(string)
	p.call("AdminCreateUser", `{"UserPoolId":"`+pool+`","Username":"dana","MessageAction":"SUPPRESS"}`)

	signIn := func() string {
		t.Helper()
		q := url.Values{"client_id": {app}, "response_type": {"code"}, "redirect_uri": {cbURL}, "state": {"s"}, "identity_provider": {"Upstream"}}
		b.c.Jar = nil
		login := b.get(b.base + "/" + pool + "/oauth2/authorize?" + q.Encode())
		cb := callback(t, b.submit(login, map[string]string{"username": "carol", "password": alicePassword}), cbURL)
		status, toks := b.postForm(b.base+"/"+pool+"/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {app}, "code": {cb.Get("code")}, "redirect_uri": {cbURL}}, nil)
		if status != 200 {
			t.Fatalf("exchange: %d %v", status, toks)
		}
		return payload(t, toks["id_token"].(string))["cognito:username"].(string)
	}

	link := `{"UserPoolId":"` + pool + `","DestinationUser":{"ProviderName":"Cognito","ProviderAttributeValue":"dana"},"SourceUser":{"ProviderName":"Upstream","ProviderAttributeName":"Cognito_Subject","ProviderAttributeValue":"` + carolSub + `"}}`
	p.call("AdminLinkProviderForUser", link)
	dana := p.call("AdminGetUser", `{"UserPoolId":"`+pool+`","Username":"dana"}`)
	found := false
	for _, a := range dana["UserAttributes"].([]any) {
		m := a.(map[string]any)
		found = found || (m["Name"] == "identities" && strings.Contains(m["Value"].(string), `"userId":"`+carolSub+`"`))
	}
	if !found {
		t.Errorf("dana's identities lack the linked identity: %v", dana["UserAttributes"])
	}
	if got := signIn(); got != "dana" {
		t.Fatalf("federated sign-in of a linked identity signed in %q, want dana", got)
	}

	refusals := []struct {
		name, body, code, msg string
	}{
		{"linked twice", link, "AliasExistsException", "The SourceUser is already linked to user dana."},
		{"unknown provider", strings.Replace(link, `"ProviderName":"Upstream"`, `"ProviderName":"Nope"`, 1), "ResourceNotFoundException", "Identity provider Nope does not exist."},
		{"destination not Cognito", strings.Replace(link, `"ProviderName":"Cognito"`, `"ProviderName":"Upstream"`, 1), "InvalidParameterException", "DestinationUser ProviderName must be Cognito."},
		{"unknown destination", strings.Replace(link, `"dana"`, `"ghost"`, 1), "UserNotFoundException", "User does not exist."},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			_, err := cognito.Operations()["AdminLinkProviderForUser"](context.Background(), p.env, p.st.scope(p.account, testRegion), []byte(r.body))
			wantSDKError(t, apiAsSmithy(err), r.code, r.msg)
		})
	}

	p.call("AdminDisableProviderForUser", `{"UserPoolId":"`+pool+`","User":{"ProviderName":"Upstream","ProviderAttributeName":"Cognito_Subject","ProviderAttributeValue":"`+carolSub+`"}}`)
	fed := signIn()
	if fed != "Upstream_"+carolSub {
		t.Fatalf("after unlinking, sign-in as %q, want the federated user", fed)
	}
	// Linking an identity that already has its own user is refused.
	_, err := cognito.Operations()["AdminLinkProviderForUser"](context.Background(), p.env, p.st.scope(p.account, testRegion), []byte(link))
	wantSDKError(t, apiAsSmithy(err), "InvalidParameterException", "Merging is not currently supported, provide a SourceUser that has not been imported into the User Pool")
	// Disabling the federated user's own identity disables the user.
	p.call("AdminDisableProviderForUser", `{"UserPoolId":"`+pool+`","User":{"ProviderName":"Upstream","ProviderAttributeName":"Cognito_Subject","ProviderAttributeValue":"`+carolSub+`"}}`)
	if u := p.call("AdminGetUser", `{"UserPoolId":"`+pool+`","Username":"`+fed+`"}`); u["Enabled"] != false {
		t.Errorf("federated user still enabled: %v", u["Enabled"])
	}
}
