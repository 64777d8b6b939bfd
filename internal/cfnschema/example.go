package cfnschema

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// ErrNoExample is returned (wrapped) when no value satisfying a schema was
// found.
var ErrNoExample = errors.New("no example value")

// ExampleOptions steer Example.
type ExampleOptions struct {
	// Omit lists top-level properties never to set (read-only ones: the
	// service sets them, and Cloud Control refuses them in a desired state).
	Omit []string
	// Rand varies strings, numbers and choices; nil gives the plainest
	// deterministic value.
	Rand *rand.Rand
	// Prefer lists top-level properties to set even when not required
	// (a user-chosen identifier, say), as far as the model stays valid: a
	// document-level oneOf branch that requires one is chosen first.
	Prefer []string
}

// maxExampleDepth bounds nesting, so recursive definitions end.
const maxExampleDepth = 24

// Example returns a minimal model the schema accepts: only required
// properties (nested ones too), each the plainest value its type, enum,
// const, pattern, length, range and item count allow, and the first
// branch of a oneOf/anyOf that works.
func (s *Schema) Example(opts ExampleOptions) (map[string]any, error) {
	g := exampler{rnd: opts.Rand, omit: opts.Omit, prefer: opts.Prefer}
	v, err := g.value(s.root, 0, true)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: the schema does not describe an object", ErrNoExample)
	}
	root := deref(s.root)
	for _, name := range opts.Prefer {
		p, ok := root.props[name]
		if _, set := m[name]; set || !ok || slices.Contains(opts.Omit, name) {
			continue
		}
		v, err := g.value(p, 1, false)
		if err != nil {
			continue
		}
		m[name] = v
		if !valid(s.root, m) {
			delete(m, name)
		}
	}
	return m, nil
}

// Node is one compiled subschema, such as a property's.
type Node struct {
	decl *node // as declared (a $ref, maybe with a default next to it)
	n    *node // dereferenced
}

// Property returns the schema of the property at path (top-level name
// first, then nested names), following $refs; ok is false when there is
// none.
func (s *Schema) Property(path ...string) (Node, bool) {
	cur := s.root
	var decl *node
	for _, name := range path {
		d := deref(cur)
		next, ok := d.props[name]
		if !ok {
			return Node{}, false
		}
		decl, cur = next, next
	}
	if decl == nil {
		return Node{}, false
	}
	return Node{decl: decl, n: deref(decl)}, true
}

// Type is the node's first JSON type other than null ("" when it states none).
func (n Node) Type() string {
	for _, t := range n.n.types {
		if t != "null" {
			return t
		}
	}
	return ""
}

// Scalar reports whether the node is a plain string, number or boolean,
// with no combinators.
func (n Node) Scalar() bool {
	switch n.Type() {
	case "string", "integer", "number", "boolean":
		return len(n.n.oneOf)+len(n.n.anyOf)+len(n.n.allOf) == 0
	}
	return false
}

// StringSpec returns the node's pattern and length bounds.
func (n Node) StringSpec() StringSpec {
	spec := StringSpec{MinLength: n.n.minLength}
	if n.n.maxLength >= 0 {
		spec.MaxLength = n.n.maxLength
	}
	if n.n.pattern != nil {
		spec.Pattern = n.n.pattern.src
	}
	return spec
}

// Format is the node's format keyword ("" for none).
func (n Node) Format() string { return n.n.format }

// Default returns the node's default keyword, if it has one.
func (n Node) Default() (any, bool) {
	if n.decl.hasDef {
		return n.decl.def, true
	}
	return n.n.def, n.n.hasDef
}

// Enum returns the values the node's enum or const allows, nil when it
// allows any value of its type.
func (n Node) Enum() []any {
	if n.n.hasConst {
		return []any{n.n.constVal}
	}
	return n.n.enum
}

// Valid reports whether v satisfies the node.
func (n Node) Valid(v any) bool { return valid(n.n, v) }

// Example returns a value the node accepts; with a Rand, a different call
// likely gives a different value.
func (n Node) Example(rnd *rand.Rand) (any, error) {
	g := exampler{rnd: rnd}
	return g.value(n.n, 1, false)
}

