package pgwire

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ccql/ccql"
)

// prepared is one parsed statement: from a simple query's piece or a Parse
// message.
type prepared struct {
	text   string     // the statement, without its ';'
	stmt   *ccql.Stmt // nil for an empty query or one answered locally
	params []uint32   // parameter types; 0 where the client left one open
	// local answers the statement in pgwire (connection chatter such as
	// SELECT version()); nil sends it to the engine.
	local func(c *conn) (*ccql.Result, error)
	// described are the column types the last Describe of the statement
	// promised; an Execute of a portal that was not itself described sends
	// its rows as these, since the client decodes them so.
	described []uint32
}

var catalogRE = regexp.MustCompile(`(?i)\b(pg_catalog|information_schema)\s*\.\s*"?([a-z_][a-z0-9_]*)`)

// prepare parses one statement with the engine. paramOIDs are the types a
// Parse message gave (possibly fewer than the statement's parameters).
func prepare(ctx context.Context, c *conn, text string, paramOIDs []uint32) (*prepared, error) {
	p := &prepared{text: text}
	if strings.TrimSpace(text) == "" {
		return p, nil
	}
	if fn := c.intercept(text); fn != nil {
		p.local = fn
		p.params = slices.Clone(paramOIDs)
		return p, nil
	}
	if m := catalogRE.FindStringSubmatch(text); m != nil {
		// psql's \d and tools' schema browsers query the system catalogs.
		return nil, &Error{Code: CodeUndefinedTable, Message: fmt.Sprintf("relation %s.%s does not exist: ccql has no PostgreSQL system catalogs", m[1], m[2]),
			Hint: "explore with SHOW SERVICES IN awscc, SHOW RESOURCES IN awscc.<service> and DESCRIBE <resource>"}
	}
	st, err := c.s.eng.Prepare(ctx, text)
	if err != nil {
		return nil, err
	}
	p.stmt = st
	n := max(st.NumParams(), len(paramOIDs))
	// Types the client left open stay 0 in ParameterDescription: SQLite
	// gives us no way to infer them, and a declared text type would make
	// drivers like pgx refuse to send an integer. The client then sends
	// text, which SQLite's column affinity and the engine's schema coercion
	// turn into the right type.
	p.params = make([]uint32, n)
	copy(p.params, paramOIDs)
	return p, nil
}

// kind is the statement's kind (0 for an empty or local statement).
func (p *prepared) kind() ccql.StatementKind {
	if p.stmt == nil {
		return 0
	}
	return p.stmt.Kind()
}

// mutation names the verb of INSERT, UPDATE and DELETE ("" otherwise).
func (p *prepared) mutation() string {
	switch k := p.kind(); k {
	case ccql.StmtInsert, ccql.StmtUpdate, ccql.StmtDelete:
		return k.String()
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
	switch p.kind() {
	case ccql.StmtSelect, ccql.StmtShow, ccql.StmtShowVar, ccql.StmtDescribe, ccql.StmtRegistryList:
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
	if name, value, ok := p.stmt.Setting(); ok {
		if err := c.set(name, value); err != nil {
			return nil, err
		}
	}
	if n := p.stmt.NumParams(); len(args) > n {
		args = args[:n] // a Parse may declare more types than the text uses
	}
	res, err = p.stmt.Exec(ctx, args...)
	if err != nil {
		return nil, err
	}
	switch p.kind() {
	case ccql.StmtBegin:
		c.txStatus = 'T'
	case ccql.StmtCommit, ccql.StmtRollback:
		c.txStatus = 'I'
	}
	return res, nil
}

// open runs the statement with bound args for its rows: a SELECT streams
// (ccql.Stmt.Query), anything else runs whole (as run). The caller closes
// the rows.
func (c *conn) open(ctx context.Context, p *prepared, args []any) (rows *ccql.Rows, err error) {
	defer func() {
		if r := recover(); r != nil {
			c.s.log.Error("panic while running a statement", "pid", c.pid, "panic", r)
			rows, err = nil, errorf(CodeInternal, "internal error: %v", r)
		}
	}()
	if p.kind() != ccql.StmtSelect {
		res, err := c.run(ctx, p, args)
		if err != nil {
			return nil, err
		}
		return ccql.RowsOf(res), nil
	}
	if n := p.stmt.NumParams(); len(args) > n {
		args = args[:n]
	}
	return p.stmt.Query(ctx, args...)
}

// describe returns the columns the statement will return, without running
// a mutation or calling Cloud Control: what Prepare found (a SELECT
// prepared under LIMIT 0, RETURNING typed as ProgressEvent fields, SHOW and
// DESCRIBE from the catalog). nil means the statement returns no rows.
func (c *conn) describe(p *prepared) ([]ccql.Column, error) {
	if p.local != nil {
		res, err := p.local(c)
		if err != nil {
			return nil, err
		}
		return res.Columns, nil
	}
	if p.stmt == nil {
		return nil, nil
	}
	return p.stmt.Columns(), nil
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
	cols, err := c.describe(p)
	if err != nil {
		return nil, err
	}
	if p.kind() != ccql.StmtSelect || !slices.ContainsFunc(cols, func(col ccql.Column) bool { return col.Type == ccql.TypeAny }) {
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

// commandTag is CommandComplete's tag for a finished statement.
func commandTag(p *prepared, res *ccql.Result) string {
	rows := int64(len(res.Rows))
	if res.Kind == ccql.KindMutation {
		rows = res.RowsAffected
	}
	return commandTagN(p, rows)
}

// commandTagN is CommandComplete's tag for a statement that returned or
// changed rows rows.
func commandTagN(p *prepared, rows int64) string {
	switch p.kind() {
	case ccql.StmtInsert:
		return "INSERT 0 " + strconv.FormatInt(rows, 10)
	case ccql.StmtUpdate:
		return "UPDATE " + strconv.FormatInt(rows, 10)
	case ccql.StmtDelete:
		return "DELETE " + strconv.FormatInt(rows, 10)
	case ccql.StmtSet, ccql.StmtUse:
		return "SET"
	case ccql.StmtBegin:
		return "BEGIN"
	case ccql.StmtCommit:
		return "COMMIT"
	case ccql.StmtRollback:
		return "ROLLBACK"
	case ccql.StmtShowVar:
		return "SHOW"
	}
	return "SELECT " + strconv.FormatInt(rows, 10)
}
