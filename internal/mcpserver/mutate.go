package mcpserver

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/internal/iql"
	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// MutationInput is run_mutation's input.
type MutationInput struct {
	Statement string `json:"statement" jsonschema:"one INSERT, UPDATE or DELETE statement in the StackQL dialect"`
	// Await is a pointer so that an absent value means the default (true).
	Await *bool `json:"await,omitempty" jsonschema:"wait until every request succeeds or fails (default true); false returns right after sending, with request tokens for request_status"`
}

// Request is one Cloud Control request a mutation sent.
type Request struct {
	Operation     string          `json:"operation,omitempty" jsonschema:"CREATE, UPDATE or DELETE"`
	TypeName      string          `json:"type_name,omitempty"`
	Identifier    string          `json:"identifier,omitempty" jsonschema:"the resource's primary identifier (values joined with |)"`
	RequestToken  string          `json:"request_token,omitempty" jsonschema:"follow it with request_status"`
	Status        string          `json:"status,omitempty" jsonschema:"PENDING, IN_PROGRESS, SUCCESS, FAILED, CANCEL_IN_PROGRESS or CANCEL_COMPLETE"`
	ErrorCode     string          `json:"error_code,omitempty" jsonschema:"the AWS error code when the request failed"`
	StatusMessage string          `json:"status_message,omitempty" jsonschema:"the AWS error message when the request failed"`
	EventTime     string          `json:"event_time,omitempty"`
	ResourceModel json.RawMessage `json:"resource_model,omitempty" jsonschema:"the resource's properties as Cloud Control returned them"`
}

// MutationResult is run_mutation's result.
type MutationResult struct {
	Statement string    `json:"statement"`
	Awaited   bool      `json:"awaited"`
	Requests  []Request `json:"requests" jsonschema:"one per Cloud Control request, in order"`
	Failed    int       `json:"failed" jsonschema:"requests that ended FAILED or CANCEL_COMPLETE"`
	// Returning is the statement's own RETURNING projection, when it had one.
	Returning *Table `json:"returning,omitempty"`
	Message   string `json:"message,omitempty"`
}

// ErrReadOnlyMode is the error of run_mutation in ModeReadOnly.
var ErrReadOnlyMode = errors.New("this ccql MCP server is read-only (--mode read-only): mutations are refused; plan_mutation shows what the statement would send")

// ErrNoElicitation is the error of run_mutation in ModeSafe for a client
// that cannot ask its user.
var ErrNoElicitation = errors.New("safe mode needs the user's confirmation for every mutation, and this client cannot ask for it (it does not support MCP elicitation); use a client that does, or start ccql mcp with --mode full")

// ErrDeclined is the error of run_mutation when the user did not confirm.
var ErrDeclined = errors.New("the user did not confirm the mutation; nothing was sent")

func (s *server) runMutation(ctx context.Context, req *mcp.CallToolRequest, in MutationInput) (*mcp.CallToolResult, *MutationResult, error) {
	await := in.Await == nil || *in.Await
	rec := AuditRecord{Tool: ToolRunMutation, Mode: string(s.opts.Mode), Statement: in.Statement, Awaited: await}
	if req != nil && req.Session != nil {
		rec.Session = req.Session.ID()
	}
	if req != nil {
		if ci := req.ClientInfo(); ci != nil {
			rec.Client = strings.TrimSpace(ci.Name + " " + ci.Version)
		}
	}
	rec.ID = newID()
	text, err := oneStatement(in.Statement)
	if err != nil {
		return nil, nil, toolError(err)
	}
	// Everything is checked before anyone is asked or anything is sent.
	st, err := s.opts.Engine.Prepare(ctx, text)
	if err != nil {
		return nil, nil, toolError(err)
	}
	if st.ReadOnly() {
		return nil, nil, errors.New("run_mutation runs INSERT, UPDATE and DELETE; use query for SELECT, SHOW and DESCRIBE")
	}
	refuse := func(event string, err error) (*mcp.CallToolResult, *MutationResult, error) {
		rec.Event, rec.Reason = event, err.Error()
		if s.opts.Audit != nil {
			if aerr := s.opts.Audit.Write(rec); aerr != nil {
				return nil, nil, fmt.Errorf("%w (and %v)", err, aerr)
			}
		}
		return nil, nil, err
	}
	switch s.opts.Mode {
	case ModeReadOnly:
		return refuse(AuditRefused, ErrReadOnlyMode)
	case ModeSafe:
		if len(req.Params.InputResponses) == 0 {
			caps := req.ClientCapabilities()
			if caps == nil || caps.Elicitation == nil {
				return refuse(AuditRefused, ErrNoElicitation)
			}
			return s.askConfirmation(text, await), nil, nil
		}
		if err := s.checkConfirmation(req, text, await); err != nil {
			event := AuditRefused
			if errors.Is(err, ErrDeclined) {
				event = AuditDeclined
			}
			return refuse(event, err)
		}
		rec.Confirmed = true
	}
	rec.Event = AuditStarted
	if err := s.opts.Audit.Write(rec); err != nil {
		return nil, nil, fmt.Errorf("%w; the mutation was not sent", err)
	}
	out, res, runErr := s.execMutation(ctx, text, await)
	done := rec
	done.Time = time.Time{}
	if out != nil {
		for _, r := range out.Requests {
			done.Requests = append(done.Requests, AuditRequest{Operation: r.Operation, TypeName: r.TypeName, Identifier: r.Identifier,
				RequestToken: r.RequestToken, Status: r.Status, ErrorCode: r.ErrorCode, Message: r.StatusMessage, Model: r.ResourceModel})
		}
	}
	if runErr != nil {
		done.Event, done.Error = AuditFailed, toolError(runErr).Error()
	} else {
		done.Event = AuditFinished
	}
	if err := s.opts.Audit.Write(done); err != nil {
		// The mutation happened; say so, with the audit failure.
		runErr = errors.Join(runErr, fmt.Errorf("the mutation was sent but its outcome could not be recorded: %w", err))
	}
	if runErr != nil {
		return nil, nil, toolError(runErr)
	}
	result := textResult(out.text(res))
	if out.Failed > 0 {
		result.IsError = true // the model must see it failed; the rows say which and why
	}
	return result, out, nil
}

