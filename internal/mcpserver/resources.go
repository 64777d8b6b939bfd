package mcpserver

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ccql/ccql/internal/catalog"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// seedPage is StackQL's documentation page for user_pool_clients, the page
// ccql's dialect is checked against (a copy of shared/seed).
//
//go:embed seed_user_pool_clients.txt
var seedPage string

// Resource URIs.
const (
	SeedURI           = "ccql://docs/seed/user_pool_clients"
	DialectURI        = "ccql://docs/dialect"
	PageURITemplate   = "ccql://awscc/{service}/{resource}"
	SchemaURITemplate = "ccql://schema/awscc/{service}/{resource}"
)

// PageURI is the URI of a table's page; SchemaURI of its CloudFormation
// schema.
func PageURI(service, resource string) string { return "ccql://awscc/" + service + "/" + resource }

// SchemaURI is the URI of a table's CloudFormation resource schema.
func SchemaURI(service, resource string) string {
	return "ccql://schema/awscc/" + service + "/" + resource
}

// listedTables are the tables whose pages are listed by resources/list (the
// templates reach every other one).
var listedTables = [][2]string{{"cognito", "user_pools"}, {"cognito", "user_pool_clients"}, {"cloud_control", "resource_requests"}}

func (s *server) addResources(srv *mcp.Server) {
	srv.AddResource(&mcp.Resource{URI: SeedURI, Name: "seed_user_pool_clients", Title: "StackQL's user_pool_clients page",
		Description: "StackQL's documentation page for awscc.cognito.user_pool_clients (fields, methods, SELECT/INSERT/UPDATE/DELETE examples): the dialect ccql follows.",
		MIMEType:    "text/plain"}, func(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		return textContents(req.Params.URI, "text/plain", seedPage), nil
	})
	srv.AddResource(&mcp.Resource{URI: DialectURI, Name: "dialect", Title: "The ccql SQL dialect",
		Description: "How to write ccql statements: names, keys, mutations, RETURNING, awaiting, request status.",
		MIMEType:    "text/markdown"}, func(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		return textContents(req.Params.URI, "text/markdown", dialectDoc), nil
	})
	for _, t := range listedTables {
		srv.AddResource(&mcp.Resource{URI: PageURI(t[0], t[1]), Name: t[0] + "." + t[1], Title: "awscc." + t[0] + "." + t[1],
			Description: "Columns, methods and examples of awscc." + t[0] + "." + t[1], MIMEType: "text/markdown"}, s.readPage)
	}
	srv.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: PageURITemplate, Name: "resource_page", Title: "A resource's page",
		Description: "Columns (type, required, read-only, create-only, description), identifier, methods and examples of awscc.{service}.{resource}, like StackQL's documentation pages.",
		MIMEType:    "text/markdown"}, s.readPage)
	srv.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: SchemaURITemplate, Name: "resource_schema", Title: "A resource's CloudFormation schema",
		Description: "The CloudFormation resource schema (JSON) behind awscc.{service}.{resource}.",
		MIMEType:    "application/json"}, s.readSchema)
}

func textContents(uri, mime, text string) *mcp.ReadResourceResult {
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, MIMEType: mime, Text: text}}}
}

// tableOfURI resolves ccql://awscc/svc/res or ccql://schema/awscc/svc/res.
func (s *server) tableOfURI(uri, prefix string) (*catalog.Table, error) {
	rest, ok := strings.CutPrefix(uri, prefix)
	if !ok {
		return nil, mcp.ResourceNotFoundError(uri)
	}
	svc, res, ok := strings.Cut(rest, "/")
	if !ok || strings.Contains(res, "/") {
		return nil, mcp.ResourceNotFoundError(uri)
	}
	t, err := s.table(svc + "." + res)
	if err != nil {
		return nil, mcp.ResourceNotFoundError(uri)
	}
	return t, nil
}

func (s *server) readPage(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	t, err := s.tableOfURI(req.Params.URI, "ccql://awscc/")
	if err != nil {
		return nil, err
	}
	return textContents(req.Params.URI, "text/markdown", tablePage(t)), nil
}

func (s *server) readSchema(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	t, err := s.tableOfURI(req.Params.URI, "ccql://schema/awscc/")
	if err != nil {
		return nil, err
	}
	if t.Schema == nil {
		return nil, fmt.Errorf("%s is a native Cloud Control table without a CloudFormation schema; read %s", t.ID(), PageURI(t.Service, t.Name))
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, t.Schema.Raw, "", "  "); err != nil {
		buf.Reset()
		buf.Write(t.Schema.Raw)
	}
	return textContents(req.Params.URI, "application/json", buf.String()), nil
}

