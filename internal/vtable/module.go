package vtable

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"modernc.org/sqlite/vtab"
)

type module struct{ v *DB }

func (m module) Create(c vtab.Context, args []string) (vtab.Table, error) { return m.Connect(c, args) }

func (m module) Connect(c vtab.Context, args []string) (vtab.Table, error) {
	// args: module, database, table, session id
	if len(args) < 4 {
		return nil, errors.New("ccql module: missing session argument")
	}
	id, err := strconv.ParseInt(strings.TrimSpace(args[3]), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("ccql module: bad session %q", args[3])
	}
	name := strings.Trim(args[2], `"`)
	t, err := m.v.resolve(name)
	if err != nil {
		return nil, err
	}
	cols := t.Columns()
	var b strings.Builder
	b.WriteString("CREATE TABLE x(")
	for i, col := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(col.Name))
		if col.Decl != "" {
			b.WriteString(" " + col.Decl)
		}
		if col.Hidden {
			b.WriteString(" HIDDEN")
		}
	}
	b.WriteString(")")
	if err := c.Declare(b.String()); err != nil {
		return nil, fmt.Errorf("declare %s: %w", name, err)
	}
	return &table{v: m.v, session: id, name: name, t: t, cols: cols}, nil
}

type table struct {
	v       *DB
	session int64
	name    string
	t       Table
	cols    []Column
}

var _ vtab.Table = (*table)(nil)

// BestIndex prefers plans that bind required keys and then optional ones;
// a plan without a required key is priced out, so SQLite picks it only when
// nothing binds the key, and Filter then reports the missing key.
func (t *table) BestIndex(info *vtab.IndexInfo) error {
	var used []string
	arg := 0
	bound := map[string]bool{}
	for i := range info.Constraints {
		c := &info.Constraints[i]
		if !c.Usable || c.Op != vtab.OpEQ || c.Column < 0 || c.Column >= len(t.cols) {
			continue
		}
		col := t.cols[c.Column]
		if col.Key == NotKey || bound[col.Name] {
			continue
		}
		bound[col.Name] = true
		c.ArgIndex = arg
		arg++
		c.Omit = false // SQLite re-checks: cheap, and keeps semantics exact for type affinity
		used = append(used, strconv.Itoa(c.Column))
	}
	cost := 1e6
	missingRequired := false
	for _, col := range t.cols {
		if col.Key == Required && !bound[col.Name] && col.Default == nil {
			missingRequired = true
		}
	}
	for range bound {
		cost /= 100 // each bound key narrows the scan
	}
	if missingRequired {
		cost = 1e15
	}
	info.EstimatedCost = cost
	info.EstimatedRows = int64(cost)
	info.IdxStr = strings.Join(used, ",")
	return nil
}

func (t *table) Open() (vtab.Cursor, error) { return &cursor{t: t}, nil }

func (t *table) Disconnect() error { return nil }

func (t *table) Destroy() error { return nil }

type cursor struct {
	t *table
	s *session // the statement's session; nil when it cannot be found
	// rows is the batch being read and pos the current row in it.
	rows  [][]any
	pos   int
	rowid int64
	// src is the rest of a streamed scan; nil when rows is all of it.
	src *batches
	// key is the scan's cache key; kept are the rows read so far while
	// keep holds (the scan is short enough to cache when it ends).
	key  string
	kept [][]any
	keep bool
	// shared: rows belong to the session's cache (not counted here).
	shared bool
	held   int // rows counted in the session's held total by this cursor
}

var _ vtab.Cursor = (*cursor)(nil)

