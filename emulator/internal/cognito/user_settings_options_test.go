package cognito_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// TestUserSettings_MFAOptionsShown: the legacy MFAOptions that
// SetUserSettings writes are read back by every operation whose response
// carries them: AdminGetUser, GetUser and ListUsers.
func TestUserSettings_MFAOptionsShown(t *testing.T) {
	ctx := context.Background()
	sdk, _ := newSDK(t)
	pool, err := sdk.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("options")})
	if err != nil {
		t.Fatal(err)
	}
	c, err := sdk.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.UserPool.Id, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sdk.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool.UserPool.Id, Username: aws.String("pat"), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{{Name: aws.String("phone_number"), Value: aws.String("+15555550123")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sdk.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: pool.UserPool.Id, Username: aws.String("pat"), Password: aws.String("Passw0rd!x"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	auth, err := sdk.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: c.UserPoolClient.ClientId, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "pat", "PASSWORD": "Passw0rd!x"}})
	if err != nil || auth.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	access := auth.AuthenticationResult.AccessToken
	sms := []types.MFAOptionType{{DeliveryMedium: types.DeliveryMediumTypeSms, AttributeName: aws.String("phone_number")}}
	if _, err := sdk.SetUserSettings(ctx, &cip.SetUserSettingsInput{AccessToken: access, MFAOptions: sms}); err != nil {
		t.Fatalf("SetUserSettings: %v", err)
	}
	check := func(name string, got []types.MFAOptionType) {
		t.Helper()
		if len(got) != 1 || got[0].DeliveryMedium != types.DeliveryMediumTypeSms || aws.ToString(got[0].AttributeName) != "phone_number" {
			t.Errorf("%s MFAOptions = %+v", name, got)
		}
	}
	au, err := sdk.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool.UserPool.Id, Username: aws.String("pat")})
	if err != nil {
		t.Fatal(err)
	}
	check("AdminGetUser", au.MFAOptions)
	gu, err := sdk.GetUser(ctx, &cip.GetUserInput{AccessToken: access})
	if err != nil {
		t.Fatal(err)
	}
	check("GetUser", gu.MFAOptions)
	lu, err := sdk.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool.UserPool.Id})
	if err != nil || len(lu.Users) != 1 {
		t.Fatalf("ListUsers: %v %v", lu, err)
	}
	check("ListUsers", lu.Users[0].MFAOptions)
}
