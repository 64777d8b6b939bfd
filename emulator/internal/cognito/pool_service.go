package cognito

import (
	"fmt"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// A user pool is stored as its CloudFormation model (a JSON object keyed by
// the AWS::Cognito::UserPool property names). The IdP API translates its
// requests into that model and its responses out of it, so a pool created
// through one API reads the same through the other.

// satelliteTypes are the types stored under "<poolId>|…" that disappear with
// their pool.
var satelliteTypes = []string{
	typeUserPoolClient,
	typeResourceServer,
	typeIdentityProv,
	typeDomain,
	typeGroup,
	typeSigningKey,
	typeAuthSession,
	typeTokenFamily,
	typeSignOut,
	typePoolSettings,
	typeDevice,
	typeAuthEvent,
	typeAuthEventLink,
	typeLogRecord,
	typeIndexState,
	typeWebAuthnCredentialIndex,
}

// Enum value sets of pool members the CloudFormation schema leaves open.
var (
	deletionProtectionValues = []string{"ACTIVE", "INACTIVE"}
	mfaConfigurationValues   = []string{"OFF", "ON", "OPTIONAL"}
)

// poolDefaults are the settings Cognito gives a pool created without them,
// as DescribeUserPool reports them. Nested objects are filled key by key.
func poolDefaults() map[string]any {
	return map[string]any{
		"Policies": map[string]any{
			"PasswordPolicy": map[string]any{
				"MinimumLength":                 8,
				"RequireUppercase":              true,
				"RequireLowercase":              true,
				"RequireNumbers":                true,
				"RequireSymbols":                true,
				"TemporaryPasswordValidityDays": 7,
			},
			"SignInPolicy": map[string]any{"AllowedFirstAuthFactors": []any{"PASSWORD"}},
		},
		"AdminCreateUserConfig": map[string]any{
			"AllowAdminCreateUserOnly":  false,
			"UnusedAccountValidityDays": 7,
		},
		"AccountRecoverySetting": map[string]any{
			"RecoveryMechanisms": []any{
				map[string]any{"Priority": 1, "Name": "verified_email"},
				map[string]any{"Priority": 2, "Name": "verified_phone_number"},
			},
		},
		"EmailConfiguration":          map[string]any{"EmailSendingAccount": "COGNITO_DEFAULT"},
		"VerificationMessageTemplate": map[string]any{"DefaultEmailOption": "CONFIRM_WITH_CODE"},
		"MfaConfiguration":            "OFF",
		"DeletionProtection":          "INACTIVE",
		"UserPoolTier":                "ESSENTIALS",
	}
}

// fillDefaults sets every default key of def that m lacks. A setting the
// request gives is taken whole (Cognito reads an omitted boolean inside a
// given PasswordPolicy as false), except Policies, which is only a container
// of two independent policies.
func fillDefaults(m, def map[string]any) {
	for k, dv := range def {
		cur, ok := m[k]
		if !ok {
			m[k] = dv
			continue
		}
		if k != "Policies" {
			continue
		}
		if cm, ok := cur.(map[string]any); ok {
			for pk, pv := range dv.(map[string]any) {
				setDefault(cm, pk, pv)
			}
		}
	}
}

// validatePoolShape applies the cognito-idp member constraints the pool's
// CloudFormation schema leaves to the service.
func validatePoolShape(model map[string]any) *APIError {
	var v violations
	name, _ := model["UserPoolName"].(string)
	v.checkRequiredString("poolName", &name, 1, 128, &patPoolName)
	if s, ok := model["DeletionProtection"].(string); ok {
		v.checkEnum("deletionProtection", &s, deletionProtectionValues)
	}
	if s, ok := model["MfaConfiguration"].(string); ok {
		v.checkEnum("mfaConfiguration", &s, mfaConfigurationValues)
	}
	for i, attr := range schemaOf(model) {
		n, _ := attr["Name"].(string)
		v.checkRequiredString(fmt.Sprintf("schema.%d.member.name", i+1), &n, 1, 20, &patURL)
	}
	return validatePoolUserSettings(&v, model)
}

// setPoolDerived fills the read-only properties computed from the id.
func setPoolDerived(env handler.Env, model map[string]any) {
	id, _ := model["UserPoolId"].(string)
	model["Arn"] = fmt.Sprintf("arn:aws:cognito-idp:%s:%s:userpool/%s", env.Region, accountOf(env), id)
	model["ProviderName"] = fmt.Sprintf("cognito-idp.%s.amazonaws.com/%s", env.Region, id)
	model["ProviderURL"] = fmt.Sprintf("https://cognito-idp.%s.amazonaws.com/%s", env.Region, id)
}

func accountOf(env handler.Env) string {
	if env.Account == "" {
		return "000000000000"
	}
	return env.Account
}

// createPool stores a new pool. model must carry its UserPoolId; a missing
// UserPoolName is generated, as the CloudFormation handler does.
func createPool(env handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error) {
	id, _ := model["UserPoolId"].(string)
	if id == "" {
		return nil, fmt.Errorf("create user pool: no UserPoolId")
	}
	if _, ok := model["UserPoolName"]; !ok {
		name, err := generatedName(env.Rand, "UserPool")
		if err != nil {
			return nil, err
		}
		model["UserPoolName"] = name
	}
	if err := validatePoolShape(model); err != nil {
		return nil, err
	}
	fillDefaults(model, poolDefaults())
	setPoolDerived(env, model)
	if err := savePool(env, tx, model); err != nil {
		return nil, err
	}
	return model, nil
}

// updatePool replaces a pool's configuration with desired: omitted settings
// return to their defaults; the id and the derived properties are kept.
func updatePool(env handler.Env, tx handler.Tx, poolID string, desired map[string]any) (map[string]any, error) {
	cur, err := loadPool(tx, poolID)
	if err != nil {
		return nil, err
	}
	desired["UserPoolId"] = poolID
	if _, ok := desired["UserPoolName"]; !ok {
		desired["UserPoolName"] = cur["UserPoolName"]
	}
	if err := validatePoolShape(desired); err != nil {
		return nil, err
	}
	fillDefaults(desired, poolDefaults())
	setPoolDerived(env, desired)
	if err := savePool(env, tx, desired); err != nil {
		return nil, err
	}
	return desired, nil
}

// deletePool removes a pool and everything stored under it, unless its
// deletion protection is active.
func deletePool(tx handler.Tx, poolID string) error {
	pool, err := loadPool(tx, poolID)
	if err != nil {
		return err
	}
	if pool["DeletionProtection"] == "ACTIVE" {
		// Cognito's wording for DeleteUserPool on a protected pool.
		return invalidParameter("The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.")
	}
	if err := deletePoolUsers(tx, poolID); err != nil {
		return err
	}
	for _, typ := range satelliteTypes {
		recs, err := tx.List(typ, poolID+"|")
		if err != nil {
			return fmt.Errorf("list %s of %s: %w", typ, poolID, err)
		}
		for _, r := range recs {
			if err := tx.Delete(typ, r.Identifier); err != nil {
				return fmt.Errorf("delete %s %s: %w", typ, r.Identifier, err)
			}
			if typ == typeUserPoolClient {
				if err := unindexClient(tx, poolID, strings.TrimPrefix(r.Identifier, poolID+"|")); err != nil {
					return err
				}
			}
			if err := forgetStamps(tx, typ, r.Identifier); err != nil {
				return err
			}
		}
	}
	if err := tx.Delete(typeUserPool, poolID); err != nil {
		return fmt.Errorf("delete user pool %s: %w", poolID, err)
	}
	return forgetStamps(tx, typeUserPool, poolID)
}

// loadPool returns a stored pool model or Cognito's not-found error.
func loadPool(tx handler.Tx, poolID string) (map[string]any, error) {
	var m map[string]any
	found, err := getJSON(tx, typeUserPool, poolID, &m)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, poolNotFound(poolID)
	}
	return m, nil
}

func savePool(env handler.Env, tx handler.Tx, model map[string]any) error {
	id, _ := model["UserPoolId"].(string)
	if err := putJSON(tx, typeUserPool, id, model); err != nil {
		return err
	}
	return touch(tx, typeUserPool, id, env.Now)
}
