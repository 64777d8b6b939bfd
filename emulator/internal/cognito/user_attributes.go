package cognito

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"

	"github.com/ccql/ccql/internal/handler"
)

// attributeType is AttributeType, {Name, Value}.
type attributeType struct {
	Name  *string `json:"Name"`
	Value *string `json:"Value"`
}

// Patterns and messages of user attributes and names.
var (
	patUsername      = mustPattern(`[\p{L}\p{M}\p{S}\p{N}\p{P}]+`)
	patAttributeName = mustPattern(`[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r ]+`) // AttributeNameType
	patSecretHash    = mustPattern(`[\w+=/]+`)
	patCode          = mustPattern(`[\S]+`)
	reEmail          = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)
	rePhone          = regexp.MustCompile(`^\+[0-9]{4,17}$`)
)

const schemaPrefix = "Attributes did not conform to the schema: "

// checkSensitive records the violations of a sensitive member (Username,
// Password, SecretHash), whose value Coral never prints: "Value at 'x'".
func (v *violations) checkSensitive(path string, s *string, minLen, maxLen int, p *pattern, required bool) {
	if s == nil {
		if required {
			v.add("null", path, "Member must not be null")
		}
		return
	}
	for _, c := range stringConstraints(*s, minLen, maxLen, p) {
		*v = append(*v, fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", path, c))
	}
}

// checkAttributeList validates UserAttributes members' shapes.
func checkAttributeList(v *violations, path string, attrs []attributeType) {
	for i, a := range attrs {
		p := fmt.Sprintf("%s.%d.member.name", path, i+1)
		v.checkRequiredString(p, a.Name, 1, 32, &patAttributeName)
		if a.Value != nil && lengthOf(*a.Value) > 2048 {
			*v = append(*v, fmt.Sprintf("Value at '%s.%d.member.value' failed to satisfy constraint: Member must have length less than or equal to 2048", path, i+1))
		}
	}
}

// schemaIndex maps every attribute name of a pool to its schema entry
// (standard attributes with Cognito's defaults, custom ones as "custom:x").
func schemaIndex(cfg *poolConfig) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, a := range schemaAttributes(cfg.Model) {
		name, _ := a["Name"].(string)
		out[name] = a
	}
	return out
}

// applyAttributes validates attrs against the pool's schema and sets them
// on u. creating allows immutable attributes to be given; admin allows the
// *_verified attributes. An empty value deletes the attribute, as the
// update operations do.
func applyAttributes(cfg *poolConfig, u *user, attrs []attributeType, creating bool) error {
	schema := schemaIndex(cfg)
	for _, a := range attrs {
		name, value := deref(a.Name, ""), deref(a.Value, "")
		entry, ok := schema[name]
		if !ok {
			return invalidParameter("%sType for attribute {%s} could not be determined", schemaPrefix, name)
		}
		if name == "sub" {
			return invalidParameter("%sCannot modify the non-mutable attribute sub", schemaPrefix)
		}
		if mutable, _ := entry["Mutable"].(bool); !mutable && !creating {
			if cur, has := u.attr(name); !has || cur != value {
				// Cognito's wording for changing an immutable attribute.
				return invalidParameter("%sCannot modify the non-mutable attribute %s", schemaPrefix, name)
			}
		}
		if value == "" {
			u.deleteAttr(name)
			continue
		}
		if err := checkAttributeValue(name, value, entry); err != nil {
			return err
		}
		u.setAttr(name, value)
	}
	return nil
}

// checkAttributeValue applies an attribute's type and constraints.
func checkAttributeValue(name, value string, entry map[string]any) *APIError {
	switch name {
	case "email":
		if !reEmail.MatchString(value) {
			return invalidParameter("Invalid email address format.")
		}
	case "phone_number":
		if !rePhone.MatchString(value) {
			return invalidParameter("Invalid phone number format.")
		}
	}
	switch entry["AttributeDataType"] {
	case "Number":
		f, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return invalidParameter("%s%s: Number must be a valid number", schemaPrefix, name)
		}
		nc, _ := entry["NumberAttributeConstraints"].(map[string]any)
		if lo, ok := constraintNumber(nc["MinValue"]); ok && f < lo {
			return invalidParameter("%s%s: Number must be greater than or equal to %s", schemaPrefix, name, fmtNumber(lo))
		}
		if hi, ok := constraintNumber(nc["MaxValue"]); ok && f > hi {
			return invalidParameter("%s%s: Number must be less than or equal to %s", schemaPrefix, name, fmtNumber(hi))
		}
	case "Boolean":
		if value != "true" && value != "false" {
			return invalidParameter("%s%s: Value must be either true or false", schemaPrefix, name)
		}
	case "String":
		sc, _ := entry["StringAttributeConstraints"].(map[string]any)
		n := float64(lengthOf(value))
		if lo, ok := constraintNumber(sc["MinLength"]); ok && n < lo {
			return invalidParameter("%s%s: String must be no shorter than %s characters", schemaPrefix, name, fmtNumber(lo))
		}
		if hi, ok := constraintNumber(sc["MaxLength"]); ok && n > hi {
			return invalidParameter("%s%s: String must be no longer than %s characters", schemaPrefix, name, fmtNumber(hi))
		}
	}
	return nil
}

// constraintNumber reads a schema constraint (a string in the model, a
// number when a client sent one).
func constraintNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	case float64:
		return x, true
	}
	return 0, false
}

func fmtNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// checkRequiredAttributes fails when u lacks one of the pool's required
// attributes.
func checkRequiredAttributes(cfg *poolConfig, u *user) error {
	for _, a := range schemaAttributes(cfg.Model) {
		name, _ := a["Name"].(string)
		if req, _ := a["Required"].(bool); req && name != "sub" {
			if v, ok := u.attr(name); !ok || v == "" {
				return invalidParameter("%s%s: The attribute is required", schemaPrefix, name)
			}
		}
	}
	return nil
}

// requiredAttributes lists the pool's required attributes other than sub
// (for NEW_PASSWORD_REQUIRED's requiredAttributes).
//
//lint:ignore U1000 part of the contract with the sign-in flows (user.go)
func requiredAttributes(cfg *poolConfig) []string {
	var out []string
	for _, a := range schemaAttributes(cfg.Model) {
		name, _ := a["Name"].(string)
		if req, _ := a["Required"].(bool); req && name != "sub" {
			out = append(out, name)
		}
	}
	return out
}

// checkUsernameFormat applies the pool's rules on the shape of a new user
// name: with UsernameAttributes it must be an e-mail or phone number; with
// e-mail or phone aliases it must not look like one.
func checkUsernameFormat(cfg *poolConfig, name string) error {
	isEmail, isPhone := reEmail.MatchString(name), rePhone.MatchString(name)
	switch ua := cfg.UsernameAttributes; {
	case contains(ua, "email") && contains(ua, "phone_number"):
		if !isEmail && !isPhone {
			return invalidParameter("Username should be either an email or a phone number.")
		}
	case contains(ua, "email"):
		if !isEmail {
			return invalidParameter("Username should be an email.")
		}
	case contains(ua, "phone_number"):
		if !isPhone {
			return invalidParameter("Username should be a phone number.")
		}
	}
	if contains(cfg.AliasAttributes, "email") && isEmail {
		return invalidParameter("Username cannot be of email format, since user pool is configured for email alias.")
	}
	if contains(cfg.AliasAttributes, "phone_number") && isPhone {
		return invalidParameter("Username cannot be of phone number format, since user pool is configured for phone number alias.")
	}
	return nil
}

// usernameAttributeOf returns which UsernameAttributes attribute a sign-up
// name stands for ("email" or "phone_number"), or "".
func usernameAttributeOf(cfg *poolConfig, name string) string {
	if cfg.usernameAttribute("email") && reEmail.MatchString(name) {
		return "email"
	}
	if cfg.usernameAttribute("phone_number") && rePhone.MatchString(name) {
		return "phone_number"
	}
	return ""
}

// claimAliases makes u's sign-in attributes its own: a value another user
// already signs in with is refused (AliasExistsException, or
// UsernameExistsException for UsernameAttributes) unless force, which
// takes a verified alias from its previous owner.
func claimAliases(env handler.Env, tx handler.Tx, cfg *poolConfig, u *user, force bool) error {
	for attr, value := range cfg.signInAttributes(u) {
		other, err := aliasOwner(tx, cfg, attr, value, u)
		if err != nil {
			return err
		}
		if other == nil {
			continue
		}
		if cfg.usernameAttribute(attr) {
			return apiErrorf(typeUsernameExists, "An account with the given %s already exists.", attr)
		}
		if !force {
			return apiErrorf(typeAliasExists, "An account with the given %s already exists.", attr)
		}
		if attr != "preferred_username" {
			other.setAttr(attr+"_verified", "false")
		} else {
			other.deleteAttr(attr)
		}
		if err := saveUser(env, tx, cfg, other); err != nil {
			return err
		}
	}
	return nil
}

// userAttributesOut renders attributes as AttributeType, sub first, then
// by name.
func userAttributesOut(u *user, keep func(string) bool) []map[string]string {
	names := make([]string, 0, len(u.Attributes))
	for n := range u.Attributes {
		if keep == nil || keep(n) {
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == "sub") != (names[j] == "sub") {
			return names[i] == "sub"
		}
		return names[i] < names[j]
	})
	out := make([]map[string]string, 0, len(names))
	for _, n := range names {
		out = append(out, map[string]string{"Name": n, "Value": u.Attributes[n]})
	}
	return out
}

// mfaOptionsOut is the legacy MFAOptions of a user with SMS MFA.
func mfaOptionsOut(u *user) []map[string]string {
	if !u.MFA.SMSEnabled {
		return nil
	}
	return []map[string]string{{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}}
}

// mfaSettingList is UserMFASettingList.
func mfaSettingList(u *user) []string {
	var out []string
	if u.MFA.SMSEnabled {
		out = append(out, "SMS_MFA")
	}
	if u.MFA.SoftwareTokenEnabled {
		out = append(out, "SOFTWARE_TOKEN_MFA")
	}
	if u.MFA.EmailEnabled {
		out = append(out, "EMAIL_OTP")
	}
	return out
}

// userTypeOut renders u as UserType (ListUsers, AdminCreateUser, …).
func userTypeOut(u *user, keep func(string) bool) map[string]any {
	out := map[string]any{
		"Username":             u.Username,
		"Attributes":           userAttributesOut(u, keep),
		"UserCreateDate":       u.Created,
		"UserLastModifiedDate": u.Modified,
		"Enabled":              u.Enabled,
		"UserStatus":           u.Status,
	}
	if o := mfaOptionsOut(u); o != nil {
		out["MFAOptions"] = o
	}
	return out
}
