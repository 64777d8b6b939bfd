// Passkeys: a software authenticator (ES256, "none" attestation, written
// here apart from the emulator) registers a credential with
// Start/CompleteWebAuthnRegistration, signs in with it through USER_AUTH's
// WEB_AUTHN challenge, uses it as MFA (WebAuthnMfaSettings), lists it and
// deletes it.
"use strict";
const crypto = require("node:crypto");

const origin = "http://localhost:8080";
const b64u = (buf) => Buffer.from(buf).toString("base64url");

// cbor encodes the CBOR a WebAuthn attestation needs: maps, text and byte
// strings, and integers.
function cbor(v) {
  const head = (major, n) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
    throw new Error("cbor: length too large");
  };
  if (Number.isInteger(v)) return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === "string") return Buffer.concat([head(3, Buffer.byteLength(v)), Buffer.from(v)]);
  if (Buffer.isBuffer(v)) return Buffer.concat([head(2, v.length), v]);
  if (v instanceof Map) {
    const parts = [head(5, v.size)];
    for (const [k, x] of v) parts.push(cbor(k), cbor(x));
    return Buffer.concat(parts);
  }
  throw new Error(`cbor: cannot encode ${typeof v}`);
}

// softAuthenticator is one passkey: a P-256 key pair and a credential id.
function softAuthenticator() {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" });
  const credId = crypto.randomBytes(16);
  let count = 0;
  let userHandle;
  const authData = (rpId, attested) => {
    const flags = 0x01 | 0x04 | (attested ? 0x40 : 0); // UP, UV, AT
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(count);
    const parts = [crypto.createHash("sha256").update(rpId).digest(), Buffer.from([flags]), counter];
    if (attested) {
      const cose = cbor(new Map([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x, "base64url")], [-3, Buffer.from(jwk.y, "base64url")]]));
      const len = Buffer.alloc(2);
      len.writeUInt16BE(credId.length);
      parts.push(Buffer.alloc(16), len, credId, cose);
    }
    return Buffer.concat(parts);
  };
  const clientData = (type, challenge) => Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  return {
    id: b64u(credId),
    // create answers CredentialCreationOptions as
    // navigator.credentials.create() and toJSON() do.
    create(opts) {
      userHandle = opts.user.id;
      const att = cbor(new Map([["fmt", "none"], ["attStmt", new Map()], ["authData", authData(opts.rp.id, true)]]));
      return {
        id: b64u(credId),
        rawId: b64u(credId),
        type: "public-key",
        authenticatorAttachment: "platform",
        clientExtensionResults: {},
        response: { clientDataJSON: b64u(clientData("webauthn.create", opts.challenge)), attestationObject: b64u(att), transports: ["internal"] },
      };
    },
    // get answers credential request options as navigator.credentials.get()
    // and toJSON() do.
    get(opts) {
      count++;
      const cd = clientData("webauthn.get", opts.challenge);
      const ad = authData(opts.rpId, false);
      const sig = crypto.sign("sha256", Buffer.concat([ad, crypto.createHash("sha256").update(cd).digest()]), privateKey);
      return {
        id: b64u(credId),
        rawId: b64u(credId),
        type: "public-key",
        authenticatorAttachment: "platform",
        clientExtensionResults: {},
        response: { clientDataJSON: b64u(cd), authenticatorData: b64u(ad), signature: b64u(sig), userHandle },
      };
    },
  };
}

