package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strings"

	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/cloudcontrol"
	"github.com/ccql/ccql/internal/vtable"
)

// lister lists the identifiers (and list-handler properties) of one type,
// filling list-handler parameters the statement did not bind by listing the
// parent type that owns them.
type lister struct {
	p  *Provider
	ct *catalog.Table
}

// listRequiredColumns maps each list-required property to its column name.
func (l lister) listRequiredColumns() map[string]string {
	out := map[string]string{}
	for _, prop := range l.ct.ListRequired {
		name := prop
		if c, ok := l.ct.Column(prop); ok {
			name = c.Name
		}
		out[prop] = name
	}
	return out
}

// pages lists lazily, a page at a time (see Provider.listPages). When the
// list needs a parent's identifier the statement did not bind, the
// parents are listed a page at a time too, and their children in rounds:
// up to concurrency parents at once, one page of each per round, so that
// at most concurrency pages are held whatever the number of children.
func (l lister) pages(ctx context.Context, region string, keys map[string]any) iter.Seq2[[]types.ResourceDescription, error] {
	return func(yield func([]types.ResourceDescription, error) bool) {
		model := map[string]any{}
		var missing []string
		for prop, col := range l.listRequiredColumns() {
			if v, ok := stringKey(keys, col); ok {
				model[prop] = v
			} else {
				missing = append(missing, prop)
			}
		}
		if len(missing) == 0 {
			for page, err := range l.p.listPages(ctx, l.ct.TypeName, region, model) {
				if !yield(page, err) || err != nil {
					return
				}
			}
			return
		}
		if len(missing) > 1 {
			yield(nil, l.missing(missing))
			return
		}
		parent, err := l.parent(missing[0])
		if err == nil && parent == nil {
			err = l.missing(missing)
		}
		if err != nil {
			yield(nil, err)
			return
		}
		for parents, err := range (lister{p: l.p, ct: parent}).pages(ctx, region, nil) {
			if err != nil {
				yield(nil, err)
				return
			}
			for start := 0; start < len(parents); start += l.p.concurrency {
				group := parents[start:min(len(parents), start+l.p.concurrency)]
				if !l.children(ctx, region, model, missing[0], group, yield) {
					return
				}
			}
		}
	}
}

// children lists the children of a group of parents in rounds (one page
// of each parent not yet done, in parallel) and yields each round's
// rows; it reports whether to go on.
func (l lister) children(ctx context.Context, region string, model map[string]any, prop string, parents []types.ResourceDescription, yield func([]types.ResourceDescription, error) bool) bool {
	type child struct {
		model map[string]any
		token *string
		done  bool
	}
	kids := make([]child, len(parents))
	for i, par := range parents {
		m := make(map[string]any, len(model)+1)
		for k, v := range model {
			m[k] = v
		}
		m[prop] = derefS(par.Identifier)
		kids[i].model = m
	}
	for {
		round := make([][]types.ResourceDescription, len(kids))
		err := parallel(ctx, len(kids), l.p.concurrency, func(ctx context.Context, i int) error {
			k := &kids[i]
			if k.done {
				return nil
			}
			got, next, err := l.p.listPage(ctx, l.ct.TypeName, region, k.model, k.token)
			if isNotFound(err) {
				k.done = true // the parent went away between the two lists
				return nil
			}
			if err != nil {
				return err
			}
			for j := range got {
				got[j].Properties = withProperty(got[j].Properties, prop, k.model[prop])
			}
			round[i], k.token, k.done = got, next, next == nil
			return nil
		})
		if err != nil {
			yield(nil, err)
			return false
		}
		var rows []types.ResourceDescription
		for _, r := range round {
			rows = append(rows, r...)
		}
		if len(rows) > 0 && !yield(rows, nil) {
			return false
		}
		more := false
		for _, k := range kids {
			more = more || !k.done
		}
		if !more {
			return true
		}
	}
}

