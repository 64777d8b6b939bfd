package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/internal/mcpserver"
	"github.com/ccql/ccql/pgwire"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"
)

// mcpFlags are ccql mcp's options.
type mcpFlags struct {
	backendFlags
	mode      string
	httpAddr  string
	auditLog  string
	maxRows   int
	tokenFile string
	usersFile string
	logLevel  string
}

// mcpTokenEnv names the environment variable that may hold the HTTP bearer
// token (a file or the environment: never the command line, which other
// users can read).
const mcpTokenEnv = "CCQL_MCP_TOKEN"

func newMCPCmd(a *app) *cobra.Command {
	var f mcpFlags
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve the engine to AI assistants as a Model Context Protocol server (stdio or HTTP)",
		Long: `Serve ccql as a Model Context Protocol (MCP) server: tools to list and describe
resources, query them, plan a mutation without sending it, run one (awaited)
and follow request status; prompts and resources that teach the dialect.

By default it speaks MCP on stdin/stdout (what desktop assistants launch);
--http ADDR serves streamable HTTP at http://ADDR/mcp instead, on loopback
unless a bearer token (--token-file or ` + mcpTokenEnv + `) or a users file
(--users-file, HTTP Basic, the lines of 'ccql srv passwd') is given.

--mode read-only refuses mutations (the default with --backend aws), safe asks
the user through the client (MCP elicitation) before each one (the default for
--endpoint), full runs them (the default for the embedded emulator). Every
mutation is recorded in the audit log (--audit-log; the path is printed on
stderr at start). See docs/mcp.md.`,
		Example: `  ccql mcp                                  # stdio, embedded emulator, full mode
  ccql mcp --backend aws                    # stdio, real AWS, read-only
  ccql mcp --backend aws --mode safe        # mutations confirmed by the user
  ccql mcp --http 127.0.0.1:8808            # streamable HTTP on loopback`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runMCP(a, &f) },
	}
	fs := cmd.Flags()
	f.register(fs)
	fs.StringVar(&f.mode, "mode", "", "read-only, safe or full (default: read-only for --backend aws, safe for an endpoint, full for the embedded emulator)")
	fs.StringVar(&f.httpAddr, "http", "", "serve streamable HTTP on ADDR (e.g. 127.0.0.1:8808) instead of stdio")
	fs.StringVar(&f.auditLog, "audit-log", "", "the audit log of mutations (JSON lines; default DATA_DIR/mcp-audit.jsonl)")
	fs.IntVar(&f.maxRows, "max-rows", mcpserver.DefaultMaxRows, "the default row limit of the query tools")
	fs.StringVar(&f.tokenFile, "token-file", "", "HTTP: a file holding the bearer token clients must send (or set "+mcpTokenEnv+")")
	fs.StringVar(&f.usersFile, "users-file", "", "HTTP: accept Basic authentication for the users of this file (see 'ccql srv passwd')")
	fs.StringVar(&f.logLevel, "log-level", "warn", "log level on stderr: debug, info, warn, error")
	return cmd
}

// defaultMode is the safety mode of a backend when --mode is not given.
func defaultMode(b ccql.Backend) mcpserver.Mode {
	switch b {
	case ccql.BackendAWS:
		return mcpserver.ModeReadOnly
	case ccql.BackendEndpoint:
		return mcpserver.ModeSafe
	}
	return mcpserver.ModeFull
}

func runMCP(a *app, f *mcpFlags) error {
	logger, err := newLogger(a.stderr, f.logLevel)
	if err != nil {
		return err
	}
	cfg, err := f.config()
	if err != nil {
		return err
	}
	mode := defaultMode(cfg.Backend)
	if f.mode != "" {
		if mode, err = mcpserver.ParseMode(f.mode); err != nil {
			return usageErrorf("--mode: %v", err)
		}
	}
	if f.maxRows < 1 || f.maxRows > mcpserver.HardMaxRows {
		return usageErrorf("--max-rows must be between 1 and %d", mcpserver.HardMaxRows)
	}
	var auth func(*http.Request) bool
	if f.httpAddr != "" {
		if auth, err = mcpAuth(f); err != nil {
			return err
		}
		if auth == nil && !loopbackAddr(f.httpAddr) {
			return usageErrorf("refusing to serve MCP on %s without authentication: set --token-file (or %s) or --users-file, or listen on 127.0.0.1", f.httpAddr, mcpTokenEnv)
		}
	} else if f.tokenFile != "" || f.usersFile != "" {
		return usageErrorf("--token-file and --users-file authenticate HTTP clients: use them with --http")
	}
	auditPath := f.auditLog
	if auditPath == "" {
		auditPath = filepath.Join(cfg.DataDir, "mcp-audit.jsonl")
	}
	audit, err := mcpserver.OpenAudit(auditPath)
	if err != nil {
		return fmt.Errorf("mcp: %w", err)
	}
	defer audit.Close()

	cfg.Logger = logger
	eng, err := ccql.Open(a.ctx, cfg)
	if err != nil {
		return fmt.Errorf("mcp: %w", err)
	}
	defer eng.Close()
	srv, err := mcpserver.New(mcpserver.Options{Engine: eng, Mode: mode, Audit: audit, Backend: backendLabel(cfg),
		Version: version, MaxRows: f.maxRows, Logger: logger})
	if err != nil {
		return fmt.Errorf("mcp: %w", err)
	}
	// stdout is the protocol in stdio mode: everything for people goes to stderr.
	fmt.Fprintf(a.stderr, "ccql mcp: %s, mode %s, audit log %s\n", backendLabel(cfg), mode, audit.Path())
	if f.httpAddr == "" {
		t := &mcp.IOTransport{Reader: io.NopCloser(a.stdin), Writer: nopWriteCloser{a.stdout}}
		if err := srv.Run(a.ctx, t); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, io.EOF) {
			return fmt.Errorf("mcp: %w", err)
		}
		return nil
	}
	return serveMCPHTTP(a, f.httpAddr, srv, auth, logger)
}

