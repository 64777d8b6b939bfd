package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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
	return marshalOrdered(ti, model, func(v any) ([]byte, error) { return json.Marshal(v) })
}

// marshalRaw is marshalModel for a model as the store holds it (a JSON
// object), without decoding what it need not: it writes exactly what
// marshalModel writes for the decoded model. Members whose name and value
// json.Marshal would write as they are (ASCII names and strings without
// escapes, short integers, true, false, null) are copied; other values
// are decoded and encoded again; a name that needs escaping, a repeated
// name or anything unusual takes marshalModel's path for the whole model.
// Decoding and re-encoding every model was the list path's main cost.
func (ti *typeInfo) marshalRaw(raw json.RawMessage) (string, error) {
	members, ok := splitObject(raw)
	if !ok {
		var model map[string]any
		if err := json.Unmarshal(raw, &model); err != nil || model == nil {
			return "", fmt.Errorf("decode %s model: not a JSON object", ti.res.TypeName)
		}
		return ti.marshalModel(model)
	}
	// Schema order, then the others by name, as marshalModel.
	sort.Slice(members, func(i, j int) bool {
		pi, iok := ti.propOrder[string(members[i].name)]
		pj, jok := ti.propOrder[string(members[j].name)]
		switch {
		case iok && jok:
			return pi < pj
		case iok != jok:
			return iok
		}
		return bytes.Compare(members[i].name, members[j].name) < 0
	})
	var b bytes.Buffer
	b.Grow(len(raw) + 2)
	b.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.Write(m.name)
		b.WriteString(`":`)
		if plainValue(m.value) {
			b.Write(m.value)
			continue
		}
		var v any
		if err := json.Unmarshal(m.value, &v); err != nil {
			return "", fmt.Errorf("decode %s: %w", m.name, err)
		}
		vb, err := json.Marshal(v)
		if err != nil {
			return "", fmt.Errorf("encode %s: %w", m.name, err)
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.String(), nil
}

// member is one top-level member of a JSON object: its name's text
// (between the quotes) and its value's text.
type member struct {
	name  []byte
	value []byte
}

// splitObject splits a valid JSON object into its members; ok is false
// when the text is not a valid object, or a name needs escaping (its text
// is not its value) or repeats.
func splitObject(raw []byte) ([]member, bool) {
	if !json.Valid(raw) {
		return nil, false
	}
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, false
	}
	out := make([]member, 0, 8)
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return out, true
	}
	for i < len(raw) {
		// A valid object: a string name, ':', a value, then ',' or '}'.
		end := skipString(raw, i)
		name := raw[i+1 : end-1]
		if !plainString(name) {
			return nil, false
		}
		for _, m := range out {
			if bytes.Equal(m.name, name) {
				return nil, false
			}
		}
		i = skipSpace(raw, end)
		i = skipSpace(raw, i+1) // ':'
		vend := skipValue(raw, i)
		out = append(out, member{name: name, value: raw[i:vend]})
		i = skipSpace(raw, vend)
		if raw[i] == '}' {
			return out, true
		}
		i = skipSpace(raw, i+1) // ','
	}
	return nil, false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] ('"').
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// skipValue returns the index after the (valid) value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return i
	}
	for i < len(b) && !strings.ContainsRune(",}] \t\n\r", rune(b[i])) {
		i++
	}
	return i
}

