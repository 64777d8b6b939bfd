// Package schema reads CloudFormation resource schemas (the registry's JSON
// documents) into a form the catalog and the emulator share: properties in
// the schema's own order, the identifier and mutability lists, and the
// handlers. The documents themselves are embedded; nothing is read from disk
// at run time.
package schema

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
)

// ErrTypeNotFound is returned by Lookup for a type name with no schema.
var ErrTypeNotFound = errors.New("type not found")

// Property is one top-level property of a resource.
type Property struct {
	Name        string          // PascalCase, as in the schema
	Type        string          // JSON type: string, integer, number, boolean, array, object ("" when only a $ref or combinator)
	Description string          // the schema's description, may be empty
	Raw         json.RawMessage // the property's schema, $refs unresolved
}

// Handler is one handler entry of the schema.
type Handler struct {
	Permissions []string
	// Required lists the properties the handler's handlerSchema requires
	// (only the list handler has them in practice).
	Required []string
}

// Resource is a parsed resource schema.
type Resource struct {
	TypeName          string
	Description       string
	Properties        []Property // in schema order
	Required          []string
	ReadOnly          []string // property paths, e.g. "/properties/ClientId"
	CreateOnly        []string
	WriteOnly         []string
	PrimaryIdentifier []string           // property paths
	Handlers          map[string]Handler // keys: create, read, update, delete, list
	Raw               json.RawMessage    // the whole document

	// definitions holds the document's definitions, so resolving a $ref
	// does not decode the whole document again (QuickSight schemas have
	// ~700 definitions in 300 KB).
	definitions map[string]json.RawMessage
}

// Property returns the property called name, if any.
func (r *Resource) Property(name string) (Property, bool) {
	for _, p := range r.Properties {
		if p.Name == name {
			return p, true
		}
	}
	return Property{}, false
}

// IdentifierProperties returns the primary identifier as property names.
func (r *Resource) IdentifierProperties() []string {
	out := make([]string, len(r.PrimaryIdentifier))
	for i, p := range r.PrimaryIdentifier {
		out[i] = strings.TrimPrefix(p, "/properties/")
	}
	return out
}

// HasHandler reports whether the schema declares the handler (create, read, update, delete, list).
func (r *Resource) HasHandler(name string) bool {
	_, ok := r.Handlers[name]
	return ok
}

type rawDoc struct {
	TypeName             string                     `json:"typeName"`
	Description          string                     `json:"description"`
	Properties           json.RawMessage            `json:"properties"`
	Definitions          map[string]json.RawMessage `json:"definitions"`
	Required             []string                   `json:"required"`
	ReadOnlyProperties   []string                   `json:"readOnlyProperties"`
	CreateOnlyProperties []string                   `json:"createOnlyProperties"`
	WriteOnlyProperties  []string                   `json:"writeOnlyProperties"`
	PrimaryIdentifier    []string                   `json:"primaryIdentifier"`
	Handlers             map[string]struct {
		Permissions   []string `json:"permissions"`
		HandlerSchema *struct {
			Required []string `json:"required"`
		} `json:"handlerSchema"`
	} `json:"handlers"`
}

// Parse reads one resource schema document.
func Parse(doc []byte) (*Resource, error) {
	var raw rawDoc
	if err := json.Unmarshal(doc, &raw); err != nil {
		return nil, fmt.Errorf("parse schema: %w", err)
	}
	if raw.TypeName == "" {
		return nil, errors.New("parse schema: no typeName")
	}
	props, err := orderedProperties(raw.Properties)
	if err != nil {
		return nil, fmt.Errorf("parse schema %s: %w", raw.TypeName, err)
	}
	r := &Resource{
		TypeName:          raw.TypeName,
		Description:       raw.Description,
		Properties:        props,
		Required:          raw.Required,
		ReadOnly:          raw.ReadOnlyProperties,
		CreateOnly:        raw.CreateOnlyProperties,
		WriteOnly:         raw.WriteOnlyProperties,
		PrimaryIdentifier: raw.PrimaryIdentifier,
		Handlers:          map[string]Handler{},
		Raw:               json.RawMessage(doc),
		definitions:       raw.Definitions,
	}
	for name, h := range raw.Handlers {
		hh := Handler{Permissions: h.Permissions}
		if h.HandlerSchema != nil {
			hh.Required = h.HandlerSchema.Required
		}
		r.Handlers[name] = hh
	}
	return r, nil
}

