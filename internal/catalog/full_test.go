package catalog_test

import (
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/schema"
	"github.com/google/go-cmp/cmp"
)

// full is shared by the tests below: building it once keeps them fast, and
// a Catalog is safe for concurrent use.
var full = sync.OnceValue(func() *catalog.Catalog { return catalog.New(schema.NewFullRegistry()) })

func TestFullCatalog_Services(t *testing.T) {
	svcs, err := full().Services("awscc")
	if err != nil {
		t.Fatal(err)
	}
	// 270 services have a provisionable type in the 2026-08-03 schema set,
	// plus cloud_control and cognito_outbox.
	if got, want := len(svcs), 272; got != want {
		t.Errorf("%d services, want %d", got, want)
	}
	if !sort.SliceIsSorted(svcs, func(i, j int) bool { return svcs[i].Name < svcs[j].Name }) {
		t.Error("services are not sorted by name")
	}
	want := map[string]bool{"cloud_control": true, "cognito_outbox": true, "cognito": true, "ec2": true, "elasticloadbalancingv2": true,
		"route53resolver": true, "wafv2": true, "accessanalyzer": true}
	for _, s := range svcs {
		delete(want, s.Name)
		if s.ID != s.Name+":v00.00.00000" || s.Title != s.Name {
			t.Errorf("service %+v", s)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing services %v", want)
	}
}

func TestFullCatalog_resourceNames(t *testing.T) {
	c := full()
	tests := []struct{ typeName, id string }{
		{"AWS::Cognito::UserPoolClient", "awscc.cognito.user_pool_clients"},
		{"AWS::Cognito::UserPoolUICustomizationAttachment", "awscc.cognito.user_poolui_customization_attachments"},
		{"AWS::Location::PlaceIndex", "awscc.location.place_indices"},
		{"AWS::Glue::Schema", "awscc.glue.schemas"},
		{"AWS::EventSchemas::Schema", "awscc.eventschemas.schemas"},
		{"AWS::Personalize::Schema", "awscc.personalize.schemas"},
		{"AWS::AppSync::GraphQLApi", "awscc.appsync.graphql_apis"},
		{"AWS::EC2::EC2Fleet", "awscc.ec2.ec2fleets"},
		{"AWS::EC2::DHCPOptions", "awscc.ec2.dhcp_options"},
		{"AWS::IAM::VirtualMFADevice", "awscc.iam.virtualmfa_devices"},
		{"AWS::WAFv2::WebACLAssociation", "awscc.wafv2.webacl_associations"},
		{"AWS::RDS::CustomDBEngineVersion", "awscc.rds.customdb_engine_versions"},
		{"AWS::RDS::DBProxy", "awscc.rds.db_proxies"},
		{"AWS::Route53Resolver::ResolverDNSSECConfig", "awscc.route53resolver.resolverdnssec_configs"},
		{"AWS::Timestream::InfluxDBCluster", "awscc.timestream.influxdb_clusters"},
		{"AWS::EC2::LocalGatewayRouteTableVPCAssociation", "awscc.ec2.local_gateway_route_tablevpc_associations"},
		{"AWS::DataSync::LocationFSxONTAP", "awscc.datasync.locationf_sx_ontaps"},
		{"AWS::FSx::S3AccessPointAttachment", "awscc.fsx.s3access_point_attachments"},
		{"AWS::BedrockAgentCore::OAuth2CredentialProvider", "awscc.bedrockagentcore.o_auth2credential_providers"},
		{"AWS::S3::StorageLens", "awscc.s3.storage_lens"},
		{"AWS::Glue::SchemaVersionMetadata", "awscc.glue.schema_version_metadata"},
		{"AWS::Events::EventBus", "awscc.events.event_buses"},
		{"AWS::QuickSight::Analysis", "awscc.quicksight.analyses"},
		{"AWS::KMS::Alias", "awscc.kms.aliases"},
		{"AWS::ElasticLoadBalancingV2::LoadBalancer", "awscc.elasticloadbalancingv2.load_balancers"},
		{"AWS::ECS::PrimaryTaskSet", "awscc.ecs.primary_task_sets"},
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
			if back, err := c.TableByID(tt.id); err != nil || back != tbl {
				t.Errorf("TableByID(%s) = %v, %v", tt.id, back, err)
			}
		})
	}
}

func TestFullCatalog_columns(t *testing.T) {
	c := full()
	tests := []struct{ id, column, property string }{
		{"awscc.gamelift.fleets", "e_c2_instance_type", "EC2InstanceType"},
		{"awscc.cognito.user_pools", "_schema", "Schema"},
		{"awscc.quicksight.refresh_schedules_list_only", "schedule__schedule_id", "Schedule/ScheduleId"},
		{"awscc.quicksight.refresh_schedules_list_only", "aws_account_id", "AwsAccountId"},
		{"awscc.glue.schemas", "_registry", "Registry"},
		{"awscc.resourcegroups.tag_sync_tasks", "group_id", "Group"},
		{"awscc.sns.subscriptions", "_region", "Region"},
		{"awscc.cognito.user_pool_resource_servers", "_identifier", "Identifier"},
		{"awscc.cognito.user_pool_resource_servers_list_only", "identifier", "Identifier"},
	}
	for _, tt := range tests {
		t.Run(tt.id+"."+tt.column, func(t *testing.T) {
			tbl, err := c.TableByID(tt.id)
			if err != nil {
				t.Fatal(err)
			}
			col, ok := tbl.Column(tt.column)
			if !ok {
				t.Fatalf("no column %s", tt.column)
			}
			if col.Name != tt.column || col.Property != tt.property {
				t.Errorf("column = %q (%q), want %q (%q)", col.Name, col.Property, tt.column, tt.property)
			}
		})
	}
	rs, err := c.TableByID("awscc.quicksight.refresh_schedules_list_only")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, col := range rs.Columns {
		names = append(names, col.Name)
	}
	if d := cmp.Diff([]string{"aws_account_id", "data_set_id", "schedule__schedule_id", "region"}, names); d != "" {
		t.Errorf("refresh_schedules_list_only columns (-want +got):\n%s", d)
	}
}

