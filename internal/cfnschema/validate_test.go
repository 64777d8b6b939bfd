package cfnschema_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ccql/ccql/internal/cfnschema"
)

// testSchema exercises every keyword the validator implements.
const testSchema = `{
  "typeName": "Test::Service::Thing",
  "definitions": {
    "Tag": {"type": "object", "additionalProperties": false,
            "properties": {"Key": {"type": "string", "minLength": 1, "maxLength": 128}, "Value": {"type": "string"}},
            "required": ["Key", "Value"]},
    "Node": {"type": "object", "properties": {"Child": {"$ref": "#/definitions/Node"}, "Name": {"type": "string", "maxLength": 3}}}
  },
  "properties": {
    "Name": {"type": "string", "minLength": 10, "maxLength": 16, "pattern": "^[a-z]+$"},
    "NoAws": {"type": "string", "pattern": "^(?!aws:).*$"},
    "Xml": {"type": "string", "pattern": "^[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*$"},
    "Graph": {"type": "string", "pattern": "^[\\p{Graph}\\x20]*$"},
    "Header": {"type": "string", "pattern": "^[a-zA-Z0-9-]+{1,255}$"},
    "Count": {"type": "integer", "minimum": 1, "maximum": 10},
    "Ratio": {"type": "number", "exclusiveMinimum": 0},
    "Either": {"type": ["string", "integer"]},
    "Mode": {"type": "string", "enum": ["ON", "OFF"]},
    "Fixed": {"const": "yes"},
    "Tags": {"type": "array", "maxItems": 2, "minItems": 1, "uniqueItems": true, "items": {"$ref": "#/definitions/Tag"}},
    "Labels": {"type": "object", "patternProperties": {"^[a-z]+$": {"type": "string"}}, "additionalProperties": false, "maxProperties": 2},
    "Tree": {"$ref": "#/definitions/Node"},
    "Choice": {"type": "object", "oneOf": [{"required": ["A"]}, {"required": ["B"]}]},
    "Any": {"anyOf": [{"type": "integer"}, {"type": "boolean"}]},
    "Both": {"type": "string", "allOf": [{"minLength": 2}, {"pattern": "^x"}]},
    "Flag": {"type": "boolean"},
    "Other": {"type": "string"}
  },
  "dependencies": {"Other": ["Flag"]},
  "required": ["Name"],
  "additionalProperties": false
}`

