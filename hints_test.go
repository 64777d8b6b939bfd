package ccql_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ccql/ccql"
)

// TestEngine_DidYouMean checks that a mistyped name gets the closest names
// and the statement that lists the right ones.
func TestEngine_DidYouMean(t *testing.T) {
	eng := openEngine(t)
	tests := []struct {
		stmt string
		is   error
		want string
	}{
		{"SELECT * FROM awscc.cognito.user_pool WHERE region = 'us-east-1'", ccql.ErrUnknownResource,
			"unknown resource: awscc.cognito.user_pool (did you mean awscc.cognito.user_pools? SHOW RESOURCES IN awscc.cognito lists them)"},
		{"DESCRIBE awscc.cognito.UserPoolClient", ccql.ErrUnknownResource,
			"(did you mean awscc.cognito.user_pool_clients? SHOW RESOURCES IN awscc.cognito lists them)"},
		{"SELECT * FROM awscc.cognto.user_pools WHERE region = 'us-east-1'", ccql.ErrUnknownResource,
			`no service "cognto" in awscc (did you mean awscc.cognito.user_pools? SHOW SERVICES IN awscc lists them)`},
		{"SHOW RESOURCES IN awscc.cognto", ccql.ErrUnknownResource,
			`unknown resource: awscc.cognto: no service "cognto" in awscc (did you mean cognito? SHOW SERVICES IN awscc lists them)`},
		{"SHOW SERVICES IN aws", ccql.ErrUnknownResource, `no provider "aws" (the provider is awscc; SHOW PROVIDERS lists it)`},
		{"SELECT * FROM aws.cognito.user_pools WHERE region = 'us-east-1'", ccql.ErrUnknownResource,
			`no provider "aws" (did you mean awscc.cognito.user_pools? the provider is awscc; SHOW PROVIDERS lists it)`},
		{"SELECT * FROM awscc.cognito.log_groups WHERE region = 'us-east-1'", ccql.ErrUnknownResource,
			"(did you mean awscc.logs.log_groups? SHOW RESOURCES IN awscc.cognito lists them)"},
		{"SELECT * FROM cognito.user_pools WHERE region = 'us-east-1'", ccql.ErrUnknownResource,
			"unknown resource: cognito.user_pools: resource names have three parts, provider first: did you mean awscc.cognito.user_pools?"},
		{"SELECT * FROM user_pool_clients WHERE region = 'us-east-1'", ccql.ErrUnknownResource,
			"did you mean awscc.cognito.user_pool_clients?"},
		{"SELECT * FROM cognto.user_pools WHERE region = 'us-east-1'", ccql.ErrUnknownResource,
			`resource names have three parts, provider first (awscc.cognto.user_pools: no service "cognto" in awscc (did you mean awscc.cognito.user_pools?`},
		{"SELECT user_pol_name FROM awscc.cognito.user_pools WHERE region = 'us-east-1'", ccql.ErrUnknownColumn,
			"no such column: user_pol_name (did you mean user_pool_name? DESCRIBE awscc.cognito.user_pools lists the columns)"},
		{"SELECT c.ClientNam FROM awscc.cognito.user_pool_clients c WHERE region = 'us-east-1'", ccql.ErrUnknownColumn,
			"(did you mean client_name"},
		{"INSERT INTO awscc.cognito.user_pools (UserPolName, region) SELECT 'p', 'us-east-1'", ccql.ErrUnknownColumn,
			`awscc.cognito.user_pools has no column "UserPolName" (did you mean UserPoolName? DESCRIBE awscc.cognito.user_pools lists the columns)`},
		{"INSERT INTO awscc.cognito.user_pools (user_pol_name, region) SELECT 'p', 'us-east-1'", ccql.ErrUnknownColumn,
			`(did you mean user_pool_name?`},
		{"UPDATE awscc.cognito.user_pools SET MfaConfig = 'OFF' WHERE region = 'us-east-1' AND Identifier = 'x'", ccql.ErrUnknownColumn,
			`has no column "MfaConfig" (did you mean MfaConfiguration?`},
	}
	for _, tt := range tests {
		_, err := eng.Query(context.Background(), tt.stmt)
		if !errors.Is(err, tt.is) {
			t.Errorf("%s: err = %v, want %v", tt.stmt, err, tt.is)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s:\n got %s\nwant it to contain %s", tt.stmt, err, tt.want)
		}
	}
}

// TestEngine_UnknownRegion: a region AWS does not have is an error that
// names the real ones, for reads and writes, before any call.
func TestEngine_UnknownRegion(t *testing.T) {
	eng := openEngine(t)
	for _, stmt := range []string{
		"SELECT * FROM awscc.cognito.user_pools WHERE region = 'us-east-9'",
		"SELECT * FROM awscc.cognito.user_pools_list_only WHERE region = 'us-east-9'",
		"INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'p', 'us-east-9'",
		"DELETE FROM awscc.cognito.user_pools WHERE region = 'us-east-9' AND Identifier = 'us-east-9_abcdefghi'",
	} {
		_, err := eng.Query(context.Background(), stmt)
		if err == nil || !strings.Contains(err.Error(), `unknown region "us-east-9": AWS has no such region (did you mean us-east-1 or us-east-2?); the aws partition has af-south-1,`) {
			t.Errorf("%s: err = %v, want the unknown region named with the real ones", stmt, err)
		}
	}
}

