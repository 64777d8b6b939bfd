package cognito

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// Pool operations and rules that concern users: UpdateUserPool,
// AddCustomAttributes, the MFA configuration, and the schema and policy
// checks CreateUserPool shares.

// MaxCustomAttributes is how many custom attributes a pool may have.
const MaxCustomAttributes = 50

var attributeDataTypeValues = []string{"String", "Number", "DateTime", "Boolean"}

// validatePoolUserSettings applies the constraints of the pool settings
// that shape users: the password policy's bounds, the schema's data types,
// the number of custom attributes, and the fixed types of the standard
// attributes.
func validatePoolUserSettings(v *violations, model map[string]any) *APIError {
	if pol, ok := model["Policies"].(map[string]any); ok {
		if pp, ok := pol["PasswordPolicy"].(map[string]any); ok {
			if n, ok := numberOf(pp["MinimumLength"]); ok {
				v.checkInt("policies.passwordPolicy.minimumLength", &n, 6, 99)
			}
			if n, ok := numberOf(pp["TemporaryPasswordValidityDays"]); ok {
				v.checkInt("policies.passwordPolicy.temporaryPasswordValidityDays", &n, 0, 365)
			}
		}
	}
	schema := schemaOf(model)
	if len(schema) > MaxCustomAttributes {
		v.add(quote(strconv.Itoa(len(schema))+" items"), "schema", "Member must have length less than or equal to "+strconv.Itoa(MaxCustomAttributes))
	}
	for i, attr := range schema {
		if t, ok := attr["AttributeDataType"].(string); ok {
			v.checkEnum(fmt.Sprintf("schema.%d.member.attributeDataType", i+1), &t, attributeDataTypeValues)
		}
	}
	if err := v.err(); err != nil {
		return err
	}
	custom := 0
	for _, attr := range schema {
		name, _ := attr["Name"].(string)
		t, _ := attr["AttributeDataType"].(string)
		for _, s := range standardAttributes {
			if s.name == name && t != "" && t != s.dataType {
				// Not a documented message: the emulator's wording.
				return invalidParameter("The data type of standard attribute %s cannot be changed from %s.", name, s.dataType)
			}
		}
		if !isStandardAttribute(name) {
			custom++
			if req, _ := attr["Required"].(bool); req {
				return invalidParameter("Required custom attributes are not supported currently.")
			}
		}
	}
	if custom > MaxCustomAttributes {
		return apiErrorf(typeLimitExceeded, "The user pool cannot have more than %d custom attributes.", MaxCustomAttributes)
	}
	return nil
}

// updatableUserPoolKeys are UpdateUserPool's members in CloudFormation
// names: an update replaces exactly these (an omitted one returns to its
// default); the others (Schema, UsernameAttributes, AliasAttributes,
// UsernameConfiguration, the MFA factors, …) stay as they are.
var updatableUserPoolKeys = []string{
	"Policies", "DeletionProtection", "LambdaConfig", "AutoVerifiedAttributes", "SmsVerificationMessage",
	"EmailVerificationMessage", "EmailVerificationSubject", "VerificationMessageTemplate", "SmsAuthenticationMessage",
	"UserAttributeUpdateSettings", "MfaConfiguration", "DeviceConfiguration", "EmailConfiguration", "SmsConfiguration",
	"UserPoolTags", "AdminCreateUserConfig", "UserPoolAddOns", "AccountRecoverySetting", "UserPoolTier",
}

