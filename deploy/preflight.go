package deploy

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ccql/ccql/internal/template"
)

// problem is one thing preflight found wrong, about a resource or (res
// nil) the stack.
type problem struct {
	res    *Resource
	anchor string // the query it is about, if any
	err    error
}

// preflight checks, before a command runs any query, what can be checked
// without running one, and reports every problem at once: a build must
// not create its first resources and then stop at a later one's mistake.
func (rn *run) preflight() error {
	var probs []problem
	for i := range rn.stack.Manifest.Resources {
		res := &rn.stack.Manifest.Resources[i]
		if err := rn.checkAnchors(res); err != nil {
			probs = append(probs, problem{res: res, err: err})
		}
		probs = append(probs, rn.checkTemplates(res)...)
		for _, err := range rn.checkValues(res) {
			probs = append(probs, problem{res: res, err: err})
		}
	}
	switch len(probs) {
	case 0:
		return nil
	case 1:
		return rn.fail(probs[0].res, probs[0].anchor, probs[0].err)
	}
	errs := make([]error, len(probs))
	for i, p := range probs {
		prefix := "stack " + rn.stack.Manifest.Name
		if p.res != nil {
			prefix = "resource " + p.res.Name
		}
		if p.anchor != "" {
			prefix += ": " + p.anchor
		}
		errs[i] = fmt.Errorf("%s: %w", prefix, p.err)
	}
	return rn.fail(nil, "", fmt.Errorf("%d problems, nothing was run:\n%w", len(probs), errors.Join(errs...)))
}

// checkAnchors verifies that a resource's file has the anchors the command
// needs. Load checks only what every command needs; these depend on the
// command: build and plan create, so they need create (or createorupdate);
// test and teardown never create, but must find the resource.
func (rn *run) checkAnchors(res *Resource) error {
	if !res.managed() {
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

// checkValues reports the props of a resource that have no value for the
// run's environment. A resource whose if is false is skipped at run time,
// so it needs none: the if is evaluated here with what is known before
// any query (environment, globals, stack_name, stack_env, the props that
// render). When it needs more (an export of an earlier resource), the
// resource is not checked now; it fails when reached.
func (rn *run) checkValues(res *Resource) []error {
	var missing []*Prop
	for i := range res.Props {
		if p := &res.Props[i]; p.Values != nil && !p.HasValue {
			if _, ok := p.Values[rn.cfg.Env]; !ok {
				missing = append(missing, p)
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if res.If != "" {
		// The if may use props: give it those that render now.
		vars := maps.Clone(rn.vars)
		vars["resource_name"] = res.Name
		for _, p := range res.Props {
			v, ok := p.Value, p.HasValue
			if !ok {
				var ev EnvValue
				ev, ok = p.Values[rn.cfg.Env]
				v = ev.Value
			}
			if !ok || len(p.Merge) > 0 {
				continue
			}
			if r, err := rn.renderValue("resources."+res.Name+".props."+p.Name, v, vars); err == nil {
				vars[p.Name] = r
			}
		}
		if runs, err := rn.condition(res, vars); err != nil || !runs {
			return nil
		}
	}
	errs := make([]error, len(missing))
	for i, p := range missing {
		envs := slices.Sorted(maps.Keys(p.Values))
		errs[i] = fmt.Errorf("%w: prop %s has no value for environment %q (it has %v)", ErrMissingValue, p.Name, rn.cfg.Env, envs)
	}
	return errs
}

// checkTemplates parses every template of a resource (its queries, inline
// sql, props and if) so that a syntax error is reported, with its file and
// line, before anything runs.
func (rn *run) checkTemplates(res *Resource) []problem {
	var probs []problem
	anchor := ""
	check := func(name, text string, line int) {
		err := rn.tpl.Check(name, text)
		if err == nil {
			return
		}
		var te *template.Error
		if errors.As(err, &te) && te.Line > 0 {
			te.Line += line
		}
		probs = append(probs, problem{res: res, anchor: anchor, err: templateError{err: err}})
	}
	if qf := rn.stack.queries[res.Name]; qf != nil {
		for _, a := range slices.Sorted(maps.Keys(qf.Queries)) {
			q := qf.Queries[a]
			anchor = a
			check(qf.Name, q.Text, q.Line)
		}
		anchor = ""
	}
	if res.SQL != "" {
		anchor = AnchorExports
		if res.Type == TypeCommand {
			anchor = AnchorCommand
		}
		check(ManifestFile+" ("+res.Name+".sql)", res.SQL, 0)
		anchor = ""
	}
	for _, p := range res.Props {
		where := fmt.Sprintf("resources.%s.props.%s", res.Name, p.Name)
		checkValue(where, p.Value, check)
		for _, env := range slices.Sorted(maps.Keys(p.Values)) {
			checkValue(where, p.Values[env].Value, check)
		}
	}
	if res.If != "" {
		expr := res.If
		if !strings.Contains(expr, "{{") && !strings.Contains(expr, "{%") {
			expr = "{% if " + expr + " %}1{% else %}0{% endif %}"
		}
		check(ManifestFile+" resources."+res.Name+".if", expr, 0)
	}
	return probs
}

// checkValue checks the strings in a manifest value, as renderValue
// renders them.
func checkValue(where string, v any, check func(name, text string, line int)) {
	switch x := v.(type) {
	case string:
		check(ManifestFile+" "+where, x, 0)
	case []any:
		for i, e := range x {
			checkValue(fmt.Sprintf("%s[%d]", where, i), e, check)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			checkValue(where+"."+k, x[k], check)
		}
	}
}
