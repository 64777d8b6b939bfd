package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/pgwire"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// DefaultSrvAddr is where ccql srv listens by default: loopback, since
// without --users-file or --tls-client-ca nobody is authenticated.
const DefaultSrvAddr = "127.0.0.1:5466"

// srvFlags are ccql srv's options.
type srvFlags struct {
	backendFlags
	addr             string
	usersFile        string
	tlsCert          string
	tlsKey           string
	tlsClientCA      string
	tlsRequired      bool
	readOnly         bool
	maxConnections   int
	shutdownTimeout  time.Duration
	statementTimeout time.Duration
	idleTimeout      time.Duration
	logLevel         string
}

func newSrvCmd(a *app) *cobra.Command {
	var f srvFlags
	cmd := &cobra.Command{
		Use:   "srv",
		Short: "Serve StackQL over the PostgreSQL wire protocol (psql, pgx, JDBC, BI tools)",
		Long: `Serve the ccql engine over the PostgreSQL wire protocol, so that psql, drivers
(pgx, JDBC, psycopg) and BI tools run StackQL statements:

  ccql srv &
  psql "host=127.0.0.1 port=5466 user=me dbname=ccql sslmode=disable" \
    -c "SELECT user_pool_id FROM awscc.cognito.user_pools_list_only WHERE region = 'us-east-1'"

Clients authenticate with SCRAM-SHA-256 passwords from --users-file (lines
made by 'ccql srv passwd NAME'), or with client certificates signed by
--tls-client-ca (mutual TLS), or both. Without either, only a loopback
address may be served. TLS (--tls-cert, --tls-key) is offered to clients
that ask (sslmode=require, verify-full); --tls-required refuses those that
do not (SQLSTATE 28000). SIGHUP reloads the users file and
the TLS files. SIGTERM stops accepting, lets running statements finish
(up to --shutdown-timeout), then exits.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSrv(a, &f)
		},
	}
	fs := cmd.Flags()
	f.register(fs)
	fs.StringVar(&f.addr, "addr", DefaultSrvAddr, "address to listen on")
	fs.StringVar(&f.usersFile, "users-file", "", "file of name:SCRAM-SHA-256$… lines (see 'ccql srv passwd'); clients must give a password")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "PEM certificate chain for TLS")
	fs.StringVar(&f.tlsKey, "tls-key", "", "PEM private key for TLS")
	fs.StringVar(&f.tlsClientCA, "tls-client-ca", "", "PEM CA bundle: clients must present a certificate it signed (mutual TLS)")
	fs.BoolVar(&f.tlsRequired, "tls-required", false, "refuse clients that do not use TLS (SQLSTATE 28000); needs --tls-cert and --tls-key")
	fs.BoolVar(&f.readOnly, "read-only", false, "reject INSERT, UPDATE and DELETE (SQLSTATE 25006)")
	fs.IntVar(&f.maxConnections, "max-connections", pgwire.DefaultMaxConnections, "concurrent sessions; more are refused (SQLSTATE 53300)")
	fs.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 30*time.Second, "on SIGTERM, how long running statements may take before they are cancelled")
	fs.DurationVar(&f.statementTimeout, "statement-timeout", 0, "cancel a statement that runs longer (SQLSTATE 57014); clients may SET statement_timeout; 0 means no limit")
	fs.DurationVar(&f.idleTimeout, "idle-timeout", time.Hour, "close a session idle for this long (SQLSTATE 57P05); 0 means never")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	cmd.AddCommand(newSrvPasswdCmd(a))
	return cmd
}

// srvSecurity loads the users file and the TLS configuration.
func srvSecurity(f *srvFlags) (*pgwire.Users, *tls.Config, error) {
	var users *pgwire.Users
	if f.usersFile != "" {
		u, err := pgwire.LoadUsers(f.usersFile)
		if err != nil {
			return nil, nil, err
		}
		if u.Len() == 0 {
			return nil, nil, fmt.Errorf("users file %s has no users (add one with 'ccql srv passwd NAME --users-file %s')", f.usersFile, f.usersFile)
		}
		users = u
	}
	var tc *tls.Config
	if f.tlsRequired && (f.tlsCert == "" || f.tlsKey == "") {
		return nil, nil, usageErrorf("--tls-required needs --tls-cert and --tls-key: without TLS every client would be refused")
	}
	if f.tlsCert != "" || f.tlsKey != "" || f.tlsClientCA != "" {
		if f.tlsCert == "" || f.tlsKey == "" {
			return nil, nil, usageErrorf("TLS needs both --tls-cert and --tls-key")
		}
		cfg, err := pgwire.LoadTLSConfig(f.tlsCert, f.tlsKey, f.tlsClientCA)
		if err != nil {
			return nil, nil, err
		}
		tc = cfg
	}
	return users, tc, nil
}

func runSrv(a *app, f *srvFlags) error {
	logger, err := newLogger(a.stderr, f.logLevel)
	if err != nil {
		return err
	}
	if f.maxConnections < 1 {
		return usageErrorf("--max-connections must be at least 1")
	}
	cfg, err := f.config()
	if err != nil {
		return err
	}
	users, tc, err := srvSecurity(f)
	if err != nil {
		return fmt.Errorf("srv: %w", err)
	}
	pcfg := pgwire.Config{Users: users, TLS: tc, TLSRequired: f.tlsRequired, ReadOnly: f.readOnly, MaxConnections: f.maxConnections, Version: version, Logger: logger,
		StatementTimeout: f.statementTimeout, IdleTimeout: f.idleTimeout}
	if users == nil && f.tlsClientCA == "" && !loopbackAddr(f.addr) {
		return usageErrorf("refusing to serve %s without authentication: set --users-file (passwords) or --tls-client-ca (client certificates), or listen on 127.0.0.1", f.addr)
	}
	cfg.Logger = logger
	// Every connection may run a statement at once.
	cfg.MaxStatements = f.maxConnections
	eng, err := ccql.Open(a.ctx, cfg)
	if err != nil {
		return fmt.Errorf("srv: %w", err)
	}
	defer eng.Close()
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("srv: %w", err)
	}
	srv := pgwire.NewServer(eng, pcfg)

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-hup:
				reloadSrv(srv, f, logger)
			case <-a.ctx.Done():
				return
			}
		}
	}()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String(), "backend", cfg.Backend, "passwords", users != nil,
		"tls", pcfg.TLS != nil, "tlsRequired", f.tlsRequired, "mutualTLS", f.tlsClientCA != "", "readOnly", f.readOnly)
	fmt.Fprintf(a.stdout, "ccql srv: listening on %s\n", ln.Addr())
	select {
	case err := <-errc:
		return fmt.Errorf("srv: %w", err)
	case <-a.ctx.Done():
	}
	logger.Info("shutting down: letting running statements finish", "timeout", f.shutdownTimeout)
	ctx, cancel := context.WithTimeout(context.Background(), f.shutdownTimeout)
	defer cancel()
	shutErr := srv.Shutdown(ctx)
	if err := <-errc; err != nil && !errors.Is(err, pgwire.ErrServerClosed) {
		return fmt.Errorf("srv: %w", err)
	}
	if shutErr != nil {
		logger.Warn("running statements were cancelled", "err", shutErr)
	}
	logger.Info("stopped")
	return nil
}

// reloadSrv re-reads the users file and the TLS files on SIGHUP; on an
// error the server keeps what it had.
func reloadSrv(srv *pgwire.Server, f *srvFlags, logger *slog.Logger) {
	users, tc, err := srvSecurity(f)
	if err != nil {
		logger.Error("reload failed; keeping the previous users and certificates", "err", err)
		return
	}
	if f.usersFile != "" {
		srv.SetUsers(users)
	}
	if tc != nil {
		srv.SetTLSConfig(tc)
	}
	logger.Info("reloaded", "users", users.Len(), "tls", tc != nil)
}

// loopbackAddr reports whether a listen address is loopback only.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func newSrvPasswdCmd(a *app) *cobra.Command {
	var usersFile string
	cmd := &cobra.Command{
		Use:   "passwd NAME",
		Short: "Make a users-file line for NAME (SCRAM-SHA-256), or set it in --users-file",
		Long: `Read a password (from a prompt on a terminal, else the first line of stdin) and
print NAME's users-file line: NAME:SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>,
the verifier PostgreSQL itself stores. The password is not kept. With
--users-file the line is written there instead, replacing NAME's line if it
has one; send ccql srv a SIGHUP to pick it up.`,
		Example: `  ccql srv passwd alice >> users
  printf '%s\n' "$PW" | ccql srv passwd alice --users-file /etc/ccql/users`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSrvPasswd(a, args[0], usersFile)
		},
	}
	cmd.Flags().StringVar(&usersFile, "users-file", "", "users file to add or update NAME in (created 0600 if missing)")
	return cmd
}

func runSrvPasswd(a *app, name, usersFile string) error {
	if err := pgwire.ValidUserName(name); err != nil {
		return usageErrorf("%v", err)
	}
	password, err := readPassword(a)
	if err != nil {
		return err
	}
	if password == "" {
		return usageErrorf("empty password")
	}
	line, err := pgwire.UsersLine(name, password)
	if err != nil {
		return err
	}
	if usersFile == "" {
		_, err := io.WriteString(a.stdout, line)
		return err
	}
	old, err := os.ReadFile(usersFile)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("users file: %w", err)
	}
	content := pgwire.SetUserLine(old, name, line)
	if _, err := pgwire.ParseUsers(strings.NewReader(string(content))); err != nil {
		return fmt.Errorf("users file %s would not parse after the change: %w", usersFile, err)
	}
	// Write a sibling and rename, so a reload never sees half a file.
	tmp, err := os.CreateTemp(filepath.Dir(usersFile), ".users-*")
	if err != nil {
		return fmt.Errorf("users file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return fmt.Errorf("users file: %w", err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("users file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("users file: %w", err)
	}
	if err := os.Rename(tmp.Name(), usersFile); err != nil {
		return fmt.Errorf("users file: %w", err)
	}
	fmt.Fprintf(a.stderr, "ccql srv passwd: set %s in %s\n", name, usersFile)
	return nil
}

// readPassword prompts twice on a terminal; otherwise it reads stdin's
// first line.
func readPassword(a *app) (string, error) {
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(a.stderr, "Password: ")
		p1, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(a.stderr, "Again: ")
		p2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(p1) != string(p2) {
			return "", errors.New("the passwords differ")
		}
		return string(p1), nil
	}
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
