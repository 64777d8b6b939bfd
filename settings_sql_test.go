package ccql_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/ccql/ccql"
	"github.com/ccql/ccql/emulator"
	"github.com/google/go-cmp/cmp"
)

// openWithIdP opens an engine on an embedded emulator and an IdP client
// (aws-sdk-go-v2) on the same emulator, so a test sees one state through
// SQL and through the Cognito API.
func openWithIdP(t *testing.T) (*ccql.Engine, *cip.Client) {
	eng, idp, _ := openWithServer(t)
	return eng, idp
}

// openWithServer is openWithIdP that also returns the emulator.
func openWithServer(t *testing.T) (*ccql.Engine, *cip.Client, *emulator.Server) {
	t.Helper()
	srv, err := emulator.NewServer(emulator.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	eng, err := ccql.Open(context.Background(), ccql.Config{CloudControl: srv.CloudControl("000000000000"), Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	idp := cip.NewFromConfig(aws.Config{Region: "us-east-1", HTTPClient: srv.HTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")},
		func(o *cip.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
	return eng, idp, srv
}

// insertOne runs an INSERT … RETURNING Identifier, OperationStatus,
// StatusMessage and returns the identifier, failing unless it succeeded.
func insertOne(t *testing.T, eng *ccql.Engine, stmt string) string {
	t.Helper()
	res := query(t, eng, stmt+" RETURNING Identifier, OperationStatus, StatusMessage")
	if res.Rows[0][1] != "SUCCESS" {
		t.Fatalf("%s: %v %v", stmt, res.Rows[0][1], res.Rows[0][2])
	}
	return res.Rows[0][0].(string)
}

// jsonValue decodes a JSON column's value (a string or already decoded).
func jsonValue(t *testing.T, v any) any {
	t.Helper()
	var raw []byte
	switch x := v.(type) {
	case string:
		raw = []byte(x)
	case json.RawMessage:
		raw = x
	default:
		return v
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("column value %q: %v", raw, err)
	}
	return out
}

// TestSQL_cognitoSettings: terms, managed login branding and risk
// configuration through SQL (INSERT, SELECT, UPDATE, DELETE), each step
// checked against the IdP API's Describe on the same emulator.
func TestSQL_cognitoSettings(t *testing.T) {
	eng, idp := openWithIdP(t)
	ctx := context.Background()
	pool := insertOne(t, eng, `INSERT INTO awscc.cognito.user_pools (UserPoolName, UserPoolTier, region) SELECT 'settings', 'PLUS', 'us-east-1'`)
	clientIdent := insertOne(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, region) SELECT '%s', 'web', 'us-east-1'`, pool))
	client := clientIdent[len(pool)+1:]

	t.Run("terms", func(t *testing.T) {
		id := insertOne(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.terms (UserPoolId, ClientId, TermsName, TermsSource, Enforcement, Links, region)
			SELECT '%s', '%s', 'terms-of-use', 'LINK', 'NONE', '{"cognito:default":"https://example.com/terms"}', 'us-east-1'`, pool, client))
		termsID := id[len(pool)+1:]
		res := query(t, eng, fmt.Sprintf(`SELECT terms_id, terms_name, links FROM awscc.cognito.terms WHERE region = 'us-east-1' AND user_pool_id = '%s'`, pool))
		if len(res.Rows) != 1 || res.Rows[0][0] != termsID || res.Rows[0][1] != "terms-of-use" {
			t.Fatalf("SELECT terms = %v", res.Rows)
		}
		d, err := idp.DescribeTerms(ctx, &cip.DescribeTermsInput{UserPoolId: &pool, TermsId: &termsID})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(d.Terms.ClientId) != client || d.Terms.Links["cognito:default"] != "https://example.com/terms" {
			t.Errorf("DescribeTerms = %+v", d.Terms)
		}
		query(t, eng, fmt.Sprintf(`UPDATE awscc.cognito.terms SET links = '{"cognito:default":"https://example.com/v2","cognito:french":"https://example.com/fr"}' WHERE region = 'us-east-1' AND Identifier = '%s'`, id))
		d, err = idp.DescribeTerms(ctx, &cip.DescribeTermsInput{UserPoolId: &pool, TermsId: &termsID})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string]string{"cognito:default": "https://example.com/v2", "cognito:french": "https://example.com/fr"}, d.Terms.Links); diff != "" {
			t.Errorf("links after UPDATE (-want +got):\n%s", diff)
		}
		query(t, eng, fmt.Sprintf(`DELETE FROM awscc.cognito.terms WHERE region = 'us-east-1' AND Identifier = '%s'`, id))
		if _, err := idp.DescribeTerms(ctx, &cip.DescribeTermsInput{UserPoolId: &pool, TermsId: &termsID}); err == nil {
			t.Error("DescribeTerms after DELETE succeeded")
		}
	})

	t.Run("managed login branding", func(t *testing.T) {
		id := insertOne(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.managed_login_brandings (UserPoolId, ClientId, Settings, region)
			SELECT '%s', '%s', '{"categories":{"global":{"colorSchemeMode":"DARK"}}}', 'us-east-1'`, pool, client))
		brandingID := id[len(pool)+1:]
		res := query(t, eng, fmt.Sprintf(`SELECT settings, use_cognito_provided_values FROM awscc.cognito.managed_login_brandings WHERE region = 'us-east-1' AND Identifier = '%s'`, id))
		want := map[string]any{"categories": map[string]any{"global": map[string]any{"colorSchemeMode": "DARK"}}}
		if diff := cmp.Diff(want, jsonValue(t, res.Rows[0][0])); diff != "" || res.Rows[0][1] != false {
			t.Errorf("SELECT branding = %v (-want +got):\n%s", res.Rows, diff)
		}
		d, err := idp.DescribeManagedLoginBrandingByClient(ctx, &cip.DescribeManagedLoginBrandingByClientInput{UserPoolId: &pool, ClientId: &client})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(d.ManagedLoginBranding.ManagedLoginBrandingId) != brandingID {
			t.Errorf("DescribeManagedLoginBrandingByClient id %s, want %s", aws.ToString(d.ManagedLoginBranding.ManagedLoginBrandingId), brandingID)
		}
		query(t, eng, fmt.Sprintf(`UPDATE awscc.cognito.managed_login_brandings SET settings = NULL WHERE region = 'us-east-1' AND Identifier = '%s'`, id))
		d2, err := idp.DescribeManagedLoginBranding(ctx, &cip.DescribeManagedLoginBrandingInput{UserPoolId: &pool, ManagedLoginBrandingId: &brandingID})
		if err != nil {
			t.Fatal(err)
		}
		if !d2.ManagedLoginBranding.UseCognitoProvidedValues || d2.ManagedLoginBranding.Settings != nil {
			t.Errorf("after UPDATE, Describe = %+v", d2.ManagedLoginBranding)
		}
		query(t, eng, fmt.Sprintf(`DELETE FROM awscc.cognito.managed_login_brandings WHERE region = 'us-east-1' AND Identifier = '%s'`, id))
		if _, err := idp.DescribeManagedLoginBranding(ctx, &cip.DescribeManagedLoginBrandingInput{UserPoolId: &pool, ManagedLoginBrandingId: &brandingID}); err == nil {
			t.Error("Describe after DELETE succeeded")
		}
	})

	t.Run("risk configuration", func(t *testing.T) {
		id := insertOne(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.user_pool_risk_configuration_attachments (UserPoolId, ClientId, RiskExceptionConfiguration, region)
			SELECT '%s', '%s', '{"BlockedIPRangeList":["192.0.2.0/24"]}', 'us-east-1'`, pool, client))
		if id != pool+"|"+client {
			t.Errorf("identifier %s, want %s|%s", id, pool, client)
		}
		res := query(t, eng, fmt.Sprintf(`SELECT risk_exception_configuration FROM awscc.cognito.user_pool_risk_configuration_attachments WHERE region = 'us-east-1' AND Identifier = '%s'`, id))
		if diff := cmp.Diff(map[string]any{"BlockedIPRangeList": []any{"192.0.2.0/24"}}, jsonValue(t, res.Rows[0][0])); diff != "" {
			t.Errorf("SELECT (-want +got):\n%s", diff)
		}
		d, err := idp.DescribeRiskConfiguration(ctx, &cip.DescribeRiskConfigurationInput{UserPoolId: &pool, ClientId: &client})
		if err != nil {
			t.Fatal(err)
		}
		if d.RiskConfiguration.RiskExceptionConfiguration == nil || d.RiskConfiguration.RiskExceptionConfiguration.BlockedIPRangeList[0] != "192.0.2.0/24" {
			t.Errorf("DescribeRiskConfiguration = %+v", d.RiskConfiguration)
		}
		query(t, eng, fmt.Sprintf(`UPDATE awscc.cognito.user_pool_risk_configuration_attachments SET risk_exception_configuration = '{"SkippedIPRangeList":["198.51.100.0/24"]}' WHERE region = 'us-east-1' AND Identifier = '%s'`, id))
		d, err = idp.DescribeRiskConfiguration(ctx, &cip.DescribeRiskConfigurationInput{UserPoolId: &pool, ClientId: &client})
		if err != nil {
			t.Fatal(err)
		}
		if re := d.RiskConfiguration.RiskExceptionConfiguration; re == nil || len(re.BlockedIPRangeList) != 0 || len(re.SkippedIPRangeList) != 1 {
			t.Errorf("after UPDATE, Describe = %+v", re)
		}
		query(t, eng, fmt.Sprintf(`DELETE FROM awscc.cognito.user_pool_risk_configuration_attachments WHERE region = 'us-east-1' AND Identifier = '%s'`, id))
		d, err = idp.DescribeRiskConfiguration(ctx, &cip.DescribeRiskConfigurationInput{UserPoolId: &pool, ClientId: &client})
		if err != nil {
			t.Fatal(err)
		}
		if d.RiskConfiguration.RiskExceptionConfiguration != nil {
			t.Errorf("after DELETE, Describe = %+v, want the pool's (none)", d.RiskConfiguration)
		}
		// The reverse: SetRiskConfiguration is a row.
		if _, err := idp.SetRiskConfiguration(ctx, &cip.SetRiskConfigurationInput{UserPoolId: &pool}); err != nil {
			t.Fatal(err)
		}
		res = query(t, eng, fmt.Sprintf(`SELECT client_id FROM awscc.cognito.user_pool_risk_configuration_attachments WHERE region = 'us-east-1' AND Identifier = '%s|ALL'`, pool))
		if len(res.Rows) != 1 || res.Rows[0][0] != "ALL" {
			t.Errorf("the pool-wide configuration set through the IdP API: %v", res.Rows)
		}
	})

	t.Run("failures carry Cognito's messages", func(t *testing.T) {
		_, err := eng.Query(ctx, fmt.Sprintf(`INSERT INTO awscc.cognito.terms (UserPoolId, ClientId, TermsName, TermsSource, Enforcement, Links, region)
			SELECT '%s', 'nosuchclient', 'privacy-policy', 'LINK', 'NONE', '{"cognito:default":"https://example.com/p"}', 'us-east-1'`, pool))
		if err == nil || !strings.Contains(err.Error(), "FAILED NotFound: User pool client nosuchclient does not exist.") {
			t.Errorf("INSERT with an unknown client: err = %v", err)
		}
	})
}

