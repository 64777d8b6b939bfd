package deploy

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// test is the test step of one resource: it must exist and pass its
// statecheck; its exports are then collected. A failing statecheck names
// the properties the update anchor would change, with both values.
func (rn *run) test(ctx context.Context, res *Resource, vars map[string]any, rr *ResourceResult) error {
	switch res.Type {
	case TypeQuery:
		rr.Action = ActionQueried
		return rn.exports(ctx, res, vars, false)
	case TypeScript:
		rr.Action = ActionRan
		return rn.script(ctx, res, vars)
	case TypeCommand:
		rr.Action, rr.Note = ActionSkipped, "commands run only in build"
		return rn.commandExports(ctx, res, vars)
	}
	qf := rn.stack.queries[res.Name]
	found, desired, err := rn.existsCheck(ctx, res, vars)
	if err != nil {
		return err
	}
	if !found {
		return rn.fail(res, "", fmt.Errorf("%w: the resource does not exist", ErrTestFailed))
	}
	if state := qf.Get(AnchorStatecheck); state != nil && !desired && !res.SkipValidation {
		_, missing, err := rn.renderJIT(res, state, vars)
		if err != nil {
			return err
		}
		ok := true
		if missing != "" {
			rn.log.Warn("statecheck deferred: "+missing+" is not captured", "resource", res.Name)
			ok, err = rn.exportsProxy(ctx, res, vars)
		} else {
			ok, _, err = rn.poll(ctx, res, state, vars, true, state.Options.Retries, state.Options.RetryDelay)
		}
		if err != nil {
			return err
		}
		if !ok {
			return rn.fail(res, AnchorStatecheck, fmt.Errorf("%w: %w%s", ErrTestFailed, ErrNotDesired, rn.diffNote(ctx, res, vars)))
		}
	}
	rr.Action = ActionPassed
	return rn.exports(ctx, res, vars, false)
}

// commandExports collects, in test and teardown (where commands do not
// run), the exports of a command resource from its exports query, a read,
// so that later resources and the stack exports can use them. No row
// leaves them undefined.
func (rn *run) commandExports(ctx context.Context, res *Resource, vars map[string]any) error {
	if len(res.Exports) == 0 || rn.exportsQuery(res) == nil {
		return nil
	}
	return rn.exports(ctx, res, vars, true)
}

// teardown first walks the resources in order to learn which exist and
// what they export (later resources' queries need earlier exports), then
// deletes the existing ones in reverse order, each awaited until exists
// says it is gone. As in stackql-deploy, each delete (and the exists that
// polls after it) renders with the full context: every export collected in
// the first pass, the resource's own included, its props, and this.
func (rn *run) teardown(ctx context.Context) error {
	type seen struct {
		res   *Resource
		vars  map[string]any
		found bool
		rr    ResourceResult
	}
	var all []seen
	for i := range rn.stack.Manifest.Resources {
		res := &rn.stack.Manifest.Resources[i]
		if err := ctx.Err(); err != nil {
			return err
		}
		rr := ResourceResult{Name: res.Name, Type: res.Type}
		vars, ok, err := rn.resourceVars(res)
		if err != nil {
			if name := undefinedRoot(err); name != "" && rn.unknown[name] != "" {
				rr.Action, rr.Note = ActionNotFound, fmt.Sprintf("uses %s of %s, which was not found", name, rn.unknown[name])
				rn.unknownExports(res)
				all = append(all, seen{res: res, rr: rr})
				continue
			}
			return err
		}
		if !ok {
			rr.Action, rr.Note = ActionSkipped, "if is false"
			all = append(all, seen{res: res, rr: rr})
			continue
		}
		found := false
		switch {
		case rn.cfg.DryRun:
			rr.Action = ActionRendered
			err = rn.dryRun(ctx, res, vars)
		case res.Type == TypeCommand:
			rr.Action, rr.Note = ActionSkipped, "a command: nothing to delete"
			err = rn.commandExports(ctx, res, vars)
		case res.Type == TypeScript:
			rr.Action, rr.Note = ActionRan, "a script: nothing to delete"
			err = rn.script(ctx, res, vars)
		case res.Type == TypeQuery:
			rr.Action, rr.Note = ActionQueried, "a query: nothing to delete"
			err = rn.exports(ctx, res, vars, true)
		default:
			var deferred string
			found, deferred, err = rn.findForTeardown(ctx, res, vars)
			switch {
			case err != nil:
			case deferred != "":
				rr.Action, rr.Note = ActionNotFound, "its check uses "+deferred+", which nothing captured"
				rn.unknownExports(res)
			case found || res.Type == TypeMulti:
				// A multi resource is deleted without asking exists
				// (stackql-deploy v2); its exports are collected if any.
				found = true
				err = rn.exports(ctx, res, vars, true)
			default:
				rr.Action = ActionNotFound
				rn.unknownExports(res)
			}
		}
		if err != nil {
			if name := undefinedRoot(err); name != "" && rn.unknown[name] != "" {
				rr.Action, rr.Note = ActionNotFound, fmt.Sprintf("uses %s of %s, which was not found", name, rn.unknown[name])
				rn.unknownExports(res)
				err = nil
			} else {
				rn.done(rr, err)
				return err
			}
		}
		all = append(all, seen{res: res, vars: vars, found: found, rr: rr})
	}
	if rn.destroy {
		for _, s := range all {
			rr := s.rr
			switch {
			case s.found && rn.stack.queries[s.res.Name].Get(AnchorDelete) == nil:
				rr.Action, rr.Note = ActionNoChange, "no delete anchor: teardown keeps it"
			case s.found:
				rr.Action = ActionDelete
			case rr.Action == ActionNotFound:
				rr.Action = ActionNoChange
				rr.Note = strings.TrimSpace("not found " + rr.Note)
			}
			rn.done(rr, nil)
			rn.res.Resources = append(rn.res.Resources, rr)
		}
		return nil
	}
	for _, s := range slices.Backward(all) {
		res, rr := s.res, s.rr
		start := rn.cfg.Now()
		rn.begin(res)
		var err error
		if rn.cfg.DryRun && res.managed() && rr.Action == ActionRendered {
			if del := rn.stack.queries[res.Name].Get(AnchorDelete); del != nil {
				_, err = rn.mutate(ctx, res, del, rn.deleteVars(res, s.vars))
			}
		}
		if s.found {
			rr.Action, err = rn.deleteResource(ctx, res, rn.deleteVars(res, s.vars))
			if rr.Action == ActionKept {
				rr.Note = "the file has no delete anchor"
			}
		}
		rr.Elapsed = rn.cfg.Now().Sub(start)
		rn.done(rr, err)
		if err != nil {
			return err
		}
		rn.res.Resources = append(rn.res.Resources, rr)
	}
	slices.Reverse(rn.res.Resources) // report in manifest order
	return nil
}

