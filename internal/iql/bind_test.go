package iql_test

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/ccql/ccql/internal/iql"
)

func TestBind(t *testing.T) {
	tests := []struct {
		name string
		text string
		args []any
		want string
	}{
		{"no parameters", "SELECT '?', \"$1\" -- ?\n", nil, "SELECT '?', \"$1\" -- ?\n"},
		{"postgres numbering", "DELETE FROM a.b.c WHERE Identifier = $2 AND region = $1", []any{"us-east-1", "p|c"},
			"DELETE FROM a.b.c WHERE Identifier = 'p|c' AND region = 'us-east-1'"},
		{"sqlite numbering", "SELECT ?, ?5, ?, :a, @b, :a, $x", []any{1, 2, 3, 4, 5, 6, 7, 8, 9},
			"SELECT 1, 5, 6, 7, 8, 7, 9"},
		{"quotes doubled, JSON kept", "UPDATE a.b.c SET PatchDocument = string($1)", []any{`[{"v":"it's \"x\""}]`},
			`UPDATE a.b.c SET PatchDocument = string('[{"v":"it''s \"x\""}]')`},
		{"types", "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			[]any{nil, true, false, int64(-3), uint8(7), 1.5, 2.0, []byte{0, 0xab}, json.RawMessage(`{"a":1}`)},
			`VALUES (NULL, TRUE, FALSE, -3, 7, 1.5, 2.0, X'00ab', '{"a":1}')`},
		{"time and infinity", "VALUES ($1, $2)", []any{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), math.Inf(-1)},
			"VALUES ('2026-01-02T03:04:05Z', -9e999)"},
		{"tokens stay apart", "SELECT 1-$1, x=?AND y", []any{-2, 3}, "SELECT 1- -2, x=3 AND y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := iql.Bind(tt.text, tt.args)
			if err != nil {
				t.Fatalf("Bind: %v", err)
			}
			if got != tt.want {
				t.Errorf("Bind =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestBind_errors(t *testing.T) {
	tests := []struct {
		text string
		args []any
		want string
	}{
		{"SELECT $2", []any{1}, "parameter $2 at line 1, column 8: bad parameters: 1 arguments given"},
		{"SELECT ?0", []any{1}, "parameter ?0: bad parameters: numbers start at 1 and end at 32766"},
		{"SELECT ?", []any{math.NaN()}, "parameter ?: bad parameters: NaN has no SQL literal"},
		{"SELECT ?", []any{struct{}{}}, "parameter ?: bad parameters: no SQL literal for struct {}"},
	}
	for _, tt := range tests {
		_, err := iql.Bind(tt.text, tt.args)
		if err == nil || err.Error() != tt.want || !errors.Is(err, iql.ErrParams) {
			t.Errorf("Bind(%q) error = %v, want %s", tt.text, err, tt.want)
		}
	}
	if _, err := iql.Bind("SELECT 'open", nil); !errors.Is(err, iql.ErrSyntax) {
		t.Errorf("Bind of an unterminated string: %v, want ErrSyntax", err)
	}
}
