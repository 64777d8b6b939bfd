package ccql

import (
	"context"
	"fmt"
	"strings"

	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/iql"
)

type deletePlan struct {
	targetPlan
	cancel bool // DELETE FROM awscc.cloud_control.resource_requests: CancelResourceRequest
}

func (e *Engine) prepareDelete(s *iql.Delete) (*deletePlan, error) {
	t, err := e.table(s.Table.TableName)
	if err != nil {
		return nil, err
	}
	p := &deletePlan{targetPlan: e.targetPlan(t, s.Where, s.Tables)}
	if t.Kind == catalog.KindNative && t.Name == catalog.NativeResourceRequests {
		p.cancel = true
		return p, nil
	}
	if t.Kind != catalog.KindResource || !t.Schema.HasHandler("delete") {
		return nil, fmt.Errorf("%w: %s does not support DELETE", ErrUnsupported, t.ID())
	}
	return p, nil
}

func (e *Engine) planDelete(ctx context.Context, p *deletePlan, args []any) ([]Request, error) {
	targets, params, err := e.targets(ctx, &p.targetPlan, args)
	if err != nil {
		return nil, err
	}
	reqs := make([]Request, len(targets))
	for i, tg := range targets {
		reqs[i] = Request{Operation: OpDeleteResource, TypeName: p.table.TypeName, Region: tg.region, Identifier: tg.identifier}
		params.apply(&reqs[i])
	}
	return reqs, nil
}

// planCancel answers DELETE FROM awscc.cloud_control.resource_requests
// WHERE RequestToken = … AND region = …: one CancelResourceRequest each.
func (e *Engine) planCancel(p *deletePlan, args []any) ([]Request, error) {
	eq := p.bound(args)
	regions := eq[catalog.RegionColumn]
	tokens := eq[strings.ToLower("RequestToken")]
	if len(regions) == 0 || len(tokens) == 0 {
		return nil, fmt.Errorf("%w: cancelling a request needs region and RequestToken in WHERE", ErrMissingKey)
	}
	var reqs []Request
	for _, r := range regions {
		for _, tok := range tokens {
			reqs = append(reqs, Request{Operation: OpCancelResourceRequest, Region: r, RequestToken: tok})
		}
	}
	return reqs, nil
}

// runCancel sends the cancels, reporting each as any mutation does.
func (e *Engine) runCancel(ctx context.Context, p *deletePlan, args []any, returning []string) (*Result, error) {
	reqs, err := e.planCancel(p, args)
	if err != nil {
		return nil, err
	}
	return e.dispatch(ctx, reqs, false, returning)
}
