package emulator_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/ccql/ccql/emulator"
	"github.com/ccql/ccql/emulator/internal/cognito"
)

// usersEnv is one emulator with the IdP client of the default account.
type usersEnv struct {
	t     *testing.T
	s     *emulator.Server
	hc    *http.Client
	idp   *cip.Client
	clock *clock
}

func newUsersEnv(t *testing.T, s *emulator.Server, hc *http.Client, c *clock) *usersEnv {
	return &usersEnv{t: t, s: s, hc: hc, clock: c, idp: cip.NewFromConfig(sdkConfig(hc, "AKIDEXAMPLE", "secret", "us-east-1"), func(o *cip.Options) {
		o.BaseEndpoint = aws.String(s.URL())
	})}
}

func (e *usersEnv) pool(in *cip.CreateUserPoolInput) string {
	e.t.Helper()
	if in.PoolName == nil {
		in.PoolName = aws.String("users")
	}
	out, err := e.idp.CreateUserPool(context.Background(), in)
	if err != nil {
		e.t.Fatalf("CreateUserPool: %v", err)
	}
	return aws.ToString(out.UserPool.Id)
}

func (e *usersEnv) client(pool string, secret bool) (id, sec string) {
	e.t.Helper()
	out, err := e.idp.CreateUserPoolClient(context.Background(), &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(pool), ClientName: aws.String("app"), GenerateSecret: secret})
	if err != nil {
		e.t.Fatalf("CreateUserPoolClient: %v", err)
	}
	return aws.ToString(out.UserPoolClient.ClientId), aws.ToString(out.UserPoolClient.ClientSecret)
}

// messages reads the outbox over HTTP, as a developer would.
func (e *usersEnv) messages(pool, username string) []cognito.Message {
	e.t.Helper()
	q := url.Values{"userPoolId": {pool}}
	if username != "" {
		q.Set("username", username)
	}
	resp, err := e.hc.Get(e.s.URL() + emulator.MessagesPath + "?" + q.Encode())
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		e.t.Fatalf("GET messages: %d %s", resp.StatusCode, body)
	}
	var out struct{ Messages []cognito.Message }
	if err := json.Unmarshal(body, &out); err != nil {
		e.t.Fatal(err)
	}
	return out.Messages
}

// fullTransports is transports over a server with every resource type
// (NewServer), which the user types need, in process and on a listener.
func fullTransports(t *testing.T, opts emulator.Options, fn func(t *testing.T, s *emulator.Server, hc *http.Client)) {
	start := func(t *testing.T, o emulator.Options) *emulator.Server {
		s, err := emulator.NewServer(o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	}
	t.Run("InProcess", func(t *testing.T) {
		s := start(t, opts)
		fn(t, s, s.HTTPClient())
	})
	t.Run("Listener", func(t *testing.T) {
		o := opts
		o.Addr = "127.0.0.1:0"
		s := start(t, o)
		fn(t, s, listenerClient(t, 30*time.Second))
	})
}

func attr(name, value string) types.AttributeType {
	return types.AttributeType{Name: aws.String(name), Value: aws.String(value)}
}

func attrValue(attrs []types.AttributeType, name string) (string, bool) {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value), true
		}
	}
	return "", false
}

func hash(secret, username, clientID string) *string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(username + clientID))
	return aws.String(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}

