package pgwire

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// conn is one client connection and, once started, its session.
type conn struct {
	s   *Server
	raw net.Conn // the accepted connection, set once: what other goroutines close
	nc  net.Conn // raw, or a TLS connection over it; changed only during the handshake
	be  *pgproto3.Backend

	isTLS    bool
	pid      uint32
	secret   []byte
	counted  bool // holds a MaxConnections slot
	user     string
	database string
	params   map[string]string // startup parameters

	stmts         map[string]*prepared
	portals       map[string]*portal
	txStatus      byte // 'I' or 'T' (BEGIN is accepted; statements still apply at once)
	skipUntilSync bool // an extended-protocol error: ignore messages until Sync

	// mu guards what Shutdown and CancelRequest touch from other goroutines.
	mu       sync.Mutex
	started  bool // the session reached its first ReadyForQuery
	busy     bool // processing a message cycle (between a message and ReadyForQuery)
	draining bool // Shutdown asked: end the session at the next ReadyForQuery
	closed   bool
	gone     bool               // the client's side of the connection ended (EOF or error)
	cancel   context.CancelFunc // the running statements' context

	stmtTimeout time.Duration // statement_timeout of the session; 0 for none
}

// errSessionEnded stops the message loop without an error to log.
var errSessionEnded = errors.New("session ended")

func (c *conn) serve() {
	defer c.s.removeConn(c)
	defer c.nc.Close()
	err := c.handshake()
	if err == nil {
		err = c.loop()
	}
	c.dropPortals() // their open rows hold engine sessions
	switch {
	case err == nil, errors.Is(err, errSessionEnded), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		c.s.log.Debug("connection closed", "pid", c.pid)
	default:
		c.s.log.Info("connection ended", "pid", c.pid, "remote", c.nc.RemoteAddr().String(), "err", err)
	}
}

// peekConn lets the first byte of a connection be looked at (to recognise a
// direct TLS ClientHello) without losing it.
type peekConn struct {
	net.Conn
	r *bufio.Reader
}

func (p *peekConn) Read(b []byte) (int, error) { return p.r.Read(b) }

