// Remembered devices: a sign-in's NewDeviceMetadata confirmed with a
// device verifier (computed as amazon-cognito-identity-js computes it),
// remembered by the user's choice, read, listed, updated and forgotten by
// the user and by an administrator.
"use strict";
const crypto = require("node:crypto");

// Cognito's SRP group: RFC 5054's 3072-bit prime, g = 2.
const N = BigInt(
  "0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

function modPow(base, exp, mod) {
  let result = 1n;
  base %= mod;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
    exp >>= 1n;
  }
  return result;
}

// padHex is the library's: an even number of digits, and a leading 00
// when the first bit is set (a positive two's-complement number).
function padHex(n) {
  let h = n.toString(16);
  if (h.length % 2) h = "0" + h;
  else if ("89abcdef".includes(h[0])) h = "00" + h;
  return h;
}

// deviceVerifier is AuthenticationHelper.generateHashDevice: a random
// device password, x = H(salt | H(groupKey | deviceKey ":" password)),
// verifier g^x mod N.
function deviceVerifier(groupKey, deviceKey) {
  const password = crypto.randomBytes(40).toString("base64");
  const inner = crypto.createHash("sha256").update(groupKey + deviceKey + ":" + password).digest("hex");
  const salt = padHex(BigInt("0x" + crypto.randomBytes(16).toString("hex")));
  const x = BigInt("0x" + crypto.createHash("sha256").update(Buffer.from(salt + inner, "hex")).digest("hex"));
  const v = modPow(2n, x, N);
  return {
    PasswordVerifier: Buffer.from(padHex(v), "hex").toString("base64"),
    Salt: Buffer.from(salt, "hex").toString("base64"),
  };
}

async function run(ctx) {
  const { cip, assert, send, refused, attrs } = ctx;
  const { Id: poolId } = await ctx.pool("sdkjs-devices", {
    DeviceConfiguration: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: true },
  });
  const app = await ctx.appClient(poolId, { ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] });
  await ctx.confirmedUser(poolId, "lee", "Passw0rd!long");
  const admin = { UserPoolId: poolId, Username: "lee" };

  // A sign-in without a device gets NewDeviceMetadata; ConfirmDevice
  // makes the device, not remembered until the user says so.
  const first = await ctx.signIn(app.ClientId, "lee", "Passw0rd!long");
  const { DeviceKey: key, DeviceGroupKey: groupKey } = first.NewDeviceMetadata;
  assert.match(key, new RegExp(`^${ctx.region}_[0-9a-f-]{36}$`));
  assert.equal(ctx.claims(first.AccessToken).device_key, key);
  const access = first.AccessToken;
  await refused(
    "devices.badVerifier",
    new cip.ConfirmDeviceCommand({ AccessToken: access, DeviceKey: key, DeviceSecretVerifierConfig: { PasswordVerifier: "AA==", Salt: "AA==" } }),
    ["InvalidParameterException", /^Invalid DeviceSecretVerifierConfig/],
  );
  const confirmed = await send(
    new cip.ConfirmDeviceCommand({ AccessToken: access, DeviceKey: key, DeviceName: "laptop", DeviceSecretVerifierConfig: deviceVerifier(groupKey, key) }),
  );
  assert.equal(confirmed.UserConfirmationNecessary, true);
  assert.deepEqual((await send(new cip.ListDevicesCommand({ AccessToken: access }))).Devices, [], "the user sees remembered devices only");
  const adminListed = await send(new cip.AdminListDevicesCommand(admin));
  assert.deepEqual(adminListed.Devices.map((d) => [d.DeviceKey, attrs(d.DeviceAttributes)["dev:device_remembered_status"]]), [[key, "not_remembered"]]);

  // The user remembers it; the administrator forgets the remembering.
  await send(new cip.UpdateDeviceStatusCommand({ AccessToken: access, DeviceKey: key, DeviceRememberedStatus: "remembered" }));
  const { Device: mine } = await send(new cip.GetDeviceCommand({ AccessToken: access, DeviceKey: key }));
  assert.equal(attrs(mine.DeviceAttributes).device_name, "laptop");
  assert.equal(attrs(mine.DeviceAttributes)["dev:device_remembered_status"], "remembered");
  assert.deepEqual((await send(new cip.ListDevicesCommand({ AccessToken: access, Limit: 10 }))).Devices.map((d) => d.DeviceKey), [key]);
  await send(new cip.AdminUpdateDeviceStatusCommand({ ...admin, DeviceKey: key, DeviceRememberedStatus: "not_remembered" }));
  const { Device: seen } = await send(new cip.AdminGetDeviceCommand({ ...admin, DeviceKey: key }));
  assert.equal(attrs(seen.DeviceAttributes)["dev:device_remembered_status"], "not_remembered");
  await refused("devices.notRemembered", new cip.GetDeviceCommand({ AccessToken: access, DeviceKey: key }), [
    "ResourceNotFoundException",
    "Device does not exist.",
  ]);

  // The user forgets it.
  await send(new cip.UpdateDeviceStatusCommand({ AccessToken: access, DeviceKey: key, DeviceRememberedStatus: "remembered" }));
  await send(new cip.ForgetDeviceCommand({ AccessToken: access, DeviceKey: key }));
  await refused("devices.forgotten", new cip.AdminGetDeviceCommand({ ...admin, DeviceKey: key }), [
    "ResourceNotFoundException",
    "Device does not exist.",
  ]);

  // A second device, forgotten by the administrator.
  const second = await ctx.signIn(app.ClientId, "lee", "Passw0rd!long");
  const key2 = second.NewDeviceMetadata.DeviceKey;
  assert.notEqual(key2, key);
  await send(
    new cip.ConfirmDeviceCommand({ AccessToken: second.AccessToken, DeviceKey: key2, DeviceSecretVerifierConfig: deviceVerifier(second.NewDeviceMetadata.DeviceGroupKey, key2) }),
  );
  await send(new cip.AdminForgetDeviceCommand({ ...admin, DeviceKey: key2 }));
  assert.deepEqual((await send(new cip.AdminListDevicesCommand(admin))).Devices, []);
}

module.exports = { run };