async function run(ctx) {
  const { cip, assert, send, refused } = ctx;
  const { Id: poolId } = await ctx.pool("sdkjs-passkeys", {
    UserPoolTier: "ESSENTIALS",
    Policies: { SignInPolicy: { AllowedFirstAuthFactors: ["PASSWORD", "WEB_AUTHN"] } },
  });
  await send(
    new cip.SetUserPoolMfaConfigCommand({ UserPoolId: poolId, WebAuthnConfiguration: { RelyingPartyId: "localhost", UserVerification: "required" } }),
  );
  const app = await ctx.appClient(poolId, { ExplicitAuthFlows: ["ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] });
  await ctx.confirmedUser(poolId, "mia", "Passw0rd!long", [{ Name: "email", Value: "mia@example.com" }, { Name: "email_verified", Value: "true" }]);
  const { AccessToken: access } = await ctx.signIn(app.ClientId, "mia", "Passw0rd!long");

  // Registration.
  const key = softAuthenticator();
  const { CredentialCreationOptions: opts } = await send(new cip.StartWebAuthnRegistrationCommand({ AccessToken: access }));
  assert.equal(opts.rp.id, "localhost");
  assert.equal(opts.user.name, "mia");
  assert.equal(opts.authenticatorSelection.userVerification, "required");
  await refused(
    "passkeys.wrongType",
    new cip.CompleteWebAuthnRegistrationCommand({ AccessToken: access, Credential: { ...key.create(opts), type: "password" } }),
    ["InvalidParameterException"],
  );
  const again = (await send(new cip.StartWebAuthnRegistrationCommand({ AccessToken: access }))).CredentialCreationOptions;
  await send(new cip.CompleteWebAuthnRegistrationCommand({ AccessToken: access, Credential: key.create(again) }));
  const listed = await send(new cip.ListWebAuthnCredentialsCommand({ AccessToken: access }));
  assert.deepEqual(listed.Credentials.map((c) => [c.CredentialId, c.RelyingPartyId]), [[key.id, "localhost"]]);
  assert.ok(listed.Credentials[0].CreatedAt instanceof Date);
  const factors = await send(new cip.GetUserAuthFactorsCommand({ AccessToken: access }));
  assert.ok(factors.ConfiguredUserAuthFactors.includes("WEB_AUTHN"), JSON.stringify(factors));

  // Sign-in with the passkey: USER_AUTH, WEB_AUTHN.
  const started = await send(
    new cip.InitiateAuthCommand({ ClientId: app.ClientId, AuthFlow: "USER_AUTH", AuthParameters: { USERNAME: "mia", PREFERRED_CHALLENGE: "WEB_AUTHN" } }),
  );
  assert.equal(started.ChallengeName, "WEB_AUTHN");
  const request = JSON.parse(started.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
  assert.equal(request.rpId, "localhost");
  const answered = await send(
    new cip.RespondToAuthChallengeCommand({
      ClientId: app.ClientId,
      ChallengeName: "WEB_AUTHN",
      Session: started.Session,
      ChallengeResponses: { USERNAME: "mia", CREDENTIAL: JSON.stringify(key.get(request)) },
    }),
  );
  ctx.assertTokens(answered.AuthenticationResult, true);
  assert.equal(ctx.claims(answered.AuthenticationResult.AccessToken).username, "mia");

  // Passkeys as MFA: once the pool's FactorConfiguration is
  // MULTI_FACTOR_WITH_USER_VERIFICATION and mia has TOTP as another method,
  // she turns on WebAuthnMfaSettings and signs in with the passkey alone in
  // a pool that requires MFA; turned off, TOTP follows the passkey.
  await refused(
    "passkeys.mfaSingleFactor",
    new cip.SetUserMFAPreferenceCommand({ AccessToken: access, WebAuthnMfaSettings: { Enabled: true } }),
    ["InvalidParameterException"],
  );
  const mfaConfig = (MfaConfiguration) =>
    send(
      new cip.SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        MfaConfiguration,
        SoftwareTokenMfaConfiguration: { Enabled: true },
        WebAuthnConfiguration: { RelyingPartyId: "localhost", UserVerification: "required", FactorConfiguration: "MULTI_FACTOR_WITH_USER_VERIFICATION" },
      }),
    );
  const mfaOut = await mfaConfig("OPTIONAL");
  assert.equal(mfaOut.WebAuthnConfiguration.FactorConfiguration, "MULTI_FACTOR_WITH_USER_VERIFICATION");
  await refused(
    "passkeys.mfaLockout",
    new cip.SetUserMFAPreferenceCommand({ AccessToken: access, WebAuthnMfaSettings: { Enabled: true } }),
    ["InvalidParameterException"],
  );
  const { SecretCode: secret } = await send(new cip.AssociateSoftwareTokenCommand({ AccessToken: access }));
  await send(new cip.VerifySoftwareTokenCommand({ AccessToken: access, UserCode: ctx.totp(ctx.base32Decode(secret)) }));
  await send(new cip.SetUserMFAPreferenceCommand({ AccessToken: access, WebAuthnMfaSettings: { Enabled: true } }));
  await mfaConfig("ON");
  const passkeySignIn = async () => {
    const s = await send(
      new cip.InitiateAuthCommand({ ClientId: app.ClientId, AuthFlow: "USER_AUTH", AuthParameters: { USERNAME: "mia", PREFERRED_CHALLENGE: "WEB_AUTHN" } }),
    );
    assert.equal(s.ChallengeName, "WEB_AUTHN");
    const options = JSON.parse(s.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
    return send(
      new cip.RespondToAuthChallengeCommand({
        ClientId: app.ClientId,
        ChallengeName: "WEB_AUTHN",
        Session: s.Session,
        ChallengeResponses: { USERNAME: "mia", CREDENTIAL: JSON.stringify(key.get(options)) },
      }),
    );
  };
  ctx.assertTokens((await passkeySignIn()).AuthenticationResult, true);
  await send(new cip.AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: "mia", WebAuthnMfaSettings: { Enabled: false } }));
  assert.equal((await passkeySignIn()).ChallengeName, "SOFTWARE_TOKEN_MFA");

  // Deletion.
  await send(new cip.DeleteWebAuthnCredentialCommand({ AccessToken: access, CredentialId: key.id }));
  assert.deepEqual((await send(new cip.ListWebAuthnCredentialsCommand({ AccessToken: access }))).Credentials, []);
  await refused("passkeys.deleted", new cip.DeleteWebAuthnCredentialCommand({ AccessToken: access, CredentialId: key.id }), [
    "ResourceNotFoundException",
  ]);
}

module.exports = { run };
