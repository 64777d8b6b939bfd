package cfnschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Validate checks a decoded JSON value (from encoding/json, numbers as
// float64 or json.Number) and returns the violations in everit's grammar,
// sorted and without duplicates, or nil when v is valid:
//
//	#: required key [X] not found
//	#: extraneous key [X] is not permitted
//	#/P: expected type: Integer, found: String
//	#/P: expected minLength: 10, actual: 8
//	#/P: expected maxLength: 16000
//	#/P: expected minimum item count: 1, found: 0
//	#/P: expected maximum item count: 5, found: 9
//	#/P: failed validation constraint for keyword [pattern]   (also enum, const, minimum, maximum, uniqueItems, …)
//	#/P: #: only 1 subschema matches out of 2                  (allOf; anyOf and oneOf likewise)
func (s *Schema) Validate(v any) []string {
	var vs validation
	vs.check(s.root, v, "#")
	if len(vs.msgs) == 0 {
		return nil
	}
	sort.Strings(vs.msgs)
	return slices.Compact(vs.msgs)
}

// ValidateJSON decodes doc and validates it (see Validate).
func (s *Schema) ValidateJSON(doc []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode instance: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF { // More is false before a stray '}'
		return nil, errors.New("decode instance: trailing data")
	}
	return s.Validate(v), nil
}

// Valid reports whether v satisfies the schema.
func (s *Schema) Valid(v any) bool { return valid(s.root, v) }

type validation struct {
	msgs []string
	// quiet: only whether anything failed matters (inside combinators).
	quiet  bool
	failed bool
}

func (vs *validation) add(at, format string, args ...any) {
	vs.failed = true
	if vs.quiet {
		return
	}
	vs.msgs = append(vs.msgs, at+": "+fmt.Sprintf(format, args...))
}

func (vs *validation) constraint(at, kw string) {
	vs.add(at, "failed validation constraint for keyword [%s]", kw)
}

// valid reports whether v satisfies n, without building messages.
func valid(n *node, v any) bool {
	vs := validation{quiet: true}
	vs.check(n, v, "#")
	return !vs.failed
}

func (vs *validation) check(n *node, v any, at string) {
	for n.ref != nil {
		n = n.ref
	}
	if n.always != nil {
		if !*n.always {
			vs.add(at, "false schema")
		}
		return
	}
	if len(n.types) > 0 && !slices.ContainsFunc(n.types, func(t string) bool { return hasType(v, t) }) {
		want := make([]string, len(n.types))
		for i, t := range n.types {
			want[i] = everitType(t)
		}
		w := strings.Join(want, ", ")
		if len(want) > 1 {
			w = "one of [" + w + "]"
		}
		vs.add(at, "expected type: %s, found: %s", w, kindOf(v))
		return // everit reports nothing else about a value of the wrong type
	}
	if n.enumKeys != nil && !n.enumKeys[canonical(v)] {
		vs.constraint(at, "enum")
	}
	if n.hasConst && canonical(v) != n.constKey {
		vs.constraint(at, "const")
	}
	switch x := v.(type) {
	case map[string]any:
		vs.object(n, x, at)
	case []any:
		vs.array(n, x, at)
	case string:
		vs.str(n, x, at)
	case json.Number, float64, int, int64:
		f, _ := toFloat(x)
		vs.number(n, f, at)
	}
	vs.combinators(n, v, at)
}

func (vs *validation) object(n *node, m map[string]any, at string) {
	for _, r := range n.required {
		if _, ok := m[r]; !ok {
			vs.add(at, "required key [%s] not found", r)
		}
	}
	if len(m) < n.minProps {
		vs.add(at, "minimum size: [%d], found: [%d]", n.minProps, len(m))
	}
	if n.maxProps >= 0 && len(m) > n.maxProps {
		vs.add(at, "maximum size: [%d], found: [%d]", n.maxProps, len(m))
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		val := m[k]
		child := at + "/" + escape(k)
		matched := false
		if p, ok := n.props[k]; ok {
			vs.check(p, val, child)
			matched = true
		}
		for _, pp := range n.patternProp {
			re, err := pp.pat.get()
			if err != nil {
				vs.constraint(at, "patternProperties")
				continue
			}
			if re.MatchString(k) {
				vs.check(pp.node, val, child)
				matched = true
			}
		}
		if matched {
			continue
		}
		switch {
		case n.noAdditonal:
			vs.add(at, "extraneous key [%s] is not permitted", k)
		case n.additional != nil:
			vs.check(n.additional, val, child)
		}
	}
	for k, deps := range n.depsArray {
		if _, ok := m[k]; !ok {
			continue
		}
		for _, d := range deps {
			if _, ok := m[d]; !ok {
				vs.add(at, "property [%s] is required", d)
			}
		}
	}
	for k, d := range n.depsSchema {
		if _, ok := m[k]; ok {
			vs.check(d, m, at)
		}
	}
}

func (vs *validation) array(n *node, a []any, at string) {
	if len(a) < n.minItems {
		vs.add(at, "expected minimum item count: %d, found: %d", n.minItems, len(a))
	}
	if n.maxItems >= 0 && len(a) > n.maxItems {
		vs.add(at, "expected maximum item count: %d, found: %d", n.maxItems, len(a))
	}
	if n.uniqueItems && len(a) > 1 {
		seen := make(map[string]bool, len(a))
		for _, e := range a {
			k := canonical(e)
			if seen[k] {
				vs.constraint(at, "uniqueItems")
				break
			}
			seen[k] = true
		}
	}
	for i, e := range a {
		child := at + "/" + strconv.Itoa(i)
		switch {
		case i < len(n.tupleItems):
			vs.check(n.tupleItems[i], e, child)
		case n.items != nil && n.tupleItems == nil:
			vs.check(n.items, e, child)
		}
	}
}

func (vs *validation) str(n *node, s string, at string) {
	if n.minLength > 0 || n.maxLength >= 0 {
		l := utf8.RuneCountInString(s)
		if l < n.minLength {
			vs.add(at, "expected minLength: %d, actual: %d", n.minLength, l)
		}
		if n.maxLength >= 0 && l > n.maxLength {
			vs.add(at, "expected maxLength: %d", n.maxLength)
		}
	}
	if n.pattern != nil {
		re, err := n.pattern.get()
		if err != nil || !re.MatchString(s) {
			vs.constraint(at, "pattern")
		}
	}
}

func (vs *validation) number(n *node, f float64, at string) {
	if n.minimum != nil && f < *n.minimum {
		vs.constraint(at, "minimum")
	}
	if n.maximum != nil && f > *n.maximum {
		vs.constraint(at, "maximum")
	}
	if n.exclMinimum != nil && f <= *n.exclMinimum {
		vs.constraint(at, "exclusiveMinimum")
	}
	if n.exclMaximum != nil && f >= *n.exclMaximum {
		vs.constraint(at, "exclusiveMaximum")
	}
}

func (vs *validation) combinators(n *node, v any, at string) {
	count := func(list []*node) int {
		c := 0
		for _, s := range list {
			if valid(s, v) {
				c++
			}
		}
		return c
	}
	if len(n.allOf) > 0 {
		if c := count(n.allOf); c < len(n.allOf) {
			vs.add(at, "#: only %d subschema matches out of %d", c, len(n.allOf))
		}
	}
	if len(n.anyOf) > 0 && count(n.anyOf) == 0 {
		vs.add(at, "#: no subschema matched out of the total %d subschemas", len(n.anyOf))
	}
	if len(n.oneOf) > 0 {
		if c := count(n.oneOf); c != 1 {
			vs.add(at, "#: %d subschemas matched instead of one", c)
		}
	}
	if n.not != nil && valid(n.not, v) {
		vs.constraint(at, "not")
	}
}

// hasType reports whether v is of JSON Schema type t.
func hasType(v any, t string) bool {
	switch t {
	case "string":
		_, ok := v.(string)
		return ok
	case "integer":
		f, ok := toFloat(v)
		return ok && f == math.Trunc(f) && !math.IsInf(f, 0)
	case "number":
		_, ok := toFloat(v)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "null":
		return v == nil
	}
	return true // an unknown type name constrains nothing
}

// kindOf names v's type as everit does; a number with no fraction is an
// Integer.
func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "String"
	case bool:
		return "Boolean"
	case map[string]any:
		return "JSONObject"
	case []any:
		return "JSONArray"
	case nil:
		return "Null"
	}
	if hasType(v, "integer") {
		return "Integer"
	}
	return "Number"
}

func everitType(t string) string {
	switch t {
	case "string":
		return "String"
	case "integer":
		return "Integer"
	case "number":
		return "Number"
	case "boolean":
		return "Boolean"
	case "object":
		return "JSONObject"
	case "array":
		return "JSONArray"
	case "null":
		return "Null"
	}
	return t
}

// canonical is v's JSON encoding with numbers normalised (1, 1.0 and
// json.Number("1") are one value) and object keys sorted.
func canonical(v any) string {
	var b strings.Builder
	writeCanonical(&b, v)
	return b.String()
}

func writeCanonical(b *strings.Builder, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteByte(':')
			writeCanonical(b, x[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCanonical(b, e)
		}
		b.WriteByte(']')
	default:
		if f, ok := toFloat(v); ok {
			b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
			return
		}
		eb, _ := json.Marshal(v)
		b.Write(eb)
	}
}
