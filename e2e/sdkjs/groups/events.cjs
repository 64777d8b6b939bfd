// Auth events and threat protection: sign-ins on a pool with threat
// protection enforced leave events (AdminListUserAuthEvents); an
// account-takeover risk (raised with the emulator-only X-Ccql-Risk-Level
// header) notifies the user, whose feedback link's token serves
// UpdateAuthEventFeedback; an administrator gives feedback too. The events
// are logged (userAuthEvents) to the emulator's log endpoint.
"use strict";

// withRiskLevel makes command carry the emulator's risk header.
function withRiskLevel(command, level) {
  command.middlewareStack.add(
    (next) => async (args) => {
      args.request.headers["x-ccql-risk-level"] = level;
      return next(args);
    },
    { step: "build", name: "ccqlRiskLevel" },
  );
  return command;
}

async function run(ctx) {
  const { cip, assert, send, refused } = ctx;
  const { Id: poolId } = await ctx.pool("sdkjs-events", {
    UserPoolTier: "PLUS",
    UserPoolAddOns: { AdvancedSecurityMode: "ENFORCED" },
  });
  const { Id: plainPool } = await ctx.pool("sdkjs-events-off");
  await send(
    new cip.SetRiskConfigurationCommand({
      UserPoolId: poolId,
      AccountTakeoverRiskConfiguration: {
        NotifyConfiguration: { SourceArn: "arn:aws:ses:us-east-1:000000000000:identity/example.com" },
        Actions: { LowAction: { Notify: true, EventAction: "NO_ACTION" } },
      },
    }),
  );
  // userAuthEvents logs (Plus tier) go to the emulator's log endpoint.
  await send(
    new cip.SetLogDeliveryConfigurationCommand({
      UserPoolId: poolId,
      LogConfigurations: [
        { EventSource: "userAuthEvents", LogLevel: "INFO", CloudWatchLogsConfiguration: { LogGroupArn: "arn:aws:logs:us-east-1:000000000000:log-group:auth" } },
      ],
    }),
  );
  const app = await ctx.appClient(poolId, { ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] });
  await ctx.confirmedUser(poolId, "noor", "Passw0rd!long", [{ Name: "email", Value: "noor@example.com" }, { Name: "email_verified", Value: "true" }]);
  const admin = { UserPoolId: poolId, Username: "noor" };

  // A sign-in with a low account-takeover risk goes through and notifies.
  const signIn = await send(
    withRiskLevel(
      new cip.InitiateAuthCommand({ ClientId: app.ClientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: "noor", PASSWORD: "Passw0rd!long" } }),
      "LOW",
    ),
  );
  ctx.assertTokens(signIn.AuthenticationResult, true);
  await refused(
    "events.wrongPassword",
    new cip.InitiateAuthCommand({ ClientId: app.ClientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: "noor", PASSWORD: "Wr0ng!long" } }),
    ["NotAuthorizedException", "Incorrect username or password."],
  );
  const { AuthEvents: events } = await send(new cip.AdminListUserAuthEventsCommand({ ...admin, MaxResults: 10 }));
  assert.deepEqual(
    events.map((e) => [e.EventType, e.EventResponse]),
    [
      ["SignIn", "Fail"],
      ["SignIn", "Pass"],
    ],
    "newest first",
  );
  const risky = events[1];
  assert.equal(risky.EventRisk.RiskLevel, "Low");
  assert.ok(risky.CreationDate instanceof Date);
  const logs = await fetch(`${ctx.cfg.endpoint}/_ccql/cognito/logs?userPoolId=${poolId}&eventSource=userAuthEvents`);
  assert.equal(logs.status, 200);
  const records = (await logs.text()).trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(
    records.map((r) => [r.message.EventType, r.message.EventResponse, r.message.Username]),
    [
      ["SignIn", "Pass", "noor"],
      ["SignIn", "Fail", "noor"],
    ],
    "oldest first",
  );
  const notes = (await ctx.outboxMessages(poolId, "noor")).filter((m) => m.Kind === "RISK_NOTIFICATION");
  assert.equal(notes.length, 1);
  const token = notes[0].Code;
  assert.ok(notes[0].Message.includes(`event_id=${risky.EventId}`), notes[0].Message);

  // Feedback: the user's, through the notification's token; then the
  // administrator's.
  await refused(
    "events.badToken",
    new cip.UpdateAuthEventFeedbackCommand({ ...admin, EventId: risky.EventId, FeedbackToken: token + "x", FeedbackValue: "Valid" }),
    ["NotAuthorizedException", "Invalid feedback token."],
  );
  await send(new cip.UpdateAuthEventFeedbackCommand({ ...admin, EventId: risky.EventId, FeedbackToken: token, FeedbackValue: "Valid" }));
  let after = (await send(new cip.AdminListUserAuthEventsCommand(admin))).AuthEvents.find((e) => e.EventId === risky.EventId);
  assert.equal(after.EventFeedback.FeedbackValue, "Valid");
  assert.equal(after.EventFeedback.Provider, "User");
  await send(new cip.AdminUpdateAuthEventFeedbackCommand({ ...admin, EventId: risky.EventId, FeedbackValue: "Invalid" }));
  after = (await send(new cip.AdminListUserAuthEventsCommand(admin))).AuthEvents.find((e) => e.EventId === risky.EventId);
  assert.equal(after.EventFeedback.FeedbackValue, "Invalid");
  assert.equal(after.EventFeedback.Provider, "Admin");
  await refused(
    "events.missingEvent",
    new cip.AdminUpdateAuthEventFeedbackCommand({ ...admin, EventId: "00000000-0000-0000-0000-000000000000", FeedbackValue: "Valid" }),
    ["ResourceNotFoundException", "Auth event 00000000-0000-0000-0000-000000000000 does not exist."],
  );

  // Without threat protection there are no events to read.
  await ctx.confirmedUser(plainPool, "omar", "Passw0rd!long");
  await refused("events.addOnOff", new cip.AdminListUserAuthEventsCommand({ UserPoolId: plainPool, Username: "omar" }), [
    "UserPoolAddOnNotEnabledException",
  ]);
}

module.exports = { run };
