package catalog

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/ccql/ccql/internal/schema"
)

// Kind tells the engine how a table is served.
type Kind int

// The kinds of table.
const (
	// KindResource is a resource type's full table (awscc.cognito.user_pool_clients):
	// SELECT is GetResource per identifier, INSERT/UPDATE/DELETE are
	// Create/Update/DeleteResource.
	KindResource Kind = iota
	// KindListOnly is a resource type's identifiers-only twin
	// (awscc.cognito.user_pool_clients_list_only): SELECT is ListResources.
	KindListOnly
	// KindNative is a table the catalog defines itself: one of the generic
	// cloud_control tables (resource, resources, resource_request,
	// resource_requests) or the Cognito outbox (cognito_outbox.messages);
	// its Service and Name say which.
	KindNative
)

// Table is one queryable resource: its columns in DESCRIBE order and its
// methods in SHOW METHODS order. A Catalog hands out the same *Table to
// every caller; treat it as read-only.
type Table struct {
	Provider string // "awscc"
	Service  string // "cognito"
	Name     string // "user_pool_clients" or "user_pool_clients_list_only"
	// TypeName is the CloudFormation type ("AWS::Cognito::UserPoolClient");
	// empty for the generic cloud_control tables.
	TypeName    string
	Kind        Kind
	ListOnly    bool   // Kind == KindListOnly
	Description string // the schema's description, or a fixed text for native tables
	// Columns are the rows of the seed page's Fields table, in order. For a
	// full table: every top-level schema property in schema order (writeOnly
	// ones included; they read back as NULL), then region. For a _list_only
	// table: the primary-identifier columns, then region. The hidden
	// Identifier column of full tables (see IdentifierColumn) is not listed.
	Columns []Column
	// Methods are the rows of the seed page's Methods table: create_resource,
	// delete_resource, update_resource, list_resources, get_resource, each
	// only when the schema has that handler with permissions. A _list_only
	// table has just list_resources.
	Methods []Method
	// Schema is the parsed resource schema (nil for native tables).
	Schema *schema.Resource
	// Identifier lists the primary identifier as property names, in the
	// order Cloud Control joins them with "|" ("UserPoolId", "ClientId").
	// Nested identifiers keep their path ("Schedule/ScheduleId").
	Identifier []string
	// ListRequired lists the properties the list handler's handlerSchema
	// requires (UserPoolId for user pool clients): ListResources needs them
	// in its ResourceModel.
	ListRequired []string
}

// Column is one column of a table.
type Column struct {
	// Name is the column as StackQL names it (snake case, quirks and all).
	Name string
	// Property is the schema property the column reads: PascalCase, a
	// "/"-separated path for a nested identifier ("Schedule/ScheduleId"),
	// or "" for region. Native tables use the Cloud Control field name.
	Property string
	// Type is the JSON type: string, integer, number, boolean, array, object.
	Type string
	// Types are every JSON type the property's schema accepts when it is a
	// union (a type list, oneOf or anyOf, through $refs), in schema order;
	// nil when it accepts one type (Type).
	Types []string
	// Description is the property's description ("AWS region." for region).
	Description string
	ReadOnly    bool // in readOnlyProperties: set by the service, rejected in a desired state
	CreateOnly  bool // in createOnlyProperties: a change needs replacement
	WriteOnly   bool // in writeOnlyProperties: never read back
	Required    bool // in the schema's required list (INSERT must supply it)
	Identifier  bool // part of the primary identifier
	// Key marks a column whose bound value the provider uses: region
	// everywhere, the list handler's required properties (user_pool_id),
	// and TypeName, Identifier, RequestToken on the native tables. Full
	// resource tables also take the hidden Identifier column.
	Key bool
}

// Method is one row of the Methods table (SHOW METHODS).
type Method struct {
	Name     string // create_resource, delete_resource, update_resource, list_resources, get_resource, …
	Resource string // the table the method is reached through
	SQLVerb  string // INSERT, DELETE, UPDATE or SELECT
	// RequiredParams are what the statement must bind, in the page's order
	// ("UserPoolId", "region"; "Identifier", "PatchDocument", "region").
	RequiredParams []string
	// Operation is the Cloud Control operation the method calls
	// (CreateResource, GetResourceRequestStatus, …).
	Operation string
}

// Column names shared by every table.
const (
	// RegionColumn is the region column every table has; it selects the
	// Cloud Control endpoint and is never a schema property.
	RegionColumn = "region"
	// RegionDescription is region's description on the seed page.
	RegionDescription = "AWS region."
	// IdentifierColumn is the hidden column of full resource tables that
	// holds the Cloud Control identifier (primary identifier values joined
	// with "|"). StackQL's view projects it second; the seed's Fields table
	// does not list it.
	IdentifierColumn = "Identifier"
)

// RequestParameters are the optional Cloud Control request fields INSERT,
// UPDATE and DELETE accept as columns besides the resource's properties
// (the seed page's "Additional Parameters"). They are never part of
// DesiredState.
func RequestParameters() []string { return []string{"ClientToken", "RoleArn", "TypeVersionId"} }

