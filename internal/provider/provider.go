// Package provider serves the catalog's tables to SQLite: it turns a table's
// bound key columns into Cloud Control calls (GetResource, ListResources,
// GetResourceRequestStatus, ListResourceRequests) and the answers into rows.
//
// Reads fan out in parallel with a bounded pool: a full resource table
// without an Identifier lists and then gets every match, and a list whose
// handler needs a parent's identifier (user pool clients need UserPoolId)
// lists the parent first when the statement does not bind it.
package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"

	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/cloudcontrol"
	"github.com/ccql/ccql/internal/fanout"
	"github.com/ccql/ccql/internal/vtable"
)

// Catalog is what the provider needs of the catalog.
type Catalog interface {
	Table(provider, service, resource string) (*catalog.Table, error)
	Resources(provider, service string) ([]catalog.ResourceRef, error)
}

// Provider resolves SQL table names to vtable.Tables over one Cloud Control API.
type Provider struct {
	cat         Catalog
	api         cloudcontrol.API
	concurrency int
	mu          sync.Mutex
	tables      map[string]vtable.Table
	// defaultRegion is the region of a scan whose statement binds none.
	defaultRegion string
	// outbox serves awscc.cognito_outbox.messages; nil on real AWS.
	outbox Outbox
}

// SetDefaultRegion makes region the region of every scan whose statement
// does not bind one (ccql's --region); "" (the default) keeps region a
// required key. Call it before the first Resolve.
func (p *Provider) SetDefaultRegion(region string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.defaultRegion = region
}

// withDefaultRegion gives a table's region column the default region.
type withDefaultRegion struct {
	vtable.Table
	region string
}

// Columns returns the table's columns with Default set on region.
func (t withDefaultRegion) Columns() []vtable.Column {
	cols := slices.Clone(t.Table.Columns())
	for i := range cols {
		if cols[i].Name == catalog.RegionColumn && cols[i].Key == vtable.Required {
			cols[i].Default = t.region
		}
	}
	return cols
}

// Stream implements vtable.Streamer: the wrapped table's stream, or its
// Scan as one batch when it has none.
func (t withDefaultRegion) Stream(ctx context.Context, keys map[string]any) iter.Seq2[[][]any, error] {
	if st, ok := t.Table.(vtable.Streamer); ok {
		return st.Stream(ctx, keys)
	}
	return func(yield func([][]any, error) bool) {
		yield(t.Scan(ctx, keys))
	}
}

var _ vtable.Streamer = withDefaultRegion{}

// New returns a provider. concurrency bounds parallel calls per scan.
func New(cat Catalog, api cloudcontrol.API, concurrency int) *Provider {
	if concurrency <= 0 {
		concurrency = 8
	}
	return &Provider{cat: cat, api: api, concurrency: concurrency, tables: map[string]vtable.Table{}}
}

// SplitName splits "awscc.cognito.user_pool_clients" into its three parts.
func SplitName(name string) (provider, service, resource string, err error) {
	parts := strings.Split(name, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", "", fmt.Errorf("%q is not a provider.service.resource name", name)
	}
	return parts[0], parts[1], parts[2], nil
}

// Lookup returns the catalog table for a three-part name.
func (p *Provider) Lookup(name string) (*catalog.Table, error) {
	pr, svc, res, err := SplitName(name)
	if err != nil {
		return nil, err
	}
	return p.cat.Table(pr, svc, res)
}

// Resolve implements vtable.Resolver.
func (p *Provider) Resolve(name string) (vtable.Table, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t, ok := p.tables[name]; ok {
		return t, nil
	}
	ct, err := p.Lookup(name)
	if err != nil {
		return nil, err
	}
	var t vtable.Table
	switch ct.Kind {
	case catalog.KindResource:
		t = newResourceTable(p, ct)
	case catalog.KindListOnly:
		t = newListTable(p, ct)
	case catalog.KindNative:
		if ct.Service == catalog.CognitoOutboxService {
			t = newOutboxTable(p, ct)
			break
		}
		t, err = newNativeTable(p, ct)
		if err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("table %s: unknown kind %d", name, ct.Kind)
	}
	if p.defaultRegion != "" {
		t = withDefaultRegion{Table: t, region: p.defaultRegion}
	}
	p.tables[name] = t
	return t, nil
}

