package pgwire_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ccql/ccql/pgwire"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

func TestServer_ExtendedProtocolTypes(t *testing.T) {
	ts := startServer(t, newEngine(t), pgwire.Config{})
	c := connect(t, ts.url("alice", ""))
	ctx := ctxT(t)

	var poolID string
	var status string
	var eventTime time.Time
	var model map[string]any
	err := c.QueryRow(ctx, `INSERT /*+ AWAIT */ INTO awscc.cognito.user_pools (UserPoolName, region)
		SELECT $1, $2 RETURNING Identifier, OperationStatus, EventTime, ResourceModel`, "pool-a", "us-east-1").
		Scan(&poolID, &status, &eventTime, &model)
	if err != nil {
		t.Fatalf("insert pool: %v", err)
	}
	if status != "SUCCESS" || !strings.HasPrefix(poolID, "us-east-1_") || eventTime.IsZero() {
		t.Fatalf("insert pool = %q %q %v", poolID, status, eventTime)
	}
	var clientIdent string
	err = c.QueryRow(ctx, `INSERT /*+ AWAIT */ INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, GenerateSecret, AccessTokenValidity, ExplicitAuthFlows, region)
		SELECT $1, 'app', true, $2, '["ALLOW_REFRESH_TOKEN_AUTH","ALLOW_USER_SRP_AUTH"]', 'us-east-1' RETURNING Identifier`, poolID, 2).Scan(&clientIdent)
	if err != nil {
		t.Fatalf("insert client: %v", err)
	}

	rows, err := c.Query(ctx, `SELECT client_name, generate_secret, access_token_validity, explicit_auth_flows, logout_urls
		FROM awscc.cognito.user_pool_clients WHERE region = $1 AND Identifier = $2`, "us-east-1", clientIdent)
	if err != nil {
		t.Fatal(err)
	}
	fields := rows.FieldDescriptions()
	var gotOIDs []uint32
	for _, f := range fields {
		gotOIDs = append(gotOIDs, f.DataTypeOID)
	}
	if d := cmp.Diff([]uint32{25, 16, 20, 3802, 3802}, gotOIDs); d != "" {
		t.Errorf("column OIDs (-want +got):\n%s", d)
	}
	if !rows.Next() {
		t.Fatalf("no row: %v", rows.Err())
	}
	var (
		name    string
		secret  bool
		access  int64
		flows   []string
		logouts []string
	)
	if err := rows.Scan(&name, &secret, &access, &flows, &logouts); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if name != "app" || !secret || access != 2 || logouts != nil {
		t.Errorf("row = %q %v %d %v %v", name, secret, access, flows, logouts)
	}
	if d := cmp.Diff([]string{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"}, flows); d != "" {
		t.Errorf("explicit_auth_flows (-want +got):\n%s", d)
	}

	// Text format (pgx's simple protocol) carries the same values.
	var raw string
	var secretText bool
	err = c.QueryRow(ctx, `SELECT explicit_auth_flows, generate_secret FROM awscc.cognito.user_pool_clients
		WHERE region = 'us-east-1' AND Identifier = '`+clientIdent+`'`, pgx.QueryExecModeSimpleProtocol).Scan(&raw, &secretText)
	if err != nil {
		t.Fatal(err)
	}
	var decoded []string
	if err := json.Unmarshal([]byte(raw), &decoded); err != nil || len(decoded) != 2 || !secretText {
		t.Errorf("text format: %q %v (%v)", raw, secretText, err)
	}
}
