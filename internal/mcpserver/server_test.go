package mcpserver_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/internal/mcpserver"
	"github.com/ccql/ccql/internal/render"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// env is one server on a fresh embedded emulator, and a client connected
// to it in process.
type env struct {
	t      *testing.T
	eng    *ccql.Engine
	audit  string
	client *mcp.ClientSession
}

type envOpts struct {
	mode    mcpserver.Mode
	elicit  func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error)
	noMRTR  bool
	maxRows int
}

func newEnv(t *testing.T, o envOpts) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	eng, err := ccql.Open(ctx, ccql.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	audit, err := mcpserver.OpenAudit(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { audit.Close() })
	srv, err := mcpserver.New(mcpserver.Options{Engine: eng, Mode: o.mode, Audit: audit, Version: "test", MaxRows: o.maxRows})
	if err != nil {
		t.Fatal(err)
	}
	ct, st := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	copts := &mcp.ClientOptions{ElicitationHandler: o.elicit}
	if o.noMRTR {
		copts.MultiRoundTrip = &mcp.MultiRoundTripOptions{Disabled: true}
	}
	c := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "1"}, copts)
	cs, err := c.Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return &env{t: t, eng: eng, audit: audit.Path(), client: cs}
}

// call calls a tool and decodes its structured result into out (if not nil).
func (e *env) call(name string, args any, out any) *mcp.CallToolResult {
	e.t.Helper()
	res, err := e.client.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		e.t.Fatalf("%s: %v", name, err)
	}
	if out != nil && res.StructuredContent != nil {
		b, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s: decode %s: %v", name, b, err)
		}
	}
	return res
}

// ok calls a tool that must succeed.
func (e *env) ok(name string, args any, out any) *mcp.CallToolResult {
	e.t.Helper()
	res := e.call(name, args, out)
	if res.IsError {
		e.t.Fatalf("%s(%v): tool error: %s", name, args, text(res))
	}
	return res
}

// fails calls a tool that must fail and returns its message.
func (e *env) fails(name string, args any) string {
	e.t.Helper()
	res := e.call(name, args, nil)
	if !res.IsError {
		e.t.Fatalf("%s(%v) succeeded: %s", name, args, text(res))
	}
	return text(res)
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}

// engineJSON runs a statement on the engine and returns its rows as
// `ccql exec -o json` prints them.
func (e *env) engineJSON(stmt string) []any {
	e.t.Helper()
	res, err := e.eng.Query(context.Background(), stmt)
	if err != nil {
		e.t.Fatalf("%s: %v", stmt, err)
	}
	names := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		names[i] = c.Name
	}
	var buf bytes.Buffer
	if err := render.Write(&buf, render.JSON, render.Result{Columns: names, Rows: res.Rows}); err != nil {
		e.t.Fatal(err)
	}
	var out []any
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func asJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func jsonEq(t *testing.T, a, b any) bool {
	return bytes.Equal(mustMarshal(t, asJSON(t, a)), mustMarshal(t, asJSON(t, b)))
}