func TestFullCatalog_methods(t *testing.T) {
	c := full()
	tests := []struct {
		id      string
		methods []string
	}{
		// No read handler permissions: no get_resource (no SELECT view in StackQL).
		{"awscc.ecs.primary_task_sets", []string{"create_resource", "update_resource"}},
		{"awscc.emr.steps", []string{"create_resource"}},
		// A list handler without permissions: no _list_only twin.
		{"awscc.s3.multi_region_access_point_policies", []string{"create_resource", "delete_resource", "update_resource", "get_resource"}},
	}
	for _, tt := range tests {
		tbl, err := c.TableByID(tt.id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range tbl.Methods {
			got = append(got, m.Name)
		}
		if d := cmp.Diff(tt.methods, got); d != "" {
			t.Errorf("%s methods (-want +got):\n%s", tt.id, d)
		}
	}
	if _, err := c.TableByID("awscc.s3.multi_region_access_point_policies_list_only"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("list_only twin without list permissions: err = %v", err)
	}
}

// TestFullCatalog_everyTable builds every table of every service and checks
// that the precomputed name index (awscc.tsv) agrees with what the naming
// code derives from each schema now, so a change to the naming code without
// `go generate` fails here.
func TestFullCatalog_everyTable(t *testing.T) {
	if testing.Short() {
		t.Skip("parses all 1,490 schemas")
	}
	reg := schema.NewFullRegistry()
	c := full()
	svcs, err := c.Services("awscc")
	if err != nil {
		t.Fatal(err)
	}
	p := catalog.NewPluralizer()
	types, tables := 0, 0
	for _, s := range svcs {
		refs, err := c.Resources("awscc", s.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, ref := range refs {
			tbl, err := c.Table("awscc", s.Name, ref.Name)
			if err != nil {
				t.Errorf("%s: %v", ref.ID, err)
				continue
			}
			tables++
			if ref.Kind != catalog.KindResource {
				continue
			}
			types++
			r, err := reg.Lookup(tbl.TypeName)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.ResourceName(r.TypeName); got != tbl.Name || catalog.ServiceName(r.TypeName) != tbl.Service {
				t.Errorf("%s: index says %s.%s, naming code says %s.%s", r.TypeName, tbl.Service, tbl.Name, catalog.ServiceName(r.TypeName), got)
			}
			if got, want := len(tbl.Columns), len(r.Properties)+1; got != want {
				t.Errorf("%s: %d columns, want %d", tbl.ID(), got, want)
			}
			if _, hasTwin := tbl.Method("list_resources"); hasTwin != hasListTwin(refs, tbl.Name) {
				t.Errorf("%s: list_resources %v but twin %v", tbl.ID(), hasTwin, !hasTwin)
			}
			for _, col := range tbl.Columns {
				if strings.ContainsAny(col.Name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") || col.Type == "" {
					t.Errorf("%s: column %+v", tbl.ID(), col)
				}
			}
		}
	}
	if types != 1490 {
		t.Errorf("%d resource types, want 1490", types)
	}
	t.Logf("%d types, %d tables", types, tables)
}

func hasListTwin(refs []catalog.ResourceRef, name string) bool {
	for _, r := range refs {
		if r.Name == name+catalog.ListOnlySuffix {
			return true
		}
	}
	return false
}

func BenchmarkCatalog_Services(b *testing.B) {
	for b.Loop() {
		c := catalog.New(schema.NewFullRegistry())
		if _, err := c.Services("awscc"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCatalog_Table(b *testing.B) {
	for _, id := range []string{"awscc.cognito.user_pool_clients", "awscc.ec2.instances", "awscc.quicksight.analyses"} {
		b.Run(id, func(b *testing.B) {
			for b.Loop() {
				c := catalog.New(schema.NewFullRegistry())
				if _, err := c.TableByID(id); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCatalog_Resources(b *testing.B) {
	for b.Loop() {
		c := catalog.New(schema.NewFullRegistry())
		if _, err := c.Resources("awscc", "ec2"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCatalog_concurrent(t *testing.T) {
	c := catalog.New(schema.NewFullRegistry())
	ids := []string{"awscc.cognito.user_pool_clients", "awscc.cognito.user_pool_clients_list_only", "awscc.ec2.instances", "awscc.s3.buckets"}
	var wg sync.WaitGroup
	got := make([][]*catalog.Table, 8)
	for g := range got {
		wg.Go(func() {
			for _, id := range ids {
				tbl, err := c.TableByID(id)
				if err != nil {
					t.Error(err)
					return
				}
				got[g] = append(got[g], tbl)
			}
		})
	}
	wg.Wait()
	for g := range got {
		if !slices.Equal(got[g], got[0]) {
			t.Errorf("goroutine %d got different *Table values than goroutine 0", g)
		}
	}
}