// handshake runs the startup phase: TLS, startup message, authentication,
// and the first ReadyForQuery.
func (c *conn) handshake() error {
	_ = c.nc.SetDeadline(time.Now().Add(c.s.cfg.HandshakeTimeout))
	pc := &peekConn{Conn: c.nc, r: bufio.NewReaderSize(c.nc, 512)}
	c.nc = pc
	// PostgreSQL 17 clients may start TLS directly (sslnegotiation=direct).
	if first, err := pc.r.Peek(1); err == nil && first[0] == 0x16 {
		if err := c.startTLS(); err != nil {
			return err
		}
	}
	c.be = pgproto3.NewBackend(c.nc, c.nc)
	var startup *pgproto3.StartupMessage
	for startup == nil {
		msg, err := c.be.ReceiveStartupMessage()
		if err != nil {
			return fmt.Errorf("startup: %w", err)
		}
		switch m := msg.(type) {
		case *pgproto3.SSLRequest:
			if c.isTLS || c.s.tls.Load() == nil {
				if _, err := c.nc.Write([]byte{'N'}); err != nil {
					return err
				}
				continue
			}
			if _, err := c.nc.Write([]byte{'S'}); err != nil {
				return err
			}
			if err := c.startTLS(); err != nil {
				return err
			}
			c.be = pgproto3.NewBackend(c.nc, c.nc)
		case *pgproto3.GSSEncRequest:
			if _, err := c.nc.Write([]byte{'N'}); err != nil {
				return err
			}
		case *pgproto3.CancelRequest:
			c.s.cancel(m.ProcessID, m.SecretKey)
			return errSessionEnded
		case *pgproto3.StartupMessage:
			startup = m
		}
	}
	c.be.SetMaxBodyLen(c.s.cfg.MaxMessageSize)
	c.params = map[string]string{}
	for k, v := range startup.Parameters {
		c.params[k] = v
	}
	c.user = c.params["user"]
	c.database = c.params["database"]
	if c.database == "" {
		c.database = c.user
	}
	if c.user == "" {
		return c.fatal(&Error{Code: CodeInvalidAuthSpec, Message: "no PostgreSQL user name specified in startup packet"})
	}
	if err := c.startupSettings(); err != nil {
		return c.fatal(err)
	}
	switch {
	case c.isTLS:
	case c.s.mutualTLS():
		return c.fatal(&Error{Code: CodeInvalidAuthSpec, Message: "this server requires TLS with a client certificate",
			Hint: "connect with sslmode=verify-full and sslcert/sslkey"})
	case c.s.cfg.TLSRequired:
		c.s.log.Info("plaintext connection refused: TLS is required", "remote", c.nc.RemoteAddr().String(), "user", c.user)
		return c.fatal(&Error{Code: CodeInvalidAuthSpec, Message: "this server requires TLS: connection without encryption refused",
			Hint: "connect with sslmode=require, verify-ca or verify-full"})
	}
	keyLen := 4
	if startup.ProtocolVersion == pgproto3.ProtocolVersion32 {
		keyLen = 32
	}
	if err := c.s.startSession(c, keyLen); err != nil {
		return c.fatal(err)
	}
	if err := c.authenticate(); err != nil {
		return err
	}
	c.be.Send(&pgproto3.AuthenticationOk{})
	for _, k := range reportedSettings {
		v, _ := c.setting(k)
		c.be.Send(&pgproto3.ParameterStatus{Name: k, Value: v})
	}
	c.be.Send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret})
	_ = c.nc.SetDeadline(time.Time{})
	c.mu.Lock()
	c.started = true
	c.mu.Unlock()
	c.s.log.Debug("session started", "pid", c.pid, "user", c.user, "tls", c.isTLS)
	return c.readyForQuery()
}

func (c *conn) startTLS() error {
	cfg := c.s.tls.Load()
	if cfg == nil {
		return errors.New("TLS ClientHello but TLS is not configured")
	}
	tc := tls.Server(c.nc, cfg)
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("TLS handshake: %w", err)
	}
	c.nc, c.isTLS = tc, true
	return nil
}

// authenticate runs SCRAM-SHA-256 when passwords are configured (mutual
// TLS was already checked by the handshake).
func (c *conn) authenticate() error {
	users := c.s.users.Load() // one load: a SIGHUP reload cannot split the decision
	if users == nil {
		return nil
	}
	failed := &Error{Code: CodeInvalidPassword, Message: fmt.Sprintf("password authentication failed for user %q", c.user), Fatal: true}
	x := newSCRAMExchange(users, c.user, c.s.decoyKey)
	c.be.Send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{scramMechanism}})
	if err := c.be.Flush(); err != nil {
		return err
	}
	_ = c.be.SetAuthType(pgproto3.AuthTypeSASL)
	msg, err := c.be.Receive()
	if err != nil {
		return fmt.Errorf("SASL initial response: %w", err)
	}
	init, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok {
		return c.fatal(&Error{Code: CodeProtocolViolation, Message: fmt.Sprintf("expected SASL response, got %T", msg)})
	}
	if init.AuthMechanism != scramMechanism {
		return c.fatal(&Error{Code: CodeProtocolViolation, Message: "client selected an invalid SASL authentication mechanism"})
	}
	serverFirst, err := x.clientFirst(init.Data)
	if err != nil {
		return c.fatal(&Error{Code: CodeProtocolViolation, Message: err.Error()})
	}
	c.be.Send(&pgproto3.AuthenticationSASLContinue{Data: serverFirst})
	if err := c.be.Flush(); err != nil {
		return err
	}
	_ = c.be.SetAuthType(pgproto3.AuthTypeSASLContinue)
	msg, err = c.be.Receive()
	if err != nil {
		return fmt.Errorf("SASL response: %w", err)
	}
	resp, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return c.fatal(&Error{Code: CodeProtocolViolation, Message: fmt.Sprintf("expected SASL response, got %T", msg)})
	}
	serverFinal, good, err := x.clientFinal(resp.Data)
	if err != nil {
		return c.fatal(&Error{Code: CodeProtocolViolation, Message: err.Error()})
	}
	if !good {
		c.s.log.Info("password authentication failed", "user", c.user, "remote", c.nc.RemoteAddr().String())
		return c.fatal(failed)
	}
	_ = c.be.SetAuthType(pgproto3.AuthTypeOk)
	c.be.Send(&pgproto3.AuthenticationSASLFinal{Data: serverFinal})
	return nil
}

