package pgwire

import (
	"math"
	"testing"
	"time"

	"github.com/ccql/ccql"
)

func TestEncodeValue(t *testing.T) {
	ts := time.Date(2000, 1, 1, 0, 0, 1, 500000000, time.UTC)
	tests := []struct {
		oid    uint32
		format int16
		v      any
		want   string
	}{
		{oidInt8, 0, int64(-42), "-42"},
		{oidInt8, 1, int64(1), "\x00\x00\x00\x00\x00\x00\x00\x01"},
		{oidInt8, 0, "7", "7"},
		{oidFloat8, 0, 1e6, "1000000"},
		{oidFloat8, 0, 1e15, "1e+15"},
		{oidFloat8, 0, 0.0001, "0.0001"},
		{oidFloat8, 0, 1.5e-5, "1.5e-05"},
		{oidFloat8, 0, math.Inf(-1), "-Infinity"},
		{oidBool, 0, true, "t"},
		{oidBool, 1, int64(0), "\x00"},
		{oidJSONB, 0, ccql.JSON(`[1,2]`), "[1,2]"},
		{oidJSONB, 1, ccql.JSON(`{}`), "\x01{}"},
		{oidJSONB, 0, "not json", `"not json"`},
		{oidTimestamptz, 0, ts, "2000-01-01 00:00:01.5+00"},
		{oidTimestamptz, 1, ts, "\x00\x00\x00\x00\x00\x16\xe3\x60"},
		{oidTimestamptz, 0, "2024-05-06T07:08:09Z", "2024-05-06 07:08:09+00"},
		{oidText, 0, 2.5, "2.5"},
		{oidText, 1, ccql.JSON(`{"a":1}`), `{"a":1}`},
	}
	for _, tt := range tests {
		got, err := encodeValue(nil, tt.oid, tt.format, tt.v)
		if err != nil || string(got) != tt.want {
			t.Errorf("encodeValue(%d, %d, %#v) = %q, %v; want %q", tt.oid, tt.format, tt.v, got, err, tt.want)
		}
	}
	if _, err := encodeValue(nil, oidInt8, 0, "x"); err == nil {
		t.Error("text in an int8 column: no error")
	}
}

func TestFitColumns(t *testing.T) {
	res := &ccql.Result{Columns: []ccql.Column{{Name: "i", Type: ccql.TypeInt}, {Name: "j", Type: ccql.TypeInt}, {Name: "a", Type: ccql.TypeAny}},
		Rows: [][]any{{int64(1), int64(1), int64(1)}, {nil, "oops", "x"}}}
	got := fitColumns(res)
	if got[0] != oidInt8 || got[1] != oidText || got[2] != oidText {
		t.Errorf("fitColumns = %v", got)
	}
}

func TestIntercept(t *testing.T) {
	s := NewServer(nil, Config{Version: "1.2.3"})
	c := &conn{s: s, user: "alice", database: "db", pid: 77, params: map[string]string{"application_name": "psql"}}
	tests := []struct {
		text    string
		cols    []string
		row     []any
		passing bool // goes to the engine
	}{
		{text: "SELECT version()", cols: []string{"version"}, row: []any{"PostgreSQL 16.0 on ccql 1.2.3, compiled by Go"}},
		{text: "select pg_catalog.version() AS v;", cols: []string{"v"}, row: []any{"PostgreSQL 16.0 on ccql 1.2.3, compiled by Go"}},
		{text: "SELECT current_setting('application_name'), current_user, current_database(), pg_backend_pid() pid",
			cols: []string{"current_setting", "current_user", "current_database", "pid"}, row: []any{"psql", "alice", "db", int64(77)}},
		{text: "SHOW server_version_num", cols: []string{"server_version_num"}, row: []any{"160000"}},
		{text: "show TimeZone", cols: []string{"timezone"}, row: []any{"UTC"}},
		{text: "SHOW PROVIDERS", passing: true},
		{text: "SELECT version(), 1", passing: true},
		{text: "SELECT current_user()", passing: true},
		{text: "SELECT * FROM awscc.cognito.user_pools WHERE region = 'x'", passing: true},
	}
	for _, tt := range tests {
		fn := c.intercept(tt.text)
		if tt.passing {
			if fn != nil {
				t.Errorf("%q was answered locally", tt.text)
			}
			continue
		}
		if fn == nil {
			t.Errorf("%q was not answered locally", tt.text)
			continue
		}
		res, err := fn(c)
		if err != nil {
			t.Errorf("%q: %v", tt.text, err)
			continue
		}
		var cols []string
		for _, col := range res.Columns {
			cols = append(cols, col.Name)
		}
		if len(cols) != len(tt.cols) || len(res.Rows) != 1 {
			t.Errorf("%q: columns %v rows %v", tt.text, cols, res.Rows)
			continue
		}
		for i := range cols {
			if cols[i] != tt.cols[i] || res.Rows[0][i] != tt.row[i] {
				t.Errorf("%q: column %d = %s %v, want %s %v", tt.text, i, cols[i], res.Rows[0][i], tt.cols[i], tt.row[i])
			}
		}
	}
}