// TestEngine_DefaultRegion: Config.DefaultRegion (--region) is the region
// of statements that bind none, and a bound region still wins.
func TestEngine_DefaultRegion(t *testing.T) {
	eng, err := ccql.Open(context.Background(), ccql.Config{DataDir: t.TempDir(), Wait: true, DefaultRegion: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	res := query(t, eng, "INSERT INTO awscc.cognito.user_pools (UserPoolName) SELECT 'defaulted' RETURNING Identifier")
	id := res.Rows[0][0].(string)
	if !strings.HasPrefix(id, "eu-west-1_") {
		t.Fatalf("pool %s was not created in the default region", id)
	}
	createPool(t, eng, "us-east-1", "bound")
	got := column(t, query(t, eng, "SELECT user_pool_name FROM awscc.cognito.user_pools"), "user_pool_name")
	if len(got) != 1 || got[0] != "defaulted" {
		t.Errorf("SELECT without region = %v, want the eu-west-1 pool only", got)
	}
	got = column(t, query(t, eng, "SELECT region FROM awscc.cognito.user_pools_list_only"), "region")
	if len(got) != 1 || got[0] != "eu-west-1" {
		t.Errorf("list without region: regions %v, want [eu-west-1]", got)
	}
	got = column(t, query(t, eng, "SELECT user_pool_name FROM awscc.cognito.user_pools WHERE region = 'us-east-1'"), "user_pool_name")
	if len(got) != 1 || got[0] != "bound" {
		t.Errorf("SELECT with region = %v, want the us-east-1 pool", got)
	}
	query(t, eng, "UPDATE awscc.cognito.user_pools SET UserPoolTags = '{\"k\":\"v\"}' WHERE Identifier = '"+id+"'")
	query(t, eng, "DELETE FROM awscc.cognito.user_pools WHERE Identifier = '"+id+"'")
	if n := len(query(t, eng, "SELECT * FROM awscc.cognito.user_pools").Rows); n != 0 {
		t.Errorf("after DELETE without region, %d pools left in the default region", n)
	}
}

// syncBuffer is a bytes.Buffer the spinner's goroutine can write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// TestEngine_SpinnerClearsItsLine: every frame of the awaiting spinner
// clears the rest of the line, so "(1s)" after "(900ms)" leaves no "ms)".
func TestEngine_SpinnerClearsItsLine(t *testing.T) {
	var progress syncBuffer
	eng, err := ccql.Open(context.Background(), ccql.Config{DataDir: t.TempDir(), Wait: true, Latency: 250 * time.Millisecond, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	query(t, eng, "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'spin', 'us-east-1'")
	out := progress.b.String()
	frames := strings.Split(out, "\r")[1:]
	if len(frames) < 2 {
		t.Fatalf("spinner output %q: want frames", out)
	}
	for _, f := range frames {
		if !strings.HasSuffix(f, "\033[K") {
			t.Errorf("frame %q does not clear the rest of its line", f)
		}
	}
	if last := frames[len(frames)-1]; last != "\033[K" {
		t.Errorf("the spinner ends with %q, want the line cleared", last)
	}
}

// TestEngine_StackQLMeta covers SHOW INSERT (both forms), REGISTRY LIST and
// SHOW EXTENDED RESOURCES, and runs the generated template.
func TestEngine_StackQLMeta(t *testing.T) {
	eng := openEngine(t)
	lines := func(res *ccql.Result) string {
		var b strings.Builder
		for _, r := range res.Rows {
			b.WriteString(r[0].(string) + "\n")
		}
		return b.String()
	}
	got := lines(query(t, eng, "SHOW INSERT /*+ REQUIRED */ INTO awscc.cognito.user_pool_clients"))
	want := "INSERT INTO awscc.cognito.user_pool_clients (\n  UserPoolId,\n  region\n)\nSELECT\n  '{{ user_pool_id }}',\n  '{{ region }}'\n;\n"
	if got != want {
		t.Errorf("SHOW INSERT /*+ REQUIRED */:\n%s\nwant:\n%s", got, want)
	}
	all := lines(query(t, eng, "SHOW INSERT INTO awscc.cognito.user_pool_clients"))
	for _, s := range []string{"  ClientName,\n", "  '{{ client_name }}',\n", "  {{ generate_secret }},\n", "  {{ refresh_token_validity }},\n", "  '{{ explicit_auth_flows }}',\n"} {
		if !strings.Contains(all, s) {
			t.Errorf("SHOW INSERT lacks %q:\n%s", s, all)
		}
	}
	if strings.Contains(all, "ClientSecret") || strings.Contains(all, "ClientId") {
		t.Errorf("SHOW INSERT lists a read-only property:\n%s", all)
	}
	if _, err := eng.Query(context.Background(), "SHOW INSERT INTO awscc.cognito.user_pools_list_only"); !errors.Is(err, ccql.ErrUnsupported) {
		t.Errorf("SHOW INSERT on a _list_only table: %v, want ErrUnsupported", err)
	}

	reg := query(t, eng, "REGISTRY LIST")
	if len(reg.Rows) != 1 || reg.Rows[0][0] != "awscc" || reg.Rows[0][1] != "v00.00.00000" || reg.Columns[1].Name != "versions" {
		t.Errorf("REGISTRY LIST = %v %v", reg.Columns, reg.Rows)
	}

	ext := query(t, eng, "SHOW EXTENDED RESOURCES IN awscc.cognito LIKE 'user_pool_clients'")
	if len(ext.Columns) != 3 || ext.Columns[2].Name != "description" || len(ext.Rows) != 1 ||
		ext.Rows[0][2] != "Resource Type definition for AWS::Cognito::UserPoolClient" {
		t.Errorf("SHOW EXTENDED RESOURCES = %v %v", ext.Columns, ext.Rows)
	}
	for _, row := range query(t, eng, "DESCRIBE EXTENDED awscc.cognito.user_pools").Rows {
		if d := row[2].(string); strings.ContainsAny(d, "\n\t") || strings.Contains(d, "  ") {
			t.Errorf("DESCRIBE EXTENDED description of %s is not one line: %q", row[0], d)
		}
	}
}