// orderedProperties decodes the properties object keeping its key order,
// which is the order the seed page (and StackQL's views) list columns in.
func orderedProperties(obj json.RawMessage) ([]Property, error) {
	if len(obj) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(obj))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("properties is not an object")
	}
	var out []Property
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := tok.(string)
		var body json.RawMessage
		if err := dec.Decode(&body); err != nil {
			return nil, fmt.Errorf("property %s: %w", name, err)
		}
		var head struct {
			Type        any    `json:"type"`
			Description string `json:"description"`
		}
		_ = json.Unmarshal(body, &head)
		p := Property{Name: name, Description: head.Description, Raw: body}
		switch t := head.Type.(type) {
		case string:
			p.Type = t
		case []any:
			if len(t) > 0 {
				p.Type, _ = t[0].(string)
			}
		}
		out = append(out, p)
	}
	if _, err := dec.Token(); err != nil && err != io.EOF {
		return nil, err
	}
	return out, nil
}

//go:embed data/*.json
var embedded embed.FS

// archiveData is every provisionable CloudFormation schema (see archive.go),
// generated by internal/catalog/gen from the published schema set.
//
//go:embed archive/schemas.bin
var archiveData []byte

// Registry holds resource schemas, parsed on first use: the hand-checked
// documents under data/ and, for a full registry, every provisionable type
// of the embedded archive (inflated one type at a time, when looked up).
// Safe for concurrent use.
type Registry struct {
	full bool

	once  sync.Once
	hand  map[string][]byte // the hand-checked documents, which win over the archive
	arch  *archive
	names []string
	err   error

	mu    sync.Mutex
	cache map[string]*Resource // types parsed so far
}

// NewRegistry returns a registry of the hand-checked embedded schemas (the
// Cognito family the emulator implements by hand).
func NewRegistry() *Registry { return &Registry{} }

// NewFullRegistry returns a registry of every provisionable CloudFormation
// resource type (1,490 in the 2026-08-03 schema set): the hand-checked
// schemas, plus the embedded archive for all other types. Listing type
// names reads only the archive's index; Lookup inflates and parses one type.
func NewFullRegistry() *Registry { return &Registry{full: true} }

func (g *Registry) load() {
	g.hand = map[string][]byte{}
	g.cache = map[string]*Resource{}
	entries, err := embedded.ReadDir("data")
	if err != nil {
		g.err = err
		return
	}
	for _, e := range entries {
		b, err := embedded.ReadFile(path.Join("data", e.Name()))
		if err != nil {
			g.err = err
			return
		}
		tn, err := peekTypeName(b)
		if err != nil {
			g.err = fmt.Errorf("schema registry: %s: %w", e.Name(), err)
			return
		}
		g.hand[tn] = b
	}
	if g.full {
		a, err := openArchive(archiveData)
		if err != nil {
			g.err = fmt.Errorf("schema registry: %w", err)
			return
		}
		g.arch = a
	}
	g.names = make([]string, 0, len(g.hand)+len(g.archNames()))
	g.names = append(g.names, g.archNames()...)
	for tn := range g.hand {
		if _, dup := g.arch.loc(tn); !dup {
			g.names = append(g.names, tn)
		}
	}
	sort.Strings(g.names)
}

func (g *Registry) archNames() []string {
	if g.arch == nil {
		return nil
	}
	return g.arch.names
}

// peekTypeName reads a schema document's typeName without decoding the
// rest, which would cost a full parse per document at every start.
func peekTypeName(doc []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", errors.New("not a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", err
		}
		if tok == "typeName" {
			var tn string
			if err := dec.Decode(&tn); err != nil {
				return "", fmt.Errorf("typeName: %w", err)
			}
			if tn == "" {
				break
			}
			return tn, nil
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return "", err
		}
	}
	return "", errors.New("no typeName")
}

// Lookup returns the schema of typeName, or ErrTypeNotFound.
func (g *Registry) Lookup(typeName string) (*Resource, error) {
	g.once.Do(g.load)
	if g.err != nil {
		return nil, g.err
	}
	g.mu.Lock()
	r, ok := g.cache[typeName]
	g.mu.Unlock()
	if ok {
		return r, nil
	}
	doc, ok := g.hand[typeName]
	if !ok && g.arch != nil {
		var err error
		doc, ok, err = g.arch.doc(typeName)
		if err != nil {
			return nil, fmt.Errorf("lookup %s: %w", typeName, err)
		}
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrTypeNotFound, typeName)
	}
	r, err := Parse(doc)
	if err != nil {
		return nil, fmt.Errorf("lookup %s: %w", typeName, err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if prev, ok := g.cache[typeName]; ok { // a concurrent Lookup won; hand out one copy
		return prev, nil
	}
	g.cache[typeName] = r
	return r, nil
}

// TypeNames returns every type name of the registry, sorted. It parses no
// archived schema.
func (g *Registry) TypeNames() []string {
	g.once.Do(g.load)
	return slices.Clone(g.names)
}
