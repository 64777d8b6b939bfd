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
)

var anchorAliases = map[string]string{"preflight": AnchorExists, "postdeploy": AnchorStatecheck}

var knownAnchors = map[string]bool{
	AnchorExists: true, AnchorCreate: true, AnchorUpdate: true, AnchorCreateOrUpdate: true,
	AnchorStatecheck: true, AnchorExports: true, AnchorDelete: true, AnchorCommand: true,
}

// Defaults of the anchor options. Retries count attempts (see Options).
const (
	DefaultRetries              = 1
	DefaultRetryDelay           = 5 * time.Second
	DefaultPostDeleteRetries    = 10
	DefaultPostDeleteRetryDelay = 5 * time.Second
)

// Options are an anchor's options: /*+ statecheck, retries=5, retry_delay=2 */.
//
// Retries is the number of attempts, everywhere: retries=1 (the default)
// runs a query once; retries=5 runs it up to five times, RetryDelay apart,
// until a check passes (exists, statecheck) or a statement succeeds
// (create, update, delete, command, exports). stackql-deploy v1 counted
// attempts for checks but extra attempts for statements; ccql does not.
// Delays are in seconds in the file.
type Options struct {
	Retries              int
	RetryDelay           time.Duration
	PostDeleteRetries    int           // exists/statecheck polls after a delete (default 10)
	PostDeleteRetryDelay time.Duration // default 5s
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

// Get returns the query of an anchor, or nil.
func (f *QueryFile) Get(anchor string) *Query {
	if f == nil {
		return nil
	}
	return f.Queries[anchor]
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
	if a, ok := anchorAliases[name]; ok {
		name = a
	}
	if !knownAnchors[name] {
		return nil, fmt.Errorf("unknown anchor %q (want exists, create, update, createorupdate, statecheck, exports, delete or command)", name)
	}
	q := &Query{Anchor: name, Options: Options{
		Retries: DefaultRetries, RetryDelay: DefaultRetryDelay,
		PostDeleteRetries: DefaultPostDeleteRetries, PostDeleteRetryDelay: DefaultPostDeleteRetryDelay,
	}}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return nil, fmt.Errorf("anchor option %q: want key=value", strings.TrimSpace(p))
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("anchor option %s=%q: want a whole number", k, v)
		}
		switch k {
		case "retries":
			q.Options.Retries = max(n, 1)
		case "retry_delay":
			q.Options.RetryDelay = time.Duration(n) * time.Second
		case "postdelete_retries":
			q.Options.PostDeleteRetries = max(n, 1)
		case "postdelete_retry_delay":
			q.Options.PostDeleteRetryDelay = time.Duration(n) * time.Second
		default:
			return nil, fmt.Errorf("unknown anchor option %q (want retries, retry_delay, postdelete_retries, postdelete_retry_delay)", k)
		}
	}
	return q, nil
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