func TestSchema_ValidateJSON(t *testing.T) {
	s, err := cfnschema.Compile([]byte(testSchema))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckPatterns(); err != nil {
		t.Fatal(err)
	}
	const name = `"Name":"abcdefghijk"`
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"valid", `{` + name + `}`, nil},
		{"required", `{}`, []string{"#: required key [Name] not found"}},
		{"extraneous", `{` + name + `,"Bogus":1}`, []string{"#: extraneous key [Bogus] is not permitted"}},
		{"type string", `{"Name":5}`, []string{"#/Name: expected type: String, found: Integer"}},
		{"type integer", `{` + name + `,"Count":"5"}`, []string{"#/Count: expected type: Integer, found: String"}},
		{"type integer from fraction", `{` + name + `,"Count":1.5}`, []string{"#/Count: expected type: Integer, found: Number"}},
		{"integer as 2.0", `{` + name + `,"Count":2.0}`, nil},
		{"type union", `{` + name + `,"Either":true}`, []string{"#/Either: expected type: one of [String, Integer], found: Boolean"}},
		{"type object", `{` + name + `,"Tree":[]}`, []string{"#/Tree: expected type: JSONObject, found: JSONArray"}},
		{"minLength", `{"Name":"abcdefgh"}`, []string{"#/Name: expected minLength: 10, actual: 8"}},
		{"maxLength", `{"Name":"abcdefghijklmnopq"}`, []string{"#/Name: expected maxLength: 16"}},
		{"pattern", `{"Name":"ABCDEFGHIJK"}`, []string{"#/Name: failed validation constraint for keyword [pattern]"}},
		{"lookahead ok", `{` + name + `,"NoAws":"mine"}`, nil},
		{"lookahead", `{` + name + `,"NoAws":"aws:x"}`, []string{"#/NoAws: failed validation constraint for keyword [pattern]"}},
		{"xml chars", `{` + name + `,"Xml":"héllo 😀"}`, nil},
		{"xml chars control", `{` + name + `,"Xml":"a\u0001"}`, []string{"#/Xml: failed validation constraint for keyword [pattern]"}},
		{"posix graph", `{` + name + `,"Graph":"a b!"}`, nil},
		{"posix graph tab", `{` + name + `,"Graph":"a\tb"}`, []string{"#/Graph: failed validation constraint for keyword [pattern]"}},
		{"stacked quantifier", `{` + name + `,"Header":"X-Forwarded-For"}`, nil},
		{"stacked quantifier bad", `{` + name + `,"Header":"X_F"}`, []string{"#/Header: failed validation constraint for keyword [pattern]"}},
		{"minimum", `{` + name + `,"Count":0}`, []string{"#/Count: failed validation constraint for keyword [minimum]"}},
		{"maximum", `{` + name + `,"Count":11}`, []string{"#/Count: failed validation constraint for keyword [maximum]"}},
		{"exclusiveMinimum", `{` + name + `,"Ratio":0}`, []string{"#/Ratio: failed validation constraint for keyword [exclusiveMinimum]"}},
		{"enum", `{` + name + `,"Mode":"MAYBE"}`, []string{"#/Mode: failed validation constraint for keyword [enum]"}},
		{"const", `{` + name + `,"Fixed":"no"}`, []string{"#/Fixed: failed validation constraint for keyword [const]"}},
		{"minItems", `{` + name + `,"Tags":[]}`, []string{"#/Tags: expected minimum item count: 1, found: 0"}},
		{"maxItems", `{` + name + `,"Tags":[{"Key":"a","Value":""},{"Key":"b","Value":""},{"Key":"c","Value":""}]}`,
			[]string{"#/Tags: expected maximum item count: 2, found: 3"}},
		{"uniqueItems", `{` + name + `,"Tags":[{"Key":"a","Value":""},{"Value":"","Key":"a"}]}`,
			[]string{"#/Tags: failed validation constraint for keyword [uniqueItems]"}},
		{"nested through $ref", `{` + name + `,"Tags":[{"Key":"","Bad":1}]}`, []string{
			"#/Tags/0/Key: expected minLength: 1, actual: 0",
			"#/Tags/0: extraneous key [Bad] is not permitted",
			"#/Tags/0: required key [Value] not found",
		}},
		{"recursive $ref", `{` + name + `,"Tree":{"Child":{"Child":{"Name":"long"}}}}`, []string{"#/Tree/Child/Child/Name: expected maxLength: 3"}},
		{"patternProperties", `{` + name + `,"Labels":{"ok":"x","NO":"y"}}`, []string{"#/Labels: extraneous key [NO] is not permitted"}},
		{"patternProperties type", `{` + name + `,"Labels":{"ok":1}}`, []string{"#/Labels/ok: expected type: String, found: Integer"}},
		{"maxProperties", `{` + name + `,"Labels":{"a":"","b":"","c":""}}`, []string{"#/Labels: maximum size: [2], found: [3]"}},
		{"oneOf none", `{` + name + `,"Choice":{}}`, []string{"#/Choice: #: 0 subschemas matched instead of one"}},
		{"oneOf two", `{` + name + `,"Choice":{"A":1,"B":2}}`, []string{"#/Choice: #: 2 subschemas matched instead of one"}},
		{"oneOf one", `{` + name + `,"Choice":{"A":1}}`, nil},
		{"anyOf", `{` + name + `,"Any":"s"}`, []string{"#/Any: #: no subschema matched out of the total 2 subschemas"}},
		{"allOf", `{` + name + `,"Both":"y"}`, []string{"#/Both: #: only 0 subschema matches out of 2"}},
		{"allOf one", `{` + name + `,"Both":"x"}`, []string{"#/Both: #: only 1 subschema matches out of 2"}},
		{"dependencies", `{` + name + `,"Other":"o"}`, []string{"#: property [Flag] is required"}},
		{"sorted", `{"Count":"x","Bogus":1}`, []string{
			"#/Count: expected type: Integer, found: String",
			"#: extraneous key [Bogus] is not permitted",
			"#: required key [Name] not found",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ValidateJSON([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ValidateJSON(%s) (-want +got):\n%s", tt.doc, diff)
			}
		})
	}
}

