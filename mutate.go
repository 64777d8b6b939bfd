package ccql

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/iql"
)

// Request parameters: columns that go to the Cloud Control request, not
// into the resource's properties.
const (
	paramClientToken   = "ClientToken"
	paramRoleArn       = "RoleArn"
	paramTypeVersionID = "TypeVersionId"
	paramPatchDocument = "PatchDocument"
)

// The Cloud Control operations a mutation sends (Request.Operation).
const (
	OpCreateResource        = "CreateResource"
	OpUpdateResource        = "UpdateResource"
	OpDeleteResource        = "DeleteResource"
	OpCancelResourceRequest = "CancelResourceRequest"
)

// Request is one Cloud Control request a mutation sends, as Stmt.Plan
// describes it. Empty fields are not sent.
type Request struct {
	Operation     string // OpCreateResource, OpUpdateResource, OpDeleteResource or OpCancelResourceRequest
	TypeName      string // e.g. AWS::Cognito::UserPoolClient ("" for a cancel)
	Region        string
	Identifier    string // the resource's primary identifier (UPDATE, DELETE)
	DesiredState  string // the JSON desired state (INSERT); it may hold secrets the user wrote
	PatchDocument string // the JSON Patch (UPDATE)
	RequestToken  string // the request to cancel (CancelResourceRequest)
	ClientToken   string
	RoleArn       string
	TypeVersionID string
}

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

func (p requestParams) apply(r *Request) {
	r.ClientToken, r.RoleArn, r.TypeVersionID = p.clientToken, p.roleArn, p.typeVersionID
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// colRole is what one INSERT column is.
type colRole struct {
	param  string // request parameter name
	region bool
	col    catalog.Column
}

// insertPlan is an INSERT resolved against the catalog.
type insertPlan struct {
	table        *catalog.Table
	columns      []string // as written
	roles        []colRole
	source       string // SQL for SQLite producing one row per resource
	sourceTables []string
	stringCols   []bool
}

// prepareInsert resolves every column before anything is sent: an unknown
// column is an error that names it, never a silent drop.
func (e *Engine) prepareInsert(s *iql.Insert) (*insertPlan, error) {
	t, err := e.table(s.Table.TableName)
	if err != nil {
		return nil, err
	}
	if t.Kind != catalog.KindResource || !t.Schema.HasHandler("create") {
		return nil, fmt.Errorf("%w: %s does not support INSERT", ErrUnsupported, t.ID())
	}
	p := &insertPlan{table: t, columns: s.Columns, source: s.Source, sourceTables: idents(s.Tables),
		stringCols: s.StringColumns, roles: make([]colRole, len(s.Columns))}
	hasRegion := false
	for i, name := range s.Columns {
		if strings.EqualFold(name, catalog.RegionColumn) {
			p.roles[i].region, hasRegion = true, true
			continue
		}
		if param, ok := requestParam(t, name); ok {
			p.roles[i].param = param
			continue
		}
		col, ok := t.Column(name)
		if !ok || col.Property == "" || strings.Contains(col.Property, "/") {
			return nil, fmt.Errorf("%w: %s has no column %q%s", ErrUnknownColumn, t.ID(), name, unknownColumnHint(t, name))
		}
		if col.ReadOnly {
			return nil, fmt.Errorf("%w: %s.%s is set by the service and cannot be given a value", ErrReadOnly, t.ID(), name)
		}
		p.roles[i].col = col
	}
	if !hasRegion && e.cfg.DefaultRegion == "" {
		return nil, fmt.Errorf("%w: INSERT INTO %s needs a region column (or --region)", ErrMissingKey, t.ID())
	}
	return p, nil
}

// planInsert evaluates the source in SQLite and builds one CreateResource
// per row; every row is checked before any is returned.
func (e *Engine) planInsert(ctx context.Context, p *insertPlan, args []any) ([]Request, error) {
	t := p.table
	rows, err := e.db.Query(ctx, p.sourceTables, p.source, argsFor(p.source, args)...)
	if err != nil {
		return nil, e.wrapSQL(err)
	}
	reqs := make([]Request, 0, len(rows.Values))
	for r, vals := range rows.Values {
		if len(vals) != len(p.columns) {
			return nil, fmt.Errorf("%w: INSERT has %d columns but row %d has %d values", ErrSyntax, len(p.columns), r+1, len(vals))
		}
		desired := map[string]any{}
		var params requestParams
		region := ""
		for i, v := range vals {
			role := p.roles[i]
			asString := i < len(p.stringCols) && p.stringCols[i]
			switch {
			case role.region:
				region = stringOf(orEmpty(v))
			case role.param != "":
				params.set(role.param, stringOf(orEmpty(v)))
			default:
				cv, err := coerceColumn(v, role.col, asString)
				if err != nil {
					return nil, fmt.Errorf("%w: %s.%s (row %d): %v", ErrInvalidValue, t.ID(), p.columns[i], r+1, err)
				}
				if cv != nil {
					desired[role.col.Property] = cv
				}
			}
		}
		if region == "" {
			region = e.cfg.DefaultRegion
		}
		if region == "" {
			return nil, fmt.Errorf("%w: INSERT INTO %s row %d has no region", ErrMissingKey, t.ID(), r+1)
		}
		ds, err := json.Marshal(desired) // keys sorted, as StackQL sends them
		if err != nil {
			return nil, fmt.Errorf("%w: %s row %d: encode desired state: %v", ErrInvalidValue, t.ID(), r+1, err)
		}
		req := Request{Operation: OpCreateResource, TypeName: t.TypeName, Region: region, DesiredState: string(ds)}
		params.apply(&req)
		reqs = append(reqs, req)
	}
	return reqs, nil
}

func orEmpty(v any) any {
	if v == nil {
		return ""
	}
	return v
}
