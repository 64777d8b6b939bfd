package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/iql"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Tool names.
const (
	ToolServerInfo      = "server_info"
	ToolListServices    = "list_services"
	ToolListResources   = "list_resources"
	ToolListMethods     = "list_methods"
	ToolDescribe        = "describe_resource"
	ToolQuery           = "query"
	ToolPlanMutation    = "plan_mutation"
	ToolRunMutation     = "run_mutation"
	ToolRequestStatus   = "request_status"
	confirmInputRequest = "confirm"
)

func ptr[T any](v T) *T { return &v }

// readOnly are the annotations of a tool that changes nothing. openWorld
// says whether it reaches Cloud Control (true) or only the catalog.
func readOnly(title string, openWorld bool) *mcp.ToolAnnotations {
	return &mcp.ToolAnnotations{Title: title, ReadOnlyHint: true, IdempotentHint: true, DestructiveHint: ptr(false), OpenWorldHint: ptr(openWorld)}
}

// addTool registers a typed tool whose output schema accepts raw JSON.
func addTool[In, Out any](srv *mcp.Server, t *mcp.Tool, h mcp.ToolHandlerFor[In, Out]) error {
	s, err := outputSchema[Out]()
	if err != nil {
		return err
	}
	t.OutputSchema = s
	mcp.AddTool(srv, t, h)
	return nil
}

// ServerInfo is the result of server_info.
type ServerInfo struct {
	Version  string `json:"version"`
	Backend  string `json:"backend" jsonschema:"what answers Cloud Control"`
	Mode     string `json:"mode" jsonschema:"read-only, safe (mutations need the user's confirmation) or full"`
	AuditLog string `json:"audit_log,omitempty" jsonschema:"where mutations are recorded"`
	MaxRows  int    `json:"max_rows" jsonschema:"the default row limit of query"`
}

// ListServicesInput is list_services' input.
type ListServicesInput struct {
	Like string `json:"like,omitempty" jsonschema:"a SQL LIKE pattern on the service name, e.g. cog% (case-insensitive)"`
}

// ListResourcesInput is list_resources' input.
type ListResourcesInput struct {
	Service string `json:"service" jsonschema:"the service, e.g. cognito (or awscc.cognito)"`
	Like    string `json:"like,omitempty" jsonschema:"a SQL LIKE pattern on the resource name, e.g. user_pool%"`
}

// ResourceInput names one resource.
type ResourceInput struct {
	Resource string `json:"resource" jsonschema:"the table, e.g. awscc.cognito.user_pool_clients (the awscc. prefix is optional)"`
}

// QueryInput is query's input.
type QueryInput struct {
	Statement string `json:"statement" jsonschema:"one SELECT, SHOW or DESCRIBE statement in the StackQL dialect"`
	MaxRows   int    `json:"max_rows,omitempty" jsonschema:"the most rows to return (default 200, at most 10000); more are reported as truncated"`
}

// RequestStatusInput is request_status' input.
type RequestStatusInput struct {
	Region       string   `json:"region" jsonschema:"the AWS region of the requests, e.g. us-east-1"`
	RequestToken string   `json:"request_token,omitempty" jsonschema:"one request's token (from run_mutation); without it the region's recent requests are listed"`
	Operations   []string `json:"operations,omitempty" jsonschema:"filter the list: CREATE, UPDATE, DELETE"`
	Statuses     []string `json:"statuses,omitempty" jsonschema:"filter the list: PENDING, IN_PROGRESS, SUCCESS, FAILED, CANCEL_IN_PROGRESS, CANCEL_COMPLETE"`
	MaxRows      int      `json:"max_rows,omitempty" jsonschema:"the most rows to return (default 200)"`
}

