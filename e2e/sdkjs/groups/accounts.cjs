// The rest of the user and sign-in operations: admin sign-in and its
// challenges, confirmation and password reset by an administrator, group
// removal, MFA preference set by an administrator, resending codes,
// attribute verification and deletion, refresh-token rotation, and a user
// deleting themselves.
"use strict";

async function run(ctx) {
  const { cip, assert, send, refused, attrs } = ctx;
  const { Id: poolId } = await ctx.pool("sdkjs-accounts", { AutoVerifiedAttributes: ["email"] });
  const flows = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];
  const app = await ctx.appClient(poolId, { ExplicitAuthFlows: flows });
  const admin = (username) => ({ UserPoolId: poolId, Username: username });

  // AdminInitiateAuth of a new user: NEW_PASSWORD_REQUIRED, answered by
  // AdminRespondToAuthChallenge.
  await send(
    new cip.AdminCreateUserCommand({
      ...admin("frank"),
      MessageAction: "SUPPRESS",
      TemporaryPassword: "Temp0rary!pw",
      UserAttributes: [{ Name: "email", Value: "frank@example.com" }, { Name: "email_verified", Value: "true" }, { Name: "name", Value: "Frank" }],
    }),
  );
  const started = await send(
    new cip.AdminInitiateAuthCommand({
      UserPoolId: poolId,
      ClientId: app.ClientId,
      AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: "frank", PASSWORD: "Temp0rary!pw" },
    }),
  );
  assert.equal(started.ChallengeName, "NEW_PASSWORD_REQUIRED");
  await refused(
    "accounts.adminWrongPassword",
    new cip.AdminInitiateAuthCommand({
      UserPoolId: poolId,
      ClientId: app.ClientId,
      AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: "frank", PASSWORD: "Wr0ng!pw" },
    }),
    ["NotAuthorizedException", "Incorrect username or password."],
  );
  const answered = await send(
    new cip.AdminRespondToAuthChallengeCommand({
      UserPoolId: poolId,
      ClientId: app.ClientId,
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      Session: started.Session,
      ChallengeResponses: { USERNAME: "frank", NEW_PASSWORD: "N3w!password" },
    }),
  );
  ctx.assertTokens(answered.AuthenticationResult, true);
  assert.equal((await send(new cip.AdminGetUserCommand(admin("frank")))).UserStatus, "CONFIRMED");

  // AdminUserGlobalSignOut revokes frank's tokens.
  await send(new cip.AdminUserGlobalSignOutCommand(admin("frank")));
  await refused("accounts.adminSignedOut", new cip.GetUserCommand({ AccessToken: answered.AuthenticationResult.AccessToken }), [
    "NotAuthorizedException",
    "Access Token has been revoked",
  ]);

  // Attributes: an administrator deletes one; the user deletes one, asks
  // for a verification code for a changed e-mail and verifies it.
  await send(new cip.AdminDeleteUserAttributesCommand({ ...admin("frank"), UserAttributeNames: ["name"] }));
  assert.equal(attrs((await send(new cip.AdminGetUserCommand(admin("frank")))).UserAttributes).name, undefined);
  const tokens = await ctx.signIn(app.ClientId, "frank", "N3w!password");
  const access = tokens.AccessToken;
  await send(new cip.UpdateUserAttributesCommand({ AccessToken: access, UserAttributes: [{ Name: "nickname", Value: "fr" }] }));
  await send(new cip.DeleteUserAttributesCommand({ AccessToken: access, UserAttributeNames: ["nickname"] }));
  assert.equal(attrs((await send(new cip.GetUserCommand({ AccessToken: access }))).UserAttributes).nickname, undefined);
  await send(
    new cip.AdminUpdateUserAttributesCommand({ ...admin("frank"), UserAttributes: [{ Name: "email", Value: "frank@example.org" }, { Name: "email_verified", Value: "false" }] }),
  );
  const verifyCode = await send(new cip.GetUserAttributeVerificationCodeCommand({ AccessToken: access, AttributeName: "email" }));
  assert.deepEqual(verifyCode.CodeDeliveryDetails, { Destination: "f***@e***", DeliveryMedium: "EMAIL", AttributeName: "email" });
  const code = await ctx.outboxCode(poolId, "frank", "VERIFY_ATTRIBUTE");
  await refused(
    "accounts.wrongVerifyCode",
    new cip.VerifyUserAttributeCommand({ AccessToken: access, AttributeName: "email", Code: code === "000000" ? "111111" : "000000" }),
    ["CodeMismatchException", "Invalid verification code provided, please try again."],
  );
  await send(new cip.VerifyUserAttributeCommand({ AccessToken: access, AttributeName: "email", Code: code }));
  assert.equal(attrs((await send(new cip.AdminGetUserCommand(admin("frank")))).UserAttributes).email_verified, "true");

  // Groups: AdminRemoveUserFromGroup.
  await send(new cip.CreateGroupCommand({ UserPoolId: poolId, GroupName: "team" }));
  await send(new cip.AdminAddUserToGroupCommand({ ...admin("frank"), GroupName: "team" }));
  await send(new cip.AdminRemoveUserFromGroupCommand({ ...admin("frank"), GroupName: "team" }));
  assert.deepEqual((await send(new cip.AdminListGroupsForUserCommand(admin("frank")))).Groups, []);

  // AdminSetUserMFAPreference needs the factor set up first.
  await refused(
    "accounts.adminMfaNotSetUp",
    new cip.AdminSetUserMFAPreferenceCommand({ ...admin("frank"), SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }),
    ["InvalidParameterException", "User has not verified software token mfa"],
  );
  const assoc = await send(new cip.AssociateSoftwareTokenCommand({ AccessToken: access }));
  const key = ctx.base32Decode(assoc.SecretCode);
  await send(new cip.VerifySoftwareTokenCommand({ AccessToken: access, UserCode: ctx.totp(key) }));
  await send(new cip.AdminSetUserMFAPreferenceCommand({ ...admin("frank"), SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
  const withMfa = await send(new cip.AdminGetUserCommand(admin("frank")));
  assert.equal(withMfa.PreferredMfaSetting, "SOFTWARE_TOKEN_MFA");

  // Sign-up confirmed by an administrator; codes resent.
  await send(new cip.SignUpCommand({ ClientId: app.ClientId, Username: "gina", Password: "Sign3d!up", UserAttributes: [{ Name: "email", Value: "gina@example.com" }] }));
  const resent = await send(new cip.ResendConfirmationCodeCommand({ ClientId: app.ClientId, Username: "gina" }));
  assert.deepEqual(resent.CodeDeliveryDetails, { Destination: "g***@e***", DeliveryMedium: "EMAIL", AttributeName: "email" });
  const kinds = (await ctx.outboxMessages(poolId, "gina")).map((m) => m.Kind);
  assert.deepEqual(kinds, ["SIGN_UP", "RESEND_CONFIRMATION"]);
  await send(new cip.AdminConfirmSignUpCommand(admin("gina")));
  assert.equal((await send(new cip.AdminGetUserCommand(admin("gina")))).UserStatus, "CONFIRMED");
  await refused("accounts.resendConfirmed", new cip.ResendConfirmationCodeCommand({ ClientId: app.ClientId, Username: "gina" }), [
    "InvalidParameterException",
    "User is already confirmed.",
  ]);

  // Password reset: a code for a known user (whose password still works
  // until the code is used), a refusal for one who does not exist (the
  // client does not prevent user-existence errors).
  const forgot = await send(new cip.ForgotPasswordCommand({ ClientId: app.ClientId, Username: "frank" }));
  assert.deepEqual(forgot.CodeDeliveryDetails, { Destination: "f***@e***", DeliveryMedium: "EMAIL", AttributeName: "email" });
  await ctx.outboxCode(poolId, "frank", "FORGOT_PASSWORD");
  const stillWorks = await send(
    new cip.InitiateAuthCommand({ ClientId: app.ClientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: "frank", PASSWORD: "N3w!password" } }),
  );
  ctx.assertTokens(stillWorks.AuthenticationResult, true); // the pool's MFA is off: no TOTP asked
  await refused("accounts.forgotUnknown", new cip.ForgotPasswordCommand({ ClientId: app.ClientId, Username: "ghost" }), [
    "UserNotFoundException",
    "Username/client id combination not found.",
  ]);
  await refused(
    "accounts.confirmForgotUnknown",
    new cip.ConfirmForgotPasswordCommand({ ClientId: app.ClientId, Username: "ghost", ConfirmationCode: "123456", Password: "Res3t!pass" }),
    ["UserNotFoundException", "Username/client id combination not found."],
  );

  // AdminResetUserPassword (the code needs a verified address): the old
  // password stops working until the user sets a new one with the code.
  await send(new cip.AdminUpdateUserAttributesCommand({ ...admin("gina"), UserAttributes: [{ Name: "email_verified", Value: "true" }] }));
  await send(new cip.AdminResetUserPasswordCommand(admin("gina")));
  assert.equal((await send(new cip.AdminGetUserCommand(admin("gina")))).UserStatus, "RESET_REQUIRED");
  await refused(
    "accounts.resetRequired",
    new cip.InitiateAuthCommand({ ClientId: app.ClientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: "gina", PASSWORD: "Sign3d!up" } }),
    ["PasswordResetRequiredException", "Password reset required for the user"],
  );
  await send(
    new cip.ConfirmForgotPasswordCommand({
      ClientId: app.ClientId,
      Username: "gina",
      Password: "Res3t!pass",
      ConfirmationCode: await ctx.outboxCode(poolId, "gina", "FORGOT_PASSWORD"),
    }),
  );

  // Refresh-token rotation: GetTokensFromRefreshToken returns a new
  // refresh token.
  const rotating = await ctx.appClient(poolId, {
    ClientName: "rotating",
    ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 0 },
  });
  const ginaIn = await ctx.signIn(rotating.ClientId, "gina", "Res3t!pass");
  const rotated = await send(new cip.GetTokensFromRefreshTokenCommand({ ClientId: rotating.ClientId, RefreshToken: ginaIn.RefreshToken }));
  ctx.assertTokens(rotated.AuthenticationResult, true);
  assert.notEqual(rotated.AuthenticationResult.RefreshToken, ginaIn.RefreshToken);
  assert.equal(ctx.claims(rotated.AuthenticationResult.AccessToken).username, "gina");

  // DeleteUser: the user deletes themselves.
  const ginaAccess = rotated.AuthenticationResult.AccessToken;
  await send(new cip.DeleteUserCommand({ AccessToken: ginaAccess }));
  await refused("accounts.deletedSelf", new cip.AdminGetUserCommand(admin("gina")), ["UserNotFoundException", "User does not exist."]);
}

module.exports = { run };
