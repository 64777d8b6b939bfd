// Signs in to a threat-protected pool on ccql serve with
// amazon-cognito-identity-js (USER_SRP_AUTH, its default flow): once with a
// wrong password, once with the right one. The Go test then reads the
// SignIn events the two attempts left through AdminListUserAuthEvents.
// Configuration comes as one JSON argument; results go to stdout as JSON.
"use strict";
const { AuthenticationDetails, CognitoUser, CognitoUserPool } = require("amazon-cognito-identity-js");

const cfg = JSON.parse(process.argv[2]);
const pool = new CognitoUserPool({ UserPoolId: cfg.poolId, ClientId: cfg.clientId, endpoint: cfg.endpoint });

function signIn(password) {
  const user = new CognitoUser({ Username: cfg.username, Pool: pool });
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

async function main() {
  const out = {};
  try {
    await signIn(cfg.password + "-wrong");
    out.wrongPassword = "accepted";
  } catch (e) {
    out.wrongPassword = `${e.code}: ${e.message}`;
  }
  const session = await signIn(cfg.password);
  out.username = session.getIdToken().payload["cognito:username"];
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((e) => {
  process.stderr.write(`${e.code || "Error"}: ${e.message}\n`);
  process.exit(1);
});
