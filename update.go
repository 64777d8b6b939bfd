package ccql

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/iql"
)

// assignment is one SET item, resolved against the catalog.
type assignment struct {
	column   string  // as written, for errors
	expr     string  // SQL for SQLite
	literal  *string // the unquoted literal, when expr is a plain string (or string('…'))
	isString bool
	isNull   bool
	param    string         // a request parameter (ClientToken, …), else ""
	patchDoc bool           // SET PatchDocument = …
	col      catalog.Column // the property set, otherwise
}

type updatePlan struct {
	targetPlan
	set []assignment
}

// prepareUpdate resolves the SET columns and the WHERE's bindings.
func (e *Engine) prepareUpdate(s *iql.Update) (*updatePlan, error) {
	t, err := e.table(s.Table.TableName)
	if err != nil {
		return nil, err
	}
	if t.Kind != catalog.KindResource || !t.Schema.HasHandler("update") {
		return nil, fmt.Errorf("%w: %s does not support UPDATE", ErrUnsupported, t.ID())
	}
	p := &updatePlan{targetPlan: e.targetPlan(t, s.Where, s.Tables)}
	doc, cols := false, false
	for _, a := range s.Set {
		as := assignment{column: a.Column, expr: a.Expr, literal: a.Literal, isString: a.IsString, isNull: a.IsNull}
		switch param, ok := requestParam(t, a.Column); {
		case ok:
			as.param = param
		case strings.EqualFold(a.Column, paramPatchDocument):
			as.patchDoc, doc = true, true
			if a.Literal != nil && !json.Valid([]byte(*a.Literal)) {
				return nil, fmt.Errorf("%w: PatchDocument is not valid JSON", ErrInvalidValue)
			}
		default:
			col, ok := t.Column(a.Column)
			if !ok || col.Property == "" || strings.Contains(col.Property, "/") {
				return nil, fmt.Errorf("%w: %s has no column %q%s", ErrUnknownColumn, t.ID(), a.Column, unknownColumnHint(t, a.Column))
			}
			if col.ReadOnly {
				return nil, fmt.Errorf("%w: %s.%s is set by the service and cannot be updated", ErrReadOnly, t.ID(), a.Column)
			}
			as.col, cols = col, true
		}
		p.set = append(p.set, as)
	}
	if doc && cols {
		return nil, fmt.Errorf("%w: SET PatchDocument cannot be combined with SET of columns", ErrUnsupported)
	}
	if !doc && !cols {
		return nil, fmt.Errorf("%w: UPDATE %s sets nothing", ErrSyntax, t.ID())
	}
	return p, nil
}

// planUpdate builds the patch, resolves the targets and returns one
// UpdateResource per target.
func (e *Engine) planUpdate(ctx context.Context, p *updatePlan, args []any) ([]Request, error) {
	patch, params, err := e.buildPatch(ctx, p, args)
	if err != nil {
		return nil, err
	}
	targets, tparams, err := e.targets(ctx, &p.targetPlan, args)
	if err != nil {
		return nil, err
	}
	for _, name := range []string{paramClientToken, paramRoleArn, paramTypeVersionID} {
		if v := params.get(name); v != "" {
			tparams.set(name, v)
		}
	}
	reqs := make([]Request, len(targets))
	for i, tg := range targets {
		reqs[i] = Request{Operation: OpUpdateResource, TypeName: p.table.TypeName, Region: tg.region, Identifier: tg.identifier, PatchDocument: patch}
		tparams.apply(&reqs[i])
	}
	return reqs, nil
}

func (p requestParams) get(name string) string {
	switch name {
	case paramClientToken:
		return p.clientToken
	case paramRoleArn:
		return p.roleArn
	case paramTypeVersionID:
		return p.typeVersionID
	}
	return ""
}

// buildPatch returns the PatchDocument: given as such, or built from
// SET column = value items (NULL removes); and the request parameters SET
// gives.
func (e *Engine) buildPatch(ctx context.Context, p *updatePlan, args []any) (string, requestParams, error) {
	t := p.table
	var (
		doc    string
		ops    []map[string]any
		params requestParams
	)
	// pending is a SET value SQLite must evaluate: where its result goes.
	type pending struct {
		a  assignment
		op int // index in ops; -1 for the PatchDocument, -2 for a request parameter
	}
	var todo []pending
	for _, a := range p.set {
		switch {
		case a.param != "":
			if a.literal != nil {
				params.set(a.param, *a.literal)
			} else {
				todo = append(todo, pending{a: a, op: -2})
			}
		case a.patchDoc:
			if a.literal != nil {
				doc = *a.literal
			} else {
				todo = append(todo, pending{a: a, op: -1})
			}
		default:
			ops = append(ops, map[string]any{"op": "remove", "path": "/" + a.col.Property})
			if !a.isNull {
				todo = append(todo, pending{a: a, op: len(ops) - 1})
			}
		}
	}
	// Evaluate the non-literal values in one SQLite round trip.
	if len(todo) > 0 {
		exprs := make([]string, len(todo))
		for i, x := range todo {
			exprs[i] = x.a.expr
		}
		q := "SELECT " + strings.Join(exprs, ", ")
		rows, err := e.db.Query(ctx, nil, q, argsFor(q, args)...)
		if err != nil {
			return "", params, e.wrapSQL(err)
		}
		for i, x := range todo {
			v := rows.Values[0][i]
			switch x.op {
			case -2:
				params.set(x.a.param, stringOf(orEmpty(v)))
			case -1:
				doc = stringOf(orEmpty(v))
				if !json.Valid([]byte(doc)) {
					return "", params, fmt.Errorf("%w: PatchDocument is not valid JSON", ErrInvalidValue)
				}
			default:
				cv, err := coerceColumn(v, x.a.col, x.a.isString)
				if err != nil {
					return "", params, fmt.Errorf("%w: %s.%s: %v", ErrInvalidValue, t.ID(), x.a.column, err)
				}
				if cv != nil { // NULL stays a remove
					ops[x.op] = map[string]any{"op": "add", "path": "/" + x.a.col.Property, "value": cv}
				}
			}
		}
	}
	if doc != "" {
		return doc, params, nil
	}
	if len(ops) == 0 {
		return "", params, fmt.Errorf("%w: UPDATE %s sets nothing", ErrSyntax, t.ID())
	}
	b, err := json.Marshal(ops)
	if err != nil {
		return "", params, fmt.Errorf("%w: %s: encode the patch: %v", ErrInvalidValue, t.ID(), err)
	}
	return string(b), params, nil
}
