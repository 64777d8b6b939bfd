package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ccql/ccql/internal/handler"
	jsonpatch "github.com/evanphx/json-patch/v5"
)

// identifierOf returns a model's primary identifier string (see
// handler.Identifier); ok is false when a part is missing.
func (ti *typeInfo) identifierOf(model map[string]any) (string, bool) {
	return handler.Identifier(model, ti.idPaths)
}

// normalizeIdentifier accepts the primary identifier as a string
// ("pool|client") or as JSON ({"UserPoolId":…,"ClientId":…}, keys as
// property names or /properties/ paths) and returns the string form.
func (ti *typeInfo) normalizeIdentifier(id string) (string, error) {
	t := strings.TrimSpace(id)
	if !strings.HasPrefix(t, "{") {
		return id, nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(t), &m); err != nil {
		return "", errValidation("Identifier %s is not valid JSON", id)
	}
	norm := make(map[string]any, len(m))
	for k, v := range m {
		norm[strings.TrimPrefix(k, "/properties/")] = v
	}
	if len(norm) != len(ti.idProps) {
		return "", errInvalidRequest("Identifier %s does not match the primary identifier %v of %s", id, ti.res.PrimaryIdentifier, ti.res.TypeName)
	}
	s, ok := ti.identifierOf(norm)
	if !ok {
		return "", errInvalidRequest("Identifier %s does not match the primary identifier %v of %s", id, ti.res.PrimaryIdentifier, ti.res.TypeName)
	}
	return s, nil
}

// removePath deletes the value at path (property names; "*" matches every
// array item or object member) from v.
func removePath(v any, path []string) {
	if len(path) == 0 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if path[0] == "*" {
			for _, c := range x {
				removePath(c, path[1:])
			}
			return
		}
		if len(path) == 1 {
			delete(x, path[0])
			return
		}
		removePath(x[path[0]], path[1:])
	case []any:
		if path[0] != "*" {
			return
		}
		for _, c := range x {
			removePath(c, path[1:])
		}
	}
}

// without returns a deep copy of model minus the given paths.
func without(model map[string]any, paths [][]string) map[string]any {
	if len(paths) == 0 {
		return model
	}
	cp := deepCopy(model).(map[string]any)
	for _, p := range paths {
		removePath(cp, p)
	}
	return cp
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, c := range x {
			m[k] = deepCopy(c)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, c := range x {
			s[i] = deepCopy(c)
		}
		return s
	}
	return v
}

// marshalModel encodes a model with its top-level properties in schema
// order (then any others by name), as people read them.
func (ti *typeInfo) marshalModel(model map[string]any) (string, error) {
	var b bytes.Buffer
	b.Grow(512)
	b.WriteByte('{')
	first := true
	write := func(k string, v any) error {
		if !first {
			b.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode %s: %w", k, err)
		}
		b.Write(vb)
		return nil
	}
	seen := 0
	for _, p := range ti.res.Properties {
		if v, ok := model[p.Name]; ok {
			if err := write(p.Name, v); err != nil {
				return "", err
			}
			seen++
		}
	}
	if seen < len(model) {
		var extra []string
		for k := range model {
			if _, ok := ti.propOrder[k]; !ok {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		for _, k := range extra {
			if err := write(k, model[k]); err != nil {
				return "", err
			}
		}
	}
	b.WriteByte('}')
	return b.String(), nil
}

// patchOp is one RFC 6902 operation as Cloud Control accepts it: paths
// relative to the resource's properties, with or without a leading "/".
type patchOp struct {
	Op    string           `json:"op"`
	Path  string           `json:"path"`
	From  string           `json:"from,omitempty"`
	Value *json.RawMessage `json:"value,omitempty"`
}

// parsePatch decodes a PatchDocument and normalises its paths.
func parsePatch(doc string) ([]patchOp, error) {
	var ops []patchOp
	dec := json.NewDecoder(strings.NewReader(doc))
	if err := dec.Decode(&ops); err != nil {
		return nil, errValidation("Invalid patch document: %s", patchErrText(err))
	}
	if dec.More() {
		return nil, errValidation("Invalid patch document: trailing data")
	}
	if len(ops) == 0 {
		return nil, errValidation("Invalid patch document: no operations")
	}
	for i := range ops {
		op := &ops[i]
		switch op.Op {
		case "add", "replace", "test":
			if op.Value == nil {
				return nil, errValidation("Invalid patch document: operation %d (%s) has no value", i, op.Op)
			}
		case "move", "copy":
			if op.From == "" {
				return nil, errValidation("Invalid patch document: operation %d (%s) has no from", i, op.Op)
			}
			op.From = absPointer(op.From)
		case "remove":
		default:
			return nil, errValidation("Invalid patch document: unknown operation %q", op.Op)
		}
		if op.Path == "" {
			return nil, errValidation("Invalid patch document: operation %d (%s) has no path", i, op.Op)
		}
		op.Path = absPointer(op.Path)
	}
	return ops, nil
}

func patchErrText(err error) string {
	if _, ok := err.(*json.UnmarshalTypeError); ok {
		return "expected an array of operations"
	}
	return err.Error()
}

func absPointer(p string) string {
	if strings.HasPrefix(p, "/") {
		return p
	}
	return "/" + p
}

// pointerTokens splits a JSON pointer into unescaped tokens.
func pointerTokens(p string) []string {
	toks := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks
}

// overlaps reports whether one path is a prefix of the other: writing
// either changes the other.
func overlaps(a, b []string) bool {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// touched returns the schema paths of list that op writes.
func touched(ops []patchOp, list [][]string, includeFrom bool) []string {
	var out []string
	seen := map[string]bool{}
	for _, op := range ops {
		var targets []string
		if op.Op != "test" {
			targets = append(targets, op.Path)
		}
		if includeFrom && op.Op == "move" {
			targets = append(targets, op.From)
		}
		for _, t := range targets {
			toks := pointerTokens(t)
			for _, p := range list {
				if overlaps(toks, p) && !seen[joinPath(p)] {
					seen[joinPath(p)] = true
					out = append(out, joinPath(p))
				}
			}
		}
	}
	return out
}

// applyPatch applies ops to the model. Nothing changes unless every
// operation (tests included) succeeds.
func applyPatch(model map[string]any, ops []patchOp) (map[string]any, error) {
	doc, err := json.Marshal(model)
	if err != nil {
		return nil, fmt.Errorf("encode model: %w", err)
	}
	pb, err := json.Marshal(ops)
	if err != nil {
		return nil, fmt.Errorf("encode patch: %w", err)
	}
	p, err := jsonpatch.DecodePatch(pb)
	if err != nil {
		return nil, errValidation("Invalid patch document: %v", err)
	}
	out, err := p.Apply(doc)
	if err != nil {
		return nil, errValidation("Invalid patch update: %v", err)
	}
	m, err := decodeObject(string(out))
	if err != nil {
		return nil, errValidation("Invalid patch update: the patched model is not an object")
	}
	return m, nil
}

// valueAt returns the JSON encoding of the value at path in model, "" when absent.
func valueAt(model map[string]any, path []string) string {
	var v any = model
	for _, t := range path {
		switch x := v.(type) {
		case map[string]any:
			c, ok := x[t]
			if !ok {
				return ""
			}
			v = c
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(x) {
				return ""
			}
			v = x[i]
		default:
			return ""
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}
