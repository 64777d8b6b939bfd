package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// TestE2E_OutboxSQL reads the Cognito outbox in SQL
// (awscc.cognito_outbox.messages) with the built binary: through
// `ccql exec --endpoint` against `ccql serve` (the HTTP route), after an
// invitation made in SQL and a sign-up made with aws-sdk-go-v2, and
// confirms the sign-up with the code SQL returned.
func TestE2E_OutboxSQL(t *testing.T) {
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
SELECT '`+pool+`', 'alice', '[{"Name":"email","Value":"alice@example.com"}]', '["EMAIL"]', 'us-east-1'`)

	ctx := context.Background()
	idp := cip.New(cip.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + addr),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")})
	client, err := idp.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := idp.SignUp(ctx, &cip.SignUpInput{ClientId: client.UserPoolClient.ClientId, Username: aws.String("dana"),
		Password: aws.String("Passw0rd!"), UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("dana@example.com")}}}); err != nil {
		t.Fatal(err)
	}

	got := run("select all", "-o", "csv", `SELECT sequence, username, kind, delivery_medium, destination, region
FROM awscc.cognito_outbox.messages WHERE user_pool_id = '`+pool+`' ORDER BY sequence`)
	want := "sequence,username,kind,delivery_medium,destination,region\n" +
		"1,alice,INVITATION,EMAIL,alice@example.com,us-east-1\n"
	if !strings.HasPrefix(got, want) || strings.Count(got, "\n") != 3 || !strings.Contains(got, "\n2,dana,") {
		t.Fatalf("SELECT outbox:\n%s", got)
	}

	// SQL and the HTTP route agree, and the code is the real one.
	code := strings.TrimSpace(run("select dana", "-o", "text",
		`SELECT code FROM awscc.cognito_outbox.messages WHERE user_pool_id = '`+pool+`' AND username = 'dana'`))
	viaHTTP := outbox(t, addr, pool, "dana")
	if len(viaHTTP) != 1 || code == "" || viaHTTP[0].Code != code {
		t.Fatalf("SQL code %q, HTTP outbox %+v", code, viaHTTP)
	}
	if _, err := idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: client.UserPoolClient.ClientId,
		Username: aws.String("dana"), ConfirmationCode: aws.String(code)}); err != nil {
		t.Fatalf("confirm with the code from SQL: %v", err)
	}

	// A pool that does not exist has no messages.
	if got := run("missing pool", "-o", "csv", `SELECT * FROM awscc.cognito_outbox.messages WHERE user_pool_id = 'us-east-1_nope'`); strings.Count(got, "\n") > 1 {
		t.Errorf("missing pool:\n%s", got)
	}
}

// TestE2E_OutboxSQLLocalAndAWS reads the outbox with the binary on the
// local backend (in process) and shows the error of --backend aws.
func TestE2E_OutboxSQLLocalAndAWS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	env := []string{"CCQL_DATA_DIR=" + t.TempDir()}
	run := func(name string, args ...string) string {
		t.Helper()
		out, errOut, code := ccqlBin(t, env, append([]string{"exec"}, args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errOut)
		}
		return out
	}
	pool := strings.TrimSpace(run("pool", "-o", "text", "--wait",
		`INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'people', 'eu-west-1' RETURNING Identifier`))
	run("user", "--wait", `INSERT INTO awscc.cognito.user_pool_users (UserPoolId, Username, UserAttributes, DesiredDeliveryMediums, region)
SELECT '`+pool+`', 'bob', '[{"Name":"email","Value":"bob@example.com"}]', '["EMAIL"]', 'eu-west-1'`)
	got := run("select", "-o", "csv", `SELECT username, kind, destination, message LIKE '%' || code || '%' AS has_code
FROM awscc.cognito_outbox.messages WHERE user_pool_id = '`+pool+`'`)
	if got != "username,kind,destination,has_code\nbob,INVITATION,bob@example.com,1\n" {
		t.Errorf("local outbox:\n%s", got)
	}

	_, errOut, code := ccqlBin(t, append(env, "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret"),
		"exec", "--backend", "aws", "--region", "eu-west-1", `SELECT * FROM awscc.cognito_outbox.messages WHERE user_pool_id = 'eu-west-1_abc'`)
	if code == 0 || !strings.Contains(errOut, "only in the emulator") {
		t.Errorf("--backend aws: exit %d, stderr %s", code, errOut)
	}
}
