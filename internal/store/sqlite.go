package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// FileName is the name of the SQLite file Open creates in a data directory.
const FileName = "ccql.db"

// DefaultBusyTimeout is how long a transaction waits for another process
// holding the SQLite write lock before it fails.
const DefaultBusyTimeout = 10_000 // milliseconds

// maxBatch bounds how many Update closures share one commit.
const maxBatch = 256

// SQLite is the Store kept in one SQLite file in WAL mode.
//
// Durability: the file runs with synchronous=FULL, so a commit returns only
// after the WAL has been fsynced; an acknowledged change survives a crash,
// kill -9 or power loss. To keep that affordable, Updates are group
// committed: one goroutine owns the write connection and runs every Update
// closure that is waiting, each inside its own SAVEPOINT, under a single
// BEGIN IMMEDIATE … COMMIT, so one fsync covers the whole batch. A closure
// that fails rolls back to its savepoint only. Reads run on a separate pool
// of connections, concurrently with the writer (WAL snapshots).
//
// Several processes may open the same file: SQLite's locks serialise their
// write transactions (busy_timeout, DefaultBusyTimeout).
type SQLite struct {
	path    string
	tempDir string // removed on Close when the store is temporary
	wdb     *sql.DB
	rdb     *sql.DB
	conn    *sql.Conn            // the write connection, owned by the committer
	wstmts  map[string]*sql.Stmt // prepared on conn; used by the committer only
	// fullCheck is whether Open ran the full integrity check (see
	// verified.go): always for a file that changed since the last one.
	fullCheck bool

	readers chan *reader  // idle read connections
	rslots  chan struct{} // one per open read connection, up to nreader
	nreader int

	// epoch counts the changes this process has noticed: its own commits,
	// and commits of other processes that a read connection's
	// PRAGMA data_version revealed. See Epoch.
	epoch atomic.Uint64

	mu     sync.RWMutex // guards closed and sends on reqs
	closed bool
	reqs   chan *writeReq
	done   chan struct{} // closed when the committer has exited
}

type writeReq struct {
	ctx context.Context
	fn  func(Tx) error
	// raw, when set, runs alone on the write connection outside any
	// transaction (it manages its own): Restore needs ATTACH, which a
	// transaction forbids.
	raw  func(ctx context.Context, c *sql.Conn) error
	done chan writeResult
}

type writeResult struct {
	err      error
	panicked bool
	panicVal any
}

var _ Store = (*SQLite)(nil)

