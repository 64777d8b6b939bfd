package iql_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccql/ccql/internal/iql"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/parse")

// TestParse_golden splits each testdata/parse/*.iql script, parses every
// statement and compares a JSON dump of the results (or the error) with the
// .golden file next to it. Run with -update to regenerate after a deliberate
// change, then review the diff.
func TestParse_golden(t *testing.T) {
	files, err := filepath.Glob("testdata/parse/*.iql")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/parse/*.iql files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := dumpScript(t, string(src))
			golden := strings.TrimSuffix(f, ".iql") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestParse_golden -update)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", golden, diff)
			}
		})
	}
}

func dumpScript(t *testing.T, src string) string {
	t.Helper()
	pieces, err := iql.Split(src)
	if err != nil {
		t.Fatalf("Split: %v", err)
	}
	var b strings.Builder
	for _, p := range pieces {
		fmt.Fprintf(&b, "=== line %d, column %d\n", p.Line, p.Col)
		st, err := p.Parse()
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n\n", err)
			continue
		}
		st.Info().Text = "" // the piece itself; it would only repeat the input
		fmt.Fprintf(&b, "%T ", st)
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false) // keep JSON inside literals readable
		enc.SetIndent("", "  ")
		if err := enc.Encode(st); err != nil {
			t.Fatal(err)
		}
		b.WriteString("\n")
	}
	return b.String()
}
