package cognito

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/ccql/ccql/internal/handler"
)

// Serving a pool from a replica region.
//
// A request reaches a region through its endpoint: the Host
// cognito-idp.<region>.amazonaws.com (a caller that routes AWS's names to
// the emulator, as for AWS's issuers), else the region of its SigV4
// credential scope (or, for the hosted UI's operations, the region of the
// page, withPageRegion). An unsigned call by a local address names no
// region and is served as before, by the pool's primary region. A call
// that names only an app client is its pool's, the client being found in
// the primary's partition when the region reached has none of its own
// (locateClientPool). When the region reached is not the primary region
// of the pool the call names, the call is served by the pool's partition
// as the replica of that region:
//
//   - no replica there: the pool (or client) does not exist in that region;
//   - an operation AWS serves only in the primary region (anything that
//     creates or changes users or configuration, except the replica's own
//     status): OperationNotEnabledException;
//   - an INACTIVE replica refuses end-user operations (sign-in and the
//     operations with an access token);
//   - otherwise the operation runs over the pool's state, seen with the
//     replica's regional configuration (regionalTx), and tokens it
//     issues say iss = https://cognito-idp.<region>.amazonaws.com/<poolId>
//     and are signed with the replica's keys, which that issuer's
//     /.well-known/jwks.json publishes (serveReplicaWellKnown).
//
// Access tokens of any region of the pool are accepted in every region
// (the replica's keys verify its tokens); once the replica is deleted its
// keys are gone and its tokens fail.

// replicaCtxKey carries the replica region a call is served as.
type replicaCtxKey struct{}

func withReplica(ctx context.Context, region string) context.Context {
	return context.WithValue(ctx, replicaCtxKey{}, region)
}

func replicaOf(ctx context.Context) string {
	r, _ := ctx.Value(replicaCtxKey{}).(string)
	return r
}