// fatal sends err as a FATAL error and ends the connection.
func (c *conn) fatal(err error) error {
	e := toWire(err)
	e.Severity, e.SeverityUnlocalized = "FATAL", "FATAL"
	c.be.Send(e)
	_ = c.be.Flush()
	return fmt.Errorf("%s: %w", e.Code, errSessionEnded)
}

// reportedSettings are sent as ParameterStatus at startup.
var reportedSettings = []string{"server_version", "server_encoding", "client_encoding", "application_name",
	"DateStyle", "TimeZone", "integer_datetimes", "standard_conforming_strings", "IntervalStyle",
	"is_superuser", "session_authorization", "default_transaction_read_only", "in_hot_standby"}

// setting answers current_setting(name) and SHOW name for what clients ask.
func (c *conn) setting(name string) (string, bool) {
	switch name {
	case "server_version":
		return ServerVersion + " (ccql " + c.s.version() + ")", true
	case "server_version_num":
		return "160000", true
	case "server_encoding", "client_encoding":
		return "UTF8", true
	case "application_name":
		return c.params["application_name"], true
	case "datestyle", "DateStyle":
		return "ISO, MDY", true
	case "timezone", "TimeZone":
		return "UTC", true
	case "integer_datetimes", "standard_conforming_strings":
		return "on", true
	case "intervalstyle", "IntervalStyle":
		return "postgres", true
	case "is_superuser", "in_hot_standby":
		return "off", true
	case "session_authorization":
		return c.user, true
	case "default_transaction_read_only", "transaction_read_only":
		if c.s.cfg.ReadOnly {
			return "on", true
		}
		return "off", true
	case "statement_timeout":
		return formatTimeout(c.stmtTimeout), true
	case "max_connections":
		return fmt.Sprint(c.s.cfg.MaxConnections), true
	case "search_path":
		return `"$user", public`, true
	case "max_identifier_length":
		return "63", true
	case "lc_collate", "lc_ctype":
		return "C", true
	}
	return "", false
}

// readyForQuery ends a message cycle: it flushes, and ends the session if a
// Shutdown is waiting for it.
func (c *conn) readyForQuery() error {
	c.be.Send(&pgproto3.ReadyForQuery{TxStatus: c.txStatus})
	if err := c.be.Flush(); err != nil {
		return err
	}
	c.mu.Lock()
	c.busy = false
	draining := c.draining
	c.mu.Unlock()
	c.s.mu.Lock()
	c.s.notify()
	c.s.mu.Unlock()
	if draining {
		c.sendShutdownError()
		return errSessionEnded
	}
	return nil
}

// shutdown is Shutdown's part for one connection: an idle session ends now;
// a busy one at its next ReadyForQuery; one still in its handshake is closed.
func (c *conn) shutdown() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.draining = true
	if c.busy || c.closed {
		return
	}
	if c.started {
		// The connection's goroutine is blocked reading; nothing else is
		// writing, so the error can go out from here.
		c.sendShutdownError()
	}
	c.closed = true
	c.raw.Close()
}

func (c *conn) sendShutdownError() {
	c.sendFatalRaw(CodeAdminShutdown, "terminating connection due to administrator command")
}

