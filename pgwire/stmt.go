package pgwire

import (
	"context"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/iql"
)

// prepared is one parsed statement: from a simple query's piece or a Parse
// message.
type prepared struct {
	text   string        // the statement, without its ';'
	stmt   iql.Statement // nil for an empty query
	params []uint32      // parameter types; 0 where the client left one open
	// local answers the statement in pgwire (connection chatter such as
	// SELECT version()); nil sends it to the engine.
	local func(c *conn) (*ccql.Result, error)
	// described are the column types the last Describe of the statement
	// promised; an Execute of a portal that was not itself described sends
	// its rows as these, since the client decodes them so.
	described []uint32
}

var catalogRE = regexp.MustCompile(`(?i)\b(pg_catalog|information_schema)\s*\.\s*"?([a-z_][a-z0-9_]*)`)

// prepare parses one statement. paramOIDs are the types a Parse message
// gave (possibly fewer than the statement's parameters).
func prepare(c *conn, text string, paramOIDs []uint32) (*prepared, error) {
	p := &prepared{text: text}
	if strings.TrimSpace(text) == "" {
		return p, nil
	}
	n, err := countParams(text)
	if err != nil {
		return nil, err
	}
	if len(paramOIDs) > n {
		n = len(paramOIDs)
	}
	// Types the client left open stay 0 in ParameterDescription: SQLite
	// gives us no way to infer them, and a declared text type would make
	// drivers like pgx refuse to send an integer. The client then sends
	// text, which SQLite's column affinity and the engine's schema coercion
	// turn into the right type.
	p.params = make([]uint32, n)
	copy(p.params, paramOIDs)
	if fn := c.intercept(text); fn != nil {
		p.local = fn
		return p, nil
	}
	if m := catalogRE.FindStringSubmatch(text); m != nil {
		// psql's \d and tools' schema browsers query the system catalogs.
		return nil, &Error{Code: CodeUndefinedTable, Message: fmt.Sprintf("relation %s.%s does not exist: ccql has no PostgreSQL system catalogs", m[1], m[2]),
			Hint: "explore with SHOW SERVICES IN awscc, SHOW RESOURCES IN awscc.<service> and DESCRIBE <resource>"}
	}
	st, err := iql.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ccql.ErrSyntax, err)
	}
	p.stmt = st
	return p, nil
}

// mutation names the verb of INSERT, UPDATE and DELETE ("" otherwise).
func (p *prepared) mutation() string {
	switch p.stmt.(type) {
	case *iql.Insert:
		return "INSERT"
	case *iql.Update:
		return "UPDATE"
	case *iql.Delete:
		return "DELETE"
	}
	return ""
}

// readOnly reports whether running the statement changes nothing: a
// SELECT (reads Cloud Control), SHOW, DESCRIBE or connection chatter. Such
// a statement may run at Describe.
func (p *prepared) readOnly() bool {
	if p.local != nil {
		return true
	}
	switch p.stmt.(type) {
	case *iql.Select, *iql.Show, *iql.ShowVar, *iql.Describe, *iql.RegistryList:
		return true
	}
	return false
}

// run executes the statement with bound args.
func (c *conn) run(ctx context.Context, p *prepared, args []any) (res *ccql.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			c.s.log.Error("panic while running a statement", "pid", c.pid, "panic", r)
			res, err = nil, errorf(CodeInternal, "internal error: %v", r)
		}
	}()
	if p.local != nil {
		return p.local(c)
	}
	if verb := p.mutation(); verb != "" && c.s.cfg.ReadOnly {
		return nil, errorf(CodeReadOnly, "cannot execute %s in a read-only transaction", verb)
	}
	if _, ok := p.stmt.(*iql.Select); ok {
		return c.s.eng.Query(ctx, p.text, args...)
	}
	// Only a SELECT binds parameters in the engine; every other statement
	// gets its parameters as SQL literals, so that INSERT … VALUES ($1, $2)
	// from a driver works too.
	text := p.text
	if len(args) > 0 {
		if text, err = substitute(p.text, args); err != nil {
			return nil, err
		}
	}
	res, err = c.s.eng.Query(ctx, text)
	if err != nil {
		return nil, err
	}
	switch p.stmt.(type) {
	case *iql.Begin:
		c.txStatus = 'T'
	case *iql.Commit, *iql.Rollback:
		c.txStatus = 'I'
	}
	return res, nil
}