func (s *server) addTools(srv *mcp.Server) error {
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	add(addTool(srv, &mcp.Tool{Name: ToolServerInfo, Description: "What this ccql server talks to (the embedded emulator, AWS or an endpoint), its safety mode and its audit log.",
		Annotations: readOnly("Server info", false)}, s.serverInfo))
	add(addTool(srv, &mcp.Tool{Name: ToolListServices, Description: "List the awscc services (SHOW SERVICES IN awscc), optionally filtered with a LIKE pattern.",
		Annotations: readOnly("List services", false)}, s.listServices))
	add(addTool(srv, &mcp.Tool{Name: ToolListResources, Description: "List the resources (tables) of a service (SHOW RESOURCES IN awscc.<service>). Each type has a full table and, when it can be listed, a cheaper <name>_list_only table of identifiers.",
		Annotations: readOnly("List resources", false)}, s.listResources))
	add(addTool(srv, &mcp.Tool{Name: ToolListMethods, Description: "List the methods of a resource (SHOW METHODS IN awscc.<service>.<resource>): which SQL verb calls which Cloud Control operation, and the parameters each must bind.",
		Annotations: readOnly("List methods", false)}, s.listMethods))
	add(addTool(srv, &mcp.Tool{Name: ToolDescribe, Description: "Describe a resource: every column with its type, description and whether it is required, read-only, create-only, write-only or part of the identifier; the identifier; what a list needs bound; the methods; and example statements.",
		Annotations: readOnly("Describe a resource", false)}, s.describeResource))
	add(addTool(srv, &mcp.Tool{Name: ToolQuery, Description: "Run one read-only statement (SELECT, SHOW or DESCRIBE) and return typed rows. SELECT must bind region; SQLite's joins, CTEs, aggregates, json_each and ->> work. INSERT, UPDATE and DELETE are refused here: use plan_mutation and run_mutation.",
		Annotations: readOnly("Query", true)}, s.query))
	add(addTool(srv, &mcp.Tool{Name: ToolRequestStatus, Description: "Cloud Control request status: one request by its token (awscc.cloud_control.resource_request), or the region's recent requests filtered by operation and status (awscc.cloud_control.resource_requests).",
		Annotations: readOnly("Request status", true)}, s.requestStatus))
	add(addTool(srv, &mcp.Tool{Name: ToolRunMutation, Description: "Run one INSERT, UPDATE or DELETE and (by default) await its requests: returns each request's final status, identifier, request token and, when it failed, the AWS error. Run plan_mutation first to see what would be sent.",
		Annotations: &mcp.ToolAnnotations{Title: "Run a mutation", ReadOnlyHint: false, DestructiveHint: ptr(true), IdempotentHint: false, OpenWorldHint: ptr(true)}}, s.runMutation))
	s.addPlanTool(srv, add)
	return errors.Join(errs...)
}

func (s *server) serverInfo(_ context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, ServerInfo, error) {
	info := ServerInfo{Version: s.opts.Version, Backend: s.opts.Backend, Mode: string(s.opts.Mode), MaxRows: s.opts.MaxRows}
	if s.opts.Audit != nil {
		info.AuditLog = s.opts.Audit.Path()
	}
	text := fmt.Sprintf("ccql %s on %s, mode %s", info.Version, info.Backend, info.Mode)
	if info.AuditLog != "" {
		text += ", audit log " + info.AuditLog
	}
	return textResult(text), info, nil
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// sqlString quotes s as a SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// resourceName parses awscc.<service>.<resource> (or <service>.<resource>).
func resourceName(s string) (service, resource string, err error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) == 3 && strings.EqualFold(parts[0], catalog.ProviderName) {
		parts = parts[1:]
	}
	if len(parts) != 2 || !nameRE.MatchString(parts[0]) || !nameRE.MatchString(parts[1]) {
		return "", "", fmt.Errorf("%w: %q: want awscc.<service>.<resource>, e.g. awscc.cognito.user_pool_clients", ccql.ErrUnknownResource, s)
	}
	return strings.ToLower(parts[0]), strings.ToLower(parts[1]), nil
}

func serviceName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if p, ok := strings.CutPrefix(strings.ToLower(s), catalog.ProviderName+"."); ok {
		s = p
	}
	if !nameRE.MatchString(s) {
		return "", fmt.Errorf("%w: service %q: want a name like cognito", ccql.ErrUnknownResource, s)
	}
	return strings.ToLower(s), nil
}

func (s *server) listServices(ctx context.Context, _ *mcp.CallToolRequest, in ListServicesInput) (*mcp.CallToolResult, *Table, error) {
	stmt := "SHOW SERVICES IN awscc"
	if in.Like != "" {
		stmt += " LIKE " + sqlString(in.Like)
	}
	return s.runTable(ctx, stmt, HardMaxRows)
}

func (s *server) listResources(ctx context.Context, _ *mcp.CallToolRequest, in ListResourcesInput) (*mcp.CallToolResult, *Table, error) {
	svc, err := serviceName(in.Service)
	if err != nil {
		return nil, nil, toolError(err)
	}
	stmt := "SHOW RESOURCES IN awscc." + svc
	if in.Like != "" {
		stmt += " LIKE " + sqlString(in.Like)
	}
	return s.runTable(ctx, stmt, HardMaxRows)
}

