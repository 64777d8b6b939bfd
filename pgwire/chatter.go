package pgwire

import (
	"regexp"
	"strings"

	"github.com/ccql/ccql"
)

// Connection chatter: what drivers and tools ask a PostgreSQL server about
// itself. SQLite has no version() or current_setting(), so a SELECT made only
// of these calls (as JDBC, psycopg, DBeaver and friends send them) is
// answered here; anything else goes to the engine, where a pg_catalog probe
// fails cleanly with 42P01.

var (
	selectListRE  = regexp.MustCompile(`(?is)^\s*select\s+(.+?)\s*;?\s*$`)
	chatterItemRE = regexp.MustCompile(`(?is)^(?:pg_catalog\.)?(version|current_database|current_schema|current_user|session_user|user|pg_backend_pid|current_setting)` +
		`\s*(\(\s*(?:'((?:[^']|'')*)'(?:\s*,\s*(?:true|false))?)?\s*\))?` +
		`(?:\s*::\s*[a-z_]+)?` +
		`(?:\s+(?:as\s+)?(?:"((?:[^"]|"")+)"|([a-z_][a-z0-9_$]*)))?$`)
	showRE = regexp.MustCompile(`(?is)^\s*show\s+([a-z_][a-z0-9_.]*)\s*;?\s*$`)
)

// intercept returns the local answer to text, or nil when the engine
// should run it.
func (c *conn) intercept(text string) func(*conn) (*ccql.Result, error) {
	if m := showRE.FindStringSubmatch(text); m != nil {
		name := strings.ToLower(m[1])
		if _, ok := c.setting(name); ok {
			return func(c *conn) (*ccql.Result, error) {
				v, _ := c.setting(name)
				return &ccql.Result{Columns: []ccql.Column{{Name: name, Type: ccql.TypeText}}, Rows: [][]any{{v}}}, nil
			}
		}
		return nil
	}
	m := selectListRE.FindStringSubmatch(text)
	if m == nil {
		return nil
	}
	items := splitTopLevel(m[1])
	type call struct{ fn, arg, alias string }
	calls := make([]call, 0, len(items))
	for _, it := range items {
		im := chatterItemRE.FindStringSubmatch(strings.TrimSpace(it))
		if im == nil {
			return nil
		}
		fn := strings.ToLower(im[1])
		hasParens := im[2] != ""
		switch fn {
		case "current_user", "session_user", "user":
			if hasParens {
				return nil
			}
		case "current_setting":
			if im[3] == "" {
				return nil
			}
		default:
			if !hasParens {
				return nil
			}
		}
		alias := fn
		if fn == "user" {
			alias = "current_user"
		}
		if im[4] != "" {
			alias = strings.ReplaceAll(im[4], `""`, `"`)
		} else if im[5] != "" {
			alias = strings.ToLower(im[5])
		}
		calls = append(calls, call{fn: fn, arg: strings.ReplaceAll(im[3], "''", "'"), alias: alias})
	}
	return func(c *conn) (*ccql.Result, error) {
		res := &ccql.Result{Kind: ccql.KindQuery, Rows: [][]any{make([]any, len(calls))}}
		for i, cl := range calls {
			col := ccql.Column{Name: cl.alias, Type: ccql.TypeText}
			var v any
			switch cl.fn {
			case "version":
				v = "PostgreSQL " + c.s.serverVersion() + " on ccql " + c.s.version() + ", compiled by Go"
			case "current_database":
				v = c.database
			case "current_schema":
				v = "public"
			case "current_user", "session_user", "user":
				v = c.user
			case "pg_backend_pid":
				col.Type, v = ccql.TypeInt, int64(c.pid)
			case "current_setting":
				s, ok := c.setting(strings.ToLower(cl.arg))
				if !ok {
					return nil, errorf(CodeUndefinedObject, "unrecognized configuration parameter %q", cl.arg)
				}
				v = s
			}
			res.Columns = append(res.Columns, col)
			res.Rows[0][i] = v
		}
		return res, nil
	}
}

// splitTopLevel splits a select list at commas outside parentheses and
// quotes.
func splitTopLevel(s string) []string {
	var out []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == '(':
			depth++
		case ch == ')':
			depth--
		case ch == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
