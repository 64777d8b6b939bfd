package pgwire_test

import (
	"bytes"
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/pgwire"
)

// psql runs the psql client against ts with one -c per statement (all on
// one connection) and returns stdout, stderr and the exit error.
func psql(t *testing.T, ts *testServer, user, password, sslmode string, extra []string, statements ...string) (string, string, error) {
	t.Helper()
	bin, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed (apt-get install postgresql-client)")
	}
	conn := "host=127.0.0.1 port=" + strconv.Itoa(ts.addr.Port) + " user=" + user + " dbname=ccql sslmode=" + sslmode
	args := []string{"-X", "-q", "-A", "-t", "-F", "\t", "-d", conn}
	args = append(args, extra...)
	for _, s := range statements {
		args = append(args, "-c", s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(cmd.Environ(), "PGPASSWORD="+password, "PGCONNECT_TIMEOUT=10", "PGAPPNAME=ccql-test")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	return stdout.String(), stderr.String(), err
}

const returningAll = ` RETURNING ErrorCode, EventTime, Identifier, Operation, OperationStatus, RequestToken, ResourceModel, RetryAfter, StatusMessage, TypeName`

// field returns column i of a psql -A -t -F '\t' line.
func field(t *testing.T, line string, i int) string {
	t.Helper()
	f := strings.Split(strings.TrimRight(line, "\n"), "\t")
	if i >= len(f) {
		t.Fatalf("line %q has no field %d", line, i)
	}
	return f[i]
}

func TestPsql_SeedStatements(t *testing.T) {
	eng, err := ccql.Open(context.Background(), ccql.Config{DataDir: t.TempDir(), Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	users, _ := usersFile(t, map[string]string{"ops": "correct horse"})
	ts := startServer(t, eng, pgwire.Config{Users: users})
	run := func(statements ...string) string {
		t.Helper()
		out, errOut, err := psql(t, ts, "ops", "correct horse", "disable", []string{"-v", "ON_ERROR_STOP=1"}, statements...)
		if err != nil {
			t.Fatalf("psql: %v\n%s", err, errOut)
		}
		return out
	}

	out := run(`INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'p', 'us-east-1' RETURNING Identifier, OperationStatus`)
	poolID := field(t, out, 0)
	if !strings.HasPrefix(poolID, "us-east-1_") || field(t, out, 1) != "SUCCESS" {
		t.Fatalf("create pool: %q", out)
	}

	out = run(`/*+ create */
INSERT INTO awscc.cognito.user_pool_clients (
UserPoolId,
region
)
SELECT
'` + poolID + `',
'us-east-1'` + returningAll + `;`)
	ident := field(t, out, 2)
	if field(t, out, 3) != "CREATE" || field(t, out, 4) != "SUCCESS" || !strings.HasPrefix(ident, poolID+"|") {
		t.Fatalf("create client: %q", out)
	}
	if ev := field(t, out, 1); !strings.HasSuffix(ev, "+00") {
		t.Errorf("EventTime %q is not a timestamptz", ev)
	}
	clientID := strings.TrimPrefix(ident, poolID+"|")

	seedSelect := `SELECT
region, client_name, explicit_auth_flows, generate_secret, read_attributes, auth_session_validity,
refresh_token_validity, access_token_validity, id_token_validity, token_validity_units,
refresh_token_rotation, user_pool_id, write_attributes, allowed_oauth_flows,
allowed_oauth_flows_user_pool_client, allowed_oauth_scopes, callback_urls, default_redirect_uri,
logout_urls, supported_identity_providers, analytics_configuration, prevent_user_existence_errors,
enable_token_revocation, enable_propagate_additional_user_context_data, name, client_secret, client_id
FROM awscc.cognito.user_pool_clients
WHERE
region = 'us-east-1' AND
Identifier = '` + ident + `';`
	out = run(seedSelect)
	if got := strings.Count(strings.TrimRight(out, "\n"), "\t") + 1; got != 27 {
		t.Fatalf("SELECT returned %d columns, want 27: %q", got, out)
	}
	if field(t, out, 0) != "us-east-1" || field(t, out, 11) != poolID || field(t, out, 26) != clientID {
		t.Errorf("SELECT row: %q", out)
	}

	out = run(`/*+ update */
UPDATE awscc.cognito.user_pool_clients
SET PatchDocument = string('[{"op": "add", "path": "/ClientName", "value": "renamed"}]')
WHERE
region = 'us-east-1' AND
Identifier = '` + ident + `'` + returningAll + `;`)
	if field(t, out, 3) != "UPDATE" || field(t, out, 4) != "SUCCESS" {
		t.Fatalf("update: %q", out)
	}
	out = run(`SELECT client_name FROM awscc.cognito.user_pool_clients WHERE region = 'us-east-1' AND Identifier = '` + ident + `'`)
	if strings.TrimSpace(out) != "renamed" {
		t.Errorf("client_name after update = %q", out)
	}

	out = run(`/*+ delete */
DELETE FROM awscc.cognito.user_pool_clients
WHERE
Identifier = '` + ident + `' AND
region = 'us-east-1'` + returningAll + `;`)
	if field(t, out, 3) != "DELETE" || field(t, out, 4) != "SUCCESS" {
		t.Fatalf("delete: %q", out)
	}
	out = run(`SELECT count(*) FROM awscc.cognito.user_pool_clients_list_only WHERE region = 'us-east-1' AND user_pool_id = '` + poolID + `'`)
	if strings.TrimSpace(out) != "0" {
		t.Errorf("clients left after delete: %q", out)
	}
}

func TestPsql_ErrorThenGoodQuery(t *testing.T) {
	ts := startServer(t, newEngine(t), pgwire.Config{})
	out, errOut, err := psql(t, ts, "me", "", "disable", nil,
		"SELECT nope FROM awscc.cognito.user_pools_list_only WHERE region = 'us-east-1'",
		"SELECT 'still here'", "SELECT version()")
	if err != nil && !strings.Contains(errOut, "ERROR") {
		t.Fatalf("psql: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "ERROR:") || !strings.Contains(errOut, "nope") {
		t.Errorf("stderr %q does not report the unknown column", errOut)
	}
	if !strings.HasPrefix(out, "still here\nPostgreSQL 16.0") {
		t.Errorf("second statement on the same connection: %q", out)
	}
}

func TestPsql_WrongPasswordRefused(t *testing.T) {
	users, _ := usersFile(t, map[string]string{"ops": "right"})
	ts := startServer(t, newBlockingEngine(), pgwire.Config{Users: users})
	_, errOut, err := psql(t, ts, "ops", "wrong", "disable", nil, "SELECT 1")
	if err == nil {
		t.Fatal("psql connected with a wrong password")
	}
	if !strings.Contains(errOut, `password authentication failed for user "ops"`) {
		t.Errorf("stderr: %q", errOut)
	}
	out, errOut, err := psql(t, ts, "ops", "right", "disable", nil, "SELECT 'in'")
	if err != nil || strings.TrimSpace(out) != "done" {
		t.Errorf("right password: %v %q %q", err, out, errOut)
	}
}

func TestPsql_TLSVerifyFull(t *testing.T) {
	p := newPKI(t)
	cfg, err := pgwire.LoadTLSConfig(p.serverCert, p.serverKey, "")
	if err != nil {
		t.Fatal(err)
	}
	users, _ := usersFile(t, map[string]string{"ops": "pw"})
	ts := startServer(t, newEngine(t), pgwire.Config{Users: users, TLS: cfg})
	out, errOut, err := psql(t, ts, "ops", "pw", "verify-full sslrootcert="+p.caFile, nil,
		"SELECT 'tls ok'", "SHOW SERVICES IN awscc LIKE 'cognito%'")
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, errOut)
	}
	if !strings.HasPrefix(out, "tls ok\n") || !strings.Contains(out, "cognito") {
		t.Errorf("output: %q", out)
	}
	// A client that trusts another CA refuses the server.
	other := newPKI(t)
	if _, _, err := psql(t, ts, "ops", "pw", "verify-full sslrootcert="+other.caFile, nil, "SELECT 1"); err == nil {
		t.Error("verify-full accepted a certificate from an unknown CA")
	}
	// Mutual TLS: psql with a client certificate.
	mcfg, err := pgwire.LoadTLSConfig(p.serverCert, p.serverKey, p.caFile)
	if err != nil {
		t.Fatal(err)
	}
	mts := startServer(t, newEngine(t), pgwire.Config{TLS: mcfg})
	out, errOut, err = psql(t, mts, "alice", "", "verify-full sslrootcert="+p.caFile+" sslcert="+p.clientCert+" sslkey="+p.clientKey, nil, "SELECT 'mtls ok'")
	if err != nil || strings.TrimSpace(out) != "mtls ok" {
		t.Errorf("mutual TLS: %v %q %q", err, out, errOut)
	}
}
