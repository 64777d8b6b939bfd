// Remembered devices on ccql serve with amazon-cognito-identity-js,
// unchanged: the pool has a DeviceConfiguration (opt-in remembering, a
// remembered device replaces MFA) and requires TOTP MFA. The script signs
// in with SRP and TOTP (the library confirms the new device itself in its
// onSuccess path), remembers the device with setDeviceStatusRemembered,
// signs in again (the library answers DEVICE_SRP_AUTH itself and no TOTP
// is asked), lists the devices, refreshes with the device key, forgets
// the device and signs in once more as a new device; last, with a device
// forgotten only on the server, it recovers as the library does.
// Configuration comes as one JSON argument; results go to stdout as JSON.
"use strict";
const crypto = require("crypto");
const {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
} = require("amazon-cognito-identity-js");

const cfg = JSON.parse(process.argv[2]);

// One storage for every CognitoUser, as a browser's localStorage: the
// library keeps the device key, group key and device secret there.
const data = {};
const storage = {
  setItem: (k, v) => (data[k] = String(v)),
  getItem: (k) => (Object.prototype.hasOwnProperty.call(data, k) ? data[k] : null),
  removeItem: (k) => delete data[k],
  clear: () => Object.keys(data).forEach((k) => delete data[k]),
};
const pool = new CognitoUserPool({ UserPoolId: cfg.poolId, ClientId: cfg.clientId, endpoint: cfg.endpoint, Storage: storage });

// Observe (never change) the library's requests: the operation and, for
// RespondToAuthChallenge, the challenge it answers.
const requests = [];
const request = pool.client.request.bind(pool.client);
pool.client.request = (op, params, cb) => {
  requests.push(op === "RespondToAuthChallenge" ? `${op}:${params.ChallengeName}` : op);
  return request(op, params, cb);
};

// totp is an authenticator app's RFC 6238 code (SHA-1, 6 digits, 30 s).
function totp(secret) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000)));
  const sum = crypto.createHmac("sha1", key).update(msg).digest();
  const off = sum[19] & 0x0f;
  return String((sum.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, "0");
}

function newUser() {
  return new CognitoUser({ Username: cfg.username, Pool: pool, Storage: storage });
}

// signIn resolves with the session, whether ConfirmDevice asked the user
// to confirm, and whether a TOTP code was asked for.
function signIn(user) {
  return new Promise((resolve, reject) => {
    let askedTOTP = false;
    const callbacks = {
      onSuccess: (session, userConfirmationNecessary) => resolve({ session, userConfirmationNecessary, askedTOTP }),
      onFailure: reject,
      newPasswordRequired: () => reject(new Error("unexpected NEW_PASSWORD_REQUIRED")),
      mfaRequired: () => reject(new Error("unexpected SMS_MFA")),
      mfaSetup: () => reject(new Error("unexpected MFA_SETUP")),
      totpRequired: () => {
        askedTOTP = true;
        user.sendMFACode(totp(cfg.totpSecret), callbacks, "SOFTWARE_TOKEN_MFA");
      },
    };
    user.authenticateUser(new AuthenticationDetails({ Username: cfg.username, Password: cfg.password }), callbacks);
  });
}

const call = (fn) => new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
const cbs = (fn) => new Promise((resolve, reject) => fn({ onSuccess: resolve, onFailure: reject }));
const errorOf = (p) => p.then(() => "succeeded", (e) => `${e.code}: ${e.message}`);

async function main() {
  const out = {};

  // 1. A new device: SRP, TOTP, then the library's own ConfirmDevice.
  let user = newUser();
  requests.length = 0;
  const first = await signIn(user);
  out.first = {
    askedTOTP: first.askedTOTP,
    userConfirmationNecessary: first.userConfirmationNecessary === true,
    requests: requests.slice(),
    deviceKey: user.deviceKey,
    accessToken: first.session.getAccessToken().getJwtToken(),
  };
  // Not remembered yet: the user's GetDevice does not see it.
  out.getBeforeRemember = await errorOf(cbs((cb) => user.getDevice(cb)));
  await cbs((cb) => user.setDeviceStatusRemembered(cb));
  out.getAfterRemember = (await cbs((cb) => user.getDevice(cb))).Device.DeviceKey;

  // 2. The remembered device: the library does DEVICE_SRP_AUTH, no TOTP.
  user = newUser();
  requests.length = 0;
  const second = await signIn(user);
  out.second = {
    askedTOTP: second.askedTOTP,
    requests: requests.slice(),
    accessToken: second.session.getAccessToken().getJwtToken(),
  };

  // 3. listDevices, a refresh (the library sends DEVICE_KEY), forgetDevice.
  const listed = await cbs((cb) => user.listDevices(60, null, cb));
  out.listed = listed.Devices.map((d) => ({
    key: d.DeviceKey,
    attributes: Object.fromEntries(d.DeviceAttributes.map((a) => [a.Name, a.Value])),
  }));
  const refreshed = await call((cb) => user.refreshSession(second.session.getRefreshToken(), cb));
  out.refreshedAccessToken = refreshed.getAccessToken().getJwtToken();
  await cbs((cb) => user.forgetDevice(cb));
  out.listedAfterForget = (await cbs((cb) => user.listDevices(60, null, cb))).Devices.length;

  // 4. Forgotten: the next sign-in is a new device again, with TOTP.
  user = newUser();
  requests.length = 0;
  const third = await signIn(user);
  out.third = { askedTOTP: third.askedTOTP, requests: requests.slice(), deviceKey: user.deviceKey };

  // 5. Forgotten on the server only (forgetSpecificDevice keeps the
  // library's cache): the library presents the stale key, gets "Device
  // does not exist." and retries PASSWORD_VERIFIER without it.
  await cbs((cb) => user.forgetSpecificDevice(user.deviceKey, cb));
  user = newUser();
  requests.length = 0;
  const fourth = await signIn(user);
  out.fourth = { askedTOTP: fourth.askedTOTP, requests: requests.slice(), deviceKey: user.deviceKey };
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((e) => {
  process.stderr.write(`${e.code || "Error"}: ${e.message}\n${e.stack}\n`);
  process.exit(1);
});
