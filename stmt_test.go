package ccql_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"

	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/ccql/ccql"
	"github.com/ccql/ccql/emulator"
	"github.com/google/go-cmp/cmp"
)

// countingClient is the embedded emulator's Cloud Control, counting the
// calls of each operation: how the tests see what a statement sent.
type countingClient struct {
	ccql.CloudControlClient
	mu    sync.Mutex
	calls map[string]int
}

func (c *countingClient) count(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[op]++
}

func (c *countingClient) n(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[op]
}

func (c *countingClient) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.calls {
		n += v
	}
	return n
}

func (c *countingClient) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.calls)
}

func (c *countingClient) CreateResource(ctx context.Context, in *cc.CreateResourceInput, o ...func(*cc.Options)) (*cc.CreateResourceOutput, error) {
	c.count("CreateResource")
	return c.CloudControlClient.CreateResource(ctx, in, o...)
}

func (c *countingClient) UpdateResource(ctx context.Context, in *cc.UpdateResourceInput, o ...func(*cc.Options)) (*cc.UpdateResourceOutput, error) {
	c.count("UpdateResource")
	return c.CloudControlClient.UpdateResource(ctx, in, o...)
}

func (c *countingClient) DeleteResource(ctx context.Context, in *cc.DeleteResourceInput, o ...func(*cc.Options)) (*cc.DeleteResourceOutput, error) {
	c.count("DeleteResource")
	return c.CloudControlClient.DeleteResource(ctx, in, o...)
}

func (c *countingClient) GetResource(ctx context.Context, in *cc.GetResourceInput, o ...func(*cc.Options)) (*cc.GetResourceOutput, error) {
	c.count("GetResource")
	return c.CloudControlClient.GetResource(ctx, in, o...)
}

func (c *countingClient) ListResources(ctx context.Context, in *cc.ListResourcesInput, o ...func(*cc.Options)) (*cc.ListResourcesOutput, error) {
	c.count("ListResources")
	return c.CloudControlClient.ListResources(ctx, in, o...)
}

func (c *countingClient) GetResourceRequestStatus(ctx context.Context, in *cc.GetResourceRequestStatusInput, o ...func(*cc.Options)) (*cc.GetResourceRequestStatusOutput, error) {
	c.count("GetResourceRequestStatus")
	return c.CloudControlClient.GetResourceRequestStatus(ctx, in, o...)
}

