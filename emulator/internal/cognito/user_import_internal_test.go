package cognito

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/ccql/ccql/internal/handler"
)

var importColumns = []string{"email", "email_verified", "phone_number", "phone_number_verified", "given_name", "cognito:mfa_enabled", "cognito:username"}

func TestParseImportCSV_Header(t *testing.T) {
	tests := []struct {
		name, csv string
		wantErr   string // "" for success
		rows      int
	}{
		{"any order", "cognito:mfa_enabled,cognito:username,email\nfalse,a,a@example.com\n", "", 1},
		{"byte order mark", "\ufeffcognito:username,cognito:mfa_enabled\na,false\n", "", 1},
		{"unknown column", "cognito:username,cognito:mfa_enabled,nickname2\n", `unknown column "nickname2"`, 0},
		{"twice", "cognito:username,cognito:mfa_enabled,email,email\n", `column "email" appears twice`, 0},
		{"no username column", "cognito:mfa_enabled,email\n", `column "cognito:username" is missing`, 0},
		{"no mfa column", "cognito:username,email\n", `column "cognito:mfa_enabled" is missing`, 0},
		{"empty file", "", "invalid user import CSV header", 0},
		{"ragged row", "cognito:username,cognito:mfa_enabled\na\n", "wrong number of fields", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := parseImportCSV([]byte(tc.csv), importColumns)
			if tc.wantErr == "" {
				if err != nil || len(rows) != tc.rows {
					t.Fatalf("rows %d err %v, want %d rows", len(rows), err, tc.rows)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestImportJob_RowErrors checks each row rule and that the failures are
// recorded with their CSV line.
func TestImportJob_RowErrors(t *testing.T) {
	tx := newMemTx()
	env := handler.Env{Account: "123456789012", Region: "us-east-1"}
	ctx := context.Background()
	run := func(op, body string) map[string]any {
		t.Helper()
		out, err := Operations()[op](ctx, env, tx, []byte(body))
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		m, _ := encodeModel(out)
		return m
	}
	pool := run("CreateUserPool", `{"PoolName":"imp","Schema":[{"Name":"given_name","Required":true}]}`)["UserPool"].(map[string]any)["Id"].(string)
	rows := []struct {
		fields string // email,email_verified,phone_number,phone_number_verified,given_name,cognito:mfa_enabled,cognito:username
		err    string // "" when imported
	}{
		{"ok@example.com,true,,,Ok,false,ok", ""},
		{"nov@example.com,false,,,Nov,false,nov", "The user must have a verified email or phone_number (email_verified or phone_number_verified true)."},
		{"noname@example.com,true,,,,false,noname", "given_name"},
		{"mfa@example.com,true,,,Mfa,true,mfa", "A user with cognito:mfa_enabled true must have a phone_number."},
		{"bad@example.com,true,,,Bad,maybe,bad", "cognito:mfa_enabled must be true or false."},
		{"nouser@example.com,true,,,No,false,", "cognito:username is required."},
		{"ok2@example.com,true,,,Dup,false,ok", "User account already exists"},
		{",,+15555550100,true,Phone,true,phone", ""},
	}
	csv := strings.Join(importColumns, ",") + "\n"
	for _, r := range rows {
		csv += r.fields + "\n"
	}
	job := run("CreateUserImportJob", `{"UserPoolId":"`+pool+`","JobName":"j","CloudWatchLogsRoleArn":"arn:aws:iam::123456789012:role/r"}`)["UserImportJob"].(map[string]any)
	jobID := job["JobId"].(string)
	if err := putJSON(tx, typePoolSettings, csvKey(pool, jobID), importCSV{Data: []byte(csv)}); err != nil {
		t.Fatal(err)
	}
	done := run("StartUserImportJob", `{"UserPoolId":"`+pool+`","JobId":"`+jobID+`"}`)["UserImportJob"].(map[string]any)
	if done["Status"] != importSucceeded || done["ImportedUsers"] != float64(2) || done["FailedUsers"] != float64(6) {
		t.Fatalf("job = %v", done)
	}
	var stored importJob
	if _, err := getJSON(tx, typePoolSettings, jobKey(pool, jobID), &stored); err != nil {
		t.Fatal(err)
	}
	line := 2
	i := 0
	for _, r := range rows {
		if r.err != "" {
			if i >= len(stored.RowErrors) {
				t.Fatalf("row errors %v: too few", stored.RowErrors)
			}
			got := stored.RowErrors[i]
			if !strings.HasPrefix(got, "Line "+itoa(line)+": ") || !strings.Contains(got, r.err) {
				t.Errorf("row error %q, want line %d with %q", got, line, r.err)
			}
			i++
		}
		line++
	}
	u, err := getUser(tx, mustConfig(t, tx, pool), "phone")
	if err != nil || u.Status != statusResetRequired {
		t.Errorf("phone user: %v %+v", err, u)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func mustConfig(t *testing.T, tx handler.Tx, pool string) *poolConfig {
	t.Helper()
	cfg, err := loadPoolConfig(tx, pool)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// FuzzParseImportCSV checks that no upload makes the parser panic, and
// that every row it returns has a line after the header and only header
// columns.
func FuzzParseImportCSV(f *testing.F) {
	f.Add([]byte("cognito:username,cognito:mfa_enabled,email\na,false,a@example.com\n"))
	f.Add([]byte("\ufeffcognito:mfa_enabled,cognito:username\n\"x\ny\",true\n"))
	f.Add([]byte("cognito:username,cognito:mfa_enabled\n\"unterminated"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := parseImportCSV(data, importColumns)
		if err != nil {
			if errors.Is(err, errImportHeader) && len(rows) != 0 {
				t.Fatalf("rows with a header error")
			}
			return
		}
		for _, r := range rows {
			if r.line < 2 {
				t.Fatalf("row at line %d", r.line)
			}
			for k := range r.fields {
				if !contains(importColumns, k) {
					t.Fatalf("field %q is not a column", k)
				}
			}
		}
	})
}
