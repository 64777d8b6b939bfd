package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/internal/template"
)

// Errors of stackql-deploy v2's features.
var (
	ErrCallback   = errors.New("callback timed out") // a callback never reported success within its polls
	ErrReturnVals = errors.New("bad return_vals")    // a return_vals column is missing, null or empty
)

// afterMutation records what a create, update or delete returned, as
// stackql-deploy v2 does: the first RETURNING row becomes {{ callback.* }}
// (for this resource's queries, and for later ones until the next
// mutation) and {{ <resource>.callback.* }}; an Identifier column becomes
// {{ this.identifier }}; the resource's return_vals for op are captured
// into this.*. It reports whether return_vals captured anything (then the
// exists query need not run again to capture ids).
func (rn *run) afterMutation(res *Resource, vars map[string]any, op string, out *ccql.Result) (bool, error) {
	if rn.cfg.DryRun {
		return false, nil
	}
	var row map[string]any
	if out != nil && out.Kind == ccql.KindQuery && len(out.Rows) > 0 {
		row = rowMap(out, 0)
	}
	if row != nil {
		cb := template.Map{}
		for k, v := range row {
			cb[k] = v
			if looksSecret(k) {
				rn.mask.add(v, false)
			}
		}
		// ccql returns the ProgressEvent's fields as columns; StackQL nests
		// them under ProgressEvent. Both spellings work.
		if _, ok := cb["ProgressEvent"]; !ok {
			cb["ProgressEvent"] = maps.Clone(cb)
		}
		vars["callback"] = cb
		rn.vars["callback"] = cb
		if scoped := rn.scoped(res); scoped != nil {
			scoped["callback"] = cb
			if _, ok := vars[res.Name]; !ok {
				vars[res.Name] = scoped
			}
		}
		if id, ok := lookup(row, "Identifier"); ok && id != nil && id != "" {
			if this, ok := vars["this"].(template.Map); ok {
				this["identifier"] = id
			}
		}
	}
	vals := res.ReturnVals[op]
	if len(vals) == 0 {
		return false, nil
	}
	if row == nil {
		return false, rn.fail(res, op, fmt.Errorf("%w: return_vals.%s needs the %s statement to return a row (RETURNING *)", ErrReturnVals, op, op))
	}
	this, _ := vars["this"].(template.Map)
	for _, v := range vals {
		val, ok := lookup(row, v.Column)
		switch {
		case !ok:
			return false, rn.fail(res, op, fmt.Errorf("%w: return_vals.%s: the RETURNING row has no column %s (write RETURNING * or RETURNING %s)", ErrReturnVals, op, v.Column, v.Column))
		case val == nil || val == "" || val == "null":
			return false, rn.fail(res, op, fmt.Errorf("%w: return_vals.%s: %s is null or empty in the RETURNING row", ErrReturnVals, op, v.Column))
		}
		if this != nil {
			this[v.As] = val
		}
		if looksSecret(v.As) || looksSecret(v.Column) {
			rn.mask.add(val, false)
		}
		rn.log.Debug("return_vals", "resource", res.Name, "operation", op, "column", v.Column, "as", "this."+v.As)
	}
	return true, nil
}

// callback runs the resource's callback for op (callback:op, else
// callback), if it has one: unless short_circuit_field of the RETURNING
// row already holds short_circuit_value, it polls until a row has a true
// success column (or count 1), up to 1+retries times, retry_delay apart,
// as stackql-deploy v2 does. Never succeeding is ErrCallback.
func (rn *run) callback(ctx context.Context, res *Resource, vars map[string]any, op string) error {
	q := rn.stack.queries[res.Name].ForOp(AnchorCallback, op)
	if q == nil {
		return nil
	}
	if rn.cfg.DryRun {
		stmt, err := rn.render(res, q, vars)
		if err == nil {
			_, err = rn.exec(ctx, res, q.Anchor, stmt)
		}
		return err
	}
	if f := q.Options.ShortCircuitField; f != "" {
		if v, ok := dig(vars["callback"], f); ok && fmt.Sprint(v) == q.Options.ShortCircuitValue {
			rn.log.Debug("callback short-circuited", "resource", res.Name, "operation", op, "field", f)
			return nil
		}
	}
	polls := q.Options.Retries + 1
	for attempt := 1; ; attempt++ {
		stmt, err := rn.render(res, q, vars)
		if err != nil {
			return err
		}
		out, err := rn.exec(ctx, res, q.Anchor, stmt)
		if err != nil {
			return err
		}
		if callbackSucceeded(out) {
			rn.log.Debug("callback succeeded", "resource", res.Name, "operation", op, "attempt", attempt)
			return nil
		}
		if attempt >= polls {
			return rn.fail(res, q.Anchor, fmt.Errorf("%w: %s of %s not done after %d poll(s) (retries=%d)", ErrCallback, op, res.Name, polls, q.Options.Retries))
		}
		if err := rn.cfg.Sleep(ctx, q.Options.RetryDelay); err != nil {
			return rn.fail(res, q.Anchor, err)
		}
	}
}

