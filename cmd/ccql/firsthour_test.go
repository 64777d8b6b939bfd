package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFirstHour_golden repeats what a new user types in the first hour —
// mistakes included — and pins every output and message in
// testdata/e2e/firsthour/<name>.golden (go test -run TestFirstHour -update
// rewrites them). It runs the command in process, so it stays quick.
func TestFirstHour_golden(t *testing.T) {
	dir := t.TempDir()
	vars := filepath.Join(dir, "vars.yaml")
	if err := os.WriteFile(vars, []byte("region: us-east-1\nuser_pool_name: from-template\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tmpl := filepath.Join(dir, "insert.iql")
	cases := []struct {
		name  string
		args  []string
		stdin string
		env   map[string]string
	}{
		// Usage errors name the missing argument and show the synopsis.
		{name: "usage-deploy-missing-env", args: []string{"deploy", "build", "my-stack"}},
		{name: "usage-deploy-missing-both", args: []string{"deploy", "teardown"}},
		{name: "usage-deploy-init", args: []string{"deploy", "init"}},
		{name: "usage-exec-two-args", args: []string{"exec", "SELECT", "1"}},
		{name: "usage-version-arg", args: []string{"version", "now"}},
		// Flags checked before anything is sent.
		{name: "endpoint-no-scheme", args: []string{"exec", "--endpoint", "localhost:4566", "SHOW PROVIDERS"}},
		{name: "endpoint-env-no-host", args: []string{"exec", "SHOW PROVIDERS"}, env: map[string]string{"AWS_ENDPOINT_URL_CLOUDCONTROL": "http://"}},
		{name: "endpoint-bad-scheme", args: []string{"exec", "--endpoint", "ftp://127.0.0.1:4566", "SHOW PROVIDERS"}},
		{name: "region-flag-unknown", args: []string{"exec", "--region", "us-east-9", "SHOW PROVIDERS"}},
		// Did you mean.
		{name: "unknown-resource", args: []string{"exec", "SELECT * FROM awscc.cognito.user_pool WHERE region = 'us-east-1'"}},
		{name: "unknown-resource-pascal", args: []string{"exec", "DESCRIBE awscc.cognito.UserPoolClients"}},
		{name: "unknown-resource-other-service", args: []string{"exec", "SELECT * FROM awscc.cognito.log_groups WHERE region = 'us-east-1'"}},
		{name: "unknown-service", args: []string{"exec", "SHOW RESOURCES IN awscc.cognto"}},
		{name: "unknown-provider", args: []string{"exec", "SELECT * FROM aws.cognito.user_pools WHERE region = 'us-east-1'"}},
		{name: "provider-left-out", args: []string{"exec", "SELECT * FROM cognito.user_pools WHERE region = 'us-east-1'"}},
		{name: "unknown-column", args: []string{"exec", "SELECT user_pol_name FROM awscc.cognito.user_pools WHERE region = 'us-east-1'"}},
		{name: "unknown-insert-column", args: []string{"exec", "INSERT INTO awscc.cognito.user_pools (UserPolName, region) SELECT 'p', 'us-east-1'"}},
		{name: "unknown-region", args: []string{"exec", "SELECT * FROM awscc.cognito.user_pools WHERE region = 'us-east-9'"}},
		// --region is the default region.
		{name: "region-default", args: []string{"exec", "--region", "eu-west-1", "-o", "csv", "--wait",
			"INSERT INTO awscc.cognito.user_pools (UserPoolName) SELECT 'defaulted'; SELECT user_pool_name, region FROM awscc.cognito.user_pools"}},
		{name: "region-missing", args: []string{"exec", "SELECT user_pool_name FROM awscc.cognito.user_pools"}},
		// StackQL statements.
		{name: "show-insert-required", args: []string{"exec", "SHOW INSERT /*+ REQUIRED */ INTO awscc.cognito.user_pool_clients"}},
		{name: "show-insert-all-text", args: []string{"exec", "-o", "text", "SHOW INSERT INTO awscc.cognito.user_pools"}},
		{name: "registry-list", args: []string{"exec", "REGISTRY LIST"}},
		{name: "registry-pull", args: []string{"exec", "REGISTRY PULL awscc"}},
		{name: "show-extended-resources", args: []string{"exec", "SHOW EXTENDED RESOURCES IN awscc.cognito LIKE 'user_pool%'"}},
		// Table output.
		{name: "script-results-apart", args: []string{"exec", "SHOW PROVIDERS; SELECT 1 AS n WHERE 0; SELECT NULL AS empty, 'x' AS x"}},
		{name: "null-flag", args: []string{"exec", "--null", "(null)", "SELECT NULL AS a, 1 AS b"}},
		{name: "null-json-unaffected", args: []string{"exec", "--null", "(null)", "-o", "json", "SELECT NULL AS a"}},
		{name: "zero-rows-csv", args: []string{"exec", "-o", "csv", "SELECT 1 AS n WHERE 0"}},
		{name: "describe-extended-80-columns", args: []string{"exec", "DESCRIBE EXTENDED awscc.logs.log_groups"}, env: map[string]string{"COLUMNS": "80"}},
		{name: "describe-extended-json-full", args: []string{"exec", "-o", "json", "DESCRIBE EXTENDED awscc.logs.log_groups"}, env: map[string]string{"COLUMNS": "80"}},
		// The shell's first words.
		{name: "shell-help", args: []string{"shell", "--no-history"}, stdin: "help\n"},
		{name: "shell-shortcuts", args: []string{"shell", "--no-history", "-o", "csv"}, stdin: ".tables cloud_control\n\\l\n.schema cloud_control.resource_request\n.mode json\nSELECT 1 AS n;\n.quit\nSELECT 2;\n"},
		{name: "shell-unknown", args: []string{"shell", "--no-history"}, stdin: "show tables;\n.indexes\n\\x\nlist;\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, k := range []string{"AWS_ENDPOINT_URL_CLOUDCONTROL", "AWS_REGION", "COLUMNS", "CCQL_DATA_DIR"} {
				t.Setenv(k, c.env[k])
			}
			args := append([]string{}, c.args...)
			if args[0] == "exec" || args[0] == "shell" {
				args = append(args[:1], append([]string{"--data-dir", t.TempDir()}, args[1:]...)...)
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), args, strings.NewReader(c.stdin), &stdout, &stderr)
			var b strings.Builder
			fmt.Fprintf(&b, "$ ccql %s\n", quoteArgs(c.args))
			if c.stdin != "" {
				fmt.Fprintf(&b, "--- stdin\n%s", c.stdin)
			}
			fmt.Fprintf(&b, "--- stdout\n%s--- stderr\n%s--- exit %d\n", stdout.String(), strings.ReplaceAll(stderr.String(), dir, "<DIR>"), code)
			checkGolden(t, "firsthour/"+c.name, b.String())
		})
	}

	// The template SHOW INSERT prints runs as written with --var-file.
	var out, errOut bytes.Buffer
	data := t.TempDir()
	if code := run(context.Background(), []string{"exec", "--data-dir", data, "-o", "text", "SHOW INSERT /*+ REQUIRED */ INTO awscc.cognito.user_pools"}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("SHOW INSERT: exit %d: %s", code, errOut.String())
	}
	tmplText := strings.Replace(out.String(), "  region\n)", "  UserPoolName,\n  region\n)", 1)
	tmplText = strings.Replace(tmplText, "  '{{ region }}'", "  '{{ user_pool_name }}',\n  '{{ region }}'", 1)
	if err := os.WriteFile(tmpl, []byte(tmplText), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errOut.Reset()
	if code := run(context.Background(), []string{"exec", "--data-dir", data, "--wait", "-f", tmpl, "--var-file", vars}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("the generated template failed: exit %d: %s\n%s", code, errOut.String(), tmplText)
	}
	out.Reset()
	if code := run(context.Background(), []string{"exec", "--data-dir", data, "-o", "text", "SELECT user_pool_name FROM awscc.cognito.user_pools WHERE region = 'us-east-1'"}, strings.NewReader(""), &out, &errOut); code != 0 || out.String() != "from-template\n" {
		t.Errorf("after the template ran: exit %d, pools %q", code, out.String())
	}
}

