package catalog

import (
	"regexp"
	"strings"

	"github.com/gertd/go-pluralize"
)

// The names below reproduce StackQL's awscc registry exactly (see
// reference/awscc-breadth.md §3): the registry is what users type, so a
// "better" snake case would break every existing query. The quirks
// (e_c2_instance_type, user_poolui_customization_attachments) are therefore
// deliberate.

// ServiceName returns the StackQL service of a CloudFormation type name: the
// lower-cased second segment ("AWS::Cognito::UserPoolClient" → "cognito").
// It returns "" for a name that does not have three segments.
func ServiceName(typeName string) string {
	parts := strings.Split(typeName, "::")
	if len(parts) != 3 {
		return ""
	}
	return strings.ToLower(parts[1])
}

var (
	reAcronymWord = regexp.MustCompile(`([A-Z]+)([A-Z][a-z])`)
	reLowerUpper  = regexp.MustCompile(`([a-z])([A-Z])`)
	reUnderscores = regexp.MustCompile(`_+`)
)

// ResourceSingular returns the singular snake-case resource name StackQL
// derives from a type's last segment ("UserPoolUICustomizationAttachment" →
// "user_poolui_customization_attachment"). It is the generator's
// openapi-utils toSnakeCase: split an acronym run before its last capital,
// split lower→upper, lower-case, collapse underscores.
func ResourceSingular(typeName string) string {
	last := typeName
	if i := strings.LastIndex(typeName, "::"); i >= 0 {
		last = typeName[i+2:]
	}
	s := replaceSubmatch(reAcronymWord, last, func(m []string) string {
		return strings.ToLower(m[1]) + "_" + strings.ToLower(m[2])
	})
	s = reLowerUpper.ReplaceAllString(s, "${1}_${2}")
	s = strings.ToLower(s)
	return reUnderscores.ReplaceAllString(s, "_")
}

// replaceSubmatch is ReplaceAllStringFunc with the submatches at hand, which
// JavaScript's String.replace(regex, fn) gives and Go's does not.
func replaceSubmatch(re *regexp.Regexp, s string, fn func([]string) string) string {
	var b strings.Builder
	last := 0
	for _, loc := range re.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(s[last:loc[0]])
		m := make([]string, len(loc)/2)
		for i := range m {
			if loc[2*i] >= 0 {
				m[i] = s[loc[2*i]:loc[2*i+1]]
			}
		}
		b.WriteString(fn(m))
		last = loc[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// Pluralizer turns singular resource names into StackQL's plural resource
// names. It wraps go-pluralize (a port of npm pluralize, which the StackQL
// generator uses) with the registry's one override, schema → schemas (npm
// says schemata). Creating one compiles a few hundred regular expressions,
// so make one and reuse it; it is safe for concurrent use once made.
type Pluralizer struct {
	c *pluralize.Client
}

// NewPluralizer returns a ready Pluralizer.
func NewPluralizer() *Pluralizer { return &Pluralizer{c: pluralize.NewClient()} }

// Plural returns the plural of a singular snake-case resource name. The whole
// string is pluralised, as the generator does, so suffix rules see the last
// word and whole-word lookups see the whole name.
func (p *Pluralizer) Plural(singular string) string {
	if singular == "schema" {
		return "schemas"
	}
	return p.c.Plural(singular)
}

// ResourceName returns the StackQL resource name of a type
// ("AWS::Cognito::UserPoolClient" → "user_pool_clients").
func (p *Pluralizer) ResourceName(typeName string) string {
	return p.Plural(ResourceSingular(typeName))
}

// ListOnlySuffix names the identifiers-only twin of a resource that has a
// list handler: user_pool_clients_list_only.
const ListOnlySuffix = "_list_only"

// camelFixes is the generator's fixCamelCaseIssues table, applied in this
// order as global literal replacements before snake-casing a property name.
// Order matters: IP runs before IPAM, so IPAM never fires; VPCDHCP before VPC.
var camelFixes = [...][2]string{
	{"DB", "Db"}, {"ARN", "Arn"}, {"WAN", "Wan"}, {"URL", "Url"}, {"VPCDHCP", "VpcDhcp"},
	{"EC2Fleet", "Ec2_Fleet"}, {"VPC", "Vpc"}, {"DHCP", "Dhcp"}, {"DNS", "Dns"}, {"IP", "Ip"},
	{"IAM", "Iam"}, {"IPAM", "Ipam"}, {"TLS", "Tls"}, {"SSM", "Ssm"}, {"CNAME", "Cname"},
	{"SQ", "Sq"}, {"ML", "Ml"}, {"SKU", "Sku"}, {"KMS", "Kms"}, {"OK", "Ok"}, {"CA", "Ca"},
	{"ID", "Id"}, {"TTL", "Ttl"}, {"URI", "Uri"}, {"LB", "Lb"}, {"SNS", "Sns"}, {"AWS", "Aws"},
	{"ACL", "Acl"}, {"AZ", "Az"}, {"API", "Api"}, {"MSK", "Msk"}, {"ECS", "Ecs"}, {"EBS", "Ebs"},
	{"CWE", "Cwe"}, {"SSE", "Sse"}, {"HPO", "Hpo"}, {"LF", "Lf"}, {"WAL", "Wal"}, {"MFA", "Mfa"},
	{"OAuth", "Oauth"},
}

// reservedColumns are the view aliases the generator prefixes with "_"
// because they are SQL keywords.
var reservedColumns = map[string]bool{
	"values": true, "schema": true, "database": true, "format": true,
	"update": true, "force": true, "match": true,
}

// ColumnName returns the column StackQL gives a property
// ("CallbackURLs" → "callback_urls", "EC2InstanceType" →
// "e_c2_instance_type", "Schema" → "_schema"). For a nested identifier pass
// the path parts joined with "_" ("Schedule_ScheduleId" →
// "schedule__schedule_id"), as the generator does for list views.
func ColumnName(property string) string {
	s := property
	for _, f := range camelFixes {
		s = strings.ReplaceAll(s, f[0], f[1])
	}
	s = naiveSnake(s)
	if reservedColumns[s] {
		s = "_" + s
	}
	return s
}

// naiveSnake is the generator's toSnakeCase for columns:
// str.replace(/[\w]([A-Z])/g, m => m[0]+"_"+m[1]).toLowerCase(). Matches are
// two characters and do not overlap, so "ABC" → "a_bc" and "_X" → "__x".
func naiveSnake(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		if i+1 < len(s) && isWord(s[i]) && isUpper(s[i+1]) {
			b.WriteByte(s[i])
			b.WriteByte('_')
			b.WriteByte(s[i+1])
			i += 2
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return strings.ToLower(b.String())
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func isWord(c byte) bool {
	return c == '_' || isUpper(c) || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
}

// columnOverrides are the registry's two hand edits that no algorithm
// produces, keyed by type name then property.
var columnOverrides = map[string]map[string]string{
	"AWS::Glue::Schema":                {"Registry": "_registry"},
	"AWS::ResourceGroups::TagSyncTask": {"Group": "group_id"},
}

// columnFor returns the column name of a top-level property of typeName,
// with the registry's hand edits applied.
func columnFor(typeName, property string) string {
	if o, ok := columnOverrides[typeName][property]; ok {
		return o
	}
	return ColumnName(property)
}
