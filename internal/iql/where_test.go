package iql_test

import (
	"strings"
	"testing"

	"github.com/ccql/ccql/internal/iql"
	"github.com/google/go-cmp/cmp"
)

func TestParse_whereBindings(t *testing.T) {
	s := func(v string) iql.Value { return iql.Value{Kind: iql.ValueString, Text: v} }
	n := func(v string) iql.Value { return iql.Value{Kind: iql.ValueNumber, Text: v} }
	p := func(v string) iql.Value { return iql.Value{Kind: iql.ValueParam, Text: v} }
	type b struct {
		col  string
		vals []iql.Value
	}
	tests := []struct {
		where string
		want  []b
	}{
		{"region = 'r'", []b{{"region", []iql.Value{s("r")}}}},
		{"region == 'r' AND 'i' = Identifier", []b{{"region", []iql.Value{s("r")}}, {"Identifier", []iql.Value{s("i")}}}},
		{`"region" = 'r'`, []b{{"region", []iql.Value{s("r")}}}},
		{"region IN ('a', 'b') AND n = -1.5 AND m = +2 AND x = ? AND y = $1 AND z = :z AND w = @w AND v = ?3",
			[]b{
				{"region", []iql.Value{s("a"), s("b")}}, {"n", []iql.Value{n("-1.5")}}, {"m", []iql.Value{n("2")}},
				{"x", []iql.Value{p("?")}}, {"y", []iql.Value{p("$1")}}, {"z", []iql.Value{p(":z")}},
				{"w", []iql.Value{p("@w")}}, {"v", []iql.Value{p("?3")}},
			}},
		{"(region = 'r' AND (Identifier = 'i')) AND x > 1", []b{{"region", []iql.Value{s("r")}}, {"Identifier", []iql.Value{s("i")}}}},
		// Not bindings.
		{"region = 'a' OR region = 'b'", nil},
		{"region = 'a' AND (x = 1 OR y = 2)", []b{{"region", []iql.Value{s("a")}}}},
		{"NOT region = 'a'", nil},
		{"region = 'a' || 'b'", nil},
		{"region = lower('A')", nil},
		{"region = 'a' COLLATE NOCASE", nil},
		{"region = NULL", nil},
		{"region = other_col", nil},
		{"t.region = 'a'", nil},
		{"region IN ()", nil},
		{"region IN (SELECT r FROM t)", nil},
		{"region IN ('a', x)", nil},
		{"region NOT IN ('a')", nil},
		{"region != 'a'", nil},
		{"x BETWEEN 1 AND region = 'a'", nil},
		{"CASE WHEN 1 THEN region = 'a' AND b = 'c' END", nil},
	}
	for _, tt := range tests {
		d := mustParse(t, "DELETE FROM a.b.c WHERE "+tt.where).(*iql.Delete)
		var got []b
		for _, x := range d.Where.Bindings {
			got = append(got, b{x.Column, x.Values})
			if !strings.Contains(d.Text[x.Pos:], x.Column) {
				t.Errorf("%s: binding Pos %d does not point at %s", tt.where, x.Pos, x.Column)
			}
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(b{})); diff != "" {
			t.Errorf("WHERE %s: bindings mismatch (-want +got):\n%s", tt.where, diff)
		}
		if d.Where.SQL != tt.where {
			t.Errorf("Where.SQL = %q, want %q", d.Where.SQL, tt.where)
		}
	}
}

func TestWhere_LookupAndLiterals(t *testing.T) {
	d := mustParse(t, "DELETE FROM a.b.c WHERE Region = 'r' AND Identifier IN ('a', 'b') AND n = 3 AND p = $1 AND x = 'a' AND x = 'b'").(*iql.Delete)
	tests := []struct {
		col  string
		want []string
		ok   bool
	}{
		{"region", []string{"r"}, true},
		{"IDENTIFIER", []string{"a", "b"}, true},
		{"n", []string{"3"}, true},
		{"p", nil, false}, // a parameter has no literal value
		{"x", nil, false}, // bound twice
		{"missing", nil, false},
	}
	for _, tt := range tests {
		got, ok := d.Where.Literals(tt.col)
		if ok != tt.ok || !cmp.Equal(got, tt.want) {
			t.Errorf("Literals(%q) = %q, %v; want %q, %v", tt.col, got, ok, tt.want, tt.ok)
		}
	}
	if b, ok := d.Where.Lookup("P"); !ok || b.Values[0].Kind != iql.ValueParam || b.Values[0].Text != "$1" {
		t.Errorf("Lookup(P) = %+v, %v", b, ok)
	}
	if _, ok := d.Where.Lookup("nope"); ok {
		t.Error("Lookup(nope) found a binding")
	}
}

func TestParse_selectBindings(t *testing.T) {
	tests := []struct {
		sql  string
		want []string // column=values
	}{
		{`SELECT * FROM awscc.cognito.user_pools WHERE region IN ('a', 'b') AND Identifier = 'x' ORDER BY 1`, []string{"region=a,b", "Identifier=x"}},
		{`SELECT count(*) FROM awscc.cognito.user_pools WHERE region = 'a' GROUP BY 1`, []string{"region=a"}},
		{`SELECT * FROM awscc.cognito.user_pools WHERE region = 'a' OR region = 'b'`, nil},
		{`SELECT * FROM awscc.cognito.user_pools WHERE region = 'a' UNION ALL SELECT * FROM awscc.cognito.user_pools WHERE region = 'b'`, nil},
		{`SELECT * FROM awscc.cognito.user_pools p WHERE p.region = 'a'`, nil},
		{`SELECT (SELECT 1 WHERE x = 1) FROM awscc.cognito.user_pools WHERE region = 'a' LIMIT 3`, []string{"region=a"}},
		{`WITH c AS (SELECT 1) SELECT * FROM c WHERE region = 'a'`, nil},
		{`SELECT 1`, nil},
	}
	for _, tt := range tests {
		st, err := iql.Parse(tt.sql)
		if err != nil {
			t.Fatalf("%s: %v", tt.sql, err)
		}
		var got []string
		for _, b := range st.(*iql.Select).Bindings {
			var vals []string
			for _, v := range b.Values {
				vals = append(vals, v.Text)
			}
			got = append(got, b.Column+"="+strings.Join(vals, ","))
		}
		if strings.Join(got, ";") != strings.Join(tt.want, ";") {
			t.Errorf("%s: bindings = %v, want %v", tt.sql, got, tt.want)
		}
	}
}
