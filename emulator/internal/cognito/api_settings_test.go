package cognito_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/emulator/internal/cognito/cognitotest"
	"github.com/google/go-cmp/cmp"
)

// settingsPool creates a pool (with the given tags) and a client on sdk.
func settingsPool(t *testing.T, sdk *cip.Client, tags map[string]string) (poolID, arn, clientID string) {
	t.Helper()
	ctx := context.Background()
	pool, err := sdk.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("settings"), UserPoolTags: tags,
		Schema: []types.SchemaAttributeType{{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString}}})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	c, err := sdk.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.UserPool.Id, ClientName: aws.String("web")})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	return aws.ToString(pool.UserPool.Id), aws.ToString(pool.UserPool.Arn), aws.ToString(c.UserPoolClient.ClientId)
}

// wantSDKError checks that err is the Cognito exception code, and that its
// message contains msg.
func wantSDKError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("error = %s: %q, want %s containing %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

// rawCall runs one operation with a hand-made body on the server's store,
// as a client that skips the SDK's own checks would send it.
func rawCall(srv *cognitotest.Server, op, body string) error {
	_, err := cognito.Operations()[op](context.Background(), srv.Env, srv.Tx, []byte(body))
	return apiAsSmithy(err)
}

// apiAsSmithy presents an *APIError as the smithy.APIError the SDK returns.
func apiAsSmithy(err error) error {
	var ae *cognito.APIError
	if errors.As(err, &ae) {
		return &smithy.GenericAPIError{Code: ae.Type, Message: ae.Message}
	}
	return err
}

// cloudControlTags reads the pool through the Cloud Control handler on the
// same store and returns its UserPoolTags.
func cloudControlTags(t *testing.T, srv *cognitotest.Server, poolID string) map[string]any {
	t.Helper()
	for _, h := range cognito.Handlers(nil) {
		if h.TypeName() != poolTypeName {
			continue
		}
		m, err := h.Read(context.Background(), srv.Env, srv.Tx, poolID)
		if err != nil {
			t.Fatalf("Cloud Control Read: %v", err)
		}
		tags, _ := m["UserPoolTags"].(map[string]any)
		return tags
	}
	t.Fatal("no pool handler")
	return nil
}

func TestTags_SameAsUserPoolTags(t *testing.T) {
	ctx := context.Background()
	sdk, srv := newSDK(t)
	poolID, arn, _ := settingsPool(t, sdk, map[string]string{"team": "a", "env": "dev"})

	list := func() map[string]string {
		t.Helper()
		out, err := sdk.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("ListTagsForResource: %v", err)
		}
		return out.Tags
	}
	if diff := cmp.Diff(map[string]string{"team": "a", "env": "dev"}, list()); diff != "" {
		t.Errorf("tags from CreateUserPool (-want +got):\n%s", diff)
	}
	if _, err := sdk.TagResource(ctx, &cip.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"team": "b", "cost": "42"}}); err != nil {
		t.Fatalf("TagResource: %v", err)
	}
	if _, err := sdk.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"env", "absent"}}); err != nil {
		t.Fatalf("UntagResource: %v", err)
	}
	want := map[string]string{"team": "b", "cost": "42"}
	if diff := cmp.Diff(want, list()); diff != "" {
		t.Errorf("tags after tag and untag (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"team": "b", "cost": "42"}, cloudControlTags(t, srv, poolID)); diff != "" {
		t.Errorf("Cloud Control UserPoolTags (-want +got):\n%s", diff)
	}
	d, err := sdk.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		t.Fatalf("DescribeUserPool: %v", err)
	}
	if diff := cmp.Diff(want, d.UserPool.UserPoolTags); diff != "" {
		t.Errorf("DescribeUserPool UserPoolTags (-want +got):\n%s", diff)
	}
	if _, err := sdk.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team", "cost"}}); err != nil {
		t.Fatalf("UntagResource all: %v", err)
	}
	if got := list(); len(got) != 0 {
		t.Errorf("tags after removing all = %v", got)
	}
	if got := cloudControlTags(t, srv, poolID); got != nil {
		t.Errorf("Cloud Control UserPoolTags after removing all = %v", got)
	}
}