func TestSDK_UsersAdmin(t *testing.T) {
	c := &clock{t: time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)}
	fullTransports(t, emulator.Options{Now: c.Now}, func(t *testing.T, s *emulator.Server, hc *http.Client) {
		ctx := context.Background()
		e := newUsersEnv(t, s, hc, c)
		pool := e.pool(&cip.CreateUserPoolInput{
			Schema: []types.SchemaAttributeType{{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeNumber,
				NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("1"), MaxValue: aws.String("5")}}},
			AdminCreateUserConfig: &types.AdminCreateUserConfigType{InviteMessageTemplate: &types.MessageTemplateType{
				EmailSubject: aws.String("Welcome"), EmailMessage: aws.String("Hello {username}, your password is {####}")}},
		})

		// AdminCreateUser with a generated temporary password, sent by e-mail.
		created, err := e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: aws.String(pool), Username: aws.String("alice"),
			UserAttributes:         []types.AttributeType{attr("email", "alice@example.com"), attr("custom:tier", "3")},
			DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
		})
		if err != nil {
			t.Fatalf("AdminCreateUser: %v", err)
		}
		if created.User.UserStatus != types.UserStatusTypeForceChangePassword || !created.User.Enabled || aws.ToString(created.User.Username) != "alice" {
			t.Errorf("created user %+v", created.User)
		}
		msgs := e.messages(pool, "alice")
		if len(msgs) != 1 {
			t.Fatalf("outbox = %+v, want one invitation", msgs)
		}
		inv := msgs[0]
		if inv.Kind != cognito.MessageInvitation || inv.DeliveryMedium != "EMAIL" || inv.Destination != "alice@example.com" ||
			inv.Subject != "Welcome" || inv.Message != "Hello alice, your password is "+inv.Code || len(inv.Code) < 8 {
			t.Errorf("invitation %+v", inv)
		}
		// The Go accessor agrees with HTTP.
		if got, err := s.CognitoMessages(ctx, "", pool, "alice"); err != nil || len(got) != 1 || got[0].Code != inv.Code {
			t.Errorf("CognitoMessages = %+v, %v", got, err)
		}

		got, err := e.idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("alice")})
		if err != nil {
			t.Fatal(err)
		}
		sub, _ := attrValue(got.UserAttributes, "sub")
		if v, _ := attrValue(got.UserAttributes, "custom:tier"); v != "3" || len(sub) != 36 {
			t.Errorf("attributes %+v", got.UserAttributes)
		}
		if !aws.ToTime(got.UserCreateDate).Equal(c.Now().Truncate(time.Millisecond)) && aws.ToTime(got.UserCreateDate).IsZero() {
			t.Errorf("UserCreateDate %v", got.UserCreateDate)
		}
		// AdminGetUser accepts the sub.
		if bySub, err := e.idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(sub)}); err != nil || aws.ToString(bySub.Username) != "alice" {
			t.Errorf("AdminGetUser by sub: %v %v", bySub, err)
		}

		// Errors, message by message.
		cases := []struct {
			desc string
			call func() error
			code string
			msg  string
		}{
			{"existing user", func() error {
				_, err := e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("alice")})
				return err
			}, "UsernameExistsException", "User account already exists"},
			{"unknown user", func() error {
				_, err := e.idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("nobody")})
				return err
			}, "UserNotFoundException", "User does not exist."},
			{"user name pattern (a sensitive member: no value echoed)", func() error {
				_, err := e.idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("a b")})
				return err
			}, "InvalidParameterException", `1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+`},
			{"unknown pool", func() error {
				_, err := e.idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String("us-east-1_nope"), Username: aws.String("a")})
				return err
			}, "ResourceNotFoundException", "User pool us-east-1_nope does not exist."},
			{"weak temporary password", func() error {
				_, err := e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("bob"), TemporaryPassword: aws.String("password1!")})
				return err
			}, "InvalidPasswordException", "Password did not conform with policy: Password must have uppercase characters"},
			{"unknown attribute", func() error {
				_, err := e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("bob"), UserAttributes: []types.AttributeType{attr("custom:nope", "x")}})
				return err
			}, "InvalidParameterException", "Attributes did not conform to the schema: Type for attribute {custom:nope} could not be determined"},
			{"number out of range", func() error {
				_, err := e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("bob"), UserAttributes: []types.AttributeType{attr("custom:tier", "9")}})
				return err
			}, "InvalidParameterException", "Attributes did not conform to the schema: custom:tier: Number must be less than or equal to 5"},
			{"bad e-mail", func() error {
				_, err := e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("bob"), UserAttributes: []types.AttributeType{attr("email", "not-an-email")}})
				return err
			}, "InvalidParameterException", "Invalid email address format."},
			{"set password, weak", func() error {
				_, err := e.idp.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("alice"), Password: aws.String("Short1!")})
				return err
			}, "InvalidPasswordException", "Password did not conform with policy: Password not long enough"},
			{"confirm a non-UNCONFIRMED user", func() error {
				_, err := e.idp.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(pool), Username: aws.String("alice")})
				return err
			}, "NotAuthorizedException", "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD"},
			{"unknown group", func() error {
				_, err := e.idp.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(pool), Username: aws.String("alice"), GroupName: aws.String("none")})
				return err
			}, "ResourceNotFoundException", "Group not found."},
			{"bad filter", func() error {
				_, err := e.idp.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), Filter: aws.String(`email = unquoted`)})
				return err
			}, "InvalidParameterException", "Error while parsing filter."},
		}
		for _, tc := range cases {
			wantAPIError(t, tc.call(), tc.code, tc.msg)
		}

		// Permanent password → CONFIRMED; disable/enable.
		if _, err := e.idp.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("alice"), Password: aws.String("Passw0rd!"), Permanent: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.idp.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool), Username: aws.String("alice")}); err != nil {
			t.Fatal(err)
		}
		got, _ = e.idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("alice")})
		if got.UserStatus != types.UserStatusTypeConfirmed || got.Enabled {
			t.Errorf("after set password + disable: %s enabled=%v", got.UserStatus, got.Enabled)
		}
		if _, err := e.idp.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: aws.String(pool), Username: aws.String("alice")}); err != nil {
			t.Fatal(err)
		}

		// Attributes: update (a changed e-mail is unverified), delete.
		if _, err := e.idp.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String("alice"),
			UserAttributes: []types.AttributeType{attr("email", "alice@example.org"), attr("given_name", "Alice")}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.idp.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String("alice"),
			UserAttributeNames: []string{"given_name"}}); err != nil {
			t.Fatal(err)
		}
		got, _ = e.idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("alice")})
		if v, _ := attrValue(got.UserAttributes, "email"); v != "alice@example.org" {
			t.Errorf("email = %q", v)
		}
		if v, _ := attrValue(got.UserAttributes, "email_verified"); v != "false" {
			t.Errorf("email_verified = %q after a change", v)
		}
		if _, ok := attrValue(got.UserAttributes, "given_name"); ok {
			t.Error("given_name not deleted")
		}

		// Groups.
		for _, g := range []string{"admins", "staff"} {
			if _, err := e.idp.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String(g)}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.idp.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(pool), Username: aws.String("alice"), GroupName: aws.String(g)}); err != nil {
				t.Fatal(err)
			}
		}
		groups, err := e.idp.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(pool), Username: aws.String("alice"), Limit: aws.Int32(1)})
		if err != nil || len(groups.Groups) != 1 || aws.ToString(groups.Groups[0].GroupName) != "admins" || groups.NextToken == nil {
			t.Fatalf("AdminListGroupsForUser page 1 = %+v, %v", groups, err)
		}
		groups, err = e.idp.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(pool), Username: aws.String("alice"), Limit: aws.Int32(1), NextToken: groups.NextToken})
		if err != nil || len(groups.Groups) != 1 || aws.ToString(groups.Groups[0].GroupName) != "staff" || groups.NextToken != nil {
			t.Fatalf("AdminListGroupsForUser page 2 = %+v, %v", groups, err)
		}
		inGroup, err := e.idp.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("staff")})
		if err != nil || len(inGroup.Users) != 1 || aws.ToString(inGroup.Users[0].Username) != "alice" {
			t.Fatalf("ListUsersInGroup = %+v, %v", inGroup, err)
		}
		if _, err := e.idp.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: aws.String(pool), Username: aws.String("alice"), GroupName: aws.String("staff")}); err != nil {
			t.Fatal(err)
		}
		// Deleting a group removes its memberships.
		if _, err := e.idp.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String("admins")}); err != nil {
			t.Fatal(err)
		}
		groups, _ = e.idp.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(pool), Username: aws.String("alice")})
		if len(groups.Groups) != 0 {
			t.Errorf("groups after removal and deletion: %+v", groups.Groups)
		}

		// ListUsers: filters, AttributesToGet, pagination.
		for _, n := range []string{"bob", "carol", "dave"} {
			if _, err := e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String(n),
				UserAttributes: []types.AttributeType{attr("email", n+"@example.com")}, MessageAction: types.MessageActionTypeSuppress}); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(e.messages(pool, "")); n != 1 {
			t.Errorf("SUPPRESS sent messages: %d in the outbox", n)
		}
		filters := []struct {
			filter string
			want   []string
		}{
			{``, []string{"alice", "bob", "carol", "dave"}},
			{`username = "bob"`, []string{"bob"}},
			{`email ^= "c"`, []string{"carol"}},
			{`cognito:user_status = "force_change_password"`, []string{"bob", "carol", "dave"}},
			{`status = "Enabled"`, []string{"alice", "bob", "carol", "dave"}},
			{`email="dave@example.com"`, []string{"dave"}},
			{`sub = "` + sub + `"`, []string{"alice"}},
		}
		for _, f := range filters {
			out, err := e.idp.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), Filter: aws.String(f.filter)})
			if err != nil {
				t.Fatalf("filter %q: %v", f.filter, err)
			}
			var names []string
			for _, u := range out.Users {
				names = append(names, aws.ToString(u.Username))
			}
			if !slices.Equal(names, f.want) {
				t.Errorf("filter %q = %v, want %v", f.filter, names, f.want)
			}
		}
		var all []string
		var token *string
		for {
			out, err := e.idp.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), Limit: aws.Int32(3), PaginationToken: token, AttributesToGet: []string{"email"}})
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range out.Users {
				all = append(all, aws.ToString(u.Username))
				if len(u.Attributes) != 1 || aws.ToString(u.Attributes[0].Name) != "email" {
					t.Errorf("AttributesToGet [email] gave %+v", u.Attributes)
				}
			}
			if token = out.PaginationToken; token == nil {
				break
			}
		}
		if len(all) != 4 {
			t.Errorf("paged ListUsers = %v", all)
		}

		// MFA preferences need a verified factor.
		_, err = e.idp.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(pool), Username: aws.String("alice"),
			SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}})
		wantAPIError(t, err, "InvalidParameterException", "User has not verified software token mfa")
		if _, err := e.idp.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String("alice"),
			UserAttributes: []types.AttributeType{attr("phone_number", "+15555550100")}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.idp.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(pool), Username: aws.String("alice"),
			SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true, PreferredMfa: true}}); err != nil {
			t.Fatal(err)
		}
		got, _ = e.idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("alice")})
		if aws.ToString(got.PreferredMfaSetting) != "SMS_MFA" || !slices.Equal(got.UserMFASettingList, []string{"SMS_MFA"}) || len(got.MFAOptions) != 1 {
			t.Errorf("MFA settings %v %v %+v", got.PreferredMfaSetting, got.UserMFASettingList, got.MFAOptions)
		}

		// AdminResetUserPassword needs a verified address; then RESET_REQUIRED and a code.
		_, err = e.idp.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("bob")})
		wantAPIError(t, err, "InvalidParameterException", "Cannot reset password for the user as there is no registered/verified email or phone_number")
		if _, err := e.idp.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String("bob"),
			UserAttributes: []types.AttributeType{attr("email_verified", "true")}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.idp.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("bob")}); err != nil {
			t.Fatal(err)
		}
		got, _ = e.idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("bob")})
		bobMsgs := e.messages(pool, "bob")
		if got.UserStatus != types.UserStatusTypeResetRequired || len(bobMsgs) != 1 || bobMsgs[0].Kind != cognito.MessageForgotPassword {
			t.Errorf("after reset: %s, outbox %+v", got.UserStatus, bobMsgs)
		}

		// EstimatedNumberOfUsers, AdminDeleteUser.
		if _, err := e.idp.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(pool), Username: aws.String("dave")}); err != nil {
			t.Fatal(err)
		}
		desc, err := e.idp.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
		if err != nil || desc.UserPool.EstimatedNumberOfUsers != 3 {
			t.Errorf("EstimatedNumberOfUsers = %d, %v", desc.UserPool.EstimatedNumberOfUsers, err)
		}

		// Cloud Control sees the same users.
		ccc := ccClient(s, hc, "AKIDEXAMPLE", "secret", "us-east-1")
		res, err := ccc.GetResource(ctx, &cc.GetResourceInput{TypeName: aws.String("AWS::Cognito::UserPoolUser"), Identifier: aws.String(pool + "|alice")})
		if err != nil || !strings.Contains(aws.ToString(res.ResourceDescription.Properties), `"Value":"alice@example.org"`) {
			t.Errorf("GetResource user = %v, %v", res, err)
		}

		// Deleting the pool deletes its users.
		if _, err := e.idp.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(pool)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CognitoMessages(ctx, "", pool, ""); err == nil {
			t.Error("the outbox of a deleted pool is still readable")
		}
	})
}

