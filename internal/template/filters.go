package template

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/nikolalohinski/gonja/v2/exec"
)

// filters are the stackql-deploy filters, on top of gonja's built-ins.
func filters() map[string]exec.FilterFunction {
	return map[string]exec.FilterFunction{
		"generate_patch_document": filterGeneratePatchDocument,
		"from_json":               filterFromJSON,
		"tojson":                  filterToJSON,
		"base64_encode":           filterBase64Encode,
		"merge_lists":             filterMergeLists,
		"merge_objects":           filterMergeObjects,
		"sql_list":                filterSQLList,
		"sql_escape":              filterSQLEscape,
	}
}

// globals are the functions every template can call.
func globals() map[string]any {
	return map[string]any{
		// uuid() is a fresh random (version 4) UUID on every call, as in v1.
		"uuid": func() string { return uuid.NewString() },
		// Jinja2 spells None also none; gonja knows only None and nil.
		"none": nil,
	}
}

func fail(filter string, err error) *exec.Value {
	return exec.AsValue(fmt.Errorf("%s: %w", filter, err))
}

// filterGeneratePatchDocument is stackql-deploy v1's generate_patch_document:
// one RFC 6902 "add" per key of the dict, in the dict's order, with every
// string value that parses as JSON replaced by the parsed value ("30" → 30,
// "true" → true, '["a"]' → an array), printed by Python's json.dumps rules.
// No key is ever skipped unless skip_null=true is given, which leaves out
// keys whose value is None.
func filterGeneratePatchDocument(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	const name = "generate_patch_document"
	if in.IsError() {
		return in
	}
	var skipNull bool
	if err := params.Take(exec.KeywordArgument("skip_null", exec.AsValue(false), exec.BoolArgument(&skipNull))); err != nil {
		return exec.AsValue(exec.ErrInvalidCall(err))
	}
	var props *object
	if in.IsString() {
		// A JSON object in a string: v1 would fail; accept it, keeping order.
		c, err := decodeOrdered(in.String())
		o, ok := c.(*object)
		if err != nil || !ok {
			return fail(name, errors.New("input must be a dict (or a JSON object string)"))
		}
		props = o
	} else if in.IsDict() {
		o, err := patchValues(in)
		if err != nil {
			return fail(name, err)
		}
		props = o
	} else {
		return fail(name, errors.New("input must be a dict"))
	}
	ops := []any{}
	for _, k := range props.keys {
		v := props.vals[k]
		if s, ok := v.(string); ok {
			if parsed, err := decodeOrdered(s); err == nil {
				v = parsed
			}
		}
		if skipNull && v == nil {
			continue
		}
		op := newObject()
		op.set("op", "add")
		op.set("path", "/"+k)
		op.set("value", v)
		ops = append(ops, op)
	}
	var buf bytes.Buffer
	encode(&buf, ops, pythonDefault, 0)
	return exec.AsValue(buf.String())
}

// patchValues is the dict as an ordered object in the JSON model; string
// values stay strings, for the caller to parse as v1 does.
func patchValues(in *exec.Value) (*object, error) {
	c, err := canon(in)
	if err != nil {
		return nil, err
	}
	o, ok := c.(*object)
	if !ok {
		return nil, errors.New("input must be a dict")
	}
	return o, nil
}

// filterFromJSON parses a JSON string into a value. A value that is already
// a list or dict passes through, because stackql-deploy templates often
// write {{ x | from_json }} for props that v1 kept as JSON text and ccql
// keeps as values.
func filterFromJSON(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	if err := params.Take(); err != nil {
		return exec.AsValue(exec.ErrInvalidCall(err))
	}
	if in.IsList() || in.IsDict() {
		return exec.AsValue(Normalize(in.Interface()))
	}
	if !in.IsString() {
		return fail("from_json", fmt.Errorf("input must be a string, not %s", kind(in)))
	}
	v, err := ParseJSON(in.String())
	if err != nil {
		// The input is not echoed: it may be a secret.
		return fail("from_json", err)
	}
	return exec.AsValue(v)
}

// filterToJSON is Jinja2's tojson: json.dumps with sorted keys, then <, >, &
// and ' escaped as \u003c, \u003e, \u0026 and \u0027, so the result is safe
// inside a single-quoted SQL literal. indent=N pretty-prints.
func filterToJSON(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	var indent int
	if err := params.Take(exec.KeywordArgument("indent", exec.AsValue(0), exec.IntArgument(&indent))); err != nil {
		return exec.AsValue(exec.ErrInvalidCall(err))
	}
	o := pythonDefault
	o.sortKeys = true
	if indent > 0 {
		o.indent = strings.Repeat(" ", indent)
	}
	s, err := marshal(in, o)
	if err != nil {
		return fail("tojson", err)
	}
	s = strings.NewReplacer("<", `\u003c`, ">", `\u003e`, "&", `\u0026`, "'", `\u0027`).Replace(s)
	return exec.AsValue(s)
}

// filterBase64Encode is standard base64 of the value's UTF-8 text.
func filterBase64Encode(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	if err := params.Take(); err != nil {
		return exec.AsValue(exec.ErrInvalidCall(err))
	}
	return exec.AsValue(base64.StdEncoding.EncodeToString([]byte(in.String())))
}

