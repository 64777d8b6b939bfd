package cognito

import (
	"context"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// domains are AWS::Cognito::UserPoolDomain: a prefix domain
// (<prefix>.auth.<region>.amazoncognito.com) or a custom domain with a
// certificate. The type has no list handler.
var domains = &satellite{
	typeName: typeDomain,
	keyProp:  "Domain",
	create: func(env handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error) {
		var s domainSpec
		if err := decodeModel(model, &s); err != nil {
			return nil, err
		}
		return createDomain(env, tx, &s)
	},
	update: func(env handler.Env, tx handler.Tx, desired map[string]any) (map[string]any, error) {
		var s domainSpec
		if err := decodeModel(desired, &s); err != nil {
			return nil, err
		}
		return updateDomain(env, tx, &s)
	},
	remove: func(tx handler.Tx, poolID, domain string) error {
		return deleteDomain(tx, poolID, domain)
	},
}

var (
	patPrefixDomain      = mustPattern(`^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`)
	securityPolicyValues = []string{"TLS_V1", "TLS_V1_2_2021", "TLS_V1_3_2025"}
	reservedDomainWords  = []string{"aws", "amazon", "cognito"}
)

// domainSpec is a domain as CloudFormation and the IdP API both name it.
type domainSpec struct {
	UserPoolId          *string         `json:"UserPoolId"`
	Domain              *string         `json:"Domain"`
	CustomDomainConfig  *customDomain   `json:"CustomDomainConfig"`
	ManagedLoginVersion *int            `json:"ManagedLoginVersion"`
	Routing             *map[string]any `json:"Routing"`
}

type customDomain struct {
	CertificateArn *string `json:"CertificateArn,omitempty"`
	SecurityPolicy *string `json:"SecurityPolicy,omitempty"`
}

func (s *domainSpec) validate() *APIError {
	var v violations
	v.checkRequiredString("domain", s.Domain, 1, 63, nil)
	v.checkRequiredString("userPoolId", s.UserPoolId, 1, 55, &patUserPoolID)
	if c := s.CustomDomainConfig; c != nil {
		v.checkRequiredString("customDomainConfig.certificateArn", c.CertificateArn, 20, 2048, &patARN)
		v.checkEnum("customDomainConfig.securityPolicy", c.SecurityPolicy, securityPolicyValues)
	}
	return v.err()
}

// checkDomainName applies the naming rules of a prefix domain, or the
// certificate rule of a custom one.
func checkDomainName(s *domainSpec) *APIError {
	if s.CustomDomainConfig != nil {
		if arn := *s.CustomDomainConfig.CertificateArn; !strings.HasPrefix(arn, "arn:aws:acm:us-east-1:") {
			return invalidParameter("The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a valid certificate chain.")
		}
		return nil
	}
	d := *s.Domain
	if !patPrefixDomain.matches(d) {
		return invalidParameter(`The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`)
	}
	// Reserved words are matched as hyphen-separated tokens: "awsome" is
	// accepted on AWS, "my-aws-app" is not (reference A3; uncertain).
	for _, tok := range strings.Split(d, "-") {
		if contains(reservedDomainWords, tok) {
			return invalidParameter("Domain cannot contain reserved word: %s", tok)
		}
	}
	return nil
}

// domainOwner returns the pool a domain belongs to in this partition.
func domainOwner(tx handler.Tx, domain string) (poolID string, model map[string]any, err error) {
	recs, err := tx.List(typeDomain, "")
	if err != nil {
		return "", nil, err
	}
	for _, r := range recs {
		pool, d, _ := strings.Cut(r.Identifier, "|")
		if d == domain {
			if err := decodeRaw(r.Model, &model); err != nil {
				return "", nil, err
			}
			return pool, model, nil
		}
	}
	return "", nil, nil
}

func createDomain(env handler.Env, tx handler.Tx, s *domainSpec) (map[string]any, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	poolID, domain := *s.UserPoolId, *s.Domain
	pool, err := loadPool(tx, poolID)
	if err != nil {
		return nil, err
	}
	if err := checkDomainName(s); err != nil {
		return nil, err
	}
	if owner, _, err := domainOwner(tx, domain); err != nil {
		return nil, err
	} else if owner != "" {
		return nil, invalidParameter("Domain already associated with another user pool.")
	}
	recs, err := tx.List(typeDomain, poolID+"|")
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		var other map[string]any
		if err := decodeRaw(r.Model, &other); err != nil {
			return nil, err
		}
		if (other["CustomDomainConfig"] != nil) == (s.CustomDomainConfig != nil) {
			// Wording reported by users; uncertain (reference A3).
			return nil, invalidParameter("User Pool already has domain configured.")
		}
	}
	version := deref(s.ManagedLoginVersion, 1)
	if version == 2 && pool["UserPoolTier"] == "LITE" {
		return nil, apiErrorf(typeFeatureUnavailable, "The following feature is not available for the LITE pricing tier configured: Managed Login Version 2")
	}
	cf, err := randomString(env.Rand, lowerAlnum, 13)
	if err != nil {
		return nil, err
	}
	m := map[string]any{
		"UserPoolId":             poolID,
		"Domain":                 domain,
		"ManagedLoginVersion":    version,
		"CloudFrontDistribution": "d" + cf + ".cloudfront.net",
	}
	if s.CustomDomainConfig != nil {
		m["CustomDomainConfig"] = s.CustomDomainConfig
	}
	if s.Routing != nil {
		m["Routing"] = *s.Routing
	}
	return m, storeSatellite(env, tx, typeDomain, poolID, domain, m)
}