// Open opens (creating if needed) the store in the SQLite file at path and
// brings its schema up to date. It refuses a damaged file (*DamagedError):
// it checks SQLite's header on every open, and runs SQLite's quick_check
// (which reads the whole file) unless the file is unchanged since an open
// that ran it and passed (verified.go). An empty path opens a temporary store: a
// file in a new temporary directory, not fsynced, removed on Close; tests
// and the in-memory emulator use it.
func Open(ctx context.Context, path string) (*SQLite, error) {
	syncMode := "FULL"
	s := &SQLite{path: path, wstmts: map[string]*sql.Stmt{}}
	if path == "" {
		dir, err := os.MkdirTemp("", "ccql-store-")
		if err != nil {
			return nil, fmt.Errorf("open temporary store: %w", err)
		}
		s.tempDir = dir
		s.path = filepath.Join(dir, FileName)
		syncMode = "OFF"
	} else {
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("open store: %w", err)
			}
		}
		unlock, err := lockOpen(path)
		if err != nil {
			return nil, err
		}
		defer unlock()
		// SQLite would take an empty file for a new database: a store
		// truncated to nothing must not silently come back empty. A new
		// store in WAL mode may have all its pages in the log still.
		fi, err := os.Stat(path)
		if err == nil && fi.Size() == 0 && !walPending(path) {
			return nil, &DamagedError{Path: path, Damage: "the file is empty (0 bytes), where a ccql store was expected"}
		}
		if err == nil {
			if err := checkHeader(path, walPending(path)); err != nil {
				return nil, err
			}
			s.fullCheck = !verifiedUnchanged(path)
		}
	}
	base := "file:" + (&url.URL{Path: s.path}).EscapedPath() +
		fmt.Sprintf("?_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(%s)", DefaultBusyTimeout, syncMode)
	var err error
	if s.wdb, err = sql.Open("sqlite", base); err != nil {
		s.cleanup()
		return nil, fmt.Errorf("open store %s: %w", s.path, err)
	}
	s.wdb.SetMaxOpenConns(1)
	s.wdb.SetMaxIdleConns(1)
	s.wdb.SetConnMaxLifetime(0)
	if s.conn, err = s.wdb.Conn(ctx); err != nil {
		s.cleanup()
		return nil, damaged(s.path, err)
	}
	if s.fullCheck {
		if err := checkIntegrity(ctx, s.conn, s.path); err != nil {
			s.cleanup()
			return nil, err
		}
		recordVerified(s.path)
	}
	if err := migrate(ctx, s.conn); err != nil {
		s.cleanup()
		return nil, fmt.Errorf("open store %s: %w", s.path, err)
	}
	if s.rdb, err = sql.Open("sqlite", base+"&_pragma=query_only(1)"); err != nil {
		s.cleanup()
		return nil, fmt.Errorf("open store %s: %w", s.path, err)
	}
	s.nreader = max(4, runtime.GOMAXPROCS(0))
	s.rdb.SetMaxOpenConns(s.nreader)
	s.rdb.SetMaxIdleConns(s.nreader)
	s.rdb.SetConnMaxLifetime(0)
	// Read connections are opened when first needed: a short-lived
	// process (one ccql exec) needs one, and each costs an open of the
	// database, its WAL and shared memory.
	s.readers = make(chan *reader, s.nreader)
	s.rslots = make(chan struct{}, s.nreader)
	s.reqs = make(chan *writeReq, maxBatch)
	s.done = make(chan struct{})
	go s.commitLoop()
	return s, nil
}

// FullCheck reports whether Open ran the full integrity check
// (quick_check), rather than finding the file unchanged since an open
// that had.
func (s *SQLite) FullCheck() bool { return s.fullCheck }

func (s *SQLite) cleanup() {
	if s.conn != nil {
		s.conn.Close()
	}
	if s.wdb != nil {
		s.wdb.Close()
	}
	if s.rdb != nil {
		s.rdb.Close()
	}
	if s.tempDir != "" {
		os.RemoveAll(s.tempDir)
	}
}

// Update implements Store.
func (s *SQLite) Update(ctx context.Context, fn func(Tx) error) error {
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan writeResult, 1)}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	// Waiting for room in the queue honours ctx. Once queued, the request
	// is waited for: the writer skips it if ctx has ended by its turn, but
	// one it has started may still commit, which the caller must learn.
	select {
	case s.reqs <- req:
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	s.mu.RUnlock()
	res := <-req.done
	if res.panicked {
		panic(res.panicVal)
	}
	return res.err
}

// reader is one read connection with its prepared statements. Views take
// a reader from the pool, so statements are prepared once per connection
// and run without database/sql's per-transaction bookkeeping.
type reader struct {
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
	// dataVersion is the connection's last PRAGMA data_version; seen is
	// false until Epoch has read one.
	dataVersion int64
	seen        bool
}

func (r *reader) stmt(q string) (*sql.Stmt, error) {
	if st, ok := r.stmts[q]; ok {
		return st, nil
	}
	st, err := r.conn.PrepareContext(context.Background(), q)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	r.stmts[q] = st
	return st, nil
}

func (r *reader) exec(q string) error {
	st, err := r.stmt(q)
	if err != nil {
		return err
	}
	_, err = st.Exec()
	return err
}

func (r *reader) close() error {
	var errs []error
	for _, st := range r.stmts {
		errs = append(errs, st.Close())
	}
	return errors.Join(append(errs, r.conn.Close())...)
}

