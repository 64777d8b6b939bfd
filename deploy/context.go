package deploy

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ccql/ccql/internal/template"
)

// newUUID is a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// globals renders the manifest's globals, in order, into the stack context.
func (rn *run) globals() error {
	for _, g := range rn.stack.Manifest.Globals {
		v, err := rn.renderValue("globals."+g.Name, g.Value, rn.vars)
		if err != nil {
			return rn.fail(nil, "", err)
		}
		if v == nil || v == "" {
			return rn.fail(nil, "", fmt.Errorf("%w: global %s is empty", ErrMissingValue, g.Name))
		}
		rn.vars[g.Name] = v
		if g.Protected {
			rn.mask.add(fmt.Sprint(v), true)
		} else if looksSecret(g.Name) {
			rn.mask.add(v, false)
		}
	}
	return nil
}

// renderValue renders the strings inside a manifest value (recursively in
// lists and maps), as stackql-deploy does. A value that renders to exactly
// True or False becomes true or false (v1 did the same; Jinja prints
// Python's booleans).
func (rn *run) renderValue(where string, v any, vars map[string]any) (any, error) {
	switch x := v.(type) {
	case string:
		out, err := rn.tpl.Render(ManifestFile+" "+where, x, vars)
		if err != nil {
			return nil, templateError{err: err}
		}
		switch out {
		case "True":
			return "true", nil
		case "False":
			return "false", nil
		}
		return out, nil
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			r, err := rn.renderValue(fmt.Sprintf("%s[%d]", where, i), e, vars)
			if err != nil {
				return nil, err
			}
			l[i] = r
		}
		return template.Normalize(l), nil
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			r, err := rn.renderValue(where+"."+k, e, vars)
			if err != nil {
				return nil, err
			}
			m[k] = r
		}
		return template.Normalize(m), nil
	}
	return template.Normalize(v), nil
}

// resourceVars builds a resource's context: the stack context, then its
// props in order (each may use the ones before it), and this (what its
// checks capture). It reports false when the resource's if is false. A
// prop with no value for the environment is an error only if the resource
// runs: one whose if is false (say, stack_env == 'prd') needs no dev value.
func (rn *run) resourceVars(res *Resource) (map[string]any, bool, error) {
	vars := maps.Clone(rn.vars)
	vars["resource_name"] = res.Name
	var missing []string // props with no value for the environment: left undefined
	missingErr := func() error {
		return rn.fail(res, "", fmt.Errorf("%w: prop %s has no value for environment %q", ErrMissingValue, strings.Join(missing, ", "), rn.cfg.Env))
	}
	// usesMissing tells a failure caused by a missing prop (undefined in a
	// later prop or the if), which is then reported as the missing value.
	usesMissing := func(err error) bool {
		return len(missing) > 0 && slices.Contains(missing, undefinedRoot(err))
	}
	for _, p := range res.Props {
		where := fmt.Sprintf("resources.%s.props.%s", res.Name, p.Name)
		var v any
		switch {
		case p.HasValue:
			r, err := rn.renderValue(where, p.Value, vars)
			if err != nil {
				if usesMissing(err) {
					return nil, false, missingErr()
				}
				return nil, false, rn.fail(res, "", err)
			}
			v = r
		case p.Values != nil:
			ev, ok := p.Values[rn.cfg.Env]
			if !ok {
				missing = append(missing, p.Name)
				continue
			}
			r, err := rn.renderValue(where, ev.Value, vars)
			if err != nil {
				if usesMissing(err) {
					return nil, false, missingErr()
				}
				return nil, false, rn.fail(res, "", err)
			}
			v = r
		}
		for _, from := range p.Merge {
			other, ok := vars[from]
			if !ok {
				if slices.Contains(missing, from) {
					return nil, false, missingErr()
				}
				return nil, false, rn.fail(res, "", fmt.Errorf("%w: prop %s merges %q, which is not defined", ErrMissingValue, p.Name, from))
			}
			merged, err := merge(v, other)
			if err != nil {
				return nil, false, rn.fail(res, "", fmt.Errorf("prop %s: merge %s: %w", p.Name, from, err))
			}
			v = merged
		}
		vars[p.Name] = v
		if p.Protected {
			rn.mask.add(fmt.Sprint(v), true)
		} else if looksSecret(p.Name) {
			rn.mask.add(v, false)
		}
	}
	// idempotency_token (stackql-deploy v2): one UUID per resource for the
	// whole run, also as this.idempotency_token and
	// <resource>.idempotency_token, for ClientToken-style parameters.
	tok := rn.tokens[res.Name]
	if tok == "" {
		tok = newUUID()
		rn.tokens[res.Name] = tok
	}
	if _, ok := vars["idempotency_token"]; !ok {
		vars["idempotency_token"] = tok
	}
	if scoped := rn.scoped(res); scoped != nil {
		scoped["idempotency_token"] = tok
		if _, ok := vars[res.Name]; !ok {
			vars[res.Name] = scoped
		}
	}
	if rn.cfg.DryRun {
		vars["this"] = placeholder
		if _, ok := vars["callback"]; !ok {
			vars["callback"] = placeholder // the RETURNING row of a mutation not sent
		}
	} else {
		vars["this"] = template.Map{"idempotency_token": tok}
	}
	if res.If == "" {
		if len(missing) > 0 {
			return nil, false, missingErr()
		}
		return vars, true, nil
	}
	ok, err := rn.condition(res, vars)
	switch {
	case err != nil && usesMissing(err):
		return nil, false, missingErr()
	case err != nil:
		return nil, false, err
	case ok && len(missing) > 0:
		return nil, false, missingErr()
	}
	return vars, ok, nil
}

