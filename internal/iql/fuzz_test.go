package iql_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/ccql/ccql/internal/iql"
)

// sqliteSpace is what SQLite's tokenizer takes for white space.
const sqliteSpace = " \t\n\r\f"

// fuzzSeeds adds the golden scripts and a few lexing traps to a corpus.
func fuzzSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/parse/*.iql")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
		pieces, err := iql.Split(string(b))
		if err != nil {
			continue
		}
		for _, p := range pieces {
			f.Add(p.Text)
		}
	}
	for _, s := range []string{
		"", ";", "'", "\"", "[", "`", "x'", "/*", "/*+", "--", "$", ":", "?", "!",
		"SELECT 'a;b' ; SELECT \"c;d\"",
		"SELECT 1 /* /* */ */",
		"SELECT a.b.c.d.e FROM a.b.c.d, a.b.c",
		"SELECT * FROM (((a.b.c",
		"INSERT INTO a.b.c (x) SELECT (",
		"UPDATE a.b.c SET x = CASE WHEN",
		"DELETE FROM a.b.c WHERE (((x = 1",
		"DELETE FROM a.b.c WHERE x IN (1,",
		"DELETE FROM a.b.c WHERE x BETWEEN 1 AND",
		"SELECT 1e, 0x, 1_, 1__0, .e1",
		"SHOW SERVICES IN \"a.b\"",
		"SET x =",
	} {
		f.Add(s)
	}
}

// FuzzSplit checks that Split never panics and that its pieces are exact,
// ordered slices of the input whose gaps hold no statement.
func FuzzSplit(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, script string) {
		pieces, err := iql.Split(script)
		if err != nil {
			checkSyntaxError(t, script, err)
			return
		}
		at := 0
		for _, p := range pieces {
			if p.Pos < at || p.Pos+len(p.Text) > len(script) {
				t.Fatalf("piece at %d (len %d) out of order or bounds (prev end %d)", p.Pos, len(p.Text), at)
			}
			if script[p.Pos:p.Pos+len(p.Text)] != p.Text {
				t.Fatalf("piece %q is not at offset %d", p.Text, p.Pos)
			}
			if p.Text == "" || strings.ContainsAny(p.Text[:1], sqliteSpace) || strings.ContainsAny(p.Text[len(p.Text)-1:], sqliteSpace) {
				t.Fatalf("piece %q is empty or not trimmed", p.Text)
			}
			if line, col := iql.LineCol(script, p.Pos); line != p.Line || col != p.Col {
				t.Fatalf("piece at %d: Line:Col %d:%d, LineCol says %d:%d", p.Pos, p.Line, p.Col, line, col)
			}
			if gap, err := iql.Split(script[at:p.Pos]); err != nil || len(gap) != 0 {
				t.Fatalf("gap %q before piece holds %d statements (err %v)", script[at:p.Pos], len(gap), err)
			}
			// A piece is one statement: splitting it again gives itself.
			again, err := iql.Split(p.Text)
			if err != nil || len(again) != 1 || again[0].Text != p.Text {
				t.Fatalf("re-splitting %q gave %+v, %v", p.Text, again, err)
			}
			at = p.Pos + len(p.Text)
		}
		if gap, err := iql.Split(script[at:]); err != nil || len(gap) != 0 {
			t.Fatalf("tail %q holds %d statements (err %v)", script[at:], len(gap), err)
		}
		_ = iql.Complete(script)
	})
}

