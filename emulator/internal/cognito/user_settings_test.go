package cognito_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestUserSettings_SMSMFAOptions(t *testing.T) {
	ctx := context.Background()
	sdk, _ := newSDK(t)
	pool, err := sdk.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("settings")})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	poolID := pool.UserPool.Id
	c, err := sdk.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: poolID, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	for _, name := range []string{"phoned", "nophone"} {
		attrs := []types.AttributeType{}
		if name == "phoned" {
			attrs = append(attrs, types.AttributeType{Name: aws.String("phone_number"), Value: aws.String("+15555550123")})
		}
		if _, err := sdk.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String(name), MessageAction: types.MessageActionTypeSuppress, UserAttributes: attrs}); err != nil {
			t.Fatalf("AdminCreateUser: %v", err)
		}
		if _, err := sdk.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: poolID, Username: aws.String(name), Password: aws.String("Passw0rd!x"), Permanent: true}); err != nil {
			t.Fatalf("AdminSetUserPassword: %v", err)
		}
	}
	sms := []types.MFAOptionType{{DeliveryMedium: types.DeliveryMediumTypeSms, AttributeName: aws.String("phone_number")}}
	settingList := func(name string) []string {
		t.Helper()
		u, err := sdk.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: poolID, Username: aws.String(name)})
		if err != nil {
			t.Fatalf("AdminGetUser: %v", err)
		}
		return u.UserMFASettingList
	}
	if _, err := sdk.AdminSetUserSettings(ctx, &cip.AdminSetUserSettingsInput{UserPoolId: poolID, Username: aws.String("phoned"), MFAOptions: sms}); err != nil {
		t.Fatalf("AdminSetUserSettings: %v", err)
	}
	if got := settingList("phoned"); !slices.Equal(got, []string{"SMS_MFA"}) {
		t.Errorf("after AdminSetUserSettings SMS: %v", got)
	}
	// SetUserSettings with the user's own access token turns it off.
	auth, err := sdk.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: c.UserPoolClient.ClientId,
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "phoned", "PASSWORD": "Passw0rd!x"}})
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	if auth.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth answered a challenge %s", auth.ChallengeName)
	}
	if _, err := sdk.SetUserSettings(ctx, &cip.SetUserSettingsInput{AccessToken: auth.AuthenticationResult.AccessToken, MFAOptions: []types.MFAOptionType{}}); err != nil {
		t.Fatalf("SetUserSettings: %v", err)
	}
	if got := settingList("phoned"); len(got) != 0 {
		t.Errorf("after SetUserSettings []: %v", got)
	}
	tests := []struct {
		name      string
		call      func() error
		code, msg string
	}{
		{"no phone", func() error {
			_, err := sdk.AdminSetUserSettings(ctx, &cip.AdminSetUserSettingsInput{UserPoolId: poolID, Username: aws.String("nophone"), MFAOptions: sms})
			return err
		}, "InvalidParameterException", "The user has no phone_number for SMS MFA."},
		{"email option", func() error {
			_, err := sdk.AdminSetUserSettings(ctx, &cip.AdminSetUserSettingsInput{UserPoolId: poolID, Username: aws.String("phoned"),
				MFAOptions: []types.MFAOptionType{{DeliveryMedium: types.DeliveryMediumTypeEmail, AttributeName: aws.String("email")}}})
			return err
		}, "InvalidParameterException", "Only SMS MFA on phone_number can be set with MFAOptions."},
		{"unknown user", func() error {
			_, err := sdk.AdminSetUserSettings(ctx, &cip.AdminSetUserSettingsInput{UserPoolId: poolID, Username: aws.String("ghost"), MFAOptions: sms})
			return err
		}, "UserNotFoundException", "User does not exist."},
		{"bad token", func() error {
			_, err := sdk.SetUserSettings(ctx, &cip.SetUserSettingsInput{AccessToken: aws.String("not-a-token"), MFAOptions: sms})
			return err
		}, "NotAuthorizedException", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantSDKError(t, tc.call(), tc.code, tc.msg) })
	}
}

func TestGetUserAuthFactors(t *testing.T) {
	ctx := context.Background()
	sdk, _ := newSDK(t)
	pool, err := sdk.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("factors"), UserPoolTier: types.UserPoolTierTypeEssentials,
		Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp, types.AuthFactorTypeSmsOtp}}}})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	poolID := pool.UserPool.Id
	c, err := sdk.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: poolID, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	if _, err := sdk.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String("gail"), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("gail@example.com")}, {Name: aws.String("email_verified"), Value: aws.String("true")}}}); err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	if _, err := sdk.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: poolID, Username: aws.String("gail"), Password: aws.String("Passw0rd!x"), Permanent: true}); err != nil {
		t.Fatalf("AdminSetUserPassword: %v", err)
	}
	auth, err := sdk.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: c.UserPoolClient.ClientId, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "gail", "PASSWORD": "Passw0rd!x"}})
	if err != nil || auth.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth: %v %+v", err, auth)
	}
	out, err := sdk.GetUserAuthFactors(ctx, &cip.GetUserAuthFactorsInput{AccessToken: auth.AuthenticationResult.AccessToken})
	if err != nil {
		t.Fatalf("GetUserAuthFactors: %v", err)
	}
	// No phone number: SMS_OTP is not a factor of this user.
	want := []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp}
	if aws.ToString(out.Username) != "gail" || !slices.Equal(out.ConfiguredUserAuthFactors, want) {
		t.Errorf("GetUserAuthFactors = %s %v, want %v", aws.ToString(out.Username), out.ConfiguredUserAuthFactors, want)
	}
	_, err = sdk.GetUserAuthFactors(ctx, &cip.GetUserAuthFactorsInput{AccessToken: aws.String("not-a-token")})
	wantSDKError(t, err, "NotAuthorizedException", "")
}
