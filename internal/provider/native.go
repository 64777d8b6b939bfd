package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/cloudcontrol"
	"github.com/ccql/ccql/internal/vtable"
)

// TimeLayout is how event times travel through SQLite: text that sorts
// correctly and that the engine turns back into time values.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// nativeTable serves one of the generic cloud_control tables.
type nativeTable struct {
	p    *Provider
	ct   *catalog.Table
	cols []vtable.Column
	scan func(ctx context.Context, region string, keys map[string]any) ([][]any, error)
}

func newNativeTable(p *Provider, ct *catalog.Table) (*nativeTable, error) {
	t := &nativeTable{p: p, ct: ct}
	required := map[string]bool{catalog.RegionColumn: true}
	for _, m := range ct.Methods {
		if m.SQLVerb == "SELECT" {
			for _, r := range m.RequiredParams {
				required[r] = true
			}
		}
	}
	for _, c := range ct.Columns {
		col := vtable.Column{Name: c.Name, Decl: nativeDecl(c.Name, c.Type)}
		switch {
		case required[c.Name]:
			col.Key = vtable.Required
		case c.Key:
			col.Key = vtable.Optional
		}
		t.cols = append(t.cols, col)
	}
	switch ct.Name {
	case catalog.NativeResource:
		t.scan = t.getResource
	case catalog.NativeResources:
		t.scan = t.listResources
	case catalog.NativeResourceRequest:
		t.scan = t.getRequest
	case catalog.NativeResourceRequests:
		t.scan = t.listRequests
	default:
		return nil, fmt.Errorf("no native table %s", ct.Name)
	}
	return t, nil
}

func nativeDecl(name, typ string) string {
	switch name {
	case "EventTime", "RetryAfter":
		return "TIMESTAMP"
	case "ResourceModel", "Properties":
		return "JSON"
	}
	return declType(typ)
}

func (t *nativeTable) Columns() []vtable.Column { return t.cols }

func (t *nativeTable) Scan(ctx context.Context, keys map[string]any) ([][]any, error) {
	region, _ := stringKey(keys, catalog.RegionColumn)
	return t.scan(ctx, region, keys)
}

// row builds a row from field values by column name.
func (t *nativeTable) row(region string, fields map[string]any) []any {
	row := make([]any, len(t.cols))
	for i, c := range t.cols {
		if c.Name == catalog.RegionColumn {
			row[i] = region
			continue
		}
		row[i] = fields[c.Name]
	}
	return row
}

func (t *nativeTable) getResource(ctx context.Context, region string, keys map[string]any) ([][]any, error) {
	typeName, _ := stringKey(keys, "TypeName")
	id, _ := stringKey(keys, "Identifier")
	out, err := t.p.api.GetResource(ctx, &cc.GetResourceInput{TypeName: &typeName, Identifier: &id}, cloudcontrol.WithRegion(region))
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get %s %q in %s: %w", typeName, id, region, err)
	}
	d := out.ResourceDescription
	if d == nil {
		return nil, nil
	}
	return [][]any{t.row(region, map[string]any{"TypeName": typeName, "Identifier": derefS(d.Identifier), "Properties": jsonOrNil(d.Properties)})}, nil
}

func (t *nativeTable) listResources(ctx context.Context, region string, keys map[string]any) ([][]any, error) {
	typeName, _ := stringKey(keys, "TypeName")
	var model map[string]any
	var modelText any
	if s, ok := stringKey(keys, "ResourceModel"); ok {
		modelText = s
		if err := json.Unmarshal([]byte(s), &model); err != nil {
			return nil, fmt.Errorf("ResourceModel is not a JSON object: %w", err)
		}
	}
	descs, err := t.p.listAll(ctx, typeName, region, model)
	if err != nil {
		return nil, err
	}
	rows := make([][]any, len(descs))
	for i, d := range descs {
		rows[i] = t.row(region, map[string]any{"TypeName": typeName, "Identifier": derefS(d.Identifier), "Properties": jsonOrNil(d.Properties), "ResourceModel": modelText})
	}
	return rows, nil
}

func (t *nativeTable) getRequest(ctx context.Context, region string, keys map[string]any) ([][]any, error) {
	token, _ := stringKey(keys, "RequestToken")
	out, err := t.p.api.GetResourceRequestStatus(ctx, &cc.GetResourceRequestStatusInput{RequestToken: &token}, cloudcontrol.WithRegion(region))
	if err != nil {
		var nf *types.RequestTokenNotFoundException
		if errors.As(err, &nf) {
			return nil, nil
		}
		return nil, fmt.Errorf("get request status %s in %s: %w", token, region, err)
	}
	if out.ProgressEvent == nil {
		return nil, nil
	}
	return [][]any{t.row(region, EventFields(out.ProgressEvent))}, nil
}

func (t *nativeTable) listRequests(ctx context.Context, region string, keys map[string]any) ([][]any, error) {
	in := &cc.ListResourceRequestsInput{}
	// The filter is an input, not data: rows echo the bound value so that
	// SQLite's own check of the WHERE keeps them.
	var filter any
	if s, ok := stringKey(keys, "ResourceRequestStatusFilter"); ok {
		filter = s
		var f struct {
			Operations        []types.Operation       `json:"Operations"`
			OperationStatuses []types.OperationStatus `json:"OperationStatuses"`
		}
		if err := json.Unmarshal([]byte(s), &f); err != nil {
			return nil, fmt.Errorf("ResourceRequestStatusFilter is not a JSON object: %w", err)
		}
		in.ResourceRequestStatusFilter = &types.ResourceRequestStatusFilter{Operations: f.Operations, OperationStatuses: f.OperationStatuses}
	}
	var rows [][]any
	for {
		out, err := t.p.api.ListResourceRequests(ctx, in, cloudcontrol.WithRegion(region))
		if err != nil {
			return nil, fmt.Errorf("list resource requests in %s: %w", region, err)
		}
		for i := range out.ResourceRequestStatusSummaries {
			f := EventFields(&out.ResourceRequestStatusSummaries[i])
			f["ResourceRequestStatusFilter"] = filter
			rows = append(rows, t.row(region, f))
		}
		if out.NextToken == nil || *out.NextToken == "" {
			return rows, nil
		}
		in.NextToken = out.NextToken
	}
}

// EventFields returns a ProgressEvent's fields by name as SQLite values:
// absent fields are nil, times are TimeLayout text, ResourceModel is JSON text.
func EventFields(ev *types.ProgressEvent) map[string]any {
	m := map[string]any{
		"ErrorCode":       nilIfEmpty(string(ev.ErrorCode)),
		"EventTime":       timeOrNil(ev.EventTime),
		"Identifier":      ptrOrNil(ev.Identifier),
		"Operation":       nilIfEmpty(string(ev.Operation)),
		"OperationStatus": nilIfEmpty(string(ev.OperationStatus)),
		"RequestToken":    ptrOrNil(ev.RequestToken),
		"ResourceModel":   jsonOrNil(ev.ResourceModel),
		"RetryAfter":      timeOrNil(ev.RetryAfter),
		"StatusMessage":   ptrOrNil(ev.StatusMessage),
		"TypeName":        ptrOrNil(ev.TypeName),
	}
	if ev.HooksRequestToken != nil {
		m["HooksRequestToken"] = *ev.HooksRequestToken
	}
	return m
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func ptrOrNil(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func jsonOrNil(s *string) any {
	if s == nil || *s == "" {
		return nil
	}
	return *s
}

func timeOrNil(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.UTC().Format(TimeLayout)
}