func (c *cursor) Filter(_ int, idxStr string, vals []vtab.Value) error {
	c.reset()
	s := c.t.v.lookup(c.t.session)
	c.s = s
	ctx := context.Background()
	if s != nil && s.ctx != nil {
		ctx = s.ctx
	}
	keys := map[string]any{}
	if idxStr != "" {
		for i, p := range strings.Split(idxStr, ",") {
			n, _ := strconv.Atoi(p)
			if i < len(vals) {
				v := vals[i]
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				keys[c.t.cols[n].Name] = v
			}
		}
	}
	var missing []string
	for _, col := range c.t.cols {
		if _, ok := keys[col.Name]; col.Key == Required && !ok {
			if col.Default != nil {
				keys[col.Name] = col.Default
				continue
			}
			missing = append(missing, col.Name)
		}
	}
	if len(missing) > 0 {
		return c.fail(&MissingKeyError{Table: c.t.name, Keys: missing})
	}
	c.key = cacheKey(c.t.name, keys)
	if e, ok := s.take(c.key); ok {
		if e.src == nil {
			c.rows, c.shared = e.rows, true // a whole scan, kept for the statement
			return nil
		}
		c.src = e.src // a prefetched stream: its first rows, then the rest
		return c.advance()
	}
	if st, ok := c.t.t.(Streamer); ok {
		c.src, c.keep = pull(st.Stream(ctx, keys)), true
		return c.advance()
	}
	rows, err := c.t.t.Scan(ctx, keys)
	if err != nil {
		return c.fail(err)
	}
	c.rows = rows
	if len(rows) <= MaxCachedRows {
		s.keep(c.key, rows)
		c.shared = true
	}
	c.account()
	return nil
}

// advance reads the stream's next non-empty batch when the current one is
// used up; at the end of a short stream the rows read are kept for the
// statement.
func (c *cursor) advance() error {
	for c.pos >= len(c.rows) && c.src != nil {
		rows, err := c.src.read()
		if err != nil {
			c.src = nil
			c.rows, c.pos, c.kept, c.keep = nil, 0, nil, false
			c.account()
			return c.fail(err)
		}
		if rows == nil { // the end
			c.src = nil
			c.rows, c.pos = nil, 0
			if c.keep {
				kept := c.kept
				c.kept, c.keep = nil, false
				c.account()
				c.s.keep(c.key, kept)
			}
			c.account()
			return nil
		}
		if c.keep {
			if len(c.kept)+len(rows) <= MaxCachedRows {
				c.kept = append(c.kept, rows...)
			} else {
				c.kept, c.keep = nil, false
			}
		}
		c.rows, c.pos = rows, 0
		c.account()
	}
	return nil
}

// account updates the session's count of rows held with this cursor's.
func (c *cursor) account() {
	n := len(c.kept)
	if !c.shared {
		n += len(c.rows)
	}
	c.s.hold(n - c.held)
	c.held = n
}

// reset stops the cursor's stream and drops its rows.
func (c *cursor) reset() {
	if c.src != nil {
		c.src.close()
		c.src = nil
	}
	c.rows, c.pos, c.rowid, c.kept, c.keep, c.shared = nil, 0, 0, nil, false, false
	c.account()
}

// fail keeps err on the statement's session (if any) for unwrap.
func (c *cursor) fail(err error) error {
	if c.s != nil {
		c.s.err = err
	}
	return err
}

// Next moves to the next row, reading the stream's next batch when the
// current one is used up: an error there (a page that failed, the
// statement's context ending) fails the statement.
func (c *cursor) Next() error {
	c.pos++
	c.rowid++
	if c.pos >= len(c.rows) {
		return c.advance()
	}
	return nil
}

func (c *cursor) Eof() bool { return c.pos >= len(c.rows) }

func (c *cursor) Column(col int) (vtab.Value, error) {
	row := c.rows[c.pos]
	if col < 0 || col >= len(row) {
		return nil, nil
	}
	switch v := row[col].(type) {
	case bool:
		if v {
			return int64(1), nil
		}
		return int64(0), nil
	case int:
		return int64(v), nil
	default:
		return v, nil
	}
}

func (c *cursor) Rowid() (int64, error) { return c.rowid, nil }

// Close stops the cursor's stream: no page is fetched after it.
func (c *cursor) Close() error {
	c.reset()
	return nil
}
