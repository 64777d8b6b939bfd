package ccql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/cloudcontrol"
	"github.com/ccql/ccql/internal/provider"
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
				return nil, fmt.Errorf("%w: %s has no column %q", ErrUnknownColumn, t.ID(), name)
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

// target is one resource a mutation acts on.
type target struct {
	region, identifier string
}

// targetPlan says which resources an UPDATE or DELETE acts on.
type targetPlan struct {
	table       *catalog.Table
	where       string              // SQL text of the WHERE clause ("" for none)
	whereTables []string            // tables the WHERE references (subqueries)
	equalities  map[string][]string // top-level col = 'x' / col IN (…) predicates, by lower-case column
	onlyEq      bool                // the WHERE is nothing but those equalities
	params      requestParams
}

// targets resolves the statement's targets: directly when region and
// Identifier are bound by equality, else by selecting the matching rows.
func (e *Engine) targets(ctx context.Context, p *targetPlan) ([]target, error) {
	eq := func(name string) []string { return p.equalities[strings.ToLower(name)] }
	for _, name := range []string{paramClientToken, paramRoleArn, paramTypeVersionID} {
		if _, ok := requestParam(p.table, name); !ok {
			continue // a property of the resource: a filter, not a parameter
		}
		if v := eq(name); len(v) == 1 {
			p.params.set(name, v[0])
		}
	}
	regions := eq(catalog.RegionColumn)
	ids := eq(catalog.IdentifierColumn)
	if len(ids) == 0 {
		ids = e.boundIdentifiers(p.table, p.equalities)
	}
	if len(regions) > 0 && len(ids) > 0 && p.onlyEq {
		var out []target
		for _, r := range regions {
			for _, id := range ids {
				out = append(out, target{region: r, identifier: id})
			}
		}
		return out, nil
	}
	if len(regions) == 0 {
		return nil, fmt.Errorf("%w: %s needs region in WHERE (region = '…')", ErrMissingKey, p.table.ID())
	}
	// Select the matching rows and act on each. Request parameters are not
	// columns, so they cannot take part in such a WHERE.
	for _, name := range []string{paramClientToken, paramRoleArn, paramTypeVersionID} {
		if _, ok := requestParam(p.table, name); ok && len(eq(name)) > 0 {
			return nil, fmt.Errorf("%w: %s in a WHERE that does not bind Identifier", ErrUnsupported, name)
		}
	}
	q := fmt.Sprintf(`SELECT region, "Identifier" FROM %s`, quoteIdent(p.table.ID()))
	if p.where != "" {
		q += " WHERE " + p.where
	}
	rows, err := e.db.Query(ctx, append([]string{p.table.ID()}, p.whereTables...), q)
	if err != nil {
		return nil, e.wrapSQL(err)
	}
	out := make([]target, 0, len(rows.Values))
	for _, v := range rows.Values {
		out = append(out, target{region: stringOf(orEmpty(v[0])), identifier: stringOf(orEmpty(v[1]))})
	}
	return out, nil
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

// maybeAwait polls a request to its end when asked to.
func (e *Engine) maybeAwait(ctx context.Context, ev *types.ProgressEvent, region string, await bool) (*types.ProgressEvent, error) {
	if ev == nil || !(await || e.cfg.Wait) || cloudcontrol.Terminal(ev.OperationStatus) && !e.cfg.FailOnFailed {
		return ev, nil
	}
	final := ev
	if !cloudcontrol.Terminal(ev.OperationStatus) {
		stop := e.spin(fmt.Sprintf("%s %s", ev.Operation, derefStr(ev.TypeName)))
		var err error
		final, err = cloudcontrol.Wait(ctx, e.api, derefStr(ev.RequestToken), region, cloudcontrol.WaitOptions{Timeout: e.cfg.WaitTimeout})
		stop()
		if errors.Is(err, cloudcontrol.ErrWaitTimeout) {
			return final, fmt.Errorf("%w: %v", ErrTimeout, err)
		}
		if err != nil {
			return final, serviceError("GetResourceRequestStatus", err)
		}
	}
	if e.cfg.FailOnFailed && final.OperationStatus == types.OperationStatusFailed {
		return final, fmt.Errorf("%w: %s %s %s: %s (%s)", ErrRequestFailed, final.Operation, derefStr(final.TypeName),
			derefStr(final.Identifier), derefStr(final.StatusMessage), final.ErrorCode)
	}
	return final, nil
}

func derefStr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// mutationResult projects ProgressEvents onto the RETURNING list; without
// RETURNING the statement has no rows.
func (e *Engine) mutationResult(events []*types.ProgressEvent, returning []string) (*Result, error) {
	if len(returning) == 0 {
		return &Result{Kind: KindMutation, RowsAffected: int64(len(events)),
			Message: fmt.Sprintf("The operation was despatched successfully (%d request(s))", len(events))}, nil
	}
	all := catalog.ProgressEventFields()
	var cols []string
	for _, r := range returning {
		if r == "*" {
			cols = append(cols, all...)
			continue
		}
		found := ""
		for _, f := range all {
			if strings.EqualFold(f, r) {
				found = f
			}
		}
		if found == "" {
			return nil, fmt.Errorf("%w: RETURNING %s is not a ProgressEvent field (want %s)", ErrUnknownColumn, r, strings.Join(all, ", "))
		}
		cols = append(cols, found)
	}
	res := &Result{Kind: KindQuery, RowsAffected: int64(len(events))}
	for _, c := range cols {
		res.Columns = append(res.Columns, Column{Name: c, Type: eventFieldType(c)})
	}
	for _, ev := range events {
		if ev == nil {
			continue
		}
		fields := provider.EventFields(ev)
		row := make([]any, len(cols))
		for i, c := range cols {
			row[i] = convert(fields[c], res.Columns[i].Type)
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

func eventFieldType(name string) Type {
	switch name {
	case "EventTime", "RetryAfter":
		return TypeTime
	case "ResourceModel":
		return TypeJSON
	}
	return TypeText
}

// parallel runs fn over [0,n) with the engine's concurrency bound.
func (e *Engine) parallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	if n == 1 {
		return fn(ctx, 0)
	}
	sem := make(chan struct{}, e.concurrency())
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = fn(ctx, i)
		}(i)
	}
	wg.Wait()
	return errors.Join(errs...)
}
