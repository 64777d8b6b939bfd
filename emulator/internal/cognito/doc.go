// Package cognito is the emulator's Amazon Cognito user pools: the Cloud
// Control handlers of AWS::Cognito::UserPool, UserPoolClient,
// UserPoolResourceServer, UserPoolIdentityProvider, UserPoolGroup and
// UserPoolDomain, and the Cognito Identity Provider API operations (JSON 1.1)
// over the same stored state, so a resource created through one API is
// visible through the other.
//
// App clients are checked against their pool's satellites: a custom OAuth
// scope "<identifier>/<name>" must be a scope of a resource server of the
// pool, a supported identity provider must exist (COGNITO always does), and
// deleting a pool deletes its clients, resource servers, identity providers,
// groups and domains.
//
// # Layout
//
// Each Cognito rule has one implementation, in the service layer
// (client_service.go, pool_service.go, client_rules.go, validation.go), which
// speaks Cognito: failures are *APIError with Cognito's exception name and
// exact message. Two thin front doors translate:
//
//   - handlers.go, the Cloud Control handlers: an *APIError becomes a
//     *handler.Error with the HandlerErrorCode of reference C6
//     (InvalidParameter, InvalidOAuthFlow, ScopeDoesNotExist → InvalidRequest;
//     ResourceNotFound → NotFound; LimitExceeded → ServiceLimitExceeded; …)
//     and the message suffixed as the CloudFormation handlers do:
//     "(Service: CognitoIdentityProvider, Status Code: 400, Request ID: <uuid>)".
//     The request id is drawn from Env.Rand, so fixing Rand fixes the message.
//   - api*.go, the IdP operations: request bodies are decoded, validated with
//     the service front end's "N validation error(s) detected: …" messages,
//     and answered with the SDK's shapes (dates as epoch seconds).
//
// # OAuth 2.0 and OpenID Connect
//
// OAuth (oauth.go, token.go, discovery.go, keys.go, jwt.go) is the
// http.Handler of what Cognito serves over plain HTTP: the domain's
// /oauth2/token (client_credentials; RS256 access tokens with exactly the
// claims of reference C2) and the issuer's /.well-known/openid-configuration
// and jwks.json. The hosted UI (hostedui*.go, pages in hostedui/) adds the
// domain's /oauth2/authorize, /login and the other pages, the user grants,
// /oauth2/userInfo, /oauth2/revoke, /logout and federation with another
// pool; it signs users in with the users' checks and issues tokens with the
// sign-in's issuer (issueTokens). It reads the same stored models through OAuthStore, a
// transaction that may look into several partitions, since OAuth requests
// are unsigned and name no account. Each pool's two RSA-2048 key pairs are
// made on first use and stored under the private type
// "ccql::Cognito::SigningKey"; they go with the pool. docs/oauth.md has the
// routes, the choice of issuer and the error table.
//
// # Users
//
// Users (user.go, password.go, user_attributes.go, outbox.go, api_user.go,
// user_handlers.go) are stored under the private type "ccql::Cognito::User"
// with a sign-in index ("ccql::Cognito::UserIndex") for aliases, e-mail or
// phone user names and subs; only the SRP salt and verifier of a password
// are kept (package emulator/internal/srp). The IdP user operations and the
// Cloud Control types AWS::Cognito::UserPoolUser and
// UserPoolUserToGroupAttachment share one implementation. Every message
// Cognito would send is recorded in the pool's outbox
// ("ccql::Cognito::Message"), read with ListMessages. user.go documents the
// functions the sign-in flows build on; docs/signin.md the behaviour.
//
// # Sign-in
//
// The sign-in flows (signin_flows.go), the operations a user calls with an
// access token (signin_ops.go, signin_attrs.go), tokens and their
// families (signin_tokens.go) and auth sessions (signin_session.go) run
// over the user model of user.go. The SRP server is
// emulator/internal/srp, TOTP emulator/internal/totp. Runtime carries what
// outlives a request (parsed signing keys, the issuer setting, the client
// index) and reaches the operations through the context (WithRequest).
// State is private: "ccql::Cognito::AuthSession" (keyed by the SHA-256 of
// the session string), "ccql::Cognito::TokenFamily" (one per sign-in,
// keyed by event_id, with the refresh token's hash) and
// "ccql::Cognito::SignOut" (a user's global sign-out generation).
// docs/signin.md has the flows and messages.
//
// # Devices
//
// Remembered devices (devices.go) are stored under "ccql::Cognito::Device"
// keyed "<UserPoolId>|<sub>|<DeviceKey>" with the SRP salt and verifier of
// the device secret; they go with their user and pool. The sign-in flows
// hand out NewDeviceMetadata and run device SRP through the hooks there.
//
// # Stored state
//
// Pools are stored under their UserPoolId as the CloudFormation model,
// clients under "<UserPoolId>|<ClientId>" as exactly what GetResource
// returns. Creation and modification dates, which only the IdP API shows,
// are kept apart under the private type "ccql::Cognito::Timestamps".
//
// # Settings only the IdP API knows
//
// Tags are the pool's UserPoolTags (api_tags.go). Everything else of issue
// 17's settings group — log delivery, UI customization, risk
// configuration, the SAML signing certificate, rotated client secrets,
// user import jobs and their CSVs, terms, managed login branding, provider
// links — is stored under the private type "ccql::Cognito::PoolSettings"
// keyed "<UserPoolId>|<kind>|…", so it goes with its pool; a client's own
// records go with the client (forgetClientSettings). The Cloud Control
// types UserPoolRiskConfigurationAttachment, UserPoolUICustomizationAttachment,
// ManagedLoginBranding, LogDeliveryConfiguration and Terms are served by
// hand-written handlers over these same records (settings_handlers.go).
//
// Every handler lists a page at a time (handler.Pager, pager.go): a
// key-set cursor read from the store's index; the IdP API's List*
// operations read their pages the same way (keyPage, idp_paging.go), with
// NextTokens bound to the list's scope. Operations register
// through moreOperations (api_more.go); TestOperations_CoverSDKModel lists
// the SDK operations not served yet.
//
// # Replicas
//
// User-pool replicas (replicas.go) are records of their pool, in its
// partition; replica_route.go serves a call that reached a replica region
// (by its AWS host name or SigV4 region) over the pool's state, with the
// replica's issuer and keys, reaching the pool's partition through the
// store Tx's InRegion; replica_handlers.go has the Cloud Control handlers
// of AWS::Cognito::UserPoolReplica and
// UserPoolRegionalConfigurationAttachment. docs/replicas.md has the rules.
//
// # Decisions on open questions (reference section E)
//
//   - E1, the client read model: DescribeUserPoolClient in CloudFormation
//     names, plus Name (= ClientName), ClientSecret only when the client has
//     one, GenerateSecret echoed as the create request gave it (it is
//     create-only, so it never drifts), absent values omitted, never null.
//   - E2, a client created through Cloud Control without ClientName is named
//     "UserPoolClient-" + 12 characters [0-9A-Z]; a pool without
//     UserPoolName "UserPool-" + 12 characters [0-9A-Z].
//   - E5, TokenValidityUnits: {} when no unit was given; once one is given,
//     the others are filled with hours, hours, days.
//   - Update is a full replace (omitted settings return to their defaults:
//     RefreshTokenValidity 30, AuthSessionValidity 3, EnableTokenRevocation
//     true, booleans false, lists empty); the id, the secret and
//     GenerateSecret are kept, and the name when none is given.
//   - A group created through Cloud Control without GroupName (part of its
//     identifier) is named "UserPoolGroup-" + 12 characters [0-9A-Z] in Prepare.
//   - Satellite updates: resource servers and groups are replaced whole
//     through Cloud Control (UpdateGroup through the IdP API keeps omitted
//     members); identity providers keep Apple's private key, which no read
//     returns; domains keep what an update omits.
//   - Prefix domains are unique within one account and region (AWS: across
//     all accounts of the region, which one emulator partition cannot see).
//   - Messages Cognito is not known to use are marked in the code where they
//     are raised (relative URLs, quotas, satellite not-found and duplicate
//     messages).
package cognito
