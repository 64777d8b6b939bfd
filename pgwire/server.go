package pgwire

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ccql/ccql"
)

// Engine prepares statements; *ccql.Engine satisfies it. It must be safe
// for concurrent use: every connection calls it from its own goroutine.
// The server parses no SQL itself: each statement is prepared once (a
// simple query's statements all before any runs) and run with its
// parameters as arguments (Stmt.Exec), under a context that a
// CancelRequest, the client's disconnecting and statement_timeout cancel.
type Engine interface {
	Prepare(ctx context.Context, statement string) (*ccql.Stmt, error)
}

var _ Engine = (*ccql.Engine)(nil)

// Defaults for a zero Config.
const (
	DefaultMaxConnections   = 100
	DefaultMaxMessageSize   = 64 << 20
	DefaultHandshakeTimeout = 30 * time.Second
	// ServerVersion is the PostgreSQL version reported to clients (they
	// pick SQL dialect features by it).
	ServerVersion = "16.0"
)

// Errors returned by Serve.
var (
	// ErrServerClosed is returned by Serve after Shutdown.
	ErrServerClosed = errors.New("pgwire: server closed")
	// ErrNoAuthentication is returned by Serve for a listener on a
	// non-loopback address when neither passwords (Config.Users) nor client
	// certificates (Config.TLS with ClientAuth RequireAndVerifyClientCert)
	// authenticate clients.
	ErrNoAuthentication = errors.New("pgwire: refusing to serve a non-loopback address without authentication")
)

// Config configures a Server. The zero value serves loopback clients
// without authentication or TLS.
type Config struct {
	// Users are the SCRAM-SHA-256 password verifiers. Non-nil means every
	// client authenticates with a password (SetUsers replaces them).
	Users *Users
	// TLS is offered to clients that send SSLRequest (SetTLSConfig replaces
	// it). With ClientAuth tls.RequireAndVerifyClientCert every client must
	// use TLS and present a certificate signed by ClientCAs (mutual TLS);
	// with Users as well, it must also give its password.
	TLS *tls.Config
	// TLSRequired refuses clients that do not use TLS (sslmode=disable or
	// prefer against a server without TLS) with SQLSTATE 28000, before any
	// password is exchanged. A server with a client CA requires TLS anyway;
	// one without TLS refuses every client.
	TLSRequired bool
	// ReadOnly rejects INSERT, UPDATE and DELETE with SQLSTATE 25006.
	ReadOnly bool
	// MaxConnections bounds concurrent sessions; more are refused with
	// SQLSTATE 53300. 0 means DefaultMaxConnections.
	MaxConnections int
	// MaxMessageSize bounds one client message; 0 means
	// DefaultMaxMessageSize.
	MaxMessageSize int
	// HandshakeTimeout bounds the startup and authentication of a
	// connection; 0 means DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// StatementTimeout cancels a statement that runs longer (SQLSTATE
	// 57014), as PostgreSQL's statement_timeout, which a client may set per
	// connection (SET statement_timeout, or the startup parameter); 0 means
	// no limit.
	StatementTimeout time.Duration
	// IdleTimeout closes a session that sends nothing for this long
	// between statements (FATAL 57P05), as PostgreSQL's
	// idle_session_timeout; 0 means never. It frees the slots of clients
	// that vanished without closing their connection.
	IdleTimeout time.Duration
	// Version is the ccql version reported by SELECT version().
	Version string
	// Logger gets connection-level events (never statement text, which may
	// hold secrets); nil discards them.
	Logger *slog.Logger
}

// Server serves the PostgreSQL wire protocol (v3.0 and v3.2) over an
// Engine. Each connection is an independent session with its own prepared
// statements and portals; statements of different connections run
// concurrently.
type Server struct {
	eng      Engine
	cfg      Config
	log      *slog.Logger
	users    atomic.Pointer[Users] // nil: no password authentication
	tls      atomic.Pointer[tls.Config]
	decoyKey []byte

	// baseCtx is the parent of every statement's context; cancelled when a
	// Shutdown runs out of time.
	baseCtx    context.Context
	cancelBase context.CancelFunc

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	sessions  map[uint32]*conn // started sessions, by process id, for CancelRequest
	active    int              // sessions counted against MaxConnections
	closing   bool
	done      chan struct{} // closed when closing begins
	wg        sync.WaitGroup
	// changed is closed (and replaced) whenever a session ends or finishes
	// a message cycle, so that a waiter can watch the server become idle
	// without polling.
	changed chan struct{}
}

// notify wakes whoever waits on changed; s.mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// NewServer returns a server over eng.
func NewServer(eng Engine, cfg Config) *Server {
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = DefaultMaxConnections
	}
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = DefaultHandshakeTimeout
	}
	s := &Server{eng: eng, cfg: cfg, log: cfg.Logger, listeners: map[net.Listener]struct{}{},
		conns: map[*conn]struct{}{}, sessions: map[uint32]*conn{}, done: make(chan struct{}), changed: make(chan struct{})}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s.decoyKey = make([]byte, 32)
	_, _ = rand.Read(s.decoyKey)
	s.baseCtx, s.cancelBase = context.WithCancel(context.Background())
	if cfg.Users != nil {
		s.SetUsers(cfg.Users)
	}
	if cfg.TLS != nil {
		s.SetTLSConfig(cfg.TLS)
	}
	return s
}

