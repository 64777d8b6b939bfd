package template_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ccql/ccql/internal/template"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// TestRenderer_Render_golden renders testdata/golden/<case>/in.j2 with
// vars.json and compares with want (the output) or error (the error text).
// The want files of the stackql-deploy filters were produced by Jinja2 3.1
// with stackql-deploy v1's filter functions and checked byte for byte; see
// testdata/golden/README.md.
func TestRenderer_Render_golden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/golden/*")
	if err != nil {
		t.Fatal(err)
	}
	r := template.New()
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(dir, "in.j2"))
			if err != nil {
				t.Fatal(err)
			}
			vars := map[string]any{}
			if b, err := os.ReadFile(filepath.Join(dir, "vars.json")); err == nil {
				dec := json.NewDecoder(strings.NewReader(string(b)))
				dec.UseNumber()
				if err := dec.Decode(&vars); err != nil {
					t.Fatalf("vars.json: %v", err)
				}
			}
			got, rerr := r.Render("in.j2", string(src), vars)
			wantFile, gotText := filepath.Join(dir, "want"), got
			if rerr != nil {
				wantFile, gotText = filepath.Join(dir, "error"), rerr.Error()+"\n"
			}
			if *update {
				_ = os.Remove(filepath.Join(dir, "want"))
				_ = os.Remove(filepath.Join(dir, "error"))
				if err := os.WriteFile(wantFile, []byte(gotText), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("render: got err=%v output=%q; no %s", rerr, got, filepath.Base(wantFile))
			}
			if gotText != string(want) {
				t.Errorf("%s mismatch\ngot:  %q\nwant: %q", filepath.Base(wantFile), gotText, want)
			}
		})
	}
}

func TestRenderer_Render_errors(t *testing.T) {
	r := template.New()
	tests := []struct {
		name      string
		src       string
		vars      map[string]any
		line      int
		undefined string
	}{
		{"undefined name", "SELECT 1\nWHERE region = '{{ region }}'", nil, 2, "region"},
		{"undefined vars alias", "\n\n{{ vars.AWS_REGION }}", map[string]any{"x": 1}, 3, "vars.AWS_REGION"},
		{"undefined attribute", "{{ m.Nope }}", map[string]any{"m": map[string]any{"a": 1}}, 1, "m.Nope"},
		{"undefined in dict literal", "a\n{{ {'A': a, 'B': b} | generate_patch_document }}", map[string]any{"a": 1}, 2, "b"},
		{"undefined in for", "{% for x in xs %}\n\n{{ y }}{% endfor %}", map[string]any{"xs": []any{1}}, 3, "y"},
		{"undefined in if", "{% if flag %}x{% endif %}", nil, 1, "flag"},
		{"line after multi-line dict", "{{ {\n'A': 1,\n'B': 2\n} | generate_patch_document }}\n{{ nope }}", nil, 5, "nope"},
		{"undefined inside multi-line dict", "x\n{{ {\n'A': 1,\n'B': nope\n} | generate_patch_document }}", nil, 2, "nope"},
		{"line after comment and raw", "{# a\nb #}{% raw %}\n{{ x }}\n{% endraw %}\n{{ nope }}", nil, 5, "nope"},
		{"syntax", "line\n{{ 'a' ~ }}", nil, 2, ""},
		{"unknown filter", "{{ 'a' | nope }}", nil, 1, ""},
		{"filter error", "{{ 1 | from_json }}", nil, 1, ""},
		{"include", "{% include 'x.iql' %}", nil, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := r.Render("q.iql", tt.src, tt.vars)
			var te *template.Error
			if !errors.As(err, &te) {
				t.Fatalf("Render = %q, %v; want *template.Error", out, err)
			}
			if te.Template != "q.iql" || te.Line != tt.line || te.Undefined != tt.undefined {
				t.Errorf("got {%q %d %q}, want {q.iql %d %q} (%v)", te.Template, te.Line, te.Undefined, tt.line, tt.undefined, err)
			}
			if got, want := errors.Is(err, template.ErrUndefined), tt.undefined != ""; got != want {
				t.Errorf("errors.Is(err, ErrUndefined) = %v, want %v", got, want)
			}
			if strings.Contains(err.Error(), "{{") && tt.undefined != "" {
				t.Errorf("error quotes template source: %v", err)
			}
		})
	}
}

// TestRenderer_Render_syntaxErrors checks that a template the lexer fails
// on (gonja gives its token no line) is reported at the line where the
// failing text begins, in the original text (before newlines inside
// expressions are joined), with what is wrong rather than the parser's
// "'}}' expected here".
func TestRenderer_Render_syntaxErrors(t *testing.T) {
	r := template.New()
	tests := []struct {
		name, src, want string
	}{
		{"unterminated string at the end", "SELECT 1\nWHERE name = '{{ pool_name '", "q.iql:2: syntax error: unterminated string"},
		{"unterminated string, more lines follow", "a\n{{ x ~ 'abc }}\nb\nc", "q.iql:2: syntax error: unterminated string"},
		{"after a joined multi-line dict", "x\n{{ {\n'a': 1\n} }}\n{{ 'abc }}\n", "q.iql:5: syntax error: unterminated string"},
		{"stray brace", "a\n{{ x }}\n{{ pool_name }", `q.iql:3: syntax error: Unexpected delimiter "}"`},
		{"unclosed comment", "a\n{# abc", "q.iql:2: syntax error: unclosed comment"},
		{"parser error keeps gonja's line", "a\n{{ x | }}\nc", "q.iql:2: syntax error: filter name must be an identifier"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.Render("q.iql", tt.src, map[string]any{"x": 1, "pool_name": "p"})
			if err == nil || err.Error() != tt.want {
				t.Errorf("Render error = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestRenderer_Render_noSecretInErrors(t *testing.T) {
	r := template.New()
	const secret = "s3cr3t-value"
	for _, src := range []string{
		"{{ secret | from_json }}",
		"{{ secret | merge_lists([1]) }}",
		"{{ secret | merge_objects({}) }}",
		"{{ secret.nope }}",
	} {
		_, err := r.Render("q", src, map[string]any{"secret": secret})
		if err == nil {
			t.Fatalf("%s: no error", src)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: error text holds the value: %v", src, err)
		}
	}
}

func TestRenderer_Render_doesNotModifyVars(t *testing.T) {
	r := template.New()
	vars := map[string]any{"l": []any{"a"}}
	if _, err := r.Render("q", "{{ l }}{{ vars.l }}", vars); err != nil {
		t.Fatal(err)
	}
	if len(vars) != 1 {
		t.Errorf("vars grew: %v", vars)
	}
	if _, ok := vars["l"].([]any); !ok {
		t.Errorf("vars[l] replaced by %T", vars["l"])
	}
}

func TestRenderer_Render_plainTextUntouched(t *testing.T) {
	r := template.New()
	src := "SELECT '{\"a\":{\"b\":[1]}}' AS j;\n"
	got, err := r.Render("q", src, nil)
	if err != nil || got != src {
		t.Errorf("Render = %q, %v; want the input", got, err)
	}
}

func TestRenderer_Render_uuid(t *testing.T) {
	r := template.New()
	got, err := r.Render("q", "{{ uuid() }} {{ uuid() }}", nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b, _ := strings.Cut(got, " ")
	if len(a) != 36 || len(b) != 36 || a == b || a[14] != '4' {
		t.Errorf("uuid() twice = %q; want two distinct v4 UUIDs", got)
	}
}

// TestRenderer_Render_concurrent renders from many goroutines at once; run
// with -race it shows the Renderer shares nothing mutable.
func TestRenderer_Render_concurrent(t *testing.T) {
	r := template.New()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			vars := map[string]any{"n": i, "l": []any{i}}
			got, err := r.Render("q", "{{ n }} {{ l | tojson }} {{ {'N': n} | generate_patch_document }}", vars)
			if err != nil {
				t.Error(err)
				return
			}
			want := fmt.Sprintf(`%d [%d] [{"op": "add", "path": "/N", "value": %d}]`, i, i, i)
			if got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		}()
	}
	wg.Wait()
}

func TestNew_doesNotTouchGonjaGlobals(t *testing.T) {
	// A second gonja user in the same binary must not see our filters.
	_ = template.New()
	if gonjaHasFilter("generate_patch_document") {
		t.Error("gonja's global filter set gained generate_patch_document")
	}
}

func TestPlaceholder(t *testing.T) {
	r := template.New()
	got, err := r.Render("q", "{{ this.client_id }}|{{ this['x'].y }}|{{ {'A': this.a} | generate_patch_document }}",
		map[string]any{"this": template.Placeholder("<evaluated>")})
	if err != nil {
		t.Fatal(err)
	}
	want := `<evaluated>|<evaluated>|[{"op": "add", "path": "/A", "value": "<evaluated>"}]`
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestRenderer_Check checks that Check reports what Render reports about
// syntax, with the line, and nothing about variables (none are known yet).
func TestRenderer_Check(t *testing.T) {
	r := template.New()
	tests := []struct {
		src, want string
	}{
		{"SELECT 1", ""},
		{"{{ not_defined_yet }} {% for x in xs %}{{ x.y }}{% endfor %}", ""},
		{"a\n{{ {\n'A': 1} | generate_patch_document }}\n{{ 'abc }}", "q.iql:4: syntax error: unterminated string"},
		{"a\n{{ x | }}", "q.iql:2: syntax error: filter name must be an identifier"},
		{"{% if x %}", "q.iql:1: syntax error: Unexpected EOF, expected tag elif or else or endif."},
	}
	for _, tt := range tests {
		err := r.Check("q.iql", tt.src)
		got := ""
		if err != nil {
			got = err.Error()
			var te *template.Error
			if !errors.As(err, &te) {
				t.Errorf("Check(%q) = %T, want *template.Error", tt.src, err)
			}
		}
		if got != tt.want {
			t.Errorf("Check(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
}
