package cognito_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/handler"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const (
	replicaTypeName  = "AWS::Cognito::UserPoolReplica"
	regionalTypeName = "AWS::Cognito::UserPoolRegionalConfigurationAttachment"
)

func TestReplicas_Validation(t *testing.T) {
	ctx := context.Background()
	sdk, srv := newSDK(t)
	poolID, _, _ := settingsPool(t, sdk, nil)
	if _, err := sdk.CreateUserPoolReplica(ctx, &cip.CreateUserPoolReplicaInput{UserPoolId: &poolID, RegionName: aws.String("eu-west-1")}); err != nil {
		t.Fatal(err)
	}
	lite, err := sdk.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("lite"), UserPoolTier: types.UserPoolTierTypeLite})
	if err != nil {
		t.Fatal(err)
	}
	create := func(pool, region string) error {
		_, err := sdk.CreateUserPoolReplica(ctx, &cip.CreateUserPoolReplicaInput{UserPoolId: aws.String(pool), RegionName: aws.String(region)})
		return err
	}
	update := func(region string, status types.UpdateReplicaStatusType) error {
		_, err := sdk.UpdateUserPoolReplica(ctx, &cip.UpdateUserPoolReplicaInput{UserPoolId: &poolID, RegionName: aws.String(region), Status: status})
		return err
	}
	del := func(region string) error {
		_, err := sdk.DeleteUserPoolReplica(ctx, &cip.DeleteUserPoolReplicaInput{UserPoolId: &poolID, RegionName: aws.String(region)})
		return err
	}
	cases := []struct {
		name      string
		err       error
		code, msg string
	}{
		{"no region", rawCall(srv, "CreateUserPoolReplica", `{"UserPoolId":"`+poolID+`"}`), "InvalidParameterException",
			"1 validation error detected: Value null at 'regionName' failed to satisfy constraint: Member must not be null"},
		{"short region", rawCall(srv, "CreateUserPoolReplica", `{"UserPoolId":"`+poolID+`","RegionName":"eu"}`), "InvalidParameterException",
			"Value 'eu' at 'regionName' failed to satisfy constraint: Member must have length greater than or equal to 5"},
		{"bad tag key", rawCall(srv, "CreateUserPoolReplica", `{"UserPoolId":"`+poolID+`","RegionName":"eu-west-2","UserPoolTags":{"":"x"}}`), "InvalidParameterException",
			"at 'userPoolTags..member.key' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"unknown region", create(poolID, "mars-north-1"), "InvalidParameterException", "Invalid region name mars-north-1"},
		{"other partition", create(poolID, "cn-north-1"), "InvalidParameterException", "Region cn-north-1 is not in the partition"},
		{"primary region", create(poolID, testRegion), "InvalidParameterException", "Region us-east-1 is the primary region of user pool " + poolID},
		{"duplicate", create(poolID, "eu-west-1"), "InvalidParameterException", "User pool " + poolID + " already has a replica in region eu-west-1."},
		{"no such pool", create("us-east-1_nope", "eu-west-2"), "ResourceNotFoundException", "User pool us-east-1_nope does not exist."},
		{"lite tier", create(aws.ToString(lite.UserPool.Id), "eu-west-2"), "FeatureUnavailableInTierException",
			"The following feature is not available for the LITE pricing tier configured: Multi-Region Replication"},
		{"update: no status", rawCall(srv, "UpdateUserPoolReplica", `{"UserPoolId":"`+poolID+`","RegionName":"eu-west-1"}`), "InvalidParameterException",
			"Value null at 'status' failed to satisfy constraint: Member must not be null"},
		{"update: bad status", update("eu-west-1", "DELETING"), "InvalidParameterException",
			"Value 'DELETING' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [ACTIVE, INACTIVE]"},
		{"update: no replica", update("ap-south-1", types.UpdateReplicaStatusTypeInactive), "ResourceNotFoundException",
			"User pool " + poolID + " has no replica in region ap-south-1."},
		{"update: primary", update(testRegion, types.UpdateReplicaStatusTypeInactive), "InvalidParameterException", "only a replica's status can be changed"},
		{"delete: ACTIVE", del("eu-west-1"), "InvalidParameterException", "is ACTIVE; only an INACTIVE replica can be deleted."},
		{"delete: no replica", del("ap-south-1"), "ResourceNotFoundException", "has no replica in region ap-south-1."},
		{"list: no pool", rawCall(srv, "ListUserPoolReplicas", `{"UserPoolId":"us-east-1_nope"}`), "ResourceNotFoundException", "User pool us-east-1_nope does not exist."},
		{"list: bad token", rawCall(srv, "ListUserPoolReplicas", `{"UserPoolId":"`+poolID+`","NextToken":"forged"}`), "InvalidParameterException", "Invalid pagination token."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantSDKError(t, c.err, c.code, c.msg) })
	}
}