// LargerExample is Example with one more array item, or one more object
// property (a free-form object gets a "ccql" key), than the minimum: a value
// that differs from the minimal one where Example cannot.
func (n Node) LargerExample(rnd *rand.Rand) (any, error) {
	g := exampler{rnd: rnd, grow: true}
	return g.value(n.n, 1, false)
}

func deref(n *node) *node {
	for n != nil && n.ref != nil {
		n = n.ref
	}
	return n
}

type exampler struct {
	rnd    *rand.Rand
	omit   []string
	prefer []string
	// optional is how many non-required properties the next object gets
	// (to make array items differ when they must be unique).
	optional int
	// grow asks the next array or object for one item or property more
	// than its minimum.
	grow bool
}

func (g *exampler) value(n *node, depth int, root bool) (any, error) {
	n = deref(n)
	if depth > maxExampleDepth {
		return nil, fmt.Errorf("%w: %s nests too deep", ErrNoExample, n.ptr)
	}
	if n.always != nil {
		if !*n.always {
			return nil, fmt.Errorf("%w: %s is false", ErrNoExample, n.ptr)
		}
		return "x", nil
	}
	if len(n.allOf) > 0 {
		m := *n
		m.allOf = nil
		for _, sub := range n.allOf {
			m = merge(m, deref(sub))
		}
		return g.checked(n, &m, depth, root)
	}
	if len(n.oneOf) > 0 || len(n.anyOf) > 0 {
		// Choose a oneOf branch first (the anyOf stays for the next round),
		// else an anyOf branch.
		branches := n.oneOf
		m := *n
		if len(branches) > 0 {
			m.oneOf = nil
		} else {
			branches, m.anyOf = n.anyOf, nil
		}
		if root && len(g.prefer) > 0 {
			branches = slices.Clone(branches)
			slices.SortStableFunc(branches, func(a, b *node) int {
				return boolInt(!g.prefers(deref(a).required)) - boolInt(!g.prefers(deref(b).required)) // preferred first
			})
		}
		var firstErr error
		for _, b := range branches {
			b = deref(b)
			v, err := g.checked(n, ptr(merge(m, b)), depth, root)
			if err == nil {
				return v, nil
			}
			if firstErr == nil {
				firstErr = err
			}
			if len(b.propOrder) > 0 {
				// An empty value may match several branches: set the
				// properties this branch names, so only it matches.
				withProps := *b
				withProps.required = append(slices.Clone(b.required), b.propOrder...)
				if v, err := g.checked(n, ptr(merge(m, &withProps)), depth, root); err == nil {
					return v, nil
				}
			}
		}
		return nil, firstErr
	}
	return g.plain(n, depth, root)
}

// checked generates from the merged schema m and keeps the value only if
// the original n accepts it.
func (g *exampler) checked(n, m *node, depth int, root bool) (any, error) {
	v, err := g.value(m, depth+1, root)
	if err != nil {
		return nil, err
	}
	if root {
		// The omitted properties may be required by n; the caller knows.
		return v, nil
	}
	if !valid(n, v) {
		return nil, fmt.Errorf("%w: %s: the generated value does not validate", ErrNoExample, n.ptr)
	}
	return v, nil
}

func (g *exampler) plain(n *node, depth int, root bool) (any, error) {
	if n.hasConst {
		return n.constVal, nil
	}
	if len(n.enum) > 0 {
		check := &node{types: n.types, pattern: n.pattern, minLength: n.minLength, maxLength: n.maxLength, maxProps: -1, maxItems: -1, minimum: n.minimum, maximum: n.maximum}
		var ok []any
		for _, e := range n.enum {
			if valid(check, e) {
				ok = append(ok, e)
			}
		}
		switch {
		case len(ok) == 0:
			return n.enum[0], nil
		case g.rnd != nil:
			return ok[g.rnd.IntN(len(ok))], nil
		}
		return ok[0], nil
	}
	switch g.typeOf(n) {
	case "object":
		return g.object(n, depth, root)
	case "array":
		return g.array(n, depth)
	case "integer":
		return g.number(n, true), nil
	case "number":
		return g.number(n, false), nil
	case "boolean":
		return g.rnd != nil && g.rnd.IntN(2) == 0, nil
	case "null":
		return nil, nil
	}
	return g.str(n)
}