// backendLabel says what answers Cloud Control, for people and clients.
func backendLabel(cfg ccql.Config) string {
	switch cfg.Backend {
	case ccql.BackendAWS:
		return "AWS (the SDK's credential chain)"
	case ccql.BackendEndpoint:
		if cfg.Endpoint != "" {
			return "the Cloud Control endpoint " + cfg.Endpoint
		}
		return "the Cloud Control endpoint of AWS_ENDPOINT_URL_CLOUDCONTROL"
	}
	return "the embedded emulator (" + cfg.DataDir + ")"
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// serveMCPHTTP serves streamable HTTP at /mcp until the context ends.
func serveMCPHTTP(a *app, addr string, srv *mcp.Server, auth func(*http.Request) bool, logger *slog.Logger) error {
	// Sessions are stateful (safe mode asks the client mid-call); one idle
	// for half an hour is closed so that abandoned ones do not pile up.
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv },
		&mcp.StreamableHTTPOptions{Logger: logger, SessionTimeout: 30 * time.Minute})
	var handler http.Handler = h
	if auth != nil {
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !auth(r) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="ccql", Basic realm="ccql"`)
				http.Error(w, "unauthorized: send Authorization: Bearer <token> (or Basic for a users-file user)", http.StatusUnauthorized)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", handler)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("mcp: %w", err)
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	fmt.Fprintf(a.stderr, "ccql mcp: listening on http://%s/mcp\n", ln.Addr())
	select {
	case err := <-errc:
		return fmt.Errorf("mcp: %w", err)
	case <-a.ctx.Done():
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil {
		hs.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("mcp: %w", err)
	}
	return nil
}

// mcpAuth returns the HTTP authentication check, or nil when neither a
// token nor a users file is configured.
func mcpAuth(f *mcpFlags) (func(*http.Request) bool, error) {
	token := os.Getenv(mcpTokenEnv)
	if f.tokenFile != "" {
		b, err := os.ReadFile(f.tokenFile)
		if err != nil {
			return nil, fmt.Errorf("--token-file: %w", err)
		}
		token = strings.TrimSpace(string(b))
		if token == "" {
			return nil, usageErrorf("--token-file %s is empty", f.tokenFile)
		}
	}
	var users *pgwire.Users
	if f.usersFile != "" {
		u, err := pgwire.LoadUsers(f.usersFile)
		if err != nil {
			return nil, err
		}
		if u.Len() == 0 {
			return nil, fmt.Errorf("users file %s has no users (add one with 'ccql srv passwd NAME --users-file %s')", f.usersFile, f.usersFile)
		}
		users = u
	}
	if token == "" && users == nil {
		return nil, nil
	}
	want := sha256.Sum256([]byte(token))
	// A password check is a PBKDF2 derivation; remember the ones that
	// passed (by hash) so that each MCP request does not pay for it again.
	var mu sync.Mutex
	ok := map[[32]byte]bool{}
	return func(r *http.Request) bool {
		h := r.Header.Get("Authorization")
		if t, found := strings.CutPrefix(h, "Bearer "); found && token != "" {
			got := sha256.Sum256([]byte(strings.TrimSpace(t)))
			return subtle.ConstantTimeCompare(got[:], want[:]) == 1
		}
		if name, pass, found := r.BasicAuth(); found && users != nil {
			key := sha256.Sum256([]byte(name + "\x00" + pass))
			mu.Lock()
			hit := ok[key]
			mu.Unlock()
			if hit {
				return true
			}
			if users.Verify(name, pass) {
				mu.Lock()
				ok[key] = true
				mu.Unlock()
				return true
			}
		}
		return false
	}, nil
}
