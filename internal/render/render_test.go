package render_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccql/ccql/internal/render"
	"github.com/jedib0t/go-pretty/v6/text"
)

var update = flag.Bool("update", false, "rewrite golden files")

func sample() render.Result {
	return render.Result{
		Columns: []string{"client_name", "generate_secret", "access_token_validity", "explicit_auth_flows", "event_time", "ratio", "error_code", "note"},
		Rows: [][]any{
			{"app", false, int64(1), json.RawMessage(`["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]`), time.Date(2026, 11, 25, 17, 0, 0, 123e6, time.UTC), 1.5, nil, "a,b \"q\"\nline2"},
			{"second", true, int64(60), json.RawMessage(`{"AccessToken":"hours"}`), time.Unix(0, 0), float64(2), nil, "tab\there"},
		},
	}
}

func TestWrite(t *testing.T) {
	for _, f := range render.Formats {
		t.Run(string(f), func(t *testing.T) {
			var buf bytes.Buffer
			if err := render.Write(&buf, f, sample()); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "sample."+string(f)+".golden")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestWrite_JSONKeepsTypes(t *testing.T) {
	var buf bytes.Buffer
	if err := render.Write(&buf, render.JSON, sample()); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rows); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, buf.String())
	}
	r := rows[0]
	if _, ok := r["generate_secret"].(bool); !ok {
		t.Errorf("generate_secret = %#v, want bool", r["generate_secret"])
	}
	if _, ok := r["access_token_validity"].(float64); !ok {
		t.Errorf("access_token_validity = %#v, want number", r["access_token_validity"])
	}
	if _, ok := r["explicit_auth_flows"].([]any); !ok {
		t.Errorf("explicit_auth_flows = %#v, want array", r["explicit_auth_flows"])
	}
	if v, ok := r["error_code"]; !ok || v != nil {
		t.Errorf("error_code = %#v, want null", v)
	}
}

func TestParseFormat(t *testing.T) {
	if _, err := render.ParseFormat("JSON"); err != nil {
		t.Error(err)
	}
	if _, err := render.ParseFormat("xml"); err == nil {
		t.Error("ParseFormat(xml) succeeded")
	}
}

func TestWrite_JSONNoHTMLEscaping(t *testing.T) {
	var buf bytes.Buffer
	r := render.Result{Columns: []string{"m"}, Rows: [][]any{{"either <application arn> & more"}}}
	if err := render.Write(&buf, render.JSON, r); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), `[{"m":"either <application arn> & more"}]`+"\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestWriteOptions_Table checks the table's NULL marker and its fitting to
// a width against golden files; json and csv are never cut.
func TestWriteOptions_Table(t *testing.T) {
	long := render.Result{
		Columns: []string{"name", "type", "description"},
		Rows: [][]any{
			{"user_pool_name", "string", "A string used to name the user pool. The name of the user pool, which must be unique within the Region and account, and may contain letters, numbers and punctuation."},
			{"policies", "object", "A list of user pool policies. Contains the policy that sets password-complexity requirements."},
			{"region", "string", nil},
			{"日本語の名前", "string", "wide runes count twice: 日本語日本語日本語日本語日本語日本語日本語日本語日本語日本語"},
		},
	}
	tests := []struct {
		name string
		r    render.Result
		o    render.Options
	}{
		{"null-marker", sample(), render.Options{Null: "NULL"}},
		{"width-80", long, render.Options{MaxWidth: 80}},
		{"width-40", long, render.Options{MaxWidth: 40}},
		{"width-10-floor", long, render.Options{MaxWidth: 10}},
		{"width-wide-enough", long, render.Options{MaxWidth: 1000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := render.WriteOptions(&buf, render.Table, tt.r, tt.o); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "table-"+tt.name+".golden")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
			if tt.o.MaxWidth >= 40 {
				for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
					if w := text.StringWidthWithoutEscSequences(line); w > tt.o.MaxWidth {
						t.Errorf("line is %d wide, want ≤ %d: %s", w, tt.o.MaxWidth, line)
					}
				}
			}
			for _, f := range []render.Format{render.JSON, render.CSV} {
				var full bytes.Buffer
				if err := render.WriteOptions(&full, f, tt.r, tt.o); err != nil {
					t.Fatal(err)
				}
				if strings.Contains(full.String(), "…") || strings.Contains(full.String(), "NULL") {
					t.Errorf("%s output is cut or shows the table's NULL marker: %s", f, full.String())
				}
			}
		})
	}
}
