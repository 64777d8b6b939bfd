package ccql

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/cloudcontrol"
)

// assignment is one SET item.
type assignment struct {
	column   string
	expr     string  // SQL for SQLite
	literal  *string // the unquoted literal, when expr is a plain string (or string('…'))
	isString bool
	isNull   bool
}

type updatePlan struct {
	targetPlan
	set       []assignment
	returning []string
	await     bool
}

func (e *Engine) runUpdate(ctx context.Context, p *updatePlan) (*Result, error) {
	t := p.table
	if t.Kind != catalog.KindResource || !t.Schema.HasHandler("update") {
		return nil, fmt.Errorf("%w: %s does not support UPDATE", ErrUnsupported, t.ID())
	}
	patch, err := e.buildPatch(ctx, p)
	if err != nil {
		return nil, err
	}
	targets, err := e.targets(ctx, &p.targetPlan)
	if err != nil {
		return nil, err
	}
	return e.dispatch(ctx, len(targets), p.await, p.returning, func(ctx context.Context, i int) (*types.ProgressEvent, string, error) {
		typeName, id := t.TypeName, targets[i].identifier
		out, err := e.api.UpdateResource(ctx, &cc.UpdateResourceInput{
			TypeName: &typeName, Identifier: &id, PatchDocument: &patch,
			ClientToken: optional(p.params.clientToken), RoleArn: optional(p.params.roleArn), TypeVersionId: optional(p.params.typeVersionID),
		}, cloudcontrol.WithRegion(targets[i].region))
		if err != nil {
			return nil, "", serviceError("UpdateResource", err)
		}
		return out.ProgressEvent, targets[i].region, nil
	})
}

// buildPatch returns the PatchDocument: given as such, or built from
// SET column = value items (NULL removes).
func (e *Engine) buildPatch(ctx context.Context, p *updatePlan) (string, error) {
	t := p.table
	var doc string
	var ops []map[string]any
	// pending is a SET value SQLite must evaluate: where its result goes.
	type pending struct {
		expr     string
		op       int    // index in ops; -1 for the PatchDocument itself
		column   string // as written, for errors
		prop     string
		typ      string
		asString bool
	}
	var todo []pending
	for _, a := range p.set {
		if param, ok := requestParam(t, a.column); ok {
			if a.literal == nil {
				return "", fmt.Errorf("%w: SET %s needs a string literal", ErrUnsupported, param)
			}
			p.params.set(param, *a.literal)
			continue
		}
		if strings.EqualFold(a.column, paramPatchDocument) {
			if a.literal != nil {
				doc = *a.literal
			} else {
				todo = append(todo, pending{expr: a.expr, op: -1})
			}
			continue
		}
		col, ok := t.Column(a.column)
		if !ok || col.Property == "" {
			return "", fmt.Errorf("%w: %s has no column %q%s", ErrUnknownColumn, t.ID(), a.column, unknownColumnHint(t, a.column))
		}
		ops = append(ops, map[string]any{"op": "remove", "path": "/" + col.Property})
		if !a.isNull {
			todo = append(todo, pending{expr: a.expr, op: len(ops) - 1, column: a.column, prop: col.Property, typ: col.Type, asString: a.isString})
		}
	}
	// Evaluate the non-literal values in one SQLite round trip.
	if len(todo) > 0 {
		exprs := make([]string, len(todo))
		for i, x := range todo {
			exprs[i] = x.expr
		}
		rows, err := e.db.Query(ctx, nil, "SELECT "+strings.Join(exprs, ", "))
		if err != nil {
			return "", e.wrapSQL(err)
		}
		for i, x := range todo {
			v := rows.Values[0][i]
			if x.op < 0 {
				doc = stringOf(orEmpty(v))
				continue
			}
			cv, err := coerce(v, x.typ, x.asString)
			if err != nil {
				return "", fmt.Errorf("%w: %s.%s: %v", ErrUnknownColumn, t.ID(), x.column, err)
			}
			if cv != nil { // NULL stays a remove
				ops[x.op] = map[string]any{"op": "add", "path": "/" + x.prop, "value": cv}
			}
		}
	}
	if doc != "" && len(ops) > 0 {
		return "", fmt.Errorf("%w: SET PatchDocument cannot be combined with SET of columns", ErrUnsupported)
	}
	if doc != "" {
		if !json.Valid([]byte(doc)) {
			return "", fmt.Errorf("%w: PatchDocument is not valid JSON", ErrSyntax)
		}
		return doc, nil
	}
	if len(ops) == 0 {
		return "", fmt.Errorf("%w: UPDATE %s sets nothing", ErrSyntax, t.ID())
	}
	b, err := json.Marshal(ops)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
