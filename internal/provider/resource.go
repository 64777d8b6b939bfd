package provider

import (
	"context"
	"encoding/json"
	"fmt"
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

func (l lister) list(ctx context.Context, region string, keys map[string]any) ([]types.ResourceDescription, error) {
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
		return l.p.listAll(ctx, l.ct.TypeName, region, model)
	}
	if len(missing) > 1 {
		return nil, l.missing(missing)
	}
	parent, err := l.parent(missing[0])
	if err != nil {
		return nil, err
	}
	if parent == nil {
		return nil, l.missing(missing)
	}
	parents, err := lister{p: l.p, ct: parent}.list(ctx, region, nil)
	if err != nil {
		return nil, err
	}
	results := make([][]types.ResourceDescription, len(parents))
	err = parallel(ctx, len(parents), l.p.concurrency, func(ctx context.Context, i int) error {
		m := map[string]any{}
		for k, v := range model {
			m[k] = v
		}
		m[missing[0]] = derefS(parents[i].Identifier)
		got, err := l.p.listAll(ctx, l.ct.TypeName, region, m)
		if isNotFound(err) {
			return nil // the parent went away between the two lists
		}
		for j := range got {
			got[j].Properties = withProperty(got[j].Properties, missing[0], m[missing[0]])
		}
		results[i] = got
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []types.ResourceDescription
	for _, r := range results {
		out = append(out, r...)
	}
	return out, nil
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

func (t *resourceTable) Scan(ctx context.Context, keys map[string]any) ([][]any, error) {
	region, _ := stringKey(keys, catalog.RegionColumn)
	var ids []string
	if id, ok := stringKey(keys, catalog.IdentifierColumn); ok {
		ids = []string{id}
	} else if id, ok := t.boundIdentifier(keys); ok {
		ids = []string{id}
	} else {
		descs, err := lister{p: t.p, ct: t.ct}.list(ctx, region, keys)
		if err != nil {
			return nil, err
		}
		for _, d := range descs {
			ids = append(ids, derefS(d.Identifier))
		}
	}
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

func (t *listTable) Scan(ctx context.Context, keys map[string]any) ([][]any, error) {
	region, _ := stringKey(keys, catalog.RegionColumn)
	descs, err := lister{p: t.p, ct: t.ct}.list(ctx, region, keys)
	if err != nil {
		return nil, err
	}
	rows := make([][]any, 0, len(descs))
	for _, d := range descs {
		model, err := decodeModel(derefS(d.Properties))
		if err != nil {
			return nil, err
		}
		idParts := strings.Split(derefS(d.Identifier), "|")
		row := make([]any, len(t.cols))
		row[0] = region
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
		rows = append(rows, row)
	}
	return rows, nil
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
