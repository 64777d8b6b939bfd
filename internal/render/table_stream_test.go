package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// streamTable prints rows through a TableWriter whose block is the first
// n rows.
func streamTable(t *testing.T, cols []string, rows [][]any, n int, o Options) string {
	t.Helper()
	var out bytes.Buffer
	tw, err := NewTableWriter(&out, cols, rows[:n], o)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[n:] {
		if err := tw.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// TestTableWriter_sameAsWrite: when no later cell is wider than the block's
// columns, the streamed table is byte for byte the table WriteOptions
// prints for the whole result (nulls, escapes, JSON and wide characters
// included).
func TestTableWriter_sameAsWrite(t *testing.T) {
	cols := []string{"name", "n", "doc", "note"}
	rows := [][]any{
		{"wide 日本語 name", int64(12345), json.RawMessage(`{"k": [1, 2]}`), "line\nbreak"},
		{"a", int64(1), nil, nil},
		{"日本", 2.5, json.RawMessage(`"x"`), "tab\there"},
		{"b", int64(-3), nil, true},
	}
	for _, o := range []Options{{}, {Null: "NULL"}} {
		var want bytes.Buffer
		if err := WriteOptions(&want, Table, Result{Columns: cols, Rows: rows}, o); err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= len(rows); n++ {
			if got := streamTable(t, cols, rows, n, o); got != want.String() {
				t.Errorf("null %q, block of %d:\n got\n%s\nwant\n%s", o.Null, n, got, want.String())
			}
		}
	}
}

// TestTableWriter_laterWideCellIsCut: a cell after the block that is wider
// than its column is cut with …, keeping every line the table's width.
func TestTableWriter_laterWideCellIsCut(t *testing.T) {
	cols := []string{"name", "id"}
	rows := [][]any{{"short", "1"}, {"much longer than the block", "2"}}
	got := streamTable(t, cols, rows, 1, Options{})
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("want 6 lines, got %d:\n%s", len(lines), got)
	}
	for _, l := range lines {
		if len([]rune(l)) != len([]rune(lines[0])) {
			t.Errorf("line %q is not as wide as the border %q", l, lines[0])
		}
	}
	if want := "| much… | 2  |"; lines[4] != want {
		t.Errorf("cut row = %q, want %q", lines[4], want)
	}
}

// TestTableWriter_flushLeavesTableOpen: after a failed read the output
// ends without the bottom border.
func TestTableWriter_flushLeavesTableOpen(t *testing.T) {
	var out bytes.Buffer
	tw, err := NewTableWriter(&out, []string{"a"}, [][]any{{"x"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Write([]any{"y"}); err != nil {
		t.Fatal(err)
	}
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := "+---+\n| a |\n+---+\n| x |\n| y |\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}
