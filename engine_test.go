package ccql_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ccql/ccql"
	"github.com/google/go-cmp/cmp"
)

func openEngine(t testing.TB) *ccql.Engine {
	t.Helper()
	eng, err := ccql.Open(context.Background(), ccql.Config{DataDir: t.TempDir(), Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

func query(t testing.TB, eng *ccql.Engine, stmt string, args ...any) *ccql.Result {
	t.Helper()
	res, err := eng.Query(context.Background(), stmt, args...)
	if err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	return res
}

// column returns one column of a result as a slice.
func column(t testing.TB, res *ccql.Result, name string) []any {
	t.Helper()
	for i, c := range res.Columns {
		if c.Name == name {
			out := make([]any, len(res.Rows))
			for r, row := range res.Rows {
				out[r] = row[i]
			}
			return out
		}
	}
	t.Fatalf("no column %s in %v", name, res.Columns)
	return nil
}

func createPool(t testing.TB, eng *ccql.Engine, region, name string) string {
	t.Helper()
	res := query(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT '%s', '%s' RETURNING Identifier, OperationStatus`, name, region))
	if got := res.Rows[0][1]; got != "SUCCESS" {
		t.Fatalf("create pool: status %v", got)
	}
	return res.Rows[0][0].(string)
}

func TestEngine_SelectTypes(t *testing.T) {
	eng := openEngine(t)
	pool := createPool(t, eng, "us-east-1", "types")
	query(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, ExplicitAuthFlows, GenerateSecret, RefreshTokenValidity, TokenValidityUnits, region)
		SELECT '%s', 'c1', '["ALLOW_USER_SRP_AUTH"]', 'true', '30', '{"RefreshToken":"days"}', 'us-east-1'`, pool))
	res := query(t, eng, `SELECT client_name, generate_secret, refresh_token_validity, explicit_auth_flows, token_validity_units, client_secret
		FROM awscc.cognito.user_pool_clients WHERE region = 'us-east-1' AND user_pool_id = '`+pool+`'`)
	if len(res.Rows) != 1 {
		t.Fatalf("rows = %d, want 1", len(res.Rows))
	}
	row := res.Rows[0]
	if row[0] != "c1" || row[1] != true || row[2] != int64(30) {
		t.Errorf("row = %#v", row)
	}
	if got := string(row[3].(json.RawMessage)); got != `["ALLOW_USER_SRP_AUTH"]` {
		t.Errorf("explicit_auth_flows = %s", got)
	}
	if s, ok := row[5].(string); !ok || len(s) != 52 {
		t.Errorf("client_secret = %#v, want a 52-character secret", row[5])
	}
	wantTypes := []ccql.Type{ccql.TypeText, ccql.TypeBool, ccql.TypeInt, ccql.TypeJSON, ccql.TypeJSON, ccql.TypeText}
	for i, c := range res.Columns {
		if c.Type != wantTypes[i] {
			t.Errorf("column %s type = %v, want %v", c.Name, c.Type, wantTypes[i])
		}
	}
}

func TestEngine_RelationalWork(t *testing.T) {
	eng := openEngine(t)
	p1 := createPool(t, eng, "us-east-1", "rel-a")
	p2 := createPool(t, eng, "us-east-1", "rel-b")
	// Multi-row VALUES and INSERT … SELECT … UNION ALL: one request per row.
	res := query(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, region) VALUES ('%[1]s', 'a1', 'us-east-1'), ('%[1]s', 'a2', 'us-east-1')`, p1))
	if res.RowsAffected != 2 {
		t.Errorf("VALUES created %d, want 2", res.RowsAffected)
	}
	res = query(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, region) SELECT '%[1]s', 'b1', 'us-east-1' UNION ALL SELECT '%[1]s', 'b2', 'us-east-1' UNION ALL SELECT '%[1]s', 'b3', 'us-east-1' RETURNING OperationStatus`, p2))
	if got := column(t, res, "OperationStatus"); !cmp.Equal(got, []any{"SUCCESS", "SUCCESS", "SUCCESS"}) {
		t.Errorf("UNION ALL statuses = %v", got)
	}
	tests := []struct {
		name string
		sql  string
		want [][]any
	}{
		{"join", `SELECT p.user_pool_name, c.client_name FROM awscc.cognito.user_pools p JOIN awscc.cognito.user_pool_clients c ON c.user_pool_id = p.user_pool_id AND c.region = p.region WHERE p.region = 'us-east-1' ORDER BY 2`,
			[][]any{{"rel-a", "a1"}, {"rel-a", "a2"}, {"rel-b", "b1"}, {"rel-b", "b2"}, {"rel-b", "b3"}}},
		{"aggregate", `SELECT user_pool_id = '` + p2 + `' AS is_b, count(*) FROM awscc.cognito.user_pool_clients_list_only WHERE region = 'us-east-1' GROUP BY 1 ORDER BY 1`,
			[][]any{{int64(0), int64(2)}, {int64(1), int64(3)}}},
		{"cte and limit", `WITH c AS (SELECT client_name FROM awscc.cognito.user_pool_clients WHERE region = 'us-east-1') SELECT client_name FROM c ORDER BY client_name DESC LIMIT 2`,
			[][]any{{"b3"}, {"b2"}}},
		{"json_each", `SELECT DISTINCT j.value FROM awscc.cognito.user_pool_clients c, json_each(c.supported_identity_providers) j WHERE c.region = 'us-east-1'`, [][]any{}},
		{"json_extract", `SELECT json_extract(token_validity_units, '$.RefreshToken') IS NULL FROM awscc.cognito.user_pool_clients WHERE region = 'us-east-1' AND client_name = 'a1'`,
			[][]any{{int64(1)}}},
		{"region IN", `SELECT count(*) FROM awscc.cognito.user_pools_list_only WHERE region IN ('us-east-1', 'eu-west-1')`, [][]any{{int64(2)}}},
		{"parameter", `SELECT client_name FROM awscc.cognito.user_pool_clients WHERE region = $1 AND client_name = $2`, [][]any{{"b2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var args []any
			if tt.name == "parameter" {
				args = []any{"us-east-1", "b2"}
			}
			res := query(t, eng, tt.sql, args...)
			if d := cmp.Diff(tt.want, res.Rows); d != "" {
				t.Errorf("rows (-want +got):\n%s", d)
			}
		})
	}
}

func TestEngine_UpdateAndDelete(t *testing.T) {
	eng := openEngine(t)
	pool := createPool(t, eng, "us-east-1", "mut")
	res := query(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, AccessTokenValidity, region, ClientToken) SELECT '%s', 'm1', 2, 'us-east-1', 'tok-1' RETURNING Identifier`, pool))
	id := res.Rows[0][0].(string)

	// SET column = value builds the patch; = NULL removes.
	query(t, eng, fmt.Sprintf(`UPDATE awscc.cognito.user_pool_clients SET client_name = 'm1-renamed', access_token_validity = NULL WHERE region = 'us-east-1' AND Identifier = '%s'`, id))
	res = query(t, eng, fmt.Sprintf(`SELECT client_name, access_token_validity FROM awscc.cognito.user_pool_clients WHERE region = 'us-east-1' AND Identifier = '%s'`, id))
	if d := cmp.Diff([][]any{{"m1-renamed", nil}}, res.Rows); d != "" {
		t.Errorf("after SET (-want +got):\n%s", d)
	}
	// A WHERE without Identifier acts on the rows it selects.
	query(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, region) VALUES ('%[1]s', 'x1', 'us-east-1'), ('%[1]s', 'x2', 'us-east-1')`, pool))
	res = query(t, eng, `DELETE FROM awscc.cognito.user_pool_clients WHERE region = 'us-east-1' AND client_name LIKE 'x%' RETURNING Operation, OperationStatus`)
	if d := cmp.Diff([][]any{{"DELETE", "SUCCESS"}, {"DELETE", "SUCCESS"}}, res.Rows); d != "" {
		t.Errorf("bulk delete (-want +got):\n%s", d)
	}
	res = query(t, eng, `SELECT client_name FROM awscc.cognito.user_pool_clients WHERE region = 'us-east-1'`)
	if d := cmp.Diff([][]any{{"m1-renamed"}}, res.Rows); d != "" {
		t.Errorf("after bulk delete (-want +got):\n%s", d)
	}
	// RETURNING * is the ten ProgressEvent fields; absent ones are NULL.
	res = query(t, eng, fmt.Sprintf(`DELETE FROM awscc.cognito.user_pool_clients WHERE Identifier = '%s' AND region = 'us-east-1' RETURNING *`, id))
	var names []string
	for _, c := range res.Columns {
		names = append(names, c.Name)
	}
	want := []string{"ErrorCode", "EventTime", "Identifier", "Operation", "OperationStatus", "RequestToken", "ResourceModel", "RetryAfter", "StatusMessage", "TypeName"}
	if d := cmp.Diff(want, names); d != "" {
		t.Errorf("RETURNING * columns (-want +got):\n%s", d)
	}
	if res.Rows[0][0] != nil {
		t.Errorf("ErrorCode = %#v, want NULL", res.Rows[0][0])
	}
	// The request ledger as tables.
	tok := res.Rows[0][5].(string)
	res = query(t, eng, fmt.Sprintf(`SELECT Operation, OperationStatus FROM awscc.cloud_control.resource_request WHERE region = 'us-east-1' AND RequestToken = '%s'`, tok))
	if d := cmp.Diff([][]any{{"DELETE", "SUCCESS"}}, res.Rows); d != "" {
		t.Errorf("resource_request (-want +got):\n%s", d)
	}
	res = query(t, eng, `SELECT count(*) FROM awscc.cloud_control.resource_requests WHERE region = 'us-east-1' AND ResourceRequestStatusFilter = '{"Operations":["DELETE"]}'`)
	if got := res.Rows[0][0]; got != int64(3) {
		t.Errorf("DELETE requests = %v, want 3", got)
	}
}

