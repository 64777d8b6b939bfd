package render_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ccql/ccql/internal/render"
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