func mustMarshal(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type table struct {
	Statement string           `json:"statement"`
	Columns   []map[string]any `json:"columns"`
	Rows      []any            `json:"rows"`
	RowCount  int              `json:"row_count"`
	TotalRows int              `json:"total_rows"`
	Truncated bool             `json:"truncated"`
}

func TestTools_SchemasAndAnnotations(t *testing.T) {
	e := newEnv(t, envOpts{mode: mcpserver.ModeFull})
	res, err := e.client.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	type want struct{ readOnly, destructive, idempotent bool }
	wants := map[string]want{
		mcpserver.ToolServerInfo: {true, false, true}, mcpserver.ToolListServices: {true, false, true},
		mcpserver.ToolListResources: {true, false, true}, mcpserver.ToolListMethods: {true, false, true},
		mcpserver.ToolDescribe: {true, false, true}, mcpserver.ToolQuery: {true, false, true},
		mcpserver.ToolRequestStatus: {true, false, true}, mcpserver.ToolPlanMutation: {true, false, true},
		mcpserver.ToolRunMutation: {false, true, false},
	}
	seen := map[string]bool{}
	for _, tool := range res.Tools {
		w, ok := wants[tool.Name]
		if !ok {
			t.Errorf("unexpected tool %s", tool.Name)
			continue
		}
		seen[tool.Name] = true
		a := tool.Annotations
		if a == nil || a.ReadOnlyHint != w.readOnly || a.DestructiveHint == nil || *a.DestructiveHint != w.destructive || a.IdempotentHint != w.idempotent {
			t.Errorf("%s: annotations %+v, want readOnly=%v destructive=%v idempotent=%v", tool.Name, a, w.readOnly, w.destructive, w.idempotent)
		}
		in, _ := tool.InputSchema.(map[string]any)
		out, _ := tool.OutputSchema.(map[string]any)
		if in["type"] != "object" || out["type"] != "object" {
			t.Errorf("%s: input schema %v, output schema %v: want objects", tool.Name, in, out)
		}
		if tool.Description == "" {
			t.Errorf("%s: no description", tool.Name)
		}
	}
	for name := range wants {
		if !seen[name] {
			t.Errorf("tool %s missing", name)
		}
	}
}

func TestListTools_MatchEngine(t *testing.T) {
	e := newEnv(t, envOpts{mode: mcpserver.ModeFull})
	for _, tc := range []struct {
		tool string
		args map[string]any
		stmt string
	}{
		{mcpserver.ToolListServices, map[string]any{}, "SHOW SERVICES IN awscc"},
		{mcpserver.ToolListServices, map[string]any{"like": "cog%"}, "SHOW SERVICES IN awscc LIKE 'cog%'"},
		{mcpserver.ToolListResources, map[string]any{"service": "cognito"}, "SHOW RESOURCES IN awscc.cognito"},
		{mcpserver.ToolListResources, map[string]any{"service": "awscc.cognito", "like": "user_pool_c%"}, "SHOW RESOURCES IN awscc.cognito LIKE 'user_pool_c%'"},
		{mcpserver.ToolListMethods, map[string]any{"resource": "awscc.cognito.user_pool_clients"}, "SHOW METHODS IN awscc.cognito.user_pool_clients"},
		{mcpserver.ToolQuery, map[string]any{"statement": "DESCRIBE EXTENDED awscc.cognito.user_pool_clients"}, "DESCRIBE EXTENDED awscc.cognito.user_pool_clients"},
	} {
		var got table
		e.ok(tc.tool, tc.args, &got)
		want := e.engineJSON(tc.stmt)
		if !jsonEq(t, got.Rows, want) {
			t.Errorf("%s %v: rows\n%v\nwant (%s)\n%v", tc.tool, tc.args, got.Rows, tc.stmt, want)
		}
		if got.Statement != tc.stmt || got.RowCount != len(want) || got.Truncated {
			t.Errorf("%s %v: statement %q, %d rows, truncated %v; want %q, %d", tc.tool, tc.args, got.Statement, got.RowCount, got.Truncated, tc.stmt, len(want))
		}
	}
	// A quote in a pattern stays inside the literal.
	var got table
	e.ok(mcpserver.ToolListServices, map[string]any{"like": "x' OR 'a' = 'a"}, &got)
	if got.RowCount != 0 {
		t.Errorf("LIKE with a quote matched %d services", got.RowCount)
	}
	for _, bad := range []map[string]any{{"service": "cognito; DROP"}, {"service": "nosuchservice"}} {
		if msg := e.fails(mcpserver.ToolListResources, bad); !strings.Contains(msg, "unknown resource") {
			t.Errorf("list_resources %v: %q", bad, msg)
		}
	}
}

func TestDescribeResource(t *testing.T) {
	e := newEnv(t, envOpts{mode: mcpserver.ModeFull})
	var info struct {
		Resource          string   `json:"resource"`
		TypeName          string   `json:"type_name"`
		Kind              string   `json:"kind"`
		Identifier        []string `json:"identifier"`
		IdentifierColumns []string `json:"identifier_columns"`
		ListParameters    []string `json:"list_parameters"`
		Columns           []struct {
			Name, Property, Type, Description                                  string
			Required, ReadOnly, CreateOnly, WriteOnly, Identifier, Key         bool
			XRequired, XReadOnly, XCreateOnly, XWriteOnly, XIdentifier, XKeyed bool `json:"-"`
		} `json:"columns"`
		Methods  []map[string]any `json:"methods"`
		Examples []string         `json:"examples"`
	}
	res := e.ok(mcpserver.ToolDescribe, map[string]any{"resource": "awscc.cognito.user_pool_clients"}, &info)
	// Flags decode through the snake_case keys.
	var raw struct {
		Columns []map[string]any `json:"columns"`
	}
	b, _ := json.Marshal(res.StructuredContent)
	json.Unmarshal(b, &raw)
	flags := map[string]map[string]any{}
	for _, c := range raw.Columns {
		flags[c["name"].(string)] = c
	}
	if info.TypeName != "AWS::Cognito::UserPoolClient" || info.Kind != "resource" ||
		strings.Join(info.Identifier, ",") != "UserPoolId,ClientId" || strings.Join(info.IdentifierColumns, ",") != "user_pool_id,client_id" {
		t.Errorf("describe: %+v", info)
	}
	if strings.Join(info.ListParameters, ",") != "user_pool_id,region" {
		t.Errorf("list parameters %v, want user_pool_id, region", info.ListParameters)
	}
	for _, tc := range []struct {
		col, flag string
		want      bool
	}{
		{"client_id", "read_only", true}, {"client_id", "identifier", true}, {"client_secret", "read_only", true},
		{"user_pool_id", "required", true}, {"user_pool_id", "create_only", true}, {"client_name", "required", false},
		{"generate_secret", "create_only", true}, {"region", "key", true},
	} {
		if got := flags[tc.col][tc.flag]; got != tc.want {
			t.Errorf("%s.%s = %v, want %v", tc.col, tc.flag, got, tc.want)
		}
	}
	// Names, types and descriptions are DESCRIBE EXTENDED's.
	want := e.engineJSON("DESCRIBE EXTENDED awscc.cognito.user_pool_clients")
	if len(want) != len(raw.Columns) {
		t.Fatalf("%d columns, DESCRIBE has %d", len(raw.Columns), len(want))
	}
	for i, w := range want {
		wm := w.(map[string]any)
		c := raw.Columns[i]
		if c["name"] != wm["name"] || c["type"] != wm["type"] || (c["description"] != wm["description"] && !(c["description"] == nil && wm["description"] == "")) {
			t.Errorf("column %d: %v, DESCRIBE says %v", i, c, wm)
		}
	}
	if len(info.Methods) != 5 || !strings.Contains(text(res), "client_id string [read-only, identifier]") {
		t.Errorf("methods %v; text:\n%s", info.Methods, text(res))
	}
	if msg := e.fails(mcpserver.ToolDescribe, map[string]any{"resource": "awscc.cognito.nope"}); !strings.Contains(msg, "unknown resource: awscc.cognito.nope") {
		t.Errorf("unknown resource: %q", msg)
	}
}

func TestQuery_ReadOnlyRowsAndErrors(t *testing.T) {
	e := newEnv(t, envOpts{mode: mcpserver.ModeFull, maxRows: 3})
	var got table
	e.ok(mcpserver.ToolQuery, map[string]any{"statement": "SHOW SERVICES IN awscc"}, &got)
	if got.RowCount != 3 || !got.Truncated || got.TotalRows < 200 {
		t.Errorf("default max_rows 3: %d rows of %d, truncated %v", got.RowCount, got.TotalRows, got.Truncated)
	}
	e.ok(mcpserver.ToolQuery, map[string]any{"statement": "SHOW SERVICES IN awscc;", "max_rows": 1000}, &got)
	if got.Truncated || got.RowCount != got.TotalRows {
		t.Errorf("max_rows 1000: %d of %d, truncated %v", got.RowCount, got.TotalRows, got.Truncated)
	}
	// Typed values: integers, booleans, JSON.
	e.ok(mcpserver.ToolQuery, map[string]any{"statement": `SELECT 1 AS n, 1.5 AS f, 'x' AS s, json('{"a":[1]}') AS j`}, &got)
	if !jsonEq(t, got.Rows, e.engineJSON(`SELECT 1 AS n, 1.5 AS f, 'x' AS s, json('{"a":[1]}') AS j`)) {
		t.Errorf("typed rows %v", got.Rows)
	}
	for _, tc := range []struct{ stmt, want string }{
		{"INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'p', 'us-east-1'", "query runs only read-only statements"},
		{"DELETE FROM awscc.cognito.user_pools WHERE region = 'us-east-1' AND Identifier = 'x'", "use plan_mutation and run_mutation"},
		{"SELECT 1; SELECT 2", "2 statements"},
		{"SELEC 1", "syntax"},
		{"SELECT nope FROM awscc.cognito.user_pools WHERE region = 'us-east-1'", "unknown column"},
		{"SELECT * FROM awscc.cognito.user_pools", "region"},
	} {
		msg := e.fails(mcpserver.ToolQuery, map[string]any{"statement": tc.stmt})
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %q, want it to contain %q", tc.stmt, msg, tc.want)
		}
		// The message is the engine's, as ccql exec prints it.
		if _, err := e.eng.Query(context.Background(), tc.stmt); err != nil && !strings.Contains(msg, err.Error()) && !strings.Contains(tc.want, "statement") && !strings.Contains(tc.want, "read-only") && !strings.Contains(tc.want, "plan_mutation") {
			t.Errorf("%s: %q does not carry the engine's %q", tc.stmt, msg, err)
		}
	}
}

