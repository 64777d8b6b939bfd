package cognito

import (
	"context"
	"fmt"

	"github.com/ccql/ccql/internal/handler"
)

// poolAPIKeys are the user pool settings whose IdP API member name equals
// the CloudFormation property name; they pass between the two unchanged.
var poolAPIKeys = []string{
	"AccountRecoverySetting", "AdminCreateUserConfig", "AliasAttributes", "AutoVerifiedAttributes",
	"DeletionProtection", "DeviceConfiguration", "EmailConfiguration", "EmailVerificationMessage",
	"EmailVerificationSubject", "IssuerConfiguration", "KeyConfiguration", "LambdaConfig",
	"MfaConfiguration", "Policies", "SmsAuthenticationMessage", "SmsConfiguration",
	"SmsVerificationMessage", "UserAttributeUpdateSettings", "UserPoolAddOns", "UserPoolTags",
	"UserPoolTier", "UsernameAttributes", "UsernameConfiguration", "VerificationMessageTemplate",
}

// poolAPIKinds is the JSON kind of each CreateUserPool member this package
// stores ('o' object, 'a' array, 's' string). The SDKs always send the right
// kinds; checking them keeps a hand-made request from storing a model that
// the CloudFormation schema would reject on its next update.
var poolAPIKinds = map[string]byte{
	"AccountRecoverySetting": 'o', "AdminCreateUserConfig": 'o', "AliasAttributes": 'a', "AutoVerifiedAttributes": 'a',
	"DeletionProtection": 's', "DeviceConfiguration": 'o', "EmailConfiguration": 'o', "EmailVerificationMessage": 's',
	"EmailVerificationSubject": 's', "IssuerConfiguration": 'o', "KeyConfiguration": 'o', "LambdaConfig": 'o',
	"MfaConfiguration": 's', "Policies": 'o', "SmsAuthenticationMessage": 's', "SmsConfiguration": 'o',
	"SmsVerificationMessage": 's', "UserAttributeUpdateSettings": 'o', "UserPoolAddOns": 'o', "UserPoolTags": 'o',
	"UserPoolTier": 's', "UsernameAttributes": 'a', "UsernameConfiguration": 'o', "VerificationMessageTemplate": 'o',
	"PoolName": 's', "Schema": 'a',
}

// checkPoolKinds rejects members of the wrong JSON kind, and Schema
// entries that are not objects.
func checkPoolKinds(in map[string]any) *APIError {
	for k, kind := range poolAPIKinds {
		v, ok := in[k]
		if !ok || v == nil {
			continue
		}
		var good bool
		switch kind {
		case 'o':
			_, good = v.(map[string]any)
		case 'a':
			_, good = v.([]any)
		case 's':
			_, good = v.(string)
		}
		if !good {
			return apiErrorf(typeSerialization, "Unexpected value type for member %s", k)
		}
	}
	list, _ := in["Schema"].([]any)
	for _, it := range list {
		if _, ok := it.(map[string]any); !ok {
			return apiErrorf(typeSerialization, "Unexpected value type for member Schema")
		}
	}
	return nil
}

// poolFromAPI translates a CreateUserPool request into the pool's
// CloudFormation model: PoolName becomes UserPoolName, Schema stays Schema,
// members CloudFormation does not model are dropped.
func poolFromAPI(in map[string]any) map[string]any {
	m := map[string]any{}
	for _, k := range poolAPIKeys {
		if v, ok := in[k]; ok && v != nil {
			m[k] = v
		}
	}
	if v, ok := in["PoolName"]; ok && v != nil {
		m["UserPoolName"] = v
	}
	if v, ok := in["Schema"]; ok && v != nil {
		m["Schema"] = v
	}
	return m
}

// poolToAPI renders a stored pool as the IdP API's UserPoolType.
func poolToAPI(tx handler.Tx, pool map[string]any) (map[string]any, error) {
	id, _ := pool["UserPoolId"].(string)
	out := map[string]any{
		"Id":               id,
		"Name":             pool["UserPoolName"],
		"Arn":              pool["Arn"],
		"SchemaAttributes": schemaAttributes(pool),
	}
	n, err := tx.Count(typeUser, id+"|")
	if err != nil {
		return nil, fmt.Errorf("count users of %s: %w", id, err)
	}
	out["EstimatedNumberOfUsers"] = n
	for _, k := range poolAPIKeys {
		if v, ok := pool[k]; ok {
			out[k] = v
		}
	}
	prefix, custom, err := poolDomains(tx, id)
	if err != nil {
		return nil, err
	}
	if prefix != "" {
		out["Domain"] = prefix
	}
	if custom != "" {
		out["CustomDomain"] = custom
	}
	ts, err := stamps(tx, typeUserPool, id)
	if err != nil {
		return nil, err
	}
	out["CreationDate"] = ts.CreationDate
	out["LastModifiedDate"] = ts.LastModifiedDate
	return out, nil
}

func opCreateUserPool(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in map[string]any
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := checkPoolKinds(in); err != nil {
		return nil, err
	}
	name, isString := in["PoolName"].(string)
	var v violations
	var namePtr *string
	if isString {
		namePtr = &name
	}
	v.checkRequiredString("poolName", namePtr, 1, 128, &patPoolName)
	if err := v.err(); err != nil {
		return nil, err
	}
	model := poolFromAPI(in)
	id, err := newPoolID(env.Rand, env.Region)
	if err != nil {
		return nil, err
	}
	model["UserPoolId"] = id
	if _, err := createPool(env, tx, model); err != nil {
		return nil, err
	}
	return describePool(tx, id)
}

func describePool(tx handler.Tx, id string) (any, error) {
	pool, err := loadPool(tx, id)
	if err != nil {
		return nil, err
	}
	out, err := poolToAPI(tx, pool)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPool": out}, nil
}

type poolIDInput struct {
	UserPoolId *string `json:"UserPoolId"`
}

func (in *poolIDInput) validate() *APIError {
	var v violations
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	return v.err()
}

func opDescribeUserPool(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in poolIDInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	return describePool(tx, *in.UserPoolId)
}

func opDeleteUserPool(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in poolIDInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	if err := deletePool(tx, *in.UserPoolId); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opListUserPools(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		MaxResults *int    `json:"MaxResults"`
		NextToken  *string `json:"NextToken"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	size := checkPaging(&v, in.MaxResults, true, in.NextToken)
	if err := v.err(); err != nil {
		return nil, err
	}
	p, err := keyPage(tx, typeUserPool, "", size, in.NextToken, "ListUserPools", nil)
	if err != nil {
		return nil, err
	}
	pools := make([]map[string]any, 0, len(p.recs))
	for _, r := range p.recs {
		var pool map[string]any
		if err := decodeRaw(r.Model, &pool); err != nil {
			return nil, err
		}
		ts, err := stamps(tx, typeUserPool, r.Identifier)
		if err != nil {
			return nil, err
		}
		d := map[string]any{
			"Id":               r.Identifier,
			"Name":             pool["UserPoolName"],
			"CreationDate":     ts.CreationDate,
			"LastModifiedDate": ts.LastModifiedDate,
			"LambdaConfig":     map[string]any{},
		}
		if lc, ok := pool["LambdaConfig"]; ok {
			d["LambdaConfig"] = lc
		}
		pools = append(pools, d)
	}
	out := map[string]any{"UserPools": pools}
	if p.next != "" {
		out["NextToken"] = p.next
	}
	return out, nil
}
