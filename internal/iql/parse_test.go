package iql_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ccql/ccql/internal/iql"
	"github.com/google/go-cmp/cmp"
)

func mustParse(t *testing.T, text string) iql.Statement {
	t.Helper()
	st, err := iql.Parse(text)
	if err != nil {
		t.Fatalf("Parse(%q): %v", text, err)
	}
	return st
}

func tableStrings(refs []iql.TableRef) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.String())
	}
	return out
}

func TestParse_selectRewrite(t *testing.T) {
	tests := []struct {
		name, in, want string
		tables         []string
	}{
		{
			"simple",
			"SELECT * FROM awscc.cognito.user_pools WHERE region = 'us-east-1'",
			`SELECT * FROM "awscc.cognito.user_pools" WHERE region = 'us-east-1'`,
			[]string{"awscc.cognito.user_pools"},
		},
		{
			"alias without AS and spaces around dots",
			"select c.client_id from awscc . cognito . user_pool_clients c",
			`select c.client_id from "awscc.cognito.user_pool_clients" c`,
			[]string{"awscc.cognito.user_pool_clients"},
		},
		{
			"quoted parts are unquoted then requoted; embedded quote doubled",
			`SELECT 1 FROM "awscc".[cognito]."we""ird"`,
			`SELECT 1 FROM "awscc.cognito.we""ird"`,
			[]string{`awscc.cognito.we"ird`},
		},
		{
			"case is kept",
			"SELECT 1 FROM AWSCC.Cognito.User_Pools",
			`SELECT 1 FROM "AWSCC.Cognito.User_Pools"`,
			[]string{"AWSCC.Cognito.User_Pools"},
		},
		{
			"column a.b.c is schema.table.column, not a resource",
			"SELECT main.t.c, a.b.c FROM t WHERE x.y.z = 1",
			"SELECT main.t.c, a.b.c FROM t WHERE x.y.z = 1",
			nil,
		},
		{
			"two-part names stay",
			"SELECT * FROM cognito.user_pools JOIN main.t USING (id)",
			"SELECT * FROM cognito.user_pools JOIN main.t USING (id)",
			nil,
		},
		{
			"every join kind",
			"SELECT 1 FROM a.b.c NATURAL JOIN a.b.d LEFT JOIN a.b.e ON 1 CROSS JOIN a.b.f INNER JOIN a.b.g USING (x)",
			`SELECT 1 FROM "a.b.c" NATURAL JOIN "a.b.d" LEFT JOIN "a.b.e" ON 1 CROSS JOIN "a.b.f" INNER JOIN "a.b.g" USING (x)`,
			[]string{"a.b.c", "a.b.d", "a.b.e", "a.b.f", "a.b.g"},
		},
		{
			"comma list after ON continues the FROM list",
			"SELECT 1 FROM a.b.c x JOIN a.b.d y ON x.k = y.k, a.b.e z",
			`SELECT 1 FROM "a.b.c" x JOIN "a.b.d" y ON x.k = y.k, "a.b.e" z`,
			[]string{"a.b.c", "a.b.d", "a.b.e"},
		},
		{
			"commas in the projection and in function arguments are not FROM commas",
			"SELECT a.b.c, coalesce(x, a.b.d) FROM t, json_each(t.j, '$.a') j WHERE t.v IN (a.b.e, 2)",
			"SELECT a.b.c, coalesce(x, a.b.d) FROM t, json_each(t.j, '$.a') j WHERE t.v IN (a.b.e, 2)",
			nil,
		},
		{
			"subquery in FROM, IN and EXISTS",
			"SELECT 1 FROM (SELECT * FROM a.b.c) s WHERE s.x IN (SELECT x FROM a.b.d) AND EXISTS (SELECT 1 FROM a.b.e, a.b.f)",
			`SELECT 1 FROM (SELECT * FROM "a.b.c") s WHERE s.x IN (SELECT x FROM "a.b.d") AND EXISTS (SELECT 1 FROM "a.b.e", "a.b.f")`,
			[]string{"a.b.c", "a.b.d", "a.b.e", "a.b.f"},
		},
		{
			"CTE bodies; the CTE name itself stays",
			"WITH RECURSIVE x(n) AS (SELECT 1 FROM a.b.c UNION ALL SELECT n + 1 FROM x) SELECT * FROM x, a.b.d",
			`WITH RECURSIVE x(n) AS (SELECT 1 FROM "a.b.c" UNION ALL SELECT n + 1 FROM x) SELECT * FROM x, "a.b.d"`,
			[]string{"a.b.c", "a.b.d"},
		},
		{
			"nested parenthesized joins",
			"SELECT 1 FROM ((a.b.c JOIN a.b.d ON 1) JOIN a.b.e ON 1)",
			`SELECT 1 FROM (("a.b.c" JOIN "a.b.d" ON 1) JOIN "a.b.e" ON 1)`,
			[]string{"a.b.c", "a.b.d", "a.b.e"},
		},
		{
			"four-part column of a referenced resource, and .*",
			"SELECT a.b.c.x, a.b.c.*, q.r.s.t FROM a.b.c",
			`SELECT "a.b.c".x, "a.b.c".*, q.r.s.t FROM "a.b.c"`,
			[]string{"a.b.c"},
		},
		{
			"IS DISTINCT FROM is an operator",
			"SELECT 1 FROM t WHERE x IS NOT DISTINCT FROM a.b.c AND y IS DISTINCT FROM a.b.d",
			"SELECT 1 FROM t WHERE x IS NOT DISTINCT FROM a.b.c AND y IS DISTINCT FROM a.b.d",
			nil,
		},
		{
			"names inside strings, quoted identifiers and comments stay",
			"SELECT 'FROM a.b.c', \"FROM a.b.c\" /* FROM a.b.c */ FROM t -- FROM a.b.c\n",
			"SELECT 'FROM a.b.c', \"FROM a.b.c\" /* FROM a.b.c */ FROM t",
			nil,
		},
		{
			"already quoted whole name is recorded, not changed",
			`SELECT 1 FROM "a.b.c"`,
			`SELECT 1 FROM "a.b.c"`,
			[]string{"a.b.c"},
		},
		{
			"window definitions and FILTER",
			"SELECT count(*) FILTER (WHERE x > 1) OVER w FROM a.b.c WINDOW w AS (PARTITION BY y ORDER BY z)",
			`SELECT count(*) FILTER (WHERE x > 1) OVER w FROM "a.b.c" WINDOW w AS (PARTITION BY y ORDER BY z)`,
			[]string{"a.b.c"},
		},
		{
			"trailing semicolon and leading comment are not part of the SQL",
			"-- hi\nSELECT 1 FROM a.b.c ;",
			`SELECT 1 FROM "a.b.c"`,
			[]string{"a.b.c"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := mustParse(t, tt.in).(*iql.Select)
			if !ok {
				t.Fatalf("Parse(%q) is not a *Select", tt.in)
			}
			if s.SQL != tt.want {
				t.Errorf("SQL =\n%s\nwant\n%s", s.SQL, tt.want)
			}
			if diff := cmp.Diff(tt.tables, tableStrings(s.Tables)); diff != "" {
				t.Errorf("Tables mismatch (-want +got):\n%s", diff)
			}
			for _, r := range s.Tables {
				if !strings.HasPrefix(tt.in[r.Pos:], r.Provider) && !strings.HasPrefix(tt.in[r.Pos:], `"`) && !strings.HasPrefix(tt.in[r.Pos:], `[`) {
					t.Errorf("table %s: Pos %d points at %q", r, r.Pos, tt.in[r.Pos:])
				}
			}
		})
	}
}