// auditRecords reads the audit log.
func (e *env) auditRecords() []mcpserver.AuditRecord {
	e.t.Helper()
	f, err := os.Open(e.audit)
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	var out []mcpserver.AuditRecord
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r mcpserver.AuditRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			e.t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}

func events(rs []mcpserver.AuditRecord) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.Event)
	}
	return strings.Join(s, ",")
}

type mutation struct {
	Awaited  bool `json:"awaited"`
	Failed   int  `json:"failed"`
	Requests []struct {
		Operation, Identifier, Status string
		TypeName                      string          `json:"type_name"`
		RequestToken                  string          `json:"request_token"`
		ErrorCode                     string          `json:"error_code"`
		StatusMessage                 string          `json:"status_message"`
		ResourceModel                 json.RawMessage `json:"resource_model"`
	} `json:"requests"`
	Returning *table `json:"returning"`
}

func TestRunMutation_FullMode(t *testing.T) {
	e := newEnv(t, envOpts{mode: mcpserver.ModeFull})
	var m mutation
	e.ok(mcpserver.ToolRunMutation, map[string]any{"statement": "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'mcp-pool', 'us-east-1'"}, &m)
	if !m.Awaited || len(m.Requests) != 1 || m.Requests[0].Status != "SUCCESS" || m.Requests[0].Operation != "CREATE" ||
		m.Requests[0].Identifier == "" || m.Requests[0].TypeName != "AWS::Cognito::UserPool" || m.Requests[0].RequestToken == "" {
		t.Fatalf("insert: %+v", m)
	}
	pool := m.Requests[0].Identifier
	e.ok(mcpserver.ToolRunMutation, map[string]any{"statement": "INSERT INTO awscc.cognito.user_pool_clients (ClientName, UserPoolId, GenerateSecret, region) SELECT 'c', '" + pool + "', true, 'us-east-1' RETURNING Identifier, OperationStatus"}, &m)
	if m.Returning == nil || m.Returning.RowCount != 1 || len(m.Requests) != 1 || m.Requests[0].Status != "SUCCESS" {
		t.Fatalf("insert client with RETURNING: %+v", m)
	}
	clientID := m.Requests[0].Identifier
	// A secret in the statement: the audit log must not show it.
	const secret = "hunter2-do-not-log-me"
	e.ok(mcpserver.ToolRunMutation, map[string]any{"statement": "INSERT INTO awscc.secretsmanager.secrets (Name, SecretString, region) SELECT 'db', '" + secret + "', 'us-east-1'"}, &m)
	if len(m.Requests) != 1 || m.Requests[0].Status != "SUCCESS" {
		t.Fatalf("insert secret: %+v", m)
	}
	// Not awaited: the request token comes back for request_status.
	e.ok(mcpserver.ToolRunMutation, map[string]any{"statement": "UPDATE awscc.cognito.user_pool_clients SET ClientName = 'renamed' WHERE region = 'us-east-1' AND Identifier = '" + clientID + "'", "await": false}, &m)
	if m.Awaited || len(m.Requests) != 1 || m.Requests[0].RequestToken == "" {
		t.Fatalf("update: %+v", m)
	}
	var st table
	e.ok(mcpserver.ToolRequestStatus, map[string]any{"region": "us-east-1", "request_token": m.Requests[0].RequestToken}, &st)
	if st.RowCount != 1 {
		t.Fatalf("request_status: %+v", st)
	}
	want := e.engineJSON("SELECT * FROM awscc.cloud_control.resource_request WHERE region = 'us-east-1' AND RequestToken = '" + m.Requests[0].RequestToken + "'")
	if st.Rows[0].(map[string]any)["RequestToken"] != want[0].(map[string]any)["RequestToken"] {
		t.Errorf("request_status %v, engine %v", st.Rows, want)
	}
	e.ok(mcpserver.ToolRequestStatus, map[string]any{"region": "us-east-1", "operations": []string{"create"}}, &st)
	if st.RowCount != 3 {
		t.Errorf("request_status CREATE: %d rows, want 3: %v", st.RowCount, st.Rows)
	}
	// A failing request: the AWS error comes back, and the call is an error.
	res := e.call(mcpserver.ToolRunMutation, map[string]any{"statement": "DELETE FROM awscc.cognito.user_pools WHERE region = 'us-east-1' AND Identifier = 'us-east-1_doesnotexist'"}, &m)
	if !res.IsError || !strings.Contains(text(res), "NotFound") {
		t.Errorf("delete of a missing pool: isError %v: %s", res.IsError, text(res))
	}
	recs := e.auditRecords()
	if got := events(recs); got != "started,finished,started,finished,started,finished,started,finished,started,finished" {
		t.Errorf("audit events %s", got)
	}
	raw, _ := os.ReadFile(e.audit)
	if strings.Contains(string(raw), secret) {
		t.Errorf("the audit log holds the client secret:\n%s", raw)
	}
	if recs[3].Requests[0].Identifier != clientID || recs[3].Statement == "" || recs[2].ID != recs[3].ID {
		t.Errorf("audit record %+v", recs[3])
	}
	if fi, err := os.Stat(e.audit); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("audit log mode: %v %v", fi.Mode(), err)
	}
}