func TestTags_Refusals(t *testing.T) {
	ctx := context.Background()
	sdk, srv := newSDK(t)
	_, arn, _ := settingsPool(t, sdk, nil)
	missing := "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Missing00"
	tooMany := map[string]string{}
	for i := range 51 {
		tooMany[strings.Repeat("k", i+1)] = "v"
	}
	cases := []struct {
		name      string
		call      func() error
		code, msg string
	}{
		{"missing pool", func() error {
			_, err := sdk.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: aws.String(missing)})
			return err
		}, "ResourceNotFoundException", "User pool us-east-1_Missing00 does not exist."},
		{"other account", func() error {
			_, err := sdk.TagResource(ctx, &cip.TagResourceInput{ResourceArn: aws.String(strings.Replace(arn, "123456789012", "210987654321", 1)), Tags: map[string]string{"a": "b"}})
			return err
		}, "ResourceNotFoundException", "does not exist."},
		{"not an ARN", func() error {
			_, err := sdk.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: aws.String("userpool/us-east-1_abc")})
			return err
		}, "InvalidParameterException", "1 validation error detected: Value 'userpool/us-east-1_abc' at 'resourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"no tags", func() error {
			return rawCall(srv, "TagResource", `{"ResourceArn":"`+arn+`"}`)
		}, "InvalidParameterException", "Value null at 'tags' failed to satisfy constraint: Member must not be null"},
		{"bad key", func() error {
			_, err := sdk.TagResource(ctx, &cip.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"a*b": "v"}})
			return err
		}, "InvalidParameterException", "Value 'a*b' at 'tags.a*b.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"51 tags", func() error {
			_, err := sdk.TagResource(ctx, &cip.TagResourceInput{ResourceArn: aws.String(arn), Tags: tooMany})
			return err
		}, "InvalidParameterException", "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"no keys", func() error {
			return rawCall(srv, "UntagResource", `{"ResourceArn":"`+arn+`"}`)
		}, "InvalidParameterException", "Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantSDKError(t, c.call(), c.code, c.msg) })
	}
}

func TestLogDeliveryConfiguration(t *testing.T) {
	ctx := context.Background()
	sdk, srv := newSDK(t)
	poolID, _, _ := settingsPool(t, sdk, nil)
	got, err := sdk.GetLogDeliveryConfiguration(ctx, &cip.GetLogDeliveryConfigurationInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		t.Fatalf("GetLogDeliveryConfiguration: %v", err)
	}
	if aws.ToString(got.LogDeliveryConfiguration.UserPoolId) != poolID || len(got.LogDeliveryConfiguration.LogConfigurations) != 0 {
		t.Errorf("initial configuration = %+v", got.LogDeliveryConfiguration)
	}
	group := "arn:aws:logs:us-east-1:123456789012:log-group:cognito"
	notif := types.LogConfigurationType{EventSource: types.EventSourceNameUserNotification, LogLevel: types.LogLevelError,
		CloudWatchLogsConfiguration: &types.CloudWatchLogsConfigurationType{LogGroupArn: aws.String(group)}}
	set, err := sdk.SetLogDeliveryConfiguration(ctx, &cip.SetLogDeliveryConfigurationInput{UserPoolId: aws.String(poolID), LogConfigurations: []types.LogConfigurationType{notif}})
	if err != nil {
		t.Fatalf("SetLogDeliveryConfiguration: %v", err)
	}
	got, err = sdk.GetLogDeliveryConfiguration(ctx, &cip.GetLogDeliveryConfigurationInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		t.Fatalf("GetLogDeliveryConfiguration: %v", err)
	}
	for _, c := range [][]types.LogConfigurationType{set.LogDeliveryConfiguration.LogConfigurations, got.LogDeliveryConfiguration.LogConfigurations} {
		if len(c) != 1 || c[0].EventSource != notif.EventSource || c[0].LogLevel != notif.LogLevel || aws.ToString(c[0].CloudWatchLogsConfiguration.LogGroupArn) != group {
			t.Errorf("stored configuration = %+v", c)
		}
	}

	// The SDK refuses a missing required member before sending; a hand-made
	// request gets the service's message.
	wantSDKError(t, rawCall(srv, "SetLogDeliveryConfiguration", `{"UserPoolId":"`+poolID+`"}`),
		"InvalidParameterException", "Value null at 'logConfigurations' failed to satisfy constraint: Member must not be null")

	s3 := &types.S3ConfigurationType{BucketArn: aws.String("arn:aws:s3:::logs")}
	cases := []struct {
		name      string
		pool      string
		confs     []types.LogConfigurationType
		code, msg string
	}{
		{"missing pool", "us-east-1_Missing00", []types.LogConfigurationType{notif}, "ResourceNotFoundException", "User pool us-east-1_Missing00 does not exist."},
		{"bad level", poolID, []types.LogConfigurationType{{EventSource: "userNotification", LogLevel: "DEBUG", CloudWatchLogsConfiguration: notif.CloudWatchLogsConfiguration}},
			"InvalidParameterException", "Value 'DEBUG' at 'logConfigurations.1.member.logLevel' failed to satisfy constraint: Member must satisfy enum value set: [ERROR, INFO]"},
		{"notification to S3", poolID, []types.LogConfigurationType{{EventSource: "userNotification", LogLevel: "ERROR", S3Configuration: s3}},
			"InvalidParameterException", "userNotification logs are delivered at the ERROR level to a CloudWatch Logs log group."},
		{"two destinations", poolID, []types.LogConfigurationType{{EventSource: "userNotification", LogLevel: "ERROR", S3Configuration: s3, CloudWatchLogsConfiguration: notif.CloudWatchLogsConfiguration}},
			"InvalidParameterException", "exactly one destination"},
		{"duplicate source", poolID, []types.LogConfigurationType{notif, notif}, "InvalidParameterException", "Only one log configuration is allowed per event source: userNotification."},
		{"auth events on Essentials", poolID, []types.LogConfigurationType{{EventSource: "userAuthEvents", LogLevel: "INFO", S3Configuration: s3}},
			"FeatureUnavailableInTierException", "not available for the ESSENTIALS pricing tier"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := sdk.SetLogDeliveryConfiguration(ctx, &cip.SetLogDeliveryConfigurationInput{UserPoolId: aws.String(c.pool), LogConfigurations: c.confs})
			wantSDKError(t, err, c.code, c.msg)
		})
	}
}

