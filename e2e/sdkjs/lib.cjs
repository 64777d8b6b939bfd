// The shared side of the groups: one SDK client that signs (the SDK
// itself leaves the anonymous operations unsigned), the record of what was
// sent, and the helpers every group uses. A group is a file in groups/
// exporting run(ctx); ctx is made here by context(group).
"use strict";
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const cip = require("@aws-sdk/client-cognito-identity-provider");

const region = "us-east-1";

// newRecorder returns the run's record: the operations that succeeded
// (overall and per group), whether each request went out signed, and the
// refusals ({name, message}) by label.
function newRecorder() {
  return { operations: new Set(), groups: {}, signed: {}, refusals: {} };
}

// newClient makes the SDK client; record (optional) sees, per operation,
// whether the request on the wire carried a SigV4 Authorization header
// (the deserialize step sees the finished request).
function newClient(cfg, rec, secretAccessKey = cfg.secretAccessKey, clientRegion = region) {
  const client = new cip.CognitoIdentityProviderClient({
    region: clientRegion,
    endpoint: cfg.endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey },
  });
  if (rec) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const signed = Boolean(args.request.headers.authorization || args.request.headers.Authorization);
        const op = context.commandName.replace(/Command$/, "");
        if (op in rec.signed && rec.signed[op] !== signed) throw new Error(`${op} was sent both signed and unsigned`);
        rec.signed[op] = signed;
        return next(args);
      },
      { step: "deserialize", name: "ccqlRecordSignature" },
    );
  }
  return client;
}

const opName = (command) => command.constructor.name.replace(/Command$/, "");
const attrs = (list) => Object.fromEntries((list || []).map((a) => [a.Name, a.Value]));
const secretHash = (secret, username, clientId) =>
  crypto.createHmac("sha256", secret).update(username + clientId).digest("base64");
const claims = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());

// base32Decode and totp are an authenticator app's side of RFC 4648 and
// RFC 6238 (HMAC-SHA1, 6 digits, 30-second steps), written apart from the
// emulator's code.
function base32Decode(s) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const bytes = [];
  for (const ch of s.replace(/=+$/, "").toUpperCase()) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`base32: bad character ${ch}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

function totp(key, now = Date.now()) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const sum = crypto.createHmac("sha1", key).update(msg).digest();
  const off = sum[19] & 0x0f;
  return String((sum.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, "0");
}

function assertTokens(result, withRefresh) {
  assert.equal(result.TokenType, "Bearer");
  assert.equal(result.ExpiresIn, 3600);
  for (const t of [result.AccessToken, result.IdToken]) assert.match(t, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  if (withRefresh) assert.equal(result.RefreshToken.split(".").length, 5);
  else assert.equal(result.RefreshToken, undefined);
}

// context returns what group name's run gets.
function context(cfg, rec, client, name) {
  const ops = new Set();
  rec.groups[name] = ops;
  const ctx = {
    cip,
    assert,
    cfg,
    region,
    client,
    rec,
    // newClient makes another client, e.g. with a wrong secret key.
    newClient: (secretAccessKey) => newClient(cfg, undefined, secretAccessKey),
    attrs,
    secretHash,
    claims,
    totp,
    base32Decode,
    assertTokens,
    // regionClient makes a client of another region (its SigV4 scope names
    // the region, which is how a call reaches a replica), recorded as the
    // run's own client is.
    regionClient: (clientRegion) => newClient(cfg, rec, cfg.secretAccessKey, clientRegion),
    // send runs one command (through via, else the run's client) and
    // records its operation as exercised.
    async send(command, via = client) {
      const res = await via.send(command);
      rec.operations.add(opName(command));
      ops.add(opName(command));
      return res;
    },
    // refused runs a command that must fail, records the error's name and
    // message under label and, when want ([name, message]) is given,
    // asserts them. A message given as a RegExp is matched. With
    // opts.exercises, the refusal counts as the operation's exercise: only
    // for an operation whose refusal is all the emulator can reach (say so
    // beside the call). opts.via is the client to send it through.
    async refused(label, command, want, opts = {}) {
      let err;
      try {
        await (opts.via || client).send(command);
      } catch (e) {
        err = e;
      }
      if (!err) throw new Error(`${label}: ${opName(command)} was accepted`);
      if (label in rec.refusals) throw new Error(`refusal label ${label} used twice`);
      rec.refusals[label] = { name: err.name, message: err.message };
      if (want) {
        assert.equal(err.name, want[0], `${label}: ${err.name}: ${err.message}`);
        if (want[1] instanceof RegExp) assert.match(err.message, want[1], label);
        else if (want[1] !== undefined) assert.equal(err.message, want[1], label);
      }
      if (opts.exercises) {
        assert.ok(want && want[1] !== undefined, `${label}: a refusal that exercises its operation must assert its message`);
        rec.operations.add(opName(command));
        ops.add(opName(command));
      }
      return err;
    },
    // outboxMessages reads what Cognito would have sent a user.
    async outboxMessages(poolId, username) {
      const url = `${cfg.endpoint}/_ccql/cognito/messages?userPoolId=${encodeURIComponent(poolId)}&username=${encodeURIComponent(username)}`;
      const res = await fetch(url);
      assert.equal(res.status, 200, `outbox ${url}`);
      return (await res.json()).Messages;
    },
    // outboxCode reads the newest code of kind the outbox holds for a user.
    async outboxCode(poolId, username, kind) {
      const msgs = (await ctx.outboxMessages(poolId, username)).filter((m) => m.Kind === kind);
      assert.ok(msgs.length > 0, `no ${kind} message for ${username}`);
      const code = msgs[msgs.length - 1].Code;
      assert.match(code, /^\d{6}$/);
      return code;
    },
    // pool makes a user pool for a group, with input merged in.
    async pool(poolName, input = {}) {
      const { UserPool } = await ctx.send(new cip.CreateUserPoolCommand({ PoolName: poolName, ...input }));
      return UserPool;
    },
    // appClient makes an app client of poolId.
    async appClient(poolId, input = {}) {
      const { UserPoolClient } = await ctx.send(
        new cip.CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: "app", ...input }),
      );
      return UserPoolClient;
    },
    // confirmedUser creates a user with a permanent password.
    async confirmedUser(poolId, username, password, attributes = []) {
      await ctx.send(
        new cip.AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: "SUPPRESS", UserAttributes: attributes }),
      );
      await ctx.send(new cip.AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: password, Permanent: true }));
    },
    // signIn signs a user in with USER_PASSWORD_AUTH and returns the tokens.
    async signIn(clientId, username, password) {
      const res = await ctx.send(
        new cip.InitiateAuthCommand({ ClientId: clientId, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: username, PASSWORD: password } }),
      );
      assert.equal(res.ChallengeName, undefined, `sign-in of ${username} got a challenge`);
      return res.AuthenticationResult;
    },
  };
  return ctx;
}

module.exports = { newRecorder, newClient, context, region };