func TestSDK_UsersSignUp(t *testing.T) {
	c := &clock{t: time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)}
	fullTransports(t, emulator.Options{Now: c.Now}, func(t *testing.T, s *emulator.Server, hc *http.Client) {
		ctx := context.Background()
		e := newUsersEnv(t, s, hc, c)
		pool := e.pool(&cip.CreateUserPoolInput{
			UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
			VerificationMessageTemplate: &types.VerificationMessageTemplateType{
				DefaultEmailOption: types.DefaultEmailOptionTypeConfirmWithCode,
				EmailSubject:       aws.String("Confirm"), EmailMessage: aws.String("Your code: {####}")},
		})
		clientID, secret := e.client(pool, true)
		const email = "erin@example.com"

		// SECRET_HASH is required and checked.
		_, err := e.idp.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String(email), Password: aws.String("Passw0rd!")})
		wantAPIError(t, err, "NotAuthorizedException", "Client "+clientID+" is configured with secret but SECRET_HASH was not received")
		_, err = e.idp.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String(email), Password: aws.String("Passw0rd!"), SecretHash: aws.String("AAAA")})
		wantAPIError(t, err, "NotAuthorizedException", "Unable to verify secret hash for client "+clientID)
		_, err = e.idp.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("erin"), Password: aws.String("Passw0rd!"), SecretHash: hash(secret, "erin", clientID)})
		wantAPIError(t, err, "InvalidParameterException", "Username should be an email.")
		_, err = e.idp.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String(email), Password: aws.String("passw0rd!"), SecretHash: hash(secret, email, clientID)})
		wantAPIError(t, err, "InvalidPasswordException", "Password did not conform with policy: Password must have uppercase characters")

		up, err := e.idp.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String(email), Password: aws.String("Passw0rd!"),
			SecretHash: hash(secret, email, clientID), ValidationData: []types.AttributeType{attr("ignored", "x")}})
		if err != nil {
			t.Fatalf("SignUp: %v", err)
		}
		if up.UserConfirmed || len(aws.ToString(up.UserSub)) != 36 || up.CodeDeliveryDetails == nil {
			t.Fatalf("SignUp = %+v", up)
		}
		msgs := e.messages(pool, email)
		if len(msgs) != 1 {
			t.Fatalf("outbox %+v", msgs)
		}
		m := msgs[0]
		d := up.CodeDeliveryDetails
		if aws.ToString(d.Destination) != m.MaskedDestination || string(d.DeliveryMedium) != m.DeliveryMedium || aws.ToString(d.AttributeName) != m.AttributeName ||
			aws.ToString(d.Destination) != "e***@e***" || m.Message != "Your code: "+m.Code || m.Subject != "Confirm" || m.Username != aws.ToString(up.UserSub) {
			t.Errorf("delivery %+v vs message %+v", d, m)
		}

		_, err = e.idp.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String(email), Password: aws.String("Passw0rd!"), SecretHash: hash(secret, email, clientID)})
		wantAPIError(t, err, "UsernameExistsException", "An account with the given email already exists.")

		// Confirmation: wrong code, then the outbox's code.
		_, err = e.idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(clientID), Username: aws.String(email), ConfirmationCode: aws.String("000000"), SecretHash: hash(secret, email, clientID)})
		wantAPIError(t, err, "CodeMismatchException", "Invalid verification code provided, please try again.")
		// A resend replaces the code.
		re, err := e.idp.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(clientID), Username: aws.String(email), SecretHash: hash(secret, email, clientID)})
		if err != nil {
			t.Fatal(err)
		}
		msgs = e.messages(pool, email)
		if len(msgs) != 2 || msgs[1].Kind != cognito.MessageResendCode || aws.ToString(re.CodeDeliveryDetails.Destination) != msgs[1].MaskedDestination {
			t.Fatalf("after resend: %+v", msgs)
		}
		c.Add(25 * time.Hour)
		_, err = e.idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(clientID), Username: aws.String(email), ConfirmationCode: aws.String(msgs[1].Code), SecretHash: hash(secret, email, clientID)})
		wantAPIError(t, err, "ExpiredCodeException", "Invalid code provided, please request a code again.")
		if _, err := e.idp.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(clientID), Username: aws.String(email), SecretHash: hash(secret, email, clientID)}); err != nil {
			t.Fatal(err)
		}
		msgs = e.messages(pool, email)
		if _, err := e.idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(clientID), Username: aws.String(email), ConfirmationCode: aws.String(msgs[2].Code), SecretHash: hash(secret, email, clientID)}); err != nil {
			t.Fatalf("ConfirmSignUp: %v", err)
		}
		got, err := e.idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(email)})
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := attrValue(got.UserAttributes, "email_verified"); got.UserStatus != types.UserStatusTypeConfirmed || v != "true" {
			t.Errorf("after confirmation: %s email_verified=%q", got.UserStatus, v)
		}
		_, err = e.idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(clientID), Username: aws.String(email), ConfirmationCode: aws.String(msgs[2].Code), SecretHash: hash(secret, email, clientID)})
		wantAPIError(t, err, "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
		_, err = e.idp.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(clientID), Username: aws.String(email), SecretHash: hash(secret, email, clientID)})
		wantAPIError(t, err, "InvalidParameterException", "User is already confirmed.")

		// Forgot password: code to the verified e-mail, then a new password.
		fp, err := e.idp.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(clientID), Username: aws.String(email), SecretHash: hash(secret, email, clientID)})
		if err != nil {
			t.Fatal(err)
		}
		msgs = e.messages(pool, email)
		last := msgs[len(msgs)-1]
		if last.Kind != cognito.MessageForgotPassword || aws.ToString(fp.CodeDeliveryDetails.Destination) != last.MaskedDestination {
			t.Fatalf("forgot password message %+v / %+v", last, fp.CodeDeliveryDetails)
		}
		_, err = e.idp.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(clientID), Username: aws.String(email),
			ConfirmationCode: aws.String(last.Code), Password: aws.String("weak"), SecretHash: hash(secret, email, clientID)})
		wantAPIError(t, err, "InvalidPasswordException", "Password did not conform with policy: Password not long enough")
		if _, err := e.idp.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(clientID), Username: aws.String(email),
			ConfirmationCode: aws.String(last.Code), Password: aws.String("N3w-Passw0rd"), SecretHash: hash(secret, email, clientID)}); err != nil {
			t.Fatalf("ConfirmForgotPassword: %v", err)
		}
		_, err = e.idp.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(clientID), Username: aws.String(email),
			ConfirmationCode: aws.String(last.Code), Password: aws.String("N3w-Passw0rd"), SecretHash: hash(secret, email, clientID)})
		wantAPIError(t, err, "CodeMismatchException", "Invalid verification code provided, please try again.")
		c.Add(2 * time.Hour)
		if _, err := e.idp.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(clientID), Username: aws.String(email), SecretHash: hash(secret, email, clientID)}); err != nil {
			t.Fatal(err)
		}
		msgs = e.messages(pool, email)
		c.Add(61 * time.Minute)
		_, err = e.idp.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(clientID), Username: aws.String(email),
			ConfirmationCode: aws.String(msgs[len(msgs)-1].Code), Password: aws.String("N3w-Passw0rd"), SecretHash: hash(secret, email, clientID)})
		wantAPIError(t, err, "ExpiredCodeException", "Invalid code provided, please request a code again.")

		// Unknown users: LEGACY says so, in the words the password-reset
		// operations use (not InitiateAuth's "User does not exist.").
		_, err = e.idp.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(clientID), Username: aws.String("x@example.com"), SecretHash: hash(secret, "x@example.com", clientID)})
		wantAPIError(t, err, "UserNotFoundException", "Username/client id combination not found.")
		_, err = e.idp.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(clientID), Username: aws.String("x@example.com"),
			ConfirmationCode: aws.String("123456"), Password: aws.String("N3w-Passw0rd"), SecretHash: hash(secret, "x@example.com", clientID)})
		wantAPIError(t, err, "UserNotFoundException", "Username/client id combination not found.")
		_, err = e.idp.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String("nosuchclient"), Username: aws.String(email), Password: aws.String("Passw0rd!")})
		wantAPIError(t, err, "ResourceNotFoundException", "User pool client nosuchclient does not exist.")
	})
}

