package pgwire

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
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
	cancel   context.CancelFunc // the running statements' context
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
	e := &pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: CodeAdminShutdown,
		Message: "terminating connection due to administrator command"}
	if b, err := e.Encode(nil); err == nil {
		_ = c.nc.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = c.nc.Write(b)
	}
}

// loop reads and answers messages until the client leaves.
func (c *conn) loop() error {
	for {
		msg, err := c.be.Receive()
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

// statementContext returns the context for the statements of one message,
// cancellable by a CancelRequest.
func (c *conn) statementContext() (context.Context, func()) {
	ctx, cancel := context.WithCancel(c.s.baseCtx)
	c.mu.Lock()
	c.cancel = cancel
	c.mu.Unlock()
	return ctx, func() {
		c.mu.Lock()
		c.cancel = nil
		c.mu.Unlock()
		cancel()
	}
}