// sendFatalRaw writes a FATAL error straight to the connection, from a
// goroutine other than the session's (which is blocked reading).
func (c *conn) sendFatalRaw(code, msg string) {
	e := &pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: code, Message: msg}
	if b, err := e.Encode(nil); err == nil {
		_ = c.nc.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = c.nc.Write(b)
	}
}

// loop reads and answers messages until the client leaves. The socket is
// read by its own goroutine (see sockReader), so that a client that goes
// away is noticed while its statement runs, and the statement cancelled.
func (c *conn) loop() error {
	r := newSockReader(c.nc, c.peerClosed)
	c.be = pgproto3.NewBackend(r, c.nc)
	c.be.SetMaxBodyLen(c.s.cfg.MaxMessageSize)
	for {
		var idle *time.Timer
		if d := c.s.cfg.IdleTimeout; d > 0 {
			idle = time.AfterFunc(d, c.idleExpired)
		}
		msg, err := c.be.Receive()
		if idle != nil {
			idle.Stop()
		}
		if err != nil {
			var tooBig *pgproto3.ExceededMaxBodyLenErr
			if errors.As(err, &tooBig) {
				return c.fatal(&Error{Code: "54000", Message: fmt.Sprintf("message of %d bytes exceeds the limit of %d", tooBig.ActualBodyLen, tooBig.MaxExpectedBodyLen)})
			}
			return err
		}
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return errSessionEnded
		}
		c.busy = true
		c.mu.Unlock()
		if err := c.handle(msg); err != nil {
			return err
		}
	}
}

// idleExpired ends a session that sent nothing for Config.IdleTimeout.
func (c *conn) idleExpired() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.busy || c.closed {
		return
	}
	c.closed = true
	c.s.log.Info("idle session closed", "pid", c.pid, "after", c.s.cfg.IdleTimeout)
	c.sendFatalRaw(CodeIdleSessionTimeout, "terminating connection due to idle-session timeout")
	c.raw.Close()
}

// peerClosed is called when the client's side of the connection ends:
// whatever statement runs for it is cancelled at once.
func (c *conn) peerClosed() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gone = true
	if c.cancel != nil {
		c.cancel()
	}
}

// peerGone reports whether the client's side of the connection ended.
func (c *conn) peerGone() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gone
}

// set applies a SET the server itself honours; other names are accepted
// and ignored (the engine answers them).
func (c *conn) set(name, value string) error {
	if name != "statement_timeout" {
		return nil
	}
	d, err := parseTimeout(value, c.s.cfg.StatementTimeout)
	if err != nil {
		return errorf(CodeInvalidParameter, "invalid value for parameter \"statement_timeout\": %q", value)
	}
	c.stmtTimeout = d
	return nil
}

// parseTimeout reads a PostgreSQL time setting: a number of milliseconds,
// or a number with a unit (us, ms, s, min, h, d); DEFAULT is def.
func parseTimeout(v string, def time.Duration) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "default") {
		return def, nil
	}
	i := 0
	for i < len(v) && (v[i] >= '0' && v[i] <= '9' || v[i] == '.') {
		i++
	}
	n, err := strconv.ParseFloat(v[:i], 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad timeout %q", v)
	}
	unit := map[string]time.Duration{"": time.Millisecond, "us": time.Microsecond, "ms": time.Millisecond, "s": time.Second,
		"min": time.Minute, "h": time.Hour, "d": 24 * time.Hour}
	u, ok := unit[strings.ToLower(strings.TrimSpace(v[i:]))]
	if !ok {
		return 0, fmt.Errorf("bad timeout unit in %q", v)
	}
	return time.Duration(n * float64(u)), nil
}

