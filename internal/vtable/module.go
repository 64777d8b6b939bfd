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
	t    *table
	rows [][]any
	pos  int
}

var _ vtab.Cursor = (*cursor)(nil)

func (c *cursor) Filter(_ int, idxStr string, vals []vtab.Value) error {
	s := c.t.v.lookup(c.t.session)
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
		return c.fail(s, &MissingKeyError{Table: c.t.name, Keys: missing})
	}
	var rows [][]any
	if cached, ok := s.cached(c.t.name, keys); ok {
		rows = cached
	} else {
		var err error
		if rows, err = c.t.t.Scan(ctx, keys); err != nil {
			return c.fail(s, err)
		}
	}
	c.rows, c.pos = rows, 0
	return nil
}

// fail keeps err on the statement's session (s may be nil) for unwrap.
func (c *cursor) fail(s *session, err error) error {
	if s != nil {
		s.err = err
	}
	return err
}

func (c *cursor) Next() error { c.pos++; return nil }

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

func (c *cursor) Rowid() (int64, error) { return int64(c.pos), nil }

func (c *cursor) Close() error { return nil }