func TestSDK_UsersPoolSettings(t *testing.T) {
	fullTransports(t, emulator.Options{}, func(t *testing.T, s *emulator.Server, hc *http.Client) {
		ctx := context.Background()
		e := newUsersEnv(t, s, hc, nil)

		_, err := e.idp.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("p"), Policies: &types.UserPoolPolicyType{
			PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(5)}}})
		wantAPIError(t, err, "InvalidParameterException", "1 validation error detected: Value '5' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value greater than or equal to 6")

		pool := e.pool(&cip.CreateUserPoolInput{
			AdminCreateUserConfig: &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true},
			DeletionProtection:    types.DeletionProtectionTypeActive,
			AliasAttributes:       []types.AliasAttributeType{types.AliasAttributeTypeEmail},
			UsernameConfiguration: &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)},
			Schema:                []types.SchemaAttributeType{{Name: aws.String("email"), Required: aws.Bool(true), Mutable: aws.Bool(true)}},
		})
		clientID, _ := e.client(pool, false)

		_, err = e.idp.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("zed"), Password: aws.String("Passw0rd!")})
		wantAPIError(t, err, "NotAuthorizedException", "SignUp is not permitted for this user pool")
		_, err = e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("zed")})
		wantAPIError(t, err, "InvalidParameterException", "Attributes did not conform to the schema: email: The attribute is required")
		_, err = e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("zed@example.com"),
			UserAttributes: []types.AttributeType{attr("email", "zed@example.com")}})
		wantAPIError(t, err, "InvalidParameterException", "Username cannot be of email format, since user pool is configured for email alias.")
		if _, err := e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("Zed"),
			UserAttributes: []types.AttributeType{attr("email", "zed@example.com"), attr("email_verified", "true")}, MessageAction: types.MessageActionTypeSuppress}); err != nil {
			t.Fatal(err)
		}
		// Case-insensitive names; the verified alias signs in (resolves).
		for _, name := range []string{"zed", "ZED", "zed@example.com", "ZED@example.com"} {
			if _, err := e.idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(name)}); err != nil {
				t.Errorf("AdminGetUser(%q): %v", name, err)
			}
		}
		_, err = e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("zed2"),
			UserAttributes: []types.AttributeType{attr("email", "zed@example.com"), attr("email_verified", "true")}})
		wantAPIError(t, err, "AliasExistsException", "An account with the given email already exists.")

		// UpdateUserPool is a full replace of its members; the schema stays.
		if _, err := e.idp.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(pool), MfaConfiguration: types.UserPoolMfaTypeOff}); err != nil {
			t.Fatal(err)
		}
		desc, err := e.idp.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
		if err != nil {
			t.Fatal(err)
		}
		if desc.UserPool.DeletionProtection != types.DeletionProtectionTypeInactive || desc.UserPool.AdminCreateUserConfig.AllowAdminCreateUserOnly ||
			len(desc.UserPool.AliasAttributes) != 1 || aws.ToInt32(desc.UserPool.Policies.PasswordPolicy.MinimumLength) != 8 {
			t.Errorf("after UpdateUserPool: %+v", desc.UserPool)
		}
		_, err = e.idp.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(pool), Policies: &types.UserPoolPolicyType{
			PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(100)}}})
		wantAPIError(t, err, "InvalidParameterException", "1 validation error detected: Value '100' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value less than or equal to 99")

		// Custom attributes.
		if _, err := e.idp.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: aws.String(pool), CustomAttributes: []types.SchemaAttributeType{
			{Name: aws.String("plan"), AttributeDataType: types.AttributeDataTypeString, StringAttributeConstraints: &types.StringAttributeConstraintsType{MaxLength: aws.String("4")}}}}); err != nil {
			t.Fatal(err)
		}
		_, err = e.idp.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: aws.String(pool), CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("plan")}}})
		wantAPIError(t, err, "InvalidParameterException", "Existing attribute already has name custom:plan.")
		_, err = e.idp.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(pool), Username: aws.String("zed"),
			UserAttributes: []types.AttributeType{attr("custom:plan", "enterprise")}})
		wantAPIError(t, err, "InvalidParameterException", "Attributes did not conform to the schema: custom:plan: String must be no longer than 4 characters")
		many := make([]types.SchemaAttributeType, 0, 25)
		for i := 0; i < 25; i++ {
			many = append(many, types.SchemaAttributeType{Name: aws.String("a" + string(rune('a'+i)))})
		}
		if _, err := e.idp.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: aws.String(pool), CustomAttributes: many}); err != nil {
			t.Fatal(err)
		}
		for i := range many {
			many[i].Name = aws.String("b" + string(rune('a'+i)))
		}
		_, err = e.idp.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: aws.String(pool), CustomAttributes: many})
		wantAPIError(t, err, "LimitExceededException", "The user pool cannot have more than 50 custom attributes.")

		// Pool MFA configuration.
		_, err = e.idp.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(pool), MfaConfiguration: types.UserPoolMfaTypeOn})
		wantAPIError(t, err, "InvalidParameterException", "At least one MFA method must be enabled when MFA is ON.")
		set, err := e.idp.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(pool), MfaConfiguration: types.UserPoolMfaTypeOptional,
			SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}})
		if err != nil || set.MfaConfiguration != types.UserPoolMfaTypeOptional || !set.SoftwareTokenMfaConfiguration.Enabled {
			t.Fatalf("SetUserPoolMfaConfig = %+v, %v", set, err)
		}
		mfa, err := e.idp.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(pool)})
		if err != nil || mfa.MfaConfiguration != types.UserPoolMfaTypeOptional || !mfa.SoftwareTokenMfaConfiguration.Enabled || mfa.SmsMfaConfiguration != nil {
			t.Errorf("GetUserPoolMfaConfig = %+v, %v", mfa, err)
		}

		// Deletion protection (the update above turned it off; turn it on).
		if _, err := e.idp.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(pool), DeletionProtection: types.DeletionProtectionTypeActive}); err != nil {
			t.Fatal(err)
		}
		_, err = e.idp.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(pool)})
		wantAPIError(t, err, "InvalidParameterException", "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.")
	})
}