func opUpdateUserPool(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in map[string]any
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := checkPoolKinds(in); err != nil {
		return nil, err
	}
	id, _ := in["UserPoolId"].(string)
	var v violations
	var idPtr *string
	if _, ok := in["UserPoolId"].(string); ok {
		idPtr = &id
	}
	v.checkRequiredString("userPoolId", idPtr, 1, 55, &patUserPoolID)
	if name, ok := in["PoolName"].(string); ok {
		v.checkString("poolName", &name, 1, 128, &patPoolName)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	cur, err := loadPool(tx, id)
	if err != nil {
		return nil, err
	}
	desired := copyMap(cur)
	req := poolFromAPI(in)
	for _, k := range updatableUserPoolKeys {
		if val, ok := req[k]; ok {
			desired[k] = val
		} else {
			delete(desired, k)
		}
	}
	if name, ok := req["UserPoolName"]; ok {
		desired["UserPoolName"] = name
	}
	if _, err := updatePool(env, tx, id, desired); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opAddCustomAttributes(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		UserPoolId       *string          `json:"UserPoolId"`
		CustomAttributes []map[string]any `json:"CustomAttributes"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	switch {
	case in.CustomAttributes == nil:
		v.add("null", "customAttributes", "Member must not be null")
	case len(in.CustomAttributes) == 0:
		v.add("'[]'", "customAttributes", "Member must have length greater than or equal to 1")
	case len(in.CustomAttributes) > 25:
		v.add(quote(strconv.Itoa(len(in.CustomAttributes))+" items"), "customAttributes", "Member must have length less than or equal to 25")
	}
	for i, a := range in.CustomAttributes {
		name, _ := a["Name"].(string)
		v.checkRequiredString(fmt.Sprintf("customAttributes.%d.member.name", i+1), &name, 1, 20, &patURL)
		if t, ok := a["AttributeDataType"].(string); ok {
			v.checkEnum(fmt.Sprintf("customAttributes.%d.member.attributeDataType", i+1), &t, attributeDataTypeValues)
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	pool, err := loadPool(tx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	existing := poolAttributes(pool)
	schema, _ := pool["Schema"].([]any)
	for _, a := range in.CustomAttributes {
		name, _ := a["Name"].(string)
		name = strings.TrimPrefix(name, "custom:")
		if existing["custom:"+name] {
			return nil, invalidParameter("Existing attribute already has name custom:%s.", name)
		}
		existing["custom:"+name] = true
		entry := copyMap(a)
		entry["Name"] = name
		setDefault(entry, "AttributeDataType", "String")
		setDefault(entry, "Mutable", true)
		schema = append(schema, entry)
	}
	custom := 0
	for _, it := range schema {
		if m, ok := it.(map[string]any); ok && !isStandardAttribute(fmt.Sprint(m["Name"])) {
			custom++
		}
	}
	if custom > MaxCustomAttributes {
		return nil, apiErrorf(typeLimitExceeded, "The user pool cannot have more than %d custom attributes.", MaxCustomAttributes)
	}
	desired := copyMap(pool)
	desired["Schema"] = schema
	var check violations
	if err := validatePoolUserSettings(&check, desired); err != nil {
		return nil, err
	}
	if err := savePool(env, tx, desired); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// poolMfaConfigOut renders GetUserPoolMfaConfig's response.
func poolMfaConfigOut(pool map[string]any) map[string]any {
	enabled := stringList(pool["EnabledMfas"])
	out := map[string]any{
		"MfaConfiguration":              deref(ptrString(pool["MfaConfiguration"]), "OFF"),
		"SoftwareTokenMfaConfiguration": map[string]any{"Enabled": contains(enabled, "SOFTWARE_TOKEN_MFA")},
	}
	if contains(enabled, "SMS_MFA") {
		sms := map[string]any{}
		if s, ok := pool["SmsAuthenticationMessage"]; ok {
			sms["SmsAuthenticationMessage"] = s
		}
		if s, ok := pool["SmsConfiguration"]; ok {
			sms["SmsConfiguration"] = s
		}
		out["SmsMfaConfiguration"] = sms
	}
	if contains(enabled, "EMAIL_OTP") {
		email := map[string]any{}
		if s, ok := pool["EmailAuthenticationMessage"]; ok {
			email["Message"] = s
		}
		if s, ok := pool["EmailAuthenticationSubject"]; ok {
			email["Subject"] = s
		}
		out["EmailMfaConfiguration"] = email
	}
	if w := webAuthnConfigurationOut(pool); w != nil {
		out["WebAuthnConfiguration"] = w
	}
	return out
}

func ptrString(v any) *string {
	if s, ok := v.(string); ok {
		return &s
	}
	return nil
}

func opGetUserPoolMfaConfig(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in poolIDInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	pool, err := loadPool(tx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	return poolMfaConfigOut(pool), nil
}

func opSetUserPoolMfaConfig(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		UserPoolId                    *string        `json:"UserPoolId"`
		SmsMfaConfiguration           map[string]any `json:"SmsMfaConfiguration"`
		SoftwareTokenMfaConfiguration *struct {
			Enabled *bool `json:"Enabled"`
		} `json:"SoftwareTokenMfaConfiguration"`
		EmailMfaConfiguration map[string]any `json:"EmailMfaConfiguration"`
		MfaConfiguration      *string        `json:"MfaConfiguration"`
		WebAuthnConfiguration map[string]any `json:"WebAuthnConfiguration"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	v.checkEnum("mfaConfiguration", in.MfaConfiguration, mfaConfigurationValues)
	if err := v.err(); err != nil {
		return nil, err
	}
	pool, err := loadPool(tx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	enabled := stringList(pool["EnabledMfas"])
	toggle := func(name string, on bool) {
		enabled = removeString(enabled, name)
		if on {
			enabled = append(enabled, name)
		}
	}
	if in.SmsMfaConfiguration != nil {
		toggle("SMS_MFA", true)
		if s, ok := in.SmsMfaConfiguration["SmsAuthenticationMessage"]; ok {
			pool["SmsAuthenticationMessage"] = s
		}
		if s, ok := in.SmsMfaConfiguration["SmsConfiguration"]; ok {
			pool["SmsConfiguration"] = s
		}
	}
	if in.SoftwareTokenMfaConfiguration != nil {
		toggle("SOFTWARE_TOKEN_MFA", deref(in.SoftwareTokenMfaConfiguration.Enabled, false))
	}
	if in.EmailMfaConfiguration != nil {
		toggle("EMAIL_OTP", true)
		if s, ok := in.EmailMfaConfiguration["Message"]; ok {
			pool["EmailAuthenticationMessage"] = s
		}
		if s, ok := in.EmailMfaConfiguration["Subject"]; ok {
			pool["EmailAuthenticationSubject"] = s
		}
	}
	if in.MfaConfiguration != nil {
		if *in.MfaConfiguration != "OFF" && len(enabled) == 0 {
			// Not a documented message: the emulator's wording.
			return nil, invalidParameter("At least one MFA method must be enabled when MFA is %s.", *in.MfaConfiguration)
		}
		pool["MfaConfiguration"] = *in.MfaConfiguration
	}
	if err := applyWebAuthnConfiguration(pool, body); err != nil {
		return nil, err
	}
	list := make([]any, len(enabled))
	for i, e := range enabled {
		list[i] = e
	}
	pool["EnabledMfas"] = list
	if err := savePool(env, tx, pool); err != nil {
		return nil, err
	}
	return poolMfaConfigOut(pool), nil
}