// pngLogo is a 1x1 PNG.
var pngLogo, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")

func TestUICustomization(t *testing.T) {
	ctx := context.Background()
	sdk, _ := newSDK(t)
	poolID, _, clientID := settingsPool(t, sdk, nil)
	get := func(client *string) *types.UICustomizationType {
		t.Helper()
		out, err := sdk.GetUICustomization(ctx, &cip.GetUICustomizationInput{UserPoolId: aws.String(poolID), ClientId: client})
		if err != nil {
			t.Fatalf("GetUICustomization: %v", err)
		}
		return out.UICustomization
	}
	if u := get(nil); aws.ToString(u.ClientId) != "ALL" || u.CSS != nil || u.ImageUrl != nil {
		t.Errorf("initial customization = %+v", u)
	}
	poolCSS := ".submitButton-customizable { background-color: #ff0000; }"
	set, err := sdk.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: aws.String(poolID), CSS: aws.String(poolCSS), ImageFile: pngLogo})
	if err != nil {
		t.Fatalf("SetUICustomization: %v", err)
	}
	u := set.UICustomization
	if aws.ToString(u.CSS) != poolCSS || aws.ToString(u.CSSVersion) != "20260901120000" || !strings.HasSuffix(aws.ToString(u.ImageUrl), "/image.png") || !aws.ToTime(u.CreationDate).Equal(clock) {
		t.Errorf("SetUICustomization = %+v", u)
	}
	// A client without its own customization gets the pool's.
	if u := get(aws.String(clientID)); aws.ToString(u.ClientId) != "ALL" || aws.ToString(u.CSS) != poolCSS {
		t.Errorf("client falls back to = %+v", u)
	}
	clientCSS := ".banner-customizable, .idpButton-customizable:hover { color: blue }"
	if _, err := sdk.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID), CSS: aws.String(clientCSS)}); err != nil {
		t.Fatalf("SetUICustomization for the client: %v", err)
	}
	if u := get(aws.String(clientID)); aws.ToString(u.ClientId) != clientID || aws.ToString(u.CSS) != clientCSS || u.ImageUrl != nil {
		t.Errorf("client customization = %+v", u)
	}
	if u := get(aws.String("ALL")); aws.ToString(u.CSS) != poolCSS {
		t.Errorf("pool customization after the client's = %+v", u)
	}

	cases := []struct {
		name      string
		in        cip.SetUICustomizationInput
		code, msg string
	}{
		{"missing pool", cip.SetUICustomizationInput{UserPoolId: aws.String("us-east-1_Missing00")}, "ResourceNotFoundException", "User pool us-east-1_Missing00 does not exist."},
		{"missing client", cip.SetUICustomizationInput{UserPoolId: aws.String(poolID), ClientId: aws.String("nosuchclient")}, "ResourceNotFoundException", "User pool client nosuchclient does not exist."},
		{"foreign class", cip.SetUICustomizationInput{UserPoolId: aws.String(poolID), CSS: aws.String("body { color: red }")}, "InvalidParameterException", `"body"`},
		{"style escape", cip.SetUICustomizationInput{UserPoolId: aws.String(poolID), CSS: aws.String(".logo-customizable{}</style><script>")}, "InvalidParameterException", "The CSS is not valid."},
		{"not an image", cip.SetUICustomizationInput{UserPoolId: aws.String(poolID), ImageFile: []byte("GIF89a")}, "InvalidParameterException", "PNG or JPEG"},
		{"too large", cip.SetUICustomizationInput{UserPoolId: aws.String(poolID), ImageFile: append(append([]byte{}, pngLogo...), bytes.Repeat([]byte{0}, 100*1024)...)}, "InvalidParameterException", "100 KB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := sdk.SetUICustomization(ctx, &c.in)
			wantSDKError(t, err, c.code, c.msg)
		})
	}
}

