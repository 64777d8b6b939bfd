// Package cfnschema validates JSON values against CloudFormation resource
// schemas, with the messages CloudFormation's own validator (everit) gives
// and Cloud Control returns ("#/Prop: expected type: Integer, found:
// String"), and generates values that satisfy a schema: strings from
// patterns, and minimal valid models.
//
// It implements the subset of JSON Schema draft-07 the 1,490 provisionable
// CloudFormation schemas use: type, properties, additionalProperties,
// patternProperties, required, dependencies, items, minItems, maxItems,
// uniqueItems, minLength, maxLength, pattern, enum, const, minimum,
// maximum, exclusiveMinimum, exclusiveMaximum, minProperties,
// maxProperties, oneOf, anyOf, allOf, not and $ref within the document.
// format is ignored, as CloudFormation does. Patterns are Java regular
// expressions; see Pattern.
//
// A general JSON Schema library would do, but the one we had compiles
// every draft's metaschema when the process starts (about 5 ms of every
// ccql command) and checks patterns with Go's RE2 at compile time, which
// rejects 9 of the schemas' 2,302 distinct patterns.
package cfnschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// ErrSchema is returned (wrapped) for a schema that cannot be compiled.
var ErrSchema = errors.New("invalid schema")

// Schema is a compiled resource schema, safe for concurrent use.
type Schema struct {
	root *node
	doc  map[string]any
}

// node is one compiled (sub)schema.
type node struct {
	ptr string // JSON pointer in the document, for errors

	always *bool // a boolean schema: true accepts anything, false nothing
	ref    *node // $ref target; other keywords are ignored, as draft-07 says

	types []string

	props       map[string]*node
	propOrder   []string
	additional  *node // nil: anything allowed
	noAdditonal bool  // additionalProperties: false
	patternProp []patternProp
	required    []string
	depsArray   map[string][]string
	depsSchema  map[string]*node
	minProps    int
	maxProps    int // -1 for none

	items       *node
	tupleItems  []*node
	minItems    int
	maxItems    int // -1 for none
	uniqueItems bool

	minLength int
	maxLength int // -1 for none
	pattern   *lazyPattern

	enum     []any
	enumKeys map[string]bool // canonical JSON of each enum value
	hasConst bool
	constVal any
	constKey string

	minimum, maximum         *float64
	exclMinimum, exclMaximum *float64

	allOf, anyOf, oneOf []*node
	not                 *node

	def    any // the default keyword's value, for generators
	hasDef bool
	format string
}

type patternProp struct {
	pat  *lazyPattern
	node *node
}

// Compile compiles a whole resource schema document. Patterns compile on
// first use, so a broken pattern surfaces when a value reaches it; use
// CheckPatterns to find them all at once.
func Compile(doc []byte) (*Schema, error) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSchema, err)
	}
	return compileDoc(m)
}

func compileDoc(m map[string]any) (*Schema, error) {
	c := &compiler{doc: m, nodes: map[string]*node{}}
	root, err := c.compile("", m)
	if err != nil {
		return nil, err
	}
	return &Schema{root: root, doc: m}, nil
}

// ForList returns the schema of a list handler's ResourceModel: the
// resource's properties, none required but required, any other key
// allowed and no document-level combinators (which speak of whole models).
func (s *Schema) ForList(required []string) *Schema {
	r := *s.root
	r.required = required
	r.noAdditonal, r.additional = false, nil
	r.allOf, r.anyOf, r.oneOf, r.not = nil, nil, nil, nil
	r.depsArray, r.depsSchema = nil, nil
	return &Schema{root: &r, doc: s.doc}
}

