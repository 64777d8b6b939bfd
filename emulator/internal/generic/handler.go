// Package generic is the emulator's schema-driven resource handler: it
// serves any CloudFormation resource type from its resource schema alone,
// so every Cloud Control type works in the emulator without code of its
// own (hand-written handlers, like Cognito's, take precedence).
//
// What it does for a type:
//   - create: generates the read-only primary identifier properties (and
//     other read-only scalars: ARNs, ids, names, timestamps) in AWS's
//     shapes, checked against the property's schema; applies the schema's
//     default values; keeps everything else, tags included, as given;
//     stores the model under the "|"-joined primary identifier, failing
//     AlreadyExists when a user-chosen identifier is taken;
//   - read: returns the stored model (the core strips write-only
//     properties);
//   - update: replaces the model with the desired one, keeping the stored
//     read-only and identifier values, defaults applied again;
//   - delete: removes the model;
//   - list: returns the models whose list-handler required properties
//     equal the request's ResourceModel.
//
// The core (package emulator) validates desired states and patches against
// the schema and enforces create-only/read-only patch rules before a
// handler runs.
package generic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ccql/ccql/internal/cfnschema"
	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/schema"
)

// Handler serves one resource type from its schema. Make it with New.
type Handler struct {
	res     *schema.Resource
	sch     *cfnschema.Schema
	service string // "logs" for AWS::Logs::LogGroup
	last    string // "LogGroup"
	kebab   string // "log-group"

	idPaths      [][]string // primary identifier, property paths in order
	readOnly     [][]string
	listRequired []string
}

var (
	_ handler.Handler = (*Handler)(nil)
	_ handler.Pager   = (*Handler)(nil)
)

// New returns the generic handler of a resource schema.
func New(res *schema.Resource) (*Handler, error) {
	sch, err := cfnschema.Compile(res.Raw)
	if err != nil {
		return nil, fmt.Errorf("generic handler %s: %w", res.TypeName, err)
	}
	return NewWithSchema(res, sch), nil
}

// NewWithSchema is New with the type's schema already compiled (the core
// compiles it to validate requests).
func NewWithSchema(res *schema.Resource, sch *cfnschema.Schema) *Handler {
	parts := strings.Split(res.TypeName, "::")
	h := &Handler{res: res, sch: sch}
	if len(parts) == 3 {
		h.service, h.last = strings.ToLower(parts[1]), parts[2]
	} else {
		h.service, h.last = "unknown", res.TypeName
	}
	h.kebab = kebab(h.last)
	h.idPaths = handler.SplitPaths(res.PrimaryIdentifier)
	h.readOnly = handler.SplitPaths(res.ReadOnly)
	if l, ok := res.Handlers["list"]; ok {
		h.listRequired = l.Required
	}
	return h
}

// TypeName is the CloudFormation type the handler serves.
func (h *Handler) TypeName() string { return h.res.TypeName }

