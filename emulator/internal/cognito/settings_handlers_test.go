package cognito_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/handler"
	"github.com/google/go-cmp/cmp"
)

const (
	riskTypeName     = "AWS::Cognito::UserPoolRiskConfigurationAttachment"
	uiTypeName       = "AWS::Cognito::UserPoolUICustomizationAttachment"
	brandingTypeName = "AWS::Cognito::ManagedLoginBranding"
	logTypeName      = "AWS::Cognito::LogDeliveryConfiguration"
	termsTypeName    = "AWS::Cognito::Terms"
)

// idp runs an IdP operation on the fixture's store and returns its result
// as JSON decodes it.
func (f *fixture) idp(op string, in map[string]any) (map[string]any, error) {
	f.t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		f.t.Fatal(err)
	}
	out, err := cognito.Operations()[op](context.Background(), f.env, f.tx, body)
	if err != nil {
		return nil, err
	}
	return roundTrip(out)
}

func (f *fixture) mustIdP(op string, in map[string]any) map[string]any {
	f.t.Helper()
	out, err := f.idp(op, in)
	if err != nil {
		f.t.Fatalf("%s: %v", op, err)
	}
	return out
}

func (f *fixture) read(typeName, id string) (map[string]any, error) {
	return f.handler(typeName).Read(context.Background(), f.env, f.tx, id)
}

func (f *fixture) mustRead(typeName, id string) map[string]any {
	f.t.Helper()
	m, err := f.read(typeName, id)
	if err != nil {
		f.t.Fatalf("read %s %s: %v", typeName, id, err)
	}
	return m
}

func (f *fixture) update(typeName, id string, desired map[string]any) (map[string]any, error) {
	return f.handler(typeName).Update(context.Background(), f.env, f.tx, id, desired)
}

func (f *fixture) remove(typeName, id string) error {
	return f.handler(typeName).Delete(context.Background(), f.env, f.tx, id)
}

func wantDiff(t *testing.T, what string, want, got any) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

// settingsFixture is a Plus pool with two clients.
func settingsFixture(t *testing.T) (f *fixture, pool, web, other string) {
	f = newFixture(t)
	pool = f.mustPool(map[string]any{"UserPoolTier": "PLUS"})
	web = f.mustClient(map[string]any{"UserPoolId": pool, "ClientName": "web"})["ClientId"].(string)
	other = f.mustClient(map[string]any{"UserPoolId": pool, "ClientName": "other"})["ClientId"].(string)
	return f, pool, web, other
}