// openCounted opens an engine on the embedded emulator through a
// countingClient.
func openCounted(t testing.TB, cfg ccql.Config) (*ccql.Engine, *countingClient) {
	t.Helper()
	srv, err := emulator.NewServer(emulator.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cl := &countingClient{CloudControlClient: srv.CloudControl("000000000000"), calls: map[string]int{}}
	cfg.CloudControl = cl
	eng, err := ccql.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng, cl
}

func columnNames(cols []ccql.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

func TestEngine_Prepare(t *testing.T) {
	eng, cl := openCounted(t, ccql.Config{})
	tests := []struct {
		stmt     string
		kind     ccql.StatementKind
		readOnly bool
		columns  []string
		params   int
	}{
		{`SELECT user_pool_id, user_pool_name FROM awscc.cognito.user_pools WHERE region = $1`, ccql.StmtSelect, true, []string{"user_pool_id", "user_pool_name"}, 1},
		{`SELECT count(*) AS n FROM awscc.cognito.user_pools WHERE region = ? AND user_pool_name = ?`, ccql.StmtSelect, true, []string{"n"}, 2},
		{`INSERT INTO awscc.cognito.user_pools (UserPoolName, region) VALUES ($1, $2)`, ccql.StmtInsert, false, nil, 2},
		{`INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'p', 'us-east-1' RETURNING RequestToken, EventTime`, ccql.StmtInsert, false, []string{"RequestToken", "EventTime"}, 0},
		{`UPDATE awscc.cognito.user_pools SET user_pool_name = :name WHERE region = 'us-east-1' AND Identifier = :id`, ccql.StmtUpdate, false, nil, 2},
		{`DELETE FROM awscc.cognito.user_pools WHERE region = ?1 AND Identifier = ?2 RETURNING *`, ccql.StmtDelete, false, []string{"ErrorCode", "EventTime", "Identifier", "Operation", "OperationStatus", "RequestToken", "ResourceModel", "RetryAfter", "StatusMessage", "TypeName"}, 2},
		{`SHOW SERVICES IN awscc LIKE 'cog%'`, ccql.StmtShow, true, []string{"id", "name", "title"}, 0},
		{`DESCRIBE EXTENDED awscc.cognito.user_pools`, ccql.StmtDescribe, true, []string{"name", "type", "description"}, 0},
		{`SHOW server_version`, ccql.StmtShowVar, true, []string{"server_version"}, 0},
		{`SET search_path = public`, ccql.StmtSet, true, nil, 0},
		{`BEGIN`, ccql.StmtBegin, true, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.stmt, func(t *testing.T) {
			s, err := eng.Prepare(context.Background(), tt.stmt)
			if err != nil {
				t.Fatal(err)
			}
			if s.Kind() != tt.kind || s.ReadOnly() != tt.readOnly || s.NumParams() != tt.params {
				t.Errorf("kind %v read-only %v params %d, want %v %v %d", s.Kind(), s.ReadOnly(), s.NumParams(), tt.kind, tt.readOnly, tt.params)
			}
			if d := cmp.Diff(tt.columns, columnNames(s.Columns())); d != "" && !(len(tt.columns) == 0 && len(s.Columns()) == 0) {
				t.Errorf("columns (-want +got):\n%s", d)
			}
		})
	}
	if n := cl.total(); n != 0 {
		t.Errorf("Prepare made %d Cloud Control calls (%v), want none", n, cl.calls)
	}
}

// TestEngine_Prepare_checksBeforeAnyRequest: every part of a mutation is
// checked before anything is sent. On the old engine, RETURNING was
// checked after CreateResource, so the resource was made and the
// statement still failed.
func TestEngine_Prepare_checksBeforeAnyRequest(t *testing.T) {
	eng, cl := openCounted(t, ccql.Config{})
	pool := `us-east-1_AAAAAAAAA`
	tests := []struct {
		stmt string
		want error
	}{
		{`INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'p', 'us-east-1' RETURNING bogus`, ccql.ErrUnknownColumn},
		{`UPDATE awscc.cognito.user_pools SET user_pool_name = 'x' WHERE region = 'us-east-1' AND Identifier = '` + pool + `' RETURNING nope`, ccql.ErrUnknownColumn},
		{`DELETE FROM awscc.cognito.user_pools WHERE region = 'us-east-1' AND Identifier = '` + pool + `' RETURNING nope`, ccql.ErrUnknownColumn},
		{`INSERT INTO awscc.cognito.user_pools (UserPoolName, Nope, region) SELECT 'p', 1, 'us-east-1'`, ccql.ErrUnknownColumn},
		{`INSERT INTO awscc.cognito.user_pools (UserPoolName, Arn, region) SELECT 'p', 'arn:x', 'us-east-1'`, ccql.ErrReadOnly},
		{`UPDATE awscc.cognito.user_pools SET Arn = 'x' WHERE region = 'us-east-1' AND Identifier = '` + pool + `'`, ccql.ErrReadOnly},
		{`UPDATE awscc.cognito.user_pools SET PatchDocument = '[{' WHERE region = 'us-east-1' AND Identifier = '` + pool + `'`, ccql.ErrInvalidValue},
		{`INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, RefreshTokenValidity, region) SELECT 'a', 'soon', 'us-east-1'`, ccql.ErrInvalidValue},
		{`INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, region) VALUES ('a', 'ok', 'us-east-1'), ('b', 'ok', 'us-east-1'), ('c', json_array(1), 'us-east-1'), ('d', 'x', 'us-east-1')`, nil},
		{`INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, RefreshTokenValidity, region) VALUES ('a', 1, 'us-east-1'), ('b', 'x', 'us-east-1')`, ccql.ErrInvalidValue},
		{`INSERT INTO awscc.cognito.user_pools (UserPoolName) SELECT 'x'`, ccql.ErrMissingKey},
	}
	for _, tt := range tests {
		t.Run(tt.stmt, func(t *testing.T) {
			_, err := eng.Prepare(context.Background(), tt.stmt)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Prepare: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Prepare: err = %v, want %v", err, tt.want)
			}
			if _, err := eng.Query(context.Background(), tt.stmt); !errors.Is(err, tt.want) {
				t.Errorf("Query: err = %v, want %v", err, tt.want)
			}
		})
	}
	if n := cl.total(); n != 0 {
		t.Errorf("%d Cloud Control calls (%v), want none", n, cl.calls)
	}
}

// TestStmt_Plan: a prepared mutation describes its requests without
// sending them.
func TestStmt_Plan(t *testing.T) {
	eng, cl := openCounted(t, ccql.Config{Wait: true})
	ctx := context.Background()
	ins, err := eng.Prepare(ctx, `INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, GenerateSecret, RefreshTokenValidity, ClientToken, region)
		VALUES ($1, $2, $3, $4, 'tok-1', 'eu-west-1')`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ins.Plan(ctx, "eu-west-1_P", "app", true, 30)
	if err != nil {
		t.Fatal(err)
	}
	want := []ccql.Request{{Operation: ccql.OpCreateResource, TypeName: "AWS::Cognito::UserPoolClient", Region: "eu-west-1",
		DesiredState: `{"ClientName":"app","GenerateSecret":true,"RefreshTokenValidity":30,"UserPoolId":"eu-west-1_P"}`, ClientToken: "tok-1"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("INSERT plan (-want +got):\n%s", d)
	}
	upd, err := eng.Prepare(ctx, `UPDATE awscc.cognito.user_pool_clients SET client_name = ?, AccessTokenValidity = NULL WHERE region = 'eu-west-1' AND Identifier IN (?, ?)`)
	if err != nil {
		t.Fatal(err)
	}
	got, err = upd.Plan(ctx, "renamed", "p|a", "p|b")
	if err != nil {
		t.Fatal(err)
	}
	patch := `[{"op":"add","path":"/ClientName","value":"renamed"},{"op":"remove","path":"/AccessTokenValidity"}]`
	want = []ccql.Request{
		{Operation: ccql.OpUpdateResource, TypeName: "AWS::Cognito::UserPoolClient", Region: "eu-west-1", Identifier: "p|a", PatchDocument: patch},
		{Operation: ccql.OpUpdateResource, TypeName: "AWS::Cognito::UserPoolClient", Region: "eu-west-1", Identifier: "p|b", PatchDocument: patch},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("UPDATE plan (-want +got):\n%s", d)
	}
	del, err := eng.Prepare(ctx, `DELETE FROM awscc.cognito.user_pool_clients WHERE region = $2 AND user_pool_id = $1 AND client_id = $3`)
	if err != nil {
		t.Fatal(err)
	}
	got, err = del.Plan(ctx, "p", "eu-west-1", "c")
	if err != nil {
		t.Fatal(err)
	}
	want = []ccql.Request{{Operation: ccql.OpDeleteResource, TypeName: "AWS::Cognito::UserPoolClient", Region: "eu-west-1", Identifier: "p|c"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("DELETE plan (-want +got):\n%s", d)
	}
	if _, err := ins.Plan(ctx, "only one"); !errors.Is(err, ccql.ErrInvalidValue) {
		t.Errorf("Plan with too few arguments: err = %v, want ErrInvalidValue", err)
	}
	if _, err := ins.Plan(ctx, "p", "app", "maybe", 30); !errors.Is(err, ccql.ErrInvalidValue) {
		t.Errorf("Plan with a non-boolean GenerateSecret: err = %v, want ErrInvalidValue", err)
	}
	sel, err := eng.Prepare(ctx, `SELECT 1`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sel.Plan(ctx); !errors.Is(err, ccql.ErrUnsupported) {
		t.Errorf("Plan of a SELECT: err = %v, want ErrUnsupported", err)
	}
	if n := cl.total(); n != 0 {
		t.Errorf("Plan made %d Cloud Control calls (%v), want none", n, cl.calls)
	}
}

// TestStmt_Exec_params binds parameters in every kind of statement.
func TestStmt_Exec_params(t *testing.T) {
	eng, _ := openCounted(t, ccql.Config{Wait: true})
	ctx := context.Background()
	res, err := eng.Query(ctx, `INSERT INTO awscc.cognito.user_pools (UserPoolName, region) VALUES (?, ?) RETURNING Identifier, OperationStatus`, "params", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	pool := res.Rows[0][0].(string)
	res, err = eng.Query(ctx, `INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, RefreshTokenValidity, region)
		SELECT $1, $2, $3, $4 UNION ALL SELECT $1, $2 || '-2', $3, $4 RETURNING Identifier`, pool, "c", int64(7), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 2 {
		t.Fatalf("INSERT … UNION ALL made %d rows, want 2", len(res.Rows))
	}
	client := res.Rows[0][0].(string)
	if _, err := eng.Query(ctx, `UPDATE awscc.cognito.user_pool_clients SET client_name = :name WHERE region = :region AND Identifier = :id`,
		"renamed", "us-east-1", client); err != nil {
		t.Fatal(err)
	}
	res, err = eng.Query(ctx, `SELECT client_name, refresh_token_validity FROM awscc.cognito.user_pool_clients WHERE region = $2 AND user_pool_id = $1 ORDER BY client_name`, pool, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([][]any{{"c-2", int64(7)}, {"renamed", int64(7)}}, res.Rows); d != "" {
		t.Errorf("clients (-want +got):\n%s", d)
	}
	// A WHERE that is not only keys: the targets are selected with the
	// parameters bound.
	res, err = eng.Query(ctx, `DELETE FROM awscc.cognito.user_pool_clients WHERE region = ? AND user_pool_id = ? AND client_name LIKE ?`, "us-east-1", pool, "c%")
	if err != nil {
		t.Fatal(err)
	}
	if res.RowsAffected != 1 {
		t.Errorf("DELETE … LIKE affected %d, want 1", res.RowsAffected)
	}
	res, err = eng.Query(ctx, `SELECT count(*) FROM awscc.cognito.user_pool_clients WHERE region = 'us-east-1' AND user_pool_id = $1`, pool)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows[0][0] != int64(1) {
		t.Errorf("clients left = %v, want 1", res.Rows[0][0])
	}
	// NaN and Infinity are values, never SQL text.
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		res, err := eng.Query(ctx, `SELECT $1 AS v`, f)
		if err != nil {
			t.Fatalf("SELECT %v: %v", f, err)
		}
		if len(res.Rows) != 1 {
			t.Errorf("SELECT %v: %d rows", f, len(res.Rows))
		}
		_, err = eng.Query(ctx, `INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, RefreshTokenValidity, region) VALUES ($1, $2, 'us-east-1')`, pool, f)
		if !errors.Is(err, ccql.ErrInvalidValue) {
			t.Errorf("INSERT of %v as an integer: err = %v, want ErrInvalidValue", f, err)
		}
	}
}

func TestSplit(t *testing.T) {
	got, err := ccql.Split("-- setup\nSELECT 1;\n\nINSERT INTO x (a) SELECT ';' ;  ")
	if err != nil {
		t.Fatal(err)
	}
	want := []ccql.Statement{{Text: "SELECT 1", Pos: 9, Line: 2, Col: 1}, {Text: "INSERT INTO x (a) SELECT ';'", Pos: 20, Line: 4, Col: 1}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Split (-want +got):\n%s", d)
	}
	if _, err := ccql.Split("SELECT 'open"); !errors.Is(err, ccql.ErrSyntax) {
		t.Errorf("unterminated string: err = %v, want ErrSyntax", err)
	}
}

// TestEngine_unionKeySchema: DynamoDB's KeySchema is oneOf [array, object];
// the ordinary array was refused ("expected a JSON object, got an array").
func TestEngine_unionKeySchema(t *testing.T) {
	eng := openEngine(t)
	res := query(t, eng, `INSERT INTO awscc.dynamodb.tables (TableName, KeySchema, AttributeDefinitions, BillingMode, region)
		SELECT 'orders', '[{"AttributeName":"pk","KeyType":"HASH"}]', '[{"AttributeName":"pk","AttributeType":"S"}]', 'PAY_PER_REQUEST', 'us-east-1'
		RETURNING Identifier, OperationStatus`)
	if d := cmp.Diff([][]any{{"orders", "SUCCESS"}}, res.Rows); d != "" {
		t.Errorf("INSERT (-want +got):\n%s", d)
	}
	res = query(t, eng, `SELECT key_schema FROM awscc.dynamodb.tables WHERE region = 'us-east-1' AND Identifier = 'orders'`)
	if got := fmt.Sprintf("%s", res.Rows[0][0]); got != `[{"AttributeName":"pk","KeyType":"HASH"}]` {
		t.Errorf("key_schema = %s", got)
	}
	res = query(t, eng, `DESCRIBE awscc.dynamodb.tables`)
	found := false
	for _, row := range res.Rows {
		if row[0] == "key_schema" {
			found = true
			if row[1] != "array | object" {
				t.Errorf("DESCRIBE key_schema type = %v, want the union", row[1])
			}
		}
	}
	if !found {
		t.Error("DESCRIBE has no key_schema")
	}
}

// TestStmt_Exec_multiRow: every request of a multi-row mutation is
// reported, with an error joining the failed ones; a failure does not stop
// the others.
func TestStmt_Exec_multiRow(t *testing.T) {
	eng, cl := openCounted(t, ccql.Config{Wait: true})
	pool := createPool(t, eng, "us-east-1", "multi")
	cl.reset()
	res, err := eng.Query(context.Background(), `INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, region)
		VALUES ($1, 'a', 'us-east-1'), ('us-east-1_NoSuchPoo', 'b', 'us-east-1'), ($1, hex(zeroblob(100)), 'us-east-1'), ($1, 'd', 'us-east-1')`, pool)
	if res == nil || len(res.Rows) != 4 {
		t.Fatalf("result %+v, want 4 rows", res)
	}
	if got := column(t, res, "OperationStatus"); fmt.Sprint(got) != "[SUCCESS FAILED FAILED SUCCESS]" {
		t.Errorf("statuses = %v", got)
	}
	if got := column(t, res, "ErrorCode"); fmt.Sprint(got) != "[<nil> NotFound ValidationException <nil>]" {
		t.Errorf("error codes = %v", got)
	}
	var re *ccql.RequestError
	if !errors.As(err, &re) || re.Index != 1 || re.Code != "NotFound" || re.RequestToken == "" || !errors.Is(err, ccql.ErrRequestFailed) {
		t.Errorf("err = %v, want the FAILED request 2 first", err)
	}
	var se *ccql.ServiceError
	if !errors.As(err, &se) || se.Code != "ValidationException" {
		t.Errorf("err = %v, want request 3's ValidationException too", err)
	}
	if n := cl.n("CreateResource"); n != 4 {
		t.Errorf("CreateResource sent %d times, want 4 (a failure stops nothing)", n)
	}
}