// Column returns the column called name, matched case-insensitively against
// the snake-case column name and then the schema property name, so both
// client_name and ClientName find the same column.
func (t *Table) Column(name string) (Column, bool) {
	for _, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	for _, c := range t.Columns {
		if c.Property != "" && strings.EqualFold(c.Property, name) {
			return c, true
		}
	}
	return Column{}, false
}

// Method returns the method called name (case-insensitive).
func (t *Table) Method(name string) (Method, bool) {
	for _, m := range t.Methods {
		if strings.EqualFold(m.Name, name) {
			return m, true
		}
	}
	return Method{}, false
}

// ID returns the table's three-part name, "awscc.cognito.user_pool_clients".
func (t *Table) ID() string { return t.Provider + "." + t.Service + "." + t.Name }

// hasHandler reports whether the schema declares the handler with at least
// one permission: StackQL derives methods and views from non-empty
// permission lists, so a handler with none (emr Step's read) yields nothing.
func hasHandler(r *schema.Resource, name string) bool {
	h, ok := r.Handlers[name]
	return ok && len(h.Permissions) > 0
}

// resourceTables builds the full table and, when the schema has a list
// handler, its _list_only twin, for one type named service.name.
func resourceTables(r *schema.Resource, service, name string) (full, listOnly *Table) {
	ids := r.IdentifierProperties()
	full = &Table{
		Provider:     ProviderName,
		Service:      service,
		Name:         name,
		TypeName:     r.TypeName,
		Kind:         KindResource,
		Description:  r.Description,
		Schema:       r,
		Identifier:   ids,
		ListRequired: r.Handlers["list"].Required,
	}
	flags := propertyFlags(r)
	for _, p := range r.Properties {
		c := Column{
			Name:        dodge(columnFor(r.TypeName, p.Name), true),
			Property:    p.Name,
			Description: p.Description,
		}
		c.Type, c.Description = fragmentType(r, p.Raw, p.Description)
		c.Types = unionTypes(r, p.Raw)
		flags.apply(&c, "/properties/"+p.Name)
		full.Columns = append(full.Columns, c)
	}
	full.Columns = append(full.Columns, regionColumn())

	listName := name + ListOnlySuffix
	if hasHandler(r, "create") {
		full.Methods = append(full.Methods, Method{Name: "create_resource", Resource: name, SQLVerb: "INSERT",
			RequiredParams: append(slices.Clone(r.Required), RegionColumn), Operation: "CreateResource"})
	}
	if hasHandler(r, "delete") {
		full.Methods = append(full.Methods, Method{Name: "delete_resource", Resource: name, SQLVerb: "DELETE",
			RequiredParams: []string{IdentifierColumn, RegionColumn}, Operation: "DeleteResource"})
	}
	if hasHandler(r, "update") {
		full.Methods = append(full.Methods, Method{Name: "update_resource", Resource: name, SQLVerb: "UPDATE",
			RequiredParams: []string{IdentifierColumn, "PatchDocument", RegionColumn}, Operation: "UpdateResource"})
	}
	var list Method
	if hasHandler(r, "list") {
		list = Method{Name: "list_resources", Resource: listName, SQLVerb: "SELECT",
			RequiredParams: []string{RegionColumn}, Operation: "ListResources"}
		full.Methods = append(full.Methods, list)
	}
	if hasHandler(r, "read") {
		full.Methods = append(full.Methods, Method{Name: "get_resource", Resource: name, SQLVerb: "SELECT",
			RequiredParams: []string{IdentifierColumn, RegionColumn}, Operation: "GetResource"})
	}
	if !hasHandler(r, "list") {
		return full, nil
	}

	listOnly = &Table{
		Provider:     ProviderName,
		Service:      service,
		Name:         listName,
		TypeName:     r.TypeName,
		Kind:         KindListOnly,
		ListOnly:     true,
		Description:  r.Description,
		Schema:       r,
		Identifier:   ids,
		ListRequired: full.ListRequired,
		Methods:      []Method{list},
	}
	for _, path := range r.PrimaryIdentifier {
		prop := strings.TrimPrefix(path, "/properties/")
		c := Column{
			// The generator joins nested path parts with "_" before
			// snake-casing: Schedule/ScheduleId → schedule__schedule_id.
			Name:     dodge(columnFor(r.TypeName, strings.ReplaceAll(prop, "/", "_")), false),
			Property: prop,
			Type:     "string",
		}
		if frag, err := r.PropertyAt(path); err == nil {
			c.Type, c.Description = fragmentType(r, frag, "")
			c.Types = unionTypes(r, frag)
		}
		flags.apply(&c, path)
		listOnly.Columns = append(listOnly.Columns, c)
	}
	// The list handler's required properties are inputs of the list: a
	// view without them could never be queried (StackQL's could not). They
	// are key columns, after the identifier ones.
	for _, prop := range full.ListRequired {
		if _, ok := listOnly.Column(prop); ok {
			continue
		}
		c := Column{Name: dodge(columnFor(r.TypeName, prop), false), Property: prop, Type: "string", Key: true}
		if fc, ok := full.Column(prop); ok {
			c.Type, c.Description, c.Types = fc.Type, fc.Description, fc.Types
		}
		listOnly.Columns = append(listOnly.Columns, c)
	}
	listOnly.Columns = append(listOnly.Columns, regionColumn())
	return full, listOnly
}