// tablePage renders a table as a StackQL-style documentation page.
func tablePage(t *catalog.Table) string {
	info := describeTable(t)
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", info.Resource)
	if info.Description != "" {
		b.WriteString(info.Description + "\n\n")
	}
	fmt.Fprintf(&b, "| | |\n|---|---|\n| Name | %s |\n| Type | %s |\n| Id | %s |\n", t.Name, info.Kind, info.Resource)
	if info.TypeName != "" {
		fmt.Fprintf(&b, "| CloudFormation type | %s |\n", info.TypeName)
	}
	if len(info.Identifier) > 0 {
		fmt.Fprintf(&b, "| Identifier | %s (the hidden Identifier column) |\n", strings.Join(info.Identifier, "|"))
	}
	fmt.Fprintf(&b, "| List parameters | %s |\n\n## Fields\n\n| Name | Datatype | Flags | Description |\n|---|---|---|---|\n", strings.Join(info.ListParameters, ", "))
	for _, c := range info.Columns {
		var flags []string
		for _, f := range []struct {
			on   bool
			name string
		}{{c.Required, "required"}, {c.ReadOnly, "read-only"}, {c.CreateOnly, "create-only"}, {c.WriteOnly, "write-only"}, {c.Identifier, "identifier"}} {
			if f.on {
				flags = append(flags, f.name)
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", c.Name, c.Type, strings.Join(flags, ", "), mdCell(c.Description))
	}
	b.WriteString("\n## Methods\n\n| Name | Resource | Accessible by | Required Params |\n|---|---|---|---|\n")
	for _, m := range info.Methods {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", m.Name, m.Resource, m.SQLVerb, strings.Join(m.RequiredParams, ", "))
	}
	b.WriteString("\n## Examples\n")
	for _, e := range info.Examples {
		fmt.Fprintf(&b, "\n```sql\n%s\n```\n", e)
	}
	return b.String()
}

func mdCell(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", `\|`)
}

// dialectDoc is the dialect resource.
const dialectDoc = "# The ccql dialect (StackQL's)\n\n" +
	"- Tables are `awscc.<service>.<resource>` (`awscc.cognito.user_pool_clients`); `<resource>_list_only` lists identifiers only. " +
	"Find them with `SHOW SERVICES IN awscc [LIKE 'cog%']`, `SHOW RESOURCES IN awscc.cognito`, `SHOW METHODS IN awscc.cognito.user_pool_clients`, `DESCRIBE [EXTENDED] awscc.cognito.user_pool_clients`.\n" +
	"- Every SELECT binds `region` (`=` or `IN`). `Identifier` (hidden column, primary identifier values joined with `|`, e.g. `'us-east-1_Abc|4v1…'`) reads one resource; without it ccql lists, then gets each match in parallel. " +
	"`user_pool_clients` without `user_pool_id` lists the pools first.\n" +
	"- Relational work is SQLite's: joins, CTEs, aggregates, `json_each(col)`, `col->>'$.Key'`.\n" +
	"- `INSERT INTO t (Col, …, region) SELECT 'v', …, 'us-east-1' [UNION ALL SELECT …] [RETURNING …]`: one CreateResource per row. Columns are PascalCase properties or their snake_case names; values are coerced by the schema (`'30'`→30, JSON text → JSON; `string('…')` stays a string). `ClientToken`, `RoleArn`, `TypeVersionId` are request parameters.\n" +
	"- `UPDATE t SET PatchDocument = string('[{\"op\": \"replace\", \"path\": \"/ClientName\", \"value\": \"x\"}]') WHERE region = … AND Identifier = …`, or `SET col = value[, …]` (`SET col = NULL` removes it).\n" +
	"- `DELETE FROM t WHERE region = … AND Identifier = …`.\n" +
	"- `RETURNING` projects the ProgressEvent: ErrorCode, EventTime, Identifier, Operation, OperationStatus, RequestToken, ResourceModel, RetryAfter, StatusMessage, TypeName (`*` = all).\n" +
	"- `/*+ AWAIT */` before the statement waits for its requests (run_mutation awaits by default).\n" +
	"- Request status: `SELECT * FROM awscc.cloud_control.resource_request WHERE region = … AND RequestToken = …`; " +
	"`awscc.cloud_control.resource_requests` with `ResourceRequestStatusFilter = '{\"Operations\":[\"CREATE\"]}'`; `DELETE FROM awscc.cloud_control.resource_requests WHERE RequestToken = … AND region = …` cancels one.\n"