func TestReplicas_ListAndDeleteWithPool(t *testing.T) {
	ctx := context.Background()
	sdk, srv := newSDK(t)
	poolID, arn, _ := settingsPool(t, sdk, nil)
	regions := []string{"eu-west-1", "ap-southeast-2", "ca-central-1"}
	for _, r := range regions {
		if _, err := sdk.CreateUserPoolReplica(ctx, &cip.CreateUserPoolReplicaInput{UserPoolId: &poolID, RegionName: aws.String(r),
			UserPoolTags: map[string]string{"region": r}}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := sdk.ListUserPoolReplicas(ctx, &cip.ListUserPoolReplicasInput{UserPoolId: &poolID})
	if err != nil {
		t.Fatal(err)
	}
	got := out.UserPoolReplicas
	replica := func(region string) types.UserPoolReplicaType {
		return types.UserPoolReplicaType{RegionName: aws.String(region), Role: types.ReplicaRoleTypeSecondary, Status: types.ReplicaStatusTypeActive,
			UserPoolArn: aws.String("arn:aws:cognito-idp:" + region + ":123456789012:userpool/" + poolID)}
	}
	want := []types.UserPoolReplicaType{
		{RegionName: aws.String(testRegion), Role: types.ReplicaRoleTypePrimary, Status: types.ReplicaStatusTypeActive, UserPoolArn: aws.String(arn)},
		replica("ap-southeast-2"), replica("ca-central-1"), replica("eu-west-1"),
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(types.UserPoolReplicaType{})); diff != "" {
		t.Errorf("ListUserPoolReplicas (-want +got):\n%s", diff)
	}
	if _, err := sdk.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &poolID}); err != nil {
		t.Fatal(err)
	}
	if n, _ := srv.Tx.Count("ccql::Cognito::PoolSettings", poolID+"|"); n != 0 {
		t.Errorf("%d settings left after the pool's deletion", n)
	}
}

// replicaFixture is a Cloud Control fixture with the replica handlers.
func replicaFixture(t *testing.T) (f *fixture, replicaH, regionalH handler.Handler, poolID string) {
	f = newFixture(t)
	for _, h := range cognito.Handlers(nil) {
		switch h.TypeName() {
		case replicaTypeName:
			replicaH = h
		case regionalTypeName:
			regionalH = h
		}
	}
	if replicaH == nil || regionalH == nil {
		t.Fatal("Handlers() lacks the replica handlers")
	}
	return f, replicaH, regionalH, f.mustPool(nil)
}

// idpJSON runs an IdP operation, its body given as JSON text, on the
// fixture's store.
func (f *fixture) idpJSON(op, body string) (map[string]any, error) {
	out, err := cognito.Operations()[op](context.Background(), f.env, f.tx, []byte(body))
	if err != nil {
		return nil, err
	}
	return roundTrip(out)
}