func TestEngine_Errors(t *testing.T) {
	eng := openEngine(t)
	tests := []struct {
		stmt string
		want error
	}{
		{`SELEC 1`, ccql.ErrSyntax},
		{`SELECT * FROM awscc.cognito.nope WHERE region = 'us-east-1'`, ccql.ErrUnknownResource},
		{`INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, Nope, region) SELECT 'a', 'b', 'us-east-1'`, ccql.ErrUnknownColumn},
		{`INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientId, region) SELECT 'a', 'b', 'us-east-1'`, ccql.ErrReadOnly},
		{`SELECT * FROM awscc.cognito.user_pools`, ccql.ErrMissingKey},
		{`INSERT INTO awscc.cognito.user_pools (UserPoolName) SELECT 'x'`, ccql.ErrMissingKey},
		{`UPDATE awscc.cognito.user_pools SET user_pool_name = 'x' WHERE Identifier = 'us-east-1_abcdefghi'`, ccql.ErrMissingKey},
		{`INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, AccessTokenValidity, region) SELECT 'a', 'soon', 'us-east-1'`, ccql.ErrInvalidValue},
	}
	for _, tt := range tests {
		t.Run(tt.stmt, func(t *testing.T) {
			_, err := eng.Query(context.Background(), tt.stmt)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	_, err := eng.Query(context.Background(), `INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, AuthSessionValidity, region) SELECT 'us-east-1_abcdefghi', 99, 'us-east-1'`)
	var se *ccql.ServiceError
	if !errors.As(err, &se) || se.Code != "ValidationException" || !strings.Contains(se.Message, "AuthSessionValidity") {
		t.Errorf("err = %#v, want a ValidationException naming AuthSessionValidity", err)
	}
}

func TestEngine_ClientListFansOutOverPools(t *testing.T) {
	eng := openEngine(t)
	var pools []string
	for i := 0; i < 3; i++ {
		p := createPool(t, eng, "eu-west-1", fmt.Sprintf("fan-%d", i))
		pools = append(pools, p)
		query(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, region) SELECT '%s', 'c%d', 'eu-west-1'`, p, i))
	}
	// No user_pool_id: ccql lists the pools first (StackQL's list fails here).
	res := query(t, eng, `SELECT count(*) FROM awscc.cognito.user_pool_clients_list_only WHERE region = 'eu-west-1'`)
	if got := res.Rows[0][0]; got != int64(3) {
		t.Errorf("clients across pools = %v, want 3", got)
	}
	res = query(t, eng, `SELECT client_name FROM awscc.cognito.user_pool_clients_list_only l JOIN awscc.cognito.user_pool_clients c ON c.region = l.region AND c.Identifier = l.user_pool_id || '|' || l.client_id WHERE l.region = 'eu-west-1' AND l.user_pool_id = '`+pools[1]+`'`)
	if d := cmp.Diff([][]any{{"c1"}}, res.Rows); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestEngine_RegionInPrefetch checks that region IN (…) gives the same rows
// as the regions one by one (the IN values are fetched in parallel first).
func TestEngine_RegionInPrefetch(t *testing.T) {
	eng := openEngine(t)
	createPool(t, eng, "us-east-1", "east")
	createPool(t, eng, "eu-west-1", "west")
	createPool(t, eng, "eu-west-1", "west-2")
	res := query(t, eng, `SELECT region, user_pool_name FROM awscc.cognito.user_pools WHERE region IN ('us-east-1', 'eu-west-1', 'ap-south-1') ORDER BY 2`)
	want := [][]any{{"us-east-1", "east"}, {"eu-west-1", "west"}, {"eu-west-1", "west-2"}}
	if d := cmp.Diff(want, res.Rows); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestEngine_ExecStopsAtFailure(t *testing.T) {
	eng := openEngine(t)
	res, err := eng.Exec(context.Background(), "SHOW PROVIDERS;\n\nSELECT nope FROM awscc.cognito.user_pools WHERE region = 'us-east-1';\nSHOW PROVIDERS")
	var se *ccql.StatementError
	if !errors.As(err, &se) || se.Line != 3 || !errors.Is(err, ccql.ErrUnknownColumn) {
		t.Fatalf("err = %v, want a *StatementError at line 3 wrapping ErrUnknownColumn", err)
	}
	if len(res) != 1 {
		t.Errorf("results = %d, want the 1 before the failure", len(res))
	}
}

func TestEngine_ExpressionColumnTypes(t *testing.T) {
	eng := openEngine(t)
	res := query(t, eng, `SELECT 1 + 1 AS n, 1.5 AS f, 'x' || 'y' AS s, NULL AS z`)
	want := []ccql.Type{ccql.TypeInt, ccql.TypeFloat, ccql.TypeText, ccql.TypeAny}
	for i, c := range res.Columns {
		if c.Type != want[i] {
			t.Errorf("%s: type %v, want %v", c.Name, c.Type, want[i])
		}
	}
}

// TestEngine_PropertyNamedLikeRequestParameter: AWS::EKS::Cluster has a
// RoleArn property; it must reach the desired state, not be taken for
// Cloud Control's RoleArn request parameter.
func TestEngine_PropertyNamedLikeRequestParameter(t *testing.T) {
	eng := openEngine(t)
	query(t, eng, `INSERT INTO awscc.eks.clusters (Name, RoleArn, ResourcesVpcConfig, region)
		SELECT 'k1', 'arn:aws:iam::000000000000:role/eks', '{"SubnetIds":["subnet-0123456789abcdef0"]}', 'us-east-1'`)
	res := query(t, eng, `SELECT role_arn FROM awscc.eks.clusters WHERE region = 'us-east-1' AND name = 'k1'`)
	if d := cmp.Diff([][]any{{"arn:aws:iam::000000000000:role/eks"}}, res.Rows); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestEngine_ListParameterColumns: a list handler's required property that
// is not part of the identifier is a key column of the _list_only view.
func TestEngine_ListParameterColumns(t *testing.T) {
	eng := openEngine(t)
	query(t, eng, `INSERT INTO awscc.eks.nodegroups (ClusterName, NodeRole, Subnets, region)
		SELECT 'k1', 'arn:aws:iam::000000000000:role/node', '["subnet-0123456789abcdef0"]', 'us-east-1'`)
	res := query(t, eng, `SELECT cluster_name, count(*) FROM awscc.eks.nodegroups_list_only WHERE region = 'us-east-1' AND cluster_name = 'k1' GROUP BY 1`)
	if d := cmp.Diff([][]any{{"k1", int64(1)}}, res.Rows); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestEngine_ListFansOutOverNamedParent: EKS nodegroups are listed per
// ClusterName, and the cluster's identifier is Name: without cluster_name
// ccql lists the clusters and fans out, and each row shows its cluster.
func TestEngine_ListFansOutOverNamedParent(t *testing.T) {
	eng := openEngine(t)
	for _, c := range []string{"k1", "k2"} {
		query(t, eng, fmt.Sprintf(`INSERT INTO awscc.eks.clusters (Name, RoleArn, ResourcesVpcConfig, region)
			SELECT '%s', 'arn:aws:iam::000000000000:role/eks', '{"SubnetIds":["subnet-0123456789abcdef0"]}', 'us-east-1'`, c))
		query(t, eng, fmt.Sprintf(`INSERT INTO awscc.eks.nodegroups (ClusterName, NodeRole, Subnets, region)
			SELECT '%s', 'arn:aws:iam::000000000000:role/node', '["subnet-0123456789abcdef0"]', 'us-east-1'`, c))
	}
	res := query(t, eng, `SELECT cluster_name FROM awscc.eks.nodegroups_list_only WHERE region = 'us-east-1' ORDER BY 1`)
	if d := cmp.Diff([][]any{{"k1"}, {"k2"}}, res.Rows); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestWithCredentialsHint(t *testing.T) {
	base := errors.New("get identity: get credentials: failed to refresh cached credentials")
	if got := ccql.WithCredentialsHintForTest(base); !errors.Is(got, base) || !strings.Contains(got.Error(), "AWS_PROFILE") {
		t.Errorf("got %v, want the error with a hint naming AWS_PROFILE", got)
	}
	other := errors.New("connection refused")
	if got := ccql.WithCredentialsHintForTest(other); got != other {
		t.Errorf("an unrelated error changed: %v", got)
	}
}

func TestResolveDataDir(t *testing.T) {
	tests := []struct {
		flag string
		env  map[string]string
		want string
	}{
		{"/d", map[string]string{"CCQL_DATA_DIR": "/e"}, "/d"},
		{"", map[string]string{"CCQL_DATA_DIR": "/e", "XDG_DATA_HOME": "/x"}, "/e"},
		{"", map[string]string{"XDG_DATA_HOME": "/x", "HOME": "/h"}, "/x/ccql"},
		{"", map[string]string{"XDG_DATA_HOME": "rel", "HOME": "/h"}, "/h/.local/share/ccql"},
	}
	for _, tt := range tests {
		got, err := ccql.ResolveDataDir(tt.flag, func(k string) string { return tt.env[k] })
		if err != nil || got != tt.want {
			t.Errorf("ResolveDataDir(%q, %v) = %q, %v; want %q", tt.flag, tt.env, got, err, tt.want)
		}
	}
}