// describe returns the columns the statement will return, without running
// a mutation or calling Cloud Control: a SELECT runs under LIMIT 0 (SQLite
// then never opens a virtual table cursor), RETURNING lists are typed as the
// engine types ProgressEvent fields, SHOW and DESCRIBE read the catalog.
// nil means the statement returns no rows.
func (c *conn) describe(ctx context.Context, p *prepared, args []any) ([]ccql.Column, error) {
	if p.local != nil {
		res, err := p.local(c)
		if err != nil {
			return nil, err
		}
		return res.Columns, nil
	}
	if args == nil {
		args = make([]any, len(p.params))
	}
	switch s := p.stmt.(type) {
	case *iql.Select:
		q := p.text
		if !s.Explain {
			q = "SELECT * FROM (\n" + p.text + "\n) LIMIT 0"
		}
		res, err := c.s.eng.Query(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		return res.Columns, nil
	case *iql.Insert:
		return returningColumns(s.Returning)
	case *iql.Update:
		return returningColumns(s.Returning)
	case *iql.Delete:
		return returningColumns(s.Returning)
	case *iql.Show, *iql.ShowVar, *iql.Describe, *iql.RegistryList:
		res, err := c.run(ctx, p, args)
		if err != nil {
			return nil, err
		}
		return res.Columns, nil
	}
	return nil, nil
}

// describeStatement returns the columns of a statement not yet bound, as
// describe does. A SELECT's expression columns (count(*), 1.5) have no
// declared type: the engine types them from their values. So when the
// LIMIT 0 description has such a column, the SELECT runs once with its
// parameters NULL (a read, so harmless; a NULL key reads nothing) and its
// rows, then discarded, type those columns; one with no non-NULL value
// stays text. The cost is one more read when a statement with computed
// columns is prepared; drivers prepare a statement once per connection.
func (c *conn) describeStatement(ctx context.Context, p *prepared) ([]ccql.Column, error) {
	cols, err := c.describe(ctx, p, nil)
	if err != nil {
		return nil, err
	}
	s, ok := p.stmt.(*iql.Select)
	if !ok || s.Explain || !slices.ContainsFunc(cols, func(col ccql.Column) bool { return col.Type == ccql.TypeAny }) {
		return cols, nil
	}
	res, err := c.run(ctx, p, make([]any, len(p.params)))
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		// The LIMIT 0 description stands: the statement's error, if it has
		// one with real parameters, comes at Execute.
		return cols, nil
	}
	if len(res.Columns) != len(cols) {
		return cols, nil
	}
	typed := slices.Clone(cols)
	oids := fitColumns(res)
	for i := range typed {
		if typed[i].Type == ccql.TypeAny && oids[i] != oidText {
			typed[i].Type = res.Columns[i].Type
		}
	}
	return typed, nil
}

// returningColumns types a RETURNING list as the engine does: event times
// are timestamps, the resource model is JSON, the rest text.
func returningColumns(names []string) ([]ccql.Column, error) {
	if len(names) == 0 {
		return nil, nil
	}
	all := catalog.ProgressEventFields()
	var cols []ccql.Column
	add := func(f string) {
		t := ccql.TypeText
		switch f {
		case "EventTime", "RetryAfter":
			t = ccql.TypeTime
		case "ResourceModel":
			t = ccql.TypeJSON
		}
		cols = append(cols, ccql.Column{Name: f, Type: t})
	}
	for _, n := range names {
		if n == "*" {
			for _, f := range all {
				add(f)
			}
			continue
		}
		found := ""
		for _, f := range all {
			if strings.EqualFold(f, n) {
				found = f
			}
		}
		if found == "" {
			return nil, fmt.Errorf("%w: RETURNING %s is not a ProgressEvent field (want %s)", ccql.ErrUnknownColumn, n, strings.Join(all, ", "))
		}
		add(found)
	}
	return cols, nil
}

