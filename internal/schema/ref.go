package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrBadPointer is returned for a JSON pointer or $ref that does not resolve
// inside the resource's own document.
var ErrBadPointer = errors.New("unresolvable JSON pointer")

// Pointer returns the part of the whole schema document that the JSON
// pointer names ("#/definitions/TokenValidityUnits", "/properties/Name";
// the leading "#" is optional). Only references within the document are
// supported, which is all CloudFormation schemas use.
func (r *Resource) Pointer(ptr string) (json.RawMessage, error) {
	p := strings.TrimPrefix(ptr, "#")
	cur := json.RawMessage(r.Raw)
	if p == "" {
		return cur, nil
	}
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("%w: %q in %s", ErrBadPointer, ptr, r.TypeName)
	}
	toks := strings.Split(p[1:], "/")
	// Fast paths for what $refs name in practice: a definition or a
	// top-level property, without decoding the whole document.
	if len(toks) >= 2 && (toks[0] == "definitions" || toks[0] == "properties") {
		name := unescapePointer(toks[1])
		var start json.RawMessage
		if toks[0] == "definitions" {
			start = r.definitions[name]
		} else if prop, ok := r.Property(name); ok {
			start = prop.Raw
		}
		if start != nil {
			cur, toks = start, toks[2:]
		}
	}
	for _, tok := range toks {
		tok = unescapePointer(tok)
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(cur, &obj); err != nil {
			return nil, fmt.Errorf("%w: %q in %s: %q is not an object", ErrBadPointer, ptr, r.TypeName, tok)
		}
		next, ok := obj[tok]
		if !ok {
			return nil, fmt.Errorf("%w: %q in %s: no %q", ErrBadPointer, ptr, r.TypeName, tok)
		}
		cur = next
	}
	return cur, nil
}

// unescapePointer decodes one JSON pointer token (RFC 6901: ~1 is "/", ~0 is "~").
func unescapePointer(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
}

// maxRefDepth bounds $ref chains so a cyclic schema cannot loop forever.
const maxRefDepth = 32

// Deref follows a fragment's "$ref" chain to the schema it finally names and
// returns it; a fragment without "$ref" is returned unchanged. Keywords next
// to a "$ref" (a "description", say) are dropped, as JSON Schema draft-07
// does.
func (r *Resource) Deref(frag json.RawMessage) (json.RawMessage, error) {
	for range maxRefDepth {
		var head struct {
			Ref string `json:"$ref"`
		}
		if err := json.Unmarshal(frag, &head); err != nil || head.Ref == "" {
			return frag, nil //nolint:nilerr // a non-object fragment (true/false) has no $ref
		}
		next, err := r.Pointer(head.Ref)
		if err != nil {
			return nil, err
		}
		frag = next
	}
	return nil, fmt.Errorf("%w: $ref chain longer than %d in %s", ErrBadPointer, maxRefDepth, r.TypeName)
}

// PropertyAt returns the schema of the property at a "/properties/..." path,
// descending through nested objects ("/properties/Schedule/ScheduleId") and
// following $refs on the way. The returned fragment is not itself
// dereferenced.
func (r *Resource) PropertyAt(path string) (json.RawMessage, error) {
	rest, ok := strings.CutPrefix(path, "/properties/")
	if !ok || rest == "" {
		return nil, fmt.Errorf("%w: %q in %s: not a /properties/ path", ErrBadPointer, path, r.TypeName)
	}
	parts := strings.Split(rest, "/")
	top, ok := r.Property(parts[0])
	if !ok {
		return nil, fmt.Errorf("%w: %q in %s: no property %q", ErrBadPointer, path, r.TypeName, parts[0])
	}
	cur := top.Raw
	for _, name := range parts[1:] {
		obj, err := r.Deref(cur)
		if err != nil {
			return nil, err
		}
		var holder struct {
			Properties map[string]json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(obj, &holder); err != nil {
			return nil, fmt.Errorf("%w: %q in %s: %w", ErrBadPointer, path, r.TypeName, err)
		}
		next, ok := holder.Properties[name]
		if !ok {
			return nil, fmt.Errorf("%w: %q in %s: no property %q", ErrBadPointer, path, r.TypeName, name)
		}
		cur = next
	}
	return cur, nil
}
