package shell_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccql/ccql/internal/iql"
	"github.com/ccql/ccql/internal/shell"
	"github.com/google/go-cmp/cmp"
)

func TestHistoryEntry(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"one line", "SELECT 1;", "SELECT 1;"},
		{"lines joined", "SELECT a,\n  b\nFROM t\nWHERE x = 1;", "SELECT a, b FROM t WHERE x = 1;"},
		{"white space collapsed", "  SELECT\t\t1 ;  ", "SELECT 1 ;"},
		{"line comment dropped", "DELETE FROM t -- the bad one\nWHERE Identifier = 'x';", "DELETE FROM t WHERE Identifier = 'x';"},
		{"comment-only line dropped", "-- first\nSELECT 1;", "SELECT 1;"},
		{"dashes in a string kept", "SELECT '--not a comment';", "SELECT '--not a comment';"},
		{"spaces in a string kept", "SELECT 'a   b';", "SELECT 'a   b';"},
		{"line break in a string", "SELECT '[\n 1\n]';", "SELECT '[  1 ]';"},
		{"hint kept", "INSERT /*+ AWAIT */\nINTO t SELECT 1;", "INSERT /*+ AWAIT */ INTO t SELECT 1;"},
		{"block comment lines joined", "SELECT /* a\nb */ 1;", "SELECT /* a b */ 1;"},
		{"quoted identifier", "SELECT \"a  -- b\" FROM t;", "SELECT \"a  -- b\" FROM t;"},
		{"empty", " \n\t", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := shell.HistoryEntry(tt.in); got != tt.want {
				t.Errorf("HistoryEntry(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSensitive(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`SELECT client_secret FROM awscc.cognito.user_pool_clients WHERE region = 'us-east-1'`, true},
		{`UPDATE awscc.cognito.user_pool_clients SET PatchDocument = string('[{"op":"add","path":"/ClientSecret","value":"s3cr3t"}]') WHERE Identifier = 'a|b'`, true},
		{`INSERT INTO awscc.cognito.user_pool_clients (ClientName, ClientSecret, region) SELECT 'a', 'x', 'us-east-1'`, true},
		{`\set aws_secret_access_key abc`, true},
		{`\set password hunter2`, true},
		{`SELECT client_name FROM awscc.cognito.user_pool_clients WHERE region = 'us-east-1'`, false},
		{`INSERT INTO awscc.cognito.user_pool_clients (ClientName, GenerateSecret, region) SELECT 'a', true, 'us-east-1'`, false},
	}
	for _, tt := range tests {
		if got := shell.Sensitive(tt.in); got != tt.want {
			t.Errorf("Sensitive(%.60q…) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func TestHistory_AddAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "history")
	h, err := shell.OpenHistory(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		entry string
		added bool
	}{
		{"SELECT 1;", true},
		{"SELECT 1;", false}, // a repeat of the last entry
		{"SELECT\n  2;", true},
		{"  ", false},
		{"SELECT client_secret FROM awscc.cognito.user_pool_clients;", false},
		{`\o json`, true},
	}
	for _, s := range steps {
		added, err := h.Add(s.entry)
		if err != nil {
			t.Fatal(err)
		}
		if added != s.added {
			t.Errorf("Add(%q) = %v, want %v", s.entry, added, s.added)
		}
	}
	want := []string{"SELECT 1;", "SELECT 2;", `\o json`}
	if diff := cmp.Diff(want, h.Entries()); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, readLines(t, path)); diff != "" {
		t.Errorf("file (-want +got):\n%s", diff)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm != 0o600 {
		t.Errorf("history file mode = %v, want 0600", perm)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	h2, err := shell.OpenHistory(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, h2.Entries()); diff != "" {
		t.Errorf("reopened entries (-want +got):\n%s", diff)
	}
}

func TestHistory_Limit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	var lines []string
	for i := range 25 {
		lines = append(lines, fmt.Sprintf("SELECT %d;", i))
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := shell.OpenHistory(path, 10)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(lines[15:], h.Entries()); diff != "" {
		t.Errorf("loaded entries (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(lines[15:], readLines(t, path)); diff != "" {
		t.Errorf("file cut on open (-want +got):\n%s", diff)
	}
	st, _ := os.Stat(path)
	if perm := st.Mode().Perm(); perm != 0o600 {
		t.Errorf("history file mode = %v, want 0600 (tightened on open)", perm)
	}
	// Another shell appends meanwhile; Close keeps its entries.
	for i := range 5 {
		if _, err := h.Add(fmt.Sprintf("SELECT mine%d;", i)); err != nil {
			t.Fatal(err)
		}
	}
	other, err := shell.OpenHistory(path, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Add("SELECT theirs;"); err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	got := readLines(t, path)
	if len(got) != 10 || got[9] != "SELECT theirs;" || got[8] != "SELECT mine4;" {
		t.Errorf("file after Close = %q, want the last 10 entries ending with the other shell's", got)
	}
	if len(h.Entries()) != 10 {
		t.Errorf("in-memory entries = %d, want the limit 10", len(h.Entries()))
	}
}

// FuzzHistoryEntry checks that flattening a statement for the history never
// changes how it splits: a recalled DELETE must not lose its WHERE to a
// comment that swallowed the rest of the line.
func FuzzHistoryEntry(f *testing.F) {
	for _, s := range []string{
		"DELETE FROM t -- c\nWHERE a = 1;",
		"SELECT '--x\n';\nSELECT 2;",
		"SELECT \"a\nb\" /* c\n;*/ ; SELECT [x\n];",
		"SELECT 'it''s'; -- done",
		"/*+ AWAIT */ INSERT INTO t SELECT 1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		entry := shell.HistoryEntry(s)
		if strings.ContainsAny(entry, "\n\r") {
			t.Fatalf("entry %q has a line break", entry)
		}
		before, err := iql.Split(s)
		if err != nil {
			return
		}
		after, err := iql.Split(entry)
		if err != nil {
			t.Fatalf("Split(entry %q): %v (the statement %q split)", entry, err, s)
		}
		if len(before) != len(after) {
			t.Fatalf("statement %q splits into %d, its entry %q into %d", s, len(before), entry, len(after))
		}
		if iql.Complete(s) != iql.Complete(entry) {
			t.Fatalf("Complete(%q) = %v but Complete(entry %q) = %v", s, iql.Complete(s), entry, iql.Complete(entry))
		}
	})
}
