package handler_test

import (
	"encoding/json"
	"testing"

	"github.com/ccql/ccql/internal/handler"
	"github.com/google/go-cmp/cmp"
)

func TestIdentifier(t *testing.T) {
	paths := handler.SplitPaths([]string{"/properties/UserPoolId", "/properties/Schedule/Id", "/definitions/X", "/properties/"})
	if d := cmp.Diff([][]string{{"UserPoolId"}, {"Schedule", "Id"}}, paths); d != "" {
		t.Fatalf("SplitPaths (-want +got):\n%s", d)
	}
	tests := []struct {
		model  map[string]any
		want   string
		wantOK bool
	}{
		{map[string]any{"UserPoolId": "p", "Schedule": map[string]any{"Id": "s"}}, "p|s", true},
		{map[string]any{"UserPoolId": "p", "Schedule": map[string]any{"Id": json.Number("42")}}, "p|42", true},
		{map[string]any{"UserPoolId": "p", "Schedule": map[string]any{"Id": float64(7)}}, "p|7", true},
		{map[string]any{"UserPoolId": "p", "Schedule": map[string]any{"Id": int64(8)}}, "p|8", true},
		{map[string]any{"UserPoolId": "p", "Schedule": map[string]any{"Id": nil}}, "", false},
		{map[string]any{"UserPoolId": "p"}, "", false},
		{map[string]any{"UserPoolId": "p", "Schedule": "not an object"}, "", false},
	}
	for _, tt := range tests {
		got, ok := handler.Identifier(tt.model, paths)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("Identifier(%v) = %q, %v; want %q, %v", tt.model, got, ok, tt.want, tt.wantOK)
		}
	}
}
