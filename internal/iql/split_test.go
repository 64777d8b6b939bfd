package iql_test

import (
	"errors"
	"testing"

	"github.com/ccql/ccql/internal/iql"
	"github.com/google/go-cmp/cmp"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name   string
		script string
		want   []iql.Piece
	}{
		{"empty", "", nil},
		{"only separators and comments", " ;; -- x;\n/* ; */ ;\n", nil},
		{"one without semicolon", "SELECT 1", []iql.Piece{{Text: "SELECT 1", Pos: 0, Line: 1, Col: 1}}},
		{
			"two with trailing space",
			"SELECT 1;\n  SELECT 2 ;  \n",
			[]iql.Piece{
				{Text: "SELECT 1", Pos: 0, Line: 1, Col: 1},
				{Text: "SELECT 2", Pos: 12, Line: 2, Col: 3},
			},
		},
		{
			"semicolons and comment markers inside strings and identifiers",
			"SELECT 'a;b', '--x', '/*', \"c;d\", [e;f], `g;h` FROM t; SELECT 'it''s;'",
			[]iql.Piece{
				{Text: "SELECT 'a;b', '--x', '/*', \"c;d\", [e;f], `g;h` FROM t", Pos: 0, Line: 1, Col: 1},
				{Text: "SELECT 'it''s;'", Pos: 55, Line: 1, Col: 56},
			},
		},
		{
			"semicolons inside comments",
			"SELECT 1 -- not here;\n, 2 /* nor; here */;\nSELECT 3",
			[]iql.Piece{
				{Text: "SELECT 1 -- not here;\n, 2 /* nor; here */", Pos: 0, Line: 1, Col: 1},
				{Text: "SELECT 3", Pos: 43, Line: 3, Col: 1},
			},
		},
		{
			"leading plain comments are dropped, hints kept",
			"-- create the client\n/*+ create */\nINSERT INTO a.b.c (x) SELECT 1;\n",
			[]iql.Piece{{Text: "/*+ create */\nINSERT INTO a.b.c (x) SELECT 1", Pos: 21, Line: 2, Col: 1}},
		},
		{
			"a lone hint is no statement",
			"/*+ exists */ ; SELECT 1",
			[]iql.Piece{{Text: "SELECT 1", Pos: 16, Line: 1, Col: 17}},
		},
		{
			"unterminated block comment runs to the end, as in SQLite",
			"SELECT 1; SELECT 2 /* ; SELECT 3",
			[]iql.Piece{
				{Text: "SELECT 1", Pos: 0, Line: 1, Col: 1},
				{Text: "SELECT 2 /* ; SELECT 3", Pos: 10, Line: 1, Col: 11},
			},
		},
		{
			"columns count runes",
			"SELECT 'é'; SELECT 2",
			[]iql.Piece{
				{Text: "SELECT 'é'", Pos: 0, Line: 1, Col: 1},
				{Text: "SELECT 2", Pos: 13, Line: 1, Col: 13},
			},
		},
		{
			"CRLF line ends",
			"SELECT 1;\r\nSELECT 2;\r\n",
			[]iql.Piece{
				{Text: "SELECT 1", Pos: 0, Line: 1, Col: 1},
				{Text: "SELECT 2", Pos: 11, Line: 2, Col: 1},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := iql.Split(tt.script)
			if err != nil {
				t.Fatalf("Split: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Split(%q) mismatch (-want +got):\n%s", tt.script, diff)
			}
			for _, p := range got {
				if tt.script[p.Pos:p.Pos+len(p.Text)] != p.Text {
					t.Errorf("piece %q is not at offset %d", p.Text, p.Pos)
				}
			}
		})
	}
}

func TestSplit_unterminated(t *testing.T) {
	tests := []struct {
		script, want string
	}{
		{"SELECT 1;\nSELECT 'abc;\n", `syntax error at line 2, column 8 near "'abc;\n": unterminated string literal`},
		{`SELECT "abc`, `syntax error at line 1, column 8 near "\"abc": unterminated quoted identifier`},
		{`SELECT [abc`, `syntax error at line 1, column 8 near "[abc": unterminated quoted identifier`},
	}
	for _, tt := range tests {
		_, err := iql.Split(tt.script)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Split(%q) error = %v, want %s", tt.script, err, tt.want)
		}
		if !errors.Is(err, iql.ErrSyntax) {
			t.Errorf("Split(%q) error %v is not ErrSyntax", tt.script, err)
		}
	}
}

func TestComplete(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"", false},
		{"SELECT 1", false},
		{"SELECT 1;", true},
		{"SELECT 1; ", true},
		{"SELECT 1; -- done", true},
		{"SELECT 1; /* done */", true},
		{"SELECT 1; /* not done", false},
		{"SELECT ';", false},
		{"SELECT ';'", false},
		{"SELECT ';';", true},
		{"SELECT \"a;", false},
		{"SELECT 1 -- ;", false},
		{"SELECT 1; SELECT 2", false},
	}
	for _, tt := range tests {
		if got := iql.Complete(tt.text); got != tt.want {
			t.Errorf("Complete(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

// TestPiece_Parse checks that errors come back in the script's
// coordinates, so a runner can print file:line:col.
func TestPiece_Parse(t *testing.T) {
	script := "SELECT 1;\n\n  DELETE FROM awscc.cognito.user_pool_clients\n  WHERE region = 'x' RETURNIN *;\n  DESCRIBE x;"
	pieces, err := iql.Split(script)
	if err != nil {
		t.Fatal(err)
	}
	if len(pieces) != 3 {
		t.Fatalf("got %d pieces, want 3", len(pieces))
	}
	_, err = pieces[1].Parse()
	var se *iql.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("Parse error = %v, want a *SyntaxError", err)
	}
	want := &iql.SyntaxError{Pos: 78, Line: 4, Col: 22, Msg: "expected RETURNING or end of statement", Near: "RETURNIN"}
	if diff := cmp.Diff(want, se); diff != "" {
		t.Errorf("error mismatch (-want +got):\n%s", diff)
	}
	if script[se.Pos:se.Pos+len(se.Near)] != se.Near {
		t.Errorf("Pos %d does not point at %q", se.Pos, se.Near)
	}
	// An error on the piece's first line shifts the column too.
	_, err = pieces[2].Parse()
	if !errors.As(err, &se) || se.Line != 5 || se.Col != 12 {
		t.Errorf("Parse(%q) error = %#v, want line 5, column 12", pieces[2].Text, err)
	}
}
