package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ccql/ccql"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// PlanInput is plan_mutation's input.
type PlanInput struct {
	Statement string `json:"statement" jsonschema:"one INSERT, UPDATE or DELETE statement in the StackQL dialect"`
}

// PlannedRequest is one request a mutation would send.
type PlannedRequest struct {
	Operation     string          `json:"operation" jsonschema:"CreateResource, UpdateResource, DeleteResource or CancelResourceRequest"`
	TypeName      string          `json:"type_name,omitempty"`
	Region        string          `json:"region"`
	Identifier    string          `json:"identifier,omitempty" jsonschema:"the resource it acts on (UPDATE, DELETE)"`
	DesiredState  json.RawMessage `json:"desired_state,omitempty" jsonschema:"the properties a CreateResource sends (secret values masked)"`
	PatchDocument json.RawMessage `json:"patch_document,omitempty" jsonschema:"the JSON Patch an UpdateResource sends (secret values masked)"`
	RequestToken  string          `json:"request_token,omitempty" jsonschema:"the request a CancelResourceRequest cancels"`
	ClientToken   string          `json:"client_token,omitempty"`
	RoleArn       string          `json:"role_arn,omitempty"`
	// Changes are, for an UpdateResource, the properties whose value would
	// change: the current value (read now) and the new one.
	Changes []Change `json:"changes,omitempty" jsonschema:"UpdateResource: the properties that would change, from the current value to the new one"`
}

// Change is one property an update would change.
type Change struct {
	Property   string          `json:"property" jsonschema:"the JSON Patch path, e.g. /ClientName"`
	Op         string          `json:"op" jsonschema:"add, replace or remove"`
	From       json.RawMessage `json:"from" jsonschema:"the current value (null when absent)"`
	To         json.RawMessage `json:"to" jsonschema:"the new value (null when removed)"`
	CreateOnly bool            `json:"create_only,omitempty" jsonschema:"a create-only property: Cloud Control refuses to change it in place"`
}

// Plan is plan_mutation's result.
type Plan struct {
	Statement string           `json:"statement"`
	Kind      string           `json:"kind" jsonschema:"INSERT, UPDATE or DELETE"`
	Requests  []PlannedRequest `json:"requests" jsonschema:"what run_mutation would send, in order; nothing was sent"`
	Mode      string           `json:"mode" jsonschema:"the server's mode: whether run_mutation would run it (full), ask first (safe) or refuse (read-only)"`
}

func (s *server) addPlanTool(srv *mcp.Server, add func(error)) {
	add(addTool(srv, &mcp.Tool{Name: ToolPlanMutation,
		Description: "Check an INSERT, UPDATE or DELETE completely (resource, columns, values, RETURNING) and show the Cloud Control requests it would send, without sending any: the desired state of each create, and for each update the properties that would change (current and new value). Reads only.",
		Annotations: readOnly("Plan a mutation", true)}, s.planMutation))
}

func (s *server) planMutation(ctx context.Context, _ *mcp.CallToolRequest, in PlanInput) (*mcp.CallToolResult, *Plan, error) {
	text, err := oneStatement(in.Statement)
	if err != nil {
		return nil, nil, toolError(err)
	}
	st, err := s.opts.Engine.Prepare(ctx, text)
	if err != nil {
		return nil, nil, toolError(err)
	}
	if st.ReadOnly() {
		return nil, nil, fmt.Errorf("%s sends no requests: plan_mutation plans INSERT, UPDATE and DELETE (run queries with query)", st.Kind())
	}
	reqs, err := st.Plan(ctx)
	if err != nil {
		return nil, nil, toolError(err)
	}
	p := &Plan{Statement: text, Kind: st.Kind().String(), Requests: []PlannedRequest{}, Mode: string(s.opts.Mode)}
	for _, r := range reqs {
		pr := PlannedRequest{Operation: r.Operation, TypeName: r.TypeName, Region: r.Region, Identifier: r.Identifier,
			RequestToken: r.RequestToken, ClientToken: r.ClientToken, RoleArn: r.RoleArn}
		if r.DesiredState != "" {
			pr.DesiredState = maskJSON(json.RawMessage(r.DesiredState))
		}
		if r.PatchDocument != "" {
			pr.PatchDocument = maskJSON(json.RawMessage(r.PatchDocument))
			changes, err := s.changes(ctx, r)
			if err != nil {
				return nil, nil, toolError(err)
			}
			pr.Changes = changes
		}
		p.Requests = append(p.Requests, pr)
	}
	return textResult(p.text()), p, nil
}

