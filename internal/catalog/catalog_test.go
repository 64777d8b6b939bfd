package catalog_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/schema"
	"github.com/google/go-cmp/cmp"
)

func newCognito() *catalog.Catalog { return catalog.New(schema.NewRegistry()) }

// fieldRow is one row of the seed page's Fields table.
type fieldRow struct{ Name, Type, Description string }

// The seed page's Fields table for user_pool_clients, verbatim
// (seed/user_pool_clients.txt).
var seedFields = []fieldRow{
	{"client_name", "string", ""},
	{"explicit_auth_flows", "array", ""},
	{"generate_secret", "boolean", ""},
	{"read_attributes", "array", ""},
	{"auth_session_validity", "integer", ""},
	{"refresh_token_validity", "integer", ""},
	{"access_token_validity", "integer", ""},
	{"id_token_validity", "integer", ""},
	{"token_validity_units", "object", ""},
	{"refresh_token_rotation", "object", ""},
	{"user_pool_id", "string", ""},
	{"write_attributes", "array", ""},
	{"allowed_oauth_flows", "array", ""},
	{"allowed_oauth_flows_user_pool_client", "boolean", ""},
	{"allowed_oauth_scopes", "array", ""},
	{"callback_urls", "array", ""},
	{"default_redirect_uri", "string", ""},
	{"logout_urls", "array", ""},
	{"supported_identity_providers", "array", ""},
	{"analytics_configuration", "object", ""},
	{"prevent_user_existence_errors", "string", ""},
	{"enable_token_revocation", "boolean", ""},
	{"enable_propagate_additional_user_context_data", "boolean", ""},
	{"name", "string", ""},
	{"client_secret", "string", ""},
	{"client_id", "string", ""},
	{"region", "string", "AWS region."},
}

// methodRow is one row of the seed page's Methods table.
type methodRow struct{ Name, Resource, Verb, Params string }

var seedMethods = []methodRow{
	{"create_resource", "user_pool_clients", "INSERT", "UserPoolId, region"},
	{"delete_resource", "user_pool_clients", "DELETE", "Identifier, region"},
	{"update_resource", "user_pool_clients", "UPDATE", "Identifier, PatchDocument, region"},
	{"list_resources", "user_pool_clients_list_only", "SELECT", "region"},
	{"get_resource", "user_pool_clients", "SELECT", "Identifier, region"},
}

func fields(t *catalog.Table) []fieldRow {
	var out []fieldRow
	for _, c := range t.Columns {
		out = append(out, fieldRow{c.Name, c.Type, c.Description})
	}
	return out
}

func methods(t *catalog.Table) []methodRow {
	var out []methodRow
	for _, m := range t.Methods {
		out = append(out, methodRow{m.Name, m.Resource, m.SQLVerb, strings.Join(m.RequiredParams, ", ")})
	}
	return out
}

func TestCatalog_Table_seedPage(t *testing.T) {
	tbl, err := newCognito().Table("awscc", "cognito", "user_pool_clients")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(seedFields, fields(tbl)); d != "" {
		t.Errorf("Fields (-seed +got):\n%s", d)
	}
	if d := cmp.Diff(seedMethods, methods(tbl)); d != "" {
		t.Errorf("Methods (-seed +got):\n%s", d)
	}
	if got, want := tbl.ID(), "awscc.cognito.user_pool_clients"; got != want {
		t.Errorf("ID = %q, want %q", got, want)
	}
	if tbl.TypeName != "AWS::Cognito::UserPoolClient" || tbl.ListOnly || tbl.Kind != catalog.KindResource {
		t.Errorf("TypeName, ListOnly, Kind = %q, %v, %v", tbl.TypeName, tbl.ListOnly, tbl.Kind)
	}
	if d := cmp.Diff([]string{"UserPoolId", "ClientId"}, tbl.Identifier); d != "" {
		t.Errorf("Identifier (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"UserPoolId"}, tbl.ListRequired); d != "" {
		t.Errorf("ListRequired (-want +got):\n%s", d)
	}
	if tbl.Schema == nil || tbl.Schema.TypeName != tbl.TypeName {
		t.Errorf("Schema = %v", tbl.Schema)
	}
}

func TestCatalog_Table_columnFlags(t *testing.T) {
	tbl, err := newCognito().Table("awscc", "cognito", "user_pool_clients")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lookup string
		want   catalog.Column
	}{
		{"client_id", catalog.Column{Name: "client_id", Property: "ClientId", Type: "string", ReadOnly: true, Identifier: true}},
		{"ClientSecret", catalog.Column{Name: "client_secret", Property: "ClientSecret", Type: "string", ReadOnly: true}},
		{"USER_POOL_ID", catalog.Column{Name: "user_pool_id", Property: "UserPoolId", Type: "string", CreateOnly: true, Required: true, Identifier: true, Key: true}},
		{"generatesecret", catalog.Column{Name: "generate_secret", Property: "GenerateSecret", Type: "boolean", CreateOnly: true}},
		{"CallbackURLs", catalog.Column{Name: "callback_urls", Property: "CallbackURLs", Type: "array"}},
		{"region", catalog.Column{Name: "region", Type: "string", Description: "AWS region.", Key: true}},
	}
	for _, tt := range tests {
		t.Run(tt.lookup, func(t *testing.T) {
			got, ok := tbl.Column(tt.lookup)
			if !ok {
				t.Fatalf("Column(%q) not found", tt.lookup)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Column(%q) (-want +got):\n%s", tt.lookup, d)
			}
		})
	}
	if _, ok := tbl.Column("no_such_column"); ok {
		t.Error("Column(no_such_column) found")
	}
}

