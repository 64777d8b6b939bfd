package cognito

import "strings"

// standardAttributes are the attributes every user pool has, in the order
// DescribeUserPool lists them, with the types Cognito gives them.
var standardAttributes = []struct {
	name, dataType string
}{
	{"sub", "String"},
	{"name", "String"},
	{"given_name", "String"},
	{"family_name", "String"},
	{"middle_name", "String"},
	{"nickname", "String"},
	{"preferred_username", "String"},
	{"profile", "String"},
	{"picture", "String"},
	{"website", "String"},
	{"email", "String"},
	{"email_verified", "Boolean"},
	{"gender", "String"},
	{"birthdate", "String"},
	{"zoneinfo", "String"},
	{"locale", "String"},
	{"phone_number", "String"},
	{"phone_number_verified", "Boolean"},
	{"address", "String"},
	{"updated_at", "Number"},
	{"identities", "String"},
}

// unwritableAttributes may never be in an app client's WriteAttributes:
// Cognito sets them itself.
var unwritableAttributes = []string{"email_verified", "phone_number_verified", "sub"}

func isStandardAttribute(name string) bool {
	for _, a := range standardAttributes {
		if a.name == name {
			return true
		}
	}
	return false
}

// customAttributeName is the full name of a pool schema attribute as app
// clients and tokens see it: standard attributes keep their name, every
// other one gets the "custom:" prefix (the schema's propertyTransform).
func customAttributeName(name string) string {
	if isStandardAttribute(name) || strings.HasPrefix(name, "custom:") {
		return name
	}
	return "custom:" + name
}

// poolAttributes returns the set of attribute names a pool model has: the
// standard attributes and the custom ones of its Schema.
func poolAttributes(pool map[string]any) map[string]bool {
	out := make(map[string]bool, len(standardAttributes))
	for _, a := range standardAttributes {
		out[a.name] = true
	}
	for _, attr := range schemaOf(pool) {
		if name, _ := attr["Name"].(string); name != "" {
			out[customAttributeName(name)] = true
		}
	}
	return out
}

// schemaOf returns the pool's Schema entries as objects.
func schemaOf(pool map[string]any) []map[string]any {
	list, _ := pool["Schema"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, it := range list {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// schemaAttributes renders the pool's attributes as DescribeUserPool's
// SchemaAttributes: every standard attribute with Cognito's defaults (as
// overridden by the pool's Schema), then the custom ones.
func schemaAttributes(pool map[string]any) []map[string]any {
	given := map[string]map[string]any{}
	var custom []map[string]any
	for _, attr := range schemaOf(pool) {
		name, _ := attr["Name"].(string)
		if isStandardAttribute(name) {
			given[name] = attr
			continue
		}
		c := copyMap(attr)
		c["Name"] = customAttributeName(name)
		if _, ok := c["AttributeDataType"]; !ok {
			c["AttributeDataType"] = "String"
		}
		setDefault(c, "DeveloperOnlyAttribute", false)
		setDefault(c, "Mutable", true)
		setDefault(c, "Required", false)
		custom = append(custom, c)
	}
	out := make([]map[string]any, 0, len(standardAttributes)+len(custom))
	for _, a := range standardAttributes {
		m := map[string]any{
			"Name":                   a.name,
			"AttributeDataType":      a.dataType,
			"DeveloperOnlyAttribute": false,
			"Mutable":                a.name != "sub",
			"Required":               a.name == "sub",
		}
		switch {
		case a.name == "sub":
			m["StringAttributeConstraints"] = map[string]any{"MinLength": "1", "MaxLength": "2048"}
		case a.name == "updated_at":
			m["NumberAttributeConstraints"] = map[string]any{"MinValue": "0"}
		case a.dataType == "String" && a.name != "identities":
			m["StringAttributeConstraints"] = map[string]any{"MinLength": "0", "MaxLength": "2048"}
		}
		for k, v := range given[a.name] {
			m[k] = v
		}
		out = append(out, m)
	}
	return append(out, custom...)
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func setDefault(m map[string]any, key string, v any) {
	if _, ok := m[key]; !ok {
		m[key] = v
	}
}
