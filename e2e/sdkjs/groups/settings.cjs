// Settings only the IdP API knows: tags (the pool's UserPoolTags), log
// delivery, risk configuration, the legacy MFA user settings, and a user's
// sign-in factors.
"use strict";

async function run(ctx) {
  const { cip, assert, send, refused } = ctx;
  const pool = await ctx.pool("sdkjs-settings", { UserPoolTags: { team: "e2e" }, UserPoolTier: "PLUS" });
  const poolId = pool.Id;

  // Tags are the pool's UserPoolTags.
  await send(new cip.TagResourceCommand({ ResourceArn: pool.Arn, Tags: { stage: "test", owner: "sdkjs" } }));
  await send(new cip.UntagResourceCommand({ ResourceArn: pool.Arn, TagKeys: ["owner"] }));
  const { Tags } = await send(new cip.ListTagsForResourceCommand({ ResourceArn: pool.Arn }));
  assert.deepEqual(Tags, { team: "e2e", stage: "test" });
  const { UserPool: described } = await send(new cip.DescribeUserPoolCommand({ UserPoolId: poolId }));
  assert.deepEqual(described.UserPoolTags, { team: "e2e", stage: "test" });
  const missingArn = pool.Arn.replace(poolId, `${ctx.region}_missing00`);
  await refused("settings.tagMissingPool", new cip.ListTagsForResourceCommand({ ResourceArn: missingArn }), [
    "ResourceNotFoundException",
    `User pool ${ctx.region}_missing00 does not exist.`,
  ]);

  // Log delivery.
  const logGroup = "arn:aws:logs:us-east-1:000000000000:log-group:cognito-errors";
  const { LogDeliveryConfiguration: set } = await send(
    new cip.SetLogDeliveryConfigurationCommand({
      UserPoolId: poolId,
      LogConfigurations: [{ EventSource: "userNotification", LogLevel: "ERROR", CloudWatchLogsConfiguration: { LogGroupArn: logGroup } }],
    }),
  );
  assert.equal(set.LogConfigurations[0].CloudWatchLogsConfiguration.LogGroupArn, logGroup);
  const { LogDeliveryConfiguration: got } = await send(new cip.GetLogDeliveryConfigurationCommand({ UserPoolId: poolId }));
  assert.deepEqual(got.LogConfigurations, [{ EventSource: "userNotification", LogLevel: "ERROR", CloudWatchLogsConfiguration: { LogGroupArn: logGroup } }]);
  await refused(
    "settings.twoDestinations",
    new cip.SetLogDeliveryConfigurationCommand({
      UserPoolId: poolId,
      LogConfigurations: [
        {
          EventSource: "userNotification",
          LogLevel: "ERROR",
          CloudWatchLogsConfiguration: { LogGroupArn: logGroup },
          S3Configuration: { BucketArn: "arn:aws:s3:::logs" },
        },
      ],
    }),
    ["InvalidParameterException"],
  );

  // Risk configuration: the pool's, and a client's own that overrides it.
  const app = await ctx.appClient(poolId, { ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] });
  const { RiskConfiguration: risk } = await send(
    new cip.SetRiskConfigurationCommand({
      UserPoolId: poolId,
      CompromisedCredentialsRiskConfiguration: { EventFilter: ["SIGN_IN"], Actions: { EventAction: "NO_ACTION" } },
      RiskExceptionConfiguration: { SkippedIPRangeList: ["10.0.0.0/8"] },
    }),
  );
  assert.equal(risk.UserPoolId, poolId);
  const { RiskConfiguration: forClient } = await send(
    new cip.DescribeRiskConfigurationCommand({ UserPoolId: poolId, ClientId: app.ClientId }),
  );
  assert.deepEqual(forClient.RiskExceptionConfiguration, { SkippedIPRangeList: ["10.0.0.0/8"] }, "a client without its own falls back to the pool's");
  await refused(
    "settings.badAction",
    new cip.SetRiskConfigurationCommand({ UserPoolId: poolId, CompromisedCredentialsRiskConfiguration: { Actions: { EventAction: "MAYBE" } } }),
    ["InvalidParameterException", /Value 'MAYBE' at 'compromisedCredentialsRiskConfiguration.actions.eventAction' failed to satisfy constraint/],
  );

  // MFA options (SMS on phone_number) through the legacy user settings.
  await ctx.confirmedUser(poolId, "hana", "Passw0rd!long", [
    { Name: "phone_number", Value: "+15555550100" },
    { Name: "phone_number_verified", Value: "true" },
  ]);
  await send(
    new cip.AdminSetUserSettingsCommand({ UserPoolId: poolId, Username: "hana", MFAOptions: [{ DeliveryMedium: "SMS", AttributeName: "phone_number" }] }),
  );
  let hana = await send(new cip.AdminGetUserCommand({ UserPoolId: poolId, Username: "hana" }));
  assert.deepEqual(hana.MFAOptions, [{ DeliveryMedium: "SMS", AttributeName: "phone_number" }]);
  await refused(
    "settings.emailMfaOption",
    new cip.AdminSetUserSettingsCommand({ UserPoolId: poolId, Username: "hana", MFAOptions: [{ DeliveryMedium: "EMAIL", AttributeName: "email" }] }),
    ["InvalidParameterException"],
  );
  await send(
    new cip.AdminSetUserSettingsCommand({ UserPoolId: poolId, Username: "hana", MFAOptions: [] }),
  );
  const tokens = await ctx.signIn(app.ClientId, "hana", "Passw0rd!long");
  await send(
    new cip.SetUserSettingsCommand({ AccessToken: tokens.AccessToken, MFAOptions: [{ DeliveryMedium: "SMS", AttributeName: "phone_number" }] }),
  );
  hana = await send(new cip.AdminGetUserCommand({ UserPoolId: poolId, Username: "hana" }));
  assert.deepEqual(hana.UserMFASettingList, ["SMS_MFA"]);

  // Sign-in factors.
  const factors = await send(new cip.GetUserAuthFactorsCommand({ AccessToken: tokens.AccessToken }));
  assert.equal(factors.Username, "hana");
  assert.ok(factors.ConfiguredUserAuthFactors.includes("PASSWORD"), JSON.stringify(factors));
  assert.deepEqual(factors.UserMFASettingList, ["SMS_MFA"]);
}

module.exports = { run };
