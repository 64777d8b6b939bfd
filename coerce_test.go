package ccql

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCoerce(t *testing.T) {
	tests := []struct {
		name     string
		v        any
		typ      string
		asString bool
		want     any
		wantErr  bool
	}{
		{"int from text", "30", "integer", false, int64(30), false},
		{"int from int", int64(5), "integer", false, int64(5), false},
		{"int from bad text", "thirty", "integer", false, nil, true},
		{"bool from text", "true", "boolean", false, true, false},
		{"bool from sqlite int", int64(0), "boolean", false, false, false},
		{"bool from postgres t", "t", "boolean", false, true, false},
		{"bool from postgres off", "off", "boolean", false, false, false},
		{"bool from Python True", "True", "boolean", false, true, false},
		{"bool from 2", int64(2), "boolean", false, nil, true},
		{"array from json text", `["A","B"]`, "array", false, []any{"A", "B"}, false},
		{"object from json text", `{"AccessToken":"hours"}`, "object", false, map[string]any{"AccessToken": "hours"}, false},
		{"array given object", `{"a":1}`, "array", false, nil, true},
		{"bad json", `[`, "array", false, nil, true},
		{"string keeps json text", `{"a":1}`, "string", false, `{"a":1}`, false},
		{"string from number", int64(7), "string", false, "7", false},
		{"string() keeps text for integer", "30", "integer", true, "30", false},
		{"null", nil, "string", false, nil, false},
		{"unknown type json", `[1]`, "", false, []any{json.Number("1")}, false},
		{"unknown type text", `abc`, "", false, "abc", false},
		{"number", "1.5", "number", false, json.Number("1.5"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := coerce(tt.v, tt.typ, tt.asString)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestMatchLike(t *testing.T) {
	tests := []struct {
		pat, s string
		want   bool
	}{
		{"cog%", "cognito", true},
		{"COG%", "cognito", true},
		{"cog", "cognito", false},
		{"%pool_", "user_pools", true},
		{"", "x", true},
		{"a.b", "axb", false},
	}
	for _, tt := range tests {
		if got := matchLike(tt.pat, tt.s); got != tt.want {
			t.Errorf("matchLike(%q, %q) = %v, want %v", tt.pat, tt.s, got, tt.want)
		}
	}
}