// View implements Store.
func (s *SQLite) View(ctx context.Context, fn func(Tx) error) error {
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		return ErrClosed
	}
	r, err := s.reader(ctx)
	if err != nil {
		return fmt.Errorf("store view: %w", err)
	}
	defer func() { s.readers <- r }()
	// BEGIN starts a deferred read transaction: its snapshot is taken at
	// the first read and holds until ROLLBACK.
	if err := r.exec("BEGIN"); err != nil {
		return fmt.Errorf("store view: %w", err)
	}
	defer r.exec("ROLLBACK") //nolint:errcheck // a read-only transaction has nothing to keep
	return fn(&tx{ctx: ctx, stmt: r.stmt})
}

// Epoch returns a number for caching what was read from the store: a
// value computed in a View that starts after Epoch returned (e, true) may
// be served again as long as a later Epoch returns (e, true) too. Any
// commit, by this process or another one sharing the file, makes later
// calls return a larger epoch. stable is false when this call noticed a
// change: then e is already stale and nothing should be cached under it.
//
// The check costs one PRAGMA data_version on a read connection: SQLite
// changes that number whenever another connection has committed since the
// connection last asked. Each read connection is consulted in turn, and
// the first consultation of a connection after a commit bumps the epoch,
// so by the time a reader sees no change, every earlier commit has bumped
// the epoch past the value any older cache entry carries.
func (s *SQLite) Epoch(ctx context.Context) (e uint64, stable bool, err error) {
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		return 0, false, ErrClosed
	}
	r, err := s.reader(ctx)
	if err != nil {
		return 0, false, fmt.Errorf("store epoch: %w", err)
	}
	defer func() { s.readers <- r }()
	// Load before the PRAGMA takes its snapshot: a commit after this load
	// either precedes the snapshot (and shows in data_version) or follows
	// it (and bumps the epoch later).
	e = s.epoch.Load()
	st, err := r.stmt("PRAGMA data_version")
	if err != nil {
		return 0, false, fmt.Errorf("store epoch: %w", err)
	}
	var dv int64
	if err := st.QueryRowContext(ctx).Scan(&dv); err != nil {
		return 0, false, fmt.Errorf("store epoch: %w", err)
	}
	if !r.seen || dv != r.dataVersion {
		r.seen, r.dataVersion = true, dv
		s.epoch.Add(1)
		return e, false, nil
	}
	return e, true, nil
}