// execMutation runs the statement, awaited when asked, and collects every
// request's ProgressEvent. A statement without RETURNING is run with
// RETURNING * so that the events come back; one with RETURNING keeps its
// own projection, which is returned as is.
func (s *server) execMutation(ctx context.Context, text string, await bool) (*MutationResult, *ccql.Result, error) {
	out := &MutationResult{Statement: text, Awaited: await, Requests: []Request{}}
	run := text
	st, err := iql.Parse(text)
	if err != nil {
		return nil, nil, err
	}
	own := returningOf(st) != nil
	if !own {
		if cand := strings.TrimRight(strings.TrimSpace(text), "; \t\r\n") + "\nRETURNING *"; parses(cand) {
			run = cand
		}
	}
	if await && !st.Info().Hints.Has("await") {
		run = "/*+ AWAIT */ " + run
	}
	prepared, err := s.opts.Engine.Prepare(ctx, run)
	if err != nil {
		return nil, nil, err
	}
	out.Awaited = prepared.Await()
	// A mutation whose requests were sent returns its rows even when some
	// failed, with an error joining the failures.
	res, err := prepared.Exec(ctx)
	if res == nil {
		return nil, nil, err
	}
	out.Requests = requestsOf(res)
	fillFromErrors(out.Requests, err)
	for _, r := range out.Requests {
		if r.Status == "FAILED" || r.Status == "CANCEL_COMPLETE" {
			out.Failed++
		}
	}
	if own {
		t, err := newTable(text, res, HardMaxRows)
		if err != nil {
			return nil, nil, err
		}
		out.Returning = t
	}
	out.Message = res.Message
	if err != nil && out.Failed == 0 {
		// A failure the rows do not show (a request refused when sent).
		return out, res, err
	}
	return out, res, nil
}

// fillFromErrors completes the rows of failed requests from the engine's
// *ccql.RequestError (a request refused when sent has no event).
func fillFromErrors(reqs []Request, err error) {
	var joined interface{ Unwrap() []error }
	var list []error
	if errors.As(err, &joined) {
		list = joined.Unwrap()
	} else if err != nil {
		list = []error{err}
	}
	for _, e := range list {
		var re *ccql.RequestError
		if !errors.As(e, &re) || re.Index < 0 || re.Index >= len(reqs) {
			continue
		}
		r := &reqs[re.Index]
		if r.Operation == "" {
			r.Operation = re.Operation
		}
		if r.TypeName == "" {
			r.TypeName = re.TypeName
		}
		if r.Identifier == "" {
			r.Identifier = re.Identifier
		}
		if r.Status == "" || r.Status == "SUCCESS" {
			r.Status = re.Status
			if r.Status == "" {
				r.Status = "FAILED"
			}
		}
		if r.ErrorCode == "" {
			r.ErrorCode = re.Code
		}
		if r.StatusMessage == "" {
			r.StatusMessage = re.Message
		}
	}
}

func parses(text string) bool {
	_, err := iql.Parse(text)
	return err == nil
}

