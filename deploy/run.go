package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/internal/template"
)

// Querier runs one statement. *ccql.Engine satisfies it.
//
// Mutations must be awaited before their result returns, so that a
// statecheck right after a create sees the resource: open the engine with
// ccql.Config{Wait: true, FailOnFailed: true} (the ccql deploy command
// does). deploy also fails a mutation whose returned OperationStatus is
// FAILED, and logs a warning when a request comes back still IN_PROGRESS.
type Querier interface {
	Query(ctx context.Context, statement string, args ...any) (*ccql.Result, error)
}

// Config configures a run. Env is required; zero values elsewhere mean
// defaults.
type Config struct {
	Env string // the stack environment (STACK_ENV): selects props' values, is {{ stack_env }}
	// Vars are the environment variables of the run (the .env file and -e
	// overrides): the top level of every template, e.g. {{ AWS_REGION }}.
	Vars map[string]string
	// DryRun renders every query and prints it to Out without running
	// anything; values not known without running are "<evaluated>".
	DryRun bool
	// ShowQueries prints every rendered query to Out before it runs.
	ShowQueries bool
	Out         io.Writer    // where queries are printed (dry run, show queries); nil: discard
	Logger      *slog.Logger // nil: discard
	// Progress gets one line per resource: its outcome and elapsed time.
	Progress io.Writer
	// Terminal draws a live "running" line on Progress while a resource runs.
	Terminal bool
	// Sleep waits between attempts; nil sleeps for real, honouring ctx.
	// Tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock for elapsed times; nil is time.Now.
	Now func() time.Time
	// Teardown makes Plan show what Teardown would delete instead of what
	// Build would do.
	Teardown bool
}

// Action is what happened (or, in a plan, would happen) to one resource.
type Action string

// Actions of build, test and teardown.
const (
	ActionCreated   Action = "created"
	ActionUpdated   Action = "updated"
	ActionDeployed  Action = "deployed" // createorupdate ran
	ActionUnchanged Action = "unchanged"
	ActionQueried   Action = "queried" // a query resource: its exports were read
	ActionRan       Action = "ran"     // a command resource ran (build), a script resource ran
	ActionPassed    Action = "passed"  // test
	ActionDeleted   Action = "deleted"
	ActionNotFound  Action = "not found" // teardown: nothing to delete
	ActionKept      Action = "kept"      // teardown: exists, but the file has no delete anchor
	ActionSkipped   Action = "skipped"   // its if condition is false (or, in a command, not applicable)
	ActionRendered  Action = "rendered"  // dry run
)

// Actions of a plan: what build (or, with Config.Teardown, teardown) would
// do. A query resource is ActionQueried, a script ActionSkipped.
const (
	ActionCreate         Action = "create"
	ActionUpdate         Action = "update"
	ActionNoChange       Action = "no change"
	ActionDelete         Action = "delete"
	ActionCreateOrUpdate Action = "create or update" // createorupdate runs on every build
	ActionRun            Action = "run"              // a command resource runs on every build
)

// Change is one property a plan would change, or a test found not in its
// desired state: the value the cloud has and the one the update would
// send, as JSON values (secrets masked as Masked; Current is nil when the
// resource has no such property).
type Change struct {
	Property string `json:"property"`
	Current  any    `json:"current"`
	Desired  any    `json:"desired"`
}

// String is "property: current → desired" with compact JSON values.
func (c Change) String() string {
	return c.Property + ": " + compactValue(c.Current) + " → " + compactValue(c.Desired)
}

// ResourceResult is the outcome of one resource.
type ResourceResult struct {
	Name    string
	Type    string
	Action  Action
	Elapsed time.Duration
	// Changes are, in a plan's update, the properties that differ between
	// the cloud and the update's PatchDocument.
	Changes []Change `json:",omitempty"`
	// Statement is, in a plan, the create or update build would send
	// (secrets masked).
	Statement string `json:",omitempty"`
	// Patch is, in a plan, the PatchDocument of that update, as sent
	// (secrets masked); "" when the statement has none.
	Patch string `json:",omitempty"`
	// Note explains the action when it needs it ("depends on values known
	// only after build", "no delete anchor").
	Note string `json:",omitempty"`
}

