package vtable

import (
	"context"
	"database/sql"
	"strings"
)

// Cursor is a statement's result read row by row as SQLite produces it:
// the statement keeps its session (its context, its scan cache and the
// provider error its cursors fail with) until Close, so a streamed scan
// holds a page at a time however many rows the result has. A Cursor is
// used by one goroutine at a time.
type Cursor struct {
	Columns []string
	Decls   []string // declared type of each column ("" for expressions)

	v      *DB
	s      *session
	ctx    context.Context
	cancel context.CancelFunc
	rows   *sql.Rows
	vals   []any
	err    error
	done   bool
}

// QueryCursor is QueryPrefetch read lazily: the rows come from SQLite as
// Next asks for them, and the provider's pages are fetched only as the
// rows are read. Close must be called; it stops the statement's streams
// (no page is fetched after it) and gives back the session.
func (v *DB) QueryCursor(ctx context.Context, tables []string, pre []Prefetch, parallel int, query string, args ...any) (*Cursor, error) {
	// The statement's streams end with it, even those no cursor took.
	ctx, cancel := context.WithCancel(ctx)
	s, err := v.acquire(ctx)
	if err != nil {
		cancel()
		return nil, err
	}
	s.ctx = ctx
	c := &Cursor{v: v, s: s, ctx: ctx, cancel: cancel}
	if len(pre) > 0 {
		if err := v.prefetch(ctx, s, pre, parallel); err != nil {
			c.release()
			return nil, err
		}
	}
	if err := c.open(tables, query, args); err != nil {
		c.release()
		return nil, err
	}
	return c, nil
}

func (c *Cursor) open(tables []string, query string, args []any) error {
	s := c.s
	if err := c.v.createTables(c.ctx, s, tables); err != nil {
		return err
	}
	st, err := s.prepare(c.ctx, query)
	if err != nil {
		return s.unwrap(err)
	}
	rows, err := st.QueryContext(c.ctx, args...)
	if err != nil {
		return s.unwrap(err)
	}
	c.rows = rows
	if c.Columns, err = rows.Columns(); err != nil {
		return err
	}
	types, err := rows.ColumnTypes()
	if err != nil {
		return err
	}
	c.Decls = make([]string, len(c.Columns))
	for i, t := range types {
		c.Decls[i] = strings.ToUpper(t.DatabaseTypeName())
	}
	return nil
}

// Next reads the next row; false at the end or on an error (see Err).
func (c *Cursor) Next() bool {
	if c.done {
		return false
	}
	if !c.rows.Next() {
		c.err = c.s.unwrap(c.rows.Err())
		c.done = true
		return false
	}
	vals := make([]any, len(c.Columns))
	ptrs := make([]any, len(c.Columns))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := c.rows.Scan(ptrs...); err != nil {
		c.err, c.done = err, true
		return false
	}
	c.vals = vals
	return true
}

// Values returns the row Next read: a new slice for every row, which the
// caller may keep.
func (c *Cursor) Values() []any { return c.vals }

// Err returns the error that ended the rows, nil at their end: the
// provider's own error (MissingKeyError, a Cloud Control error) when a
// virtual-table cursor failed.
func (c *Cursor) Err() error { return c.err }

// Close ends the statement and gives its session back. It may be called
// more than once.
func (c *Cursor) Close() error {
	if c.s == nil {
		return nil
	}
	var err error
	if c.rows != nil {
		err = c.rows.Close()
	}
	c.release()
	return err
}

func (c *Cursor) release() {
	// A session whose statement was cancelled may be mid-statement in
	// SQLite: it is closed rather than reused.
	c.v.release(c.s, c.ctx.Err() != nil)
	c.cancel()
	c.s = nil
	c.done = true
}