func returningOf(st iql.Statement) []string {
	switch x := st.(type) {
	case *iql.Insert:
		return x.Returning
	case *iql.Update:
		return x.Returning
	case *iql.Delete:
		return x.Returning
	}
	return nil
}

// requestsOf reads ProgressEvent fields (whichever RETURNING projected)
// from a mutation's rows.
func requestsOf(res *ccql.Result) []Request {
	out := []Request{}
	for _, row := range res.Rows {
		var r Request
		for i, c := range res.Columns {
			v := row[i]
			str := func() string {
				switch x := v.(type) {
				case string:
					return x
				case time.Time:
					return x.UTC().Format(time.RFC3339Nano)
				case nil:
					return ""
				}
				return fmt.Sprint(v)
			}
			switch c.Name {
			case "Operation":
				r.Operation = str()
			case "TypeName":
				r.TypeName = str()
			case "Identifier":
				r.Identifier = str()
			case "RequestToken":
				r.RequestToken = str()
			case "OperationStatus":
				r.Status = str()
			case "ErrorCode":
				r.ErrorCode = str()
			case "StatusMessage":
				r.StatusMessage = str()
			case "EventTime":
				r.EventTime = str()
			case "ResourceModel":
				switch x := v.(type) {
				case json.RawMessage:
					r.ResourceModel = x
				case string:
					if json.Valid([]byte(x)) {
						r.ResourceModel = json.RawMessage(x)
					}
				}
			}
		}
		out = append(out, r)
	}
	return out
}

// text renders a mutation's outcome: one line per request.
func (m *MutationResult) text(res *ccql.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d request(s)", len(m.Requests))
	if m.Awaited {
		b.WriteString(", awaited")
	}
	if m.Failed > 0 {
		fmt.Fprintf(&b, ", %d failed", m.Failed)
	}
	b.WriteString("\n")
	for _, r := range m.Requests {
		fmt.Fprintf(&b, "  %s %s %s: %s", r.Operation, r.TypeName, r.Identifier, r.Status)
		if r.ErrorCode != "" || r.StatusMessage != "" {
			fmt.Fprintf(&b, " (%s: %s)", r.ErrorCode, r.StatusMessage)
		}
		if r.RequestToken != "" {
			fmt.Fprintf(&b, " [request token %s]", r.RequestToken)
		}
		b.WriteString("\n")
	}
	if m.Returning != nil {
		b.WriteString(m.Returning.text(res))
	}
	return b.String()
}

// confirmSchema is what the user is asked in safe mode: one boolean.
var confirmSchema = &jsonschema.Schema{
	Type: "object",
	Properties: map[string]*jsonschema.Schema{
		"confirm": {Type: "boolean", Title: "Run this mutation", Description: "true sends the requests; anything else cancels"},
	},
	Required: []string{"confirm"},
}

// askConfirmation returns the multi-round-trip input request that asks the
// user to confirm; the request state binds the answer to this statement.
func (s *server) askConfirmation(text string, await bool) *mcp.CallToolResult {
	msg := fmt.Sprintf("ccql (%s) wants to run this mutation against %s:\n\n%s\n\nRun it?", s.opts.Mode, s.opts.Backend, MaskStatement(text))
	return &mcp.CallToolResult{
		InputRequests: mcp.InputRequestMap{confirmInputRequest: &mcp.ElicitParams{Message: msg, RequestedSchema: confirmSchema}},
		RequestState:  s.sign(text, await),
	}
}

// checkConfirmation accepts the retry of a confirmed call: the state must be
// this server's signature of this statement, and the user must have
// accepted with confirm = true.
func (s *server) checkConfirmation(req *mcp.CallToolRequest, text string, await bool) error {
	if !hmac.Equal([]byte(req.Params.RequestState), []byte(s.sign(text, await))) {
		return errors.New("the confirmation does not match this statement (or this server); nothing was sent")
	}
	res, ok := req.Params.InputResponses[confirmInputRequest].(*mcp.ElicitResult)
	if !ok || res == nil {
		return errors.New("no confirmation was given; nothing was sent")
	}
	if res.Action != "accept" || res.Content["confirm"] != true {
		return fmt.Errorf("%w (the user's answer: %s)", ErrDeclined, res.Action)
	}
	return nil
}

// sign is the request state of a confirmation: an HMAC of the statement
// and how it runs, under the server's key.
func (s *server) sign(text string, await bool) string {
	m := hmac.New(sha256.New, s.confirm)
	fmt.Fprintf(m, "%s\x00%t\x00%s", ToolRunMutation, await, text)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// newID returns a random id linking one mutation's audit records.
func newID() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return fmt.Sprintf("%x", time.Now().UnixNano())
	}
	return hex.EncodeToString(b)
}
