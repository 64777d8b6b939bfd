//go:build integration

// Tests against real AWS. They never run by default: run them with
//
//	CCQL_IT_REGION=us-east-1 go test -tags integration -run Integration .
//
// with credentials in the SDK's standard chain. They create a user pool and
// a client and delete both; nothing else is touched.
package ccql_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ccql/ccql"
)

func TestIntegration_SeedOnAWS(t *testing.T) {
	region := os.Getenv("CCQL_IT_REGION")
	if region == "" {
		t.Skip("set CCQL_IT_REGION to run against real AWS")
	}
	ctx := context.Background()
	eng, err := ccql.Open(ctx, ccql.Config{Backend: ccql.BackendAWS, Region: region, Wait: true, FailOnFailed: true, WaitTimeout: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	name := fmt.Sprintf("ccql-it-%d", time.Now().UnixNano())
	res := query(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT '%s', '%s' RETURNING Identifier`, name, region))
	pool := res.Rows[0][0].(string)
	defer query(t, eng, fmt.Sprintf(`DELETE FROM awscc.cognito.user_pools WHERE Identifier = '%s' AND region = '%s'`, pool, region))
	res = query(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, region) SELECT '%s', '%s' RETURNING Identifier`, pool, region))
	id := res.Rows[0][0].(string)
	res = query(t, eng, fmt.Sprintf(`SELECT client_id, refresh_token_validity FROM awscc.cognito.user_pool_clients WHERE region = '%s' AND Identifier = '%s'`, region, id))
	if len(res.Rows) != 1 {
		t.Fatalf("rows = %d, want 1", len(res.Rows))
	}
	query(t, eng, fmt.Sprintf(`DELETE FROM awscc.cognito.user_pool_clients WHERE Identifier = '%s' AND region = '%s'`, id, region))
}
