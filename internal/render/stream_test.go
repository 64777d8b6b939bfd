package render

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// TestRowWriter_sameAsWrite: writing row by row gives the bytes the whole
// result gives, in every streaming format, for no rows, one and several.
func TestRowWriter_sameAsWrite(t *testing.T) {
	cols := []string{"name", "n", "doc", "when", "note"}
	all := [][]any{
		{"a,b", int64(1), json.RawMessage(`{"k": [1, 2]}`), time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), nil},
		{"tab\there", 2.5, json.RawMessage(`"<x>"`), nil, true},
		{"line\nbreak", int64(-3), nil, nil, "q\"uote"},
	}
	for _, f := range []Format{JSON, JSONL, CSV, Text} {
		for n := 0; n <= len(all); n++ {
			r := Result{Columns: cols, Rows: all[:n]}
			var want, got bytes.Buffer
			if err := Write(&want, f, r); err != nil {
				t.Fatal(err)
			}
			rw, err := NewRowWriter(&got, f, cols)
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range r.Rows {
				if err := rw.Write(row); err != nil {
					t.Fatal(err)
				}
			}
			if err := rw.Close(); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("%s, %d rows:\n got %q\nwant %q", f, n, got.String(), want.String())
			}
		}
	}
	if _, err := NewRowWriter(&bytes.Buffer{}, Table, cols); err == nil {
		t.Error("NewRowWriter(Table) succeeded; a table needs every row")
	}
}