// Prepare generates the primary identifier properties the desired state
// lacks: the read-only ones always, and user-settable ones left out (as
// CloudFormation names a resource whose name you omit).
func (h *Handler) Prepare(env handler.Env, desired map[string]any) (map[string]any, error) {
	if h.complete(desired) {
		return desired, nil
	}
	m, err := newIDMaker(h, env)
	if err != nil {
		return nil, err
	}
	// Plain ids first, so that an ARN in the identifier can embed one.
	ordered := slices.Clone(h.idPaths)
	slices.SortStableFunc(ordered, func(a, b []string) int { return boolInt(isArnName(last(a))) - boolInt(isArnName(last(b))) })
	for _, path := range ordered {
		if _, ok := handler.Value(desired, path); ok {
			continue
		}
		if err := h.generate(m, desired, path); err != nil {
			return nil, err
		}
	}
	return desired, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func last(p []string) string { return p[len(p)-1] }

func isArnName(name string) bool {
	return strings.HasSuffix(name, "Arn") || strings.HasSuffix(name, "ARN")
}

// complete reports whether every identifier property is set.
func (h *Handler) complete(model map[string]any) bool {
	for _, p := range h.idPaths {
		if _, ok := handler.Value(model, p); !ok {
			return false
		}
	}
	return true
}

// generate sets a generated value at path.
func (h *Handler) generate(m *idMaker, model map[string]any, path []string) error {
	node, ok := h.sch.Property(path...)
	if !ok {
		return fmt.Errorf("%s: no schema for /properties/%s", h.res.TypeName, strings.Join(path, "/"))
	}
	if len(path) == 1 {
		s, ok, err := m.shaped(model, path[0])
		if err != nil {
			return err
		}
		if ok && node.Valid(s) {
			model[path[0]] = s
			return nil
		}
	}
	v, ok, err := m.value(last(path), node, h.idHint(m, model, path))
	if err != nil || !ok {
		return err
	}
	setPath(model, path, v)
	return nil
}

// Create stores the prepared model with its generated read-only values and
// defaults.
func (h *Handler) Create(_ context.Context, env handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error) {
	id, ok := handler.Identifier(model, h.idPaths)
	if !ok {
		return nil, handler.Errorf(handler.InvalidRequest, "Resource of type '%s' has no value for its primary identifier %v.", h.res.TypeName, h.res.PrimaryIdentifier)
	}
	if _, err := tx.Get(h.res.TypeName, id); err == nil {
		return nil, handler.Errorf(handler.AlreadyExists, "Resource of type '%s' with identifier '%s' already exists.", h.res.TypeName, id)
	} else if !errors.Is(err, handler.ErrNotFound) {
		return nil, err
	}
	m, err := newIDMaker(h, env)
	if err != nil {
		return nil, err
	}
	for _, path := range h.readOnly {
		if len(path) != 1 {
			continue // nested read-only values belong to objects the service describes
		}
		if _, ok := model[path[0]]; ok {
			continue
		}
		if err := h.generate(m, model, path); err != nil {
			return nil, err
		}
	}
	h.applyDefaults(model)
	return model, h.put(tx, id, model)
}

// applyDefaults sets each absent top-level property that has a non-null
// default, keeping only the defaults the model stays valid with (a default
// may contradict a oneOf the model chose another branch of).
func (h *Handler) applyDefaults(model map[string]any) {
	var added []string
	for _, p := range h.res.Properties {
		if _, ok := model[p.Name]; ok {
			continue
		}
		node, ok := h.sch.Property(p.Name)
		if !ok {
			continue
		}
		d, ok := node.Default()
		if !ok || d == nil || !node.Valid(d) {
			continue
		}
		model[p.Name] = d
		added = append(added, p.Name)
	}
	if len(added) == 0 || h.sch.Valid(model) {
		return
	}
	for _, name := range added {
		delete(model, name)
	}
	for _, name := range added {
		d, _ := h.sch.Property(name)
		v, _ := d.Default()
		model[name] = v
		if !h.sch.Valid(model) {
			delete(model, name)
		}
	}
}

func (h *Handler) put(tx handler.Tx, id string, model map[string]any) error {
	b, err := json.Marshal(model)
	if err != nil {
		return fmt.Errorf("encode %s model: %w", h.res.TypeName, err)
	}
	return tx.Put(h.res.TypeName, id, b)
}

func (h *Handler) notFound(id string) error {
	return handler.Errorf(handler.NotFound, "Resource of type '%s' with identifier '%s' was not found.", h.res.TypeName, id)
}

// Read returns the stored model.
func (h *Handler) Read(_ context.Context, _ handler.Env, tx handler.Tx, id string) (map[string]any, error) {
	b, err := tx.Get(h.res.TypeName, id)
	if errors.Is(err, handler.ErrNotFound) {
		return nil, h.notFound(id)
	}
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode %s %s: %w", h.res.TypeName, id, err)
	}
	return m, nil
}

// Update replaces the model with desired, keeping the stored read-only
// and identifier values; omitted properties return to their defaults.
func (h *Handler) Update(ctx context.Context, env handler.Env, tx handler.Tx, id string, desired map[string]any) (map[string]any, error) {
	current, err := h.Read(ctx, env, tx, id)
	if err != nil {
		return nil, err
	}
	for _, path := range append(slices.Clone(h.readOnly), h.idPaths...) {
		if v, ok := handler.Value(current, path); ok {
			setPath(desired, path, v)
		} else {
			deletePath(desired, path)
		}
	}
	h.applyDefaults(desired)
	return desired, h.put(tx, id, desired)
}

// Delete removes the model.
func (h *Handler) Delete(_ context.Context, _ handler.Env, tx handler.Tx, id string) error {
	err := tx.Delete(h.res.TypeName, id)
	if errors.Is(err, handler.ErrNotFound) {
		return h.notFound(id)
	}
	return err
}

// List returns the models whose list-handler required properties equal
// resourceModel's (the core has checked they are there).
func (h *Handler) List(_ context.Context, _ handler.Env, tx handler.Tx, resourceModel map[string]any) ([]map[string]any, error) {
	recs, err := tx.List(h.res.TypeName, h.listPrefix(resourceModel))
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(recs))
	for _, r := range recs {
		var m map[string]any
		if err := json.Unmarshal(r.Model, &m); err != nil {
			return nil, fmt.Errorf("decode %s %s: %w", h.res.TypeName, r.Identifier, err)
		}
		if h.matches(m, resourceModel) {
			out = append(out, m)
		}
	}
	return out, nil
}

