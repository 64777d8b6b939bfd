package ccql

import (
	"context"
	"fmt"

	"github.com/ccql/ccql/internal/iql"
	"github.com/ccql/ccql/internal/vtable"
)

// TypeAheadRows is how many rows Stmt.Query reads before returning when a
// SELECT has an expression column (count(*), a || b): SQLite declares no
// type for it, so the column is typed from these first rows' values (as
// Exec types it from all of them). A later value of another type is
// returned as it is.
const TypeAheadRows = 256

// Rows is a statement's result read row by row, as Stmt.Query returns it.
// A SELECT's rows come from SQLite as it produces them, and the virtual
// tables fetch Cloud Control's pages only as the rows are read, so reading
// a list of a million resources holds about a page of them at a time.
// Close must be called (it stops the paging); a Rows is used by one
// goroutine at a time.
//
//	rows, err := stmt.Query(ctx)
//	if err != nil { … }
//	defer rows.Close()
//	for rows.Next() {
//		use(rows.Row())
//	}
//	if err := rows.Err(); err != nil { … }
type Rows struct {
	cols  []Column
	res   *Result // the whole result of a statement that is not streamed
	cur   *vtable.Cursor
	e     *Engine
	tabs  []string // a streamed SELECT's tables, for its errors
	ahead [][]any  // typed rows read ahead, not yet returned
	row   []any
	n     int64 // rows returned by Next
	err   error
	done  bool
}

// Query runs the statement with args (as Exec) and returns its rows to be
// read one at a time. A SELECT streams: its rows are not collected, and an
// error met while reading them (a Cloud Control error, a MissingKeyError
// from a virtual table, the context's end) is Rows.Err, of the same types
// Exec returns. Every other statement runs whole, as Exec runs it, and its
// Result's rows are read from memory; when Exec fails, Query returns its
// error, and, when Exec returns a Result with it (a mutation some of whose
// requests failed), Rows over that Result too.
func (s *Stmt) Query(ctx context.Context, args ...any) (*Rows, error) {
	x, isSelect := s.st.(*iql.Select)
	if s.fn != nil || !isSelect {
		res, err := s.Exec(ctx, args...)
		if res == nil {
			return nil, err
		}
		return &Rows{cols: res.Columns, res: res}, err
	}
	args, err := s.bindArgs(args)
	if err != nil {
		return nil, err
	}
	return s.e.querySelect(ctx, x, args)
}

// QueryRows prepares and runs one statement as Stmt.Query does.
func (e *Engine) QueryRows(ctx context.Context, statement string, args ...any) (*Rows, error) {
	s, err := e.prepare(ctx, statement, false)
	if err != nil {
		return nil, err
	}
	return s.Query(ctx, args...)
}

// querySelect starts a SELECT on a session that it keeps until Rows.Close.
func (e *Engine) querySelect(ctx context.Context, s *iql.Select, args []any) (*Rows, error) {
	tables, err := e.selectTables(s)
	if err != nil {
		return nil, err
	}
	cur, err := e.db.QueryCursor(ctx, tables, e.prefetchFor(tables, s.Bindings, args), e.cfg.Concurrency, s.SQL, argsFor(s.SQL, args)...)
	if err != nil {
		return nil, e.selectError(err, tables)
	}
	r := &Rows{cur: cur, e: e, tabs: tables, cols: make([]Column, len(cur.Columns))}
	untyped := false
	for i, name := range cur.Columns {
		r.cols[i] = Column{Name: name, Type: typeOfDecl(cur.Decls[i])}
		untyped = untyped || r.cols[i].Type == TypeAny
	}
	if untyped {
		var raw [][]any
		for len(raw) < TypeAheadRows && cur.Next() {
			raw = append(raw, cur.Values())
		}
		for i := range r.cols {
			if r.cols[i].Type == TypeAny {
				r.cols[i].Type = typeOfValues(raw, i)
			}
		}
		for _, vals := range raw {
			r.ahead = append(r.ahead, r.convert(vals))
		}
		if len(raw) < TypeAheadRows {
			// The whole result is read: an error ending it is the
			// statement's, as Exec would return it.
			if err := r.finish(); err != nil {
				r.Close()
				return nil, err
			}
		}
	}
	return r, nil
}

// selectTables checks a SELECT's tables and returns their names as SQLite
// sees them.
func (e *Engine) selectTables(s *iql.Select) ([]string, error) {
	var tables []string
	for _, n := range iql.Names(s.Tables) {
		if _, err := e.table(n); err != nil {
			return nil, err
		}
		tables = append(tables, n.String())
	}
	return tables, nil
}

func (r *Rows) convert(vals []any) []any {
	row := make([]any, len(vals))
	for i, v := range vals {
		row[i] = convert(v, r.cols[i].Type)
	}
	return row
}

// finish records the cursor's end: its error, if any, wrapped as Exec
// wraps it, and closes it so that its session is free at once.
func (r *Rows) finish() error {
	if r.done {
		return r.err
	}
	r.done = true
	if err := r.cur.Err(); err != nil {
		r.err = r.e.selectError(err, r.tabs)
	}
	if err := r.cur.Close(); err != nil && r.err == nil {
		r.err = fmt.Errorf("close rows: %w", err)
	}
	return r.err
}

// Columns returns the result's columns. An expression column of a SELECT
// is typed from its first TypeAheadRows values.
func (r *Rows) Columns() []Column { return r.cols }

// Next advances to the next row, which Row returns; false at the end of
// the rows or on an error (see Err).
func (r *Rows) Next() bool {
	r.row = nil
	switch {
	case len(r.ahead) > 0:
		r.row, r.ahead[0] = r.ahead[0], nil
		r.ahead = r.ahead[1:]
	case r.res != nil:
		if int(r.n) >= len(r.res.Rows) {
			return false
		}
		r.row = r.res.Rows[r.n]
	case r.cur != nil && !r.done:
		if !r.cur.Next() {
			r.finish()
			return false
		}
		r.row = r.convert(r.cur.Values())
	default:
		return false
	}
	r.n++
	return true
}

// Row returns the row Next read, typed as Result.Rows are (nil is NULL).
// The slice is the caller's to keep.
func (r *Rows) Row() []any { return r.row }

// Err returns the error that ended the rows early; nil when they were all
// read, or Close stopped them.
func (r *Rows) Err() error { return r.err }

// Count returns the number of rows Next has returned so far.
func (r *Rows) Count() int64 { return r.n }

// Kind is what the statement was: KindQuery for rows, KindMutation for a
// mutation without RETURNING (whose Result, see Result, reports it).
func (r *Rows) Kind() Kind {
	if r.res != nil {
		return r.res.Kind
	}
	return KindQuery
}

// Result returns the Result of a statement that did not stream (every
// statement but SELECT), nil for a SELECT.
func (r *Rows) Result() *Result { return r.res }

// Close ends the statement: a SELECT stops reading (no further Cloud
// Control page is fetched) and gives its SQLite session back. It may be
// called more than once.
func (r *Rows) Close() error {
	r.ahead = nil
	if r.cur == nil || r.done {
		return nil
	}
	r.done = true
	return r.cur.Close()
}

// RowsOf returns Rows that read res: for a front end that answers some
// statements itself (NewStmt does the same for a Stmt).
func RowsOf(res *Result) *Rows { return &Rows{cols: res.Columns, res: res} }