// quoteArgs writes args as a shell would need them.
func quoteArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " '\"*;()$\\\n") || a == "" {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}

func TestStatementHead(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SHOW PROVIDERS", "SHOW PROVIDERS"},
		{"SELECT 1\n  FROM x", "SELECT 1 FROM x"},
		{"INSERT /*+ AWAIT */ INTO awscc.cognito.user_pool_resource_servers (UserPoolId, Identifier, Name) SELECT 1",
			"INSERT /*+ AWAIT */ INTO awscc.cognito.user_pool_resource_servers …"},
		{"SELECT aaaaaaaaaa, bbbbbbbbbb, cccccccccc, dddddddddd, eeeeeeeeee, ffffffffff, gggggggggg",
			"SELECT aaaaaaaaaa, bbbbbbbbbb, cccccccccc, dddddddddd, eeeeeeeeee, …"},
	}
	for _, tt := range tests {
		if got := statementHead(tt.in); got != tt.want {
			t.Errorf("statementHead(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFirstWord(t *testing.T) {
	for in, want := range map[string]string{
		"list;":                        "list",
		"  /*+ AWAIT */ INSERT INTO x": "INSERT",
		"-- note\nshow tables":         "show",
		"/* open":                      "",
		"":                             "",
		"(SELECT 1)":                   "(",
		"é x":                          "é",
		"\\x":                          "\\",
	} {
		if got := firstWord(in); got != want {
			t.Errorf("firstWord(%q) = %q, want %q", in, got, want)
		}
	}
}
