package deploy

import (
	"context"
	"errors"

	"fmt"
	"github.com/ccql/ccql"
	"slices"
	"strings"

	"github.com/ccql/ccql/internal/template"
)

// Build deploys the stack: every resource in manifest order is created if
// missing, updated if not in its desired state, and checked afterwards; its
// exports then feed the resources after it. See the package documentation
// for the exact flow.
func (s *Stack) Build(ctx context.Context, q Querier, cfg Config) (*Result, error) {
	return s.do(ctx, q, cfg, "build")
}

// Plan shows what Build would do, resource by resource, without changing
// anything: it runs only the exists, statecheck and exports queries.
func (s *Stack) Plan(ctx context.Context, q Querier, cfg Config) (*Result, error) {
	cfg.DryRun = false
	return s.do(ctx, q, cfg, "plan")
}

// Test checks that every resource exists and is in its desired state,
// running only exists, statecheck and exports queries.
func (s *Stack) Test(ctx context.Context, q Querier, cfg Config) (*Result, error) {
	return s.do(ctx, q, cfg, "test")
}

// Teardown deletes the stack's resources in reverse order, waiting for each
// to be gone.
func (s *Stack) Teardown(ctx context.Context, q Querier, cfg Config) (*Result, error) {
	return s.do(ctx, q, cfg, "teardown")
}

func (s *Stack) do(ctx context.Context, q Querier, cfg Config, command string) (*Result, error) {
	rn, err := newRun(s, q, cfg, command)
	if err != nil {
		return nil, err
	}
	if command == "plan" && cfg.Teardown {
		// A plan of teardown runs teardown's first pass (reads only) and
		// checks as teardown does.
		rn.command, rn.destroy = "teardown", true
		command = "teardown"
	}
	// Globals first (they run no query): preflight evaluates conditions
	// with them.
	err = rn.globals()
	if err == nil {
		err = rn.preflight()
	}
	if err == nil {
		switch command {
		case "build":
			err = rn.forEach(ctx, rn.build)
		case "plan":
			err = rn.forEach(ctx, rn.plan)
		case "test":
			err = rn.forEach(ctx, rn.test)
		case "teardown":
			err = rn.teardown(ctx)
		}
	}
	if err == nil && command != "teardown" {
		err = rn.stackExports()
	}
	rn.res.Teardown = rn.destroy
	rn.res.Elapsed = rn.cfg.Now().Sub(rn.start)
	return rn.res, err
}

type step func(ctx context.Context, res *Resource, vars map[string]any, rr *ResourceResult) error

// forEach runs a step over the resources in order, with progress lines.
func (rn *run) forEach(ctx context.Context, fn step) error {
	for i := range rn.stack.Manifest.Resources {
		res := &rn.stack.Manifest.Resources[i]
		if err := ctx.Err(); err != nil {
			return err
		}
		start := rn.cfg.Now()
		rn.begin(res)
		rr := ResourceResult{Name: res.Name, Type: res.Type}
		vars, ok, err := rn.resourceVars(res)
		switch {
		case err != nil:
		case !ok:
			rr.Action = ActionSkipped
			rr.Note = "if is false"
		case rn.cfg.DryRun:
			rr.Action = ActionRendered
			err = rn.dryRun(ctx, res, vars)
		default:
			err = fn(ctx, res, vars, &rr)
		}
		rr.Elapsed = rn.cfg.Now().Sub(start)
		rn.done(rr, err)
		if err != nil {
			return err
		}
		rn.res.Resources = append(rn.res.Resources, rr)
	}
	return nil
}

// dryRun prints the queries a command would run for a resource.
func (rn *run) dryRun(ctx context.Context, res *Resource, vars map[string]any) error {
	var anchors []string
	switch rn.command {
	case "build":
		anchors = []string{AnchorExists, AnchorCreate, AnchorCreateOrUpdate, "callback:create", AnchorStatecheck, AnchorUpdate, "callback:update", AnchorCallback, AnchorCommand}
	case "test":
		anchors = []string{AnchorExists, AnchorStatecheck}
	case "teardown":
		anchors = []string{AnchorExists} // deletes print in the reverse pass
	}
	switch res.Type {
	case TypeScript:
		return rn.script(ctx, res, vars)
	case TypeCommand:
		if rn.command != "build" {
			return nil
		}
		if res.SQL != "" {
			_, err := rn.mutate(ctx, res, commandQuery(res), vars)
			return err
		}
	}
	qf := rn.stack.queries[res.Name]
	for _, a := range anchors {
		if q := qf.Get(a); q != nil {
			stmt, err := rn.render(res, q, vars)
			if err != nil {
				return err
			}
			if _, err := rn.exec(ctx, res, a, stmt); err != nil {
				return err
			}
		}
	}
	return rn.exports(ctx, res, vars, false)
}