// Result is the outcome of a run.
type Result struct {
	Command   string // build, test, plan or teardown
	Teardown  bool   // a plan of teardown (Config.Teardown)
	Stack     string
	Env       string
	Resources []ResourceResult
	// Exports are the stack exports (manifest exports plus stack_name,
	// stack_env and elapsed_time), unmasked: what --output-file writes.
	Exports map[string]any
	Elapsed time.Duration
}

// run is the state of one command over one stack.
type run struct {
	stack   *Stack
	q       Querier
	cfg     Config
	command string
	tpl     *template.Renderer
	log     *slog.Logger
	mask    *masker
	vars    map[string]any    // the stack context: env, globals, stack_name, stack_env, exports so far
	unknown map[string]string // plan/teardown: exported names whose values are not known → resource
	start   time.Time
	res     *Result
	destroy bool // a plan of teardown
	// ownScoped are the stack variables scoped made (named after a
	// resource), tokens the idempotency tokens of the resources.
	ownScoped map[string]bool
	tokens    map[string]string
	noRow     map[string]bool // unknown exports of a resource whose exports query returned no row
}

// placeholder stands for a value not known without running: an export in a
// dry run, or the export of a resource a plan would create.
const placeholder = template.Placeholder("<evaluated>")

func newRun(s *Stack, q Querier, cfg Config, command string) (*run, error) {
	if cfg.Env == "" {
		return nil, errors.New("deploy: the stack environment (STACK_ENV) is required")
	}
	if q == nil && !cfg.DryRun {
		return nil, errors.New("deploy: no Querier")
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	rn := &run{
		stack: s, q: q, cfg: cfg, command: command, tpl: template.New(), log: log,
		mask: &masker{}, vars: map[string]any{}, unknown: map[string]string{}, start: cfg.Now(),
		ownScoped: map[string]bool{}, tokens: map[string]string{}, noRow: map[string]bool{},
		res: &Result{Command: command, Stack: s.Manifest.Name, Env: cfg.Env},
	}
	for k, v := range cfg.Vars {
		rn.vars[k] = v
		if looksSecret(k) {
			rn.mask.add(v, false)
		}
	}
	rn.vars["stack_name"] = s.Manifest.Name
	rn.vars["stack_env"] = cfg.Env
	return rn, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// render renders one anchored query of a resource. An undefined variable
// fails with where the variable would come from.
func (rn *run) render(res *Resource, q *Query, vars map[string]any) (string, error) {
	// An inline statement (sql: in the manifest) has no query file; name
	// the manifest and the resource in its errors instead.
	name := "stackql_manifest.yml (" + res.Name + ".sql)"
	if qf := rn.stack.queries[res.Name]; qf != nil {
		name = qf.Name
	}
	out, err := rn.tpl.Render(name, q.Text, vars)
	if err != nil {
		var te *template.Error
		hint := ""
		if errors.As(err, &te) {
			if te.Line > 0 {
				te.Line += q.Line // the query's first line is the line after its anchor
			}
			if te.Undefined != "" {
				hint = rn.explain(res, te.Undefined)
			}
		}
		return "", rn.fail(res, q.Anchor, templateError{err: err, hint: hint})
	}
	return strings.TrimSpace(out), nil
}

// renderJIT renders a query that may use {{ this.* }}: when it fails only
// because a this.* value is not captured (yet), it reports the name instead
// of an error, and the caller decides (stackql-deploy v2 defers such a
// query). Other failures are errors.
func (rn *run) renderJIT(res *Resource, q *Query, vars map[string]any) (stmt, missing string, err error) {
	stmt, err = rn.render(res, q, vars)
	if err == nil || rn.cfg.DryRun {
		return stmt, "", err
	}
	var te *template.Error
	if errors.As(err, &te) && strings.HasPrefix(te.Undefined, "this.") {
		return "", te.Undefined, nil
	}
	return "", "", err
}

// templateError marks a template failure as ccql.ErrTemplate too; hint
// says where an undefined variable would come from.
type templateError struct {
	err  error
	hint string
}

func (e templateError) Error() string {
	if e.hint == "" {
		return e.err.Error()
	}
	return e.err.Error() + " (" + e.hint + ")"
}
func (e templateError) Unwrap() []error { return []error{ccql.ErrTemplate, e.err} }

// exec runs (or, in a dry run, prints) one rendered statement.
func (rn *run) exec(ctx context.Context, res *Resource, anchor, stmt string) (*ccql.Result, error) {
	if rn.cfg.DryRun || rn.cfg.ShowQueries {
		fmt.Fprintf(rn.cfg.Out, "-- %s: %s\n%s\n\n", res.Name, anchor, rn.mask.mask(ensureSemicolon(stmt)))
	}
	if rn.cfg.DryRun {
		return nil, nil
	}
	rn.log.Debug("query", "resource", res.Name, "anchor", anchor)
	out, err := rn.q.Query(ctx, stmt)
	if err != nil {
		// The engine reports a request that ended FAILED (or was refused)
		// as a *ccql.RequestError; deploy's callers branch on
		// ErrRequestFailed.
		var reqErr *ccql.RequestError
		if errors.As(err, &reqErr) {
			err = fmt.Errorf("%w: %w", ErrRequestFailed, err)
		}
		return nil, rn.fail(res, anchor, err)
	}
	return out, nil
}

func ensureSemicolon(s string) string {
	if strings.HasSuffix(s, ";") {
		return s
	}
	return s + ";"
}

// checkResult reads an exists or statecheck result: a count column (1 = yes,
// 0 or no row = no, more = ambiguous) or, without one, at most one row whose
// values are captured (none, or all empty = no).
func checkResult(out *ccql.Result) (bool, map[string]any, error) {
	if out == nil || len(out.Rows) == 0 {
		return false, nil, nil
	}
	countCol := -1
	for i, c := range out.Columns {
		if strings.EqualFold(c.Name, "count") {
			countCol = i
		}
	}
	if countCol >= 0 {
		if len(out.Rows) > 1 {
			return false, nil, fmt.Errorf("%w: returned %d rows; a count query returns one", ErrAmbiguous, len(out.Rows))
		}
		n, err := toInt(out.Rows[0][countCol])
		if err != nil {
			return false, nil, fmt.Errorf("count column: %w", err)
		}
		if n > 1 {
			return false, nil, fmt.Errorf("%w: count is %d; the query must identify one resource", ErrAmbiguous, n)
		}
		return n == 1, rowMap(out, 0), nil
	}
	if len(out.Rows) > 1 {
		return false, nil, fmt.Errorf("%w: returned %d rows; want at most one", ErrAmbiguous, len(out.Rows))
	}
	row := rowMap(out, 0)
	for _, v := range row {
		if v != nil && v != "" {
			return true, row, nil
		}
	}
	return false, nil, nil
}

func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case float64:
		return int64(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case string:
		return strconv.ParseInt(strings.TrimSpace(x), 10, 64)
	case nil:
		return 0, nil
	}
	return 0, fmt.Errorf("want a number, got %T", v)
}

// rowMap is row i as column → template value.
func rowMap(out *ccql.Result, i int) map[string]any {
	m := make(map[string]any, len(out.Columns))
	for j, c := range out.Columns {
		if j < len(out.Rows[i]) {
			m[c.Name] = template.Normalize(out.Rows[i][j])
		}
	}
	return m
}

// poll runs a check query until it answers want, up to attempts times,
// delay apart. It reports whether it did, and the last captured row.
func (rn *run) poll(ctx context.Context, res *Resource, q *Query, vars map[string]any, want bool, attempts int, delay time.Duration) (bool, map[string]any, error) {
	var row map[string]any
	for attempt := 1; ; attempt++ {
		stmt, err := rn.render(res, q, vars)
		if err != nil {
			return false, nil, err
		}
		out, err := rn.exec(ctx, res, q.Anchor, stmt)
		if err != nil {
			return false, nil, err
		}
		if rn.cfg.DryRun {
			return want, nil, nil
		}
		var ok bool
		ok, row, err = checkResult(out)
		if err != nil {
			return false, nil, rn.fail(res, q.Anchor, err)
		}
		rn.log.Debug("check", "resource", res.Name, "anchor", q.Anchor, "result", ok, "attempt", attempt)
		if ok == want || attempt >= attempts {
			return ok == want, row, nil
		}
		if err := rn.cfg.Sleep(ctx, delay); err != nil {
			return false, nil, rn.fail(res, q.Anchor, err)
		}
	}
}

// capture stores a check's row as {{ this.<column> }}.
func (rn *run) capture(res *Resource, vars map[string]any, row map[string]any) {
	this, ok := vars["this"].(template.Map)
	if !ok {
		return
	}
	for k, v := range row {
		if strings.EqualFold(k, "count") {
			continue
		}
		this[k] = v
		if looksSecret(k) {
			rn.mask.add(v, false)
		}
	}
}

// mutate renders and runs a create, update, delete, createorupdate or
// command, retrying failures up to the anchor's attempts. It returns what
// the statement returned (its RETURNING rows).
func (rn *run) mutate(ctx context.Context, res *Resource, q *Query, vars map[string]any) (*ccql.Result, error) {
	for attempt := 1; ; attempt++ {
		stmt, err := rn.render(res, q, vars)
		if err != nil {
			return nil, err
		}
		out, err := rn.exec(ctx, res, q.Anchor, stmt)
		if err == nil {
			err = rn.checkEvents(res, q.Anchor, out)
		}
		if err == nil || attempt >= q.Options.Retries {
			return out, err
		}
		rn.log.Warn("retrying", "resource", res.Name, "anchor", q.Anchor, "attempt", attempt, "error", rn.mask.mask(err.Error()))
		if err := rn.cfg.Sleep(ctx, q.Options.RetryDelay); err != nil {
			return nil, rn.fail(res, q.Anchor, err)
		}
	}
}

// checkEvents fails a mutation whose RETURNING rows say FAILED.
func (rn *run) checkEvents(res *Resource, anchor string, out *ccql.Result) error {
	if out == nil {
		return nil
	}
	status, msg, code := -1, -1, -1
	for i, c := range out.Columns {
		switch strings.ToLower(c.Name) {
		case "operationstatus":
			status = i
		case "statusmessage":
			msg = i
		case "errorcode":
			code = i
		}
	}
	if status < 0 {
		return nil
	}
	for _, row := range out.Rows {
		switch s, _ := row[status].(string); s {
		case "FAILED", "CANCEL_COMPLETE":
			detail := s
			if code >= 0 && row[code] != nil {
				detail += " " + fmt.Sprint(row[code])
			}
			if msg >= 0 && row[msg] != nil {
				detail += ": " + fmt.Sprint(row[msg])
			}
			return rn.fail(res, anchor, fmt.Errorf("%w: %s", ErrRequestFailed, detail))
		case "PENDING", "IN_PROGRESS", "CANCEL_IN_PROGRESS":
			rn.log.Warn("request not awaited; the next check may not see it", "resource", res.Name, "anchor", anchor, "status", s)
		}
	}
	return nil
}

// exports runs the resource's exports query (or its sql) and sets its
// exports as stack variables. missingOK makes "no row" leave them unset
// (teardown of a resource that is gone).
func (rn *run) exports(ctx context.Context, res *Resource, vars map[string]any, missingOK bool) error {
	if len(res.Exports) == 0 {
		return nil
	}
	q := rn.exportsQuery(res)
	if q == nil {
		return rn.fail(res, AnchorExports, fmt.Errorf("%w: exports declared but no exports anchor", ErrMissingAnchor))
	}
	if rn.cfg.DryRun {
		stmt, err := rn.render(res, q, vars)
		if err != nil {
			return err
		}
		if _, err := rn.exec(ctx, res, q.Anchor, stmt); err != nil {
			return err
		}
		for _, e := range res.Exports {
			rn.setExport(res, e.As, placeholder)
		}
		return nil
	}
	var out *ccql.Result
	for attempt := 1; ; attempt++ {
		stmt, err := rn.render(res, q, vars)
		if err != nil {
			return err
		}
		if out, err = rn.exec(ctx, res, q.Anchor, stmt); err != nil {
			return err
		}
		if len(out.Rows) > 0 || attempt >= q.Options.Retries {
			break
		}
		if err := rn.cfg.Sleep(ctx, q.Options.RetryDelay); err != nil {
			return rn.fail(res, q.Anchor, err)
		}
	}
	switch {
	case len(out.Rows) == 0 && missingOK:
		for _, e := range res.Exports {
			rn.unknown[e.As] = res.Name
			rn.noRow[e.As] = true
		}
		return nil
	case len(out.Rows) == 0:
		return rn.fail(res, q.Anchor, fmt.Errorf("%w: the exports query returned no row", ErrExports))
	case len(out.Rows) > 1:
		return rn.fail(res, q.Anchor, fmt.Errorf("%w: the exports query returned %d rows; want one", ErrExports, len(out.Rows)))
	}
	row := rowMap(out, 0)
	for _, e := range res.Exports {
		v, ok := lookup(row, e.Column)
		if !ok {
			return rn.fail(res, q.Anchor, fmt.Errorf("%w: the exports query has no column %q", ErrExports, e.Column))
		}
		rn.setExport(res, e.As, v)
	}
	return nil
}

func (rn *run) exportsQuery(res *Resource) *Query {
	if q := rn.stack.queries[res.Name].Get(AnchorExports); q != nil {
		return q
	}
	if res.SQL != "" && res.Type == TypeQuery {
		return &Query{Anchor: AnchorExports, Text: res.SQL, Options: Options{Retries: 1}}
	}
	return nil
}

func lookup(row map[string]any, col string) (any, bool) {
	if v, ok := row[col]; ok {
		return v, true
	}
	for k, v := range row {
		if strings.EqualFold(k, col) {
			return v, true
		}
	}
	return nil, false
}

// setExport makes an export a stack variable, masking it when protected or
// named like a secret.
func (rn *run) setExport(res *Resource, name string, v any) {
	rn.vars[name] = v
	delete(rn.unknown, name)
	protected := false
	for _, p := range res.Protected {
		if p == name {
			protected = true
		}
	}
	for _, e := range res.Exports {
		if e.As == name {
			for _, p := range res.Protected {
				if p == e.Column {
					protected = true
				}
			}
		}
	}
	if protected || looksSecret(name) {
		rn.mask.add(fmt.Sprint(v), protected)
	}
	if scoped := rn.scoped(res); scoped != nil {
		scoped[name] = v // {{ <resource>.<export> }}, as in stackql-deploy v2
	}
	rn.log.Debug("export", "resource", res.Name, "name", name, "value", rn.mask.mask(fmt.Sprint(v)))
}

// scoped is the stack variable named after a resource, where stackql-deploy
// v2 keeps what it exported, its callback row and its idempotency token
// ({{ vpc.vpc_id }}, {{ vpc.callback.RequestToken }}). It is nil when that
// name is another variable (an export or global of the same name wins).
func (rn *run) scoped(res *Resource) template.Map {
	switch m := rn.vars[res.Name].(type) {
	case nil:
		nm := template.Map{}
		rn.vars[res.Name] = nm
		rn.ownScoped[res.Name] = true
		return nm
	case template.Map:
		if rn.ownScoped[res.Name] {
			return m
		}
	}
	return nil
}

// stackExports collects the manifest's stack exports.
func (rn *run) stackExports() error {
	out := map[string]any{}
	for _, name := range rn.stack.Manifest.Exports {
		v, ok := rn.vars[name]
		if !ok {
			return rn.fail(nil, "", fmt.Errorf("%w: stack export %q is not defined", ErrMissingValue, name))
		}
		out[name] = exportValue(v)
	}
	out["stack_name"] = rn.stack.Manifest.Name
	out["stack_env"] = rn.cfg.Env
	out["elapsed_time"] = rn.cfg.Now().Sub(rn.start).Round(time.Millisecond).String()
	rn.res.Exports = out
	return nil
}

// exportValue is v as plain Go data for JSON.
func exportValue(v any) any {
	switch x := v.(type) {
	case template.Map:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = exportValue(e)
		}
		return m
	case template.List:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = exportValue(e)
		}
		return l
	case template.Placeholder:
		return string(x)
	}
	return v
}