// ListPage returns one page of List's models after the identifier after,
// read from the store's index (handler.TxPager) a page at a time, so that
// a page costs O(page) however many models the type has. Without a
// TxPager it pages the full List.
func (h *Handler) ListPage(ctx context.Context, env handler.Env, tx handler.Tx, resourceModel map[string]any, after string, limit int) ([]map[string]any, error) {
	pt, ok := tx.(handler.TxPager)
	if !ok {
		return h.listPageSlow(ctx, env, tx, resourceModel, after, limit)
	}
	prefix := h.listPrefix(resourceModel)
	out := make([]map[string]any, 0, min(limit, 1024))
	for len(out) < limit {
		// Models of other parents may share the scan (when the prefix
		// cannot narrow it): read at least a small batch each time.
		chunk := max(limit-len(out), 16)
		recs, err := pt.ListAfter(h.res.TypeName, prefix, after, chunk)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			after = r.Identifier
			var m map[string]any
			if err := json.Unmarshal(r.Model, &m); err != nil {
				return nil, fmt.Errorf("decode %s %s: %w", h.res.TypeName, r.Identifier, err)
			}
			if h.matches(m, resourceModel) {
				out = append(out, m)
				if len(out) == limit {
					break
				}
			}
		}
		if len(recs) < chunk {
			break
		}
	}
	return out, nil
}

// ListPageRaw is ListPage's fast path when resourceModel filters nothing
// (it binds no list-handler parameter) and the store pages (TxPager): the
// stored models of the page as they are, undecoded, in identifier order.
// ok is false when it does not apply; the caller then uses ListPage.
func (h *Handler) ListPageRaw(_ context.Context, _ handler.Env, tx handler.Tx, resourceModel map[string]any, after string, limit int) (recs []handler.Record, ok bool, err error) {
	pt, paged := tx.(handler.TxPager)
	if !paged {
		return nil, false, nil
	}
	for _, name := range h.listRequired {
		if _, filters := resourceModel[name]; filters {
			return nil, false, nil
		}
	}
	recs, err = pt.ListAfter(h.res.TypeName, "", after, limit)
	return recs, err == nil, err
}

func (h *Handler) listPageSlow(ctx context.Context, env handler.Env, tx handler.Tx, rm map[string]any, after string, limit int) ([]map[string]any, error) {
	all, err := h.List(ctx, env, tx, rm)
	if err != nil {
		return nil, err
	}
	type item struct {
		id string
		m  map[string]any
	}
	items := make([]item, 0, len(all))
	for _, m := range all {
		if id, ok := handler.Identifier(m, h.idPaths); ok && id > after {
			items = append(items, item{id, m})
		}
	}
	slices.SortFunc(items, func(a, b item) int { return strings.Compare(a.id, b.id) })
	out := make([]map[string]any, 0, min(limit, len(items)))
	for _, it := range items[:min(limit, len(items))] {
		out = append(out, it.m)
	}
	return out, nil
}

// listPrefix narrows the scan when the required list properties are the
// leading parts of the identifier (a child listed by its parent's id).
func (h *Handler) listPrefix(rm map[string]any) string {
	if len(h.listRequired) == 0 || len(h.listRequired) >= len(h.idPaths) {
		return ""
	}
	var parts []string
	for i, name := range h.listRequired {
		p := h.idPaths[i]
		if len(p) != 1 || p[0] != name {
			return ""
		}
		v, ok := rm[name]
		if !ok {
			return ""
		}
		parts = append(parts, handler.ScalarString(v))
	}
	return strings.Join(parts, "|") + "|"
}

func (h *Handler) matches(model, rm map[string]any) bool {
	for _, name := range h.listRequired {
		want, ok := rm[name]
		if !ok {
			continue
		}
		got, ok := model[name]
		if !ok || canonicalJSON(got) != canonicalJSON(want) {
			return false
		}
	}
	return true
}

func canonicalJSON(v any) string {
	if _, ok := v.(string); !ok {
		if f, ok := toFloat(v); ok {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

// setPath sets a value, making the objects on the way; a path through a
// non-object (or an array wildcard) is left alone.
func setPath(m map[string]any, path []string, v any) {
	cur := m
	for _, p := range path[:len(path)-1] {
		if p == "*" {
			return
		}
		next, ok := cur[p].(map[string]any)
		if !ok {
			if _, exists := cur[p]; exists {
				return
			}
			next = map[string]any{}
			cur[p] = next
		}
		cur = next
	}
	if l := last(path); l != "*" {
		cur[l] = v
	}
}

func deletePath(m map[string]any, path []string) {
	cur := m
	for _, p := range path[:len(path)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			return
		}
		cur = next
	}
	delete(cur, last(path))
}
