// Package vtable exposes ccql's provider tables to SQLite as virtual tables
// (modernc.org/sqlite/vtab), so that SQLite does all the relational work —
// joins, CTEs, aggregates, JSON functions — while key columns bound by
// equality reach the provider.
//
// A DB owns its own SQLite driver (no process-global registration) and a pool
// of sessions. A session is one SQLite connection that runs one statement at
// a time; the statement's context is set on the session before it runs, so
// the cursors, which SQLite gives no context, honour it.
package vtable

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"modernc.org/sqlite"
	"modernc.org/sqlite/vtab"
)

// KeyKind tells whether a column is a key the provider can use.
type KeyKind int

// Key kinds.
const (
	NotKey   KeyKind = iota // filtered by SQLite only
	Optional                // passed to Scan when bound by equality
	Required                // must be bound by equality, else the scan fails with *MissingKeyError
)

// Column is one column of a provider table.
type Column struct {
	Name   string
	Decl   string // SQLite declared type: TEXT, INTEGER, REAL, BOOLEAN, JSON, TIMESTAMP
	Hidden bool   // not part of SELECT *
	Key    KeyKind
}

// Table is what a provider implements for one SQL table.
type Table interface {
	// Columns returns the columns in SELECT * order (hidden ones anywhere).
	Columns() []Column
	// Scan returns the rows for the given bound key values (column name →
	// value). Values in rows follow Columns' order: nil, int64, float64,
	// string, []byte, bool or time.Time.
	Scan(ctx context.Context, keys map[string]any) ([][]any, error)
}

// Resolver returns the table for a name as it appears in SQL
// ("awscc.cognito.user_pool_clients"), or an error.
type Resolver func(name string) (Table, error)

// MissingKeyError is returned when a required key column is not bound.
type MissingKeyError struct {
	Table string
	Keys  []string
}

// Error implements error.
func (e *MissingKeyError) Error() string {
	return fmt.Sprintf("%s: missing required key %s (bind it with = or IN in WHERE or ON)", e.Table, strings.Join(e.Keys, ", "))
}

// DB is a pool of SQLite sessions whose virtual tables are provider tables.
type DB struct {
	db       *sql.DB
	resolve  Resolver
	mu       sync.Mutex
	sessions map[int64]*session
	idle     chan *session
	slots    chan struct{} // one per open session: bounds them without database/sql's cap
	nextID   atomic.Int64
	errs     sync.Map // provider error text → error, see unwrapSQLite
}

// Funcs are extra scalar functions to register on every connection.
type Funcs map[string]func(args []driver.Value) (driver.Value, error)

const moduleName = "ccql"

// Open returns a DB that resolves virtual tables through resolve.
func Open(resolve Resolver, funcs Funcs, maxSessions int) (*DB, error) {
	if maxSessions <= 0 {
		maxSessions = 8
	}
	d := &sqlite.Driver{}
	v := &DB{resolve: resolve, sessions: map[int64]*session{}, idle: make(chan *session, maxSessions), slots: make(chan struct{}, maxSessions)}
	if err := d.RegisterModule(moduleName, module{v}); err != nil {
		return nil, fmt.Errorf("register module: %w", err)
	}
	for name, fn := range funcs {
		fn := fn
		if err := d.RegisterDeterministicScalarFunction(name, -1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			return fn(args)
		}); err != nil {
			return nil, fmt.Errorf("register function %s: %w", name, err)
		}
	}
	v.db = sql.OpenDB(connector{d})
	// The session slots bound the connections; a cap here as well would
	// count parked sessions as open and starve callers blocked in Conn.
	v.db.SetMaxOpenConns(0)
	v.db.SetMaxIdleConns(0)
	v.db.SetConnMaxLifetime(0)
	return v, nil
}

// Close closes every session.
func (v *DB) Close() error { return v.db.Close() }

type connector struct{ d *sqlite.Driver }

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(":memory:") }
func (c connector) Driver() driver.Driver                        { return c.d }

// session is one connection and the context of the statement it runs.
type session struct {
	id     int64
	conn   *sql.Conn
	ctx    context.Context
	tables map[string]bool
	stmts  map[string]*sql.Stmt // prepared statements by SQL text, see prepare
	cache  map[string][][]any   // prefetched scans of the running statement, see QueryPrefetch
}

// maxCachedStmts bounds a session's prepared statements; preparing is most
// of the cost of a small query, and tools repeat the same few statements.
const maxCachedStmts = 64

// prepare returns the session's prepared statement for query.
func (s *session) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts[query]; ok {
		return st, nil
	}
	st, err := s.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if len(s.stmts) >= maxCachedStmts {
		for k, old := range s.stmts {
			old.Close()
			delete(s.stmts, k)
			break
		}
	}
	s.stmts[query] = st
	return st, nil
}