// TestSDK_UsersCodesAndExistence drives the code attempt limit through
// the real server (a wrong code's count is committed although the call
// fails) and PreventUserExistenceErrors' simulated answers.
func TestSDK_UsersCodesAndExistence(t *testing.T) {
	fullTransports(t, emulator.Options{}, func(t *testing.T, s *emulator.Server, hc *http.Client) {
		ctx := context.Background()
		e := newUsersEnv(t, s, hc, nil)
		pool := e.pool(&cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})
		out, err := e.idp.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("app"),
			PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled})
		if err != nil {
			t.Fatal(err)
		}
		clientID := out.UserPoolClient.ClientId
		if _, err := e.idp.SignUp(ctx, &cip.SignUpInput{ClientId: clientID, Username: aws.String("hal"), Password: aws.String("Passw0rd!"),
			UserAttributes: []types.AttributeType{attr("email", "hal@example.com")}}); err != nil {
			t.Fatal(err)
		}
		code := e.messages(pool, "hal")[0].Code
		for i := 0; i < 5; i++ {
			_, err := e.idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: clientID, Username: aws.String("hal"), ConfirmationCode: aws.String("000000")})
			wantAPIError(t, err, "CodeMismatchException", "Invalid verification code provided, please try again.")
		}
		_, err = e.idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: clientID, Username: aws.String("hal"), ConfirmationCode: aws.String(code)})
		wantAPIError(t, err, "LimitExceededException", "Attempt limit exceeded, please try after some time.")

		// Unknown users: simulated deliveries and code mismatches.
		fp, err := e.idp.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: clientID, Username: aws.String("ghost")})
		if err != nil || fp.CodeDeliveryDetails == nil || fp.CodeDeliveryDetails.DeliveryMedium != types.DeliveryMediumTypeEmail {
			t.Errorf("ForgotPassword(unknown) = %+v, %v", fp, err)
		}
		rc, err := e.idp.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: clientID, Username: aws.String("ghost")})
		if err != nil || rc.CodeDeliveryDetails == nil {
			t.Errorf("ResendConfirmationCode(unknown) = %+v, %v", rc, err)
		}
		_, err = e.idp.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: clientID, Username: aws.String("ghost"),
			ConfirmationCode: aws.String("123456"), Password: aws.String("Passw0rd!")})
		wantAPIError(t, err, "CodeMismatchException", "Invalid verification code provided, please try again.")
		_, err = e.idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: clientID, Username: aws.String("ghost"), ConfirmationCode: aws.String("123456")})
		wantAPIError(t, err, "CodeMismatchException", "Invalid verification code provided, please try again.")
		if n := len(e.messages(pool, "")); n != 1 {
			t.Errorf("simulated answers recorded messages: %d in the outbox", n)
		}
		// SignUp still reports a taken name.
		_, err = e.idp.SignUp(ctx, &cip.SignUpInput{ClientId: clientID, Username: aws.String("hal"), Password: aws.String("Passw0rd!")})
		wantAPIError(t, err, "UsernameExistsException", "User already exists")

		// The outbox route's own errors.
		resp, err := hc.Get(s.URL() + emulator.MessagesPath)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("no userPoolId: %d", resp.StatusCode)
		}
		resp, err = hc.Get(s.URL() + emulator.MessagesPath + "?userPoolId=us-east-1_none")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown pool: %d", resp.StatusCode)
		}
	})
}