// build is the build step of one resource.
func (rn *run) build(ctx context.Context, res *Resource, vars map[string]any, rr *ResourceResult) error {
	switch res.Type {
	case TypeQuery:
		rr.Action = ActionQueried
		return rn.exports(ctx, res, vars, false)
	case TypeScript:
		rr.Action = ActionRan
		return rn.script(ctx, res, vars)
	case TypeCommand:
		rr.Action = ActionRan
		q := rn.stack.queries[res.Name].Get(AnchorCommand)
		if res.SQL != "" {
			q = commandQuery(res)
		}
		if _, err := rn.mutate(ctx, res, q, vars); err != nil {
			return err
		}
		return rn.exports(ctx, res, vars, false)
	}
	qf := rn.stack.queries[res.Name]
	exists, create, update := qf.Get(AnchorExists), qf.Get(AnchorCreate), qf.Get(AnchorUpdate)
	if cou := qf.Get(AnchorCreateOrUpdate); cou != nil {
		// createorupdate runs unconditionally: no pre-check.
		rr.Action = ActionDeployed
		if err := rn.change(ctx, res, cou, vars, OpCreate); err != nil {
			return err
		}
		if err := rn.postCheck(ctx, res, vars, OpCreate); err != nil {
			return err
		}
		return rn.exports(ctx, res, vars, false)
	}
	found, desired, err := rn.existsCheck(ctx, res, vars)
	if err != nil {
		return err
	}
	op := ""
	switch {
	case !found:
		op, rr.Action = OpCreate, ActionCreated
	case desired:
		rr.Action = ActionUnchanged
	default:
		ok, err := rn.desiredState(ctx, res, vars)
		if err != nil {
			return err
		}
		if ok {
			rr.Action = ActionUnchanged
			break
		}
		if update == nil {
			return rn.fail(res, AnchorStatecheck, fmt.Errorf("%w, and the file has no update anchor", ErrNotDesired))
		}
		op, rr.Action = OpUpdate, ActionUpdated
	}
	if op == "" {
		return rn.exports(ctx, res, vars, false)
	}
	q := create
	if op == OpUpdate {
		q = update
	}
	captured := false
	if err := rn.change(ctx, res, q, vars, op, &captured); err != nil {
		return err
	}
	if exists != nil && !captured {
		// Capture what the create made (ids are AWS-generated) before
		// the statecheck and exports use {{ this.* }}, unless its
		// return_vals did.
		o := exists.Options
		if state := qf.Get(AnchorStatecheck); state != nil {
			o = state.Options
		}
		ok, row, err := rn.poll(ctx, res, exists, vars, true, o.Retries, o.RetryDelay)
		if err != nil {
			return err
		}
		if !ok && res.Type != TypeMulti {
			err := rn.fail(res, AnchorExists, fmt.Errorf("%w: exists is still false after %s", ErrNotDesired, rr.Action))
			rn.troubleshoot(ctx, res, vars, op, err)
			return err
		}
		rn.capture(res, vars, row)
	}
	if err := rn.postCheck(ctx, res, vars, op); err != nil {
		return err
	}
	return rn.exports(ctx, res, vars, false)
}

// change runs a create, update or createorupdate and what follows it in
// stackql-deploy v2: the RETURNING row captured (callback.*, return_vals),
// then the callback. A multi resource's failure is logged and ignored. A
// failure runs the troubleshoot query. captured (optional) is set when
// return_vals captured this.* values.
func (rn *run) change(ctx context.Context, res *Resource, q *Query, vars map[string]any, op string, captured ...*bool) error {
	out, err := rn.mutate(ctx, res, q, vars)
	if err == nil {
		var got bool
		got, err = rn.afterMutation(res, vars, op, out)
		if len(captured) > 0 {
			*captured[0] = got
		}
	}
	// A callback follows a statement that returned its request (RETURNING),
	// as stackql-deploy v2 documents; a dry run prints it.
	if err == nil && (rn.cfg.DryRun || out != nil && out.Kind == ccql.KindQuery && len(out.Rows) > 0) {
		err = rn.callback(ctx, res, vars, op)
	}
	if err == nil {
		return nil
	}
	rn.troubleshoot(ctx, res, vars, op, err)
	var te templateError
	if res.Type == TypeMulti && !errors.As(err, &te) && !errors.Is(err, ccql.ErrTemplate) {
		rn.log.Warn("multi resource: "+op+" failed, going on", "resource", res.Name, "error", rn.mask.mask(err.Error()))
		return nil
	}
	return err
}