// TestParse_literalsByteExact pins the lexing rule that matters most for
// Cloud Control: a string literal's content reaches SQLite and the engine
// exactly as written, backslashes included; only a doubled quote changes.
func TestParse_literalsByteExact(t *testing.T) {
	const json = `[{"op":"add","path":"/ClientName","value":"a \"quoted\" \\ name\n"},{"op":"add","path":"/X","value":"it''s ✓"}]`
	const unquoted = `[{"op":"add","path":"/ClientName","value":"a \"quoted\" \\ name\n"},{"op":"add","path":"/X","value":"it's ✓"}]`

	up := mustParse(t, "UPDATE a.b.c SET PatchDocument = string('"+json+"') WHERE Identifier = 'x'").(*iql.Update)
	if got := up.Set[0].Expr; got != "string('"+json+"')" {
		t.Errorf("Expr = %s", got)
	}
	if up.Set[0].Literal == nil || *up.Set[0].Literal != unquoted {
		t.Errorf("Literal = %v, want %s", up.Set[0].Literal, unquoted)
	}
	if !up.Set[0].IsString {
		t.Error("IsString = false")
	}

	plain := mustParse(t, "UPDATE a.b.c SET PatchDocument = '"+json+"'").(*iql.Update)
	if plain.Set[0].IsString || plain.Set[0].Literal == nil || *plain.Set[0].Literal != unquoted {
		t.Errorf("plain literal: IsString=%v Literal=%v", plain.Set[0].IsString, plain.Set[0].Literal)
	}

	ins := mustParse(t, "INSERT INTO a.b.c (A, B) VALUES ('"+json+"', string('"+json+"'))").(*iql.Insert)
	if want := "VALUES ('" + json + "', string('" + json + "'))"; ins.Source != want {
		t.Errorf("Source =\n%s\nwant\n%s", ins.Source, want)
	}
	if diff := cmp.Diff([]bool{false, true}, ins.StringColumns); diff != "" {
		t.Errorf("StringColumns (-want +got):\n%s", diff)
	}

	del := mustParse(t, `DELETE FROM a.b.c WHERE Identifier = 'p|c\n''x'''`).(*iql.Delete)
	if got, _ := del.Where.Literals("identifier"); len(got) != 1 || got[0] != `p|c\n'x'` {
		t.Errorf("Literals = %q", got)
	}
}

