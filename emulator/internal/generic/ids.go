package generic

import (
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/ccql/ccql/internal/cfnschema"
	"github.com/ccql/ccql/internal/handler"
)

// ec2Prefixes are the id prefixes of the EC2 (and VPC) resources people
// see most, keyed by the type name's last segment.
var ec2Prefixes = map[string]string{
	"VPC": "vpc", "Subnet": "subnet", "SecurityGroup": "sg", "InternetGateway": "igw",
	"EgressOnlyInternetGateway": "eigw", "RouteTable": "rtb", "NatGateway": "nat",
	"NetworkInterface": "eni", "Instance": "i", "Volume": "vol", "LaunchTemplate": "lt",
	"TransitGateway": "tgw", "TransitGatewayAttachment": "tgw-attach", "TransitGatewayRouteTable": "tgw-rtb",
	"NetworkAcl": "acl", "VPCEndpoint": "vpce", "EIP": "eipalloc", "KeyPair": "key",
	"PlacementGroup": "pg", "CustomerGateway": "cgw", "VPNGateway": "vgw", "VPNConnection": "vpn",
	"DHCPOptions": "dopt", "VPCPeeringConnection": "pcx", "PrefixList": "pl", "FlowLog": "fl",
	"CapacityReservation": "cr", "Host": "h", "SpotFleet": "sfr", "EC2Fleet": "fleet",
	"IPAM": "ipam", "IPAMPool": "ipam-pool", "IPAMScope": "ipam-scope", "CarrierGateway": "cagw",
	"LocalGatewayRouteTable": "lgw-rtb", "TrafficMirrorFilter": "tmf", "TrafficMirrorSession": "tms",
	"TrafficMirrorTarget": "tmt", "VerifiedAccessInstance": "vai", "VerifiedAccessGroup": "vagr",
	"VerifiedAccessEndpoint": "vae", "VerifiedAccessTrustProvider": "vatp", "NetworkInsightsPath": "nip",
	"NetworkInsightsAnalysis": "nia", "SubnetCidrBlock": "subnet-cidr-assoc", "VPCCidrBlock": "vpc-cidr-assoc",
}

// ec2Prefix returns the id prefix for an EC2 property: the resource the
// property names ("DefaultSecurityGroup" is an sg-), else the type's own.
func ec2Prefix(prop, typeLast string) (string, bool) {
	best := ""
	for noun := range ec2Prefixes {
		if len(noun) > len(best) && strings.Contains(prop, noun) {
			best = noun
		}
	}
	if best != "" {
		return ec2Prefixes[best], true
	}
	p, ok := ec2Prefixes[typeLast]
	return p, ok
}

// idMaker makes the generated values of one create: ids, names, ARNs and
// timestamps in the shapes AWS uses, checked against the property's schema.
type idMaker struct {
	h   *Handler
	env handler.Env
	rnd *rand.Rand
	raw io.Reader // for UUIDs
}

func newIDMaker(h *Handler, env handler.Env) (*idMaker, error) {
	var seed [32]byte
	src := env.Rand
	if src == nil {
		return nil, fmt.Errorf("%s: no random source", h.res.TypeName)
	}
	if _, err := io.ReadFull(src, seed[:]); err != nil {
		return nil, fmt.Errorf("%s: random source: %w", h.res.TypeName, err)
	}
	r := rand.New(rand.NewChaCha8(seed))
	return &idMaker{h: h, env: env, rnd: r, raw: chachaReader{r}}, nil
}

// chachaReader adapts a *rand.Rand to io.Reader for uuid.
type chachaReader struct{ r *rand.Rand }

func (c chachaReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c.r.Uint32())
	}
	return len(p), nil
}

func (m *idMaker) hex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = m.raw.Read(b)
	return hex.EncodeToString(b)[:n]
}

func (m *idMaker) alnum(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[m.rnd.IntN(len(alphabet))]
	}
	return string(b)
}

func (m *idMaker) uuid() string {
	u, err := uuid.NewRandomFromReader(m.raw)
	if err != nil {
		return m.hex(8) + "-" + m.hex(4) + "-4" + m.hex(3) + "-a" + m.hex(3) + "-" + m.hex(12)
	}
	return u.String()
}

// partition is the ARN partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	}
	return "aws"
}

// arn builds arn:<partition>:<service>:<region>:<account>:<resource-type>/<id>,
// with the global services' empty region (and S3's empty account).
func (m *idMaker) arn(id string) string {
	region, account := m.env.Region, m.env.Account
	switch m.h.service {
	case "iam", "cloudfront", "route53", "organizations", "waf", "globalaccelerator", "shield":
		region = ""
	case "s3":
		return fmt.Sprintf("arn:%s:s3:::%s", partition(m.env.Region), id)
	}
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s/%s", partition(m.env.Region), m.h.service, region, account, m.h.kebab, id)
}