// existsCheck answers "is the resource there", with exists, else the
// statecheck, else the exports query; the last two also answer "and in the
// desired state".
func (rn *run) existsCheck(ctx context.Context, res *Resource, vars map[string]any) (found, desired bool, err error) {
	qf := rn.stack.queries[res.Name]
	q, desiredToo := qf.Get(AnchorExists), false
	if q == nil {
		q, desiredToo = qf.Get(AnchorStatecheck), true
	}
	if q == nil {
		q, desiredToo = rn.exportsQuery(res), true
	}
	if q == nil {
		return false, false, rn.fail(res, "", fmt.Errorf("%w: needs an exists, statecheck or exports anchor", ErrMissingAnchor))
	}
	ok, row, err := rn.poll(ctx, res, q, vars, true, 1, 0)
	if err != nil {
		return false, false, err
	}
	if ok {
		rn.capture(res, vars, row)
	}
	return ok, ok && desiredToo, nil
}

// desiredState runs the statecheck of an existing resource once. Without a
// statecheck (or with skip_validation) the resource is as desired. A
// statecheck that uses a this.* value nothing captured is deferred, as in
// stackql-deploy v2: the exports query stands in for it if it renders, else
// the resource is taken as desired.
func (rn *run) desiredState(ctx context.Context, res *Resource, vars map[string]any) (bool, error) {
	state := rn.stack.queries[res.Name].Get(AnchorStatecheck)
	if state == nil || res.SkipValidation {
		return true, nil
	}
	_, missing, err := rn.renderJIT(res, state, vars)
	if err != nil {
		return false, err
	}
	if missing != "" {
		rn.log.Warn("statecheck deferred: "+missing+" is not captured", "resource", res.Name)
		return rn.exportsProxy(ctx, res, vars)
	}
	ok, _, err := rn.poll(ctx, res, state, vars, true, 1, 0)
	return ok, err
}

// exportsProxy uses the exports query as the statecheck (a row means
// desired) when it renders; without one the resource is taken as desired.
func (rn *run) exportsProxy(ctx context.Context, res *Resource, vars map[string]any) (bool, error) {
	q := rn.exportsQuery(res)
	if q == nil {
		return true, nil
	}
	stmt, missing, err := rn.renderJIT(res, q, vars)
	if err != nil || missing != "" {
		return missing != "", err
	}
	out, err := rn.exec(ctx, res, q.Anchor, stmt)
	if err != nil {
		return false, err
	}
	return out != nil && len(out.Rows) > 0, nil
}

// postCheck is the statecheck after a create or update, with its retries;
// still false is fatal (and runs the troubleshoot query). A deferred
// statecheck (see desiredState) falls back to the exports query, else the
// successful statement is accepted.
func (rn *run) postCheck(ctx context.Context, res *Resource, vars map[string]any, op string) error {
	state := rn.stack.queries[res.Name].Get(AnchorStatecheck)
	if state == nil || res.SkipValidation {
		return nil
	}
	_, missing, err := rn.renderJIT(res, state, vars)
	if err != nil {
		return err
	}
	ok := false
	if missing != "" {
		// Deferred: the exports query stands in (a row means desired), or
		// the successful statement is accepted (stackql-deploy v2).
		rn.log.Warn("statecheck deferred: "+missing+" is not captured", "resource", res.Name)
		ok, err = rn.exportsProxy(ctx, res, vars)
	} else {
		ok, _, err = rn.poll(ctx, res, state, vars, true, state.Options.Retries, state.Options.RetryDelay)
	}
	if err != nil {
		return err
	}
	if !ok {
		err := rn.fail(res, AnchorStatecheck, fmt.Errorf("%w: statecheck still false after %d attempt(s)%s", ErrNotDesired, state.Options.Retries, rn.diffNote(ctx, res, vars)))
		rn.troubleshoot(ctx, res, vars, op, err)
		return err
	}
	return nil
}