func (g *exampler) typeOf(n *node) string {
	for _, t := range n.types {
		if t != "null" {
			return t
		}
	}
	switch {
	case len(n.types) > 0:
		return n.types[0]
	case n.props != nil || len(n.required) > 0 || n.patternProp != nil || n.additional != nil || n.noAdditonal:
		return "object"
	case n.items != nil || n.tupleItems != nil:
		return "array"
	case n.minimum != nil || n.maximum != nil:
		return "number"
	}
	return "string"
}

func (g *exampler) str(n *node) (any, error) {
	spec := StringSpec{MinLength: n.minLength}
	if n.maxLength >= 0 {
		spec.MaxLength = n.maxLength
	}
	if n.pattern != nil {
		spec.Pattern = n.pattern.src
	}
	if n.format == "date-time" || n.format == "date" || n.format == "uri" || n.format == "email" {
		v := map[string]string{"date-time": "2024-01-01T00:00:00Z", "date": "2024-01-01", "uri": "https://example.com/", "email": "user@example.com"}[n.format]
		if valid(n, v) {
			return v, nil
		}
	}
	// Prefer a non-empty string: an empty name or id is legal in many
	// schemas but never what a service returns.
	if spec.MinLength == 0 && n.maxLength != 0 {
		nonEmpty := spec
		nonEmpty.MinLength = 1
		if s, err := GenerateString(nonEmpty, g.rnd); err == nil {
			return s, nil
		}
	}
	s, err := GenerateString(spec, g.rnd)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrNoExample, n.ptr, err)
	}
	return s, nil
}

func (g *exampler) number(n *node, integer bool) any {
	lo, hi := math.Inf(-1), math.Inf(1)
	if n.minimum != nil {
		lo = *n.minimum
	}
	if n.exclMinimum != nil {
		lo = math.Max(lo, *n.exclMinimum+1)
	}
	if n.maximum != nil {
		hi = *n.maximum
	}
	if n.exclMaximum != nil {
		hi = math.Min(hi, *n.exclMaximum-1)
	}
	v := 1.0
	if g.rnd != nil {
		v = float64(1 + g.rnd.IntN(100))
	}
	if v < lo {
		v = lo
		if g.rnd != nil && !math.IsInf(hi, 1) && hi > lo {
			v = lo + math.Floor(g.rnd.Float64()*(hi-lo))
		}
	}
	if v > hi {
		v = hi
	}
	if integer {
		v = math.Ceil(v)
		if v > hi {
			v = math.Floor(hi)
		}
		return int64(v)
	}
	return v
}

func (g *exampler) object(n *node, depth int, root bool) (any, error) {
	m := map[string]any{}
	optional := g.optional
	g.optional = 0
	if g.grow {
		g.grow = false
		optional++
		if len(n.propOrder) == len(n.required) && !n.noAdditonal && n.additional == nil && len(n.patternProp) == 0 {
			m["ccql"] = "walk"
		}
	}
	add := func(k string) error {
		if root && slices.Contains(g.omit, k) {
			return nil
		}
		child := n.props[k]
		if child == nil {
			for _, pp := range n.patternProp {
				if re, err := pp.pat.get(); err == nil && re.MatchString(k) {
					child = pp.node
					break
				}
			}
		}
		if child == nil {
			child = n.additional
		}
		if child == nil {
			m[k] = "x"
			return nil
		}
		v, err := g.value(child, depth+1, false)
		if err != nil {
			return err
		}
		m[k] = v
		return nil
	}
	for _, r := range n.required {
		if err := add(r); err != nil {
			return nil, err
		}
	}
	for _, k := range n.propOrder {
		if len(m) >= n.minProps && optional <= 0 {
			break
		}
		optional--
		if _, done := m[k]; !done {
			if err := add(k); err != nil {
				return nil, err
			}
		}
	}
	if len(m) < n.minProps && len(n.patternProp) > 0 {
		// Keys generated from a pattern property's own pattern.
		for i := 0; len(m) < n.minProps && i < 4*n.minProps; i++ {
			k, err := GenerateString(StringSpec{Pattern: n.patternProp[0].pat.src, MinLength: 1}, g.rnd)
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrNoExample, n.ptr, err)
			}
			if _, dup := m[k]; dup {
				k += fmt.Sprint(i)
			}
			v, err := g.value(n.patternProp[0].node, depth+1, false)
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
	}
	return m, nil
}

