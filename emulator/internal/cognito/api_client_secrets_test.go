package cognito_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// hashOf is SECRET_HASH as the AWS documentation computes it.
func hashOf(secret, username, clientID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestClientSecrets_Rotation(t *testing.T) {
	ctx := context.Background()
	sdk, srv := newSDK(t)
	pool, err := sdk.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("rotate")})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	poolID := pool.UserPool.Id
	created, err := sdk.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: poolID, ClientName: aws.String("server"), GenerateSecret: true,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	clientID := aws.ToString(created.UserPoolClient.ClientId)
	original := aws.ToString(created.UserPoolClient.ClientSecret)
	if _, err := sdk.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String("alice"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	if _, err := sdk.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: poolID, Username: aws.String("alice"), Password: aws.String("Passw0rd!x"), Permanent: true}); err != nil {
		t.Fatalf("AdminSetUserPassword: %v", err)
	}
	signIn := func(secret string) (*cip.InitiateAuthOutput, error) {
		return sdk.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!x", "SECRET_HASH": hashOf(secret, "alice", clientID)}})
	}
	list := func() []types.ClientSecretDescriptorType {
		t.Helper()
		out, err := sdk.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: poolID, ClientId: aws.String(clientID)})
		if err != nil {
			t.Fatalf("ListUserPoolClientSecrets: %v", err)
		}
		for _, d := range out.ClientSecrets {
			if d.ClientSecretValue != nil {
				t.Errorf("ListUserPoolClientSecrets reveals a secret value")
			}
		}
		return out.ClientSecrets
	}
	before := list()
	if len(before) != 1 || !aws.ToTime(before[0].ClientSecretCreateDate).Equal(clock) {
		t.Fatalf("secrets of a new client = %+v", before)
	}

	added, err := sdk.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: poolID, ClientId: aws.String(clientID)})
	if err != nil {
		t.Fatalf("AddUserPoolClientSecret: %v", err)
	}
	second := aws.ToString(added.ClientSecretDescriptor.ClientSecretValue)
	if !reSecret.MatchString(second) || second == original {
		t.Fatalf("generated secret %q", second)
	}
	if got := list(); len(got) != 2 || aws.ToString(got[0].ClientSecretId) != aws.ToString(before[0].ClientSecretId) ||
		aws.ToString(got[1].ClientSecretId) != aws.ToString(added.ClientSecretDescriptor.ClientSecretId) {
		t.Errorf("secrets after adding = %+v", got)
	}

	// SECRET_HASH with either active secret signs in; a token operation's
	// ClientSecret may be either too.
	for name, secret := range map[string]string{"original": original, "added": second} {
		out, err := signIn(secret)
		if err != nil {
			t.Fatalf("InitiateAuth with the %s secret: %v", name, err)
		}
		if _, err := sdk.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(clientID), ClientSecret: aws.String(secret), Token: out.AuthenticationResult.RefreshToken}); err != nil {
			t.Errorf("RevokeToken with the %s secret: %v", name, err)
		}
	}
	_, err = signIn("not-a-secret-of-this-client")
	wantSDKError(t, err, "NotAuthorizedException", "Unable to verify secret hash for client "+clientID)

	_, err = sdk.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: poolID, ClientId: aws.String(clientID)})
	wantSDKError(t, err, "LimitExceededException", "maximum of 2 client secrets")

	// Deleting the original makes the added secret the client's secret.
	if _, err := sdk.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: poolID, ClientId: aws.String(clientID), ClientSecretId: before[0].ClientSecretId}); err != nil {
		t.Fatalf("DeleteUserPoolClientSecret: %v", err)
	}
	d, err := sdk.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: poolID, ClientId: aws.String(clientID)})
	if err != nil {
		t.Fatalf("DescribeUserPoolClient: %v", err)
	}
	if aws.ToString(d.UserPoolClient.ClientSecret) != second {
		t.Errorf("DescribeUserPoolClient shows a secret other than the remaining one")
	}
	_, err = signIn(original)
	wantSDKError(t, err, "NotAuthorizedException", "Unable to verify secret hash for client "+clientID)
	if _, err := signIn(second); err != nil {
		t.Errorf("InitiateAuth with the remaining secret: %v", err)
	}
	_, err = sdk.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: poolID, ClientId: aws.String(clientID), ClientSecretId: added.ClientSecretDescriptor.ClientSecretId})
	wantSDKError(t, err, "InvalidParameterException", "You cannot delete the last client secret of client "+clientID+".")

	// A secret of one's own: no value in the answer, usable at once.
	custom := "my-own-rotated-secret-0123456789"
	_, err = sdk.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: poolID, ClientId: aws.String(clientID), ClientSecret: aws.String(custom)})
	wantSDKError(t, err, "InvalidParameterException", "at 'clientSecret' failed to satisfy constraint: Member must satisfy regular expression pattern")
	custom = "myOwnRotatedSecret0123456789"
	own, err := sdk.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: poolID, ClientId: aws.String(clientID), ClientSecret: aws.String(custom)})
	if err != nil {
		t.Fatalf("AddUserPoolClientSecret with a given secret: %v", err)
	}
	if own.ClientSecretDescriptor.ClientSecretValue != nil {
		t.Errorf("a given secret is echoed back")
	}
	if _, err := signIn(custom); err != nil {
		t.Errorf("InitiateAuth with the given secret: %v", err)
	}

	// Deleting the client deletes its secrets record.
	if n, _ := srv.Tx.Count("ccql::Cognito::PoolSettings", aws.ToString(poolID)+"|secrets|"); n != 1 {
		t.Fatalf("%d secrets records, want 1", n)
	}
	if _, err := sdk.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: poolID, ClientId: aws.String(clientID)}); err != nil {
		t.Fatalf("DeleteUserPoolClient: %v", err)
	}
	if n, _ := srv.Tx.Count("ccql::Cognito::PoolSettings", aws.ToString(poolID)+"|secrets|"); n != 0 {
		t.Errorf("%d secrets records left after DeleteUserPoolClient", n)
	}
}

