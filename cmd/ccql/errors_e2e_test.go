package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2E_Errors checks that every failure exits non-zero, prints nothing on
// stdout, and names the statement, the resource and the cause on stderr.
func TestE2E_Errors(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	env := []string{"CCQL_DATA_DIR=" + t.TempDir()}
	cases := []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{"syntax", []string{"exec", "SELEC region FROM awscc.cognito.user_pools"}, 1, []string{"<arg>:1", "syntax error"}},
		{"unknown resource", []string{"exec", "SELECT * FROM awscc.cognito.no_such_things WHERE region = 'us-east-1'"}, 1, []string{"unknown resource", "awscc.cognito.no_such_things"}},
		{"unknown column on insert", []string{"exec", "INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, Bogus, region) SELECT 'x', 'y', 'us-east-1'"}, 1, []string{"unknown column", `"Bogus"`, "awscc.cognito.user_pool_clients"}},
		{"unknown column on select", []string{"exec", "SELECT bogus FROM awscc.cognito.user_pools WHERE region = 'us-east-1'"}, 1, []string{"unknown column", "bogus"}},
		{"missing region", []string{"exec", "SELECT user_pool_id FROM awscc.cognito.user_pools_list_only"}, 1, []string{"missing key", "region"}},
		{"missing region on insert", []string{"exec", "INSERT INTO awscc.cognito.user_pools (UserPoolName) SELECT 'p'"}, 1, []string{"missing key", "region"}},
		{"service error", []string{"exec", "INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, AuthSessionValidity, region) SELECT 'us-east-1_abcdefghi', 2, 'us-east-1'"}, 1, []string{"ValidationException", "AuthSessionValidity"}},
		{"undefined variable", []string{"exec", "SELECT * FROM awscc.cognito.user_pools WHERE region = '{{ region }}'"}, 1, []string{"region"}},
		{"bad output format", []string{"exec", "-o", "xml", "SHOW PROVIDERS"}, 2, []string{"xml"}},
		{"stops at first failure", []string{"exec", "SHOW PROVIDERS; SELEC 1; SHOW PROVIDERS"}, 1, []string{"<arg>:1", "SELEC 1"}},
		{"second line reported", []string{"exec", "SHOW PROVIDERS;\nSELECT * FROM awscc.x.y WHERE region = 'r'"}, 1, []string{"<arg>:2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := ccqlBin(t, env, c.args...)
			if code != c.code {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, c.code, errOut)
			}
			if c.name != "stops at first failure" && c.name != "second line reported" && out != "" {
				t.Errorf("stdout = %q, want nothing for a failed statement", out)
			}
			for _, s := range c.contains {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr %q does not contain %q", errOut, s)
				}
			}
		})
	}
}

// TestE2E_ContinueOnError runs past a failing statement and still fails the run.
func TestE2E_ContinueOnError(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	out, errOut, code := ccqlBin(t, []string{"CCQL_DATA_DIR=" + t.TempDir()}, "exec", "-o", "csv", "--continue-on-error",
		"SELEC 1; SHOW SERVICES IN awscc LIKE 'cognito'")
	if code != 1 {
		t.Errorf("exit code = %d, want 1", code)
	}
	if !strings.Contains(out, "cognito:v00.00.00000") {
		t.Errorf("the statement after the failure did not run: stdout %q", out)
	}
	if !strings.Contains(errOut, "1 of 2 statements failed") {
		t.Errorf("stderr %q does not count the failure", errOut)
	}
}

// TestE2E_OutputFileKeptOnFailure: a run that fails before printing
// anything leaves an existing --output-file untouched; a good run writes it.
func TestE2E_OutputFileKeptOnFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	env := []string{"CCQL_DATA_DIR=" + t.TempDir()}
	path := filepath.Join(t.TempDir(), "out.csv")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, code := ccqlBin(t, env, "exec", "--output-file", path, "SELEC 1"); code == 0 {
		t.Fatal("a syntax error exited 0")
	}
	if b, _ := os.ReadFile(path); string(b) != "old\n" {
		t.Errorf("after a failed run the file holds %q, want it untouched", b)
	}
	if _, errOut, code := ccqlBin(t, env, "exec", "-o", "csv", "--output-file", path, "SHOW SERVICES IN awscc LIKE 'cognito'"); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "cognito:v00.00.00000") {
		t.Errorf("after a good run the file holds %q", b)
	}
}
