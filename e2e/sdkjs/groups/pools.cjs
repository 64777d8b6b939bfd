// Pools and app clients beyond creation: listing, describing, updating and
// deleting them, the pool's MFA configuration, and client-secret rotation.
"use strict";

async function run(ctx) {
  const { cip, assert, send, refused } = ctx;
  const pool = await ctx.pool("sdkjs-pools", { MfaConfiguration: "OFF" });
  const poolId = pool.Id;

  // ListUserPools pages: the new pool is on some page.
  let token;
  const seen = [];
  do {
    const page = await send(new cip.ListUserPoolsCommand({ MaxResults: 60, NextToken: token }));
    seen.push(...page.UserPools.map((p) => [p.Id, p.Name]));
    token = page.NextToken;
  } while (token);
  assert.ok(seen.some(([id, name]) => id === poolId && name === "sdkjs-pools"), JSON.stringify(seen));
  await refused("pools.listNoMax", new cip.ListUserPoolsCommand({}), [
    "InvalidParameterException",
    "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null",
  ]);

  const mfa = await send(new cip.GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
  assert.equal(mfa.MfaConfiguration, "OFF");

  // App clients.
  const app = await ctx.appClient(poolId, { ClientName: "web", GenerateSecret: true, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] });
  const other = await ctx.appClient(poolId, { ClientName: "other" });
  const { UserPoolClient: described } = await send(
    new cip.DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: app.ClientId }),
  );
  assert.equal(described.ClientName, "web");
  assert.equal(described.ClientSecret, app.ClientSecret);
  const listed = await send(new cip.ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 1 }));
  assert.equal(listed.UserPoolClients.length, 1);
  assert.equal(typeof listed.NextToken, "string");
  const rest = await send(new cip.ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 10, NextToken: listed.NextToken }));
  assert.deepEqual(
    [...listed.UserPoolClients, ...rest.UserPoolClients].map((c) => c.ClientName).sort(),
    ["other", "web"],
  );
  const { UserPoolClient: updated } = await send(
    new cip.UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: app.ClientId, ClientName: "web2", RefreshTokenValidity: 10, ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }),
  );
  assert.equal(updated.ClientName, "web2");
  assert.equal(updated.RefreshTokenValidity, 10);
  assert.equal(updated.ClientSecret, app.ClientSecret, "an update keeps the secret");

  // Client secrets: a second one, then the first deleted; the new one
  // signs a SECRET_HASH.
  const secrets = await send(new cip.ListUserPoolClientSecretsCommand({ UserPoolId: poolId, ClientId: app.ClientId }));
  assert.equal(secrets.ClientSecrets.length, 1);
  const first = secrets.ClientSecrets[0].ClientSecretId;
  const added = await send(new cip.AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: app.ClientId }));
  assert.equal(typeof added.ClientSecretDescriptor.ClientSecretValue, "string");
  const both = await send(new cip.ListUserPoolClientSecretsCommand({ UserPoolId: poolId, ClientId: app.ClientId }));
  assert.equal(both.ClientSecrets.length, 2);
  await refused("pools.thirdSecret", new cip.AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: app.ClientId }), [
    "LimitExceededException",
  ]);
  await send(new cip.DeleteUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: app.ClientId, ClientSecretId: first }));
  const left = await send(new cip.ListUserPoolClientSecretsCommand({ UserPoolId: poolId, ClientId: app.ClientId }));
  assert.deepEqual(left.ClientSecrets.map((s) => s.ClientSecretId), [added.ClientSecretDescriptor.ClientSecretId]);
  await refused(
    "pools.lastSecret",
    new cip.DeleteUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: app.ClientId, ClientSecretId: added.ClientSecretDescriptor.ClientSecretId }),
    ["InvalidParameterException", `You cannot delete the last client secret of client ${app.ClientId}.`],
  );
  await ctx.confirmedUser(poolId, "erin", "Passw0rd!long");
  const signedIn = await send(
    new cip.InitiateAuthCommand({
      ClientId: app.ClientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: {
        USERNAME: "erin",
        PASSWORD: "Passw0rd!long",
        SECRET_HASH: ctx.secretHash(added.ClientSecretDescriptor.ClientSecretValue, "erin", app.ClientId),
      },
    }),
  );
  ctx.assertTokens(signedIn.AuthenticationResult, true);

  await send(new cip.DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: other.ClientId }));
  await refused("pools.deletedClient", new cip.DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: other.ClientId }), [
    "ResourceNotFoundException",
    `User pool client ${other.ClientId} does not exist.`,
  ]);
  const { UserPool: before } = await send(new cip.DescribeUserPoolCommand({ UserPoolId: poolId }));
  assert.equal(before.EstimatedNumberOfUsers, 1);
  await send(new cip.DeleteUserPoolCommand({ UserPoolId: poolId }));
  await refused("pools.deletedPool", new cip.DescribeUserPoolCommand({ UserPoolId: poolId }), [
    "ResourceNotFoundException",
    `User pool ${poolId} does not exist.`,
  ]);
}

module.exports = { run };
