// Signs in to a pool on ccql serve with amazon-cognito-identity-js, the
// library Amplify builds on, unchanged: USER_SRP_AUTH (its default flow),
// a refresh, GetUser through getUserAttributes, and a global sign-out.
// Configuration comes as one JSON argument; results go to stdout as JSON.
"use strict";
const {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
} = require("amazon-cognito-identity-js");

const cfg = JSON.parse(process.argv[2]);
const pool = new CognitoUserPool({ UserPoolId: cfg.poolId, ClientId: cfg.clientId, endpoint: cfg.endpoint });

function newUser() {
  return new CognitoUser({ Username: cfg.username, Pool: pool });
}

function signIn(user, password) {
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: cfg.username, Password: password }), {
      onSuccess: resolve,
      onFailure: reject,
      newPasswordRequired: () => reject(new Error("unexpected NEW_PASSWORD_REQUIRED")),
      mfaRequired: () => reject(new Error("unexpected SMS_MFA")),
      totpRequired: () => reject(new Error("unexpected SOFTWARE_TOKEN_MFA")),
    });
  });
}

const call = (fn) => new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));

async function main() {
  const out = {};
  try {
    await signIn(newUser(), cfg.password + "-wrong");
    out.wrongPassword = "accepted";
  } catch (e) {
    out.wrongPassword = `${e.code}: ${e.message}`;
  }
  const user = newUser();
  const session = await signIn(user, cfg.password);
  out.first = {
    idToken: session.getIdToken().getJwtToken(),
    accessToken: session.getAccessToken().getJwtToken(),
    refreshToken: session.getRefreshToken().getToken(),
    username: session.getIdToken().payload["cognito:username"],
  };
  const refreshed = await call((cb) => user.refreshSession(session.getRefreshToken(), cb));
  out.refreshed = {
    idToken: refreshed.getIdToken().getJwtToken(),
    accessToken: refreshed.getAccessToken().getJwtToken(),
  };
  const attrs = await call((cb) => user.getUserAttributes(cb));
  out.attributes = Object.fromEntries(attrs.map((a) => [a.getName(), a.getValue()]));
  await new Promise((resolve, reject) => user.globalSignOut({ onSuccess: resolve, onFailure: reject }));
  out.signedOut = true;
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((e) => {
  process.stderr.write(`${e.code || "Error"}: ${e.message}\n`);
  process.exit(1);
});