func TestGetCSVHeader(t *testing.T) {
	ctx := context.Background()
	sdk, _ := newSDK(t)
	poolID, _, _ := settingsPool(t, sdk, nil)
	out, err := sdk.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		t.Fatalf("GetCSVHeader: %v", err)
	}
	// AWS's documented header, with the pool's custom attribute before the
	// two cognito: columns.
	want := []string{"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile", "picture",
		"website", "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale", "phone_number", "phone_number_verified",
		"address", "updated_at", "custom:tenant", "cognito:mfa_enabled", "cognito:username"}
	if diff := cmp.Diff(want, out.CSVHeader); diff != "" || aws.ToString(out.UserPoolId) != poolID {
		t.Errorf("CSVHeader (-want +got):\n%s", diff)
	}
	_, err = sdk.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: aws.String("us-east-1_Missing00")})
	wantSDKError(t, err, "ResourceNotFoundException", "User pool us-east-1_Missing00 does not exist.")
}

func TestRiskConfiguration(t *testing.T) {
	ctx := context.Background()
	sdk, srv := newSDK(t)
	poolID, _, clientID := settingsPool(t, sdk, nil)
	describe := func(client *string) *types.RiskConfigurationType {
		t.Helper()
		out, err := sdk.DescribeRiskConfiguration(ctx, &cip.DescribeRiskConfigurationInput{UserPoolId: aws.String(poolID), ClientId: client})
		if err != nil {
			t.Fatalf("DescribeRiskConfiguration: %v", err)
		}
		return out.RiskConfiguration
	}
	if r := describe(nil); aws.ToString(r.UserPoolId) != poolID || r.AccountTakeoverRiskConfiguration != nil || r.LastModifiedDate != nil {
		t.Errorf("initial risk configuration = %+v", r)
	}
	in := &cip.SetRiskConfigurationInput{
		UserPoolId: aws.String(poolID),
		CompromisedCredentialsRiskConfiguration: &types.CompromisedCredentialsRiskConfigurationType{
			Actions:     &types.CompromisedCredentialsActionsType{EventAction: types.CompromisedCredentialsEventActionTypeBlock},
			EventFilter: []types.EventFilterType{types.EventFilterTypeSignIn},
		},
		AccountTakeoverRiskConfiguration: &types.AccountTakeoverRiskConfigurationType{Actions: &types.AccountTakeoverActionsType{
			HighAction: &types.AccountTakeoverActionType{EventAction: types.AccountTakeoverEventActionTypeBlock, Notify: true},
		}},
		RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{SkippedIPRangeList: []string{"10.0.0.0/8"}},
	}
	if _, err := sdk.SetRiskConfiguration(ctx, in); err != nil {
		t.Fatalf("SetRiskConfiguration: %v", err)
	}
	r := describe(aws.String(clientID)) // falls back to the pool's
	if r.CompromisedCredentialsRiskConfiguration.Actions.EventAction != types.CompromisedCredentialsEventActionTypeBlock ||
		r.AccountTakeoverRiskConfiguration.Actions.HighAction.EventAction != types.AccountTakeoverEventActionTypeBlock ||
		!r.AccountTakeoverRiskConfiguration.Actions.HighAction.Notify || r.RiskExceptionConfiguration.SkippedIPRangeList[0] != "10.0.0.0/8" ||
		!aws.ToTime(r.LastModifiedDate).Equal(clock) || r.ClientId != nil {
		t.Errorf("risk configuration = %+v", r)
	}
	if _, err := sdk.SetRiskConfiguration(ctx, &cip.SetRiskConfigurationInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID),
		RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{BlockedIPRangeList: []string{"192.0.2.0/24"}}}); err != nil {
		t.Fatalf("SetRiskConfiguration for the client: %v", err)
	}
	if r := describe(aws.String(clientID)); aws.ToString(r.ClientId) != clientID || r.CompromisedCredentialsRiskConfiguration != nil {
		t.Errorf("client risk configuration = %+v", r)
	}

	wantSDKError(t, rawCall(srv, "SetRiskConfiguration", `{"UserPoolId":"`+poolID+`","AccountTakeoverRiskConfiguration":{}}`),
		"InvalidParameterException", "Value null at 'accountTakeoverRiskConfiguration.actions' failed to satisfy constraint: Member must not be null")
	wantSDKError(t, rawCall(srv, "SetRiskConfiguration", `{"UserPoolId":"`+poolID+`","CompromisedCredentialsRiskConfiguration":{"Actions":{"EventAction":"ALLOW"}}}`),
		"InvalidParameterException", "Value 'ALLOW' at 'compromisedCredentialsRiskConfiguration.actions.eventAction' failed to satisfy constraint: Member must satisfy enum value set: [BLOCK, NO_ACTION]")

	cases := []struct {
		name      string
		in        cip.SetRiskConfigurationInput
		code, msg string
	}{
		{"missing pool", cip.SetRiskConfigurationInput{UserPoolId: aws.String("us-east-1_Missing00")}, "ResourceNotFoundException", "User pool us-east-1_Missing00 does not exist."},
		{"missing client", cip.SetRiskConfigurationInput{UserPoolId: aws.String(poolID), ClientId: aws.String("nosuchclient")}, "ResourceNotFoundException", "User pool client nosuchclient does not exist."},
		{"bad CIDR", cip.SetRiskConfigurationInput{UserPoolId: aws.String(poolID), RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{BlockedIPRangeList: []string{"10.0.0.300/8"}}},
			"InvalidParameterException", "Invalid IP range: 10.0.0.300/8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := sdk.SetRiskConfiguration(ctx, &c.in)
			wantSDKError(t, err, c.code, c.msg)
		})
	}
}