// SetUsers replaces the password verifiers for new connections (e.g. on
// SIGHUP). nil turns password authentication off.
func (s *Server) SetUsers(u *Users) {
	s.users.Store(u)
}

// SetTLSConfig replaces the TLS configuration for new connections (e.g.
// after certificates were renewed). nil turns TLS off.
func (s *Server) SetTLSConfig(c *tls.Config) { s.tls.Store(c) }

func (s *Server) mutualTLS() bool {
	c := s.tls.Load()
	return c != nil && c.ClientAuth == tls.RequireAndVerifyClientCert
}

func (s *Server) serverVersion() string { return ServerVersion }

func (s *Server) version() string {
	if s.cfg.Version == "" {
		return "dev"
	}
	return s.cfg.Version
}

// Authenticated reports whether clients must prove who they are (by
// password or client certificate).
func (s *Server) Authenticated() bool { return s.users.Load() != nil || s.mutualTLS() }

// Serve accepts connections on ln until Shutdown; it then returns
// ErrServerClosed. ln is closed on return.
func (s *Server) Serve(ln net.Listener) error {
	defer ln.Close()
	if !s.Authenticated() && !IsLoopback(ln.Addr()) {
		return fmt.Errorf("%w: %s", ErrNoAuthentication, ln.Addr())
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
	}()
	s.log.Info("serving PostgreSQL clients", "addr", ln.Addr().String())
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			select {
			case <-s.done:
				return ErrServerClosed
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("accept failed; retrying", "err", err, "in", backoff)
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("accept: %w", err)
		}
		backoff = 0
		c := s.newConn(nc)
		if c == nil {
			nc.Close()
			continue
		}
		go c.serve()
	}
}

// IsLoopback reports whether addr is a loopback address (127.0.0.0/8, ::1)
// or a Unix socket.
func IsLoopback(addr net.Addr) bool {
	switch a := addr.(type) {
	case *net.TCPAddr:
		return a.IP.IsLoopback()
	case *net.UnixAddr:
		return true
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newConn registers a connection; nil when the server is closing.
func (s *Server) newConn(nc net.Conn) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return nil
	}
	c := &conn{s: s, raw: nc, nc: nc, stmts: map[string]*prepared{}, portals: map[string]*portal{}, txStatus: 'I'}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return c
}

// startSession counts c against MaxConnections and gives it a process id
// and secret for CancelRequest.
func (s *Server) startSession(c *conn, keyLen int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return &Error{Code: "57P03", Message: "the database system is shutting down", Fatal: true}
	}
	if s.active >= s.cfg.MaxConnections {
		return &Error{Code: CodeTooManyConnections, Message: "sorry, too many clients already", Fatal: true}
	}
	c.secret = make([]byte, keyLen)
	_, _ = rand.Read(c.secret)
	for {
		var b [4]byte
		_, _ = rand.Read(b[:])
		pid := binary.BigEndian.Uint32(b[:]) & 0x7fffffff
		if _, taken := s.sessions[pid]; pid != 0 && !taken {
			c.pid = pid
			break
		}
	}
	s.sessions[c.pid] = c
	s.active++
	c.counted = true
	return nil
}

func (s *Server) removeConn(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	if c.counted {
		delete(s.sessions, c.pid)
		s.active--
	}
	s.notify()
	s.mu.Unlock()
	s.wg.Done()
}

// cancel handles a CancelRequest: it cancels what the session is running,
// if the key matches. As in PostgreSQL, nothing is sent back.
func (s *Server) cancel(pid uint32, secret []byte) {
	s.mu.Lock()
	c := s.sessions[pid]
	s.mu.Unlock()
	if c == nil || subtle.ConstantTimeCompare(c.secret, secret) != 1 {
		s.log.Debug("cancel request for an unknown session", "pid", pid)
		return
	}
	c.mu.Lock()
	cancel := c.cancel
	c.mu.Unlock()
	if cancel != nil {
		s.log.Info("cancelling the running statement", "pid", pid)
		cancel()
	}
}

// Shutdown stops accepting connections, ends idle sessions, and lets
// running statements finish and their results reach the client; each
// session ends (with SQLSTATE 57P01) when its statement is done. When ctx
// ends first, running statements are cancelled and every connection is
// closed. Shutdown returns ctx's error in that case.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.closing {
		s.closing = true
		close(s.done)
	}
	for ln := range s.listeners {
		ln.Close()
	}
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.shutdown()
	}
	finished := make(chan struct{})
	go func() { s.wg.Wait(); close(finished) }()
	select {
	case <-finished:
		s.cancelBase()
		return nil
	case <-ctx.Done():
	}
	s.log.Warn("shutdown timed out; cancelling running statements")
	s.cancelBase()
	s.mu.Lock()
	for c := range s.conns {
		c.raw.Close()
	}
	s.mu.Unlock()
	<-finished
	return ctx.Err()
}
