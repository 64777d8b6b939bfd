package deploy

import (
	"errors"
	"fmt"
)

// problem is one thing preflight found wrong, about a resource or (res
// nil) the stack.
type problem struct {
	res *Resource
	err error
}

// preflight checks, before a command runs any query, what can be checked
// without running one, and reports every problem at once: a build must
// not create its first resources and then stop at a later one's mistake.
func (rn *run) preflight() error {
	var probs []problem
	for i := range rn.stack.Manifest.Resources {
		res := &rn.stack.Manifest.Resources[i]
		if err := rn.checkAnchors(res); err != nil {
			probs = append(probs, problem{res, err})
		}
	}
	switch len(probs) {
	case 0:
		return nil
	case 1:
		return rn.fail(probs[0].res, "", probs[0].err)
	}
	errs := make([]error, len(probs))
	for i, p := range probs {
		errs[i] = p.err
		if p.res != nil {
			errs[i] = fmt.Errorf("resource %s: %w", p.res.Name, p.err)
		}
	}
	return rn.fail(nil, "", fmt.Errorf("%d problems, nothing was run:\n%w", len(probs), errors.Join(errs...)))
}

// checkAnchors verifies that a resource's file has the anchors the command
// needs. Load checks only what every command needs; these depend on the
// command: build and plan create, so they need create (or createorupdate);
// test and teardown never create, but must find the resource.
func (rn *run) checkAnchors(res *Resource) error {
	if res.Type != TypeResource {
		return nil
	}
	qf := rn.stack.queries[res.Name]
	has := func(a string) bool { return qf.Get(a) != nil }
	check := has(AnchorExists) || has(AnchorStatecheck) || has(AnchorExports)
	name := res.file()
	if qf != nil {
		name = qf.Name
	}
	switch rn.command {
	case "build", "plan":
		if has(AnchorCreateOrUpdate) {
			return nil
		}
		if !has(AnchorCreate) {
			return fmt.Errorf("%w: %s has no create (or createorupdate) anchor, which %s needs", ErrMissingAnchor, name, rn.command)
		}
		if !check {
			return fmt.Errorf("%w: %s has no exists, statecheck or exports anchor (or createorupdate), which %s needs to tell whether to create", ErrMissingAnchor, name, rn.command)
		}
	case "test", "teardown":
		if !check {
			return fmt.Errorf("%w: %s has no exists, statecheck or exports anchor, which %s needs to find the resource", ErrMissingAnchor, name, rn.command)
		}
	}
	return nil
}
