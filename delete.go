package ccql

import (
	"context"
	"fmt"
	"strings"

	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/cloudcontrol"
)

type deletePlan struct {
	targetPlan
	returning []string
	await     bool
}

func (e *Engine) runDelete(ctx context.Context, p *deletePlan) (*Result, error) {
	t := p.table
	if t.Kind == catalog.KindNative && t.Name == catalog.NativeResourceRequests {
		return e.runCancel(ctx, p)
	}
	if t.Kind != catalog.KindResource || !t.Schema.HasHandler("delete") {
		return nil, fmt.Errorf("%w: %s does not support DELETE", ErrUnsupported, t.ID())
	}
	targets, err := e.targets(ctx, &p.targetPlan)
	if err != nil {
		return nil, err
	}
	return e.dispatch(ctx, len(targets), p.await, p.returning, func(ctx context.Context, i int) (*types.ProgressEvent, string, error) {
		typeName, id := t.TypeName, targets[i].identifier
		out, err := e.api.DeleteResource(ctx, &cc.DeleteResourceInput{
			TypeName: &typeName, Identifier: &id,
			ClientToken: optional(p.params.clientToken), RoleArn: optional(p.params.roleArn), TypeVersionId: optional(p.params.typeVersionID),
		}, cloudcontrol.WithRegion(targets[i].region))
		if err != nil {
			return nil, "", serviceError("DeleteResource", err)
		}
		return out.ProgressEvent, targets[i].region, nil
	})
}

// runCancel answers DELETE FROM awscc.cloud_control.resource_requests
// WHERE RequestToken = … AND region = …: CancelResourceRequest.
func (e *Engine) runCancel(ctx context.Context, p *deletePlan) (*Result, error) {
	regions := p.equalities[catalog.RegionColumn]
	tokens := p.equalities[strings.ToLower("RequestToken")]
	if len(regions) == 0 || len(tokens) == 0 {
		return nil, fmt.Errorf("%w: cancelling a request needs region and RequestToken in WHERE", ErrMissingKey)
	}
	var outcomes []*types.ProgressEvent
	for _, r := range regions {
		for _, tok := range tokens {
			tok := tok
			out, err := e.api.CancelResourceRequest(ctx, &cc.CancelResourceRequestInput{RequestToken: &tok}, cloudcontrol.WithRegion(r))
			if err != nil {
				return nil, serviceError("CancelResourceRequest", err)
			}
			outcomes = append(outcomes, out.ProgressEvent)
		}
	}
	return e.mutationResult(outcomes, p.returning)
}