// filterMergeLists is a | merge_lists(b): the union of two lists (or JSON
// list strings), each distinct item once, compared as JSON with sorted keys.
// v1 lost the order (a Python set); ccql keeps first-seen order.
func filterMergeLists(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	const name = "merge_lists"
	if in.IsError() {
		return in
	}
	var other *exec.Value
	if err := params.Take(exec.PositionalArgument("other", nil, func(v *exec.Value) error { other = v; return nil })); err != nil {
		return exec.AsValue(exec.ErrInvalidCall(err))
	}
	if other.IsError() {
		return other
	}
	a, err := asList(in)
	if err != nil {
		return fail(name, err)
	}
	b, err := asList(other)
	if err != nil {
		return fail(name, err)
	}
	key := encOpts{itemSep: ",", keySep: ":", sortKeys: true}
	seen := map[string]bool{}
	out := List{}
	for _, item := range append(a, b...) {
		var buf bytes.Buffer
		encode(&buf, item, key, 0)
		if seen[buf.String()] {
			continue
		}
		seen[buf.String()] = true
		out = append(out, fromModel(item))
	}
	return exec.AsValue(out)
}

func asList(v *exec.Value) ([]any, error) {
	if v.IsString() {
		c, err := decodeOrdered(v.String())
		if l, ok := c.([]any); ok && err == nil {
			return l, nil
		}
	} else if v.IsList() {
		c, err := canon(v)
		if err != nil {
			return nil, err
		}
		return c.([]any), nil
	}
	return nil, errors.New("input must be a list or a JSON-encoded list string")
}

// filterMergeObjects is a | merge_objects(b): a shallow merge of two dicts
// (or JSON object strings), b's keys winning.
func filterMergeObjects(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	const name = "merge_objects"
	if in.IsError() {
		return in
	}
	var other *exec.Value
	if err := params.Take(exec.PositionalArgument("other", nil, func(v *exec.Value) error { other = v; return nil })); err != nil {
		return exec.AsValue(exec.ErrInvalidCall(err))
	}
	if other.IsError() {
		return other
	}
	a, err := asObject(in)
	if err != nil {
		return fail(name, err)
	}
	b, err := asObject(other)
	if err != nil {
		return fail(name, err)
	}
	for _, k := range b.keys {
		a.set(k, b.vals[k])
	}
	return exec.AsValue(fromModel(a))
}

func asObject(v *exec.Value) (*object, error) {
	var c any
	var err error
	switch {
	case v.IsString():
		c, err = decodeOrdered(v.String())
	case v.IsDict():
		c, err = canon(v)
	default:
		return nil, errors.New("input must be a dict or a JSON-encoded dict string")
	}
	o, ok := c.(*object)
	if err != nil || !ok {
		return nil, errors.New("input must be a dict or a JSON-encoded dict string")
	}
	return o, nil
}

// filterSQLList turns a list (or a JSON list string) into a SQL list:
// ['a', 'b'] → ('a','b'); an empty list → (NULL); a string that is not JSON
// → a one-item list. Unlike v1, a ' inside an item is doubled, so the
// result is always valid SQL (v1 produced a broken statement there).
func filterSQLList(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	if err := params.Take(); err != nil {
		return exec.AsValue(exec.ErrInvalidCall(err))
	}
	var items []any
	switch {
	case in.IsNil():
	case in.IsString():
		c, err := decodeOrdered(in.String())
		if l, ok := c.([]any); ok && err == nil {
			items = l
		} else if err == nil && c != nil {
			items = []any{c}
		} else if err != nil {
			items = []any{in.String()}
		}
	case in.IsList():
		c, err := canon(in)
		if err != nil {
			return fail("sql_list", err)
		}
		items = c.([]any)
	default:
		c, err := canon(in)
		if err != nil {
			return fail("sql_list", err)
		}
		items = []any{c}
	}
	if len(items) == 0 {
		return exec.AsValue("(NULL)")
	}
	quoted := make([]string, len(items))
	for i, item := range items {
		quoted[i] = "'" + strings.ReplaceAll(pyStr(item), "'", "''") + "'"
	}
	return exec.AsValue("(" + strings.Join(quoted, ",") + ")")
}

// pyStr is Python's str() of a JSON model value, for sql_list items.
func pyStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case pyNum:
		return string(x)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	}
	var buf bytes.Buffer
	encode(&buf, v, compactText, 0)
	return buf.String()
}

// filterSQLEscape doubles single quotes so the value can sit inside a SQL
// string literal. None stays None (it renders as the empty string).
func filterSQLEscape(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	if err := params.Take(); err != nil {
		return exec.AsValue(exec.ErrInvalidCall(err))
	}
	if in.IsNil() {
		return in
	}
	return exec.AsValue(strings.ReplaceAll(in.String(), "'", "''"))
}

func kind(v *exec.Value) string {
	switch {
	case v.IsNil():
		return "None"
	case v.IsBool():
		return "a boolean"
	case v.IsNumber():
		return "a number"
	case v.IsString():
		return "a string"
	case v.IsList():
		return "a list"
	case v.IsDict():
		return "a dict"
	}
	return fmt.Sprintf("%T", v.Interface())
}