func TestRiskHandler(t *testing.T) {
	f, pool, web, _ := settingsFixture(t)
	poolRisk := map[string]any{"UserPoolId": pool, "ClientId": "ALL",
		"RiskExceptionConfiguration": map[string]any{"BlockedIPRangeList": []any{"192.0.2.0/24"}}}
	got := f.mustCreate(riskTypeName, poolRisk)
	wantDiff(t, "created pool-wide model", poolRisk, got)
	// The IdP API sees it, for the pool and for a client without its own.
	for _, c := range []string{"", web} {
		in := map[string]any{"UserPoolId": pool}
		if c != "" {
			in["ClientId"] = c
		}
		rc := f.mustIdP("DescribeRiskConfiguration", in)["RiskConfiguration"].(map[string]any)
		wantDiff(t, "DescribeRiskConfiguration "+c, poolRisk["RiskExceptionConfiguration"], rc["RiskExceptionConfiguration"])
	}

	// A client's own configuration set through the IdP API is a resource.
	f.mustIdP("SetRiskConfiguration", map[string]any{"UserPoolId": pool, "ClientId": web,
		"CompromisedCredentialsRiskConfiguration": map[string]any{"Actions": map[string]any{"EventAction": "BLOCK"}}})
	wantDiff(t, "client model read through Cloud Control", map[string]any{"UserPoolId": pool, "ClientId": web,
		"CompromisedCredentialsRiskConfiguration": map[string]any{"Actions": map[string]any{"EventAction": "BLOCK"}}},
		f.mustRead(riskTypeName, pool+"|"+web))

	// Update replaces it whole; Describe agrees.
	upd := map[string]any{"UserPoolId": pool, "ClientId": web, "AccountTakeoverRiskConfiguration": map[string]any{
		"Actions": map[string]any{"HighAction": map[string]any{"EventAction": "BLOCK", "Notify": false}}}}
	if _, err := f.update(riskTypeName, pool+"|"+web, upd); err != nil {
		t.Fatal(err)
	}
	rc := f.mustIdP("DescribeRiskConfiguration", map[string]any{"UserPoolId": pool, "ClientId": web})["RiskConfiguration"].(map[string]any)
	if rc["CompromisedCredentialsRiskConfiguration"] != nil || rc["AccountTakeoverRiskConfiguration"] == nil {
		t.Errorf("after update, Describe = %v", rc)
	}
	// Delete removes the client's record: the client falls back to the pool's.
	if err := f.remove(riskTypeName, pool+"|"+web); err != nil {
		t.Fatal(err)
	}
	rc = f.mustIdP("DescribeRiskConfiguration", map[string]any{"UserPoolId": pool, "ClientId": web})["RiskConfiguration"].(map[string]any)
	wantDiff(t, "fallback after delete", poolRisk["RiskExceptionConfiguration"], rc["RiskExceptionConfiguration"])

	for _, tc := range []struct {
		name    string
		call    func() error
		code    handler.Code
		message string
	}{
		{"create twice", func() error { _, err := f.create(f.handler(riskTypeName), poolRisk); return err },
			handler.AlreadyExists, "Resource of type '" + riskTypeName + "' with identifier '" + pool + "|ALL' already exists."},
		{"unknown client", func() error {
			_, err := f.create(f.handler(riskTypeName), map[string]any{"UserPoolId": pool, "ClientId": "nosuchclient"})
			return err
		}, handler.NotFound, "User pool client nosuchclient does not exist."},
		{"unknown pool", func() error {
			_, err := f.create(f.handler(riskTypeName), map[string]any{"UserPoolId": "us-east-1_nopoolxyz", "ClientId": "ALL"})
			return err
		}, handler.NotFound, "User pool us-east-1_nopoolxyz does not exist."},
		{"bad CIDR", func() error {
			_, err := f.create(f.handler(riskTypeName), map[string]any{"UserPoolId": pool, "ClientId": web,
				"RiskExceptionConfiguration": map[string]any{"SkippedIPRangeList": []any{"10.0.0.0/33"}}})
			return err
		}, handler.InvalidRequest, "Invalid IP range: 10.0.0.0/33"},
		{"bad action", func() error {
			_, err := f.create(f.handler(riskTypeName), map[string]any{"UserPoolId": pool, "ClientId": web,
				"CompromisedCredentialsRiskConfiguration": map[string]any{"Actions": map[string]any{"EventAction": "SHRUG"}}})
			return err
		}, handler.InvalidRequest, "1 validation error detected: Value 'SHRUG' at 'compromisedCredentialsRiskConfiguration.actions.eventAction' failed to satisfy constraint: Member must satisfy enum value set: [BLOCK, NO_ACTION]"},
		{"read deleted", func() error { _, err := f.read(riskTypeName, pool+"|"+web); return err },
			handler.NotFound, "Resource of type '" + riskTypeName + "' with identifier '" + pool + "|" + web + "' was not found."},
		{"update missing", func() error { _, err := f.update(riskTypeName, pool+"|"+web, upd); return err },
			handler.NotFound, "Resource of type '" + riskTypeName + "' with identifier '" + pool + "|" + web + "' was not found."},
		{"delete missing", func() error { return f.remove(riskTypeName, pool+"|"+web) },
			handler.NotFound, "Resource of type '" + riskTypeName + "' with identifier '" + pool + "|" + web + "' was not found."},
	} {
		t.Run(tc.name, func(t *testing.T) { wantFailure(t, tc.call(), tc.code, tc.message) })
	}
}