func TestGetSigningCertificate(t *testing.T) {
	ctx := context.Background()
	sdk, _ := newSDK(t)
	poolID, _, _ := settingsPool(t, sdk, nil)
	first, err := sdk.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		t.Fatalf("GetSigningCertificate: %v", err)
	}
	der, err := base64.StdEncoding.DecodeString(aws.ToString(first.Certificate))
	if err != nil {
		t.Fatalf("certificate is not base64: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("certificate is not X.509 DER: %v", err)
	}
	if cert.Subject.CommonName != poolID || cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature) != nil || !cert.NotAfter.After(clock.AddDate(9, 0, 0)) {
		t.Errorf("certificate subject %q, valid until %v", cert.Subject, cert.NotAfter)
	}
	again, err := sdk.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: aws.String(poolID)})
	if err != nil || aws.ToString(again.Certificate) != aws.ToString(first.Certificate) {
		t.Errorf("second GetSigningCertificate differs (err %v)", err)
	}
	_, err = sdk.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: aws.String("us-east-1_Missing00")})
	wantSDKError(t, err, "ResourceNotFoundException", "User pool us-east-1_Missing00 does not exist.")
}

// TestSettings_GoWithPool checks that a pool's settings are deleted with it.
func TestSettings_GoWithPool(t *testing.T) {
	ctx := context.Background()
	sdk, srv := newSDK(t)
	poolID, _, _ := settingsPool(t, sdk, nil)
	if _, err := sdk.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: aws.String(poolID), CSS: aws.String(".logo-customizable{max-width:60%}")}); err != nil {
		t.Fatalf("SetUICustomization: %v", err)
	}
	if _, err := sdk.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: aws.String(poolID)}); err != nil {
		t.Fatalf("GetSigningCertificate: %v", err)
	}
	if n, _ := srv.Tx.Count("ccql::Cognito::PoolSettings", poolID+"|"); n != 2 {
		t.Fatalf("%d stored settings, want 2", n)
	}
	if _, err := sdk.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(poolID)}); err != nil {
		t.Fatalf("DeleteUserPool: %v", err)
	}
	if n, _ := srv.Tx.Count("ccql::Cognito::PoolSettings", poolID+"|"); n != 0 {
		t.Errorf("%d settings left after DeleteUserPool", n)
	}
}
