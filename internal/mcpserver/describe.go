package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/internal/catalog"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ResourceColumn is one column of describe_resource.
type ResourceColumn struct {
	Name        string `json:"name" jsonschema:"the column, as SQL names it"`
	Property    string `json:"property,omitempty" jsonschema:"the CloudFormation property (PascalCase); INSERT and UPDATE accept either name"`
	Type        string `json:"type" jsonschema:"string, integer, number, boolean, array or object"`
	Description string `json:"description,omitempty"`
	Required    bool   `json:"required" jsonschema:"INSERT must supply it"`
	ReadOnly    bool   `json:"read_only" jsonschema:"set by the service; cannot be written"`
	CreateOnly  bool   `json:"create_only" jsonschema:"set at creation; changing it needs a new resource"`
	WriteOnly   bool   `json:"write_only" jsonschema:"never read back (reads as null)"`
	Identifier  bool   `json:"identifier" jsonschema:"part of the primary identifier"`
	Key         bool   `json:"key" jsonschema:"a value the provider uses when bound in WHERE (region, list parameters)"`
}

// ResourceMethod is one method of describe_resource.
type ResourceMethod struct {
	Name           string   `json:"name"`
	Resource       string   `json:"resource" jsonschema:"the table the method is reached through"`
	SQLVerb        string   `json:"sql_verb"`
	RequiredParams []string `json:"required_params"`
	Operation      string   `json:"operation,omitempty" jsonschema:"the Cloud Control operation"`
}

// ResourceInfo is the result of describe_resource.
type ResourceInfo struct {
	Resource    string `json:"resource" jsonschema:"awscc.<service>.<resource>"`
	TypeName    string `json:"type_name,omitempty" jsonschema:"the CloudFormation type"`
	Kind        string `json:"kind" jsonschema:"resource (full table), list_only (identifiers only) or native (cloud_control)"`
	Description string `json:"description,omitempty"`
	// Identifier is the primary identifier as properties, in the order
	// Cloud Control joins them with "|" into the Identifier column.
	Identifier        []string `json:"identifier" jsonschema:"the primary identifier's properties, joined with | in the hidden Identifier column"`
	IdentifierColumns []string `json:"identifier_columns" jsonschema:"the same as column names"`
	// ListParameters are what a SELECT without Identifier must bind so
	// that ccql can list: region and the list handler's required properties.
	ListParameters []string         `json:"list_parameters" jsonschema:"columns a listing SELECT must bind in WHERE"`
	Columns        []ResourceColumn `json:"columns"`
	Methods        []ResourceMethod `json:"methods"`
	Examples       []string         `json:"examples" jsonschema:"statements to start from"`
}

func (s *server) describeResource(_ context.Context, _ *mcp.CallToolRequest, in ResourceInput) (*mcp.CallToolResult, *ResourceInfo, error) {
	t, err := s.table(in.Resource)
	if err != nil {
		return nil, nil, err
	}
	info := describeTable(t)
	return textResult(info.text()), info, nil
}

// table resolves a resource name with the engine's error wording.
func (s *server) table(name string) (*catalog.Table, error) {
	svc, res, err := resourceName(name)
	if err != nil {
		return nil, err
	}
	t, err := s.cat.Table(catalog.ProviderName, svc, res)
	if err != nil {
		if errors.Is(err, catalog.ErrNotFound) {
			return nil, fmt.Errorf("%w: awscc.%s.%s (list_resources shows the names)", ccql.ErrUnknownResource, svc, res)
		}
		return nil, err
	}
	return t, nil
}

func kindName(k catalog.Kind) string {
	switch k {
	case catalog.KindListOnly:
		return "list_only"
	case catalog.KindNative:
		return "native"
	}
	return "resource"
}

func describeTable(t *catalog.Table) *ResourceInfo {
	info := &ResourceInfo{Resource: t.ID(), TypeName: t.TypeName, Kind: kindName(t.Kind), Description: t.Description,
		Identifier: append([]string{}, t.Identifier...), IdentifierColumns: []string{}, ListParameters: []string{}}
	byProp := map[string]string{}
	for _, c := range t.Columns {
		info.Columns = append(info.Columns, ResourceColumn{Name: c.Name, Property: c.Property, Type: c.Type, Description: c.Description,
			Required: c.Required, ReadOnly: c.ReadOnly, CreateOnly: c.CreateOnly, WriteOnly: c.WriteOnly, Identifier: c.Identifier, Key: c.Key})
		byProp[c.Property] = c.Name
		if c.Key {
			info.ListParameters = append(info.ListParameters, c.Name)
		}
	}
	for _, p := range t.Identifier {
		if n, ok := byProp[p]; ok {
			info.IdentifierColumns = append(info.IdentifierColumns, n)
		}
	}
	for _, m := range t.Methods {
		info.Methods = append(info.Methods, ResourceMethod{Name: m.Name, Resource: m.Resource, SQLVerb: m.SQLVerb,
			RequiredParams: append([]string{}, m.RequiredParams...), Operation: m.Operation})
	}
	info.Examples = examples(t, info)
	return info
}

