package ccql

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/smithy-go"
	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/cloudcontrol"
	"github.com/ccql/ccql/internal/iql"
	"github.com/ccql/ccql/internal/provider"
	"github.com/ccql/ccql/internal/schema"
	"github.com/ccql/ccql/internal/vtable"
	"modernc.org/sqlite"
)

// Engine runs StackQL statements. It is safe for concurrent use: each
// statement runs on its own SQLite session.
type Engine struct {
	cfg     Config
	api     cloudcontrol.API
	closeFn func() error
	cat     *catalog.Catalog
	prov    *provider.Provider
	db      *vtable.DB
	log     *slog.Logger

	closeOnce sync.Once
	closeErr  error
}

// ResolveDataDir is the one rule for where ccql keeps its state, shared
// by every command so that ccql serve and ccql exec agree: dir if given,
// else $CCQL_DATA_DIR, else $XDG_DATA_HOME/ccql (only an absolute
// XDG_DATA_HOME counts, as the XDG spec says), else $HOME/.local/share/ccql.
func ResolveDataDir(dir string, getenv func(string) string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	if d := getenv("CCQL_DATA_DIR"); d != "" {
		return d, nil
	}
	if x := getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "ccql"), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no data dir: set --data-dir or CCQL_DATA_DIR: %w", err)
		}
		home = h
	}
	return filepath.Join(home, ".local", "share", "ccql"), nil
}

