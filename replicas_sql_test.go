package ccql_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestEngine_UserPoolReplicas drives a replica through SQL: INSERT into
// user_pool_replicas and SELECT it back, deactivate it through the replica
// region's regional configuration attachment, and DELETE it.
func TestEngine_UserPoolReplicas(t *testing.T) {
	eng := openEngine(t)
	pool := createPool(t, eng, "us-east-1", "mrr")

	res := query(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.user_pool_replicas (UserPoolId, RegionName, UserPoolTagsAtCreate, region)
		SELECT '%s', 'eu-west-1', '{"team":"id"}', 'us-east-1' RETURNING Identifier, OperationStatus`, pool))
	if got := res.Rows[0]; got[0] != pool+"|eu-west-1" || got[1] != "SUCCESS" {
		t.Fatalf("insert = %v", got)
	}
	res = query(t, eng, `SELECT user_pool_id, region_name, user_pool_tags_at_create FROM awscc.cognito.user_pool_replicas
		WHERE region = 'us-east-1' AND user_pool_id = '`+pool+`'`)
	if len(res.Rows) != 1 || res.Rows[0][0] != pool || res.Rows[0][1] != "eu-west-1" || !strings.Contains(fmt.Sprintf("%s", res.Rows[0][2]), `"team":"id"`) {
		t.Fatalf("replicas = %v", res.Rows)
	}

	// A duplicate is refused, and so is a replica in the primary region.
	for _, region := range []string{"eu-west-1", "us-east-1"} {
		_, err := eng.Query(context.Background(), fmt.Sprintf(`INSERT INTO awscc.cognito.user_pool_replicas (UserPoolId, RegionName, region)
			SELECT '%s', '%s', 'us-east-1'`, pool, region))
		if err == nil {
			t.Errorf("second replica in %s: no error", region)
		}
	}

	// The replica region's attachment: Status is the replica's.
	query(t, eng, fmt.Sprintf(`INSERT INTO awscc.cognito.user_pool_regional_configuration_attachments (UserPoolId, Status, UserPoolTags, region)
		SELECT '%s', 'INACTIVE', '{"region":"eu"}', 'eu-west-1'`, pool))
	res = query(t, eng, `SELECT status, user_pool_tags FROM awscc.cognito.user_pool_regional_configuration_attachments
		WHERE region = 'eu-west-1' AND Identifier = '`+pool+`'`)
	if len(res.Rows) != 1 || res.Rows[0][0] != "INACTIVE" || !strings.Contains(fmt.Sprintf("%s", res.Rows[0][1]), `"region":"eu"`) {
		t.Fatalf("attachment = %v", res.Rows)
	}

	res = query(t, eng, `DELETE FROM awscc.cognito.user_pool_replicas WHERE region = 'us-east-1' AND Identifier = '`+pool+`|eu-west-1' RETURNING OperationStatus`)
	if res.Rows[0][0] != "SUCCESS" {
		t.Fatalf("delete = %v", res.Rows)
	}
	res = query(t, eng, `SELECT region_name FROM awscc.cognito.user_pool_replicas WHERE region = 'us-east-1' AND user_pool_id = '`+pool+`'`)
	if len(res.Rows) != 0 {
		t.Errorf("replicas after delete = %v", res.Rows)
	}
}