// kebab turns "LogGroup" into "log-group" and "VPCEndpoint" into "vpc-endpoint".
func kebab(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])) {
			b.WriteByte('-')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// shortPrefix is an id prefix for a type without a known one: the
// initials of its last segment ("ScalingPolicy" → "sp").
func shortPrefix(name string) string {
	if p, ok := ec2Prefixes[name]; ok {
		return p
	}
	var b strings.Builder
	for i, r := range name {
		if i == 0 || unicode.IsUpper(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// value returns a generated value for the read-only property name (a
// top-level property or the last segment of a nested path), satisfying its
// schema; idHint is the resource's own id when one is already known (for
// ARNs and read-only names; see Handler.idHint). ok is false when the property is not something we generate.
func (m *idMaker) value(name string, node cfnschema.Node, idHint string) (any, bool, error) {
	switch node.Type() {
	case "integer", "number":
		// A number the service assigns is usually an id: draw it from a
		// wide range, so that two resources of one parent do not collide
		// (the schema examples' 1–100 did, in one walk of a hundred).
		if m.rnd != nil {
			if v := int64(1 + m.rnd.IntN(1<<30)); node.Valid(v) {
				return v, true, nil
			}
		}
		v, err := node.Example(m.rnd)
		return v, err == nil, err
	case "boolean":
		return false, true, nil
	case "string", "":
	default:
		return nil, false, nil // objects and arrays are the service's to describe
	}
	spec := node.StringSpec()
	var cands []string
	lname := strings.ToLower(name)
	now := m.env.Now.UTC()
	if now.IsZero() {
		now = time.Now().UTC()
	}
	switch {
	case node.Format() == "date-time" || strings.HasSuffix(name, "Time") || strings.HasSuffix(name, "Date") ||
		strings.HasSuffix(name, "Timestamp") || strings.HasSuffix(name, "At") && !strings.HasSuffix(name, "Format"):
		cands = append(cands, now.Format(time.RFC3339), now.Format("2006-01-02T15:04:05.000Z"), now.Format(time.DateOnly),
			fmt.Sprint(now.Unix()))
	case strings.HasSuffix(name, "Arn") || strings.HasSuffix(name, "ARN") || strings.HasPrefix(spec.Pattern, "^arn") || strings.HasPrefix(spec.Pattern, "arn"):
		id := idHint
		if strings.HasPrefix(id, "arn:") {
			cands = append(cands, id) // the ARN of the resource a FooArn names
		}
		if id == "" {
			id = m.resourceName()
		}
		cands = append(cands, m.arn(id), m.arn(m.uuid()))
	case node.Format() == "uri" || strings.HasSuffix(name, "Url") || strings.HasSuffix(name, "URL") || strings.HasSuffix(name, "Uri") ||
		strings.HasSuffix(name, "Endpoint") || strings.HasSuffix(name, "DomainName"):
		host := fmt.Sprintf("%s.%s.%s.amazonaws.com", m.h.kebab+"-"+m.alnum(10), m.h.service, m.env.Region)
		cands = append(cands, "https://"+host, host)
	case m.h.res.TypeName == "AWS::Organizations::Account" && name == "AccountId":
		// A new member account, not the caller's.
		cands = append(cands, fmt.Sprintf("%012d", m.rnd.Int64N(1e12)))
	case lname == "accountid" || strings.HasSuffix(name, "AccountId") || lname == "ownerid":
		cands = append(cands, m.env.Account)
	case lname == "region":
		cands = append(cands, m.env.Region)
	case strings.HasSuffix(name, "Name"):
		if idHint != "" {
			cands = append(cands, idHint) // a read-only Name mirrors ServiceName
		}
		cands = append(cands, m.resourceName(), m.alnum(12))
	case strings.HasSuffix(name, "Version") || strings.HasSuffix(name, "VersionNumber"):
		cands = append(cands, "1", "$LATEST", "1.0")
	case strings.HasSuffix(name, "Status") || strings.HasSuffix(name, "State"):
		cands = append(cands, "ACTIVE", "AVAILABLE", "available", "Active", "ENABLED", "Enabled", "CREATE_COMPLETE",
			"COMPLETE", "COMPLETED", "SUCCEEDED", "CREATED", "READY", "RUNNING", "IN_SERVICE", "InService")
	}
	// Ids, and the fall-backs for everything above.
	if m.h.service == "ec2" {
		if p, ok := ec2Prefix(name, m.h.last); ok {
			cands = append(cands, p+"-"+m.hex(17))
		}
	}
	cands = append(cands, m.uuid(), shortPrefix(m.h.last)+"-"+m.hex(17), m.alnum(10), m.hex(32))
	for _, c := range cands {
		if node.Valid(c) {
			return c, true, nil
		}
	}
	// A string from the pattern, long enough that its free parts are
	// random: the minimal one ("vpce-" for ^vpce-[0-9a-z]*$) would be the
	// same for every resource, and collide when it is an identifier.
	if len(node.Enum()) == 0 && spec.Pattern != "" {
		long := spec
		long.MinLength = spec.MinLength + 12
		if minimal, err := cfnschema.GenerateString(spec, nil); err == nil {
			long.MinLength = max(long.MinLength, utf8.RuneCountInString(minimal)+12)
		}
		if spec.MaxLength > 0 {
			long.MinLength = min(long.MinLength, spec.MaxLength)
		}
		if s, err := cfnschema.GenerateString(long, m.rnd); err == nil && node.Valid(s) {
			return s, true, nil
		}
	}
	// The schema's own example honours enum and const as well as the
	// pattern and lengths.
	v, err := node.Example(m.rnd)
	if err != nil {
		return nil, false, fmt.Errorf("generate %s of %s: %w", name, m.h.res.TypeName, err)
	}
	return v, true, nil
}

// resourceName is a physical name as CloudFormation makes them (in lower
// case for S3, whose bucket names allow no other).
func (m *idMaker) resourceName() string {
	if m.h.service == "s3" {
		return m.h.kebab + "-" + m.alnum(12)
	}
	return m.h.kebab + "-" + strings.ToUpper(m.alnum(12))
}

// shapes are the generated values whose AWS shape the generic rules miss,
// by type and property: templates over {partition}, {region}, {account}
// and {Prop}, a top-level property of the model (generated first, as
// CloudFormation names a resource you leave unnamed, when absent). A
// value the property's schema rejects falls back to the generic rules.
var shapes = map[string]map[string]string{
	"AWS::SQS::Queue": {
		"QueueUrl": "https://sqs.{region}.amazonaws.com/{account}/{QueueName}",
		"Arn":      "arn:{partition}:sqs:{region}:{account}:{QueueName}",
	},
	"AWS::SNS::Topic": {
		"TopicArn": "arn:{partition}:sns:{region}:{account}:{TopicName}",
	},
	"AWS::ECR::Repository": {
		"RepositoryUri": "{account}.dkr.ecr.{region}.amazonaws.com/{RepositoryName}",
	},
	"AWS::S3::Bucket": {
		"DomainName":          "{BucketName}.s3.amazonaws.com",
		"RegionalDomainName":  "{BucketName}.s3.{region}.amazonaws.com",
		"DualStackDomainName": "{BucketName}.s3.dualstack.{region}.amazonaws.com",
		"WebsiteURL":          "http://{BucketName}.s3-website-{region}.amazonaws.com",
	},
	"AWS::Logs::LogGroup": {
		"Arn": "arn:{partition}:logs:{region}:{account}:log-group:{LogGroupName}:*",
	},
}

// shaped returns the value of the type's template for prop (see shapes),
// setting in model the names it needs; ok is false when the type has no
// template for prop or a name cannot be made.
func (m *idMaker) shaped(model map[string]any, prop string) (string, bool, error) {
	tmpl, ok := shapes[m.h.res.TypeName][prop]
	if !ok {
		return "", false, nil
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(tmpl, '{')
		if open < 0 {
			b.WriteString(tmpl)
			return b.String(), true, nil
		}
		end := strings.IndexByte(tmpl[open:], '}')
		if end < 0 {
			return "", false, fmt.Errorf("%s: bad template for %s", m.h.res.TypeName, prop)
		}
		b.WriteString(tmpl[:open])
		key := tmpl[open+1 : open+end]
		tmpl = tmpl[open+end+1:]
		switch key {
		case "partition":
			b.WriteString(partition(m.env.Region))
		case "region":
			b.WriteString(m.env.Region)
		case "account":
			b.WriteString(m.env.Account)
		default:
			v, err := m.name(model, key)
			if err != nil || v == "" {
				return "", false, err
			}
			b.WriteString(v)
		}
	}
}

// name returns the model's value of the name property key, generating
// and setting it when absent (a FIFO queue's name ends in .fifo, as SQS
// requires).
func (m *idMaker) name(model map[string]any, key string) (string, error) {
	if v, ok := model[key]; ok {
		return handler.ScalarString(v), nil
	}
	node, ok := m.h.sch.Property(key)
	if !ok {
		return "", nil
	}
	v, ok, err := m.value(key, node, "")
	if err != nil || !ok {
		return "", err
	}
	s := handler.ScalarString(v)
	if m.h.res.TypeName == "AWS::SQS::Queue" && model["FifoQueue"] == true {
		s += ".fifo"
	}
	model[key] = s
	return s, nil
}