// findForTeardown runs a resource's exists (or statecheck) check in the
// first pass of teardown, capturing this.*. A statecheck standing in for
// exists that uses a this.* value nothing captured cannot run: its name is
// returned, and the resource counts as not found (stackql-deploy v2 skips
// it).
func (rn *run) findForTeardown(ctx context.Context, res *Resource, vars map[string]any) (found bool, deferred string, err error) {
	qf := rn.stack.queries[res.Name]
	if qf.Get(AnchorExists) == nil {
		if state := qf.Get(AnchorStatecheck); state != nil {
			_, missing, err := rn.renderJIT(res, state, vars)
			if err != nil || missing != "" {
				return false, missing, err
			}
		}
	}
	found, _, err = rn.existsCheck(ctx, res, vars)
	return found, "", err
}

// deleteVars is the context of a resource's delete: the stack context at
// the end of teardown's first pass (every export collected, the
// resource's own included), then the resource's props, resource_name,
// this and callback from its first pass; an export renamed in the
// manifest ({column: name}) is also set under its column's name, as
// stackql-deploy v2 does.
func (rn *run) deleteVars(res *Resource, first map[string]any) map[string]any {
	vars := maps.Clone(rn.vars)
	for _, p := range res.Props {
		if v, ok := first[p.Name]; ok {
			vars[p.Name] = v
		}
	}
	for _, k := range []string{"resource_name", "this"} {
		if v, ok := first[k]; ok {
			vars[k] = v
		}
	}
	for _, e := range res.Exports {
		if v, ok := rn.vars[e.As]; ok && e.Column != e.As {
			if _, taken := vars[e.Column]; !taken {
				vars[e.Column] = v
			}
		}
	}
	return vars
}

// deleteResource deletes one resource and polls exists (or the statecheck)
// with the postdelete options until it is gone. A multi resource's failing
// delete is logged and ignored.
func (rn *run) deleteResource(ctx context.Context, res *Resource, vars map[string]any) (Action, error) {
	qf := rn.stack.queries[res.Name]
	del := qf.Get(AnchorDelete)
	if del == nil {
		rn.log.Warn("no delete anchor; resource kept", "resource", res.Name)
		return ActionKept, nil
	}
	if err := rn.change(ctx, res, del, vars, OpDelete); err != nil {
		return "", err
	}
	check := qf.Get(AnchorExists)
	if check == nil {
		check = qf.Get(AnchorStatecheck)
	}
	if check == nil {
		return ActionDeleted, nil
	}
	gone, _, err := rn.poll(ctx, res, check, vars, false, check.Options.PostDeleteRetries, check.Options.PostDeleteRetryDelay)
	if err != nil {
		return "", err
	}
	if !gone {
		err := rn.fail(res, check.Anchor, fmt.Errorf("%w: %s still true after %d attempt(s)", ErrNotDeleted, check.Anchor, check.Options.PostDeleteRetries))
		rn.troubleshoot(ctx, res, vars, OpDelete, err)
		if res.Type == TypeMulti {
			rn.log.Warn("multi resource: still exists after delete", "resource", res.Name)
			return ActionDeleted, nil
		}
		return "", err
	}
	return ActionDeleted, nil
}
