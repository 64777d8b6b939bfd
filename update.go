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
	var exprs []string
	var exprIdx []int
	for i, a := range p.set {
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
				continue
			}
			exprs = append(exprs, a.expr)
			exprIdx = append(exprIdx, i)
			continue
		}
		col, ok := t.Column(a.column)
		if !ok || col.Property == "" {
			return "", fmt.Errorf("%w: %s has no column %q", ErrUnknownColumn, t.ID(), a.column)
		}
		if a.isNull {
			ops = append(ops, map[string]any{"op": "remove", "path": "/" + col.Property})
			continue
		}
		exprs = append(exprs, a.expr)
		exprIdx = append(exprIdx, i)
		ops = append(ops, nil) // filled below
	}
	// Evaluate the non-literal values in one SQLite round trip.
	if len(exprs) > 0 {
		rows, err := e.db.Query(ctx, nil, "SELECT "+strings.Join(exprs, ", "))
		if err != nil {
			return "", e.wrapSQL(err)
		}
		vals := rows.Values[0]
		k := 0
		for j, i := range exprIdx {
			a := p.set[i]
			if strings.EqualFold(a.column, paramPatchDocument) {
				doc = stringOf(orEmpty(vals[j]))
				continue
			}
			col, _ := t.Column(a.column)
			cv, err := coerce(vals[j], col.Type, a.isString)
			if err != nil {
				return "", fmt.Errorf("%w: %s.%s: %v", ErrUnknownColumn, t.ID(), a.column, err)
			}
			for ops[k] != nil {
				k++
			}
			if cv == nil {
				ops[k] = map[string]any{"op": "remove", "path": "/" + col.Property}
			} else {
				ops[k] = map[string]any{"op": "add", "path": "/" + col.Property, "value": cv}
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