func TestUICustomizationHandler(t *testing.T) {
	f, pool, web, _ := settingsFixture(t)
	css := ".submitButton-customizable { background-color: rgb(10, 20, 30); }"
	model := map[string]any{"UserPoolId": pool, "ClientId": web, "CSS": css}
	wantDiff(t, "created", model, f.mustCreate(uiTypeName, model))
	ui := f.mustIdP("GetUICustomization", map[string]any{"UserPoolId": pool, "ClientId": web})["UICustomization"].(map[string]any)
	if ui["CSS"] != css || ui["ClientId"] != web {
		t.Errorf("GetUICustomization = %v", ui)
	}
	// A logo set through the IdP API survives a Cloud Control update,
	// which has no logo property.
	f.mustIdP("SetUICustomization", map[string]any{"UserPoolId": pool, "ClientId": web, "CSS": css, "ImageFile": base64.StdEncoding.EncodeToString(pngLogo)})
	css2 := ".banner-customizable { background-color: rgb(1, 2, 3); }"
	if _, err := f.update(uiTypeName, pool+"|"+web, map[string]any{"UserPoolId": pool, "ClientId": web, "CSS": css2}); err != nil {
		t.Fatal(err)
	}
	ui = f.mustIdP("GetUICustomization", map[string]any{"UserPoolId": pool, "ClientId": web})["UICustomization"].(map[string]any)
	if ui["CSS"] != css2 || ui["ImageUrl"] == nil {
		t.Errorf("after update, GetUICustomization = %v", ui)
	}
	// The pool-wide customization set through the IdP API is the ALL resource.
	f.mustIdP("SetUICustomization", map[string]any{"UserPoolId": pool, "CSS": css})
	wantDiff(t, "pool-wide", map[string]any{"UserPoolId": pool, "ClientId": "ALL", "CSS": css}, f.mustRead(uiTypeName, pool+"|ALL"))
	if err := f.remove(uiTypeName, pool+"|"+web); err != nil {
		t.Fatal(err)
	}
	ui = f.mustIdP("GetUICustomization", map[string]any{"UserPoolId": pool, "ClientId": web})["UICustomization"].(map[string]any)
	if ui["CSS"] != css || ui["ClientId"] != "ALL" {
		t.Errorf("after delete, the client falls back to the pool: %v", ui)
	}
	for _, tc := range []struct {
		name, css string
		code      handler.Code
		message   string
	}{
		{"class outside the template", ".evil { color: red; }", handler.InvalidRequest, `The CSS class "evil" is not one that the hosted UI allows you to customize.`},
		{"closing the style element", ".banner-customizable { color: red; } </style>", handler.InvalidRequest, "The CSS is not valid."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.create(f.handler(uiTypeName), map[string]any{"UserPoolId": pool, "ClientId": web, "CSS": tc.css})
			wantFailure(t, err, tc.code, tc.message)
		})
	}
	_, err := f.create(f.handler(uiTypeName), map[string]any{"UserPoolId": pool, "ClientId": "ALL"})
	wantFailure(t, err, handler.AlreadyExists, "Resource of type '"+uiTypeName+"' with identifier '"+pool+"|ALL' already exists.")
}