func (g *exampler) array(n *node, depth int) (any, error) {
	out := []any{}
	count := n.minItems
	if g.grow {
		g.grow = false
		if n.maxItems < 0 || count < n.maxItems {
			count++
		}
	}
	for i := 0; i < count; i++ {
		item := n.items
		if i < len(n.tupleItems) {
			item = n.tupleItems[i]
		}
		if item == nil {
			out = append(out, fmt.Sprintf("x%d", i))
			continue
		}
		var v any
		var err error
		for try := range 16 {
			sub := g
			if i > 0 || try > 0 {
				// Vary later items so uniqueItems holds.
				sub = &exampler{rnd: rand.New(rand.NewPCG(uint64(i), uint64(try))), optional: try}
			}
			v, err = sub.value(item, depth+1, false)
			if err != nil {
				return nil, err
			}
			if !n.uniqueItems || !slices.ContainsFunc(out, func(e any) bool { return canonical(e) == canonical(v) }) {
				break
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// merge returns a with b's keywords laid over it: the schema a value must
// satisfy to satisfy both (as far as generation needs).
func merge(a node, b *node) node {
	if b == nil || b.always != nil {
		return a
	}
	if len(b.types) > 0 {
		if len(a.types) > 0 {
			var both []string
			for _, t := range b.types {
				if slices.Contains(a.types, t) || (t == "integer" && slices.Contains(a.types, "number")) {
					both = append(both, t)
				}
			}
			if len(both) > 0 {
				a.types = both
			} else {
				a.types = b.types
			}
		} else {
			a.types = b.types
		}
	}
	if b.props != nil {
		props := make(map[string]*node, len(a.props)+len(b.props))
		for k, v := range a.props {
			props[k] = v
		}
		order := slices.Clone(a.propOrder)
		for _, k := range b.propOrder {
			if prev, ok := props[k]; ok {
				props[k] = ptr(merge(*deref(prev), deref(b.props[k])))
				continue
			}
			order = append(order, k)
			props[k] = b.props[k]
		}
		a.props, a.propOrder = props, order
	}
	for _, r := range b.required {
		if !slices.Contains(a.required, r) {
			a.required = append(slices.Clip(a.required), r)
		}
	}
	if b.noAdditonal {
		a.noAdditonal = true
	}
	if b.additional != nil {
		a.additional = b.additional
	}
	a.patternProp = append(slices.Clip(a.patternProp), b.patternProp...)
	if b.items != nil {
		a.items = b.items
	}
	a.minItems = max(a.minItems, b.minItems)
	a.minLength = max(a.minLength, b.minLength)
	a.minProps = max(a.minProps, b.minProps)
	if b.maxLength >= 0 && (a.maxLength < 0 || b.maxLength < a.maxLength) {
		a.maxLength = b.maxLength
	}
	if b.maxItems >= 0 && (a.maxItems < 0 || b.maxItems < a.maxItems) {
		a.maxItems = b.maxItems
	}
	if b.pattern != nil {
		a.pattern = b.pattern
	}
	if b.enum != nil {
		a.enum, a.enumKeys = b.enum, b.enumKeys
	}
	if b.hasConst {
		a.hasConst, a.constVal, a.constKey = true, b.constVal, b.constKey
	}
	if b.minimum != nil {
		a.minimum = b.minimum
	}
	if b.maximum != nil {
		a.maximum = b.maximum
	}
	a.allOf = append(slices.Clip(a.allOf), b.allOf...)
	a.oneOf = append(slices.Clip(a.oneOf), b.oneOf...)
	a.anyOf = append(slices.Clip(a.anyOf), b.anyOf...)
	if b.format != "" {
		a.format = b.format
	}
	return a
}

func ptr(n node) *node { return &n }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// prefers reports whether required names a preferred property.
func (g *exampler) prefers(required []string) bool {
	return slices.ContainsFunc(required, func(r string) bool { return slices.Contains(g.prefer, r) })
}
