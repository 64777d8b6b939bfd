package deploy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Anchors.
const (
	AnchorExists         = "exists"         // SELECT: is the resource there? (alias preflight)
	AnchorCreate         = "create"         // INSERT: make it
	AnchorUpdate         = "update"         // UPDATE: bring it to the desired state
	AnchorCreateOrUpdate = "createorupdate" // run on every build instead of exists/create/update
	AnchorStatecheck     = "statecheck"     // SELECT: is it in the desired state? (alias postdeploy)
	AnchorExports        = "exports"        // SELECT: one row whose columns are exported
	AnchorDelete         = "delete"         // DELETE: remove it
	AnchorCommand        = "command"        // any statement, for command resources
	// AnchorCallback polls an asynchronous operation after a create, update
	// or delete: callback:create, callback:update, callback:delete, or plain
	// callback for all three (stackql-deploy v2).
	AnchorCallback = "callback"
	// AnchorTroubleshoot is a diagnostic SELECT run when a create, update
	// or delete (or the check after it) fails; its rows are logged as JSON
	// and it never changes the outcome (stackql-deploy v2). Qualified like
	// callback: troubleshoot:create, …
	AnchorTroubleshoot = "troubleshoot"
)

// Operations, the qualifiers of callback and troubleshoot anchors and the
// keys of a resource's return_vals.
const (
	OpCreate = "create"
	OpUpdate = "update"
	OpDelete = "delete"
)

var anchorAliases = map[string]string{"preflight": AnchorExists, "postdeploy": AnchorStatecheck}

var knownAnchors = map[string]bool{
	AnchorExists: true, AnchorCreate: true, AnchorUpdate: true, AnchorCreateOrUpdate: true,
	AnchorStatecheck: true, AnchorExports: true, AnchorDelete: true, AnchorCommand: true,
	AnchorCallback: true, AnchorTroubleshoot: true,
}

// qualified anchors take an operation: callback:create.
var qualified = map[string]bool{AnchorCallback: true, AnchorTroubleshoot: true}

var knownOps = map[string]bool{OpCreate: true, OpUpdate: true, OpDelete: true}

// Defaults of the anchor options. Retries count attempts (see Options).
const (
	DefaultRetries              = 1
	DefaultRetryDelay           = 5 * time.Second
	DefaultPostDeleteRetries    = 10
	DefaultPostDeleteRetryDelay = 5 * time.Second
	// A callback polls up to 1+retries times (stackql-deploy v2's count),
	// by default 3 re-polls, 5 seconds apart.
	DefaultCallbackRetries    = 3
	DefaultCallbackRetryDelay = 5 * time.Second
)

// Options are an anchor's options: /*+ statecheck, retries=5, retry_delay=2 */.
//
// Retries is the number of attempts, everywhere: retries=1 (the default)
// runs a query once; retries=5 runs it up to five times, RetryDelay apart,
// until a check passes (exists, statecheck) or a statement succeeds
// (create, update, delete, command, exports). stackql-deploy v1 counted
// attempts for checks but extra attempts for statements; ccql does not.
// Delays are in seconds in the file.
//
// A callback anchor is the exception, as in stackql-deploy v2: its retries
// (default 3) counts re-polls, so it polls up to 1+retries times; and it
// takes short_circuit_field and short_circuit_value, string options.
type Options struct {
	Retries              int
	RetryDelay           time.Duration
	PostDeleteRetries    int           // exists/statecheck polls after a delete (default 10)
	PostDeleteRetryDelay time.Duration // default 5s
	// ShortCircuitField is a dot path into the RETURNING row of the
	// operation (ProgressEvent.OperationStatus, or OperationStatus); when
	// its value is ShortCircuitValue the callback does not poll.
	ShortCircuitField string
	ShortCircuitValue string
}

// Query is one anchored query of a .iql file, not yet rendered.
type Query struct {
	Anchor  string
	Options Options
	Text    string
	Line    int // line of the anchor in the file; the text starts on the next line
}

// QueryFile is a parsed .iql file.
type QueryFile struct {
	Name    string // path relative to the stack, for messages
	Queries map[string]*Query
}

// Get returns the query of an anchor ("exists", "callback:create"), or nil.
func (f *QueryFile) Get(anchor string) *Query {
	if f == nil {
		return nil
	}
	return f.Queries[anchor]
}

// ForOp returns the query of a qualified anchor for an operation: base:op
// if the file has it, else the plain base anchor, else nil.
func (f *QueryFile) ForOp(base, op string) *Query {
	if q := f.Get(base + ":" + op); q != nil {
		return q
	}
	return f.Get(base)
}

