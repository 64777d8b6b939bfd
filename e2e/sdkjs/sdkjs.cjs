// Drives every Cognito IdP operation that ccql serve serves with the AWS
// SDK for JavaScript v3, unchanged: the SDK signs the admin operations
// (SigV4) and sends the anonymous ones (SignUp, InitiateAuth, GetUser, …)
// unsigned, as it does against AWS.
//
// Each group of operations is one file in groups/ exporting run(ctx)
// (lib.cjs makes ctx); the groups run concurrently, each in pools of its
// own. Configuration comes as one JSON argument {endpoint, accessKeyId,
// secretAccessKey, checksSignatures, groups?}. Every response's effect is
// asserted in the groups; stdout gets one JSON object: the operations that
// succeeded (overall and per group), whether each operation's requests were
// signed, and the refusals ({name, message}) by label for the Go test.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { newRecorder, newClient, context } = require("./lib.cjs");

async function main() {
  const cfg = JSON.parse(process.argv[2]);
  const rec = newRecorder();
  const client = newClient(cfg, rec);
  const dir = path.join(__dirname, "groups");
  const names = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".cjs"))
    .map((f) => f.replace(/\.cjs$/, ""))
    .filter((n) => !cfg.groups || cfg.groups.includes(n))
    .sort();
  await Promise.all(
    names.map(async (name) => {
      try {
        await require(path.join(dir, name + ".cjs")).run(context(cfg, rec, client, name));
      } catch (e) {
        e.message = `group ${name}: ${e.message}`;
        throw e;
      }
    }),
  );
  const sorted = (set) => [...set].sort();
  const out = {
    operations: sorted(rec.operations),
    groups: Object.fromEntries(Object.entries(rec.groups).map(([k, v]) => [k, sorted(v)])),
    signed: rec.signed,
    refusals: rec.refusals,
    clients: rec.clients,
  };
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((e) => {
  process.stderr.write(`${e.name || "Error"}: ${e.message}\n${e.stack || ""}\n`);
  process.exit(1);
});