// plan is the plan step of one resource: what build would do.
func (rn *run) plan(ctx context.Context, res *Resource, vars map[string]any, rr *ResourceResult) error {
	switch res.Type {
	case TypeQuery:
		rr.Action = ActionQueried
		if rn.dependsOnUnknown(res, rn.exportsQuery(res), vars, rr) {
			rn.unknownExports(res)
			return nil
		}
		return rn.exports(ctx, res, vars, false)
	case TypeScript:
		rr.Action, rr.Note = ActionSkipped, "scripts run only in build, test and teardown"
		rn.unknownExports(res)
		return nil
	case TypeCommand:
		// A command runs on every build; its exports are known only then.
		rr.Action, rr.Note = ActionRun, "a command runs on every build"
		rn.unknownExports(res)
		return nil
	}
	qf := rn.stack.queries[res.Name]
	if q := qf.Get(AnchorExists); q != nil && rn.dependsOnUnknown(res, q, vars, rr) {
		rr.Action = ActionCreate
		rn.planStatement(ctx, res, qf.Get(AnchorCreate), vars, rr)
		rn.unknownExports(res)
		return nil
	}
	if cou := qf.Get(AnchorCreateOrUpdate); cou != nil {
		if state := qf.Get(AnchorStatecheck); state != nil && !res.SkipValidation {
			ok, _, err := rn.poll(ctx, res, state, vars, true, 1, 0)
			if err != nil {
				return err
			}
			if ok {
				rr.Action = ActionNoChange
				return rn.exports(ctx, res, vars, false)
			}
		}
		rr.Action = ActionCreateOrUpdate
		rn.planStatement(ctx, res, cou, vars, rr)
		rn.unknownExports(res)
		return nil
	}
	found, desired, err := rn.existsCheck(ctx, res, vars)
	if err != nil {
		return err
	}
	switch {
	case !found:
		rr.Action = ActionCreate
		rn.planStatement(ctx, res, qf.Get(AnchorCreate), vars, rr)
		rn.unknownExports(res)
		return nil
	case desired:
		rr.Action = ActionNoChange
	default:
		ok, err := rn.desiredState(ctx, res, vars)
		if err != nil {
			return err
		}
		if ok {
			rr.Action = ActionNoChange
			break
		}
		rr.Action = ActionUpdate
		if u := qf.Get(AnchorUpdate); u != nil {
			rn.planStatement(ctx, res, u, vars, rr)
		} else {
			rr.Note = "not in the desired state, and the file has no update anchor: build would fail"
		}
	}
	return rn.exports(ctx, res, vars, false)
}

// dependsOnUnknown reports (and notes) that a query cannot run in a plan
// because it uses an export of a resource that does not exist yet.
func (rn *run) dependsOnUnknown(res *Resource, q *Query, vars map[string]any, rr *ResourceResult) bool {
	if q == nil || len(rn.unknown) == 0 {
		return false
	}
	stmt, err := rn.tpl.Render("plan", q.Text, vars)
	if err != nil || !strings.Contains(stmt, string(placeholder)) {
		return false
	}
	var from []string
	for name, r := range rn.unknown {
		from = append(from, r+"."+name)
	}
	rr.Note = "uses values known only after build (" + strings.Join(sortedStrings(from), ", ") + ")"
	return true
}

// unknownExports marks a resource's exports as unknown: in a plan they
// are placeholders (known only after build); in a teardown they stay
// undefined, so a resource that uses them is known to be gone too.
func (rn *run) unknownExports(res *Resource) {
	for _, e := range res.Exports {
		if rn.command == "plan" {
			rn.vars[e.As] = placeholder
		} else {
			delete(rn.vars, e.As)
		}
		rn.unknown[e.As] = res.Name
	}
}

// planStatement records the statement build would send, its patch, and
// the properties that patch would change.
func (rn *run) planStatement(ctx context.Context, res *Resource, q *Query, vars map[string]any, rr *ResourceResult) {
	if q == nil {
		return
	}
	stmt, err := rn.render(res, q, vars)
	if err != nil {
		rr.Note = joinNote(rr.Note, err.Error())
		return
	}
	rr.Statement = rn.mask.mask(stmt)
	if patch, ok := patchDocument(stmt); ok {
		rr.Patch = rn.mask.mask(patch)
		if rr.Action == ActionUpdate || rr.Action == ActionCreateOrUpdate {
			changes, err := rn.diff(ctx, res, stmt)
			switch {
			case err != nil:
				rr.Note = joinNote(rr.Note, "current values unknown: "+rn.mask.mask(err.Error()))
			case len(changes) == 0 && rr.Action == ActionUpdate:
				rr.Note = "the statecheck is false, but the update's PatchDocument changes no property"
			}
			rr.Changes = changes
		}
	}
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// undefinedRoot is the variable an undefined-name template error is about.
func undefinedRoot(err error) string {
	var te *template.Error
	if !errors.As(err, &te) || te.Undefined == "" {
		return ""
	}
	n := te.Undefined
	for _, p := range []string{"vars.", "globals."} {
		n = strings.TrimPrefix(n, p)
	}
	if i := strings.IndexAny(n, ".["); i >= 0 {
		n = n[:i]
	}
	return n
}

func sortedStrings(s []string) []string {
	slices.Sort(s)
	return s
}

// commandQuery is a command resource's inline statement (sql: in the
// manifest) as its command anchor, run once.
func commandQuery(res *Resource) *Query {
	return &Query{Anchor: AnchorCommand, Text: res.SQL, Options: Options{Retries: 1}}
}
