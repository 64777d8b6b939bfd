package ccql

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/schema"
)

// unionSamples is a SQL value of each JSON type, and how to recognise the
// coerced value as that type.
var unionSamples = map[string]struct {
	v  any
	is func(any) bool
}{
	"array":   {`[{"k":1}]`, func(x any) bool { _, ok := x.([]any); return ok }},
	"object":  {`{"k":1}`, func(x any) bool { _, ok := x.(map[string]any); return ok }},
	"integer": {int64(3), func(x any) bool { _, ok := x.(int64); return ok }},
	"number":  {1.5, func(x any) bool { _, ok := x.(float64); return ok }},
	"boolean": {true, func(x any) bool { _, ok := x.(bool); return ok }},
	"string":  {"plain text", func(x any) bool { _, ok := x.(string); return ok }},
}

// TestCoerceColumn_everyUnion: for every property of the 1,490 schemas whose
// schema is a union, a value of each of its types is accepted as that type.
func TestCoerceColumn_everyUnion(t *testing.T) {
	reg := schema.NewFullRegistry()
	cat := catalog.New(reg)
	unions, keySchema := 0, false
	for _, typeName := range reg.TypeNames() {
		tbl, err := cat.TableByType(typeName)
		if err != nil {
			t.Fatalf("%s: %v", typeName, err)
		}
		for _, col := range tbl.Columns {
			if len(col.Types) < 2 {
				continue
			}
			unions++
			keySchema = keySchema || typeName == "AWS::DynamoDB::Table" && col.Property == "KeySchema" && strings.Join(col.Types, ",") == "array,object"
			for _, typ := range col.Types {
				s, ok := unionSamples[typ]
				if !ok {
					t.Errorf("%s.%s: unknown type %q in %v", typeName, col.Name, typ, col.Types)
					continue
				}
				got, err := coerceColumn(s.v, col, false)
				if err != nil || !s.is(got) {
					t.Errorf("%s.%s (%v): %v as %s = %#v, %v", typeName, col.Name, col.Types, s.v, typ, got, err)
				}
			}
		}
	}
	t.Logf("%d union columns", unions)
	if !keySchema {
		t.Error("AWS::DynamoDB::Table KeySchema is not the union array, object")
	}
}

func TestCoerceColumn_union(t *testing.T) {
	keySchema := catalog.Column{Name: "key_schema", Type: "object", Types: []string{"array", "object"}}
	numOrString := catalog.Column{Name: "x", Type: "string", Types: []string{"string", "number"}}
	tests := []struct {
		col     catalog.Column
		v       any
		want    string // JSON of the result
		wantErr string
	}{
		{keySchema, `[{"AttributeName":"pk","KeyType":"HASH"}]`, `[{"AttributeName":"pk","KeyType":"HASH"}]`, ""},
		{keySchema, `{"AttributeName":"pk"}`, `{"AttributeName":"pk"}`, ""},
		{keySchema, `pk`, "", "fits none of array, object"},
		{keySchema, int64(1), "", "fits none of array, object"},
		{numOrString, "12.5", `12.5`, ""},
		{numOrString, "twelve", `"twelve"`, ""},
		{numOrString, "NaN", `"NaN"`, ""},
	}
	for _, tt := range tests {
		got, err := coerceColumn(tt.v, tt.col, false)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s %v: err = %v, want %q", tt.col.Name, tt.v, err, tt.wantErr)
			}
			continue
		}
		b, _ := json.Marshal(got)
		if err != nil || string(b) != tt.want {
			t.Errorf("%s %v = %s, %v; want %s", tt.col.Name, tt.v, b, err, tt.want)
		}
	}
}