// TestCloudControl_termsPages pages AWS::Cognito::Terms through
// ListResources (the handler's key-set pager behind the core): every
// document once, in identifier order, NextToken until the last page.
func TestCloudControl_termsPages(t *testing.T) {
	eng, idp, srv := openWithServer(t)
	ctx := context.Background()
	pool := insertOne(t, eng, `INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'pages', 'us-east-1'`)
	var want []string
	for i := range 3 {
		c, err := idp.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &pool, ClientName: aws.String(fmt.Sprintf("c%d", i))})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"terms-of-use", "privacy-policy"} {
			want = append(want, insertOne(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.terms (UserPoolId, ClientId, TermsName, TermsSource, Enforcement, Links, region)
				SELECT '%s', '%s', '%s', 'LINK', 'NONE', '{"cognito:default":"https://example.com/%s"}', 'us-east-1'`, pool, *c.UserPoolClient.ClientId, name, name)))
		}
	}
	slices.Sort(want)
	api := srv.CloudControl("")
	var got []string
	var token *string
	pages := 1
	for ; ; pages++ {
		out, err := api.ListResources(ctx, &cc.ListResourcesInput{TypeName: aws.String("AWS::Cognito::Terms"), MaxResults: aws.Int32(4),
			ResourceModel: aws.String(`{"UserPoolId":"` + pool + `"}`), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range out.ResourceDescriptions {
			got = append(got, aws.ToString(d.Identifier))
		}
		if token = out.NextToken; token == nil {
			break
		}
		if pages > len(want) {
			t.Fatal("NextToken never ends")
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paged identifiers (-want +got):\n%s", diff)
	}
	if pages != 2 {
		t.Errorf("%d pages of at most 4 for 6 documents, want 2", pages)
	}
}
