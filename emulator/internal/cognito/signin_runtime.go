package cognito

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// Runtime is what the sign-in operations keep across requests: the parsed
// signing keys of each pool (so that a token costs one RSA signature and no
// key parsing) and the issuer configuration. The emulator makes one per
// server and hands it to every IdP request with WithRequest; operations
// called without one (unit tests of other operations) get a fresh Runtime
// and AWS's issuer. It is safe for concurrent use.
type Runtime struct {
	issuerURL string
	keys      keyCache
}

// NewRuntime returns a Runtime whose tokens say iss = issuerURL + "/" +
// poolId, or, with issuerURL empty, the issuer OAuth derives from each
// request (see OAuth.Issuer): both must agree, since a client verifies
// tokens from InitiateAuth against the discovery document.
func NewRuntime(issuerURL string) *Runtime {
	return &Runtime{issuerURL: strings.TrimRight(issuerURL, "/")}
}

type requestKey struct{}

// requestInfo is one IdP request's runtime and HTTP request.
type requestInfo struct {
	rt *Runtime
	r  *http.Request
	// replica is the replica region the call is served as (replica_route.go), "" for the primary.
	replica string
}

// WithRequest returns ctx carrying rt and the HTTP request r (its Host
// decides the issuer when none is configured) for the operations.
func WithRequest(ctx context.Context, rt *Runtime, r *http.Request) context.Context {
	return context.WithValue(ctx, requestKey{}, requestInfo{rt: rt, r: r})
}

// requestOf returns the request info of ctx, with a fresh Runtime when the
// caller gave none.
func requestOf(ctx context.Context) requestInfo {
	ri, ok := ctx.Value(requestKey{}).(requestInfo)
	if !ok || ri.rt == nil {
		ri = requestInfo{rt: NewRuntime("")}
	}
	ri.replica = replicaOf(ctx)
	return ri
}

// issuer is the iss of poolID's tokens for this request.
func (ri requestInfo) issuer(region, poolID string) string {
	if ri.replica != "" {
		return replicaIssuer(ri.replica, poolID)
	}
	return issuerBaseFor(ri.rt.issuerURL, ri.r, region) + "/" + poolID
}

// poolKeys returns the pool's signing keys inside the operation's
// transaction, making and storing them on first use. Making them in the
// write transaction stalls other writers for the time two RSA-2048 keys
// take (about 100 ms), once per pool; the OAuth handler, which has its own
// transactions, makes them outside.
func (ri requestInfo) poolKeys(env handler.Env, tx handler.Tx, poolID string) (*poolKeys, error) {
	if ri.replica != "" {
		return ri.servedKeys(env, tx, poolID)
	}
	cacheKey := poolRef{account: env.Account, region: env.Region, poolID: poolID}.cacheKey()
	if k := ri.rt.keys.get(cacheKey); k != nil {
		return k, nil
	}
	stored, err := loadKeys(tx, poolID)
	if err != nil {
		return nil, err
	}
	fresh := stored == nil
	if fresh {
		if stored, err = newStoredKeys(env.Now); err != nil {
			return nil, err
		}
		if err := putJSON(tx, typeSigningKey, poolID+signingKeySuf, stored); err != nil {
			return nil, err
		}
	}
	k, err := stored.parse()
	if err != nil {
		return nil, fmt.Errorf("signing keys of %s: %w", poolID, err)
	}
	if !fresh {
		// Only committed keys are cached: fresh ones vanish if this
		// transaction rolls back, and the next request stores new ones.
		ri.rt.keys.put(cacheKey, k)
	}
	return k, nil
}

// AnonymousOperations are the IdP operations AWS serves without an AWS
// signature (the SDK's anonymous auth scheme): the emulator accepts them
// unsigned even when it checks SigV4.
func AnonymousOperations() []string {
	return []string{
		"AssociateSoftwareToken", "ChangePassword", "CompleteWebAuthnRegistration", "ConfirmDevice",
		"ConfirmForgotPassword", "ConfirmSignUp", "DeleteUser", "DeleteUserAttributes",
		"DeleteWebAuthnCredential", "ForgetDevice", "ForgotPassword", "GetDevice",
		"GetTokensFromRefreshToken", "GetUser", "GetUserAttributeVerificationCode", "GetUserAuthFactors",
		"GlobalSignOut", "InitiateAuth", "ListDevices", "ListWebAuthnCredentials",
		"ResendConfirmationCode", "RespondToAuthChallenge", "RevokeToken", "SetUserMFAPreference",
		"SetUserSettings", "SignUp", "StartWebAuthnRegistration", "UpdateAuthEventFeedback",
		"UpdateDeviceStatus", "UpdateUserAttributes", "VerifySoftwareToken", "VerifyUserAttribute",
	}
}

// CallTarget is what an unsigned call names of a user pool: its app
// client (ClientId), or the pool the iss of its access token, or its
// Session, names. The emulator uses it to find the account and region
// of a call that, being unsigned, says neither.
type CallTarget struct {
	ClientID string
	PoolID   string
}

// TargetOf reads the target of an IdP request body; the zero value when
// it names neither a client nor a token.
func TargetOf(body []byte) CallTarget {
	var in struct {
		ClientId      string //nolint:revive // the wire name
		AccessToken   string
		Session       string
		UserPoolId    string //nolint:revive // UpdateAuthEventFeedback names only its pool
		FeedbackToken string
	}
	if peekBody(body, &in) != nil {
		return CallTarget{}
	}
	if in.AccessToken != "" {
		if pool, _, ok := tokenPool(in.AccessToken); ok {
			return CallTarget{PoolID: pool}
		}
	}
	if in.ClientId == "" && in.Session != "" {
		if pool := sessionPool(in.Session); pool != "" {
			return CallTarget{PoolID: pool}
		}
	}
	if in.ClientId == "" && in.UserPoolId != "" && in.FeedbackToken != "" {
		return CallTarget{PoolID: in.UserPoolId}
	}
	return CallTarget{ClientID: in.ClientId}
}

// TypeName is the stored type whose partitions may hold t.
func (t CallTarget) TypeName() string {
	if t.PoolID != "" {
		return typeUserPool
	}
	return typeUserPoolClient
}

// Holds reports whether the partition of tx holds t.
func (rt *Runtime) Holds(tx handler.Tx, t CallTarget) (bool, error) {
	switch {
	case t.PoolID != "":
		_, err := loadPool(tx, t.PoolID)
		if isNotFound(err) {
			return false, nil
		}
		return err == nil, err
	case t.ClientID != "":
		_, _, err := requestInfo{rt: rt}.findClient(tx, t.ClientID)
		if isNotFound(err) {
			return false, nil
		}
		return err == nil, err
	}
	return false, nil
}
