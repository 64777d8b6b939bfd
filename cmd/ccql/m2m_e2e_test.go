package main

import (
	"strings"
	"testing"
)

// m2mRun runs examples/m2m.iql, and a client whose scope no resource server
// defines, through the binary on one backend, and checks the outputs
// against the same golden files, so the embedded emulator and an endpoint
// must answer the joins identically.
func m2mRun(t *testing.T, backend []string) {
	t.Helper()
	env := []string{"CCQL_DATA_DIR=" + t.TempDir()}
	run := func(name string, args ...string) string {
		t.Helper()
		out, errOut, code := ccqlBin(t, env, append(append([]string{"exec"}, backend...), args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errOut)
		}
		return out
	}

	checkGolden(t, "m2m/example", run("example", "-f", "examples/m2m.iql"))
	// The example cleans up after itself.
	left := run("leftovers", "-o", "csv", "SELECT count(*) AS pools FROM awscc.cognito.user_pools_list_only WHERE region = 'us-east-1'")
	if left != "pools\n0\n" {
		t.Errorf("pools left after the example:\n%s", left)
	}

	// A scope that no resource server of the pool defines fails the client
	// (Cognito's ScopeDoesNotExistException), and the same join that lists
	// defined scopes shows nothing for the pool.
	pool := strings.TrimSpace(run("pool", "-o", "text", "--wait",
		"INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'm2m-bad', 'us-east-1' RETURNING Identifier"))
	run("resource server", "--wait", "INSERT INTO awscc.cognito.user_pool_resource_servers (UserPoolId, Identifier, Name, Scopes, region) SELECT '"+pool+
		`', 'https://orders.example.com', 'orders-api', '[{"ScopeName":"orders.read","ScopeDescription":"Read orders"}]', 'us-east-1'`)
	// Awaited, the FAILED request is an error (exit 1, the AWS code and
	// message), and its row is still printed.
	out, errOut, code := ccqlBin(t, env, append(append([]string{"exec"}, backend...), "-o", "json", "--wait",
		`INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, GenerateSecret, AllowedOAuthFlows, AllowedOAuthFlowsUserPoolClient, AllowedOAuthScopes, region)
SELECT '`+pool+`', 'bad-worker', true, '["client_credentials"]', true, '["https://orders.example.com/orders.read","https://orders.example.com/orders.delete"]', 'us-east-1'
RETURNING Operation, OperationStatus, ErrorCode, StatusMessage, TypeName`)...)
	if code != 1 || !strings.Contains(errOut, "FAILED InvalidRequest: Invalid scope requested: https://orders.example.com/orders.delete") {
		t.Errorf("client with an undefined scope: exit %d, want 1 with the AWS code and message; stderr:\n%s", code, errOut)
	}
	checkGolden(t, "m2m/undefined-scope", out)
	clients := run("clients", "-o", "csv", "SELECT count(*) AS clients FROM awscc.cognito.user_pool_clients_list_only WHERE region = 'us-east-1' AND user_pool_id = '"+pool+"'")
	if clients != "clients\n0\n" {
		t.Errorf("a failed client was stored:\n%s", clients)
	}
}

// TestE2E_M2MEmbedded runs examples/m2m.iql on the embedded emulator.
func TestE2E_M2MEmbedded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	m2mRun(t, nil)
}

// TestE2E_M2MEndpoint runs the same statements through the AWS SDK against
// a ccql serve started here.
func TestE2E_M2MEndpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	addr := startServe(t)
	m2mRun(t, []string{"--endpoint", "http://" + addr})
}