func TestReplicaHandlers(t *testing.T) {
	ctx := context.Background()
	f, rh, ah, poolID := replicaFixture(t)
	id := poolID + "|eu-west-1"

	m, err := f.create(rh, map[string]any{"UserPoolId": poolID, "RegionName": "eu-west-1", "UserPoolTagsAtCreate": map[string]any{"team": "id"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"UserPoolId": poolID, "RegionName": "eu-west-1", "UserPoolTagsAtCreate": map[string]any{"team": "id"}}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("create (-want +got):\n%s", diff)
	}
	if got, err := rh.Read(ctx, f.env, f.tx, id); err != nil || !cmp.Equal(want, got) {
		t.Errorf("read = %v, %v", got, err)
	}
	list, err := rh.List(ctx, f.env, f.tx, map[string]any{"UserPoolId": poolID})
	if err != nil || !cmp.Equal(list, []map[string]any{{"UserPoolId": poolID, "RegionName": "eu-west-1"}}) {
		t.Errorf("list = %v, %v", list, err)
	}
	// The IdP API sees the same replica.
	out, err := f.idpJSON("ListUserPoolReplicas", `{"UserPoolId":"`+poolID+`"}`)
	if err != nil || len(out["UserPoolReplicas"].([]any)) != 2 {
		t.Errorf("ListUserPoolReplicas = %v, %v", out, err)
	}

	errCases := []struct {
		name string
		err  error
		code handler.Code
		msg  string
	}{
		{"duplicate", second(f.create(rh, map[string]any{"UserPoolId": poolID, "RegionName": "eu-west-1"})), handler.AlreadyExists,
			"Resource of type 'AWS::Cognito::UserPoolReplica' with identifier '" + id + "' already exists."},
		{"primary region", second(f.create(rh, map[string]any{"UserPoolId": poolID, "RegionName": testRegion})), handler.InvalidRequest,
			"Region us-east-1 is the primary region of user pool " + poolID + "; a replica must be in another region."},
		{"no pool", second(f.create(rh, map[string]any{"UserPoolId": "us-east-1_nope", "RegionName": "eu-west-2"})), handler.NotFound,
			"User pool us-east-1_nope does not exist."},
		{"read missing", second(rh.Read(ctx, f.env, f.tx, poolID+"|ap-south-1")), handler.NotFound, ""},
		{"list no pool", second(rh.List(ctx, f.env, f.tx, map[string]any{"UserPoolId": "us-east-1_nope"})), handler.NotFound,
			"User pool us-east-1_nope does not exist."},
	}
	for _, c := range errCases {
		t.Run(c.name, func(t *testing.T) {
			code, msg := handlerError(t, c.err)
			if code != c.code || (c.msg != "" && msg != c.msg) {
				t.Errorf("error = %s %q, want %s %q", code, msg, c.code, c.msg)
			}
		})
	}

	// The replica region's attachment sets the replica's status and
	// regional configuration.
	eu := f.env
	eu.Region = "eu-west-1"
	desired := map[string]any{"UserPoolId": poolID, "Status": "INACTIVE", "EmailConfiguration": map[string]any{"EmailSendingAccount": "COGNITO_DEFAULT"},
		"UserPoolTags": map[string]any{"region": "eu"}}
	got, err := ah.Create(ctx, eu, f.tx, desired)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(desired, got); diff != "" {
		t.Errorf("attachment (-want +got):\n%s", diff)
	}
	if _, err := ah.Create(ctx, eu, f.tx, desired); err == nil {
		t.Error("second attachment: no error")
	}
	out, err = f.idpJSON("ListUserPoolReplicas", `{"UserPoolId":"`+poolID+`"}`)
	if err != nil || out["UserPoolReplicas"].([]any)[1].(map[string]any)["Status"] != "INACTIVE" {
		t.Errorf("ListUserPoolReplicas after the attachment = %v, %v", out, err)
	}
	// UpdateUserPoolReplica and the attachment agree.
	if _, err := f.idpJSON("UpdateUserPoolReplica", `{"UserPoolId":"`+poolID+`","RegionName":"eu-west-1","Status":"ACTIVE"}`); err != nil {
		t.Fatal(err)
	}
	if got, err := ah.Read(ctx, eu, f.tx, poolID); err != nil || got["Status"] != "ACTIVE" {
		t.Errorf("attachment after UpdateUserPoolReplica = %v, %v", got, err)
	}
	upd, err := ah.Update(ctx, eu, f.tx, poolID, map[string]any{"UserPoolId": poolID, "Status": "INACTIVE"})
	if err != nil || !cmp.Equal(upd, map[string]any{"UserPoolId": poolID, "Status": "INACTIVE"}) {
		t.Errorf("attachment update (a full replace) = %v, %v", upd, err)
	}
	if _, err := ah.Update(ctx, eu, f.tx, poolID, map[string]any{"UserPoolId": poolID, "Status": "PAUSED"}); err == nil {
		t.Error("Status PAUSED: no error")
	} else if code, msg := handlerError(t, err); code != handler.InvalidRequest || msg != "1 validation error detected: Value 'PAUSED' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [ACTIVE, INACTIVE]" {
		t.Errorf("Status PAUSED: %s %q", code, msg)
	}
	if err := ah.Delete(ctx, eu, f.tx, poolID); err != nil {
		t.Fatal(err)
	}
	if _, err := ah.Read(ctx, eu, f.tx, poolID); err == nil {
		t.Error("attachment read after delete: no error")
	}
	ap := f.env
	ap.Region = "ap-south-1"
	if _, err := ah.Create(ctx, ap, f.tx, map[string]any{"UserPoolId": poolID}); err == nil {
		t.Error("attachment in a region without a replica: no error")
	} else if code, _ := handlerError(t, err); code != handler.NotFound {
		t.Errorf("attachment without a replica: %s", code)
	}

	// The primary region's attachment is the pool's own configuration.
	lambda := map[string]any{"PreSignUp": "arn:aws:lambda:us-east-1:123456789012:function:pre"}
	if _, err := ah.Create(ctx, f.env, f.tx, map[string]any{"UserPoolId": poolID, "LambdaConfig": lambda}); err != nil {
		t.Fatal(err)
	}
	pool, err := f.pool.Read(ctx, f.env, f.tx, poolID)
	if err != nil || !cmp.Equal(pool["LambdaConfig"], lambda) {
		t.Errorf("pool LambdaConfig = %v, %v", pool["LambdaConfig"], err)
	}
	if _, err := ah.Update(ctx, f.env, f.tx, poolID, map[string]any{"UserPoolId": poolID, "Status": "INACTIVE"}); err == nil {
		t.Error("primary INACTIVE: no error")
	}

	// Cloud Control deletes an ACTIVE replica, which DeleteUserPoolReplica
	// refuses.
	if _, err := f.idpJSON("UpdateUserPoolReplica", `{"UserPoolId":"`+poolID+`","RegionName":"eu-west-1","Status":"ACTIVE"}`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.idpJSON("DeleteUserPoolReplica", `{"UserPoolId":"`+poolID+`","RegionName":"eu-west-1"}`); err == nil {
		t.Error("DeleteUserPoolReplica of an ACTIVE replica: no error")
	}
	if err := rh.Delete(ctx, f.env, f.tx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := rh.Read(ctx, f.env, f.tx, id); err == nil {
		t.Error("read after delete: no error")
	}
}

// second returns the error of a (value, error) pair.
func second[T any](_ T, err error) error { return err }
