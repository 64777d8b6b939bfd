package main

import (
	"reflect"
	"testing"

	"github.com/ccql/ccql/internal/template"
)

// TestVarValue: a --var value is JSON only when the whole value is one
// JSON value; anything after it (a stray ']' included) makes it a string.
func TestVarValue(t *testing.T) {
	for in, want := range map[string]any{
		"us-east-1": "us-east-1",
		"42":        int64(42),
		"true":      true,
		`["a"]`:     template.List{"a"},
		`["a"]]`:    `["a"]]`,
		`{"k":1} }`: `{"k":1} }`,
		"1 2":       "1 2",
		"":          "",
	} {
		if got := varValue(in); !reflect.DeepEqual(got, want) {
			t.Errorf("varValue(%q) = %#v, want %#v", in, got, want)
		}
	}
}