func (s *server) listMethods(ctx context.Context, _ *mcp.CallToolRequest, in ResourceInput) (*mcp.CallToolResult, *Table, error) {
	svc, res, err := resourceName(in.Resource)
	if err != nil {
		return nil, nil, toolError(err)
	}
	return s.runTable(ctx, "SHOW METHODS IN awscc."+svc+"."+res, HardMaxRows)
}

func (s *server) query(ctx context.Context, _ *mcp.CallToolRequest, in QueryInput) (*mcp.CallToolResult, *Table, error) {
	text, err := oneStatement(in.Statement)
	if err != nil {
		return nil, nil, toolError(err)
	}
	return s.runTable(ctx, text, s.maxRows(in.MaxRows))
}

func (s *server) maxRows(n int) int {
	switch {
	case n <= 0:
		return s.opts.MaxRows
	case n > HardMaxRows:
		return HardMaxRows
	}
	return n
}

func (s *server) requestStatus(ctx context.Context, _ *mcp.CallToolRequest, in RequestStatusInput) (*mcp.CallToolResult, *Table, error) {
	if strings.TrimSpace(in.Region) == "" {
		return nil, nil, toolError(fmt.Errorf("%w: region is required", ccql.ErrMissingKey))
	}
	var stmt string
	if in.RequestToken != "" {
		stmt = "SELECT * FROM awscc.cloud_control.resource_request WHERE region = " + sqlString(in.Region) +
			" AND RequestToken = " + sqlString(in.RequestToken)
	} else {
		stmt = "SELECT * FROM awscc.cloud_control.resource_requests WHERE region = " + sqlString(in.Region)
		filter := map[string][]string{}
		if len(in.Operations) > 0 {
			filter["Operations"] = upper(in.Operations)
		}
		if len(in.Statuses) > 0 {
			filter["OperationStatuses"] = upper(in.Statuses)
		}
		if len(filter) > 0 {
			stmt += " AND ResourceRequestStatusFilter = " + sqlString(mustJSON(filter))
		}
	}
	return s.runTable(ctx, stmt, s.maxRows(in.MaxRows))
}

func upper(in []string) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = strings.ToUpper(strings.TrimSpace(v))
	}
	return out
}

// runTable prepares a statement, refuses it unless it is a query (SELECT,
// SHOW, DESCRIBE), runs it and returns its rows.
func (s *server) runTable(ctx context.Context, stmt string, maxRows int) (*mcp.CallToolResult, *Table, error) {
	st, err := s.opts.Engine.Prepare(ctx, stmt)
	if err != nil {
		return nil, nil, toolError(err)
	}
	if err := checkQuery(st); err != nil {
		return nil, nil, err
	}
	res, err := st.Exec(ctx)
	if err != nil {
		return nil, nil, toolError(err)
	}
	t, err := newTable(stmt, res, maxRows)
	if err != nil {
		return nil, nil, err
	}
	return textResult(t.text(res)), t, nil
}

// oneStatement returns the single statement of text, trimmed of its
// separator; several statements are refused so that one tool call is one
// statement (and one confirmation).
func oneStatement(text string) (string, error) {
	pieces, err := iql.Split(text)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ccql.ErrSyntax, err)
	}
	switch len(pieces) {
	case 0:
		return "", fmt.Errorf("%w: no statement", ccql.ErrSyntax)
	case 1:
		return pieces[0].Text, nil
	}
	return "", fmt.Errorf("%w: %d statements: give one per call", ccql.ErrUnsupported, len(pieces))
}

// checkQuery refuses a statement that could change anything, and the
// session statements (SET, BEGIN, …) that have nothing to show.
func checkQuery(st *ccql.Stmt) error {
	if !st.ReadOnly() {
		return ErrNotReadOnly
	}
	switch st.Kind() {
	case ccql.StmtSelect, ccql.StmtShow, ccql.StmtShowVar, ccql.StmtDescribe:
		return nil
	}
	return fmt.Errorf("%w (%s is not a query)", ErrNotReadOnly, st.Kind())
}

// ErrNotReadOnly is the error of query for a statement that is not read-only.
var ErrNotReadOnly = errors.New("query runs only read-only statements (SELECT, SHOW, DESCRIBE); use plan_mutation and run_mutation for INSERT, UPDATE and DELETE")

// toolError is err as ccql exec shows it: a service error as its AWS code
// and message, anything else as its message.
func toolError(err error) error {
	var se *ccql.ServiceError
	if errors.As(err, &se) {
		return fmt.Errorf("%s: %s", se.Code, se.Message)
	}
	return err
}

func textResult(text string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}
}
