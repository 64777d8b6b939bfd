// Package emulator is an offline, faithful emulator of AWS Cloud Control
// (all eight operations) and of Amazon Cognito user pools, usable in
// process by Go tests and over HTTP by any AWS client.
//
//	s, err := emulator.NewServer(emulator.Options{})      // in memory, no listener
//	defer s.Close()
//	cfg, _ := config.LoadDefaultConfig(ctx, config.WithHTTPClient(s.HTTPClient()))
//	client := cloudcontrol.NewFromConfig(cfg, func(o *cloudcontrol.Options) {
//		o.BaseEndpoint = aws.String(s.URL())
//	})
//
// or, without the SDK's wire round trip, s.CloudControl(account), whose
// methods have the SDK client's signatures and return the SDK's error
// types.
//
// # Protocols
//
// One endpoint serves Cloud Control (X-Amz-Target CloudApiService.*, AWS
// JSON 1.0) and the Cognito Identity Provider API
// (AWSCognitoIdentityProviderService.*, JSON 1.1); the path and query
// string are ignored. Requests without X-Amz-Target go to Cognito's
// plain-HTTP endpoints: the domain's POST /oauth2/token (by Host
// <prefix>.auth.<region>.amazoncognito.com, or /<poolId>/oauth2/token) and
// the issuer's /<poolId>/.well-known/openid-configuration and jwks.json
// (docs/oauth.md; Options.OAuth), and the Cognito outbox, GET
// /_ccql/cognito/messages?userPoolId=…&username=… (MessagesPath,
// Server.CognitoMessages; docs/signin.md). The account is the access key id when it is 12
// digits, else 000000000000; the region is the SigV4 scope's (us-east-1
// when unsigned). With Options.Credentials, signatures are verified.
// Timestamps are epoch seconds with milliseconds; Properties and
// ResourceModel are JSON strings. HTTP statuses are the model's, except
// ResourceNotFoundException, sent with 400 as real AWS does.
//
// # Requests
//
// Mutations are asynchronous, as in AWS: CreateResource, UpdateResource
// and DeleteResource validate synchronously, commit the request to the
// ledger and answer IN_PROGRESS with a RequestToken (UUIDv4) and the
// Identifier (a create's generated ids come from the handler's Prepare).
// A worker then runs the handler and records SUCCESS or FAILED in the same
// transaction, after Options.Latency. Handler failures (Cognito's rules)
// are FAILED events with the HandlerErrorCode and Cognito's message.
// Completed events carry no ResourceModel; an update's IN_PROGRESS event
// carries the patched model without read-only properties.
//
// CancelResourceRequest moves an unfinished request to CANCEL_IN_PROGRESS
// and then CANCEL_COMPLETE, without applying it; cancelling a finished one
// is ConcurrentModificationException. A ClientToken makes a mutation
// idempotent for 36 hours (same request: the original event with its
// current status; different request: ClientTokenConflictException). A
// mutation of a resource with a request in flight is
// ConcurrentOperationException. Requests are kept for seven days.
// ListResourceRequests lists newest first, 20 per page by default;
// ListResources pages by identifier, DefaultListPageSize per page.
//
// # Validation
//
// DesiredState and patched models are validated against the embedded
// CloudFormation schema and refused with CloudFormation's grammar:
// "Model validation failed (#/AuthSessionValidity: failed validation
// constraint for keyword [minimum])", several violations joined by
// newlines. A DesiredState that sets a read-only property (ClientId, Arn,
// …) is refused as "Model validation failed (#: readOnlyProperties
// [/properties/ClientId] cannot be set)": AWS's behaviour here is not
// documented, and refusing is safer than silently dropping a value the
// caller expects to be used. Patches (RFC 6902, all six operations, paths
// with or without a leading "/") may not touch read-only paths
// (ValidationException) nor change create-only ones (NotUpdatableException;
// naming one with its current value is allowed); a failing operation or
// test changes nothing. Write-only properties are never returned.
//
// # Durability
//
// State lives in one SQLite file (Options.DataDir/ccql.db, WAL,
// synchronous=FULL): every acknowledged request is committed and fsynced
// before the reply. Requests a process left unfinished (a crash, kill -9)
// are finished by the next process that opens the file; Close finishes
// its own first. Several processes may share the file.
//
// Reads are cached: GetResource's encoded properties and the Cognito
// Describe answers are kept under the store's epoch, which every commit
// bumps (this process's directly, another process's through SQLite's
// PRAGMA data_version, checked on each read), so an answer is served again
// only while nothing has been committed since it was read. Handlers' Read
// must therefore depend on the stored state alone.
package emulator
