// The users and sign-in story of issue 10: pools and clients, the admin
// user operations, groups, password sign-in with and without a client
// secret, sign-up and password reset through the outbox, software-token
// MFA, revocation and sign-out, deletion and pool changes. The Go test
// compares this group's refusals (by label) with AWS's words.
"use strict";

async function run(ctx) {
  const { cip, assert, cfg, send, refused, outboxCode, attrs, claims, totp, base32Decode, assertTokens } = ctx;
  const hashOf = ctx.secretHash;
  // Pools and clients.
  const { UserPool: pool } = await send(
    new cip.CreateUserPoolCommand({ PoolName: "sdkjs", AutoVerifiedAttributes: ["email"] }),
  );
  assert.match(pool.Id, /^us-east-1_[0-9A-Za-z]+$/);
  assert.equal(pool.Name, "sdkjs");
  assert.match(pool.Arn, new RegExp(`^arn:aws:cognito-idp:us-east-1:\\d{12}:userpool/${pool.Id}$`));
  assert.ok(pool.CreationDate instanceof Date);
  const poolId = pool.Id;
  const flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];
  const { UserPoolClient: pub } = await send(
    new cip.CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: "public", ExplicitAuthFlows: flows }),
  );
  assert.equal(pub.ClientSecret, undefined);
  assert.deepEqual([...pub.ExplicitAuthFlows].sort(), [...flows].sort());
  assert.equal(pub.UserPoolId, poolId);
  const { UserPoolClient: sec } = await send(
    new cip.CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: "confidential",
      GenerateSecret: true,
      ExplicitAuthFlows: flows,
    }),
  );
  assert.equal(typeof sec.ClientSecret, "string");
  assert.ok(sec.ClientSecret.length > 0);
  const { UserPoolClient: srpOnly } = await send(
    new cip.CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: "default-flows" }),
  );
  const hash = (username, client = sec) => hashOf(sec.ClientSecret, username, client.ClientId);

  // Admin user operations.
  const { User: created } = await send(
    new cip.AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: "alice",
      MessageAction: "SUPPRESS",
      TemporaryPassword: "Temp0rary!pw",
      UserAttributes: [
        { Name: "email", Value: "alice@example.com" },
        { Name: "email_verified", Value: "true" },
      ],
    }),
  );
  assert.equal(created.Username, "alice");
  assert.equal(created.UserStatus, "FORCE_CHANGE_PASSWORD");
  assert.equal(created.Enabled, true);
  assert.ok(created.UserCreateDate instanceof Date);
  assert.match(attrs(created.Attributes).sub, /^[0-9a-f-]{36}$/);
  await send(
    new cip.AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: "bob",
      MessageAction: "SUPPRESS",
      UserAttributes: [{ Name: "email", Value: "bob@example.org" }],
    }),
  );
  const got = await send(new cip.AdminGetUserCommand({ UserPoolId: poolId, Username: "alice" }));
  assert.equal(got.Username, "alice");
  assert.equal(attrs(got.UserAttributes).email, "alice@example.com");
  assert.equal(attrs(got.UserAttributes).email_verified, "true");
  const listed = await send(
    new cip.ListUsersCommand({ UserPoolId: poolId, Filter: 'email = "alice@example.com"' }),
  );
  assert.deepEqual(listed.Users.map((u) => u.Username), ["alice"]);
  const prefixed = await send(new cip.ListUsersCommand({ UserPoolId: poolId, Filter: 'email ^= "bob@"' }));
  assert.deepEqual(prefixed.Users.map((u) => u.Username), ["bob"]);
  await refused(
    "badFilter",
    new cip.ListUsersCommand({ UserPoolId: poolId, Filter: "email = alice" }),
  );
  await send(
    new cip.AdminUpdateUserAttributesCommand({
      UserPoolId: poolId,
      Username: "alice",
      UserAttributes: [{ Name: "name", Value: "Alice" }],
    }),
  );
  await send(
    new cip.AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: "alice", Password: "Corr3ct!horse", Permanent: true }),
  );
  const confirmed = await send(new cip.AdminGetUserCommand({ UserPoolId: poolId, Username: "alice" }));
  assert.equal(confirmed.UserStatus, "CONFIRMED");
  assert.equal(attrs(confirmed.UserAttributes).name, "Alice");

  // Groups.
  const { Group: group } = await send(
    new cip.CreateGroupCommand({ UserPoolId: poolId, GroupName: "admins", Precedence: 1 }),
  );
  assert.equal(group.GroupName, "admins");
  await send(new cip.AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: "alice", GroupName: "admins" }));
  const groups = await send(new cip.AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: "alice" }));
  assert.deepEqual(groups.Groups.map((g) => [g.GroupName, g.Precedence]), [["admins", 1]]);
  const members = await send(new cip.ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: "admins" }));
  assert.deepEqual(members.Users.map((u) => u.Username), ["alice"]);

  // Password sign-in, unsigned; refusals first.
  const pw = (password, username = "alice") => ({ USERNAME: username, PASSWORD: password });
  await send(new cip.AdminDisableUserCommand({ UserPoolId: poolId, Username: "alice" }));
  await refused(
    "disabled",
    new cip.InitiateAuthCommand({ ClientId: pub.ClientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: pw("Corr3ct!horse") }),
  );
  await send(new cip.AdminEnableUserCommand({ UserPoolId: poolId, Username: "alice" }));
  assert.equal((await send(new cip.AdminGetUserCommand({ UserPoolId: poolId, Username: "alice" }))).Enabled, true);
  await refused(
    "wrongPassword",
    new cip.InitiateAuthCommand({ ClientId: pub.ClientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: pw("Wr0ng!horse") }),
  );
  await refused(
    "flowNotEnabled",
    new cip.InitiateAuthCommand({ ClientId: srpOnly.ClientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: pw("Corr3ct!horse") }),
  );
  await refused(
    "missingSecretHash",
    new cip.InitiateAuthCommand({ ClientId: sec.ClientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: pw("Corr3ct!horse") }),
  );
  await refused(
    "wrongSecretHash",
    new cip.InitiateAuthCommand({
      ClientId: sec.ClientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { ...pw("Corr3ct!horse"), SECRET_HASH: hash("bob") },
    }),
  );
  const signIn = await send(
    new cip.InitiateAuthCommand({ ClientId: pub.ClientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: pw("Corr3ct!horse") }),
  );
  assert.equal(signIn.ChallengeName, undefined);
  assertTokens(signIn.AuthenticationResult, true);
  const idClaims = claims(signIn.AuthenticationResult.IdToken);
  assert.equal(idClaims.token_use, "id");
  assert.equal(idClaims["cognito:username"], "alice");
  assert.deepEqual(idClaims["cognito:groups"], ["admins"]);
  assert.equal(idClaims.aud, pub.ClientId);
  assert.equal(claims(signIn.AuthenticationResult.AccessToken).client_id, pub.ClientId);
  const secIn = await send(
    new cip.InitiateAuthCommand({
      ClientId: sec.ClientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { ...pw("Corr3ct!horse"), SECRET_HASH: hash("alice") },
    }),
  );
  assertTokens(secIn.AuthenticationResult, true);
  assert.equal(claims(secIn.AuthenticationResult.IdToken).aud, sec.ClientId);
  const refreshed = await send(
    new cip.InitiateAuthCommand({
      ClientId: pub.ClientId,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: signIn.AuthenticationResult.RefreshToken },
    }),
  );
  assertTokens(refreshed.AuthenticationResult, false);
  assert.equal(claims(refreshed.AuthenticationResult.IdToken).auth_time, idClaims.auth_time);
  const secRefreshed = await send(
    new cip.InitiateAuthCommand({
      ClientId: sec.ClientId,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: secIn.AuthenticationResult.RefreshToken, SECRET_HASH: hash("alice") },
    }),
  );
  assertTokens(secRefreshed.AuthenticationResult, false);

  // Operations with an access token.
  const access = refreshed.AuthenticationResult.AccessToken;
  const me = await send(new cip.GetUserCommand({ AccessToken: access }));
  assert.equal(me.Username, "alice");
  assert.equal(attrs(me.UserAttributes).email, "alice@example.com");
  assert.equal(attrs(me.UserAttributes).sub, idClaims.sub);
  const upd = await send(
    new cip.UpdateUserAttributesCommand({ AccessToken: access, UserAttributes: [{ Name: "name", Value: "Alice A." }] }),
  );
  assert.deepEqual(upd.CodeDeliveryDetailsList ?? [], []);
  assert.equal(attrs((await send(new cip.GetUserCommand({ AccessToken: access }))).UserAttributes).name, "Alice A.");
  await refused(
    "changePasswordWrong",
    new cip.ChangePasswordCommand({ AccessToken: access, PreviousPassword: "Wr0ng!horse", ProposedPassword: "Chang3d!horse" }),
  );
  await send(
    new cip.ChangePasswordCommand({ AccessToken: access, PreviousPassword: "Corr3ct!horse", ProposedPassword: "Chang3d!horse" }),
  );
  await refused(
    "oldPassword",
    new cip.InitiateAuthCommand({ ClientId: pub.ClientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: pw("Corr3ct!horse") }),
  );

  // Sign-up and password reset through the outbox.
  const signUp = await send(
    new cip.SignUpCommand({
      ClientId: pub.ClientId,
      Username: "carol",
      Password: "Sign3d!up",
      UserAttributes: [{ Name: "email", Value: "carol@example.com" }],
    }),
  );
  assert.equal(signUp.UserConfirmed, false);
  assert.match(signUp.UserSub, /^[0-9a-f-]{36}$/);
  assert.deepEqual(signUp.CodeDeliveryDetails, { Destination: "c***@e***", DeliveryMedium: "EMAIL", AttributeName: "email" });
  await refused(
    "signUpMissingSecretHash",
    new cip.SignUpCommand({ ClientId: sec.ClientId, Username: "dave", Password: "Sign3d!up", UserAttributes: [{ Name: "email", Value: "dave@example.com" }] }),
  );
  await send(
    new cip.SignUpCommand({
      ClientId: sec.ClientId,
      Username: "dave",
      Password: "Sign3d!up",
      SecretHash: hash("dave"),
      UserAttributes: [{ Name: "email", Value: "dave@example.com" }],
    }),
  );
  await refused(
    "unconfirmed",
    new cip.InitiateAuthCommand({ ClientId: pub.ClientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: pw("Sign3d!up", "carol") }),
  );
  const carolCode = await outboxCode(poolId, "carol", "SIGN_UP");
  await refused(
    "wrongCode",
    new cip.ConfirmSignUpCommand({ ClientId: pub.ClientId, Username: "carol", ConfirmationCode: carolCode === "000000" ? "111111" : "000000" }),
  );
  await send(new cip.ConfirmSignUpCommand({ ClientId: pub.ClientId, Username: "carol", ConfirmationCode: carolCode }));
  await send(
    new cip.ConfirmSignUpCommand({
      ClientId: sec.ClientId,
      Username: "dave",
      SecretHash: hash("dave"),
      ConfirmationCode: await outboxCode(poolId, "dave", "SIGN_UP"),
    }),
  );
  const carol = await send(new cip.AdminGetUserCommand({ UserPoolId: poolId, Username: "carol" }));
  assert.equal(carol.UserStatus, "CONFIRMED");
  assert.equal(attrs(carol.UserAttributes).email_verified, "true");
  const forgot = await send(new cip.ForgotPasswordCommand({ ClientId: pub.ClientId, Username: "carol" }));
  assert.deepEqual(forgot.CodeDeliveryDetails, { Destination: "c***@e***", DeliveryMedium: "EMAIL", AttributeName: "email" });
  await send(
    new cip.ConfirmForgotPasswordCommand({
      ClientId: pub.ClientId,
      Username: "carol",
      Password: "Res3t!pass",
      ConfirmationCode: await outboxCode(poolId, "carol", "FORGOT_PASSWORD"),
    }),
  );
  assertTokens(
    (
      await send(
        new cip.InitiateAuthCommand({ ClientId: pub.ClientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: pw("Res3t!pass", "carol") }),
      )
    ).AuthenticationResult,
    true,
  );
  await send(new cip.ForgotPasswordCommand({ ClientId: sec.ClientId, Username: "dave", SecretHash: hash("dave") }));
  await send(
    new cip.ConfirmForgotPasswordCommand({
      ClientId: sec.ClientId,
      Username: "dave",
      SecretHash: hash("dave"),
      Password: "Res3t!pass",
      ConfirmationCode: await outboxCode(poolId, "dave", "FORGOT_PASSWORD"),
    }),
  );

  // Software-token MFA.
  const assoc = await send(new cip.AssociateSoftwareTokenCommand({ AccessToken: access }));
  assert.match(assoc.SecretCode, /^[A-Z2-7]+=*$/);
  const key = base32Decode(assoc.SecretCode);
  const verified = await send(new cip.VerifySoftwareTokenCommand({ AccessToken: access, UserCode: totp(key), FriendlyDeviceName: "phone" }));
  assert.equal(verified.Status, "SUCCESS");
  await send(
    new cip.SetUserMFAPreferenceCommand({ AccessToken: access, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }),
  );
  const mfa = await send(
    new cip.SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: "OPTIONAL", SoftwareTokenMfaConfiguration: { Enabled: true } }),
  );
  assert.equal(mfa.MfaConfiguration, "OPTIONAL");
  const withMfa = (await send(new cip.AdminGetUserCommand({ UserPoolId: poolId, Username: "alice" })));
  assert.equal(withMfa.PreferredMfaSetting, "SOFTWARE_TOKEN_MFA");
  assert.deepEqual(withMfa.UserMFASettingList, ["SOFTWARE_TOKEN_MFA"]);
  const challenge = await send(
    new cip.InitiateAuthCommand({ ClientId: pub.ClientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: pw("Chang3d!horse") }),
  );
  assert.equal(challenge.ChallengeName, "SOFTWARE_TOKEN_MFA");
  assert.equal(challenge.AuthenticationResult, undefined);
  assert.equal(typeof challenge.Session, "string");
  const wrongCode = totp(key) === "000000" ? "111111" : "000000";
  await refused(
    "wrongTotp",
    new cip.RespondToAuthChallengeCommand({
      ClientId: pub.ClientId,
      ChallengeName: "SOFTWARE_TOKEN_MFA",
      Session: challenge.Session,
      ChallengeResponses: { USERNAME: "alice", SOFTWARE_TOKEN_MFA_CODE: wrongCode },
    }),
  );
  const answered = await send(
    new cip.RespondToAuthChallengeCommand({
      ClientId: pub.ClientId,
      ChallengeName: "SOFTWARE_TOKEN_MFA",
      Session: challenge.Session,
      ChallengeResponses: { USERNAME: "alice", SOFTWARE_TOKEN_MFA_CODE: totp(key) },
    }),
  );
  assertTokens(answered.AuthenticationResult, true);

  // Revocation and sign-out.
  await send(new cip.RevokeTokenCommand({ ClientId: pub.ClientId, Token: answered.AuthenticationResult.RefreshToken }));
  await refused(
    "revokedRefresh",
    new cip.InitiateAuthCommand({
      ClientId: pub.ClientId,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: answered.AuthenticationResult.RefreshToken },
    }),
  );
  await refused("revokedAccess", new cip.GetUserCommand({ AccessToken: answered.AuthenticationResult.AccessToken }));
  await send(new cip.RevokeTokenCommand({ ClientId: sec.ClientId, ClientSecret: sec.ClientSecret, Token: secIn.AuthenticationResult.RefreshToken }));
  await send(new cip.GlobalSignOutCommand({ AccessToken: access }));
  await refused("signedOut", new cip.GetUserCommand({ AccessToken: access }));

  // AdminDisableUser revokes the user's tokens: they stay refused once
  // the user is enabled again.
  const carolIn = await send(
    new cip.InitiateAuthCommand({ ClientId: pub.ClientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: pw("Res3t!pass", "carol") }),
  );
  await send(new cip.AdminDisableUserCommand({ UserPoolId: poolId, Username: "carol" }));
  await send(new cip.AdminEnableUserCommand({ UserPoolId: poolId, Username: "carol" }));
  await refused("reenabledAccess", new cip.GetUserCommand({ AccessToken: carolIn.AuthenticationResult.AccessToken }));

  // Deletion and pool changes.
  await send(new cip.AdminDeleteUserCommand({ UserPoolId: poolId, Username: "bob" }));
  await refused("deletedUser", new cip.AdminGetUserCommand({ UserPoolId: poolId, Username: "bob" }));
  await send(
    new cip.UpdateUserPoolCommand({
      UserPoolId: poolId,
      AutoVerifiedAttributes: ["email"],
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: false, RequireNumbers: false, RequireSymbols: false } },
      UserPoolTags: { team: "e2e" },
    }),
  );
  await send(
    new cip.AddCustomAttributesCommand({
      UserPoolId: poolId,
      CustomAttributes: [{ Name: "tier", AttributeDataType: "String", Mutable: true, StringAttributeConstraints: { MaxLength: "8" } }],
    }),
  );
  const { UserPool: described } = await send(new cip.DescribeUserPoolCommand({ UserPoolId: poolId }));
  assert.equal(described.Policies.PasswordPolicy.MinimumLength, 12);
  assert.equal(described.Policies.PasswordPolicy.RequireUppercase, false);
  assert.deepEqual(described.UserPoolTags, { team: "e2e" });
  assert.equal(described.MfaConfiguration, "OFF");
  const tier = described.SchemaAttributes.find((a) => a.Name === "custom:tier");
  assert.equal(tier.AttributeDataType, "String");
  assert.equal(tier.StringAttributeConstraints.MaxLength, "8");
  await refused(
    "shortPassword",
    new cip.AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: "carol", Password: "short", Permanent: true }),
  );
  await send(
    new cip.AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: "carol", UserAttributes: [{ Name: "custom:tier", Value: "gold" }] }),
  );
  assert.equal(
    attrs((await send(new cip.AdminGetUserCommand({ UserPoolId: poolId, Username: "carol" }))).UserAttributes)["custom:tier"],
    "gold",
  );
  await refused(
    "tierTooLong",
    new cip.AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: "carol", UserAttributes: [{ Name: "custom:tier", Value: "platinum+" }] }),
  );

  // A signature made with the wrong secret key is refused when ccql serve
  // checks SigV4; anonymous operations never look at one.
  if (cfg.checksSignatures) {
    const forged = ctx.newClient("not-the-secret");
    try {
      await forged.send(new cip.AdminGetUserCommand({ UserPoolId: poolId, Username: "alice" }));
      throw new Error("a forged signature was accepted");
    } catch (e) {
      ctx.rec.refusals.forgedSignature = { name: e.name, message: e.message };
    }
    const anon = await forged.send(new cip.InitiateAuthCommand({ ClientId: pub.ClientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: pw("Res3t!pass", "carol") }));
    assertTokens(anon.AuthenticationResult, true);
  }
  ctx.rec.clients = { public: pub.ClientId, confidential: sec.ClientId, defaultFlows: srpOnly.ClientId };
}

module.exports = { run };