func TestBrandingHandler(t *testing.T) {
	f, pool, web, other := settingsFixture(t)
	settings := map[string]any{"categories": map[string]any{"global": map[string]any{"colorSchemeMode": "LIGHT"}}}
	asset := map[string]any{"Category": "PAGE_BACKGROUND", "ColorMode": "LIGHT", "Extension": "PNG", "Bytes": base64.StdEncoding.EncodeToString(pngLogo)}
	got := f.mustCreate(brandingTypeName, map[string]any{"UserPoolId": pool, "ClientId": web, "Settings": settings, "Assets": []any{asset}})
	id, _ := got["ManagedLoginBrandingId"].(string)
	wantDiff(t, "created", map[string]any{"UserPoolId": pool, "ManagedLoginBrandingId": id, "UseCognitoProvidedValues": false,
		"Settings": settings, "Assets": []any{asset}}, got)
	// Turning on Cognito's values beside content is refused.
	_, err := f.update(brandingTypeName, pool+"|"+id, map[string]any{"UseCognitoProvidedValues": true, "Settings": settings})
	wantFailure(t, err, handler.InvalidRequest, "When UseCognitoProvidedValues is true, Settings and Assets must be omitted.")
	byClient := f.mustIdP("DescribeManagedLoginBrandingByClient", map[string]any{"UserPoolId": pool, "ClientId": web})["ManagedLoginBranding"].(map[string]any)
	if byClient["ManagedLoginBrandingId"] != id {
		t.Errorf("DescribeManagedLoginBrandingByClient = %v, want id %s", byClient, id)
	}
	// A style created through the IdP API reads through Cloud Control.
	made := f.mustIdP("CreateManagedLoginBranding", map[string]any{"UserPoolId": pool, "ClientId": other})["ManagedLoginBranding"].(map[string]any)
	otherID := made["ManagedLoginBrandingId"].(string)
	wantDiff(t, "IdP-made style", map[string]any{"UserPoolId": pool, "ManagedLoginBrandingId": otherID, "UseCognitoProvidedValues": true},
		f.mustRead(brandingTypeName, pool+"|"+otherID))
	// Update is a full replace: no settings and no assets means Cognito's values.
	if _, err := f.update(brandingTypeName, pool+"|"+id, map[string]any{"UserPoolId": pool, "ManagedLoginBrandingId": id}); err != nil {
		t.Fatal(err)
	}
	desc := f.mustIdP("DescribeManagedLoginBranding", map[string]any{"UserPoolId": pool, "ManagedLoginBrandingId": id})["ManagedLoginBranding"].(map[string]any)
	if desc["UseCognitoProvidedValues"] != true || desc["Settings"] != nil || len(desc["Assets"].([]any)) != 0 {
		t.Errorf("after update, Describe = %v", desc)
	}
	// A patch that adds settings to what a read returned (Cognito's
	// values, true) applies the settings.
	if _, err := f.update(brandingTypeName, pool+"|"+id, map[string]any{"UseCognitoProvidedValues": true, "Settings": settings}); err != nil {
		t.Fatal(err)
	}
	if m := f.mustRead(brandingTypeName, pool+"|"+id); m["UseCognitoProvidedValues"] != false || m["Settings"] == nil {
		t.Errorf("after adding settings, read = %v", m)
	}
	for _, tc := range []struct {
		name    string
		call    func() error
		code    handler.Code
		message string
	}{
		{"second style of a client", func() error {
			_, err := f.create(f.handler(brandingTypeName), map[string]any{"UserPoolId": pool, "ClientId": web})
			return err
		}, handler.AlreadyExists, "Client " + web + " already has managed login branding " + id + "."},
		{"no client", func() error {
			_, err := f.create(f.handler(brandingTypeName), map[string]any{"UserPoolId": pool})
			return err
		}, handler.InvalidRequest, "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null"},
		{"unknown id", func() error {
			_, err := f.read(brandingTypeName, pool+"|00000000-0000-4000-8000-000000000000")
			return err
		},
			handler.NotFound, "Resource of type '" + brandingTypeName + "' with identifier '" + pool + "|00000000-0000-4000-8000-000000000000' was not found."},
	} {
		t.Run(tc.name, func(t *testing.T) { wantFailure(t, tc.call(), tc.code, tc.message) })
	}
	if err := f.remove(brandingTypeName, pool+"|"+id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.idp("DescribeManagedLoginBranding", map[string]any{"UserPoolId": pool, "ManagedLoginBrandingId": id}); !isAPIError(err, "ResourceNotFoundException") {
		t.Errorf("Describe after delete: %v", err)
	}
	lite := f.mustPool(map[string]any{"UserPoolTier": "LITE"})
	liteClient := f.mustClient(map[string]any{"UserPoolId": lite, "ClientName": "c"})["ClientId"].(string)
	_, err = f.create(f.handler(brandingTypeName), map[string]any{"UserPoolId": lite, "ClientId": liteClient})
	wantFailure(t, err, handler.InvalidRequest, "The following feature is not available for the LITE pricing tier configured: Managed Login Branding")
}

func TestLogDeliveryHandler(t *testing.T) {
	f, pool, _, _ := settingsFixture(t)
	cw := map[string]any{"EventSource": "userNotification", "LogLevel": "ERROR",
		"CloudWatchLogsConfiguration": map[string]any{"LogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:cognito"}}
	got := f.mustCreate(logTypeName, map[string]any{"UserPoolId": pool, "LogConfigurations": []any{cw}})
	wantDiff(t, "created", map[string]any{"Id": pool, "UserPoolId": pool, "LogConfigurations": []any{cw}}, got)
	conf := f.mustIdP("GetLogDeliveryConfiguration", map[string]any{"UserPoolId": pool})["LogDeliveryConfiguration"].(map[string]any)
	wantDiff(t, "GetLogDeliveryConfiguration", []any{cw}, conf["LogConfigurations"])

	s3 := map[string]any{"EventSource": "userAuthEvents", "LogLevel": "INFO", "S3Configuration": map[string]any{"BucketArn": "arn:aws:s3:::logs"}}
	f.mustIdP("SetLogDeliveryConfiguration", map[string]any{"UserPoolId": pool, "LogConfigurations": []any{s3}})
	wantDiff(t, "read after the IdP set", []any{s3}, f.mustRead(logTypeName, pool)["LogConfigurations"])

	_, err := f.update(logTypeName, pool, map[string]any{"UserPoolId": pool, "LogConfigurations": []any{
		map[string]any{"EventSource": "userNotification", "LogLevel": "INFO", "CloudWatchLogsConfiguration": cw["CloudWatchLogsConfiguration"]}}})
	wantFailure(t, err, handler.InvalidRequest, "userNotification logs are delivered at the ERROR level to a CloudWatch Logs log group.")
	_, err = f.create(f.handler(logTypeName), map[string]any{"UserPoolId": pool})
	wantFailure(t, err, handler.AlreadyExists, "Resource of type '"+logTypeName+"' with identifier '"+pool+"' already exists.")

	if err := f.remove(logTypeName, pool); err != nil {
		t.Fatal(err)
	}
	conf = f.mustIdP("GetLogDeliveryConfiguration", map[string]any{"UserPoolId": pool})["LogDeliveryConfiguration"].(map[string]any)
	if len(conf["LogConfigurations"].([]any)) != 0 {
		t.Errorf("after delete, GetLogDeliveryConfiguration = %v", conf)
	}
	_, err = f.read(logTypeName, pool)
	wantFailure(t, err, handler.NotFound, "Resource of type '"+logTypeName+"' with identifier '"+pool+"' was not found.")

	essentials := f.mustPool(map[string]any{"UserPoolTier": "ESSENTIALS"})
	_, err = f.create(f.handler(logTypeName), map[string]any{"UserPoolId": essentials, "LogConfigurations": []any{s3}})
	wantFailure(t, err, handler.InvalidRequest, "The following feature is not available for the ESSENTIALS pricing tier configured: Threat Protection")
}

func TestTermsHandler(t *testing.T) {
	f, pool, web, other := settingsFixture(t)
	links := map[string]any{"cognito:default": "https://example.com/terms", "cognito:french": "https://example.com/fr/terms"}
	got := f.mustCreate(termsTypeName, map[string]any{"UserPoolId": pool, "ClientId": web, "TermsName": "terms-of-use",
		"TermsSource": "LINK", "Enforcement": "NONE", "Links": links})
	id, _ := got["TermsId"].(string)
	want := map[string]any{"UserPoolId": pool, "TermsId": id, "TermsName": "terms-of-use", "TermsSource": "LINK", "Enforcement": "NONE", "Links": links}
	wantDiff(t, "created", want, got)
	desc := f.mustIdP("DescribeTerms", map[string]any{"UserPoolId": pool, "TermsId": id})["Terms"].(map[string]any)
	if desc["ClientId"] != web || desc["TermsName"] != "terms-of-use" {
		t.Errorf("DescribeTerms = %v", desc)
	}
	made := f.mustIdP("CreateTerms", map[string]any{"UserPoolId": pool, "ClientId": web, "TermsName": "privacy-policy",
		"TermsSource": "LINK", "Enforcement": "NONE", "Links": map[string]any{"cognito:default": "https://example.com/privacy"}})["Terms"].(map[string]any)
	privacyID := made["TermsId"].(string)
	if m := f.mustRead(termsTypeName, pool+"|"+privacyID); m["TermsName"] != "privacy-policy" {
		t.Errorf("IdP-made terms read through Cloud Control: %v", m)
	}

	list, err := f.handler(termsTypeName).List(context.Background(), f.env, f.tx, map[string]any{"UserPoolId": pool})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Errorf("List = %v, want the 2 documents", list)
	}

	want["Links"] = map[string]any{"cognito:default": "https://example.com/v2/terms"}
	if _, err := f.update(termsTypeName, pool+"|"+id, want); err != nil {
		t.Fatal(err)
	}
	desc = f.mustIdP("DescribeTerms", map[string]any{"UserPoolId": pool, "TermsId": id})["Terms"].(map[string]any)
	wantDiff(t, "links after update", want["Links"], desc["Links"])

	for _, tc := range []struct {
		name    string
		call    func() error
		code    handler.Code
		message string
	}{
		{"second terms of use", func() error {
			_, err := f.create(f.handler(termsTypeName), map[string]any{"UserPoolId": pool, "ClientId": web, "TermsName": "terms-of-use",
				"TermsSource": "LINK", "Enforcement": "NONE", "Links": links})
			return err
		}, handler.AlreadyExists, "Client " + web + " already has terms-of-use terms: " + id + "."},
		{"no default link", func() error {
			_, err := f.create(f.handler(termsTypeName), map[string]any{"UserPoolId": pool, "ClientId": other, "TermsName": "terms-of-use",
				"TermsSource": "LINK", "Enforcement": "NONE", "Links": map[string]any{"cognito:french": "https://example.com/fr"}})
			return err
		}, handler.InvalidRequest, "Links must include cognito:default."},
		{"unknown client", func() error {
			_, err := f.create(f.handler(termsTypeName), map[string]any{"UserPoolId": pool, "ClientId": "nosuchclient", "TermsName": "terms-of-use",
				"TermsSource": "LINK", "Enforcement": "NONE", "Links": links})
			return err
		}, handler.NotFound, "User pool client nosuchclient does not exist."},
		{"list of a missing pool", func() error {
			_, err := f.handler(termsTypeName).List(context.Background(), f.env, f.tx, map[string]any{"UserPoolId": "us-east-1_nopoolxyz"})
			return err
		}, handler.NotFound, "User pool us-east-1_nopoolxyz does not exist."},
	} {
		t.Run(tc.name, func(t *testing.T) { wantFailure(t, tc.call(), tc.code, tc.message) })
	}

	if err := f.remove(termsTypeName, pool+"|"+id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.idp("DescribeTerms", map[string]any{"UserPoolId": pool, "TermsId": id}); !isAPIError(err, "ResourceNotFoundException") {
		t.Errorf("DescribeTerms after delete: %v", err)
	}
	// Deleting the client deletes its documents, for both APIs.
	if err := f.client.Delete(context.Background(), f.env, f.tx, pool+"|"+web); err != nil {
		t.Fatal(err)
	}
	_, err = f.read(termsTypeName, pool+"|"+privacyID)
	wantFailure(t, err, handler.NotFound, "Resource of type '"+termsTypeName+"' with identifier '"+pool+"|"+privacyID+"' was not found.")
}

func isAPIError(err error, typ string) bool {
	ae, ok := err.(*cognito.APIError)
	return ok && ae.Type == typ
}