func TestRunMutation_ReadOnlyRefuses(t *testing.T) {
	e := newEnv(t, envOpts{mode: mcpserver.ModeReadOnly})
	stmt := "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'ro', 'us-east-1'"
	msg := e.fails(mcpserver.ToolRunMutation, map[string]any{"statement": stmt})
	if !strings.Contains(msg, "read-only") {
		t.Errorf("read-only: %q", msg)
	}
	if rows := e.engineJSON("SELECT * FROM awscc.cognito.user_pools_list_only WHERE region = 'us-east-1'"); len(rows) != 0 {
		t.Errorf("read-only mode created %v", rows)
	}
	recs := e.auditRecords()
	if events(recs) != "refused" || recs[0].Statement != stmt || recs[0].Mode != "read-only" {
		t.Errorf("audit: %+v", recs)
	}
	var info mcpserver.ServerInfo
	e.ok(mcpserver.ToolServerInfo, map[string]any{}, &info)
	if info.Mode != "read-only" || info.AuditLog != e.audit {
		t.Errorf("server_info %+v", info)
	}
}

func TestRunMutation_SafeMode(t *testing.T) {
	stmt := "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'safe', 'us-east-1'"
	pools := func(e *env) int {
		return len(e.engineJSON("SELECT * FROM awscc.cognito.user_pools_list_only WHERE region = 'us-east-1'"))
	}
	t.Run("accept", func(t *testing.T) {
		var asked string
		e := newEnv(t, envOpts{mode: mcpserver.ModeSafe, elicit: func(_ context.Context, r *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			asked = r.Params.Message
			return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}, nil
		}})
		var m mutation
		e.ok(mcpserver.ToolRunMutation, map[string]any{"statement": stmt}, &m)
		if !strings.Contains(asked, stmt) || len(m.Requests) != 1 || m.Requests[0].Status != "SUCCESS" || pools(e) != 1 {
			t.Errorf("asked %q; result %+v", asked, m)
		}
		if recs := e.auditRecords(); events(recs) != "started,finished" || !recs[0].Confirmed {
			t.Errorf("audit %+v", recs)
		}
	})
	t.Run("decline", func(t *testing.T) {
		for _, answer := range []*mcp.ElicitResult{{Action: "decline"}, {Action: "cancel"}, {Action: "accept", Content: map[string]any{"confirm": false}}} {
			e := newEnv(t, envOpts{mode: mcpserver.ModeSafe, elicit: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) { return answer, nil }})
			msg := e.fails(mcpserver.ToolRunMutation, map[string]any{"statement": stmt})
			if !strings.Contains(msg, "did not confirm") || pools(e) != 0 {
				t.Errorf("%+v: %q, %d pools", answer, msg, pools(e))
			}
			if recs := e.auditRecords(); events(recs) != "declined" {
				t.Errorf("audit %+v", recs)
			}
		}
	})
	t.Run("client cannot elicit", func(t *testing.T) {
		e := newEnv(t, envOpts{mode: mcpserver.ModeSafe})
		msg := e.fails(mcpserver.ToolRunMutation, map[string]any{"statement": stmt})
		if !strings.Contains(msg, "elicitation") || pools(e) != 0 {
			t.Errorf("%q, %d pools", msg, pools(e))
		}
	})
	t.Run("confirmation bound to the statement", func(t *testing.T) {
		// A client that handles the round trip itself confirms one
		// statement and retries with another.
		e := newEnv(t, envOpts{mode: mcpserver.ModeSafe, noMRTR: true,
			elicit: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) { return nil, errors.New("unused") }})
		first, err := e.client.CallTool(context.Background(), &mcp.CallToolParams{Name: mcpserver.ToolRunMutation, Arguments: map[string]any{"statement": stmt}})
		if err != nil {
			t.Fatal(err)
		}
		if !first.NeedsInput() || first.RequestState == "" {
			t.Fatalf("first call: %+v", first)
		}
		accept := mcp.InputResponseMap{"confirm": &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}}
		other := strings.Replace(stmt, "'safe'", "'other'", 1)
		res, err := e.client.CallTool(context.Background(), &mcp.CallToolParams{Name: mcpserver.ToolRunMutation,
			Arguments: map[string]any{"statement": other}, InputResponses: accept, RequestState: first.RequestState})
		if err != nil {
			t.Fatal(err)
		}
		if !res.IsError || !strings.Contains(text(res), "does not match") || pools(e) != 0 {
			t.Errorf("swapped statement: %s, %d pools", text(res), pools(e))
		}
		res, err = e.client.CallTool(context.Background(), &mcp.CallToolParams{Name: mcpserver.ToolRunMutation,
			Arguments: map[string]any{"statement": stmt}, InputResponses: accept, RequestState: first.RequestState})
		if err != nil || res.IsError || pools(e) != 1 {
			t.Errorf("the confirmed statement: %v %s, %d pools", err, text(res), pools(e))
		}
	})
}