// condition evaluates a resource's if as a Jinja expression. A v1-style
// condition with {{ }} inside ("'{{ stack_env }}' == 'prd'") is rendered
// first; the result is then evaluated. Nothing is handed to a shell or to
// Python's eval.
func (rn *run) condition(res *Resource, vars map[string]any) (bool, error) {
	expr := res.If
	where := "resources." + res.Name + ".if"
	if strings.Contains(expr, "{{") || strings.Contains(expr, "{%") {
		out, err := rn.tpl.Render(ManifestFile+" "+where, expr, vars)
		if err != nil {
			return false, rn.fail(res, "", templateError{err: err})
		}
		expr = out
	}
	out, err := rn.tpl.Render(ManifestFile+" "+where, "{% if "+expr+" %}1{% else %}0{% endif %}", vars)
	if err != nil {
		return false, rn.fail(res, "", templateError{err: err})
	}
	return out == "1", nil
}

// merge merges a prop with another variable: lists are united (each
// distinct item once, first seen first), dicts merged shallowly with the
// other's keys winning. A value that is JSON text is parsed first, as
// stackql-deploy kept lists and dicts as JSON text.
func merge(base, other any) (any, error) {
	base, other = parseJSONText(base), parseJSONText(other)
	switch o := other.(type) {
	case template.List:
		var b template.List
		switch x := base.(type) {
		case nil:
		case template.List:
			b = x
		default:
			return nil, errors.New("cannot merge a list into a non-list")
		}
		out := template.List{}
		seen := map[string]bool{}
		for _, item := range append(append(template.List{}, b...), o...) {
			key, err := canonicalJSON(item)
			if err != nil {
				return nil, err
			}
			if !seen[key] {
				seen[key] = true
				out = append(out, item)
			}
		}
		return out, nil
	case template.Map:
		out := template.Map{}
		switch x := base.(type) {
		case nil:
		case template.Map:
			maps.Copy(out, x)
		default:
			return nil, errors.New("cannot merge a dict into a non-dict")
		}
		maps.Copy(out, o)
		return out, nil
	}
	return nil, errors.New("only lists and dicts can be merged")
}

func parseJSONText(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "[") && !strings.HasPrefix(t, "{") {
		return v
	}
	if parsed, err := template.ParseJSON(t); err == nil {
		return parsed
	}
	return v
}

// canonicalJSON is v as JSON with sorted keys, for comparing list items.
func canonicalJSON(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(exportValue(v)); err != nil {
		return "", err
	}
	return buf.String(), nil
}
