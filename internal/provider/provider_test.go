package provider_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/cloudcontrol"
	"github.com/ccql/ccql/internal/provider"
	"github.com/ccql/ccql/internal/schema"
	"github.com/ccql/ccql/internal/vtable"
	"github.com/google/go-cmp/cmp"
)

// fakeAPI serves pools and clients from maps, pages lists two at a time,
// and can be told to fail; it records calls.
type fakeAPI struct {
	cloudcontrol.API
	mu      sync.Mutex
	models  map[string]map[string]string // type → identifier → properties
	calls   []string
	failGet error
}

func (f *fakeAPI) record(s string) {
	f.mu.Lock()
	f.calls = append(f.calls, s)
	f.mu.Unlock()
}

func (f *fakeAPI) GetResource(_ context.Context, in *cc.GetResourceInput, o ...func(*cc.Options)) (*cc.GetResourceOutput, error) {
	f.record(fmt.Sprintf("get %s %s %s", cloudcontrol.RegionOf(o), *in.TypeName, *in.Identifier))
	if f.failGet != nil {
		return nil, f.failGet
	}
	p, ok := f.models[*in.TypeName][*in.Identifier]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: new(string)}
	}
	return &cc.GetResourceOutput{TypeName: in.TypeName, ResourceDescription: &types.ResourceDescription{Identifier: in.Identifier, Properties: &p}}, nil
}

func (f *fakeAPI) ListResources(_ context.Context, in *cc.ListResourcesInput, o ...func(*cc.Options)) (*cc.ListResourcesOutput, error) {
	model := ""
	if in.ResourceModel != nil {
		model = *in.ResourceModel
	}
	f.record(fmt.Sprintf("list %s %s %s", cloudcontrol.RegionOf(o), *in.TypeName, model))
	var prefix string
	if model != "" {
		var m map[string]string
		_ = json.Unmarshal([]byte(model), &m)
		prefix = m["UserPoolId"] + "|"
	} else if *in.TypeName == "AWS::Cognito::UserPoolClient" {
		return nil, &types.InvalidRequestException{Message: new(string)}
	}
	var ids []string
	for id := range f.models[*in.TypeName] {
		if strings.HasPrefix(id, prefix) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	start := 0
	if in.NextToken != nil {
		fmt.Sscan(*in.NextToken, &start)
	}
	out := &cc.ListResourcesOutput{TypeName: in.TypeName}
	for i := start; i < len(ids) && i < start+2; i++ {
		id := ids[i]
		props := f.models[*in.TypeName][id]
		out.ResourceDescriptions = append(out.ResourceDescriptions, types.ResourceDescription{Identifier: &id, Properties: &props})
	}
	if start+2 < len(ids) {
		next := fmt.Sprint(start + 2)
		out.NextToken = &next
	}
	return out, nil
}

func newProvider(t *testing.T) (*provider.Provider, *fakeAPI) {
	t.Helper()
	api := &fakeAPI{models: map[string]map[string]string{
		"AWS::Cognito::UserPool": {
			"us-east-1_pool00001": `{"UserPoolId":"us-east-1_pool00001","UserPoolName":"a"}`,
			"us-east-1_pool00002": `{"UserPoolId":"us-east-1_pool00002","UserPoolName":"b"}`,
			"us-east-1_pool00003": `{"UserPoolId":"us-east-1_pool00003","UserPoolName":"c"}`,
		},
		"AWS::Cognito::UserPoolClient": {
			"us-east-1_pool00001|c1": `{"UserPoolId":"us-east-1_pool00001","ClientId":"c1","ClientName":"one","GenerateSecret":true,"RefreshTokenValidity":30,"ExplicitAuthFlows":["A"]}`,
			"us-east-1_pool00001|c2": `{"UserPoolId":"us-east-1_pool00001","ClientId":"c2","ClientName":"two"}`,
			"us-east-1_pool00001|c3": `{"UserPoolId":"us-east-1_pool00001","ClientId":"c3","ClientName":"three"}`,
			"us-east-1_pool00003|c4": `{"UserPoolId":"us-east-1_pool00003","ClientId":"c4","ClientName":"four"}`,
		},
	}}
	return provider.New(catalog.New(schema.NewRegistry()), api, 4), api
}

func scan(t *testing.T, p *provider.Provider, name string, keys map[string]any) ([]vtable.Column, [][]any, error) {
	t.Helper()
	tbl, err := p.Resolve(name)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := tbl.Scan(context.Background(), keys)
	return tbl.Columns(), rows, err
}

func col(cols []vtable.Column, rows [][]any, name string) []any {
	for i, c := range cols {
		if c.Name == name {
			var out []any
			for _, r := range rows {
				out = append(out, r[i])
			}
			sort.Slice(out, func(a, b int) bool { return fmt.Sprint(out[a]) < fmt.Sprint(out[b]) })
			return out
		}
	}
	return nil
}

func TestResourceTable_Scan(t *testing.T) {
	tests := []struct {
		name      string
		table     string
		keys      map[string]any
		column    string
		want      []any
		wantCalls int
	}{
		{"by identifier", "awscc.cognito.user_pool_clients", map[string]any{"region": "us-east-1", "Identifier": "us-east-1_pool00001|c1"}, "client_name", []any{"one"}, 1},
		{"by identifier columns", "awscc.cognito.user_pool_clients", map[string]any{"region": "us-east-1", "user_pool_id": "us-east-1_pool00001", "client_id": "c2"}, "client_name", []any{"two"}, 1},
		{"missing is no row", "awscc.cognito.user_pool_clients", map[string]any{"region": "us-east-1", "Identifier": "us-east-1_pool00001|nope"}, "client_name", nil, 1},
		{"list one pool then get, across pages", "awscc.cognito.user_pool_clients", map[string]any{"region": "us-east-1", "user_pool_id": "us-east-1_pool00001"}, "client_name", []any{"one", "three", "two"}, 2 + 3},
		{"no pool: list pools and fan out", "awscc.cognito.user_pool_clients_list_only", map[string]any{"region": "us-east-1"}, "client_id", []any{"c1", "c2", "c3", "c4"}, 2 + 2 + 1 + 1},
		{"typed values", "awscc.cognito.user_pool_clients", map[string]any{"region": "us-east-1", "Identifier": "us-east-1_pool00001|c1"}, "refresh_token_validity", []any{int64(30)}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, api := newProvider(t)
			cols, rows, err := scan(t, p, tt.table, tt.keys)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, col(cols, rows, tt.column)); d != "" {
				t.Errorf("%s (-want +got):\n%s", tt.column, d)
			}
			if len(api.calls) != tt.wantCalls {
				t.Errorf("calls = %d, want %d: %q", len(api.calls), tt.wantCalls, api.calls)
			}
		})
	}
}