// reader returns an idle read connection, opening one while fewer than
// nreader are open, or waits for one. A new connection has not been seen
// by Epoch, so its first Epoch bumps the epoch: nothing is cached across it.
func (s *SQLite) reader(ctx context.Context) (*reader, error) {
	select {
	case r := <-s.readers:
		return r, nil
	default:
	}
	select {
	case r := <-s.readers:
		return r, nil
	case s.rslots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	c, err := s.rdb.Conn(ctx)
	if err != nil {
		<-s.rslots
		return nil, fmt.Errorf("open read connection: %w", err)
	}
	return &reader{conn: c, stmts: map[string]*sql.Stmt{}}, nil
}

// writeStmt is called by the committer goroutine only.
func (s *SQLite) writeStmt(q string) (*sql.Stmt, error) {
	if st, ok := s.wstmts[q]; ok {
		return st, nil
	}
	st, err := s.conn.PrepareContext(context.Background(), q)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	s.wstmts[q] = st
	return st, nil
}

// execW runs a statement on the write connection.
func (s *SQLite) execW(q string) error {
	st, err := s.writeStmt(q)
	if err != nil {
		return err
	}
	_, err = st.Exec()
	return err
}

// Close waits for pending Updates and closes the file.
func (s *SQLite) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.reqs)
	s.mu.Unlock()
	<-s.done
	var errs []error
	for _, st := range s.wstmts {
		errs = append(errs, st.Close())
	}
	for range len(s.rslots) {
		errs = append(errs, (<-s.readers).close())
	}
	if s.conn != nil {
		// Fold the WAL back into the database so the file stands alone.
		if _, err := s.conn.ExecContext(context.Background(), "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			errs = append(errs, fmt.Errorf("checkpoint: %w", err))
		}
		errs = append(errs, s.conn.Close())
	}
	errs = append(errs, s.wdb.Close(), s.rdb.Close())
	if s.tempDir != "" {
		errs = append(errs, os.RemoveAll(s.tempDir))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// commitLoop owns the write connection. It takes every Update waiting and
// commits them together (group commit).
func (s *SQLite) commitLoop() {
	defer close(s.done)
	batch := make([]*writeReq, 0, maxBatch)
	for first := range s.reqs {
		if first.raw != nil {
			s.runRaw(first)
			continue
		}
		batch = append(batch[:0], first)
		var rawNext *writeReq
	fill:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break fill
				}
				if r.raw != nil {
					rawNext = r
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		s.commitBatch(batch)
		if rawNext != nil {
			s.runRaw(rawNext)
		}
	}
}

func (s *SQLite) commitBatch(batch []*writeReq) {
	results := make([]writeResult, len(batch))
	finish := func() {
		for i, r := range batch {
			r.done <- results[i]
		}
	}
	if err := s.execW("BEGIN IMMEDIATE"); err != nil {
		for i := range results {
			results[i].err = fmt.Errorf("store update: begin: %w", err)
		}
		finish()
		return
	}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i].err = err
			continue
		}
		if err := s.execW("SAVEPOINT u"); err != nil {
			results[i].err = fmt.Errorf("store update: savepoint: %w", err)
			continue
		}
		results[i] = runFn(r, &tx{ctx: r.ctx, stmt: s.writeStmt, writable: true})
		if results[i].err != nil || results[i].panicked {
			if err := s.execW("ROLLBACK TO u"); err != nil {
				results[i].err = errors.Join(results[i].err, fmt.Errorf("store update: rollback: %w", err))
			}
		}
		if err := s.execW("RELEASE u"); err != nil && results[i].err == nil {
			results[i].err = fmt.Errorf("store update: release: %w", err)
		}
	}
	if err := s.execW("COMMIT"); err != nil {
		s.execW("ROLLBACK") //nolint:errcheck // the commit error is what matters
		for i := range results {
			if results[i].err == nil && !results[i].panicked {
				results[i].err = fmt.Errorf("store update: commit: %w", err)
			}
		}
	}
	// Before anyone hears of the commit: reads cached under an older epoch
	// are stale from now on. (The readers' data_version would reveal the
	// commit too; this makes it immediate and needs no read connection.)
	s.epoch.Add(1)
	finish()
}

// runRaw runs an exclusive operation on the write connection.
func (s *SQLite) runRaw(r *writeReq) {
	var res writeResult
	func() {
		defer func() {
			if v := recover(); v != nil {
				res = writeResult{panicked: true, panicVal: v}
			}
		}()
		if err := r.ctx.Err(); err != nil {
			res.err = err
			return
		}
		res.err = r.raw(r.ctx, s.conn)
	}()
	s.epoch.Add(1)
	r.done <- res
}

// exclusive runs fn alone on the write connection, between group commits.
func (s *SQLite) exclusive(ctx context.Context, fn func(ctx context.Context, c *sql.Conn) error) error {
	req := &writeReq{ctx: ctx, raw: fn, done: make(chan writeResult, 1)}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	s.reqs <- req
	s.mu.RUnlock()
	res := <-req.done
	if res.panicked {
		panic(res.panicVal)
	}
	return res.err
}

// runFn calls the closure, turning a panic into a result so that the
// committer survives and the caller re-panics in its own goroutine.
func runFn(r *writeReq, t *tx) (res writeResult) {
	defer func() {
		if v := recover(); v != nil {
			res = writeResult{panicked: true, panicVal: v}
		}
	}()
	return writeResult{err: r.fn(t)}
}
