// Bulk user import: the CSV header, a job whose CSV is PUT to its
// pre-signed URL on ccql serve, started (the users appear, a bad row is
// counted as failed), described, listed and stopped.
"use strict";

async function run(ctx) {
  const { cip, assert, send, refused, attrs } = ctx;
  const { Id: poolId } = await ctx.pool("sdkjs-import", {
    Schema: [{ Name: "plan", AttributeDataType: "String", Mutable: true }],
  });
  const { CSVHeader: header, UserPoolId } = await send(new cip.GetCSVHeaderCommand({ UserPoolId: poolId }));
  assert.equal(UserPoolId, poolId);
  for (const h of ["cognito:username", "email", "email_verified", "custom:plan", "cognito:mfa_enabled"]) {
    assert.ok(header.includes(h), `${h} in ${header}`);
  }
  const role = "arn:aws:iam::000000000000:role/CognitoImport";
  const { UserImportJob: job } = await send(
    new cip.CreateUserImportJobCommand({ UserPoolId: poolId, JobName: "first", CloudWatchLogsRoleArn: role }),
  );
  assert.equal(job.Status, "Created");
  assert.match(job.PreSignedUrl, new RegExp(`^${ctx.cfg.endpoint}/`));

  // One row per user; the second has no verified address.
  const row = (values) => header.map((h) => values[h] ?? "").join(",");
  const csv = [
    header.join(","),
    row({ "cognito:username": "ivy", email: "ivy@example.com", email_verified: "true", "custom:plan": "pro", "cognito:mfa_enabled": "false" }),
    row({ "cognito:username": "jack", email: "jack@example.com", email_verified: "false", "cognito:mfa_enabled": "false" }),
  ].join("\n") + "\n";
  const put = await fetch(job.PreSignedUrl, {
    method: "PUT",
    headers: { "Content-Type": "text/csv", "x-amz-server-side-encryption": "aws:kms" },
    body: csv,
  });
  assert.equal(put.status, 200, await put.clone().text());

  const { UserImportJob: started } = await send(new cip.StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId }));
  assert.equal(started.JobId, job.JobId);
  const { UserImportJob: done } = await send(new cip.DescribeUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId }));
  assert.equal(done.Status, "Succeeded");
  assert.equal(done.ImportedUsers, 1);
  assert.equal(done.FailedUsers, 1);
  const ivy = await send(new cip.AdminGetUserCommand({ UserPoolId: poolId, Username: "ivy" }));
  assert.equal(ivy.UserStatus, "RESET_REQUIRED");
  assert.equal(attrs(ivy.UserAttributes)["custom:plan"], "pro");
  await refused("import.failedRow", new cip.AdminGetUserCommand({ UserPoolId: poolId, Username: "jack" }), [
    "UserNotFoundException",
    "User does not exist.",
  ]);
  const listed = await send(new cip.ListUserImportJobsCommand({ UserPoolId: poolId, MaxResults: 10 }));
  assert.deepEqual(listed.UserImportJobs.map((j) => [j.JobId, j.Status]), [[job.JobId, "Succeeded"]]);
  await refused("import.startTwice", new cip.StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId }), [
    "PreconditionNotMetException",
  ]);
  // A job finishes within StartUserImportJob here, so no job is ever
  // Pending or InProgress for StopUserImportJob to stop: its refusal of a
  // finished job is all of it that can be reached.
  await refused(
    "import.stopFinished",
    new cip.StopUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId }),
    ["PreconditionNotMetException", `Import job ${job.JobId} is Succeeded; only a Pending or InProgress job can be stopped.`],
    { exercises: true },
  );
}

module.exports = { run };
