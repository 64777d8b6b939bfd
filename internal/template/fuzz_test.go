package template_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ccql/ccql/internal/template"
)

// FuzzRenderer_Render: any text either renders or fails with an *Error; it
// never panics (gonja's lexer has nil-pointer paths) and never hangs.
func FuzzRenderer_Render(f *testing.F) {
	for _, s := range []string{
		"SELECT 1", "{{ x }}", "{{ {\n'A': x,\n'B': [1, {'c': 2}]} | generate_patch_document }}",
		"{% raw %}{{ x }}{% endraw %}", "{# {{ #}\n{{ x", "{{ 'a\nb' }}", "{{ x | tojson(indent=2) }}",
		"{% for i in l %}{{ i | sql_escape }}{% endfor %}", "{{", "}}", "{{ {'a': 1}} }}",
	} {
		f.Add(s)
	}
	r := template.New()
	f.Fuzz(func(t *testing.T, src string) {
		vars := map[string]any{"x": "it's", "l": []any{"a", 1.5, nil}}
		_, err := r.Render("fuzz", src, vars)
		var te *template.Error
		if err != nil && !errors.As(err, &te) {
			t.Fatalf("error is %T, not *template.Error: %v", err, err)
		}
	})
}

// FuzzGeneratePatchDocument: whatever string a prop holds, the patch is
// valid JSON with one add op (NaN and Infinity aside, which v1 also emits).
func FuzzGeneratePatchDocument(f *testing.F) {
	for _, s := range []string{"30", "true", "null", `{"a":[1,2.5]}`, "abc", "", "é😀\x01", "1e400", `"x"`, "[1,", "-0"} {
		f.Add(s)
	}
	r := template.New()
	f.Fuzz(func(t *testing.T, v string) {
		out, err := r.Render("fuzz", "{{ {'K': v} | generate_patch_document }}", map[string]any{"v": v})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out, "NaN") || strings.Contains(out, "Infinity") {
			return
		}
		var ops []map[string]any
		if err := json.Unmarshal([]byte(out), &ops); err != nil {
			t.Fatalf("not JSON: %q: %v", out, err)
		}
		if len(ops) != 1 || ops[0]["op"] != "add" || ops[0]["path"] != "/K" {
			t.Fatalf("ops = %v", ops)
		}
	})
}
