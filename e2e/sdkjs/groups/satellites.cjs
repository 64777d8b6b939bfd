// A pool's satellites: resource servers, identity providers, groups and
// domains, each created, read, listed, updated and deleted; an identity
// provider's identifier finds it; a domain serves its OAuth endpoints.
"use strict";

async function run(ctx) {
  const { cip, assert, send, refused } = ctx;
  const { Id: poolId } = await ctx.pool("sdkjs-satellites");

  // Resource servers.
  const { ResourceServer: rs } = await send(
    new cip.CreateResourceServerCommand({
      UserPoolId: poolId,
      Identifier: "https://api.example.com",
      Name: "api",
      Scopes: [{ ScopeName: "read", ScopeDescription: "read things" }],
    }),
  );
  assert.deepEqual(rs.Scopes, [{ ScopeName: "read", ScopeDescription: "read things" }]);
  await send(
    new cip.UpdateResourceServerCommand({
      UserPoolId: poolId,
      Identifier: "https://api.example.com",
      Name: "api2",
      Scopes: [
        { ScopeName: "read", ScopeDescription: "read things" },
        { ScopeName: "write", ScopeDescription: "write things" },
      ],
    }),
  );
  const { ResourceServer: rsRead } = await send(
    new cip.DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: "https://api.example.com" }),
  );
  assert.equal(rsRead.Name, "api2");
  assert.deepEqual(rsRead.Scopes.map((s) => s.ScopeName).sort(), ["read", "write"]);
  const rsList = await send(new cip.ListResourceServersCommand({ UserPoolId: poolId, MaxResults: 10 }));
  assert.deepEqual(rsList.ResourceServers.map((r) => r.Identifier), ["https://api.example.com"]);
  // A client may ask for the server's scopes only.
  await refused(
    "satellites.unknownScope",
    new cip.CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: "m2m",
      GenerateSecret: true,
      AllowedOAuthFlows: ["client_credentials"],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ["https://api.example.com/delete"],
    }),
    ["ScopeDoesNotExistException"],
  );

  // Identity providers.
  const google = {
    UserPoolId: poolId,
    ProviderName: "Google",
    ProviderType: "Google",
    ProviderDetails: { client_id: "gid", client_secret: "gsecret", authorize_scopes: "openid email" },
    AttributeMapping: { email: "email" },
    IdpIdentifiers: ["gmail"],
  };
  const { IdentityProvider: idp } = await send(new cip.CreateIdentityProviderCommand(google));
  assert.equal(idp.ProviderType, "Google");
  assert.equal(idp.ProviderDetails.authorize_url, "https://accounts.google.com/o/oauth2/v2/auth");
  await refused("satellites.duplicateIdp", new cip.CreateIdentityProviderCommand(google), ["DuplicateProviderException"]);
  await refused(
    "satellites.idpName",
    new cip.CreateIdentityProviderCommand({ ...google, ProviderName: "Google2" }),
    ["InvalidParameterException", "Provider Google2 cannot be of type Google."],
  );
  await send(
    new cip.UpdateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: "Google", AttributeMapping: { email: "email", name: "name" } }),
  );
  const { IdentityProvider: idpRead } = await send(
    new cip.DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: "Google" }),
  );
  assert.deepEqual(idpRead.AttributeMapping, { email: "email", name: "name" });
  const { IdentityProvider: byId } = await send(
    new cip.GetIdentityProviderByIdentifierCommand({ UserPoolId: poolId, IdpIdentifier: "gmail" }),
  );
  assert.equal(byId.ProviderName, "Google");
  const idps = await send(new cip.ListIdentityProvidersCommand({ UserPoolId: poolId }));
  assert.deepEqual(idps.Providers.map((p) => [p.ProviderName, p.ProviderType]), [["Google", "Google"]]);

  // Groups.
  await send(new cip.CreateGroupCommand({ UserPoolId: poolId, GroupName: "staff", Description: "people", Precedence: 5 }));
  await send(new cip.CreateGroupCommand({ UserPoolId: poolId, GroupName: "guests" }));
  await refused("satellites.groupExists", new cip.CreateGroupCommand({ UserPoolId: poolId, GroupName: "staff" }), [
    "GroupExistsException",
    "A group with the name already exists",
  ]);
  const { Group: updated } = await send(
    new cip.UpdateGroupCommand({ UserPoolId: poolId, GroupName: "staff", Precedence: 2 }),
  );
  assert.equal(updated.Precedence, 2);
  assert.equal(updated.Description, "people", "UpdateGroup keeps what it omits");
  const { Group: staff } = await send(new cip.GetGroupCommand({ UserPoolId: poolId, GroupName: "staff" }));
  assert.equal(staff.Precedence, 2);
  assert.ok(staff.LastModifiedDate instanceof Date);
  const groups = await send(new cip.ListGroupsCommand({ UserPoolId: poolId }));
  assert.deepEqual(groups.Groups.map((g) => g.GroupName).sort(), ["guests", "staff"]);
  await send(new cip.DeleteGroupCommand({ UserPoolId: poolId, GroupName: "guests" }));
  await refused("satellites.deletedGroup", new cip.GetGroupCommand({ UserPoolId: poolId, GroupName: "guests" }), [
    "ResourceNotFoundException",
    "Group not found.",
  ]);

  // A domain: its token endpoint serves client_credentials.
  const prefix = `sdkjs-${poolId.split("_")[1].toLowerCase()}`;
  await send(new cip.CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix }));
  const { DomainDescription: dom } = await send(new cip.DescribeUserPoolDomainCommand({ Domain: prefix }));
  assert.equal(dom.UserPoolId, poolId);
  assert.equal(dom.Status, "ACTIVE");
  const { UserPoolClient: m2m } = await send(
    new cip.CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: "m2m",
      GenerateSecret: true,
      AllowedOAuthFlows: ["client_credentials"],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ["https://api.example.com/read"],
    }),
  );
  // (fetch cannot set Host, so the domain's path form: /<poolId>/oauth2/token)
  const tokenRes = await fetch(`${ctx.cfg.endpoint}/${poolId}/oauth2/token`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Authorization: "Basic " + Buffer.from(`${m2m.ClientId}:${m2m.ClientSecret}`).toString("base64"),
    },
    body: "grant_type=client_credentials",
  });
  assert.equal(tokenRes.status, 200, await tokenRes.clone().text());
  assert.equal(ctx.claims((await tokenRes.json()).access_token).scope, "https://api.example.com/read");
  const upd = await send(
    new cip.UpdateUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix, ManagedLoginVersion: 1 }),
  );
  assert.equal(upd.ManagedLoginVersion, 1);
  await send(new cip.DeleteUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix }));
  const { DomainDescription: gone } = await send(new cip.DescribeUserPoolDomainCommand({ Domain: prefix }));
  assert.deepEqual(gone, {}, "a deleted domain is described as empty");

  await send(new cip.DeleteIdentityProviderCommand({ UserPoolId: poolId, ProviderName: "Google" }));
  await refused("satellites.deletedIdp", new cip.DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: "Google" }), [
    "ResourceNotFoundException",
    "Identity provider Google does not exist.",
  ]);
  await send(new cip.DeleteResourceServerCommand({ UserPoolId: poolId, Identifier: "https://api.example.com" }));
  const noRs = await send(new cip.ListResourceServersCommand({ UserPoolId: poolId, MaxResults: 10 }));
  assert.deepEqual(noRs.ResourceServers, []);
}

module.exports = { run };