// plainString reports whether a string's text (between the quotes) is
// what json.Marshal writes for it: printable ASCII, no escape, none of
// the characters it escapes for HTML.
func plainString(s []byte) bool {
	for _, c := range s {
		if c < 0x20 || c >= 0x7f || c == '\\' || c == '"' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// plainValue reports whether json.Marshal of the decoded value writes the
// value's text as it is: true, false, null, a plain string, or an integer
// of at most 15 digits (exact as a float64, written without exponent).
func plainValue(v []byte) bool {
	switch {
	case len(v) == 0:
		return false
	case string(v) == "true" || string(v) == "false" || string(v) == "null":
		return true
	case v[0] == '"':
		return len(v) >= 2 && v[len(v)-1] == '"' && plainString(v[1:len(v)-1])
	}
	digits := v
	if digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 15 || digits[0] == '0' && (len(digits) > 1 || len(v) > 1) {
		return false // "-0" is written 0 (a float64 -0 → "-0"? keep it exact: decode)
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// marshalOrdered writes model's members in schema order, then the others
// by name, each value encoded by enc.
func marshalOrdered[V any](ti *typeInfo, model map[string]V, enc func(V) ([]byte, error)) (string, error) {
	var b bytes.Buffer
	b.Grow(512)
	b.WriteByte('{')
	first := true
	write := func(k string, v V) error {
		if !first {
			b.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := enc(v)
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
// are RFC 6901 JSON pointers relative to the resource's properties.
type patchOp struct {
	Op    string           `json:"op"`
	Path  string           `json:"path"`
	From  string           `json:"from,omitempty"`
	Value *json.RawMessage `json:"value,omitempty"`
}

// parsePatch decodes a PatchDocument. Member names are RFC 6902's, matched
// exactly (other members are ignored, as AWS ignores unknown members); op,
// path and from must be strings; paths must be RFC 6901 pointers.
func parsePatch(doc string) ([]patchOp, error) {
	var raw []map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(doc))
	if err := dec.Decode(&raw); err != nil {
		return nil, errValidation("Invalid patch document: %s", patchErrText(err))
	}
	if _, err := dec.Token(); err != io.EOF { // More is false before a stray ']'
		return nil, errValidation("Invalid patch document: trailing data")
	}
	if len(raw) == 0 {
		return nil, errValidation("Invalid patch document: no operations")
	}
	ops := make([]patchOp, len(raw))
	for i, m := range raw {
		if m == nil {
			return nil, errValidation("Invalid patch document: operation %d is not an object", i)
		}
		op := &ops[i]
		for _, f := range []struct {
			name string
			dst  *string
		}{{"op", &op.Op}, {"path", &op.Path}, {"from", &op.From}} {
			v, ok := m[f.name]
			if !ok {
				continue
			}
			if err := json.Unmarshal(v, f.dst); err != nil || bytes.TrimSpace(v)[0] != '"' {
				return nil, errValidation("Invalid patch document: operation %d: member %s is not a string", i, f.name)
			}
		}
		if v, ok := m["value"]; ok {
			v := json.RawMessage(bytes.TrimSpace(v))
			op.Value = &v
		}
		switch op.Op {
		case "add", "replace", "test":
			if op.Value == nil {
				return nil, errValidation("Invalid patch document: operation %d (%s) has no value", i, op.Op)
			}
		case "move", "copy":
			if _, ok := m["from"]; !ok {
				return nil, errValidation("Invalid patch document: operation %d (%s) has no from", i, op.Op)
			}
			if err := checkPointer(op.From); err != nil {
				return nil, errValidation("Invalid patch document: operation %d (%s): from %v", i, op.Op, err)
			}
		case "remove":
		default:
			return nil, errValidation("Invalid patch document: unknown operation %q", op.Op)
		}
		if op.Path == "" {
			return nil, errValidation("Invalid patch document: operation %d (%s) has no path", i, op.Op)
		}
		if err := checkPointer(op.Path); err != nil {
			return nil, errValidation("Invalid patch document: operation %d (%s): path %v", i, op.Op, err)
		}
	}
	return ops, nil
}

// checkPointer checks RFC 6901's syntax: "" or "/"-prefixed tokens in
// which "~" is only ever "~0" or "~1".
func checkPointer(p string) error {
	if p == "" {
		return nil
	}
	if p[0] != '/' {
		return fmt.Errorf("%q is not a JSON pointer (RFC 6901): it must start with \"/\"", p)
	}
	for i := 0; i < len(p); i++ {
		if p[i] == '~' && (i+1 == len(p) || p[i+1] != '0' && p[i+1] != '1') {
			return fmt.Errorf("%q is not a JSON pointer (RFC 6901): \"~\" must be followed by 0 or 1", p)
		}
	}
	return nil
}

// checkIndexes checks the array indexes of a pointer against the document
// it is applied to: where the pointer goes through an array, its token
// must be RFC 6901's array index (no leading zeros, no sign) or, as the
// last token of an add's path, "-".
func checkIndexes(doc any, p string, dashOK bool) error {
	toks := pointerTokens(p)
	var cur any = doc
	for i, t := range toks {
		switch x := cur.(type) {
		case map[string]any:
			cur = x[t]
		case []any:
			if t == "-" && dashOK && i == len(toks)-1 {
				return nil
			}
			if !isArrayIndex(t) {
				return fmt.Errorf("%q: %q is not an array index (RFC 6901)", p, t)
			}
			n, err := strconv.Atoi(t)
			if err != nil || n >= len(x) {
				return nil // out of range: the patch library reports it
			}
			cur = x[n]
		default:
			return nil
		}
	}
	return nil
}

func isArrayIndex(t string) bool {
	if t == "0" {
		return true
	}
	if t == "" || t[0] < '1' || t[0] > '9' {
		return false
	}
	for i := 1; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

func patchErrText(err error) string {
	if _, ok := err.(*json.UnmarshalTypeError); ok {
		return "expected an array of operations"
	}
	return err.Error()
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

// applyPatch applies ops to the model, one at a time so that each
// operation's array indexes are checked against the document it applies
// to. Nothing changes unless every operation (tests included) succeeds.
func applyPatch(model map[string]any, ops []patchOp) (map[string]any, error) {
	doc, err := json.Marshal(model)
	if err != nil {
		return nil, fmt.Errorf("encode model: %w", err)
	}
	for i, op := range ops {
		var cur any
		if err := json.Unmarshal(doc, &cur); err != nil {
			return nil, fmt.Errorf("decode model: %w", err)
		}
		if err := checkIndexes(cur, op.Path, op.Op == "add" || op.Op == "move" || op.Op == "copy"); err != nil {
			return nil, errValidation("Invalid patch update: operation %d (%s): path %v", i, op.Op, err)
		}
		if op.Op == "move" || op.Op == "copy" {
			if err := checkIndexes(cur, op.From, false); err != nil {
				return nil, errValidation("Invalid patch update: operation %d (%s): from %v", i, op.Op, err)
			}
		}
		pb, err := json.Marshal([]patchOp{op})
		if err != nil {
			return nil, fmt.Errorf("encode patch: %w", err)
		}
		p, err := jsonpatch.DecodePatch(pb)
		if err != nil {
			return nil, errValidation("Invalid patch document: %v", err)
		}
		if doc, err = p.Apply(doc); err != nil {
			return nil, errValidation("Invalid patch update: %v", err)
		}
	}
	m, err := decodeObject(string(doc))
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
