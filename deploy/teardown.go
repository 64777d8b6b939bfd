package deploy

import (
	"context"
	"fmt"
	"slices"
)

// test is the test step of one resource: it must exist and pass its
// statecheck; its exports are then collected.
func (rn *run) test(ctx context.Context, res *Resource, vars map[string]any, rr *ResourceResult) error {
	switch res.Type {
	case TypeQuery:
		rr.Action = ActionExported
		return rn.exports(ctx, res, vars, false)
	case TypeScript:
		rr.Action = ActionExported
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
		ok, _, err := rn.poll(ctx, res, state, vars, true, state.Options.Retries, state.Options.RetryDelay)
		if err != nil {
			return err
		}
		if !ok {
			return rn.fail(res, AnchorStatecheck, fmt.Errorf("%w: %w", ErrTestFailed, ErrNotDesired))
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
// says it is gone.
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
			rr.Action, rr.Note = ActionSkipped, "commands run only in build"
			err = rn.commandExports(ctx, res, vars)
		case res.Type == TypeScript:
			rr.Action = ActionExported
			err = rn.script(ctx, res, vars)
		case res.Type == TypeQuery:
			rr.Action = ActionExported
			err = rn.exports(ctx, res, vars, true)
		default:
			found, _, err = rn.existsCheck(ctx, res, vars)
			if err == nil && found {
				err = rn.exports(ctx, res, vars, true)
			} else if err == nil {
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
	for _, s := range slices.Backward(all) {
		res, rr := s.res, s.rr
		start := rn.cfg.Now()
		rn.begin(res)
		var err error
		if rn.cfg.DryRun && res.Type == TypeResource && rr.Action == ActionRendered {
			if del := rn.stack.queries[res.Name].Get(AnchorDelete); del != nil {
				err = rn.mutate(ctx, res, del, s.vars)
			}
		}
		if s.found {
			rr.Action, err = rn.deleteResource(ctx, res, s.vars)
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

// deleteResource deletes one resource and polls exists (or the statecheck)
// with the postdelete options until it is gone.
func (rn *run) deleteResource(ctx context.Context, res *Resource, vars map[string]any) (Action, error) {
	qf := rn.stack.queries[res.Name]
	del := qf.Get(AnchorDelete)
	if del == nil {
		rn.log.Warn("no delete anchor; resource kept", "resource", res.Name)
		return ActionKept, nil
	}
	if err := rn.mutate(ctx, res, del, vars); err != nil {
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
		return "", rn.fail(res, check.Anchor, fmt.Errorf("%w: %s still true after %d attempt(s)", ErrNotDeleted, check.Anchor, check.Options.PostDeleteRetries))
	}
	return ActionDeleted, nil
}