// updateDomain changes the certificate, login version and routing; members
// the request omits keep their value (ManagedLoginVersion is write-only, so
// a Cloud Control update never carries it back).
func updateDomain(env handler.Env, tx handler.Tx, s *domainSpec) (map[string]any, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	poolID, domain := *s.UserPoolId, *s.Domain
	pool, err := loadPool(tx, poolID)
	if err != nil {
		return nil, err
	}
	cur, found, err := loadSatellite(tx, typeDomain, poolID, domain)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, invalidParameter("No such domain or user pool exists.")
	}
	if s.CustomDomainConfig != nil {
		if cur["CustomDomainConfig"] == nil {
			return nil, invalidParameter("A prefix domain cannot be changed into a custom domain.")
		}
		if err := checkDomainName(s); err != nil {
			return nil, err
		}
		cur["CustomDomainConfig"] = s.CustomDomainConfig
	}
	if s.ManagedLoginVersion != nil {
		if *s.ManagedLoginVersion == 2 && pool["UserPoolTier"] == "LITE" {
			return nil, apiErrorf(typeFeatureUnavailable, "The following feature is not available for the LITE pricing tier configured: Managed Login Version 2")
		}
		cur["ManagedLoginVersion"] = *s.ManagedLoginVersion
	}
	if s.Routing != nil {
		cur["Routing"] = *s.Routing
	}
	return cur, storeSatellite(env, tx, typeDomain, poolID, domain, cur)
}

func deleteDomain(tx handler.Tx, poolID, domain string) error {
	if _, found, err := loadSatellite(tx, typeDomain, poolID, domain); err != nil {
		return err
	} else if !found {
		// terraform-provider-aws matches "No such domain" (reference A3).
		return invalidParameter("No such domain or user pool exists.")
	}
	return removeSatellite(tx, typeDomain, poolID, domain)
}

// poolDomains returns the pool's prefix and custom domain names ("" when none).
func poolDomains(tx handler.Tx, poolID string) (prefix, custom string, err error) {
	recs, err := tx.List(typeDomain, poolID+"|")
	if err != nil {
		return "", "", err
	}
	for _, r := range recs {
		var m map[string]any
		if err := decodeRaw(r.Model, &m); err != nil {
			return "", "", err
		}
		_, d, _ := strings.Cut(r.Identifier, "|")
		if m["CustomDomainConfig"] != nil {
			custom = d
		} else {
			prefix = d
		}
	}
	return prefix, custom, nil
}

func domainResult(m map[string]any) map[string]any {
	out := map[string]any{"ManagedLoginVersion": m["ManagedLoginVersion"]}
	if m["CustomDomainConfig"] != nil {
		out["CloudFrontDomain"] = m["CloudFrontDistribution"]
	}
	return out
}

func opCreateUserPoolDomain(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var s domainSpec
	if err := decodeBody(body, &s); err != nil {
		return nil, err
	}
	m, err := createDomain(env, tx, &s)
	if err != nil {
		return nil, err
	}
	return domainResult(m), nil
}

func opUpdateUserPoolDomain(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var s domainSpec
	if err := decodeBody(body, &s); err != nil {
		return nil, err
	}
	m, err := updateDomain(env, tx, &s)
	if err != nil {
		return nil, err
	}
	return domainResult(m), nil
}

// opDescribeUserPoolDomain answers an unknown domain with an empty
// description and HTTP 200, as Cognito does.
func opDescribeUserPoolDomain(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		Domain *string `json:"Domain"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("domain", in.Domain, 1, 63, nil)
	if err := v.err(); err != nil {
		return nil, err
	}
	poolID, m, err := domainOwner(tx, *in.Domain)
	if err != nil {
		return nil, err
	}
	if poolID == "" {
		return map[string]any{"DomainDescription": map[string]any{}}, nil
	}
	d := map[string]any{
		"UserPoolId":             poolID,
		"AWSAccountId":           accountOf(env),
		"Domain":                 *in.Domain,
		"CloudFrontDistribution": m["CloudFrontDistribution"],
		"Status":                 "ACTIVE",
		"ManagedLoginVersion":    m["ManagedLoginVersion"],
	}
	for _, k := range []string{"CustomDomainConfig", "Routing"} {
		if v, ok := m[k]; ok {
			d[k] = v
		}
	}
	return map[string]any{"DomainDescription": d}, nil
}

func opDeleteUserPoolDomain(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		Domain     *string `json:"Domain"`
		UserPoolId *string `json:"UserPoolId"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("domain", in.Domain, 1, 63, nil)
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := deleteDomain(tx, *in.UserPoolId, *in.Domain); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
