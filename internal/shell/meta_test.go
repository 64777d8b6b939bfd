package shell_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ccql/ccql/internal/shell"
)

func TestParseMeta(t *testing.T) {
	tests := []struct {
		line     string
		ok       bool
		name     string
		arg      string
		describe string
	}{
		{line: `\q`, ok: true, name: `\q`},
		{line: `  \quit  `, ok: true, name: `\q`},
		{line: `\?`, ok: true, name: `\help`},
		{line: `\o JSON`, ok: true, name: `\o`, arg: "JSON"},
		{line: `\o json;`, ok: true, name: `\o`, arg: "json"},
		{line: `\dt cognito;`, ok: true, name: `\dt`, arg: "cognito"},
		{line: `\D+  awscc.cognito.user_pools`, ok: true, name: `\d+`, arg: "awscc.cognito.user_pools"},
		{line: "\\timing\ton", ok: true, name: `\timing`, arg: "on"},
		{line: `\set name a b;`, ok: true, name: `\set`, arg: "name a b;"},
		{line: `\i  my file.iql`, ok: true, name: `\i`, arg: "my file.iql"},
		{line: `\nope x`, ok: true, name: `\nope`, arg: "x"},
		{line: `SELECT 1`, ok: false},
		{line: ``, ok: false},
	}
	for _, tt := range tests {
		m, ok := shell.ParseMeta(tt.line)
		if ok != tt.ok || m.Name != tt.name || m.Arg != tt.arg {
			t.Errorf("ParseMeta(%q) = %+v, %v; want {%s %s}, %v", tt.line, m, ok, tt.name, tt.arg, tt.ok)
		}
	}
}

func TestIsQuit(t *testing.T) {
	for line, want := range map[string]bool{"quit": true, " EXIT; ": true, "exit;": true, "quitter": false, "SELECT 1": false, "": false} {
		if got := shell.IsQuit(line); got != want {
			t.Errorf("IsQuit(%q) = %v, want %v", line, got, want)
		}
	}
}

func TestHelp(t *testing.T) {
	h := shell.Help()
	for _, c := range shell.Commands() {
		if !strings.Contains(h, c.Usage) {
			t.Errorf("help does not list %s", c.Usage)
		}
		if m, ok := shell.ParseMeta(c.Name); !ok || m.Name != c.Name {
			t.Errorf("ParseMeta(%q) = %+v, %v; commands must be their own canonical names", c.Name, m, ok)
		}
	}
	for _, want := range []string{"SHOW SERVICES IN awscc", "DESCRIBE awscc.cognito.user_pool_clients", "{{ region }}"} {
		if !strings.Contains(h, want) {
			t.Errorf("help has no example %q", want)
		}
	}
}

func TestInLiteral(t *testing.T) {
	tests := map[string]bool{
		"SELECT 1":            false,
		"SELECT 'a":           true,
		"SELECT 'it''s":       true,
		"SELECT 'it''s'":      false,
		"SELECT \"x":          true,
		"SELECT /* x":         true,
		"SELECT /* x */":      false,
		"SELECT 1 -- note":    false, // a line comment ends with its line
		"SELECT [a":           true,
		"SELECT `a` FROM t\n": false,
	}
	for in, want := range tests {
		if got := shell.InLiteral(in); got != want {
			t.Errorf("InLiteral(%q) = %v, want %v", in, got, want)
		}
	}
}

// FuzzCompleter checks that completion never panics and always cuts the line
// into head + word + tail.
func FuzzCompleter(f *testing.F) {
	f.Add("", "SELECT * FROM awscc.cognito.", 28)
	f.Add("SELECT '\n", "é' FROM awscc.cognito.user_pools p WHERE p.", 43)
	f.Add("", `\d awscc.cognito.user_`, 22)
	f.Add("", "SELECT c. FROM awscc.cognito.user_pool_clients c; x", 9)
	f.Add("INSERT INTO awscc.cognito.user_pools (a)\n", "SELECT 1 RETURNING ", -3)
	f.Fuzz(func(t *testing.T, buffer, line string, pos int) {
		c := shell.NewCompleter(&fakeCatalog{})
		head, cands, tail := c.Complete(context.Background(), buffer, line, pos)
		if !strings.HasPrefix(line, head) || !strings.HasSuffix(line, tail) || len(head)+len(tail) > len(line) {
			t.Fatalf("Complete(%q, %q, %d) = head %q, tail %q: not a cut of the line", buffer, line, pos, head, tail)
		}
		for _, cand := range cands {
			if cand == "" {
				t.Fatalf("empty candidate for %q", line)
			}
		}
	})
}

func TestParseShortcut(t *testing.T) {
	tests := []struct {
		line string
		ok   bool
		name string
		arg  string
	}{
		{line: "help", ok: true, name: `\help`},
		{line: " HELP; ", ok: true, name: `\help`},
		{line: "?", ok: true, name: `\help`},
		{line: ".help", ok: true, name: `\help`},
		{line: ".tables cognito;", ok: true, name: `\dt`, arg: "cognito"},
		{line: ".TABLES", ok: true, name: `\dt`},
		{line: ".schema\tcognito.user_pools", ok: true, name: `\d`, arg: "cognito.user_pools"},
		{line: ".mode json", ok: true, name: `\o`, arg: "json"},
		{line: ".quit", ok: true, name: `\q`},
		{line: ".exit", ok: true, name: `\q`},
		{line: ".read my.iql", ok: true, name: `\i`, arg: "my.iql"},
		{line: ".databases", ok: true, name: `\l`},
		{line: ".indexes x", ok: true, name: ".indexes", arg: "x"},
		{line: ".5", ok: false},
		{line: ".", ok: false},
		{line: "helpful", ok: false},
		{line: "SELECT 1", ok: false},
		{line: "", ok: false},
	}
	for _, tt := range tests {
		m, ok := shell.ParseShortcut(tt.line)
		if ok != tt.ok || m.Name != tt.name || m.Arg != tt.arg {
			t.Errorf("ParseShortcut(%q) = %+v, %v; want {%s %s}, %v", tt.line, m, ok, tt.name, tt.arg, tt.ok)
		}
	}
}

func TestIsStatementStart(t *testing.T) {
	for word, want := range map[string]bool{"select": true, "SHOW": true, "Registry": true, "desc": true, "list": false, "tables": false, "": false} {
		if got := shell.IsStatementStart(word); got != want {
			t.Errorf("IsStatementStart(%q) = %v, want %v", word, got, want)
		}
	}
}