// ParseQueries splits a .iql file into its anchored queries. An anchor is a
// line that starts (after white space) with /*+ and holds */; the query is
// every line after it up to the next anchor. Text before the first anchor
// is ignored, as in stackql-deploy.
func ParseQueries(name, src string) (*QueryFile, error) {
	f := &QueryFile{Name: name, Queries: map[string]*Query{}}
	var cur *Query
	var body []string
	flush := func() {
		if cur != nil {
			cur.Text = strings.Join(body, "\n")
		}
		body = nil
	}
	for i, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "/*+") && strings.Contains(trimmed, "*/") {
			flush()
			inner := trimmed[3:strings.Index(trimmed, "*/")]
			q, err := parseAnchor(inner)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, i+1, err)
			}
			if f.Queries[q.Anchor] != nil {
				return nil, fmt.Errorf("%s:%d: anchor %s appears twice", name, i+1, q.Anchor)
			}
			q.Line = i + 1
			f.Queries[q.Anchor] = q
			cur = q
			continue
		}
		body = append(body, line)
	}
	flush()
	for a, q := range f.Queries {
		if strings.TrimSpace(q.Text) == "" {
			return nil, fmt.Errorf("%s:%d: anchor %s has no query", name, q.Line, a)
		}
	}
	return f, nil
}

func parseAnchor(s string) (*Query, error) {
	parts := strings.Split(s, ",")
	name := strings.ToLower(strings.TrimSpace(parts[0]))
	base, op, hasOp := strings.Cut(name, ":")
	base, op = strings.TrimSpace(base), strings.TrimSpace(op)
	if a, ok := anchorAliases[base]; ok {
		base = a
	}
	if !knownAnchors[base] {
		return nil, fmt.Errorf("unknown anchor %q (want exists, create, update, createorupdate, statecheck, exports, delete, command, callback[:op] or troubleshoot[:op])", name)
	}
	switch {
	case hasOp && !qualified[base]:
		return nil, fmt.Errorf("anchor %q: only callback and troubleshoot take an operation", name)
	case hasOp && !knownOps[op]:
		return nil, fmt.Errorf("anchor %q: operation %q: want create, update or delete", name, op)
	case hasOp:
		name = base + ":" + op
	default:
		name = base
	}
	q := &Query{Anchor: name, Options: Options{
		Retries: DefaultRetries, RetryDelay: DefaultRetryDelay,
		PostDeleteRetries: DefaultPostDeleteRetries, PostDeleteRetryDelay: DefaultPostDeleteRetryDelay,
	}}
	if base == AnchorCallback {
		q.Options.Retries, q.Options.RetryDelay = DefaultCallbackRetries, DefaultCallbackRetryDelay
	}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return nil, fmt.Errorf("anchor option %q: want key=value", strings.TrimSpace(p))
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), unquote(strings.TrimSpace(v))
		switch k {
		case "short_circuit_field":
			q.Options.ShortCircuitField = v
			continue
		case "short_circuit_value":
			q.Options.ShortCircuitValue = v
			continue
		case "retries", "retry_delay", "postdelete_retries", "postdelete_retry_delay":
		default:
			return nil, fmt.Errorf("unknown anchor option %q (want retries, retry_delay, postdelete_retries, postdelete_retry_delay, short_circuit_field, short_circuit_value)", k)
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("anchor option %s=%q: want a whole number", k, v)
		}
		switch k {
		case "retries":
			q.Options.Retries = max(n, 1)
			if base == AnchorCallback {
				q.Options.Retries = n // re-polls: 0 polls once
			}
		case "retry_delay":
			q.Options.RetryDelay = time.Duration(n) * time.Second
		case "postdelete_retries":
			q.Options.PostDeleteRetries = max(n, 1)
		case "postdelete_retry_delay":
			q.Options.PostDeleteRetryDelay = time.Duration(n) * time.Second
		}
	}
	if (q.Options.ShortCircuitField == "") != (q.Options.ShortCircuitValue == "") {
		return nil, errors.New("anchor options short_circuit_field and short_circuit_value go together")
	}
	if q.Options.ShortCircuitField != "" && base != AnchorCallback {
		return nil, fmt.Errorf("anchor %s: short_circuit_field is a callback option", name)
	}
	return q, nil
}

// unquote strips one pair of matching quotes: v2 writes string options
// bare (short_circuit_value=SUCCESS) or quoted.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// check verifies the file has the anchors its resource type needs in every
// command. What only some commands need (create for build and plan) is
// checked when a command starts (run.checkAnchors), so that a test of a
// stack never asks for a create anchor.
func (f *QueryFile) check(r *Resource) error {
	has := func(a string) bool { return f.Queries[a] != nil }
	switch r.Type {
	case TypeQuery:
		if !has(AnchorExports) && r.SQL == "" {
			return fmt.Errorf("%s: a query resource needs an exports anchor or sql", f.Name)
		}
	case TypeCommand:
		if !has(AnchorCommand) && r.SQL == "" {
			return fmt.Errorf("%s: a command resource needs a command anchor or sql", f.Name)
		}
	}
	if len(r.Exports) > 0 && !has(AnchorExports) && r.SQL == "" {
		return errors.New(f.Name + ": the resource declares exports but has no exports anchor")
	}
	return nil
}