// acquire returns an idle session, or opens one while fewer than the
// maximum are open, or waits for one to come back.
func (v *DB) acquire(ctx context.Context) (*session, error) {
	select {
	case s := <-v.idle:
		return s, nil
	default:
	}
	select {
	case s := <-v.idle:
		return s, nil
	case v.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	conn, err := v.db.Conn(ctx)
	if err != nil {
		<-v.slots
		return nil, fmt.Errorf("open sqlite session: %w", err)
	}
	s := &session{id: v.nextID.Add(1), conn: conn, tables: map[string]bool{}, stmts: map[string]*sql.Stmt{}}
	v.mu.Lock()
	v.sessions[s.id] = s
	v.mu.Unlock()
	return s, nil
}

func (v *DB) release(s *session, broken bool) {
	s.ctx = nil
	s.cache = nil
	if !broken {
		select {
		case v.idle <- s:
			return
		default:
		}
	}
	v.mu.Lock()
	delete(v.sessions, s.id)
	v.mu.Unlock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.conn.Close()
	<-v.slots
}

// cached returns a prefetched scan; s may be nil.
func (s *session) cached(table string, keys map[string]any) ([][]any, bool) {
	if s == nil || s.cache == nil {
		return nil, false
	}
	rows, ok := s.cache[cacheKey(table, keys)]
	return rows, ok
}

func (v *DB) lookup(id int64) *session {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.sessions[id]
}

// Rows is a fully read result.
type Rows struct {
	Columns []string
	Decls   []string // declared type of each column ("" for expressions)
	Values  [][]any
}

// Query runs sql on a session after creating the virtual tables it names.
// tables are the names as they appear (quoted) in sql. args are bound to the
// statement's parameters.
func (v *DB) Query(ctx context.Context, tables []string, query string, args ...any) (*Rows, error) {
	return v.QueryPrefetch(ctx, tables, nil, 0, query, args...)
}

// Prefetch names scans of one table to run before a statement: one per
// key set, in parallel. SQLite visits the values of `key IN (…)` one at a
// time; prefetching them turns that into a parallel fan-out, and the
// statement's cursors then read the results.
type Prefetch struct {
	Table string
	Keys  []map[string]any
}

// QueryPrefetch is Query after running the prefetch scans, at most
// parallel at once (0 means 8). A prefetch that fails fails the statement.
func (v *DB) QueryPrefetch(ctx context.Context, tables []string, pre []Prefetch, parallel int, query string, args ...any) (*Rows, error) {
	s, err := v.acquire(ctx)
	if err != nil {
		return nil, err
	}
	s.ctx = ctx
	if len(pre) > 0 {
		if s.cache, err = v.prefetch(ctx, pre, parallel); err != nil {
			v.release(s, false)
			return nil, err
		}
	}
	out, err := v.run(ctx, s, tables, query, args)
	v.release(s, ctx.Err() != nil)
	return out, err
}

func (v *DB) prefetch(ctx context.Context, pre []Prefetch, parallel int) (map[string][][]any, error) {
	if parallel <= 0 {
		parallel = 8
	}
	type job struct {
		t    Table
		name string
		keys map[string]any
	}
	var jobs []job
	for _, p := range pre {
		t, err := v.resolve(p.Table)
		if err != nil {
			return nil, err
		}
		for _, k := range p.Keys {
			jobs = append(jobs, job{t: t, name: p.Table, keys: k})
		}
	}
	results := make([][][]any, len(jobs))
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i], errs[i] = j.t.Scan(ctx, j.keys)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	cache := make(map[string][][]any, len(jobs))
	for i, j := range jobs {
		cache[cacheKey(j.name, j.keys)] = results[i]
	}
	return cache, nil
}

// cacheKey identifies a scan: the table and its bound keys, sorted.
func cacheKey(table string, keys map[string]any) string {
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, strings.ToLower(k))
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(strings.ToLower(table))
	for _, n := range names {
		var val any
		for k, v := range keys {
			if strings.ToLower(k) == n {
				val = v
			}
		}
		fmt.Fprintf(&b, "\x00%s=%v", n, val)
	}
	return b.String()
}

func (v *DB) run(ctx context.Context, s *session, tables []string, query string, args []any) (*Rows, error) {
	for _, t := range tables {
		if s.tables[t] {
			continue
		}
		if _, err := v.resolve(t); err != nil {
			return nil, err
		}
		ddl := fmt.Sprintf("CREATE VIRTUAL TABLE IF NOT EXISTS temp.%s USING %s(%d)", quoteIdent(t), moduleName, s.id)
		if _, err := s.conn.ExecContext(ctx, ddl); err != nil {
			return nil, fmt.Errorf("create table %s: %w", t, v.unwrapSQLite(err))
		}
		s.tables[t] = true
	}
	st, err := s.prepare(ctx, query)
	if err != nil {
		return nil, v.unwrapSQLite(err)
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, v.unwrapSQLite(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	out := &Rows{Columns: cols, Decls: make([]string, len(cols))}
	for i, t := range types {
		out.Decls[i] = strings.ToUpper(t.DatabaseTypeName())
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out.Values = append(out.Values, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, v.unwrapSQLite(err)
	}
	return out, nil
}

// unwrapSQLite gives back the provider's original error after SQLite has
// turned it into text, so that callers can still use errors.Is/As.
func (v *DB) unwrapSQLite(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	var found error
	v.errs.Range(func(k, val any) bool {
		if strings.Contains(msg, k.(string)) {
			found = val.(error)
			return false
		}
		return true
	})
	if found != nil {
		v.errs.Delete(found.Error())
		return found
	}
	return err
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

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
		if col.Key == Required && !bound[col.Name] {
			missingRequired = true
		}
	}
	for name := range bound {
		_ = name
		cost /= 100
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
func (t *table) Disconnect() error          { return nil }
func (t *table) Destroy() error             { return nil }

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
			missing = append(missing, col.Name)
		}
	}
	if len(missing) > 0 {
		return c.fail(&MissingKeyError{Table: c.t.name, Keys: missing})
	}
	var rows [][]any
	if cached, ok := s.cached(c.t.name, keys); ok {
		rows = cached
	} else {
		var err error
		if rows, err = c.t.t.Scan(ctx, keys); err != nil {
			return c.fail(err)
		}
	}
	c.rows, c.pos = rows, 0
	return nil
}

func (c *cursor) fail(err error) error {
	c.t.v.errs.Store(err.Error(), err)
	return err
}

func (c *cursor) Next() error { c.pos++; return nil }
func (c *cursor) Eof() bool   { return c.pos >= len(c.rows) }

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
func (c *cursor) Close() error          { return nil }
