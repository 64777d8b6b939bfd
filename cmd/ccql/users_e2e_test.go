package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// outboxMessage is what GET /_ccql/cognito/messages lists.
type outboxMessage struct {
	Username, Kind, DeliveryMedium, AttributeName, Destination, MaskedDestination, Subject, Message, Code string
	Sequence                                                                                              int
}

func outbox(t *testing.T, addr, pool, username string) []outboxMessage {
	t.Helper()
	q := url.Values{"userPoolId": {pool}, "username": {username}}
	resp, err := http.Get("http://" + addr + "/_ccql/cognito/messages?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET messages: %d %s", resp.StatusCode, body)
	}
	var out struct{ Messages []outboxMessage }
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("messages %s: %v", body, err)
	}
	return out.Messages
}

// TestE2E_Users creates users in SQL (awscc.cognito.user_pool_users, as
// AdminCreateUser) through `ccql exec --endpoint` against `ccql serve`,
// reads them back in SQL and with aws-sdk-go-v2, reads the invitation from
// the outbox over HTTP, and drives sign-up and group membership.
func TestE2E_Users(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	addr := startServe(t)
	env := []string{"CCQL_DATA_DIR=" + t.TempDir()}
	run := func(name string, args ...string) string {
		t.Helper()
		out, errOut, code := ccqlBin(t, env, append([]string{"exec", "--endpoint", "http://" + addr}, args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errOut)
		}
		return out
	}
	pool := strings.TrimSpace(run("pool", "-o", "text", "--wait",
		`INSERT INTO awscc.cognito.user_pools (UserPoolName, AutoVerifiedAttributes, region) SELECT 'people', '["email"]', 'us-east-1' RETURNING Identifier`))
	run("user", "--wait", `INSERT INTO awscc.cognito.user_pool_users (UserPoolId, Username, UserAttributes, DesiredDeliveryMediums, region)
SELECT '`+pool+`', 'alice', '[{"Name":"email","Value":"alice@example.com"},{"Name":"email_verified","Value":"true"}]', '["EMAIL"]', 'us-east-1'`)
	run("user 2", "--wait", `INSERT INTO awscc.cognito.user_pool_users (UserPoolId, Username, MessageAction, region)
SELECT '`+pool+`', 'bob', 'SUPPRESS', 'us-east-1'`)
	got := run("select", "-o", "csv", `SELECT username, json_extract(user_attributes, '$[1].Name') AS second FROM awscc.cognito.user_pool_users
WHERE region = 'us-east-1' AND user_pool_id = '`+pool+`' ORDER BY username`)
	if got != "username,second\nalice,email\nbob,\n" {
		t.Errorf("SELECT user_pool_users:\n%s", got)
	}
	// A user that breaks the pool's rules fails as AdminCreateUser does:
	// the request's row is printed and the command exits 1.
	failed, failedErr, code := ccqlBin(t, env, "exec", "--endpoint", "http://"+addr, "-o", "csv", "--wait", `INSERT INTO awscc.cognito.user_pool_users (UserPoolId, Username, UserAttributes, region)
SELECT '`+pool+`', 'carol', '[{"Name":"email","Value":"nope"}]', 'us-east-1' RETURNING OperationStatus, ErrorCode, StatusMessage`)
	if code != 1 || !strings.Contains(failed, `FAILED,InvalidRequest,"Invalid email address format. (Service: CognitoIdentityProvider, Status Code: 400`) {
		t.Errorf("bad user: exit %d\n%s\n%s", code, failed, failedErr)
	}

	ctx := context.Background()
	idp := cip.New(cip.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://" + addr),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
	u, err := idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if u.UserStatus != types.UserStatusTypeForceChangePassword {
		t.Errorf("alice is %s", u.UserStatus)
	}
	msgs := outbox(t, addr, pool, "alice")
	if len(msgs) != 1 || msgs[0].Kind != "INVITATION" || !strings.Contains(msgs[0].Message, msgs[0].Code) || msgs[0].Destination != "alice@example.com" {
		t.Fatalf("alice's outbox: %+v", msgs)
	}
	if len(outbox(t, addr, pool, "bob")) != 0 {
		t.Error("SUPPRESS sent bob a message")
	}

	// Group membership in SQL, seen by the IdP API.
	run("group", "--wait", `INSERT INTO awscc.cognito.user_pool_groups (UserPoolId, GroupName, region) SELECT '`+pool+`', 'admins', 'us-east-1'`)
	run("attach", "--wait", `INSERT INTO awscc.cognito.user_pool_user_to_group_attachments (UserPoolId, GroupName, Username, region) SELECT '`+pool+`', 'admins', 'alice', 'us-east-1'`)
	groups, err := idp.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(pool), Username: aws.String("alice")})
	if err != nil || len(groups.Groups) != 1 || aws.ToString(groups.Groups[0].GroupName) != "admins" {
		t.Errorf("groups of alice: %+v, %v", groups, err)
	}

	// Sign-up and confirmation with the code from the outbox.
	client, err := idp.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	clientID := client.UserPoolClient.ClientId
	up, err := idp.SignUp(ctx, &cip.SignUpInput{ClientId: clientID, Username: aws.String("dana"), Password: aws.String("Passw0rd!"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("dana@example.com")}}})
	if err != nil {
		t.Fatal(err)
	}
	msgs = outbox(t, addr, pool, "dana")
	if len(msgs) != 1 || aws.ToString(up.CodeDeliveryDetails.Destination) != msgs[0].MaskedDestination {
		t.Fatalf("dana's outbox %+v, delivery %+v", msgs, up.CodeDeliveryDetails)
	}
	if _, err := idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: clientID, Username: aws.String("dana"), ConfirmationCode: aws.String(msgs[0].Code)}); err != nil {
		t.Fatal(err)
	}
	list, err := idp.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), Filter: aws.String(`cognito:user_status = "CONFIRMED"`)})
	if err != nil || len(list.Users) != 1 || aws.ToString(list.Users[0].Username) != "dana" {
		t.Errorf("confirmed users: %+v, %v", list, err)
	}

	// Deleting in SQL deletes the user.
	run("delete", "--wait", `DELETE FROM awscc.cognito.user_pool_users WHERE region = 'us-east-1' AND Identifier = '`+pool+`|bob'`)
	_, err = idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("bob")})
	if err == nil || !strings.Contains(err.Error(), "UserNotFoundException") {
		t.Errorf("bob after DELETE: %v", err)
	}
}
