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
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"modernc.org/sqlite"
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
	// Default is the value Scan gets for a Required key the statement does
	// not bind (the --region default); nil means such a scan fails with a
	// *MissingKeyError.
	Default any
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
	closed   atomic.Bool
	peak     atomic.Int64 // see PeakRowsHeld
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

// Close closes every idle session and the pool. A session in use when
// Close is called is closed when released (database/sql closes a
// connection returned to a closed pool).
func (v *DB) Close() error {
	v.closed.Store(true)
	for {
		select {
		case s := <-v.idle:
			v.release(s, true)
			continue
		default:
		}
		break
	}
	return v.db.Close()
}

type connector struct{ d *sqlite.Driver }

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(":memory:") }
func (c connector) Driver() driver.Driver                        { return c.d }

// session is one connection and the context of the statement it runs.
type session struct {
	id     int64
	v      *DB
	conn   *sql.Conn
	ctx    context.Context
	tables map[string]bool
	stmts  map[string]*sql.Stmt // prepared statements by SQL text, see prepare
	// cache holds the running statement's prefetched and short scans, so
	// that a scan is not fetched twice (see QueryPrefetch, MaxCachedRows).
	cache map[string]*scan
	held  atomic.Int64 // rows the cursors and cache hold now, see PeakRowsHeld
	err   error        // the provider error a cursor failed with, see unwrap
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
	s := &session{id: v.nextID.Add(1), v: v, conn: conn, tables: map[string]bool{}, stmts: map[string]*sql.Stmt{}}
	v.mu.Lock()
	v.sessions[s.id] = s
	v.mu.Unlock()
	return s, nil
}

func (v *DB) release(s *session, broken bool) {
	s.ctx = nil
	s.dropCache()
	s.err = nil
	if !broken && !v.closed.Load() {
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

// createTables creates on s the virtual tables that query names.
func (v *DB) createTables(ctx context.Context, s *session, tables []string) error {
	for _, t := range tables {
		if s.tables[t] {
			continue
		}
		if _, err := v.resolve(t); err != nil {
			return err
		}
		ddl := fmt.Sprintf("CREATE VIRTUAL TABLE IF NOT EXISTS temp.%s USING %s(%d)", quoteIdent(t), moduleName, s.id)
		if _, err := s.conn.ExecContext(ctx, ddl); err != nil {
			return fmt.Errorf("create table %s: %w", t, s.unwrap(err))
		}
		s.tables[t] = true
	}
	return nil
}

// unwrap gives back the provider's original error after SQLite has turned
// it into text (or, for a failed Next, into a bare "SQL logic error"), so
// that callers can still use errors.Is/As. The cursors of a statement run
// on its session's goroutine, so the session holds it; a cursor's failure
// ends the statement, so it is the cause of the error SQLite reports.
func (s *session) unwrap(err error) error {
	if err == nil || s.err == nil {
		return err
	}
	found := s.err
	s.err = nil
	return found
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
