package ccql

import (
	"context"
	"fmt"
	"strings"

	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/iql"
)

// target is one resource a mutation acts on.
type target struct {
	region, identifier string
}

// targetPlan says which resources an UPDATE or DELETE acts on.
type targetPlan struct {
	table       *catalog.Table
	where       string        // SQL text of the WHERE clause ("" for none)
	whereTables []string      // tables the WHERE references (subqueries)
	bindings    []iql.Binding // top-level col = x / col IN (…) predicates
	onlyEq      bool          // the WHERE is nothing but those equalities on key columns
}

func (e *Engine) targetPlan(t *catalog.Table, w iql.Where, tables []iql.TableRef) targetPlan {
	p := targetPlan{table: t, where: w.SQL, whereTables: idents(tables), bindings: w.Bindings, onlyEq: true}
	keyish := map[string]bool{catalog.RegionColumn: true, strings.ToLower(catalog.IdentifierColumn): true, "requesttoken": true}
	for _, param := range []string{paramClientToken, paramRoleArn, paramTypeVersionID} {
		if _, ok := requestParam(t, param); ok {
			keyish[strings.ToLower(param)] = true
		}
	}
	for _, c := range t.Columns {
		if c.Identifier {
			keyish[strings.ToLower(c.Name)] = true
			keyish[strings.ToLower(c.Property)] = true
		}
	}
	seen := map[string]bool{}
	for _, b := range w.Bindings {
		k := strings.ToLower(b.Column)
		if !keyish[k] || seen[k] {
			p.onlyEq = false // a filter, or bound twice: SQLite decides
		}
		seen[k] = true
	}
	return p
}

// bound returns the values of the WHERE's bindings with args, by
// lower-case column; a column bound to NULL has no entry.
func (p *targetPlan) bound(args []any) map[string][]string {
	eq := map[string][]string{}
	for _, b := range p.bindings {
		if vals, ok := boundValues(b, args); ok {
			k := strings.ToLower(b.Column)
			eq[k] = append(eq[k], vals...)
		}
	}
	return eq
}

// targets resolves the statement's targets: directly when region and
// Identifier are bound by equality, else by selecting the matching rows.
// It also returns the request parameters the WHERE binds.
func (e *Engine) targets(ctx context.Context, p *targetPlan, args []any) ([]target, requestParams, error) {
	equalities := p.bound(args)
	eq := func(name string) []string { return equalities[strings.ToLower(name)] }
	var params requestParams
	for _, name := range []string{paramClientToken, paramRoleArn, paramTypeVersionID} {
		if _, ok := requestParam(p.table, name); !ok {
			continue // a property of the resource: a filter, not a parameter
		}
		if v := eq(name); len(v) == 1 {
			params.set(name, v[0])
		}
	}
	regions := eq(catalog.RegionColumn)
	if len(regions) == 0 && e.cfg.DefaultRegion != "" {
		regions = []string{e.cfg.DefaultRegion}
	}
	ids := eq(catalog.IdentifierColumn)
	if len(ids) == 0 {
		ids = e.boundIdentifiers(p.table, equalities)
	}
	if len(regions) > 0 && len(ids) > 0 && p.onlyEq {
		var out []target
		for _, r := range regions {
			for _, id := range ids {
				out = append(out, target{region: r, identifier: id})
			}
		}
		return out, params, nil
	}
	if len(regions) == 0 {
		return nil, params, fmt.Errorf("%w: %s needs region in WHERE (region = '…')", ErrMissingKey, p.table.ID())
	}
	// Select the matching rows and act on each. Request parameters are not
	// columns, so they cannot take part in such a WHERE.
	for _, name := range []string{paramClientToken, paramRoleArn, paramTypeVersionID} {
		if _, ok := requestParam(p.table, name); ok && len(eq(name)) > 0 {
			return nil, params, fmt.Errorf("%w: %s in a WHERE that does not bind Identifier", ErrUnsupported, name)
		}
	}
	q := fmt.Sprintf(`SELECT region, "Identifier" FROM %s`, quoteIdent(p.table.ID()))
	if p.where != "" {
		q += " WHERE " + p.where
	}
	rows, err := e.db.Query(ctx, append([]string{p.table.ID()}, p.whereTables...), q, argsFor(q, args)...)
	if err != nil {
		return nil, params, e.wrapSQL(err)
	}
	out := make([]target, 0, len(rows.Values))
	for _, v := range rows.Values {
		out = append(out, target{region: stringOf(orEmpty(v[0])), identifier: stringOf(orEmpty(v[1]))})
	}
	return out, params, nil
}

// boundIdentifiers builds identifiers when every primary-identifier column
// is bound (user_pool_id = … AND client_id = …).
func (e *Engine) boundIdentifiers(t *catalog.Table, eq map[string][]string) []string {
	if len(t.Identifier) == 0 {
		return nil
	}
	combos := []string{""}
	for i, prop := range t.Identifier {
		var vals []string
		for _, c := range t.Columns {
			if c.Property == prop {
				vals = eq[strings.ToLower(c.Name)]
				if len(vals) == 0 {
					vals = eq[strings.ToLower(c.Property)]
				}
			}
		}
		if len(vals) == 0 {
			return nil
		}
		var next []string
		for _, c := range combos {
			for _, v := range vals {
				if i > 0 {
					next = append(next, c+"|"+v)
				} else {
					next = append(next, v)
				}
			}
		}
		combos = next
	}
	return combos
}