// commandTag is CommandComplete's tag for a finished statement.
func commandTag(p *prepared, res *ccql.Result) string {
	rows := int64(len(res.Rows))
	if res.Kind == ccql.KindMutation {
		rows = res.RowsAffected
	}
	switch p.stmt.(type) {
	case *iql.Insert:
		return "INSERT 0 " + strconv.FormatInt(rows, 10)
	case *iql.Update:
		return "UPDATE " + strconv.FormatInt(rows, 10)
	case *iql.Delete:
		return "DELETE " + strconv.FormatInt(rows, 10)
	case *iql.Set, *iql.Use:
		return "SET"
	case *iql.Begin:
		return "BEGIN"
	case *iql.Commit:
		return "COMMIT"
	case *iql.Rollback:
		return "ROLLBACK"
	case *iql.ShowVar:
		return "SHOW"
	}
	return "SELECT " + strconv.FormatInt(rows, 10)
}

// scanSQL walks text the way SQLite lexes it and calls fn for every $N
// parameter outside literals, quoted identifiers and comments, with its
// byte range.
func scanSQL(text string, fn func(start, end, n int) error) error {
	for i := 0; i < len(text); {
		switch c := text[i]; {
		case c == '\'' || c == '"' || c == '`' || c == '[':
			closer := c
			if c == '[' {
				closer = ']'
			}
			j := i + 1
			for ; j < len(text); j++ {
				if text[j] == closer {
					if closer != ']' && j+1 < len(text) && text[j+1] == closer {
						j++
						continue
					}
					break
				}
			}
			i = j + 1
		case c == '-' && i+1 < len(text) && text[i+1] == '-':
			j := strings.IndexByte(text[i:], '\n')
			if j < 0 {
				return nil
			}
			i += j + 1
		case c == '/' && i+1 < len(text) && text[i+1] == '*':
			j := strings.Index(text[i+2:], "*/")
			if j < 0 {
				return nil
			}
			i += j + 4
		case c == '$':
			j := i + 1
			for j < len(text) && text[j] >= '0' && text[j] <= '9' {
				j++
			}
			if j > i+1 {
				n, err := strconv.Atoi(text[i+1 : j])
				if err != nil || n < 1 || n > 65535 {
					return errorf(CodeUndefinedParameter, "there is no parameter $%s", text[i+1:j])
				}
				if err := fn(i, j, n); err != nil {
					return err
				}
			}
			i = j
		default:
			i++
		}
	}
	return nil
}

// countParams returns the highest $N in text.
func countParams(text string) (int, error) {
	max := 0
	err := scanSQL(text, func(_, _, n int) error {
		if n > max {
			max = n
		}
		return nil
	})
	return max, err
}

// substitute replaces each $N in text by args[N-1] as an SQL literal.
func substitute(text string, args []any) (string, error) {
	var b strings.Builder
	last := 0
	err := scanSQL(text, func(start, end, n int) error {
		if n > len(args) {
			return errorf(CodeUndefinedParameter, "there is no parameter $%d", n)
		}
		lit, err := literal(args[n-1])
		if err != nil {
			return err
		}
		b.WriteString(text[last:start])
		// 1-$1 with -1 must not become 1--1, a comment to the end of the line.
		if strings.HasPrefix(lit, "-") && strings.HasSuffix(text[:start], "-") {
			b.WriteByte(' ')
		}
		b.WriteString(lit)
		last = end
		return nil
	})
	if err != nil {
		return "", err
	}
	b.WriteString(text[last:])
	return b.String(), nil
}

// literal renders a parameter value as an SQLite literal. Booleans become
// 'true'/'false', which the engine coerces by the property's schema type.
func literal(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "NULL", nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case bool:
		return "'" + strconv.FormatBool(x) + "'", nil
	case time.Time:
		return "'" + x.UTC().Format(time.RFC3339Nano) + "'", nil
	case []byte:
		return "X'" + hex.EncodeToString(x) + "'", nil
	case string:
		if strings.IndexByte(x, 0) >= 0 {
			return "", errorf("22021", "invalid byte sequence: a parameter contains a NUL byte")
		}
		return "'" + strings.ReplaceAll(x, "'", "''") + "'", nil
	}
	return "", errorf(CodeInternal, "parameter of type %T", v)
}
