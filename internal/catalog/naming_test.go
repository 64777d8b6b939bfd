package catalog_test

import (
	"testing"

	"github.com/ccql/ccql/internal/catalog"
)

func TestColumnName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ClientName", "client_name"},
		{"CallbackURLs", "callback_urls"},
		{"DefaultRedirectURI", "default_redirect_uri"},
		{"AllowedOAuthFlowsUserPoolClient", "allowed_oauth_flows_user_pool_client"},
		{"AllowedOAuthScopes", "allowed_oauth_scopes"},
		{"LogoutURLs", "logout_urls"},
		{"EnablePropagateAdditionalUserContextData", "enable_propagate_additional_user_context_data"},
		{"IdTokenValidity", "id_token_validity"},
		// Acronyms missing from the generator's table split oddly.
		{"EC2InstanceType", "e_c2_instance_type"},
		{"EIP", "e_ip"},
		{"UUID", "u_uid"},
		{"SamlProviderUUID", "saml_provider_uu_id"},
		{"APNS", "a_pn_s"},
		{"ADM", "a_dm"},
		{"GCM", "g_cm"},
		{"CSS", "c_ss"},
		{"AIAgentArn", "a_iagent_arn"},
		{"AIMLOptions", "a_iml_options"},
		{"JSONString", "j_so_nstring"},
		{"XMLClassifier", "x_ml_classifier"},
		{"OSReleaseLabel", "o_srelease_label"},
		{"VPNGatewayId", "v_pn_gateway_id"},
		{"MaxACU", "max_ac_u"},
		{"DisableIMDSV1", "disable_im_ds_v1"},
		{"RequestMACSec", "request_ma_csec"},
		{"OpenZFSConfiguration", "open_zf_sconfiguration"},
		{"OnSourceDDoSProtectionConfig", "on_source_ddo_sprotection_config"},
		{"UseClientCertificateOCSPEndpoint", "use_client_certificate_oc_sp_endpoint"},
		{"IdCConfiguration", "id_cconfiguration"},
		// Side effects of the replacement table.
		{"ClientIdsForOIDC", "client_ids_for_oid_c"},
		{"CIDRIP", "c_id_rip"},
		{"GcpMySQLSettings", "gcp_my_sq_lsettings"},
		{"CustomerContactsToSendToOCI", "customer_contacts_to_send_to_oc_i"},
		// Where the naive function does well.
		{"StorageInGBs", "storage_in_gbs"},
		{"VPCs", "vpcs"},
		{"ProviderARNs", "provider_arns"},
		{"PreferredCacheClusterAZs", "preferred_cache_cluster_azs"},
		{"IPv4Addresses", "ipv4_addresses"},
		{"OAuthScopes", "oauth_scopes"},
		{"VPCDHCPOptionsAssociation", "vpc_dhcp_options_association"},
		// Reserved words.
		{"Schema", "_schema"},
		{"Format", "_format"},
		{"Database", "_database"},
		{"Values", "_values"},
		{"Match", "_match"},
		{"SchemaName", "schema_name"},
		// Nested identifier paths, joined with "_" first.
		{"Schedule_ScheduleId", "schedule__schedule_id"},
		{"StorageLensConfiguration_Id", "storage_lens_configuration__id"},
	}
	for _, tt := range tests {
		if got := catalog.ColumnName(tt.in); got != tt.want {
			t.Errorf("ColumnName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPluralizer_ResourceName(t *testing.T) {
	p := catalog.NewPluralizer()
	tests := []struct{ typeName, service, want string }{
		{"AWS::Cognito::UserPoolClient", "cognito", "user_pool_clients"},
		{"AWS::Cognito::UserPool", "cognito", "user_pools"},
		{"AWS::Cognito::UserPoolUICustomizationAttachment", "cognito", "user_poolui_customization_attachments"},
		{"AWS::AppSync::GraphQLApi", "appsync", "graphql_apis"},
		{"AWS::EC2::EC2Fleet", "ec2", "ec2fleets"},
		{"AWS::IAM::VirtualMFADevice", "iam", "virtualmfa_devices"},
		{"AWS::WAFv2::WebACLAssociation", "wafv2", "webacl_associations"},
		{"AWS::RDS::CustomDBEngineVersion", "rds", "customdb_engine_versions"},
		{"AWS::Route53Resolver::ResolverDNSSECConfig", "route53resolver", "resolverdnssec_configs"},
		{"AWS::EC2::LocalGatewayRouteTableVPCAssociation", "ec2", "local_gateway_route_tablevpc_associations"},
		{"AWS::DataSync::LocationFSxONTAP", "datasync", "locationf_sx_ontaps"},
		{"AWS::S3::AccessPoint", "s3", "access_points"},
		{"AWS::Location::PlaceIndex", "location", "place_indices"},
		{"AWS::IAM::Policy", "iam", "policies"},
		{"AWS::KMS::Alias", "kms", "aliases"},
		{"AWS::QuickSight::Analysis", "quicksight", "analyses"},
		{"AWS::Events::EventBus", "events", "event_buses"},
		{"AWS::ECR::Repository", "ecr", "repositories"},
		{"AWS::EC2::DHCPOptions", "ec2", "dhcp_options"},
		{"AWS::Glue::SchemaVersionMetadata", "glue", "schema_version_metadata"},
		{"AWS::Glue::Schema", "glue", "schemas"},
		{"AWS::EventSchemas::Schema", "eventschemas", "schemas"},
		{"AWS::RDS::DBProxy", "rds", "db_proxies"},
		{"AWS::ElasticLoadBalancingV2::Listener", "elasticloadbalancingv2", "listeners"},
	}
	for _, tt := range tests {
		if got := p.ResourceName(tt.typeName); got != tt.want {
			t.Errorf("ResourceName(%q) = %q, want %q", tt.typeName, got, tt.want)
		}
		if got := catalog.ServiceName(tt.typeName); got != tt.service {
			t.Errorf("ServiceName(%q) = %q, want %q", tt.typeName, got, tt.service)
		}
	}
	if got := catalog.ServiceName("Alexa::ASK"); got != "" {
		t.Errorf("ServiceName(two segments) = %q, want empty", got)
	}
}

func TestResourceSingular(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AWS::BedrockAgentCore::OAuth2CredentialProvider", "o_auth2credential_provider"},
		{"AWS::S3::AccessPointAttachment", "access_point_attachment"},
		{"AWS::S3Tables::S3TableIntegration", "s3table_integration"},
		{"AWS::Timestream::InfluxDBCluster", "influxdb_cluster"},
		{"AWS::QuickSight::RefreshSchedule", "refresh_schedule"},
	}
	for _, tt := range tests {
		if got := catalog.ResourceSingular(tt.in); got != tt.want {
			t.Errorf("ResourceSingular(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzColumnName(f *testing.F) {
	for _, s := range []string{"CallbackURLs", "EC2InstanceType", "Schema", "_X", "ABC", "", "a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := catalog.ColumnName(s)
		if got != catalog.ColumnName(s) {
			t.Fatalf("ColumnName(%q) not deterministic", s)
		}
		for i := 0; i < len(got); i++ {
			if got[i] >= 'A' && got[i] <= 'Z' {
				t.Fatalf("ColumnName(%q) = %q has an upper-case letter", s, got)
			}
		}
	})
}
