package cognito

import "testing"

// BenchmarkModelValidation measures the validation every call pays: a
// typical app-client body, valid, so every member is checked.
func BenchmarkModelValidation(b *testing.B) {
	body := []byte(`{"UserPoolId":"us-east-1_abcDEF123","ClientName":"web app","GenerateSecret":false,` +
		`"ExplicitAuthFlows":["ALLOW_USER_SRP_AUTH","ALLOW_REFRESH_TOKEN_AUTH"],"SupportedIdentityProviders":["COGNITO"],` +
		`"CallbackURLs":["https://app.example.com/cb"],"LogoutURLs":["https://app.example.com/"],` +
		`"AllowedOAuthFlows":["code"],"AllowedOAuthScopes":["openid","email"],"AllowedOAuthFlowsUserPoolClient":true,` +
		`"AccessTokenValidity":60,"IdTokenValidity":60,"RefreshTokenValidity":30,` +
		`"TokenValidityUnits":{"AccessToken":"minutes","IdToken":"minutes","RefreshToken":"days"}}`)
	in := modelInputs["CreateUserPoolClient"]
	if err := validateModelInput(in, body); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if validateModelInput(in, body) != nil {
			b.Fatal("invalid")
		}
	}
}