// startupSettings applies the settings of the startup packet: a
// statement_timeout parameter, or -c statement_timeout=… in options
// (PGOPTIONS).
func (c *conn) startupSettings() error {
	c.stmtTimeout = c.s.cfg.StatementTimeout
	if v, ok := c.params["statement_timeout"]; ok {
		if err := c.set("statement_timeout", v); err != nil {
			return err
		}
	}
	opts := strings.Fields(c.params["options"])
	for i := 0; i < len(opts); i++ {
		o := opts[i]
		switch {
		case o == "-c" && i+1 < len(opts):
			i++
			o = opts[i]
		case strings.HasPrefix(o, "-c"):
			o = o[2:]
		case strings.HasPrefix(o, "--"):
			o = o[2:]
		default:
			continue
		}
		if k, v, ok := strings.Cut(o, "="); ok {
			if err := c.set(strings.ReplaceAll(strings.ToLower(k), "-", "_"), v); err != nil {
				return err
			}
		}
	}
	return nil
}

// statementContext returns the context for the statements of one message,
// cancelled by a CancelRequest, the client's leaving, or statement_timeout.
func (c *conn) statementContext() (context.Context, func()) {
	ctx, cancelCause := context.WithCancelCause(c.s.baseCtx)
	cancel := func() { cancelCause(nil) }
	var stop context.CancelFunc = func() {}
	if c.stmtTimeout > 0 {
		ctx, stop = context.WithTimeout(ctx, c.stmtTimeout)
	}
	c.mu.Lock()
	c.cancel = cancel
	if c.gone {
		cancel()
	}
	c.mu.Unlock()
	return ctx, func() {
		c.mu.Lock()
		c.cancel = nil
		c.mu.Unlock()
		// The cause tells a portal's open rows (see linkPortal) that the
		// message ended normally, not that it was cancelled.
		cancelCause(errMessageDone)
		stop()
	}
}

// errMessageDone is the cause of a statement context's end when its
// message was answered.
var errMessageDone = errors.New("message answered")

// linkPortal cancels a portal's rows when the message working on them is
// cancelled (CancelRequest, the client leaving, statement_timeout), but not
// when it ends normally: a portal's rows outlive the message that opened
// them. The returned func unlinks.
func linkPortal(msgCtx context.Context, pt *portal) func() bool {
	return context.AfterFunc(msgCtx, func() {
		if context.Cause(msgCtx) != errMessageDone {
			pt.cancel() // safe from here: the rows see their context end
		}
	})
}

// sockReader reads a connection in its own goroutine and hands the bytes
// to the protocol reader. Without it nothing would read the socket while a
// statement runs, and a client that closed its connection (pgx does on a
// context deadline) would go unnoticed until the statement ended; with it,
// the end of the stream calls onEOF at once. It buffers at most
// sockBufferLimit bytes ahead of the protocol reader.
type sockReader struct {
	mu    sync.Mutex
	cond  *sync.Cond
	buf   []byte
	err   error
	onEOF func()
}

const sockBufferLimit = 1 << 20

func newSockReader(src io.Reader, onEOF func()) *sockReader {
	r := &sockReader{onEOF: onEOF}
	r.cond = sync.NewCond(&r.mu)
	go r.fill(src)
	return r
}

func (r *sockReader) fill(src io.Reader) {
	chunk := make([]byte, 32<<10)
	for {
		n, err := src.Read(chunk)
		r.mu.Lock()
		r.buf = append(r.buf, chunk[:n]...)
		if err != nil {
			r.err = err
			r.cond.Broadcast()
			r.mu.Unlock()
			r.onEOF()
			return
		}
		r.cond.Broadcast()
		for len(r.buf) >= sockBufferLimit {
			r.cond.Wait()
		}
		r.mu.Unlock()
	}
}

// Read implements io.Reader for the protocol reader.
func (r *sockReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.buf) == 0 && r.err == nil {
		r.cond.Wait()
	}
	if len(r.buf) == 0 {
		return 0, r.err
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	if len(r.buf) == 0 {
		r.buf = nil // let a big message's buffer go
	}
	r.cond.Broadcast()
	return n, nil
}

// formatTimeout renders a statement_timeout as SHOW does: 0, or with a
// unit.
func formatTimeout(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "min"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}