func TestCatalog_Table_listOnly(t *testing.T) {
	tbl, err := newCognito().Table("awscc", "cognito", "user_pool_clients_list_only")
	if err != nil {
		t.Fatal(err)
	}
	want := []fieldRow{{"user_pool_id", "string", ""}, {"client_id", "string", ""}, {"region", "string", "AWS region."}}
	if d := cmp.Diff(want, fields(tbl)); d != "" {
		t.Errorf("Fields (-want +got):\n%s", d)
	}
	wantM := []methodRow{{"list_resources", "user_pool_clients_list_only", "SELECT", "region"}}
	if d := cmp.Diff(wantM, methods(tbl)); d != "" {
		t.Errorf("Methods (-want +got):\n%s", d)
	}
	if !tbl.ListOnly || tbl.Kind != catalog.KindListOnly || tbl.TypeName != "AWS::Cognito::UserPoolClient" {
		t.Errorf("ListOnly, Kind, TypeName = %v, %v, %q", tbl.ListOnly, tbl.Kind, tbl.TypeName)
	}
	if c, _ := tbl.Column("user_pool_id"); !c.Key {
		t.Error("user_pool_id is not a key column of the list view")
	}
}

func TestCatalog_Resources_cognito(t *testing.T) {
	got, err := newCognito().Resources("awscc", "cognito")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range got {
		names = append(names, r.Name)
		if r.ID != "awscc.cognito."+r.Name {
			t.Errorf("%s: ID = %q", r.Name, r.ID)
		}
	}
	want := []string{
		"user_pool_clients", "user_pool_clients_list_only",
		"user_pool_domains", // no list handler, so no _list_only twin
		"user_pool_groups", "user_pool_groups_list_only",
		"user_pool_identity_providers", "user_pool_identity_providers_list_only",
		"user_pool_resource_servers", "user_pool_resource_servers_list_only",
		"user_pools", "user_pools_list_only",
	}
	if d := cmp.Diff(want, names); d != "" {
		t.Errorf("resources (-want +got):\n%s", d)
	}
}