// examples are statements an assistant can adapt: a read by identifier, a
// listing, and for full tables an INSERT of the required properties.
func examples(t *catalog.Table, info *ResourceInfo) []string {
	where := func(extra string) string {
		var conds []string
		for _, p := range info.ListParameters {
			if p == catalog.RegionColumn {
				conds = append(conds, "region = 'us-east-1'")
			} else if !strings.EqualFold(p, catalog.IdentifierColumn) {
				conds = append(conds, p+" = '…'")
			}
		}
		if extra != "" {
			conds = append(conds, extra)
		}
		return strings.Join(conds, " AND ")
	}
	if t.Kind == catalog.KindNative {
		return []string{fmt.Sprintf("SELECT * FROM %s WHERE %s", t.ID(), where(""))}
	}
	out := []string{}
	if t.Kind == catalog.KindResource {
		out = append(out, fmt.Sprintf("SELECT * FROM %s WHERE region = 'us-east-1' AND Identifier = '%s'", t.ID(), strings.Join(repeat("…", len(t.Identifier)), "|")))
	}
	out = append(out, fmt.Sprintf("SELECT * FROM %s WHERE %s", t.ID(), where("")))
	if t.Kind != catalog.KindResource {
		return out
	}
	var cols, vals []string
	for _, c := range info.Columns {
		if c.Required && !c.ReadOnly {
			cols = append(cols, c.Property)
			vals = append(vals, exampleValue(c.Type))
		}
	}
	cols = append(cols, catalog.RegionColumn)
	vals = append(vals, "'us-east-1'")
	out = append(out,
		fmt.Sprintf("INSERT INTO %s (%s) SELECT %s RETURNING Identifier", t.ID(), strings.Join(cols, ", "), strings.Join(vals, ", ")),
		fmt.Sprintf(`UPDATE %s SET PatchDocument = string('[{"op": "replace", "path": "/…", "value": …}]') WHERE region = 'us-east-1' AND Identifier = '…'`, t.ID()),
		fmt.Sprintf("DELETE FROM %s WHERE region = 'us-east-1' AND Identifier = '…'", t.ID()))
	return out
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func exampleValue(typ string) string {
	switch typ {
	case "integer", "number":
		return "0"
	case "boolean":
		return "true"
	case "array":
		return "'[]'"
	case "object":
		return "'{}'"
	}
	return "'…'"
}

// text is describe_resource's short rendering: one line per column.
func (r *ResourceInfo) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", r.Resource)
	if r.TypeName != "" {
		fmt.Fprintf(&b, " (%s)", r.TypeName)
	}
	b.WriteString("\n")
	if r.Description != "" {
		b.WriteString(oneLine(r.Description, 200) + "\n")
	}
	fmt.Fprintf(&b, "identifier: %s; list parameters: %s\ncolumns:\n", strings.Join(r.Identifier, "|"), strings.Join(r.ListParameters, ", "))
	for _, c := range r.Columns {
		var flags []string
		for _, f := range []struct {
			on   bool
			name string
		}{{c.Required, "required"}, {c.ReadOnly, "read-only"}, {c.CreateOnly, "create-only"}, {c.WriteOnly, "write-only"}, {c.Identifier, "identifier"}, {c.Key, "key"}} {
			if f.on {
				flags = append(flags, f.name)
			}
		}
		fmt.Fprintf(&b, "  %s %s", c.Name, c.Type)
		if len(flags) > 0 {
			fmt.Fprintf(&b, " [%s]", strings.Join(flags, ", "))
		}
		if c.Description != "" {
			b.WriteString(" — " + oneLine(c.Description, 100))
		}
		b.WriteString("\n")
	}
	b.WriteString("methods:\n")
	for _, m := range r.Methods {
		fmt.Fprintf(&b, "  %s: %s %s (%s)\n", m.Name, m.SQLVerb, m.Resource, strings.Join(m.RequiredParams, ", "))
	}
	return b.String()
}

// oneLine shortens s to one line of at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with maps and slices of strings
	}
	return string(b)
}
