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
	TagProperty       string             // e.g. "/properties/UserPoolTags"; "" when not taggable
	Raw               json.RawMessage    // the whole document
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
	TypeName             string          `json:"typeName"`
	Description          string          `json:"description"`
	Properties           json.RawMessage `json:"properties"`
	Required             []string        `json:"required"`
	ReadOnlyProperties   []string        `json:"readOnlyProperties"`
	CreateOnlyProperties []string        `json:"createOnlyProperties"`
	WriteOnlyProperties  []string        `json:"writeOnlyProperties"`
	PrimaryIdentifier    []string        `json:"primaryIdentifier"`
	Handlers             map[string]struct {
		Permissions   []string `json:"permissions"`
		HandlerSchema *struct {
			Required []string `json:"required"`
		} `json:"handlerSchema"`
	} `json:"handlers"`
	Tagging *struct {
		Taggable    *bool  `json:"taggable"`
		TagProperty string `json:"tagProperty"`
	} `json:"tagging"`
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
	}
	for name, h := range raw.Handlers {
		hh := Handler{Permissions: h.Permissions}
		if h.HandlerSchema != nil {
			hh.Required = h.HandlerSchema.Required
		}
		r.Handlers[name] = hh
	}
	if raw.Tagging != nil && (raw.Tagging.Taggable == nil || *raw.Tagging.Taggable) {
		r.TagProperty = raw.Tagging.TagProperty
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

// Registry holds the embedded schemas, parsed on first use.
type Registry struct {
	once  sync.Once
	byTyp map[string]*Resource
	err   error
}

// NewRegistry returns a registry of the embedded schemas.
func NewRegistry() *Registry { return &Registry{} }

func (g *Registry) load() {
	g.byTyp = map[string]*Resource{}
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
		r, err := Parse(b)
		if err != nil {
			g.err = fmt.Errorf("%s: %w", e.Name(), err)
			return
		}
		g.byTyp[r.TypeName] = r
	}
}

// Lookup returns the schema of typeName, or ErrTypeNotFound.
func (g *Registry) Lookup(typeName string) (*Resource, error) {
	g.once.Do(g.load)
	if g.err != nil {
		return nil, g.err
	}
	r, ok := g.byTyp[typeName]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrTypeNotFound, typeName)
	}
	return r, nil
}

// TypeNames returns every embedded type name, sorted.
func (g *Registry) TypeNames() []string {
	g.once.Do(g.load)
	out := make([]string, 0, len(g.byTyp))
	for k := range g.byTyp {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