func TestResourceTable_ScanErrors(t *testing.T) {
	p, api := newProvider(t)
	boom := errors.New("throttled")
	api.failGet = boom
	_, _, err := scan(t, p, "awscc.cognito.user_pools", map[string]any{"region": "us-east-1"})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want the API error wrapped", err)
	}
	for _, c := range api.calls {
		if strings.HasPrefix(c, "get") && !strings.Contains(c, "us-east-1 AWS::Cognito::UserPool ") {
			t.Errorf("unexpected call %q", c)
		}
	}
}

func TestProvider_ResolveUnknown(t *testing.T) {
	p, _ := newProvider(t)
	for _, name := range []string{"awscc.cognito.nope", "awscc.cognito", "x.y.z"} {
		if _, err := p.Resolve(name); err == nil {
			t.Errorf("Resolve(%q) succeeded", name)
		}
	}
}

func TestColumns_Declared(t *testing.T) {
	p, _ := newProvider(t)
	tbl, err := p.Resolve("awscc.cognito.user_pool_clients")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	keys := map[string]vtable.KeyKind{}
	for _, c := range tbl.Columns() {
		got[c.Name] = c.Decl
		keys[c.Name] = c.Key
	}
	want := map[string]string{"region": "TEXT", "generate_secret": "BOOLEAN", "explicit_auth_flows": "JSON", "refresh_token_validity": "INTEGER", "token_validity_units": "JSON", "Identifier": "TEXT"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s declared %q, want %q", k, got[k], v)
		}
	}
	if keys["region"] != vtable.Required || keys["user_pool_id"] != vtable.Optional || keys["client_name"] != vtable.NotKey {
		t.Errorf("key kinds = %v", keys)
	}
}