func (l lister) missing(props []string) error {
	cols := l.listRequiredColumns()
	names := make([]string, len(props))
	for i, p := range props {
		names[i] = cols[p]
	}
	return &vtable.MissingKeyError{Table: l.ct.ID(), Keys: names}
}

// parent finds the type in the same service whose single primary identifier
// is prop and whose list handler needs nothing: listing it yields every
// value prop can take.
func (l lister) parent(prop string) (*catalog.Table, error) {
	refs, err := l.p.cat.Resources(l.ct.Provider, l.ct.Service)
	if err != nil {
		return nil, err
	}
	var named *catalog.Table
	for _, ref := range refs {
		t, err := l.p.cat.Table(l.ct.Provider, l.ct.Service, ref.Name)
		if err != nil || t.Kind != catalog.KindResource || t.TypeName == l.ct.TypeName ||
			len(t.Identifier) != 1 || len(t.ListRequired) != 0 || t.Schema == nil || !t.Schema.HasHandler("list") {
			continue
		}
		if t.Identifier[0] == prop {
			return t, nil
		}
		if named == nil && namesParent(prop, t.TypeName, t.Identifier[0]) {
			named = t
		}
	}
	return named, nil
}

// namesParent reports whether a list parameter such as ClusterName or
// DetectorId names the type AWS::…::Cluster or AWS::…::Detector whose
// identifier is Name or Id (EKS nodegroups are listed per cluster, whose
// identifier is Name).
func namesParent(prop, typeName, identifier string) bool {
	base := typeName[strings.LastIndex(typeName, ":")+1:]
	for _, suffix := range []string{"Name", "Id", "Arn"} {
		if prop == base+suffix && (identifier == suffix || identifier == prop) {
			return true
		}
	}
	return false
}

