package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestE2E_MutationOutcomes runs the reported mutation defects through the
// binary as a user would.
func TestE2E_MutationOutcomes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	env := []string{"CCQL_DATA_DIR=" + t.TempDir()}
	ok := mustCCQL(t, env)
	count := func(q string) string {
		t.Helper()
		out, _ := ok("exec", "-o", "text", q)
		return strings.TrimSpace(out)
	}
	pool, _ := ok("exec", "-o", "text", "--wait", "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'outcomes', 'us-east-1' RETURNING Identifier")
	pool = strings.TrimSpace(pool)
	clients := "SELECT count(*) FROM awscc.cognito.user_pool_clients_list_only WHERE region = 'us-east-1' AND user_pool_id = '" + pool + "'"

	t.Run("RETURNING is checked before any request", func(t *testing.T) {
		_, errOut, code := ccqlBin(t, env, "exec", "INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, region) SELECT '"+pool+"', 'never', 'us-east-1' RETURNING bogus")
		if code != 1 || !strings.Contains(errOut, "RETURNING bogus is not a ProgressEvent field") {
			t.Errorf("exit %d, stderr:\n%s", code, errOut)
		}
		if n := count(clients); n != "0" {
			t.Errorf("clients after the refused INSERT = %s, want 0", n)
		}
	})

	t.Run("every request of a multi-row INSERT is reported", func(t *testing.T) {
		out, errOut, code := ccqlBin(t, env, "exec", "--wait", `INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, region)
			SELECT '`+pool+`', 'good-1', 'us-east-1'
			UNION ALL SELECT 'us-east-1_NoSuchPoo', 'orphan', 'us-east-1'
			UNION ALL SELECT '`+pool+`', hex(zeroblob(100)), 'us-east-1'
			UNION ALL SELECT '`+pool+`', 'good-2', 'us-east-1'`)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		if out != "" {
			t.Errorf("stdout = %q, want nothing (requests are reported on stderr)", out)
		}
		for _, re := range []string{
			`4 request\(s\) sent: 2 SUCCESS, 2 FAILED`,
			`(?m)^\| ` + regexp.QuoteMeta(pool) + `\|\w+ +\| [0-9a-f-]{36} \| SUCCESS .*\n.*us-east-1_NoSuchPoo\|\w+ +\| [0-9a-f-]{36} \| FAILED +\| NotFound .*User pool us-east-1_NoSuchPoo does not exist`,
			`FAILED +\| ValidationException +\| Model validation failed \(#/ClientName: expected maxLength: 128\)`,
			`2 request\(s\) failed:\n  request 2: CreateResource AWS::Cognito::UserPoolClient us-east-1_NoSuchPoo\|\w+ \(request [0-9a-f-]{36}\): FAILED NotFound: User pool us-east-1_NoSuchPoo does not exist`,
			`\n  request 3: CreateResource AWS::Cognito::UserPoolClient: ValidationException: Model validation failed`,
		} {
			if !regexp.MustCompile(re).MatchString(errOut) {
				t.Errorf("stderr lacks %s:\n%s", re, errOut)
			}
		}
		if n := count(clients); n != "2" {
			t.Errorf("clients = %s, want the 2 good ones", n)
		}
	})

	t.Run("--wait without RETURNING fails on FAILED", func(t *testing.T) {
		_, errOut, code := ccqlBin(t, env, "exec", "--wait", "INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, region) SELECT 'us-east-1_NoSuchPoo', 'x', 'us-east-1'")
		if code != 1 || !strings.Contains(errOut, "FAILED NotFound: User pool us-east-1_NoSuchPoo does not exist") {
			t.Errorf("exit %d, want 1 with the code and message; stderr:\n%s", code, errOut)
		}
		if strings.Contains(errOut, "successfully") {
			t.Errorf("stderr claims success:\n%s", errOut)
		}
	})

	t.Run("/*+ AWAIT */ with RETURNING fails on FAILED", func(t *testing.T) {
		out, errOut, code := ccqlBin(t, env, "exec", "-o", "csv", "INSERT /*+ AWAIT */ INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, region) SELECT 'us-east-1_NoSuchPoo', 'x', 'us-east-1' RETURNING OperationStatus, ErrorCode")
		if code != 1 || out != "OperationStatus,ErrorCode\nFAILED,NotFound\n" || !strings.Contains(errOut, "FAILED NotFound") {
			t.Errorf("exit %d, want 1; stdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
	})

	t.Run("without awaiting, the request token is printed", func(t *testing.T) {
		_, errOut := ok("exec", "INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, region) SELECT '"+pool+"', 'later', 'us-east-1'")
		if !regexp.MustCompile(`1 request\(s\) sent: 1 IN_PROGRESS(?s).*\| [0-9a-f-]{36} \| IN_PROGRESS`).MatchString(errOut) {
			t.Errorf("stderr lacks the request token:\n%s", errOut)
		}
	})
}