// Open starts an engine on the configured backend.
func Open(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.Backend == "" {
		switch {
		case cfg.CloudControl != nil:
			cfg.Backend = BackendClient
		case cfg.Endpoint != "":
			cfg.Backend = BackendEndpoint
		default:
			cfg.Backend = BackendLocal
		}
	}
	if cfg.WaitTimeout <= 0 {
		cfg.WaitTimeout = DefaultWaitTimeout
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	e := &Engine{cfg: cfg, log: cfg.Logger}
	if e.log == nil {
		e.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var err error
	var outbox provider.Outbox // nil: the backend has no Cognito outbox
	switch cfg.Backend {
	case BackendLocal:
		if cfg.DataDir == "" {
			return nil, errors.New("the local backend needs Config.DataDir (ResolveDataDir gives the standard one)")
		}
		var l *lazyLocal
		l, e.closeFn, err = openLocal(cfg.DataDir, cfg)
		e.api, outbox = l, l
	case BackendClient:
		if cfg.CloudControl == nil {
			return nil, errors.New("backend client needs Config.CloudControl")
		}
		e.api = cfg.CloudControl
	case BackendAWS, BackendEndpoint:
		if cfg.Backend == BackendEndpoint && cfg.Endpoint == "" {
			return nil, errors.New("backend endpoint needs an endpoint URL (--endpoint or AWS_ENDPOINT_URL_CLOUDCONTROL)")
		}
		e.api, err = cloudcontrol.NewSDK(ctx, cloudcontrol.SDKOptions{Endpoint: cfg.Endpoint, Region: cfg.Region})
		if cfg.Backend == BackendEndpoint {
			outbox = httpOutbox{endpoint: cfg.Endpoint, client: http.DefaultClient}
		}
	default:
		return nil, fmt.Errorf("unknown backend %q (want local, aws, endpoint or client)", cfg.Backend)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s backend: %w", cfg.Backend, err)
	}
	e.api = regionChecked{e.api}
	e.cat = catalog.New(schema.NewFullRegistry())
	e.prov = provider.New(e.cat, e.api, cfg.Concurrency)
	e.prov.SetDefaultRegion(cfg.DefaultRegion)
	e.prov.SetOutbox(outbox)
	if cfg.MaxStatements <= 0 {
		cfg.MaxStatements = DefaultMaxStatements
	}
	e.db, err = vtable.Open(e.prov.Resolve, sqlFuncs(), cfg.MaxStatements)
	if err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Close releases the engine; with the embedded emulator it first lets the
// requests in flight finish.
func (e *Engine) Close() error {
	e.closeOnce.Do(func() {
		var errs []error
		if e.db != nil {
			errs = append(errs, e.db.Close())
		}
		if e.closeFn != nil {
			errs = append(errs, e.closeFn())
		}
		e.closeErr = errors.Join(errs...)
	})
	return e.closeErr
}

func (e *Engine) concurrency() int { return e.cfg.Concurrency }

func idents(refs []iql.TableRef) []string {
	names := iql.Names(refs)
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n.String()
	}
	return out
}

// table resolves a three-part name in the catalog.
func (e *Engine) table(n iql.TableName) (*catalog.Table, error) {
	t, err := e.cat.Table(n.Provider, n.Service, n.Resource)
	if err != nil {
		return nil, e.unknownTable(n)
	}
	return t, nil
}

func (e *Engine) runSelect(ctx context.Context, s *iql.Select, args []any) (*Result, error) {
	tables, err := e.selectTables(s)
	if err != nil {
		return nil, err
	}
	rows, err := e.db.QueryPrefetch(ctx, tables, e.prefetchFor(tables, s.Bindings, args), e.cfg.Concurrency, s.SQL, argsFor(s.SQL, args)...)
	if err != nil {
		return nil, e.selectError(err, tables)
	}
	return typedResult(rows), nil
}

// prefetchFor returns the scans a single-table SELECT will make when its
// WHERE binds key columns to several values (region IN ('a', 'b')), so
// that they run in parallel before SQLite visits them one by one.
func (e *Engine) prefetchFor(tables []string, bindings []iql.Binding, args []any) []vtable.Prefetch {
	if len(tables) != 1 || len(bindings) == 0 {
		return nil
	}
	t, err := e.prov.Resolve(tables[0])
	if err != nil {
		return nil
	}
	keys := []map[string]any{{}}
	multi := false
	for _, col := range t.Columns() {
		if col.Key == vtable.NotKey {
			continue
		}
		var vals []string
		for _, b := range bindings {
			if !strings.EqualFold(b.Column, col.Name) {
				continue
			}
			if vals != nil {
				return nil // bound twice: leave it to SQLite
			}
			for _, v := range b.Values {
				switch v.Kind {
				case iql.ValueString:
					vals = append(vals, v.Text)
				case iql.ValueParam:
					i, ok := iql.ParamIndex(v.Text)
					if !ok || i >= len(args) {
						return nil
					}
					s, ok := args[i].(string)
					if !ok {
						return nil // SQLite compares other types by its own rules
					}
					vals = append(vals, s)
				default:
					return nil
				}
			}
		}
		if len(vals) == 0 {
			continue
		}
		multi = multi || len(vals) > 1
		var next []map[string]any
		for _, k := range keys {
			for _, v := range vals {
				m := make(map[string]any, len(k)+1)
				for kk, vv := range k {
					m[kk] = vv
				}
				m[col.Name] = v
				next = append(next, m)
			}
		}
		keys = next
	}
	if !multi || len(keys) > 256 {
		return nil
	}
	return []vtable.Prefetch{{Table: tables[0], Keys: keys}}
}

func (e *Engine) runShow(ctx context.Context, s *iql.Show) (*Result, error) {
	like := ""
	if s.Like != nil {
		like = *s.Like
	}
	var res *Result
	var err error
	switch s.Kind {
	case iql.ShowProviders:
		res, err = e.showProviders(like)
	case iql.ShowServices:
		p := s.Provider
		if p == "" {
			p = catalog.ProviderName
		}
		res, err = e.showServices(p, like)
	case iql.ShowResources:
		if s.Extended {
			res, err = e.showExtendedResources(s.Provider, s.Service, like)
		} else {
			res, err = e.showResources(s.Provider, s.Service, like)
		}
	case iql.ShowInsert:
		var t *catalog.Table
		t, err = e.table(iql.TableName{Provider: s.Provider, Service: s.Service, Resource: s.Resource})
		if err == nil {
			res, err = e.showInsert(t, s.Required)
		}
	case iql.ShowMethods:
		var t *catalog.Table
		t, err = e.table(iql.TableName{Provider: s.Provider, Service: s.Service, Resource: s.Resource})
		if err == nil {
			res, err = e.showMethods(t, like)
		}
	default:
		return nil, fmt.Errorf("%w: SHOW %s", ErrUnsupported, s.Kind)
	}
	if err != nil || s.Where == "" {
		return res, err
	}
	return e.filterRows(ctx, res, s.Where)
}

// filterRows applies a SHOW … WHERE expression with SQLite, over the rows
// as a CTE whose columns are the result's.
func (e *Engine) filterRows(ctx context.Context, res *Result, where string) (*Result, error) {
	if len(res.Rows) == 0 {
		return res, nil
	}
	var b strings.Builder
	names := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		names[i] = quoteIdent(c.Name)
	}
	b.WriteString("WITH t(" + strings.Join(names, ", ") + ") AS (VALUES ")
	var args []any
	for r, row := range res.Rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + strings.TrimSuffix(strings.Repeat("?, ", len(row)), ", ") + ")")
		args = append(args, row...)
	}
	b.WriteString(") SELECT * FROM t WHERE " + where)
	rows, err := e.db.Query(ctx, nil, b.String(), args...)
	if err != nil {
		return nil, e.wrapSQL(err)
	}
	out := &Result{Columns: res.Columns}
	for _, v := range rows.Values {
		row := make([]any, len(v))
		for i := range v {
			row[i] = convert(v[i], res.Columns[i].Type)
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

// showVar answers SHOW name for the settings PostgreSQL clients ask about.
func (e *Engine) showVar(name string) *Result {
	vals := map[string]string{
		"server_version": "16.0 (ccql)", "server_encoding": "UTF8", "client_encoding": "UTF8",
		"transaction isolation level": "serializable", "standard_conforming_strings": "on",
		"datestyle": "ISO, MDY", "timezone": "UTC", "integer_datetimes": "on",
	}
	v, ok := vals[name]
	if !ok {
		v = ""
	}
	return &Result{Columns: []Column{{Name: name, Type: TypeText}}, Rows: [][]any{{v}}}
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// wrapSQL maps errors out of SQLite to the engine's sentinels.
func (e *Engine) wrapSQL(err error) error {
	var mk *vtable.MissingKeyError
	if errors.As(err, &mk) {
		return fmt.Errorf("%w: %v", ErrMissingKey, mk)
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		return serviceError("", err)
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "no such column"):
		return fmt.Errorf("%w: %s", ErrUnknownColumn, cleanSQLite(msg))
	case strings.Contains(msg, "no such table"):
		if err := e.unknownSQLTable(msg); err != nil {
			return err
		}
		return fmt.Errorf("%w: %s", ErrUnknownResource, cleanSQLite(msg))
	case strings.Contains(msg, "syntax error") || strings.Contains(msg, "incomplete input"):
		return fmt.Errorf("%w: %s", ErrSyntax, cleanSQLite(msg))
	}
	var sqliteErr *sqlite.Error
	if !errors.As(err, &sqliteErr) {
		return withCredentialsHint(err) // a provider's or the network's error, already worded
	}
	return fmt.Errorf("sqlite: %s", cleanSQLite(msg))
}

// cleanSQLite drops the driver's "SQL logic error" noise from a message.
func cleanSQLite(msg string) string {
	msg = strings.TrimPrefix(msg, "SQL logic error: ")
	if i := strings.LastIndex(msg, " (1)"); i > 0 {
		msg = msg[:i]
	}
	return msg
}

// serviceError turns an AWS API error into a *ServiceError (keeping other
// errors, wrapped with the operation).
func serviceError(op string, err error) error {
	var se *ServiceError
	if errors.As(err, &se) {
		return err
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		out := &ServiceError{Operation: op, Code: api.ErrorCode(), Message: api.ErrorMessage()}
		var re interface{ HTTPStatusCode() int }
		if errors.As(err, &re) {
			out.Status = re.HTTPStatusCode()
		}
		if out.Operation == "" {
			out.Operation = operationOf(err)
		}
		return out
	}
	err = withCredentialsHint(err)
	if op != "" {
		return fmt.Errorf("%s: %w", op, err)
	}
	return err
}

// operationOf names the Cloud Control operation an SDK error came from
// (the SDK's *smithy.OperationError says), else "CloudControl".
func operationOf(err error) string {
	var oe *smithy.OperationError
	if errors.As(err, &oe) && oe.OperationName != "" {
		return oe.OperationName
	}
	return "CloudControl"
}

// spin shows a spinner on Config.Progress while a request is awaited.
func (e *Engine) spin(label string) (stop func()) {
	w := e.cfg.Progress
	if w == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		frames := `|/-\`
		start := time.Now()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			// \033[K clears what a longer previous frame left after
			// this one ("(900ms)" then "(1s)").
			fmt.Fprintf(w, "\r%c awaiting %s (%s)\033[K", frames[i%len(frames)], label, time.Since(start).Round(100*time.Millisecond))
			select {
			case <-done:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// syntaxError is a parse error that reads as the parser wrote it and
// matches ErrSyntax.
type syntaxError struct{ err error }

func (e *syntaxError) Error() string        { return e.err.Error() }
func (e *syntaxError) Unwrap() error        { return e.err }
func (e *syntaxError) Is(target error) bool { return target == ErrSyntax }

// withCredentialsHint says what to do when the SDK found no credentials,
// which its own message (a chain of providers tried) does not. The SDK
// has no typed error for it (its adapter wraps the chain's failure as
// "get credentials: …"), so the text is what there is to match.
func withCredentialsHint(err error) error {
	if err == nil || !strings.Contains(err.Error(), "get credentials") {
		return err
	}
	return fmt.Errorf("%w (no usable AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws sso login; without AWS, use the embedded emulator (the default backend) or --endpoint)", err)
}
