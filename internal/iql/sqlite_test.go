package iql_test

import (
	"database/sql"
	"database/sql/driver"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ccql/ccql/internal/iql"
	"modernc.org/sqlite"
)

var registerString sync.Once

// openSQLite opens an in-memory SQLite with string() registered as the
// identity function, as the engine does.
func openSQLite(t *testing.T) *sql.DB {
	t.Helper()
	registerString.Do(func() {
		err := sqlite.RegisterDeterministicScalarFunction("string", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			return args[0], nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one in-memory database
	t.Cleanup(func() { db.Close() })
	return db
}

// TestRewrite_sqliteAccepts hands every SQL fragment iql produces for the
// golden scripts to SQLite, over tables named as the engine names its
// virtual tables. SQLite must find no syntax error and every table; only
// errors about columns are allowed, since the stand-in tables have none of
// the resources' columns.
func TestRewrite_sqliteAccepts(t *testing.T) {
	db := openSQLite(t)
	// Two-part names and plain tables in the scripts are SQLite's own.
	for _, q := range []string{"ATTACH ':memory:' AS cognito", "CREATE TABLE cognito.user_pools (dummy)", "CREATE TABLE t (dummy)"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	created := map[string]bool{}
	table := func(n iql.TableName) string {
		id := n.Ident()
		if !created[strings.ToLower(id)] {
			if _, err := db.Exec("CREATE TABLE " + id + " (dummy)"); err != nil {
				t.Fatalf("create %s: %v", id, err)
			}
			created[strings.ToLower(id)] = true
		}
		return id
	}
	check := func(what, q string) {
		t.Helper()
		stmt, err := db.Prepare(q)
		if err == nil {
			stmt.Close()
			return
		}
		if msg := err.Error(); !strings.Contains(msg, "no such column") && !strings.Contains(msg, "cannot join using column") {
			t.Errorf("%s: SQLite rejects\n%s\n: %v", what, q, err)
		}
	}
	files, _ := filepath.Glob("testdata/parse/*.iql")
	for _, f := range files {
		if strings.HasSuffix(f, "errors.iql") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pieces, err := iql.Split(string(src))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pieces {
			st, err := p.Parse()
			if err != nil {
				t.Fatalf("%s:%d: %v", f, p.Line, err)
			}
			where := func(s string) string { return f + ":" + s }
			switch s := st.(type) {
			case *iql.Select:
				for _, n := range iql.Names(s.Tables) {
					table(n)
				}
				check(where("select"), s.SQL)
			case *iql.Insert:
				for _, n := range iql.Names(s.Tables) {
					table(n)
				}
				check(where("insert source"), s.Source)
			case *iql.Update:
				for _, n := range iql.Names(s.Tables) {
					table(n)
				}
				id := table(s.Table.TableName)
				for _, a := range s.Set {
					check(where("set "+a.Column), "SELECT "+a.Expr+" FROM "+id)
				}
				if s.Where.SQL != "" {
					check(where("update where"), "SELECT 1 FROM "+id+" WHERE "+s.Where.SQL)
				}
			case *iql.Delete:
				for _, n := range iql.Names(s.Tables) {
					table(n)
				}
				id := table(s.Table.TableName)
				if s.Where.SQL != "" {
					check(where("delete where"), "SELECT 1 FROM "+id+" WHERE "+s.Where.SQL)
				}
			}
		}
	}
}