// declType maps a JSON schema type to the declared SQLite type the engine
// reads back to type result columns.
func declType(jsonType string) string {
	switch jsonType {
	case "integer":
		return "INTEGER"
	case "number":
		return "REAL"
	case "boolean":
		return "BOOLEAN"
	case "array", "object":
		return "JSON"
	}
	return "TEXT"
}

// value converts one decoded JSON value to a SQLite value.
func value(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return x
	case bool:
		return x
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case float64:
		if x == float64(int64(x)) {
			return int64(x)
		}
		return x
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// decodeModel decodes a Properties / ResourceModel JSON string, keeping numbers exact.
func decodeModel(s string) (map[string]any, error) {
	if s == "" {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode resource properties: %w", err)
	}
	return m, nil
}

// lookupPath reads a property or a "/"-separated nested path from a model.
func lookupPath(m map[string]any, path string) any {
	var cur any = m
	for _, part := range strings.Split(path, "/") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = obj[part]
	}
	return cur
}

// stringKey returns a bound key value as a string.
func stringKey(keys map[string]any, name string) (string, bool) {
	v, ok := keys[name]
	if !ok || v == nil {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	default:
		return fmt.Sprint(x), true
	}
}

// isNotFound reports whether err is Cloud Control's ResourceNotFoundException.
func isNotFound(err error) bool {
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) {
		return true
	}
	var api interface{ ErrorCode() string }
	return errors.As(err, &api) && api.ErrorCode() == "ResourceNotFoundException"
}

// parallel runs fn for every index in [0, n) through the one fan-out
// (internal/fanout: at most limit at once, every index run unless ctx ends)
// and returns the first error.
func parallel(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) error {
	return fanout.First(fanout.Run(ctx, n, limit, fn))
}

// listAll pages through ListResources and returns every resource.
func (p *Provider) listAll(ctx context.Context, typeName, region string, model map[string]any) ([]types.ResourceDescription, error) {
	var out []types.ResourceDescription
	for page, err := range p.listPages(ctx, typeName, region, model) {
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
	}
	return out, nil
}

// listPages pages through ListResources lazily: each page is fetched when
// the consumer asks for it, so that a consumer that stops (LIMIT) or
// whose ctx ends fetches no more. An error is yielded once, last.
func (p *Provider) listPages(ctx context.Context, typeName, region string, model map[string]any) iter.Seq2[[]types.ResourceDescription, error] {
	return func(yield func([]types.ResourceDescription, error) bool) {
		var token *string
		for {
			page, next, err := p.listPage(ctx, typeName, region, model, token)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(page, nil) || next == nil {
				return
			}
			token = next
		}
	}
}

// listPage fetches one page of ListResources and the token of the next
// (nil after the last page).
func (p *Provider) listPage(ctx context.Context, typeName, region string, model map[string]any, token *string) ([]types.ResourceDescription, *string, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("list %s in %s: %w", typeName, region, err)
	}
	in := &cc.ListResourcesInput{TypeName: &typeName, NextToken: token}
	if len(model) > 0 {
		b, err := json.Marshal(model)
		if err != nil {
			return nil, nil, err
		}
		s := string(b)
		in.ResourceModel = &s
	}
	page, err := p.api.ListResources(ctx, in, cloudcontrol.WithRegion(region))
	if err != nil {
		return nil, nil, fmt.Errorf("list %s in %s: %w", typeName, region, err)
	}
	if page.NextToken == nil || *page.NextToken == "" {
		return page.ResourceDescriptions, nil, nil
	}
	return page.ResourceDescriptions, page.NextToken, nil
}