// awsAPIHost matches the IdP API's (and the issuer's) AWS host name.
var awsAPIHost = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^cognito-idp(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$`)
})

// hostRegion is the region of an AWS API host name, "" for another host.
func hostRegion(host string) string {
	if m := awsAPIHost().FindStringSubmatch(host); m != nil {
		return m[1]
	}
	return ""
}

// servedRegion is the region whose endpoint r reached, "" when r names
// none (an unsigned call by a local address).
func servedRegion(r *http.Request) string {
	if r == nil {
		return ""
	}
	if reg := hostRegion(requestHost(r)); reg != "" {
		return reg
	}
	return credentialRegion(r.Header.Get("Authorization"))
}

// credentialRegion reads the region of a SigV4 Authorization header's
// credential scope (Credential=AKID/date/region/service/aws4_request).
func credentialRegion(h string) string {
	_, rest, ok := strings.Cut(h, "Credential=")
	if !ok {
		return ""
	}
	cred, _, _ := strings.Cut(rest, ",")
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) != 5 {
		return ""
	}
	return parts[2]
}

// regionTx is a Tx that reaches the same account's other regions (the
// emulator store's Tx has it). A replica region's call is served by the
// pool's partition through it.
type regionTx interface {
	InRegion(region string) handler.Tx
}

// secondaryOK reports whether a replica region serves the operation: reads
// of configuration and users, sign-in and the token operations, and the
// replica's own status. AWS: "only administrator operations that set
// configurations specific to the replica, and only end-user operations
// that do not create or change attributes of a user are supported."
func secondaryOK(name string) bool {
	switch name {
	case "InitiateAuth", "RespondToAuthChallenge", "AdminInitiateAuth", "AdminRespondToAuthChallenge",
		"GetTokensFromRefreshToken", "RevokeToken", "GlobalSignOut", "AdminUserGlobalSignOut",
		"AdminGetUser", "UpdateUserPoolReplica", "TagResource", "UntagResource":
		return true
	case "GetUserAttributeVerificationCode": // sends a code: a write
		return false
	}
	for _, p := range []string{"Describe", "List", "Get", "AdminList", "AdminGet"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// endUserOperation reports whether an INACTIVE replica refuses the
// operation: the end-user operations and the admin sign-in.
func endUserOperation(name string) bool {
	if name == "AdminInitiateAuth" || name == "AdminRespondToAuthChallenge" {
		return true
	}
	for _, n := range AnonymousOperations() {
		if n == name {
			return true
		}
	}
	return false
}

// operationNotEnabledIn is the refusal of an operation a replica region
// does not serve. Not a message Cognito is known to use; the exception is
// the one AWS documents for "an operation not available in the current
// region or for the current user pool configuration".
func operationNotEnabledIn(name, region string) *APIError {
	return apiErrorf(typeOperationNotEnabled, "%s is not available in %s, a secondary region of the user pool: call the primary region.", name, region)
}

// gateReplicas wraps every operation with replicaGate.
func gateReplicas(ops map[string]Operation) {
	for name, op := range ops {
		ops[name] = replicaGate(name, op)
	}
}

// callTarget reads the pool a request body names (UserPoolId, the ARN of
// the tag operations, the iss of its access token, its session) or else
// its app client.
func callTarget(body []byte) (poolID, clientID string) {
	if bytes.Contains(body, []byte(`"ResourceArn"`)) {
		var in struct {
			ResourceArn string //nolint:revive // the wire name
		}
		if peekBody(body, &in) == nil {
			if _, id, ok := strings.Cut(in.ResourceArn, ":userpool/"); ok && patUserPoolID.matches(id) {
				return id, ""
			}
		}
	}
	if bytes.Contains(body, []byte(`"UserPoolId"`)) {
		var in struct {
			UserPoolId string //nolint:revive // the wire name
		}
		if peekBody(body, &in) == nil && in.UserPoolId != "" {
			return in.UserPoolId, ""
		}
	}
	t := TargetOf(body)
	return t.PoolID, t.ClientID
}

// replicaGate serves op in the region the request reached (see the file
// comment). A call that reached the pool's primary region, or names no
// region, runs op unchanged.
func replicaGate(name string, op Operation) Operation {
	return func(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
		info, _ := ctx.Value(requestKey{}).(requestInfo)
		served := servedRegion(info.r)
		if forced := pageRegionOf(ctx); forced != "" {
			served = forced // an operation of a replica region's hosted UI
		}
		if served == "" {
			return op(ctx, env, tx, body)
		}
		poolID, clientID := callTarget(body)
		if poolID == "" && clientID != "" && info.rt != nil {
			// Located by its client: the client's pool, looked up in the
			// primary's partition when the region reached has no such
			// client of its own (replica_regional.go).
			p, err := locateClientPool(info, env, tx, served, clientID)
			if err != nil {
				return op(ctx, env, tx, body) // the operation's own error
			}
			poolID = p
		}
		if poolID == "" || (served == env.Region && poolHome(poolID) == env.Region) {
			return op(ctx, env, tx, body)
		}
		// The pool's partition: its id's region. A pool stored elsewhere
		// (an id given by hand) is served where the call landed.
		home, homeTx, homeEnv := poolHome(poolID), tx, env
		if home != env.Region {
			rt, ok := tx.(regionTx)
			if !ok {
				return op(ctx, env, tx, body)
			}
			homeTx, homeEnv.Region = rt.InRegion(home), home
		}
		if _, err := loadPool(homeTx, poolID); err != nil {
			return op(ctx, env, tx, body) // the operation's own not-found
		}
		if served == home {
			return op(ctx, homeEnv, homeTx, body)
		}
		tx, env = homeTx, homeEnv
		rep, err := loadReplica(tx, poolID, served)
		if err != nil {
			return nil, err
		}
		if rep == nil {
			if clientID != "" {
				return nil, clientNotFound(clientID)
			}
			return nil, poolNotFound(poolID)
		}
		if !secondaryOK(name) {
			return nil, operationNotEnabledIn(name, served)
		}
		if rep.Status != replicaActive && endUserOperation(name) {
			return nil, replicaNotActive(poolID, served, rep.Status)
		}
		switch name {
		case "TagResource", "UntagResource", "ListTagsForResource":
			return replicaTags(name, env, tx, poolID, rep, body)
		}
		// The operation sees the pool with the replica's own regional
		// configuration (replica_regional.go).
		return op(withReplica(ctx, served), env, newRegionalTx(tx, poolID, served, rep), body)
	}
}

// replicaNotActive is the refusal of an end-user request by an INACTIVE
// replica. Not a message Cognito is known to use; the exception is the one
// AWS documents for an operation not enabled for the user pool.
func replicaNotActive(poolID, region, status string) *APIError {
	return apiErrorf(typeOperationNotEnabled, "The replica of user pool %s in %s is %s and does not accept end-user requests.", poolID, region, status)
}

// replicaTags serves the tag operations on a replica's ARN in its region:
// a replica's tags are its own ("You can maintain tags independently on
// replica user pools"), the same as its regional configuration
// attachment's UserPoolTags.
func replicaTags(name string, env handler.Env, tx handler.Tx, poolID string, rep *replica, body []byte) (any, error) {
	var in struct {
		ResourceArn *string           `json:"ResourceArn"`
		Tags        map[string]string `json:"Tags"`
		TagKeys     []string          `json:"TagKeys"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	checkResourceARN(&v, in.ResourceArn)
	switch name {
	case "TagResource":
		checkTagMap(&v, in.Tags, true)
	case "UntagResource":
		if in.TagKeys == nil {
			v.add("null", "tagKeys", "Member must not be null")
		}
		member, constraints := stringMember(1, 128, &patTag)
		v.checkList("tagKeys", in.TagKeys, 0, member, constraints)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if *in.ResourceArn != rep.UserPoolArn {
		// As poolOfARN answers an ARN of another region or account.
		return nil, resourceNotFound("Resource %s does not exist.", *in.ResourceArn)
	}
	tags := map[string]string{}
	for k, val := range rep.Tags {
		tags[k] = val
	}
	switch name {
	case "ListTagsForResource":
		return map[string]any{"Tags": tags}, nil
	case "TagResource":
		for k, val := range in.Tags {
			tags[k] = val
		}
		if len(tags) > maxPoolTags {
			// Not a message Cognito is known to use for the 50-tag quota.
			return nil, invalidParameter("A user pool can have at most %d tags.", maxPoolTags)
		}
	case "UntagResource":
		for _, k := range in.TagKeys {
			delete(tags, k)
		}
	}
	rep.Tags = tags
	rep.LastModifiedDate = epochSeconds(env.Now)
	if err := saveReplica(tx, poolID, rep); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// replicaIssuer is the issuer of a replica region's tokens.
func replicaIssuer(region, poolID string) string {
	return "https://cognito-idp." + region + ".amazonaws.com/" + poolID
}

// replicaKeys returns the signing keys of poolID's replica in region
// (tx is the pool's partition); nil when there is no replica.
func replicaKeys(cache *keyCache, account string, tx handler.Tx, poolID, region string) (*poolKeys, error) {
	var stored storedKeys
	found, err := getJSON(tx, typeSigningKey, replicaKeysID(poolID, region), &stored)
	if err != nil || !found || len(stored.Keys) == 0 {
		return nil, err
	}
	return cachedKeys(cache, account, poolID, region, &stored)
}

// cachedKeys parses a replica's stored keys, once per key pair.
func cachedKeys(cache *keyCache, account, poolID, region string, stored *storedKeys) (*poolKeys, error) {
	// The kid names the key pair: a replica deleted and created again has
	// new keys and so a new cache entry.
	key := "replica/" + account + "/" + region + "/" + poolID + "/" + stored.Keys[0].KeyID
	if k := cache.get(key); k != nil {
		return k, nil
	}
	k, err := stored.parse()
	if err != nil {
		return nil, err
	}
	cache.put(key, k)
	return k, nil
}

// servedKeys returns the keys a call served as a replica signs with,
// making and storing them on first use (the operations that sign run in a
// write transaction).
func (ri requestInfo) servedKeys(env handler.Env, tx handler.Tx, poolID string) (*poolKeys, error) {
	k, err := replicaKeys(&ri.rt.keys, env.Account, tx, poolID, ri.replica)
	if err != nil || k != nil {
		return k, err
	}
	if r, err := loadReplica(tx, poolID, ri.replica); err != nil {
		return nil, err
	} else if r == nil {
		return nil, replicaNotFound(poolID, ri.replica)
	}
	stored, err := newStoredKeys(env.Now)
	if err != nil {
		return nil, err
	}
	if err := putJSON(tx, typeSigningKey, replicaKeysID(poolID, ri.replica), stored); err != nil {
		return nil, err
	}
	// Not cached: the keys vanish if this transaction rolls back.
	return stored.parse()
}

// tokenKeys returns the keys that verify an access token of poolID: those
// of the region its iss names (a replica's, when it names one), else the
// primary's.
func (ri requestInfo) tokenKeys(env handler.Env, tx handler.Tx, poolID, token string) (*poolKeys, error) {
	if region := issuerRegion(token); region != "" && region != poolHome(poolID) {
		k, err := replicaKeys(&ri.rt.keys, env.Account, tx, poolID, region)
		if err == nil && k == nil {
			return nil, errInvalidAccess
		}
		return k, err
	}
	ri.replica = ""
	return ri.poolKeys(env, tx, poolID)
}

// issuerRegion is the region of a token's AWS issuer, "" when its iss is
// not an AWS issuer (a local or configured one, always the primary's).
func issuerRegion(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(payload, &c) != nil {
		return ""
	}
	u, err := url.Parse(c.Iss)
	if err != nil {
		return ""
	}
	return hostRegion(u.Hostname())
}