// changes reads the resource an update targets and lists the properties
// its patch would change. An operation that sets a property to the value
// it has is no change and is left out.
func (s *server) changes(ctx context.Context, r ccql.Request) ([]Change, error) {
	var ops []struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
		From  string          `json:"from"`
	}
	if err := json.Unmarshal([]byte(r.PatchDocument), &ops); err != nil {
		return nil, fmt.Errorf("patch document: %w", err)
	}
	current, err := s.currentProperties(ctx, r)
	if err != nil {
		return nil, err
	}
	createOnly := map[string]bool{}
	if t, err := s.cat.TableByType(r.TypeName); err == nil {
		for _, c := range t.Columns {
			if c.CreateOnly {
				createOnly[c.Property] = true
			}
		}
	}
	out := []Change{}
	for _, op := range ops {
		from := pointer(current, op.Path)
		to := json.RawMessage("null")
		switch op.Op {
		case "add", "replace":
			to = op.Value
		case "remove":
		case "move", "copy":
			to = pointer(current, op.From)
		default: // test: no change
			continue
		}
		if jsonEqual(from, to) {
			continue
		}
		if isSecretName(op.Path) {
			if len(from) > 0 && string(from) != "null" {
				from = json.RawMessage(`"` + masked + `"`)
			}
			if string(to) != "null" {
				to = json.RawMessage(`"` + masked + `"`)
			}
		}
		top := strings.SplitN(strings.TrimPrefix(op.Path, "/"), "/", 2)[0]
		out = append(out, Change{Property: op.Path, Op: op.Op, From: from, To: to, CreateOnly: createOnly[top]})
	}
	return out, nil
}

// currentProperties reads a resource's properties (GetResource through
// awscc.cloud_control.resource).
func (s *server) currentProperties(ctx context.Context, r ccql.Request) (json.RawMessage, error) {
	st, err := s.opts.Engine.Prepare(ctx, "SELECT Properties FROM awscc.cloud_control.resource WHERE region = ? AND TypeName = ? AND Identifier = ?")
	if err != nil {
		return nil, err
	}
	res, err := st.Exec(ctx, r.Region, r.TypeName, r.Identifier)
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", r.TypeName, r.Identifier, err)
	}
	if len(res.Rows) == 0 {
		return json.RawMessage("{}"), nil
	}
	switch v := res.Rows[0][0].(type) {
	case json.RawMessage:
		return v, nil
	case string:
		return json.RawMessage(v), nil
	}
	return json.RawMessage("{}"), nil
}

// pointer resolves a JSON Pointer in doc; absent is null.
func pointer(doc json.RawMessage, ptr string) json.RawMessage {
	null := json.RawMessage("null")
	cur := doc
	if ptr == "" {
		return cur
	}
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		var obj map[string]json.RawMessage
		if json.Unmarshal(cur, &obj) == nil {
			v, ok := obj[tok]
			if !ok {
				return null
			}
			cur = v
			continue
		}
		var arr []json.RawMessage
		if json.Unmarshal(cur, &arr) == nil {
			var i int
			if _, err := fmt.Sscanf(tok, "%d", &i); err != nil || i < 0 || i >= len(arr) {
				return null
			}
			cur = arr[i]
			continue
		}
		return null
	}
	return cur
}

// jsonEqual compares two JSON values by meaning (key order, spacing).
func jsonEqual(a, b json.RawMessage) bool {
	if len(a) == 0 {
		a = json.RawMessage("null")
	}
	if len(b) == 0 {
		b = json.RawMessage("null")
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}

// text renders a plan: one block per request.
func (p *Plan) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s would send %d request(s); nothing was sent", p.Kind, len(p.Requests))
	switch p.Mode {
	case string(ModeReadOnly):
		b.WriteString(" (this server is read-only: run_mutation would refuse it)")
	case string(ModeSafe):
		b.WriteString(" (run_mutation will ask the user to confirm)")
	}
	b.WriteString("\n")
	for i, r := range p.Requests {
		fmt.Fprintf(&b, "%d. %s %s in %s", i+1, r.Operation, r.TypeName, r.Region)
		if r.Identifier != "" {
			fmt.Fprintf(&b, " %s", r.Identifier)
		}
		if r.RequestToken != "" {
			fmt.Fprintf(&b, " request %s", r.RequestToken)
		}
		b.WriteString("\n")
		if len(r.DesiredState) > 0 {
			fmt.Fprintf(&b, "   desired state: %s\n", oneLine(string(r.DesiredState), 2000))
		}
		if r.PatchDocument != nil && len(r.Changes) == 0 {
			b.WriteString("   no property would change\n")
		}
		for _, c := range r.Changes {
			fmt.Fprintf(&b, "   %s: %s → %s", c.Property, oneLine(string(c.From), 300), oneLine(string(c.To), 300))
			if c.CreateOnly {
				b.WriteString(" (create-only: Cloud Control will refuse to change it in place)")
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}
