// Federation links: a federated identity linked to a native user (shown
// in its identities) and disabled again, and the pool's SAML signing
// certificate.
"use strict";
const { X509Certificate } = require("node:crypto");

async function run(ctx) {
  const { cip, assert, send, refused, attrs } = ctx;
  const { Id: poolId } = await ctx.pool("sdkjs-federation");
  await send(
    new cip.CreateIdentityProviderCommand({
      UserPoolId: poolId,
      ProviderName: "Google",
      ProviderType: "Google",
      ProviderDetails: { client_id: "gid", client_secret: "gsecret", authorize_scopes: "openid email" },
      AttributeMapping: { email: "email" },
    }),
  );
  await ctx.confirmedUser(poolId, "kim", "Passw0rd!long", [{ Name: "email", Value: "kim@example.com" }]);
  const source = { ProviderName: "Google", ProviderAttributeName: "Cognito_Subject", ProviderAttributeValue: "109876" };
  await send(
    new cip.AdminLinkProviderForUserCommand({
      UserPoolId: poolId,
      DestinationUser: { ProviderName: "Cognito", ProviderAttributeValue: "kim" },
      SourceUser: source,
    }),
  );
  const identities = (u) => JSON.parse(attrs(u.UserAttributes).identities || "[]");
  const kim = await send(new cip.AdminGetUserCommand({ UserPoolId: poolId, Username: "kim" }));
  assert.deepEqual(
    identities(kim).map((i) => [i.providerName, i.userId]),
    [["Google", "109876"]],
  );
  await refused(
    "federation.unknownProvider",
    new cip.AdminLinkProviderForUserCommand({
      UserPoolId: poolId,
      DestinationUser: { ProviderName: "Cognito", ProviderAttributeValue: "kim" },
      SourceUser: { ...source, ProviderName: "Facebook" },
    }),
    ["ResourceNotFoundException", "Identity provider Facebook does not exist."],
  );
  await send(new cip.AdminDisableProviderForUserCommand({ UserPoolId: poolId, User: source }));
  assert.deepEqual(identities(await send(new cip.AdminGetUserCommand({ UserPoolId: poolId, Username: "kim" }))), []);

  const { Certificate } = await send(new cip.GetSigningCertificateCommand({ UserPoolId: poolId }));
  const cert = new X509Certificate(Buffer.from(Certificate, "base64"));
  assert.equal(cert.publicKey.asymmetricKeyDetails.modulusLength, 2048);
  assert.equal((await send(new cip.GetSigningCertificateCommand({ UserPoolId: poolId }))).Certificate, Certificate, "the certificate is kept");
}

module.exports = { run };