// callbackSucceeded reads a callback poll: a success column that is 1 or
// true, or a count column that is 1.
func callbackSucceeded(out *ccql.Result) bool {
	if out == nil || len(out.Rows) == 0 {
		return false
	}
	row := rowMap(out, 0)
	if v, ok := lookup(row, "success"); ok {
		switch x := v.(type) {
		case bool:
			if x {
				return true
			}
		default:
			if s := strings.ToLower(fmt.Sprint(x)); s == "1" || s == "true" {
				return true
			}
		}
	}
	if v, ok := lookup(row, "count"); ok {
		if n, err := toInt(v); err == nil && n == 1 {
			return true
		}
	}
	return false
}

// dig follows a dot path (ProgressEvent.OperationStatus) into a value.
func dig(v any, path string) (any, bool) {
	for _, p := range strings.Split(path, ".") {
		m, ok := v.(template.Map)
		if !ok {
			return nil, false
		}
		if v, ok = lookup(m, p); !ok {
			return nil, false
		}
	}
	return v, true
}

// troubleshoot runs the resource's troubleshoot query for op after a
// failure and logs its rows as JSON (secrets masked). It never changes the
// outcome: its own failure is logged too.
func (rn *run) troubleshoot(ctx context.Context, res *Resource, vars map[string]any, op string, cause error) {
	q := rn.stack.queries[res.Name].ForOp(AnchorTroubleshoot, op)
	if q == nil || rn.cfg.DryRun {
		return
	}
	log := rn.log.With("resource", res.Name, "operation", op)
	stmt, err := rn.render(res, q, vars)
	if err != nil {
		log.Error("troubleshoot query failed", "error", rn.mask.mask(err.Error()))
		return
	}
	out, err := rn.exec(ctx, res, q.Anchor, stmt)
	if err != nil {
		log.Error("troubleshoot query failed", "error", rn.mask.mask(err.Error()))
		return
	}
	rows := make([]map[string]any, len(out.Rows))
	for i := range out.Rows {
		rows[i] = exportValue(template.Map(rowMap(out, i))).(map[string]any)
	}
	b, err := json.Marshal(rows)
	if err != nil {
		log.Error("troubleshoot query failed", "error", err.Error())
		return
	}
	failure := ""
	if cause != nil {
		failure = rn.mask.mask(cause.Error())
	}
	rowsJSON := rn.mask.mask(string(b))
	log.Error("troubleshoot", "failure", failure, "rows", rowsJSON)
	// The rows as plain JSON on the progress stream too: a log attribute
	// is quoted and escaped.
	prefix := ""
	if rn.cfg.Terminal {
		prefix = "\r\033[K"
	}
	fmt.Fprintf(rn.cfg.Progress, "%s! troubleshoot %s (%s): %s\n", prefix, res.Name, op, rowsJSON)
}

// explain says where an undefined variable of a resource's template would
// come from, for the error that names it.
func (rn *run) explain(res *Resource, undefined string) string {
	name := undefined
	for _, p := range []string{"vars.", "globals."} {
		name = strings.TrimPrefix(name, p)
	}
	root, rest, _ := strings.Cut(name, ".")
	if i := strings.IndexAny(root, "["); i >= 0 {
		root = root[:i]
	}
	switch root {
	case "this":
		field, _, _ := strings.Cut(rest, ".")
		return fmt.Sprintf("this.%s is captured from a column %s returned by the exists query of %s (or by its return_vals); none has been captured", field, field, res.Name)
	case "callback":
		return "callback.* is the RETURNING row of the last create, update or delete, and none has returned a row"
	}
	if r := rn.unknown[root]; r != "" {
		switch {
		case rn.noRow[root]:
			return fmt.Sprintf("%s is exported by resource %s, whose exports query returned no row", root, r)
		case rn.command == "plan":
			return fmt.Sprintf("%s is exported by resource %s, which does not exist yet", root, r)
		default:
			return fmt.Sprintf("%s is exported by resource %s, which was not found", root, r)
		}
	}
	for i := range rn.stack.Manifest.Resources {
		r := &rn.stack.Manifest.Resources[i]
		if !r.exportsAs(root) {
			continue
		}
		if r.Name == res.Name {
			return fmt.Sprintf("%s is an export of %s itself, known only once its exports query has run", root, res.Name)
		}
		if rn.index(r) > rn.index(res) {
			return fmt.Sprintf("%s is exported by resource %s, which comes after %s in the manifest", root, r.Name, res.Name)
		}
		return fmt.Sprintf("%s is exported by resource %s, whose exports were not collected (is its if false?)", root, r.Name)
	}
	return fmt.Sprintf("%s is not an environment variable (.env or -e), a global, a prop of %s, or an export of any resource", root, res.Name)
}

// exportsAs reports whether the resource exports a variable named name.
func (r *Resource) exportsAs(name string) bool {
	for _, e := range r.Exports {
		if e.As == name {
			return true
		}
	}
	return false
}

func (rn *run) index(res *Resource) int {
	for i := range rn.stack.Manifest.Resources {
		if &rn.stack.Manifest.Resources[i] == res {
			return i
		}
	}
	return -1
}

// compactValue prints a value as compact JSON (strings quoted), for plans.
func compactValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case template.Map:
		return x.String()
	case template.List:
		return x.String()
	}
	b, err := json.Marshal(exportValue(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