// CheckPatterns compiles every pattern of the schema and returns the first
// error.
func (s *Schema) CheckPatterns() error {
	seen := map[*node]bool{}
	var walk func(n *node) error
	walk = func(n *node) error {
		if n == nil || seen[n] {
			return nil
		}
		seen[n] = true
		if n.pattern != nil {
			if _, err := n.pattern.get(); err != nil {
				return fmt.Errorf("%s: %w", n.ptr, err)
			}
		}
		for _, pp := range n.patternProp {
			if _, err := pp.pat.get(); err != nil {
				return fmt.Errorf("%s/patternProperties: %w", n.ptr, err)
			}
		}
		kids := []*node{n.ref, n.additional, n.items, n.not}
		for _, k := range n.propOrder {
			kids = append(kids, n.props[k])
		}
		for _, pp := range n.patternProp {
			kids = append(kids, pp.node)
		}
		kids = append(kids, n.tupleItems...)
		kids = append(kids, n.allOf...)
		kids = append(kids, n.anyOf...)
		kids = append(kids, n.oneOf...)
		for _, d := range n.depsSchema {
			kids = append(kids, d)
		}
		for _, k := range kids {
			if err := walk(k); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(s.root)
}

type compiler struct {
	doc   map[string]any
	nodes map[string]*node // by JSON pointer: $ref targets are compiled once, cycles allowed
}

func (c *compiler) compile(ptr string, v any) (*node, error) {
	if n, ok := c.nodes[ptr]; ok {
		return n, nil
	}
	n := &node{ptr: "#" + ptr, maxProps: -1, maxItems: -1, maxLength: -1}
	c.nodes[ptr] = n
	switch x := v.(type) {
	case bool:
		n.always = &x
		return n, nil
	case map[string]any:
		return n, c.fill(n, ptr, x)
	}
	return nil, fmt.Errorf("%w: %s is not a schema", ErrSchema, n.ptr)
}

func (c *compiler) sub(ptr string, v any) (*node, error) { return c.compile(ptr, v) }

func (c *compiler) fill(n *node, ptr string, m map[string]any) error {
	if ref, ok := m["$ref"].(string); ok {
		target, err := c.resolve(ref)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrSchema, n.ptr, err)
		}
		n.ref = target
		// CloudFormation schemas put a property's default next to its
		// $ref ("StreamModeDetails": {"$ref": …, "default": {…}}); draft-07
		// ignores siblings of $ref for validation, but the default is the
		// property's own, not the definition's.
		if d, ok := m["default"]; ok {
			n.def, n.hasDef = d, true
		}
		return nil
	}
	var err error
	fail := func(kw string, e error) error {
		if e == nil {
			e = errors.New("bad value")
		}
		return fmt.Errorf("%w: %s/%s: %w", ErrSchema, n.ptr, kw, e)
	}
	switch t := m["type"].(type) {
	case string:
		n.types = []string{t}
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok {
				n.types = append(n.types, s)
			}
		}
	}
	if props, ok := m["properties"].(map[string]any); ok {
		n.props = make(map[string]*node, len(props))
		for k, v := range props {
			if n.props[k], err = c.sub(ptr+"/properties/"+escape(k), v); err != nil {
				return err
			}
			n.propOrder = append(n.propOrder, k)
		}
		slices.Sort(n.propOrder)
	}
	switch ap := m["additionalProperties"].(type) {
	case bool:
		n.noAdditonal = !ap
	case map[string]any:
		if n.additional, err = c.sub(ptr+"/additionalProperties", ap); err != nil {
			return err
		}
	}
	if pp, ok := m["patternProperties"].(map[string]any); ok {
		keys := make([]string, 0, len(pp))
		for k := range pp {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			sn, err := c.sub(ptr+"/patternProperties/"+escape(k), pp[k])
			if err != nil {
				return err
			}
			n.patternProp = append(n.patternProp, patternProp{pat: &lazyPattern{src: k}, node: sn})
		}
	}
	n.required = stringList(m["required"])
	if deps, ok := m["dependencies"].(map[string]any); ok {
		for k, d := range deps {
			switch dv := d.(type) {
			case []any:
				if n.depsArray == nil {
					n.depsArray = map[string][]string{}
				}
				n.depsArray[k] = stringList(dv)
			default:
				sn, err := c.sub(ptr+"/dependencies/"+escape(k), dv)
				if err != nil {
					return err
				}
				if n.depsSchema == nil {
					n.depsSchema = map[string]*node{}
				}
				n.depsSchema[k] = sn
			}
		}
	}
	switch it := m["items"].(type) {
	case map[string]any, bool:
		if n.items, err = c.sub(ptr+"/items", it); err != nil {
			return err
		}
	case []any:
		for i, e := range it {
			sn, err := c.sub(fmt.Sprintf("%s/items/%d", ptr, i), e)
			if err != nil {
				return err
			}
			n.tupleItems = append(n.tupleItems, sn)
		}
	}
	ints := []struct {
		kw  string
		dst *int
	}{
		{"minItems", &n.minItems}, {"maxItems", &n.maxItems},
		{"minLength", &n.minLength}, {"maxLength", &n.maxLength},
		{"minProperties", &n.minProps}, {"maxProperties", &n.maxProps},
	}
	for _, f := range ints {
		if v, ok := m[f.kw]; ok {
			x, ok := toFloat(v)
			if !ok || x < 0 || x != math.Trunc(x) {
				return fail(f.kw, nil)
			}
			*f.dst = int(min(x, math.MaxInt32))
		}
	}
	n.uniqueItems, _ = m["uniqueItems"].(bool)
	if p, ok := m["pattern"].(string); ok {
		n.pattern = &lazyPattern{src: p}
	}
	if e, ok := m["enum"].([]any); ok {
		n.enum = e
		n.enumKeys = make(map[string]bool, len(e))
		for _, v := range e {
			n.enumKeys[canonical(v)] = true
		}
	}
	if cv, ok := m["const"]; ok {
		n.hasConst, n.constVal, n.constKey = true, cv, canonical(cv)
	}
	nums := []struct {
		kw  string
		dst **float64
	}{
		{"minimum", &n.minimum}, {"maximum", &n.maximum},
		{"exclusiveMinimum", &n.exclMinimum}, {"exclusiveMaximum", &n.exclMaximum},
	}
	for _, f := range nums {
		if v, ok := m[f.kw]; ok {
			if _, isBool := v.(bool); isBool {
				continue // draft-04's boolean form; no CloudFormation schema uses it
			}
			x, ok := toFloat(v)
			if !ok {
				return fail(f.kw, nil)
			}
			*f.dst = &x
		}
	}
	for _, comb := range []struct {
		kw  string
		dst *[]*node
	}{{"allOf", &n.allOf}, {"anyOf", &n.anyOf}, {"oneOf", &n.oneOf}} {
		list, ok := m[comb.kw].([]any)
		if !ok {
			continue
		}
		for i, e := range list {
			sn, err := c.sub(fmt.Sprintf("%s/%s/%d", ptr, comb.kw, i), e)
			if err != nil {
				return err
			}
			*comb.dst = append(*comb.dst, sn)
		}
	}
	if nv, ok := m["not"]; ok {
		if n.not, err = c.sub(ptr+"/not", nv); err != nil {
			return err
		}
	}
	if d, ok := m["default"]; ok {
		n.def, n.hasDef = d, true
	}
	n.format, _ = m["format"].(string)
	return nil
}

// resolve compiles the target of a $ref within the document.
func (c *compiler) resolve(ref string) (*node, error) {
	p, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, fmt.Errorf("$ref %q: only references within the document are supported", ref)
	}
	if n, ok := c.nodes[p]; ok {
		return n, nil
	}
	var cur any = c.doc
	if p != "" {
		for _, tok := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
			tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
			switch x := cur.(type) {
			case map[string]any:
				next, ok := x[tok]
				if !ok {
					return nil, fmt.Errorf("$ref %q: no %q", ref, tok)
				}
				cur = next
			case []any:
				i, ok := atoi(tok)
				if !ok || i >= len(x) {
					return nil, fmt.Errorf("$ref %q: no %q", ref, tok)
				}
				cur = x[i]
			default:
				return nil, fmt.Errorf("$ref %q: %q is not a container", ref, tok)
			}
		}
	}
	return c.compile(p, cur)
}

func escape(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

func atoi(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
		if n > 1<<30 {
			return 0, false
		}
	}
	return n, true
}

func stringList(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// toFloat returns a JSON number as float64 (json.Number, float64 or int).
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}
