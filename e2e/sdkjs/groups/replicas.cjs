// User-pool replicas: a replica in another region serves the pool's users
// (a call reaches it by the region of its SigV4 scope) and issues tokens
// with its own issuer; it refuses what only the primary region does;
// deactivated, it can be deleted.
"use strict";

async function run(ctx) {
  const { cip, assert, send, refused } = ctx;
  const { Id: poolId } = await ctx.pool("sdkjs-replicas", { UserPoolTier: "ESSENTIALS" });
  const app = await ctx.appClient(poolId, { ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] });
  await ctx.confirmedUser(poolId, "pia", "Passw0rd!long");

  const { UserPoolReplica: created } = await send(new cip.CreateUserPoolReplicaCommand({ UserPoolId: poolId, RegionName: "eu-west-1" }));
  assert.equal(created.RegionName, "eu-west-1");
  assert.equal(created.Status, "CREATING");
  await refused(
    "replicas.primary",
    new cip.CreateUserPoolReplicaCommand({ UserPoolId: poolId, RegionName: ctx.region }),
    ["InvalidParameterException", `Region ${ctx.region} is the primary region of user pool ${poolId}; a replica must be in another region.`],
  );
  const listed = await send(new cip.ListUserPoolReplicasCommand({ UserPoolId: poolId }));
  assert.deepEqual(
    listed.UserPoolReplicas.map((r) => [r.RegionName, r.Role, r.Status]),
    [
      [ctx.region, "PRIMARY", "ACTIVE"],
      ["eu-west-1", "SECONDARY", "ACTIVE"],
    ],
  );

  // The replica region signs the pool's user in with its own issuer.
  const eu = ctx.regionClient("eu-west-1");
  const signedIn = await send(
    new cip.AdminInitiateAuthCommand({
      UserPoolId: poolId,
      ClientId: app.ClientId,
      AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: "pia", PASSWORD: "Passw0rd!long" },
    }),
    eu,
  );
  const claims = ctx.claims(signedIn.AuthenticationResult.IdToken);
  assert.equal(claims.iss, `https://cognito-idp.eu-west-1.amazonaws.com/${poolId}`);
  assert.equal(claims["cognito:username"], "pia");
  await refused(
    "replicas.secondaryWrite",
    new cip.AdminCreateUserCommand({ UserPoolId: poolId, Username: "quinn", MessageAction: "SUPPRESS" }),
    ["OperationNotEnabledException"],
    { via: eu },
  );

  // Deactivated, it refuses sign-in, and can be deleted.
  await refused(
    "replicas.deleteActive",
    new cip.DeleteUserPoolReplicaCommand({ UserPoolId: poolId, RegionName: "eu-west-1" }),
    ["InvalidParameterException", `The replica of user pool ${poolId} in region eu-west-1 is ACTIVE; only an INACTIVE replica can be deleted.`],
  );
  const { UserPoolReplica: inactive } = await send(
    new cip.UpdateUserPoolReplicaCommand({ UserPoolId: poolId, RegionName: "eu-west-1", Status: "INACTIVE" }),
  );
  assert.equal(inactive.Status, "INACTIVE");
  await refused(
    "replicas.inactiveSignIn",
    new cip.AdminInitiateAuthCommand({
      UserPoolId: poolId,
      ClientId: app.ClientId,
      AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: "pia", PASSWORD: "Passw0rd!long" },
    }),
    ["OperationNotEnabledException", `The replica of user pool ${poolId} in eu-west-1 is INACTIVE and does not accept end-user requests.`],
    { via: eu },
  );
  const { UserPoolReplica: deleting } = await send(new cip.DeleteUserPoolReplicaCommand({ UserPoolId: poolId, RegionName: "eu-west-1" }));
  assert.equal(deleting.Status, "DELETING");
  const left = await send(new cip.ListUserPoolReplicasCommand({ UserPoolId: poolId }));
  assert.deepEqual(left.UserPoolReplicas.map((r) => r.RegionName), [ctx.region]);
}

module.exports = { run };
