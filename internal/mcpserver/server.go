package mcpserver

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/schema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Mode says what the server lets a client change.
type Mode string

// The modes.
const (
	// ModeReadOnly refuses every mutation (the default for real AWS).
	ModeReadOnly Mode = "read-only"
	// ModeSafe runs a mutation only after the user confirms it through MCP
	// elicitation; a client that cannot elicit cannot mutate.
	ModeSafe Mode = "safe"
	// ModeFull runs mutations as asked (the default for the embedded
	// emulator, a sandbox).
	ModeFull Mode = "full"
)

// ErrBadMode is returned by ParseMode for an unknown mode name.
var ErrBadMode = errors.New("unknown mode")

// ParseMode returns the mode called s (read-only, safe or full).
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case ModeReadOnly, ModeSafe, ModeFull:
		return m, nil
	case "readonly", "read_only":
		return ModeReadOnly, nil
	}
	return "", fmt.Errorf("%w %q (want read-only, safe or full)", ErrBadMode, s)
}

// Engine is what the server needs of a *ccql.Engine: every statement is
// prepared (checked whole, before any request) and then run or planned.
type Engine interface {
	Prepare(ctx context.Context, statement string) (*ccql.Stmt, error)
}

// Options configure a server.
type Options struct {
	Engine Engine // required
	// Catalog answers describe_resource and the schema resources; nil means
	// the full awscc catalog (the one the engine uses).
	Catalog *catalog.Catalog
	Mode    Mode      // "" means ModeReadOnly
	Audit   *AuditLog // required unless Mode is ModeReadOnly
	// Backend names what answers Cloud Control, for server_info and the
	// instructions ("the embedded emulator", "AWS", an endpoint URL).
	Backend string
	Version string       // the ccql version, reported to clients
	MaxRows int          // the most rows a query tool returns; 0 means DefaultMaxRows
	Logger  *slog.Logger // nil means discard
	// ConfirmKey signs safe-mode confirmations; nil means a random key per
	// server (confirmations do not outlive the process).
	ConfirmKey []byte
}

// DefaultMaxRows is the row limit of the query tools when a call gives none.
const DefaultMaxRows = 200

// HardMaxRows bounds any max_rows a call asks for.
const HardMaxRows = 10000

// server holds what the tool handlers share.
type server struct {
	opts    Options
	cat     *catalog.Catalog
	confirm []byte
}

// New returns the MCP server: its tools, prompts and resources.
func New(opts Options) (*mcp.Server, error) {
	if opts.Engine == nil {
		return nil, errors.New("mcpserver: no engine")
	}
	if opts.Mode == "" {
		opts.Mode = ModeReadOnly
	}
	if _, err := ParseMode(string(opts.Mode)); err != nil {
		return nil, fmt.Errorf("mcpserver: %w", err)
	}
	if opts.Mode != ModeReadOnly && opts.Audit == nil {
		return nil, fmt.Errorf("mcpserver: mode %s lets clients mutate, so it needs an audit log", opts.Mode)
	}
	if opts.MaxRows <= 0 {
		opts.MaxRows = DefaultMaxRows
	}
	if opts.Backend == "" {
		opts.Backend = "the embedded emulator"
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	s := &server{opts: opts, cat: opts.Catalog, confirm: opts.ConfirmKey}
	if s.cat == nil {
		s.cat = catalog.New(schema.NewFullRegistry())
	}
	if len(s.confirm) == 0 {
		s.confirm = make([]byte, 32)
		if _, err := rand.Read(s.confirm); err != nil {
			return nil, fmt.Errorf("mcpserver: confirmation key: %w", err)
		}
	}
	srv := mcp.NewServer(&mcp.Implementation{Name: "ccql", Title: "ccql — SQL for AWS Cloud Control", Version: opts.Version},
		&mcp.ServerOptions{Instructions: s.instructions(), Logger: opts.Logger, Capabilities: &mcp.ServerCapabilities{}})
	if err := s.addTools(srv); err != nil {
		return nil, err
	}
	s.addPrompts(srv)
	s.addResources(srv)
	return srv, nil
}

// instructions is what a client shows its model about the server.
func (s *server) instructions() string {
	var mode string
	switch s.opts.Mode {
	case ModeReadOnly:
		mode = "This server is read-only: run_mutation refuses every INSERT, UPDATE and DELETE (plan_mutation still shows what one would send)."
	case ModeSafe:
		mode = "Mutations need the user's confirmation: run_mutation asks through the client before sending anything."
	case ModeFull:
		mode = "Mutations run when asked; every one is written to the audit log."
	}
	return `ccql runs StackQL-dialect SQL against AWS Cloud Control (` + s.opts.Backend + `).
Resources are tables named awscc.<service>.<resource> (awscc.cognito.user_pool_clients); every
table needs region bound in WHERE (region = 'us-east-1'); a full table also takes the hidden
Identifier column ('pool_id|client_id') to read one resource, and lists then gets every match
without it. <resource>_list_only tables list identifiers only and are cheaper.
Find tables with list_services, list_resources and describe_resource (or the resources
ccql://awscc/{service}/{resource}); read with query (SELECT, SHOW, DESCRIBE; SQLite's joins,
json_each and ->> work); change with plan_mutation first, then run_mutation (INSERT … SELECT,
UPDATE … SET PatchDocument = '[…]' or SET col = value, DELETE … WHERE Identifier = …).
` + mode
}