func derefS(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// resourceTable is a full resource table: one row per resource with every
// property as a column.
type resourceTable struct {
	p     *Provider
	ct    *catalog.Table
	cols  []vtable.Column
	props []string // the property each column reads ("" for region and Identifier)
	// idCols maps each primary identifier property to its column index.
	idCols []int
}

func newResourceTable(p *Provider, ct *catalog.Table) *resourceTable {
	t := &resourceTable{p: p, ct: ct}
	t.cols, t.props = columns(ct, true)
	t.cols = append(t.cols, vtable.Column{Name: catalog.IdentifierColumn, Decl: "TEXT", Hidden: true, Key: vtable.Optional})
	t.props = append(t.props, "")
	for _, prop := range ct.Identifier {
		for i, pp := range t.props {
			if pp == prop {
				t.idCols = append(t.idCols, i)
				break
			}
		}
	}
	return t
}

func (t *resourceTable) Columns() []vtable.Column { return t.cols }

// Scan implements vtable.Table: every row of Stream.
func (t *resourceTable) Scan(ctx context.Context, keys map[string]any) ([][]any, error) {
	return collect(t.Stream(ctx, keys))
}

// Stream implements vtable.Streamer: a bound Identifier (or every
// identifier column) is one GetResource; otherwise the list is read a
// page at a time, and each page's resources are read in parallel.
func (t *resourceTable) Stream(ctx context.Context, keys map[string]any) iter.Seq2[[][]any, error] {
	return func(yield func([][]any, error) bool) {
		region, _ := stringKey(keys, catalog.RegionColumn)
		if id, ok := stringKey(keys, catalog.IdentifierColumn); ok {
			yield(t.getAll(ctx, region, []string{id}))
			return
		}
		if id, ok := t.boundIdentifier(keys); ok {
			yield(t.getAll(ctx, region, []string{id}))
			return
		}
		for descs, err := range (lister{p: t.p, ct: t.ct}).pages(ctx, region, keys) {
			if err != nil {
				yield(nil, err)
				return
			}
			ids := make([]string, len(descs))
			for i, d := range descs {
				ids[i] = derefS(d.Identifier)
			}
			rows, err := t.getAll(ctx, region, ids)
			if !yield(rows, err) || err != nil {
				return
			}
		}
	}
}

// getAll reads resources in parallel; missing ones are no row.
func (t *resourceTable) getAll(ctx context.Context, region string, ids []string) ([][]any, error) {
	rows := make([][]any, len(ids))
	err := parallel(ctx, len(ids), t.p.concurrency, func(ctx context.Context, i int) error {
		row, err := t.get(ctx, region, ids[i])
		rows[i] = row
		return err
	})
	if err != nil {
		return nil, err
	}
	out := rows[:0]
	for _, r := range rows {
		if r != nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// collect reads a whole stream.
func collect(seq iter.Seq2[[][]any, error]) ([][]any, error) {
	var out [][]any
	for rows, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

// boundIdentifier builds the identifier when every part is bound by its column.
func (t *resourceTable) boundIdentifier(keys map[string]any) (string, bool) {
	if len(t.idCols) == 0 || len(t.idCols) != len(t.ct.Identifier) {
		return "", false
	}
	parts := make([]string, len(t.idCols))
	for i, ci := range t.idCols {
		v, ok := stringKey(keys, t.cols[ci].Name)
		if !ok {
			return "", false
		}
		parts[i] = v
	}
	return strings.Join(parts, "|"), true
}

// get reads one resource; a missing one is no row, not an error.
func (t *resourceTable) get(ctx context.Context, region, id string) ([]any, error) {
	typeName := t.ct.TypeName
	out, err := t.p.api.GetResource(ctx, &cc.GetResourceInput{TypeName: &typeName, Identifier: &id}, cloudcontrol.WithRegion(region))
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get %s %q in %s: %w", typeName, id, region, err)
	}
	var props string
	ident := id
	if out.ResourceDescription != nil {
		props = derefS(out.ResourceDescription.Properties)
		if out.ResourceDescription.Identifier != nil {
			ident = *out.ResourceDescription.Identifier
		}
	}
	model, err := decodeModel(props)
	if err != nil {
		return nil, fmt.Errorf("get %s %q: %w", typeName, id, err)
	}
	row := make([]any, len(t.cols))
	for i, c := range t.cols {
		switch {
		case i == 0:
			row[i] = region
		case c.Name == catalog.IdentifierColumn && c.Hidden:
			row[i] = ident
		default:
			row[i] = value(lookupPath(model, t.props[i]))
		}
	}
	return row, nil
}

// listTable is a _list_only table: one row per listed resource with its
// identifier columns.
type listTable struct {
	p     *Provider
	ct    *catalog.Table
	cols  []vtable.Column
	props []string // the property each column reads ("" for region)
	// idPart is, per column, its index in the primary identifier, or -1.
	idPart []int
	// fromID: every column but region is a TEXT identifier part, so rows
	// can be cut from the Identifier alone.
	fromID bool
}

func newListTable(p *Provider, ct *catalog.Table) *listTable {
	t := &listTable{p: p, ct: ct}
	t.cols, t.props = columns(ct, false)
	t.idPart = make([]int, len(t.props))
	for i, prop := range t.props {
		t.idPart[i] = -1
		for j, id := range ct.Identifier {
			if prop != "" && prop == id {
				t.idPart[i] = j
			}
		}
	}
	t.fromID = len(ct.Identifier) > 0 && len(t.cols) > 1
	for i := 1; i < len(t.cols); i++ {
		if t.idPart[i] < 0 || t.cols[i].Decl != "TEXT" {
			t.fromID = false
		}
	}
	if len(ct.Identifier) == 1 && len(t.cols) != 2 {
		t.fromID = false // one identifier part but several columns read it
	}
	return t
}

// columns returns region, then the catalog's columns, with the property
// each reads: list-handler parameters are optional keys, and so are
// identifier columns of a full table (both of them together make an
// Identifier).
func columns(ct *catalog.Table, identifierKeys bool) ([]vtable.Column, []string) {
	listReq := map[string]bool{}
	for _, prop := range ct.ListRequired {
		listReq[prop] = true
	}
	cols := []vtable.Column{{Name: catalog.RegionColumn, Decl: "TEXT", Key: vtable.Required}}
	props := []string{""}
	for _, c := range ct.Columns {
		if c.Name == catalog.RegionColumn {
			continue
		}
		col := vtable.Column{Name: c.Name, Decl: declType(c.Type)}
		if listReq[c.Property] || identifierKeys && c.Identifier {
			col.Key = vtable.Optional
		}
		cols = append(cols, col)
		props = append(props, c.Property)
	}
	return cols, props
}

func (t *listTable) Columns() []vtable.Column { return t.cols }

// Scan implements vtable.Table: every row of Stream.
func (t *listTable) Scan(ctx context.Context, keys map[string]any) ([][]any, error) {
	return collect(t.Stream(ctx, keys))
}

// Stream implements vtable.Streamer: one batch of rows per ListResources
// page, each page fetched when the cursor reaches it.
func (t *listTable) Stream(ctx context.Context, keys map[string]any) iter.Seq2[[][]any, error] {
	return func(yield func([][]any, error) bool) {
		region, _ := stringKey(keys, catalog.RegionColumn)
		for descs, err := range (lister{p: t.p, ct: t.ct}).pages(ctx, region, keys) {
			if err != nil {
				yield(nil, err)
				return
			}
			rows := make([][]any, 0, len(descs))
			for _, d := range descs {
				row, err := t.row(region, keys, d)
				if err != nil {
					yield(nil, err)
					return
				}
				rows = append(rows, row)
			}
			if !yield(rows, nil) {
				return
			}
		}
	}
}

// row converts one listed resource. When every column but region is a
// text part of the primary identifier, the row is cut from the Identifier
// without decoding Properties (the list path's main per-row cost).
func (t *listTable) row(region string, keys map[string]any, d types.ResourceDescription) ([]any, error) {
	id := derefS(d.Identifier)
	row := make([]any, len(t.cols))
	row[0] = region
	if t.fromID {
		if len(t.ct.Identifier) == 1 {
			row[1] = id
			return row, nil
		}
		if strings.Count(id, "|") == len(t.ct.Identifier)-1 {
			parts := strings.Split(id, "|")
			for i := 1; i < len(t.cols); i++ {
				row[i] = parts[t.idPart[i]]
			}
			return row, nil
		}
	}
	model, err := decodeModel(derefS(d.Properties))
	if err != nil {
		return nil, err
	}
	idParts := strings.Split(id, "|")
	for i := 1; i < len(t.cols); i++ {
		c := t.cols[i]
		v := lookupPath(model, t.props[i])
		if j := t.idPart[i]; v == nil && j >= 0 && j < len(idParts) {
			// Some list handlers return only the identifier: take the
			// part that belongs to this column.
			v = idParts[j]
		}
		if v == nil {
			// A list parameter the handler does not echo: the row
			// carries the value it was listed with, so that SQLite's
			// check of the WHERE keeps it.
			if kv, ok := stringKey(keys, c.Name); ok {
				v = kv
			}
		}
		row[i] = value(v)
	}
	return row, nil
}

// withProperty adds name = value to a Properties JSON object that lacks it:
// a list handler need not echo the parameter it was listed by, but the
// row of the list view should show it.
func withProperty(props *string, name string, value any) *string {
	m := map[string]any{}
	if props != nil && *props != "" {
		dec := json.NewDecoder(strings.NewReader(*props))
		dec.UseNumber() // large integers must survive the round trip
		if err := dec.Decode(&m); err != nil {
			return props
		}
	}
	if _, ok := m[name]; ok {
		return props
	}
	m[name] = value
	b, err := json.Marshal(m)
	if err != nil {
		return props
	}
	s := string(b)
	return &s
}