func TestPrompts(t *testing.T) {
	e := newEnv(t, envOpts{mode: mcpserver.ModeFull})
	ctx := context.Background()
	list, err := e.client.ListPrompts(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Prompts) != 3 {
		t.Errorf("%d prompts", len(list.Prompts))
	}
	for _, tc := range []struct {
		name string
		args map[string]string
		want string
	}{
		{mcpserver.PromptCognitoAudit, map[string]string{"region": "eu-west-1"}, "region = 'eu-west-1'"},
		{mcpserver.PromptCreateAppClient, map[string]string{"user_pool_id": "us-east-1_X", "kind": "m2m"}, "client_credentials"},
		{mcpserver.PromptDeployDrift, map[string]string{"manifest": "name: s\nresources: []", "env": "prd"}, "name: s"},
	} {
		res, err := e.client.GetPrompt(ctx, &mcp.GetPromptParams{Name: tc.name, Arguments: tc.args})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := res.Messages[0].Content.(*mcp.TextContent).Text; !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q lacks %q", tc.name, got, tc.want)
		}
	}
	// Every query the audit prompt teaches runs, on data that trips each one.
	var m mutation
	e.ok(mcpserver.ToolRunMutation, map[string]any{"statement": "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'audit', 'us-east-1'"}, &m)
	pool := m.Requests[0].Identifier
	e.ok(mcpserver.ToolRunMutation, map[string]any{"statement": `INSERT INTO awscc.cognito.user_pool_clients (ClientName, UserPoolId, ExplicitAuthFlows, AllowedOAuthFlows, AllowedOAuthFlowsUserPoolClient, AllowedOAuthScopes, CallbackURLs, SupportedIdentityProviders, RefreshTokenValidity, region)
		SELECT 'risky', '` + pool + `', '["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]', '["implicit"]', true, '["openid"]', '["http://localhost:3000/cb"]', '["COGNITO"]', 90, 'us-east-1'`}, &m)
	if m.Failed != 0 {
		t.Fatalf("risky client: %+v", m)
	}
	for i, q := range mcpserver.CognitoAuditQueries("us-east-1") {
		var got table
		e.ok(mcpserver.ToolQuery, map[string]any{"statement": q[1]}, &got)
		if got.RowCount == 0 {
			t.Errorf("audit query %d found nothing: %s", i, q[1])
		}
	}
	// The create_app_client prompt's INSERT is valid for each kind.
	for _, kind := range []string{"spa", "web"} {
		res, err := e.client.GetPrompt(ctx, &mcp.GetPromptParams{Name: mcpserver.PromptCreateAppClient, Arguments: map[string]string{"user_pool_id": pool, "kind": kind, "client_name": kind}})
		if err != nil {
			t.Fatal(err)
		}
		body := res.Messages[0].Content.(*mcp.TextContent).Text
		_, after, _ := strings.Cut(body, "```sql\nINSERT")
		stmt, _, _ := strings.Cut(after, "```")
		e.ok(mcpserver.ToolRunMutation, map[string]any{"statement": "INSERT" + stmt}, &m)
		if m.Failed != 0 || m.Requests[0].Status != "SUCCESS" {
			t.Errorf("%s client: %+v", kind, m)
		}
	}
}