func TestSchema_ForList(t *testing.T) {
	s, err := cfnschema.Compile([]byte(testSchema))
	if err != nil {
		t.Fatal(err)
	}
	l := s.ForList([]string{"Mode"})
	tests := []struct {
		doc  string
		want []string
	}{
		{`{"Mode":"ON","Anything":1}`, nil},
		{`{}`, []string{"#: required key [Mode] not found"}},
		{`{"Mode":1}`, []string{"#/Mode: expected type: String, found: Integer"}},
	}
	for _, tt := range tests {
		got, err := l.ValidateJSON([]byte(tt.doc))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ForList.ValidateJSON(%s) (-want +got):\n%s", tt.doc, diff)
		}
	}
}

func TestCompile_errors(t *testing.T) {
	for _, doc := range []string{
		`{"properties":`,
		`{"properties":{"A":{"$ref":"#/definitions/Missing"}}}`,
		`{"properties":{"A":{"$ref":"other.json#/x"}}}`,
		`{"properties":{"A":{"maxLength":-1}}}`,
		`{"properties":{"A":7}}`,
	} {
		if _, err := cfnschema.Compile([]byte(doc)); err == nil {
			t.Errorf("Compile(%s) = nil error, want one", doc)
		}
	}
	s, err := cfnschema.Compile([]byte(`{"properties":{"A":{"pattern":"(unclosed"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckPatterns(); err == nil {
		t.Error("CheckPatterns of a broken pattern = nil, want an error")
	}
}

func TestNode_Default(t *testing.T) {
	const doc = `{
  "typeName": "Test::Service::Defaults",
  "definitions": {
    "Mode": {"type": "object", "properties": {"M": {"type": "string"}}, "required": ["M"]},
    "Flag": {"type": "boolean", "default": true}
  },
  "properties": {
    "Plain": {"type": "integer", "default": 3},
    "RefWithDefault": {"$ref": "#/definitions/Mode", "default": {"M": "PROVISIONED"}},
    "RefDefaultFalse": {"$ref": "#/definitions/Mode", "default": false},
    "RefOnly": {"$ref": "#/definitions/Mode"},
    "RefToDefault": {"$ref": "#/definitions/Flag"},
    "None": {"type": "string"}
  }
}`
	s, err := cfnschema.Compile([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		prop   string
		want   any
		wantOK bool
	}{
		{"Plain", json.Number("3"), true},
		// The default beside a $ref is the property's (Kinesis StreamModeDetails).
		{"RefWithDefault", map[string]any{"M": "PROVISIONED"}, true},
		{"RefDefaultFalse", false, true},
		{"RefOnly", nil, false},
		// Without one of its own, a property takes its definition's.
		{"RefToDefault", true, true},
		{"None", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.prop, func(t *testing.T) {
			n, ok := s.Property(tt.prop)
			if !ok {
				t.Fatalf("no property %s", tt.prop)
			}
			got, ok := n.Default()
			if ok != tt.wantOK {
				t.Fatalf("Default() ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Default() (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSchema_ValidateJSON_trailing: a document followed by a stray closing
// brace or bracket is not a document.
func TestSchema_ValidateJSON_trailing(t *testing.T) {
	s, err := cfnschema.Compile([]byte(testSchema))
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{`{"Name":"x"} }`, `{"Name":"x"}]`, `{"Name":"x"} {}`} {
		if _, err := s.ValidateJSON([]byte(doc)); err == nil {
			t.Errorf("ValidateJSON(%q) accepted trailing content", doc)
		}
	}
}
