package emulator_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/ccql/ccql/emulator"
	"github.com/ccql/ccql/internal/cloudcontrol"
)

// TestSignIn_UnsignedCallsFindTheirPartition: with SigV4 checked, a pool
// made by account 123456789012 in eu-west-1 is signed in to by unsigned
// calls (as amazon-cognito-identity-js and the SDKs' anonymous operations
// send them), which name neither account nor region.
func TestSignIn_UnsignedCallsFindTheirPartition(t *testing.T) {
	const key, secret = "123456789012", "s3cret"
	s, err := emulator.NewServer(emulator.Options{Credentials: map[string]string{key: secret}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hc := s.HTTPClient()
	admin := cip.NewFromConfig(sdkConfig(hc, key, secret, "eu-west-1"), func(o *cip.Options) { o.BaseEndpoint = aws.String(s.URL()) })
	anon := cip.NewFromConfig(aws.Config{Region: "us-east-1", HTTPClient: cloudcontrol.BufferBodies(hc), RetryMaxAttempts: 1, Credentials: aws.AnonymousCredentials{}},
		func(o *cip.Options) { o.BaseEndpoint = aws.String(s.URL()) })
	ctx := context.Background()
	pool, err := admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("p")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := pool.UserPool.Id
	c, err := admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: poolID, ClientName: aws.String("c"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String("alice"),
		MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: poolID, Username: aws.String("alice"),
		Password: aws.String("Passw0rd!"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	out, err := anon.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: c.UserPoolClient.ClientId, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}})
	if err != nil {
		t.Fatalf("unsigned InitiateAuth: %v", err)
	}
	u, err := anon.GetUser(ctx, &cip.GetUserInput{AccessToken: out.AuthenticationResult.AccessToken})
	if err != nil || aws.ToString(u.Username) != "alice" {
		t.Fatalf("unsigned GetUser: %v %v", u, err)
	}
	// Admin operations still need a signature.
	_, err = anon.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: poolID, Username: aws.String("alice")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "MissingAuthenticationTokenException" {
		t.Fatalf("unsigned AdminGetUser: %v", err)
	}
}
