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

// Request parameters: columns that go to the Cloud Control request, not
// into the resource's properties.
const (
	paramClientToken   = "ClientToken"
	paramRoleArn       = "RoleArn"
	paramTypeVersionID = "TypeVersionId"
	paramPatchDocument = "PatchDocument"
)

// requestParam reports whether name is a request parameter of t's
// mutations. A property of the same name wins (AWS::EKS::Cluster has a
// RoleArn property): users need their resource's properties far more than
// Cloud Control's role override.
func requestParam(t *catalog.Table, name string) (string, bool) {
	if col, ok := t.Column(name); ok && col.Property != "" {
		return "", false
	}
	return isRequestParam(name)
}

func isRequestParam(name string) (string, bool) {
	for _, p := range []string{paramClientToken, paramRoleArn, paramTypeVersionID} {
		if strings.EqualFold(name, p) {
			return p, true
		}
	}
	return "", false
}

// requestParams are the optional parameters of one mutation request.
type requestParams struct {
	clientToken, roleArn, typeVersionID string
}

func (p *requestParams) set(name, value string) {
	switch name {
	case paramClientToken:
		p.clientToken = value
	case paramRoleArn:
		p.roleArn = value
	case paramTypeVersionID:
		p.typeVersionID = value
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// insertPlan is an INSERT resolved against the catalog.
type insertPlan struct {
	table        *catalog.Table
	columns      []string // as written
	source       string   // SQL for SQLite producing one row per resource
	sourceTables []string
	stringCols   []bool
	returning    []string
	await        bool
}

func (e *Engine) runInsert(ctx context.Context, p *insertPlan) (*Result, error) {
	t := p.table
	if t.Kind != catalog.KindResource || !t.Schema.HasHandler("create") {
		return nil, fmt.Errorf("%w: %s does not support INSERT", ErrUnsupported, t.ID())
	}
	// Resolve every column before anything is sent: an unknown column is an
	// error that names it, never a silent drop.
	type colRole struct {
		param    string // request parameter name
		region   bool
		prop     string // property name
		propType string
	}
	roles := make([]colRole, len(p.columns))
	for i, name := range p.columns {
		switch {
		case strings.EqualFold(name, catalog.RegionColumn):
			roles[i].region = true
		default:
			if param, ok := requestParam(t, name); ok {
				roles[i].param = param
				continue
			}
			col, ok := t.Column(name)
			if !ok || col.Property == "" || strings.Contains(col.Property, "/") {
				return nil, fmt.Errorf("%w: %s has no column %q%s", ErrUnknownColumn, t.ID(), name, unknownColumnHint(t, name))
			}
			if col.ReadOnly {
				return nil, fmt.Errorf("%w: %s.%s is read-only (set by the service)", ErrUnknownColumn, t.ID(), name)
			}
			roles[i].prop, roles[i].propType = col.Property, col.Type
		}
	}
	rows, err := e.db.Query(ctx, p.sourceTables, p.source)
	if err != nil {
		return nil, e.wrapSQL(err)
	}
	type request struct {
		region string
		in     *cc.CreateResourceInput
	}
	reqs := make([]request, 0, len(rows.Values))
	for r, vals := range rows.Values {
		if len(vals) != len(p.columns) {
			return nil, fmt.Errorf("%w: INSERT has %d columns but row %d has %d values", ErrSyntax, len(p.columns), r+1, len(vals))
		}
		desired := map[string]any{}
		var params requestParams
		region := ""
		for i, v := range vals {
			role := roles[i]
			asString := i < len(p.stringCols) && p.stringCols[i]
			switch {
			case role.region:
				region = stringOf(orEmpty(v))
			case role.param != "":
				params.set(role.param, stringOf(orEmpty(v)))
			default:
				cv, err := coerce(v, role.propType, asString)
				if err != nil {
					return nil, fmt.Errorf("%w: %s.%s: %v", ErrUnknownColumn, t.ID(), p.columns[i], err)
				}
				if cv != nil {
					desired[role.prop] = cv
				}
			}
		}
		if region == "" {
			region = e.cfg.DefaultRegion
		}
		if region == "" {
			return nil, fmt.Errorf("%w: INSERT INTO %s needs a region column", ErrMissingKey, t.ID())
		}
		ds, err := json.Marshal(desired) // keys sorted, as StackQL sends them
		if err != nil {
			return nil, fmt.Errorf("encode desired state: %w", err)
		}
		typeName := t.TypeName
		reqs = append(reqs, request{region: region, in: &cc.CreateResourceInput{
			TypeName: &typeName, DesiredState: optional(string(ds)),
			ClientToken: optional(params.clientToken), RoleArn: optional(params.roleArn), TypeVersionId: optional(params.typeVersionID),
		}})
	}
	return e.dispatch(ctx, len(reqs), p.await, p.returning, func(ctx context.Context, i int) (*types.ProgressEvent, string, error) {
		out, err := e.api.CreateResource(ctx, reqs[i].in, cloudcontrol.WithRegion(reqs[i].region))
		if err != nil {
			return nil, "", serviceError("CreateResource", err)
		}
		return out.ProgressEvent, reqs[i].region, nil
	})
}

// dispatch sends n requests in parallel, awaits each when asked, and
// projects the events onto RETURNING.
func (e *Engine) dispatch(ctx context.Context, n int, await bool, returning []string,
	send func(ctx context.Context, i int) (ev *types.ProgressEvent, region string, err error)) (*Result, error) {
	outcomes := make([]*types.ProgressEvent, n)
	err := e.parallel(ctx, n, func(ctx context.Context, i int) error {
		ev, region, err := send(ctx, i)
		if err != nil {
			return err
		}
		outcomes[i], err = e.maybeAwait(ctx, ev, region, await)
		return err
	})
	if err != nil {
		return nil, err
	}
	return e.mutationResult(outcomes, returning)
}

func orEmpty(v any) any {
	if v == nil {
		return ""
	}
	return v
}