func TestParse_insert(t *testing.T) {
	tests := []struct {
		in   string
		want iql.Insert
	}{
		{
			"INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, \"ClientName\", region) SELECT 'p', string('n'), 'r' RETURNING Identifier, \"OperationStatus\"",
			iql.Insert{
				Columns: []string{"UserPoolId", "ClientName", "region"}, Source: "SELECT 'p', string('n'), 'r'",
				StringColumns: []bool{false, true, false}, Returning: []string{"Identifier", "OperationStatus"},
			},
		},
		{
			"insert into a.b.c (x, y) values (1, STRING('a')), (2, 'b') returning *;",
			iql.Insert{
				Columns: []string{"x", "y"}, Source: "values (1, STRING('a')), (2, 'b')", Values: true,
				StringColumns: []bool{false, true}, Returning: []string{"*"},
			},
		},
		{
			// string() must be the whole item to count; an alias is allowed.
			"INSERT INTO a.b.c (x, y, z) SELECT string('a') || 'b', string('c') AS c, string(1) c2",
			iql.Insert{
				Columns: []string{"x", "y", "z"}, Source: "SELECT string('a') || 'b', string('c') AS c, string(1) c2",
				StringColumns: []bool{false, true, true},
			},
		},
		{
			"INSERT INTO a.b.c (x, y) SELECT DISTINCT * FROM a.b.d UNION ALL SELECT 1, 2 ORDER BY 1 LIMIT 2",
			iql.Insert{
				Columns: []string{"x", "y"}, Source: `SELECT DISTINCT * FROM "a.b.d" UNION ALL SELECT 1, 2 ORDER BY 1 LIMIT 2`,
				StringColumns: []bool{false, false}, Tables: []iql.TableRef{{TableName: iql.TableName{"a", "b", "d"}, Pos: 48}},
			},
		},
		{
			"INSERT INTO a.b.c (x, y) SELECT t.*, d.* FROM t, a.b.d d WHERE t.k IN (SELECT k FROM a.b.e)",
			iql.Insert{
				Columns: []string{"x", "y"}, Source: `SELECT t.*, d.* FROM t, "a.b.d" d WHERE t.k IN (SELECT k FROM "a.b.e")`,
				StringColumns: []bool{false, false},
				Tables:        []iql.TableRef{{TableName: iql.TableName{"a", "b", "d"}, Pos: 49}, {TableName: iql.TableName{"a", "b", "e"}, Pos: 85}},
			},
		},
	}
	for _, tt := range tests {
		got := mustParse(t, tt.in).(*iql.Insert)
		tt.want.Base = got.Base
		tt.want.Table = got.Table
		if diff := cmp.Diff(&tt.want, got); diff != "" {
			t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParse_updateAssignments(t *testing.T) {
	st, err := iql.Parse(`UPDATE a.b.c SET "ClientName" = 'x', n = 2, u = NULL, v = null, s = string(x), w = (SELECT 1 FROM a.b.d) WHERE a.b.c.z = 1`)
	if err != nil {
		t.Fatal(err)
	}
	u := st.(*iql.Update)
	lit := func(s string) *string { return &s }
	want := []iql.Assignment{
		{Column: "ClientName", Expr: "'x'", Literal: lit("x"), Pos: 17},
		{Column: "n", Expr: "2", Pos: 37},
		{Column: "u", Expr: "NULL", IsNull: true, Pos: 44},
		{Column: "v", Expr: "null", IsNull: true, Pos: 54},
		{Column: "s", Expr: "string(x)", IsString: true, Pos: 64},
		{Column: "w", Expr: `(SELECT 1 FROM "a.b.d")`, Pos: 79},
	}
	if diff := cmp.Diff(want, u.Set); diff != "" {
		t.Errorf("Set mismatch (-want +got):\n%s", diff)
	}
	if u.Where.SQL != `"a.b.c".z = 1` {
		t.Errorf("Where.SQL = %s", u.Where.SQL)
	}
	if diff := cmp.Diff([]string{"a.b.d"}, tableStrings(u.Tables)); diff != "" {
		t.Errorf("Tables (-want +got):\n%s", diff)
	}
}

func TestParse_hints(t *testing.T) {
	tests := []struct {
		in   string
		want iql.Hints
	}{
		{"/*+ create */ INSERT INTO a.b.c (x) SELECT 1", iql.Hints{{Name: "create", Raw: "create"}}},
		{"INSERT /*+ AWAIT */ INTO a.b.c (x) SELECT 1", iql.Hints{{Name: "await", Raw: "AWAIT"}}},
		{"/*+ statecheck, retries=5, retry_delay = 10 */\nSELECT 1", iql.Hints{
			{Name: "statecheck", Raw: "statecheck"},
			{Name: "retries", Value: "5", Raw: "retries=5"},
			{Name: "retry_delay", Value: "10", Raw: "retry_delay = 10"},
		}},
		{"/*+ AWAIT NOSTATUS */ /*+ x='a b' */ DELETE FROM a.b.c", iql.Hints{
			{Name: "await", Raw: "AWAIT"}, {Name: "nostatus", Raw: "NOSTATUS"}, {Name: "x", Value: "'a", Raw: "x='a"}, {Name: "b'", Raw: "b'"},
		}},
		// Hints elsewhere are ordinary comments; so are /* + */ and /**/.
		{"SELECT 1 /*+ late */ FROM t", nil},
		{"/* + no */ /**/ SELECT 1", nil},
	}
	for _, tt := range tests {
		got := mustParse(t, tt.in).Info().Hints
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Parse(%q) hints mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
	h := mustParse(t, "/*+ Create, RETRIES=3 */ SELECT 1").Info().Hints
	if !h.Has("CREATE") || h.Has("update") {
		t.Errorf("Has: %+v", h)
	}
	if v, ok := h.Get("retries"); !ok || v != "3" {
		t.Errorf(`Get("retries") = %q, %v`, v, ok)
	}
}

func TestParse_lexing(t *testing.T) {
	ok := []struct{ in, sql string }{
		// An unterminated block comment is a comment to the end, as in SQLite.
		{"SELECT 1 /* open", "SELECT 1"},
		{"SELECT x'0aFF', 0x1F, 1_000, .5, 1e-3, 1.5E+2, a->'x', a->>'$.y', a != b, a <> b, a << 2 >> 1", ""},
		{"SELECT ?, ?12, :name, @name, $name, $1", ""},
		{"SELECT \"a\"\"b\", `c``d`, [e f] FROM t", ""},
		{"SELECT 'ends with \\' AS s", ""},
		{"SELECT 'ünï' AS ü, 名前 FROM t", ""},
	}
	for _, tt := range ok {
		s, err := iql.Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		want := tt.sql
		if want == "" {
			want = tt.in
		}
		if got := s.(*iql.Select).SQL; got != want {
			t.Errorf("Parse(%q).SQL = %q, want %q", tt.in, got, want)
		}
	}
}

func TestParse_errors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"UPDATE a.b.c SET x = 1\nWHERE region = 'r'\nRETURNIN ErrorCode",
			`syntax error at line 3, column 1 near "RETURNIN": expected RETURNING or end of statement`},
		{"DELETE FROM a.b.c WHERE", "syntax error at line 1, column 24 at end of input: expected an expression"},
		{"SELECT 12abc", `syntax error at line 1, column 8 near "12abc": unrecognized token`},
		{"SELECT x'abc'", `syntax error at line 1, column 8 near "x'abc'": unrecognized token`},
		{"SELECT a ! b", `syntax error at line 1, column 10 near "!": unrecognized token`},
		{"SELECT $", `syntax error at line 1, column 8 near "$": unrecognized token`},
		{"SELECT 'a", `syntax error at line 1, column 8 near "'a": unterminated string literal`},
		{"SELECT x'00", `syntax error at line 1, column 8 near "x'00": unterminated blob literal`},
		// Nested comments are not supported (as in SQLite): the second */ is
		// an operator pair.
		{"DELETE FROM a.b.c /* a /* b */ c */", `syntax error at line 1, column 32 near "c": expected WHERE, RETURNING or end of statement`},
		{"SELECT 1; SELECT 2", `syntax error at line 1, column 11 near "SELECT": a second statement after ';' (split scripts into statements first)`},
		{"DROP TABLE t", `syntax error at line 1, column 1 near "DROP": unsupported statement: expected SELECT, INSERT, UPDATE, DELETE, SHOW or DESCRIBE`},
		{"(SELECT 1)", `syntax error at line 1, column 1 near "(": expected a statement (SELECT, INSERT, UPDATE, DELETE, SHOW, DESCRIBE …)`},
		{"INSERT INTO a.b.c (x) SELECT 1 RETURNING x + 1", `syntax error at line 1, column 44 near "+": RETURNING takes column names and *, separated by commas`},
		{"INSERT INTO a.b.c (x) SELECT 1 RETURNING", `syntax error at line 1, column 41 at end of input: expected a column name or * after RETURNING`},
		{"INSERT INTO a.b.c (x) SELECT 1, 2", `syntax error at line 1, column 23 near "SELECT": the SELECT has 2 values for 1 column`},
		{"INSERT INTO a.b.c (x) DEFAULT VALUES", `syntax error at line 1, column 23 near "DEFAULT": DEFAULT VALUES is not supported: give the values`},
		{"INSERT OR REPLACE INTO a.b.c (x) SELECT 1", `syntax error at line 1, column 8 near "OR": INSERT OR … is not supported`},
		{"UPDATE a.b.c SET x = 1 WHERE a = 1 ORDER BY x", `syntax error at line 1, column 36 near "ORDER": expected RETURNING or end of statement`},
		{"SELECT * FROM t WHERE x IN (1, 2", `syntax error at line 1, column 28 near "(": this '(' is never closed`},
		{"SELECT 'x' FROM t; ", ""},
		{"SELECT 'x' FROM t;; ; -- end", ""},
		{"SHOW AUTH", `syntax error at line 1, column 6 near "AUTH": SHOW AUTH is not supported`},
		{"SHOW INSERT awscc.cognito.user_pools", `syntax error at line 1, column 13 near "awscc": expected INTO`},
		{"REGISTRY PULL awscc", `syntax error at line 1, column 10 near "PULL": REGISTRY PULL is not needed: the awscc provider is embedded in ccql (REGISTRY LIST shows its version)`},
		{"DESCRIBE a.b", `syntax error at line 1, column 10 near "a": expected a resource name provider.service.resource (like awscc.cognito.user_pool_clients)`},
		{"SHOW METHODS IN a.b", `syntax error at line 1, column 17 near "a": expected a name like awscc.cognito.user_pool_clients`},
		{"ROLLBACK TO SAVEPOINT x", `syntax error at line 1, column 10 near "TO": savepoints are not supported`},
		{"SELECT '" + strings.Repeat("x", 100) + "' 1", `syntax error at line 1, column 110 near "1": expected …`},
	}
	for _, tt := range tests {
		_, err := iql.Parse(tt.in)
		if tt.want == "" {
			if err != nil {
				t.Errorf("Parse(%q): %v", tt.in, err)
			}
			continue
		}
		if strings.HasSuffix(tt.want, "expected …") {
			// SQLite's business; iql passes it on.
			if err != nil {
				t.Errorf("Parse(%q) = %v, want no error (SQLite reports it)", tt.in, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want %s", tt.in, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%q) error\n got: %v\nwant: %s", tt.in, err, tt.want)
		}
		if !errors.Is(err, iql.ErrSyntax) {
			t.Errorf("Parse(%q) error is not ErrSyntax", tt.in)
		}
	}
}

func TestParse_longTokenShortenedInError(t *testing.T) {
	_, err := iql.Parse("DELETE FROM a.b.c WHERE x = 1 '" + strings.Repeat("é", 60) + "'")
	var se *iql.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v", err)
	}
	if want := "'" + strings.Repeat("é", 19) + "…"; se.Near != want {
		t.Errorf("Near = %q, want %q", se.Near, want)
	}
}

func TestParse_empty(t *testing.T) {
	for _, in := range []string{"", "  ", ";", "-- c\n", "/* c */ ;", "/*+ create */"} {
		if _, err := iql.Parse(in); !errors.Is(err, iql.ErrEmpty) {
			t.Errorf("Parse(%q) = %v, want ErrEmpty", in, err)
		}
	}
}

func TestParse_statementKinds(t *testing.T) {
	tests := []struct {
		in   string
		want iql.Statement
	}{
		{"SHOW PROVIDERS", &iql.Show{Kind: iql.ShowProviders}},
		{"SHOW SERVICES", &iql.Show{Kind: iql.ShowServices}},
		{"SHOW SERVICES FROM awscc LIKE 'c%'", &iql.Show{Kind: iql.ShowServices, Provider: "awscc", Like: ptr("c%")}},
		{"show extended resources in awscc.cognito where name like '%pool%'", &iql.Show{Kind: iql.ShowResources, Extended: true, Provider: "awscc", Service: "cognito", Where: "name like '%pool%'"}},
		{`SHOW METHODS IN "awscc.cognito.user_pools"`, &iql.Show{Kind: iql.ShowMethods, Provider: "awscc", Service: "cognito", Resource: "user_pools"}},
		{"SHOW ALL", &iql.ShowVar{Name: "all"}},
		{"SHOW search_path", &iql.ShowVar{Name: "search_path"}},
		{"DESCRIBE EXTENDED awscc.cognito.user_pools", &iql.Describe{Extended: true, Table: iql.TableRef{TableName: iql.TableName{"awscc", "cognito", "user_pools"}, Pos: 18}}},
		{"desc awscc.cognito.user_pools;", &iql.Describe{Table: iql.TableRef{TableName: iql.TableName{"awscc", "cognito", "user_pools"}, Pos: 5}}},
		{"SET LOCAL statement_timeout TO 5000", &iql.Set{Local: true, Name: "statement_timeout", Value: "5000", Values: []string{"5000"}}},
		{"SET NAMES 'utf8'", &iql.Set{Name: "names", Value: "'utf8'", Values: []string{"utf8"}}},
		{"SET datestyle = ISO, MDY", &iql.Set{Name: "datestyle", Value: "ISO, MDY", Values: []string{"ISO", "MDY"}}},
		{"SET x.y = 'a' || 'b'", &iql.Set{Name: "x.y", Value: "'a' || 'b'", Values: []string{"'a' || 'b'"}}},
		{"BEGIN DEFERRED TRANSACTION", &iql.Begin{}},
		{"begin read only", &iql.Begin{}},
		{"COMMIT WORK", &iql.Commit{}},
		{"END", &iql.Commit{}},
		{"ROLLBACK AND NO CHAIN", &iql.Rollback{}},
		{"USE awscc", &iql.Use{Name: "awscc"}},
	}
	for _, tt := range tests {
		got := mustParse(t, tt.in)
		*tt.want.Info() = *got.Info()
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func ptr(s string) *string { return &s }

func TestNames(t *testing.T) {
	s := mustParse(t, "SELECT * FROM a.b.c, A.B.C, a.b.d, a.b.c").(*iql.Select)
	got := iql.Names(s.Tables)
	want := []iql.TableName{{"a", "b", "c"}, {"a", "b", "d"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Names mismatch (-want +got):\n%s", diff)
	}
	if id := got[0].Ident(); id != `"a.b.c"` {
		t.Errorf("Ident = %s", id)
	}
}

func TestLineCol(t *testing.T) {
	src := "ab\ncdé\nf"
	tests := []struct{ pos, line, col int }{{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {7, 2, 4}, {8, 3, 1}, {100, 3, 2}}
	for _, tt := range tests {
		if l, c := iql.LineCol(src, tt.pos); l != tt.line || c != tt.col {
			t.Errorf("LineCol(%d) = %d:%d, want %d:%d", tt.pos, l, c, tt.line, tt.col)
		}
	}
}

func TestParse_deepNesting(t *testing.T) {
	deep := "DELETE FROM a.b.c WHERE " + strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000)
	_, err := iql.Parse(deep)
	var se *iql.SyntaxError
	if !errors.As(err, &se) || se.Msg != "expression nested too deeply" {
		t.Errorf("Parse(deep) = %v, want a nesting error", err)
	}
	ok := "DELETE FROM a.b.c WHERE " + strings.Repeat("(", 500) + "x = 'a'" + strings.Repeat(")", 500)
	if _, err := iql.Parse(ok); err != nil {
		t.Fatalf("Parse(500 deep): %v", err)
	}
	// Bindings are looked for through a few parentheses, not through any
	// number (each level is parsed again).
	d := mustParse(t, "DELETE FROM a.b.c WHERE ((((y = 'b'))))").(*iql.Delete)
	if v, ok := d.Where.Literals("y"); !ok || v[0] != "b" {
		t.Errorf("bindings through 4 parentheses: %v %v", v, ok)
	}
}