func TestCatalog_Services(t *testing.T) {
	got, err := newCognito().Services("AWSCC")
	if err != nil {
		t.Fatal(err)
	}
	want := []catalog.Service{
		{ID: "cloud_control:v00.00.00000", Name: "cloud_control", Title: "cloud_control"},
		{ID: "cognito:v00.00.00000", Name: "cognito", Title: "cognito"},
		{ID: "cognito_outbox:v00.00.00000", Name: "cognito_outbox", Title: "cognito_outbox"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Services (-want +got):\n%s", d)
	}
	if _, err := newCognito().Services("aws"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("Services(aws) error = %v, want ErrNotFound", err)
	}
}

func TestCatalog_Table_cognitoTypes(t *testing.T) {
	c := newCognito()
	tests := []struct {
		typeName, id string
		methods      []string
		someColumns  []string
	}{
		{"AWS::Cognito::UserPool", "awscc.cognito.user_pools",
			[]string{"create_resource", "delete_resource", "update_resource", "list_resources", "get_resource"},
			[]string{"user_pool_name", "_schema", "sms_configuration", "user_pool_tags", "provider_url", "arn", "user_pool_id", "enabled_mfas"}},
		{"AWS::Cognito::UserPoolDomain", "awscc.cognito.user_pool_domains",
			[]string{"create_resource", "delete_resource", "update_resource", "get_resource"},
			[]string{"user_pool_id", "domain", "custom_domain_config", "cloud_front_distribution"}},
		{"AWS::Cognito::UserPoolGroup", "awscc.cognito.user_pool_groups",
			[]string{"create_resource", "delete_resource", "update_resource", "list_resources", "get_resource"},
			[]string{"group_name", "user_pool_id", "role_arn", "precedence"}},
		{"AWS::Cognito::UserPoolIdentityProvider", "awscc.cognito.user_pool_identity_providers",
			[]string{"create_resource", "delete_resource", "update_resource", "list_resources", "get_resource"},
			[]string{"user_pool_id", "provider_name", "provider_type", "provider_details", "idp_identifiers", "attribute_mapping"}},
		{"AWS::Cognito::UserPoolResourceServer", "awscc.cognito.user_pool_resource_servers",
			[]string{"create_resource", "delete_resource", "update_resource", "list_resources", "get_resource"},
			[]string{"user_pool_id", "identifier", "name", "scopes"}},
	}
	for _, tt := range tests {
		t.Run(tt.typeName, func(t *testing.T) {
			tbl, err := c.TableByType(tt.typeName)
			if err != nil {
				t.Fatal(err)
			}
			if tbl.ID() != tt.id {
				t.Errorf("ID = %q, want %q", tbl.ID(), tt.id)
			}
			var ms []string
			for _, m := range tbl.Methods {
				ms = append(ms, m.Name)
			}
			if d := cmp.Diff(tt.methods, ms); d != "" {
				t.Errorf("methods (-want +got):\n%s", d)
			}
			for _, col := range tt.someColumns {
				if _, ok := tbl.Column(col); !ok {
					t.Errorf("no column %q", col)
				}
			}
			if last := tbl.Columns[len(tbl.Columns)-1]; last.Name != "region" {
				t.Errorf("last column = %q, want region", last.Name)
			}
			again, err := c.Table("awscc", tbl.Service, tbl.Name)
			if err != nil || again != tbl {
				t.Errorf("Table(%s) = %p, %v; want the same table %p", tbl.Name, again, err, tbl)
			}
		})
	}
}

func TestCatalog_Table_createParams(t *testing.T) {
	tbl, err := newCognito().Table("awscc", "cognito", "user_pool_resource_servers")
	if err != nil {
		t.Fatal(err)
	}
	m, ok := tbl.Method("create_resource")
	if !ok {
		t.Fatal("no create_resource")
	}
	if d := cmp.Diff([]string{"UserPoolId", "Identifier", "Name", "region"}, m.RequiredParams); d != "" {
		t.Errorf("create params (-want +got):\n%s", d)
	}
	pools, err := newCognito().Table("awscc", "cognito", "user_pools")
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := pools.Method("create_resource"); !cmp.Equal(m.RequiredParams, []string{"region"}) {
		t.Errorf("user_pools create params = %v, want [region]", m.RequiredParams)
	}
}

func TestCatalog_Table_notFound(t *testing.T) {
	c := newCognito()
	tests := []struct{ provider, service, resource string }{
		{"aws", "cognito", "user_pool_clients"},
		{"awscc", "nosuch", "user_pool_clients"},
		{"awscc", "cognito", "nosuch"},
		{"awscc", "cognito", "user_pool_domains_list_only"}, // no list handler
		{"awscc", "cloud_control", "nosuch"},
	}
	for _, tt := range tests {
		if _, err := c.Table(tt.provider, tt.service, tt.resource); !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("Table(%s.%s.%s) error = %v, want ErrNotFound", tt.provider, tt.service, tt.resource, err)
		}
	}
	if _, err := c.Resources("awscc", "nosuch"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("Resources(nosuch) error = %v", err)
	}
	if _, err := c.TableByType("AWS::No::Such"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("TableByType error = %v", err)
	}
	if _, err := c.TableByID("awscc.cognito"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("TableByID(2 parts) error = %v", err)
	}
}

func TestCatalog_Table_caseInsensitive(t *testing.T) {
	tbl, err := newCognito().TableByID("AWSCC.Cognito.User_Pool_Clients")
	if err != nil {
		t.Fatal(err)
	}
	if tbl.Name != "user_pool_clients" {
		t.Errorf("Name = %q", tbl.Name)
	}
}

func TestCatalog_cloudControl(t *testing.T) {
	c := newCognito()
	refs, err := c.Resources("awscc", "cloud_control")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range refs {
		names = append(names, r.Name)
	}
	if d := cmp.Diff([]string{"resource", "resource_request", "resource_requests", "resources"}, names); d != "" {
		t.Errorf("cloud_control resources (-want +got):\n%s", d)
	}
	req, err := c.Table("awscc", "cloud_control", "resource_request")
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, col := range req.Columns {
		cols = append(cols, col.Name)
	}
	want := append(catalog.ProgressEventFields(), "region")
	if d := cmp.Diff(want, cols); d != "" {
		t.Errorf("resource_request columns (-want +got):\n%s", d)
	}
	if c, _ := req.Column("requesttoken"); !c.Key {
		t.Error("RequestToken is not a key column")
	}
	if m, ok := req.Method("get_resource_request"); !ok || m.Operation != "GetResourceRequestStatus" {
		t.Errorf("get_resource_request = %+v, %v", m, ok)
	}
	res, err := c.Table("awscc", "cloud_control", "resources")
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != catalog.KindNative {
		t.Errorf("Kind = %v", res.Kind)
	}
	for _, m := range []string{"list_resources", "create_resource", "update_resource", "delete_resource"} {
		if _, ok := res.Method(m); !ok {
			t.Errorf("resources has no %s", m)
		}
	}
}

func TestProgressEventFields(t *testing.T) {
	want := []string{"ErrorCode", "EventTime", "Identifier", "Operation", "OperationStatus", "RequestToken",
		"ResourceModel", "RetryAfter", "StatusMessage", "TypeName"}
	if d := cmp.Diff(want, catalog.ProgressEventFields()); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestCatalog_nativeTablesShared(t *testing.T) {
	c := catalog.New(schema.NewRegistry())
	a, err := c.Table("awscc", "cloud_control", "resource_request")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.Table("awscc", "cloud_control", "resource_request")
	if a != b {
		t.Error("two lookups of a cloud_control table built two tables")
	}
}