// dodge renames a property column that would collide with a column every
// table has: region (all tables) and the hidden Identifier (full tables).
// StackQL's views project both, and SQLite then answers the plain name with
// the first (the request's region, the Cloud Control identifier) and
// renames the property "region:1"; a leading "_", as for reserved words,
// keeps the property reachable under a usable name. 15 types have one
// (SNS Subscription's Region, Cognito UserPoolResourceServer's Identifier).
func dodge(name string, full bool) string {
	if strings.EqualFold(name, RegionColumn) || (full && strings.EqualFold(name, IdentifierColumn)) {
		return "_" + name
	}
	return name
}

func regionColumn() Column {
	return Column{Name: RegionColumn, Type: "string", Description: RegionDescription, Key: true}
}

// fragmentType returns the JSON type and description a column shows for a
// property schema, as StackQL's docs generator derives them: the property's
// own "type", else the type of what its $ref names, else "object"; its own
// description, else the referenced schema's.
func fragmentType(r *schema.Resource, frag json.RawMessage, desc string) (typ, description string) {
	typ, d, ref := typeOf(frag)
	if desc == "" {
		desc = d
	}
	if typ == "" && ref != "" {
		if target, err := r.Deref(frag); err == nil {
			t2, d2, _ := typeOf(target)
			typ = t2
			if desc == "" {
				desc = d2
			}
		}
	}
	if typ == "" {
		typ = "object"
	}
	return typ, desc
}

// unionTypes returns the JSON types a property schema accepts when there
// is more than one: the items of a "type" list, and the types of the
// branches of oneOf and anyOf (a branch's own type, the type of what its
// $ref names, or object/array from its properties/items), "null" left out.
// nil means a single type.
func unionTypes(r *schema.Resource, frag json.RawMessage) []string {
	var out []string
	add := func(t string) {
		if t != "" && t != "null" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	var walk func(frag json.RawMessage, depth int)
	walk = func(frag json.RawMessage, depth int) {
		if depth > 8 {
			return
		}
		var node struct {
			Type       any               `json:"type"`
			Ref        string            `json:"$ref"`
			OneOf      []json.RawMessage `json:"oneOf"`
			AnyOf      []json.RawMessage `json:"anyOf"`
			Properties json.RawMessage   `json:"properties"`
			Items      json.RawMessage   `json:"items"`
		}
		if json.Unmarshal(frag, &node) != nil {
			return
		}
		found := false
		switch t := node.Type.(type) {
		case string:
			add(t)
			found = true
		case []any:
			for _, x := range t {
				if s, ok := x.(string); ok {
					add(s)
					found = true
				}
			}
		}
		for _, b := range append(node.OneOf, node.AnyOf...) {
			walk(b, depth+1)
			found = true
		}
		if found {
			return
		}
		switch {
		case node.Ref != "":
			if target, err := r.Deref(frag); err == nil {
				walk(target, depth+1)
			}
		case node.Properties != nil:
			add("object")
		case node.Items != nil:
			add("array")
		}
	}
	walk(frag, 0)
	if len(out) < 2 {
		return nil
	}
	return out
}

// typeOf reads "type" (the first one when it is a list), "description" and
// "$ref" from a schema fragment.
func typeOf(frag json.RawMessage) (typ, desc, ref string) {
	var head struct {
		Type        any    `json:"type"`
		Description string `json:"description"`
		Ref         string `json:"$ref"`
	}
	if json.Unmarshal(frag, &head) != nil {
		return "", "", ""
	}
	switch t := head.Type.(type) {
	case string:
		typ = t
	case []any:
		if len(t) > 0 {
			typ, _ = t[0].(string)
		}
	}
	return typ, head.Description, head.Ref
}

// flagSets holds a schema's property-path lists as sets.
type flagSets struct {
	readOnly, createOnly, writeOnly, required, identifier, listRequired map[string]bool
}

func toSet(paths []string) map[string]bool {
	m := make(map[string]bool, len(paths))
	for _, p := range paths {
		m[p] = true
	}
	return m
}

func propertyFlags(r *schema.Resource) flagSets {
	req := make(map[string]bool, len(r.Required))
	for _, p := range r.Required {
		req["/properties/"+p] = true
	}
	listReq := make(map[string]bool)
	for _, p := range r.Handlers["list"].Required {
		listReq["/properties/"+p] = true
	}
	return flagSets{
		listRequired: listReq,
		readOnly:     toSet(r.ReadOnly),
		createOnly:   toSet(r.CreateOnly),
		writeOnly:    toSet(r.WriteOnly),
		required:     req,
		identifier:   toSet(r.PrimaryIdentifier),
	}
}

func (f flagSets) apply(c *Column, path string) {
	c.Key = f.listRequired[path]
	c.ReadOnly = f.readOnly[path]
	c.CreateOnly = f.createOnly[path]
	c.WriteOnly = f.writeOnly[path]
	c.Required = f.required[path]
	c.Identifier = f.identifier[path]
}