// FuzzParse checks that Parse never panics or hangs, that errors carry
// consistent positions, and that a parsed SELECT's SQL parses again to the
// same SQL and resources (rewriting is idempotent).
func FuzzParse(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, text string) {
		if _, err := iql.Bind(text, []any{"x", 1, nil}); err != nil && !errors.Is(err, iql.ErrParams) && !errors.Is(err, iql.ErrSyntax) {
			t.Fatalf("Bind: unexpected error %v", err)
		}
		st, err := iql.Parse(text)
		if err != nil {
			if !errors.Is(err, iql.ErrEmpty) {
				checkSyntaxError(t, text, err)
			}
			return
		}
		if st.Info().Text != text {
			t.Fatalf("Text = %q, want the input", st.Info().Text)
		}
		for _, h := range st.Info().Hints {
			if h.Name != strings.ToLower(h.Name) {
				t.Fatalf("hint name %q is not lower case", h.Name)
			}
		}
		switch s := st.(type) {
		case *iql.Select:
			checkRefs(t, text, s.Tables)
			again, err := iql.Parse(s.SQL)
			if err != nil {
				t.Fatalf("re-parsing SQL %q: %v", s.SQL, err)
			}
			s2 := again.(*iql.Select)
			if s2.SQL != s.SQL {
				t.Fatalf("rewrite not idempotent:\n%q\n%q", s.SQL, s2.SQL)
			}
			if a, b := iql.Names(s.Tables), iql.Names(s2.Tables); len(a) != len(b) {
				t.Fatalf("tables %v became %v", a, b)
			}
		case *iql.Insert:
			checkRefs(t, text, s.Tables)
			if len(s.StringColumns) != len(s.Columns) || len(s.Columns) == 0 {
				t.Fatalf("%d columns, %d string flags", len(s.Columns), len(s.StringColumns))
			}
			if s.Source == "" {
				t.Fatal("empty Source")
			}
		case *iql.Update:
			checkRefs(t, text, s.Tables)
			if len(s.Set) == 0 {
				t.Fatal("UPDATE without assignments")
			}
			for _, a := range s.Set {
				if a.Expr == "" {
					t.Fatalf("empty Expr for %s", a.Column)
				}
			}
			checkWhere(t, text, s.Where)
		case *iql.Delete:
			checkRefs(t, text, s.Tables)
			checkWhere(t, text, s.Where)
		}
	})
}

func checkRefs(t *testing.T, text string, refs []iql.TableRef) {
	t.Helper()
	for _, r := range refs {
		if r.Pos < 0 || r.Pos >= len(text) {
			t.Fatalf("table %s at %d out of bounds", r, r.Pos)
		}
		if r.Provider == "" || r.Service == "" || r.Resource == "" {
			t.Fatalf("table %+v has an empty part", r.TableName)
		}
	}
}

func checkWhere(t *testing.T, text string, w iql.Where) {
	t.Helper()
	for _, b := range w.Bindings {
		if len(b.Values) == 0 {
			t.Fatalf("binding %s without values", b.Column)
		}
		if b.Pos < 0 || b.Pos >= len(text) {
			t.Fatalf("binding %s at %d out of bounds", b.Column, b.Pos)
		}
	}
	if len(w.Bindings) > 0 && w.SQL == "" {
		t.Fatal("bindings without WHERE SQL")
	}
}

func checkSyntaxError(t *testing.T, text string, err error) {
	t.Helper()
	var se *iql.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("error %v is not a *SyntaxError", err)
	}
	if se.Pos < 0 || se.Pos > len(text) {
		t.Fatalf("error Pos %d out of bounds", se.Pos)
	}
	if line, col := iql.LineCol(text, se.Pos); line != se.Line || col != se.Col {
		t.Fatalf("error at %d: Line:Col %d:%d, LineCol says %d:%d", se.Pos, se.Line, se.Col, line, col)
	}
	near := strings.TrimSuffix(se.Near, "…")
	if !strings.HasPrefix(text[se.Pos:], near) {
		t.Fatalf("Near %q is not at %d", se.Near, se.Pos)
	}
	if se.Msg == "" || strings.IndexFunc(se.Msg, unicode.IsLetter) < 0 {
		t.Fatalf("empty message: %v", err)
	}
}

// FuzzNumberParams checks that numbering parameters never panics, is
// idempotent, keeps the highest number, and does not change whether a
// statement parses or what kind it is.
func FuzzNumberParams(f *testing.F) {
	fuzzSeeds(f)
	for _, s := range []string{"SELECT ?, ?5, ?, :a, @b, $c, :a, $2", "SELECT ?1a", "SELECT $1||?", "UPDATE a.b.c SET x = ? WHERE y = :y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		out, n, err := iql.NumberParams(text)
		if err != nil {
			return
		}
		again, n2, err := iql.NumberParams(out)
		if err != nil || again != out || n2 != n {
			t.Fatalf("not idempotent: %q -> %q (%d) -> %q (%d, %v)", text, out, n, again, n2, err)
		}
		if m := iql.MaxParam(out); m != n {
			t.Fatalf("MaxParam(%q) = %d, want %d", out, m, n)
		}
		st1, err1 := iql.Parse(text)
		st2, err2 := iql.Parse(out)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("Parse(%q) err %v, Parse(%q) err %v", text, err1, out, err2)
		}
		if err1 == nil && fmt.Sprintf("%T", st1) != fmt.Sprintf("%T", st2) {
			t.Fatalf("kind changed: %T -> %T", st1, st2)
		}
	})
}