func TestClientSecrets_Refusals(t *testing.T) {
	ctx := context.Background()
	sdk, _ := newSDK(t)
	poolID, _, publicID := settingsPool(t, sdk, nil)
	conf, err := sdk.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(poolID), ClientName: aws.String("conf"), GenerateSecret: true})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	confID := aws.ToString(conf.UserPoolClient.ClientId)
	cases := []struct {
		name      string
		call      func() error
		code, msg string
	}{
		{"public client", func() error {
			_, err := sdk.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: aws.String(poolID), ClientId: aws.String(publicID)})
			return err
		}, "InvalidParameterException", "Client " + publicID + " does not have a client secret."},
		{"missing client", func() error {
			_, err := sdk.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: aws.String(poolID), ClientId: aws.String("nosuchclient")})
			return err
		}, "ResourceNotFoundException", "User pool client nosuchclient does not exist."},
		{"missing pool", func() error {
			_, err := sdk.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: aws.String("us-east-1_Missing00"), ClientId: aws.String(confID)})
			return err
		}, "ResourceNotFoundException", "User pool us-east-1_Missing00 does not exist."},
		{"unknown secret id", func() error {
			_, err := sdk.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: aws.String(poolID), ClientId: aws.String(confID), ClientSecretId: aws.String("nope")})
			return err
		}, "ResourceNotFoundException", "Client secret nope does not exist."},
		{"short secret", func() error {
			_, err := sdk.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: aws.String(poolID), ClientId: aws.String(confID), ClientSecret: aws.String("short")})
			return err
		}, "InvalidParameterException", "at 'clientSecret' failed to satisfy constraint: Member must have length greater than or equal to 24"},
		{"the active secret again", func() error {
			_, err := sdk.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: aws.String(poolID), ClientId: aws.String(confID), ClientSecret: conf.UserPoolClient.ClientSecret})
			return err
		}, "InvalidParameterException", "The client secret is already active for client " + confID + "."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantSDKError(t, c.call(), c.code, c.msg) })
	}
}