func TestResources(t *testing.T) {
	e := newEnv(t, envOpts{mode: mcpserver.ModeFull})
	ctx := context.Background()
	read := func(uri string) (*mcp.ReadResourceResult, error) {
		return e.client.ReadResource(ctx, &mcp.ReadResourceParams{URI: uri})
	}
	seed, err := os.ReadFile("../../../shared/seed/user_pool_clients.txt")
	if err != nil {
		t.Skipf("no shared seed page: %v", err)
	}
	res, err := read(mcpserver.SeedURI)
	if err != nil || res.Contents[0].Text != string(seed) {
		t.Errorf("seed page: %v, %d bytes, want %d", err, len(res.Contents[0].Text), len(seed))
	}
	res, err = read(mcpserver.PageURI("cognito", "user_pool_clients"))
	if err != nil {
		t.Fatal(err)
	}
	page := res.Contents[0].Text
	for _, want := range []string{"| client_id | string | read-only, identifier |", "| create_resource | user_pool_clients | INSERT | UserPoolId, region |", "AWS::Cognito::UserPoolClient"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
	res, err = read(mcpserver.SchemaURI("logs", "log_groups"))
	if err != nil {
		t.Fatal(err)
	}
	var sch map[string]any
	if err := json.Unmarshal([]byte(res.Contents[0].Text), &sch); err != nil || sch["typeName"] != "AWS::Logs::LogGroup" {
		t.Errorf("schema: %v %v", err, sch["typeName"])
	}
	for _, bad := range []string{"ccql://awscc/cognito/nope", "ccql://schema/awscc/nope/x", "ccql://schema/awscc/cloud_control/resource_requests"} {
		if _, err := read(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	list, err := e.client.ListResources(ctx, nil)
	if err != nil || len(list.Resources) < 4 {
		t.Errorf("resources: %v %v", err, list)
	}
	tmpl, err := e.client.ListResourceTemplates(ctx, nil)
	if err != nil || len(tmpl.ResourceTemplates) != 2 {
		t.Errorf("templates: %v %v", err, tmpl)
	}
}

func TestNew_Options(t *testing.T) {
	eng, err := ccql.Open(context.Background(), ccql.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if _, err := mcpserver.New(mcpserver.Options{Engine: eng, Mode: mcpserver.ModeFull}); err == nil {
		t.Error("full mode without an audit log")
	}
	if _, err := mcpserver.New(mcpserver.Options{Engine: eng, Mode: "yolo"}); !errors.Is(err, mcpserver.ErrBadMode) {
		t.Errorf("bad mode: %v", err)
	}
	if _, err := mcpserver.New(mcpserver.Options{}); err == nil {
		t.Error("no engine")
	}
	for in, want := range map[string]mcpserver.Mode{"read-only": mcpserver.ModeReadOnly, "READONLY": mcpserver.ModeReadOnly, "safe": mcpserver.ModeSafe, " full ": mcpserver.ModeFull} {
		if got, err := mcpserver.ParseMode(in); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %v, %v", in, got, err)
		}
	}
}

type plan struct {
	Kind     string `json:"kind"`
	Mode     string `json:"mode"`
	Requests []struct {
		Operation     string          `json:"operation"`
		TypeName      string          `json:"type_name"`
		Region        string          `json:"region"`
		Identifier    string          `json:"identifier"`
		DesiredState  json.RawMessage `json:"desired_state"`
		PatchDocument json.RawMessage `json:"patch_document"`
		Changes       []struct {
			Property   string          `json:"property"`
			Op         string          `json:"op"`
			From       json.RawMessage `json:"from"`
			To         json.RawMessage `json:"to"`
			CreateOnly bool            `json:"create_only"`
		} `json:"changes"`
	} `json:"requests"`
}

func TestPlanMutation(t *testing.T) {
	e := newEnv(t, envOpts{mode: mcpserver.ModeReadOnly})
	pools := func() int {
		return len(e.engineJSON("SELECT * FROM awscc.cognito.user_pools_list_only WHERE region = 'us-east-1'"))
	}
	var p plan
	call := func(stmt string) *mcp.CallToolResult {
		t.Helper()
		p = plan{}
		return e.ok(mcpserver.ToolPlanMutation, map[string]any{"statement": stmt}, &p)
	}
	res := e.ok(mcpserver.ToolPlanMutation, map[string]any{"statement": "INSERT INTO awscc.cognito.user_pools (UserPoolName, MfaConfiguration, region) SELECT 'a', 'OFF', 'us-east-1' UNION ALL SELECT 'b', 'OFF', 'eu-west-1'"}, &p)
	if p.Kind != "INSERT" || p.Mode != "read-only" || len(p.Requests) != 2 || p.Requests[1].Region != "eu-west-1" ||
		p.Requests[0].Operation != "CreateResource" || !jsonEq(t, p.Requests[0].DesiredState, map[string]any{"UserPoolName": "a", "MfaConfiguration": "OFF"}) {
		t.Errorf("insert plan: %+v", p)
	}
	if pools() != 0 || !strings.Contains(text(res), "nothing was sent") || !strings.Contains(text(res), "read-only") {
		t.Errorf("planning sent something, or the text says otherwise: %s", text(res))
	}
	// Secrets the user wrote are masked in the plan.
	call("INSERT INTO awscc.secretsmanager.secrets (Name, SecretString, region) SELECT 'db', 'hunter2-plan', 'us-east-1'")
	if strings.Contains(string(p.Requests[0].DesiredState), "hunter2") {
		t.Errorf("plan shows the secret: %s", p.Requests[0].DesiredState)
	}
	for _, tc := range []struct{ stmt, want string }{
		{"INSERT INTO awscc.cognito.user_pools (Nope, region) SELECT 'a', 'us-east-1'", "Nope"},
		{"INSERT INTO awscc.cognito.user_pools (UserPoolId, region) SELECT 'a', 'us-east-1'", "UserPoolId"},
		{"SELECT 1", "plan_mutation plans INSERT, UPDATE and DELETE"},
		{"INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'a', 'us-east-1' RETURNING Bogus", "Bogus"},
	} {
		if msg := e.fails(mcpserver.ToolPlanMutation, map[string]any{"statement": tc.stmt}); !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %q lacks %q", tc.stmt, msg, tc.want)
		}
	}
	// UPDATE: the properties that would change, from what is there now.
	res2, err := e.eng.Query(context.Background(), "/*+ AWAIT */ INSERT INTO awscc.cognito.user_pools (UserPoolName, MfaConfiguration, region) SELECT 'before', 'OFF', 'us-east-1' RETURNING Identifier")
	if err != nil {
		t.Fatal(err)
	}
	id := res2.Rows[0][0].(string)
	call(`UPDATE awscc.cognito.user_pools SET PatchDocument = string('[{"op": "replace", "path": "/UserPoolName", "value": "after"}, {"op": "replace", "path": "/MfaConfiguration", "value": "OFF"}]') WHERE region = 'us-east-1' AND Identifier = '` + id + `'`)
	if len(p.Requests) != 1 || p.Requests[0].Identifier != id || len(p.Requests[0].Changes) != 1 {
		t.Fatalf("update plan: %+v", p)
	}
	c := p.Requests[0].Changes[0]
	if c.Property != "/UserPoolName" || string(c.From) != `"before"` || string(c.To) != `"after"` || c.CreateOnly {
		t.Errorf("change %+v", c)
	}
	// SET col = value plans the same way; a create-only property is flagged.
	call("UPDATE awscc.logs.log_groups SET RetentionInDays = 7 WHERE region = 'us-east-1' AND Identifier = 'nope'")
	if len(p.Requests) != 1 || len(p.Requests[0].Changes) != 1 || string(p.Requests[0].Changes[0].To) != "7" || string(p.Requests[0].Changes[0].From) != "null" {
		t.Errorf("set plan: %+v", p)
	}
	call("DELETE FROM awscc.cognito.user_pools WHERE region = 'us-east-1' AND Identifier = '" + id + "'")
	if p.Kind != "DELETE" || len(p.Requests) != 1 || p.Requests[0].Operation != "DeleteResource" || pools() != 1 {
		t.Errorf("delete plan: %+v", p)
	}
}

// TestRunMutation_AuditFailureSendsNothing: a mutation whose "started"
// record cannot be made durable is not sent.
func TestRunMutation_AuditFailureSendsNothing(t *testing.T) {
	ctx := context.Background()
	eng, err := ccql.Open(ctx, ccql.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	audit, err := mcpserver.OpenAudit(filepath.Join(t.TempDir(), "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	audit.Close() // every Write now fails
	srv, err := mcpserver.New(mcpserver.Options{Engine: eng, Mode: mcpserver.ModeFull, Audit: audit})
	if err != nil {
		t.Fatal(err)
	}
	ct, st := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: mcpserver.ToolRunMutation, Arguments: map[string]any{
		"statement": "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'p', 'us-east-1'"}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.IsError || !strings.Contains(text(res), "not sent") {
		t.Errorf("result: %s", text(res))
	}
	r, err := eng.Query(ctx, "SELECT * FROM awscc.cognito.user_pools_list_only WHERE region = 'us-east-1'")
	if err != nil || len(r.Rows) != 0 {
		t.Errorf("pools after a failed audit: %v %v", r, err)
	}
}
