package cognito

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/ccql/ccql/internal/handler"
)

// Tokens of signed-in users (reference cognito-signin.md 4.6, 4.7).
//
// # Issuing (for the sign-in flows and the hosted UI)
//
// issueTokens is the one function that makes user tokens. A caller fills a
// tokenGrant:
//
//   - API sign-in (InitiateAuth and friends): Scopes nil, so the access
//     token's scope is "aws.cognito.signin.user.admin"; ID and refresh
//     tokens always.
//   - OAuth flows of the hosted UI: Scopes the granted scopes (the access
//     token's scope claim, in the order given), IDToken only when "openid"
//     was granted, Nonce copied into the ID token, AtHash to add at_hash
//     (the left half of the SHA-256 of the access token, base64url, OIDC
//     Core 3.1.3.6), Version 2 (domain-issued access tokens carry
//     version: 2), and Refresh false for the implicit grant.
//   - A refresh: Family, found with findRefresh; the scopes, ID token and
//     version of the sign-in come from the family, auth_time and
//     origin_jti too. Refresh true only to rotate the refresh token.
//
// Every issue belongs to a token family, stored under typeTokenFamily as
// "<poolId>|<event_id>": the sign-in event that started it. The refresh
// token names its family, and every access and ID token carries its
// event_id, so revoking the family (RevokeToken) revokes them all. A
// user's GlobalSignOut raises the user's sign-out generation
// (typeSignOut); families of an older generation are revoked.
//
// # Refresh tokens
//
// Refresh tokens are opaque and shaped like Cognito's JWE: five base64url
// parts, the first the header {"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}.
// Nothing in them is JSON a client could read: the fourth part carries the
// family id and a random secret, of which the store keeps only a SHA-256.

// Private store types of the sign-in state.
const (
	typeTokenFamily = "ccql::Cognito::TokenFamily"
	typeSignOut     = "ccql::Cognito::SignOut"
)

// adminScope is the scope of access tokens issued through the API.
const adminScope = "aws.cognito.signin.user.admin"

// tokenUser is what tokens say about a user.
type tokenUser struct {
	Sub        string
	Username   string
	Attributes map[string]string // user attributes, "sub" included or not
	Groups     []string          // group names, in precedence order
}

// tokenGrant is one issue of tokens; see the file comment.
type tokenGrant struct {
	PoolID   string
	Region   string
	Issuer   string
	Client   *clientModel
	User     tokenUser
	AuthTime int64 // the original sign-in, kept across refreshes
	Scopes   []string
	IDToken  bool
	Refresh  bool
	Nonce    string
	AtHash   bool
	Version  int // 0 omits the claim
	// Family continues an existing family (a refresh); nil starts one.
	Family *tokenFamily
	// Retry marks a refresh with the rotated-out token inside its grace
	// period: the new token replaces the current one, and the old one keeps
	// its grace period.
	Retry bool
	// DeviceKey is the sign-in's device (devices.go), kept by the family.
	DeviceKey string
}

// issuedTokens are the tokens of one issue.
type issuedTokens struct {
	AccessToken  string
	IDToken      string
	RefreshToken string
	ExpiresIn    int // the access token's lifetime in seconds
}

// tokenFamily is the stored state of one sign-in's tokens.
type tokenFamily struct {
	EventID    string `json:"EventId"`
	ClientID   string `json:"ClientId"`
	Username   string `json:"Username"`
	Sub        string `json:"Sub"`
	AuthTime   int64  `json:"AuthTime"`
	OriginJti  string `json:"OriginJti,omitempty"`
	Generation int    `json:"Generation"`
	Revoked    bool   `json:"Revoked,omitempty"`
	// Hash is the SHA-256 (hex) of the current refresh token's secret;
	// empty when the family has no refresh token (implicit grant).
	Hash    string `json:"Hash,omitempty"`
	Expires int64  `json:"Expires,omitempty"` // refresh token expiry, Unix seconds
	// PrevHash is the token a rotation replaced, valid until PrevUntil.
	PrevHash  string `json:"PrevHash,omitempty"`
	PrevUntil int64  `json:"PrevUntil,omitempty"`
	// Scopes and Version of an OAuth family, reused on refresh.
	Scopes  []string `json:"Scopes,omitempty"`
	IDToken bool     `json:"IdToken,omitempty"`
	Version int      `json:"Version,omitempty"`
	// DeviceKey is the device of the sign-in (access tokens' device_key).
	DeviceKey string `json:"DeviceKey,omitempty"`
}

func familyKey(poolID, eventID string) string { return poolID + "|" + eventID }

func loadFamily(tx handler.Tx, poolID, eventID string) (*tokenFamily, error) {
	var f tokenFamily
	found, err := getJSON(tx, typeTokenFamily, familyKey(poolID, eventID), &f)
	if err != nil || !found {
		return nil, err
	}
	return &f, nil
}

// signOutRecord is a user's sign-out generation.
type signOutRecord struct {
	Generation int `json:"Generation"`
}

func signOutKey(poolID, username string) string { return poolID + "|" + username }

// userGeneration returns the user's current sign-out generation.
func userGeneration(tx handler.Tx, poolID, username string) (int, error) {
	var r signOutRecord
	_, err := getJSON(tx, typeSignOut, signOutKey(poolID, username), &r)
	return r.Generation, err
}

// signOutUser revokes every token family of the user (GlobalSignOut,
// AdminUserGlobalSignOut): families of older generations count as revoked.
func signOutUser(tx handler.Tx, poolID, username string) error {
	g, err := userGeneration(tx, poolID, username)
	if err != nil {
		return err
	}
	return putJSON(tx, typeSignOut, signOutKey(poolID, username), signOutRecord{Generation: g + 1})
}

// familyRevoked reports whether f no longer stands: revoked, or older
// than the user's last global sign-out.
func familyRevoked(tx handler.Tx, poolID string, f *tokenFamily) (bool, error) {
	if f.Revoked {
		return true, nil
	}
	g, err := userGeneration(tx, poolID, f.Username)
	if err != nil {
		return false, err
	}
	return f.Generation < g, nil
}

// lifetimes of a client's tokens, in seconds (defaults 1 h, 1 h, 30 days).
func accessLifetime(c *clientModel) int {
	s, _ := seconds(c.AccessTokenValidity, accessUnit(c), "hours", 0, 0)
	return s
}

func idLifetime(c *clientModel) int {
	var unit *string
	if c.TokenValidityUnits != nil {
		unit = c.TokenValidityUnits.IdToken
	}
	s, _ := seconds(c.IdTokenValidity, unit, "hours", 0, 0)
	return s
}

func refreshLifetime(c *clientModel) int {
	var unit *string
	if c.TokenValidityUnits != nil {
		unit = c.TokenValidityUnits.RefreshToken
	}
	v := c.RefreshTokenValidity
	if v == 0 {
		v = DefaultRefreshTokenValidity
	}
	return v * unitSeconds[deref(unit, "days")]
}

// userAccessClaims are a user access token's claims, in AWS's order.
type userAccessClaims struct {
	Sub       string   `json:"sub"`
	DeviceKey string   `json:"device_key,omitempty"`
	Groups    []string `json:"cognito:groups,omitempty"`
	Iss       string   `json:"iss"`
	Version   int      `json:"version,omitempty"`
	ClientID  string   `json:"client_id"`
	OriginJti string   `json:"origin_jti,omitempty"`
	EventID   string   `json:"event_id"`
	TokenUse  string   `json:"token_use"`
	Scope     string   `json:"scope"`
	AuthTime  int64    `json:"auth_time"`
	Exp       int64    `json:"exp"`
	Iat       int64    `json:"iat"`
	Jti       string   `json:"jti,omitempty"`
	Username  string   `json:"username"`
}

// newUUID draws a UUIDv4 from r.
func newUUID(r io.Reader) (string, error) {
	id, err := uuid.NewRandomFromReader(randSource(r))
	if err != nil {
		return "", fmt.Errorf("token id: %w", err)
	}
	return id.String(), nil
}

// issueTokens signs the tokens of g and stores their family.
func issueTokens(env handler.Env, tx handler.Tx, keys *poolKeys, g tokenGrant) (*issuedTokens, error) {
	now := env.Now.Unix()
	c := g.Client
	fam := g.Family
	if fam != nil {
		// A refresh keeps what the sign-in granted.
		g.Scopes, g.IDToken, g.Version = fam.Scopes, fam.IDToken, fam.Version
	} else {
		eventID, err := newUUID(env.Rand)
		if err != nil {
			return nil, err
		}
		gen, err := userGeneration(tx, g.PoolID, g.User.Username)
		if err != nil {
			return nil, err
		}
		fam = &tokenFamily{
			EventID: eventID, ClientID: c.ClientId, Username: g.User.Username, Sub: g.User.Sub,
			AuthTime: g.AuthTime, Generation: gen,
			Scopes: g.Scopes, IDToken: g.IDToken, Version: g.Version, DeviceKey: g.DeviceKey,
		}
		if c.EnableTokenRevocation {
			if fam.OriginJti, err = newUUID(env.Rand); err != nil {
				return nil, err
			}
		}
	}
	out := &issuedTokens{ExpiresIn: accessLifetime(c)}
	scope := adminScope
	if g.Scopes != nil {
		scope = strings.Join(g.Scopes, " ")
	}
	access := userAccessClaims{
		Sub: g.User.Sub, DeviceKey: fam.DeviceKey, Groups: g.User.Groups, Iss: g.Issuer, Version: g.Version,
		ClientID: c.ClientId, OriginJti: fam.OriginJti, EventID: fam.EventID,
		TokenUse: "access", Scope: scope, AuthTime: fam.AuthTime,
		Exp: now + int64(out.ExpiresIn), Iat: now, Username: g.User.Username,
	}
	if c.EnableTokenRevocation {
		jti, err := newUUID(env.Rand)
		if err != nil {
			return nil, err
		}
		access.Jti = jti
	}
	var err error
	if out.AccessToken, err = keys.access.sign(access); err != nil {
		return nil, err
	}
	if g.IDToken {
		claims := idClaims(c, g.User)
		claims["iss"] = g.Issuer
		claims["aud"] = c.ClientId
		claims["event_id"] = fam.EventID
		claims["token_use"] = "id"
		claims["auth_time"] = fam.AuthTime
		claims["iat"] = now
		claims["exp"] = now + int64(idLifetime(c))
		if fam.OriginJti != "" {
			claims["origin_jti"] = fam.OriginJti
			jti, err := newUUID(env.Rand)
			if err != nil {
				return nil, err
			}
			claims["jti"] = jti
		}
		if g.Nonce != "" {
			claims["nonce"] = g.Nonce
		}
		if g.AtHash {
			sum := sha256.Sum256([]byte(out.AccessToken))
			claims["at_hash"] = base64.RawURLEncoding.EncodeToString(sum[:16])
		}
		if out.IDToken, err = keys.id.sign(claims); err != nil {
			return nil, err
		}
	}
	if g.Refresh {
		token, hash, err := newRefreshToken(env.Rand, fam.EventID)
		if err != nil {
			return nil, err
		}
		if fam.Hash != "" && !g.Retry {
			// A rotation: the old token stays usable for the grace period.
			fam.PrevHash = fam.Hash
			fam.PrevUntil = now + int64(rotationGrace(c))
		}
		fam.Hash = hash
		fam.Expires = now + int64(refreshLifetime(c))
		out.RefreshToken = token
	}
	if err := putJSON(tx, typeTokenFamily, familyKey(g.PoolID, fam.EventID), fam); err != nil {
		return nil, err
	}
	return out, nil
}

// rotationEnabled reports whether the client rotates refresh tokens.
func rotationEnabled(c *clientModel) bool {
	return c.RefreshTokenRotation != nil && deref(c.RefreshTokenRotation.Feature, "") == "ENABLED"
}

func rotationGrace(c *clientModel) int {
	if c.RefreshTokenRotation == nil {
		return 0
	}
	return deref(c.RefreshTokenRotation.RetryGracePeriodSeconds, 0)
}

// idClaims are the user claims of an ID token: sub, cognito:username,
// cognito:groups and the attributes the client may read (all of them when
// ReadAttributes is empty). Custom attributes are strings; email_verified
// and phone_number_verified booleans; updated_at a number.
func idClaims(c *clientModel, u tokenUser) map[string]any {
	claims := map[string]any{"sub": u.Sub, "cognito:username": u.Username}
	if len(u.Groups) > 0 {
		claims["cognito:groups"] = u.Groups
	}
	for name, value := range u.Attributes {
		if name == "sub" || (len(c.ReadAttributes) > 0 && !contains(c.ReadAttributes, name)) {
			continue
		}
		switch name {
		case "email_verified", "phone_number_verified":
			claims[name] = value == "true"
		case "identities":
			claims[name] = identitiesClaim(value) // hostedui_federation.go
		case "updated_at":
			if n, err := strconv.ParseInt(value, 10, 64); err == nil {
				claims[name] = n
				continue
			}
			claims[name] = value
		default:
			claims[name] = value
		}
	}
	return claims
}

// refreshHeader is the JWE header of Cognito's refresh tokens.
var refreshHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}`))

// newRefreshToken makes a refresh token of the family eventID: the JWE
// shape with a 256-byte "encrypted key", a 12-byte IV, the payload (the
// family's UUID bytes and a 32-byte secret) and a 16-byte tag. It returns
// the token and the hash the store keeps.
func newRefreshToken(r io.Reader, eventID string) (token, hash string, err error) {
	id, err := uuid.Parse(eventID)
	if err != nil {
		return "", "", fmt.Errorf("refresh token family: %w", err)
	}
	random := make([]byte, 256+12+32+16)
	if _, err := io.ReadFull(randSource(r), random); err != nil {
		return "", "", fmt.Errorf("refresh token: %w", err)
	}
	key, iv, secret, tag := random[:256], random[256:268], random[268:300], random[300:]
	payload := append(id[:], secret...)
	enc := base64.RawURLEncoding
	token = strings.Join([]string{refreshHeader, enc.EncodeToString(key), enc.EncodeToString(iv),
		enc.EncodeToString(payload), enc.EncodeToString(tag)}, ".")
	return token, refreshSecretHash(secret), nil
}

func refreshSecretHash(secret []byte) string {
	sum := sha256.Sum256(secret)
	return hex.EncodeToString(sum[:])
}

// parseRefreshToken returns the family id and the secret's hash of a
// refresh token, or ok false when it is not one of ours.
func parseRefreshToken(token string) (eventID, hash string, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 5 || parts[0] != refreshHeader {
		return "", "", false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[3])
	if err != nil || len(payload) != 16+32 {
		return "", "", false
	}
	id, err := uuid.FromBytes(payload[:16])
	if err != nil {
		return "", "", false
	}
	return id.String(), refreshSecretHash(payload[16:]), true
}

// Refresh token failures (reference 4.9; RefreshTokenReuseException from
// the GetTokensFromRefreshToken model).
var (
	errInvalidRefresh = apiErrorf(typeNotAuthorized, "Invalid Refresh Token")
	errRevokedRefresh = apiErrorf(typeNotAuthorized, "Refresh Token has been revoked")
	errExpiredRefresh = apiErrorf(typeNotAuthorized, "Refresh Token has expired")
)

// findRefresh looks a refresh token up in the pool for clientID.
// reused reports a rotated-out token presented after its grace period.
func findRefresh(env handler.Env, tx handler.Tx, poolID, clientID, token string) (fam *tokenFamily, current bool, err error) {
	eventID, hash, ok := parseRefreshToken(token)
	if !ok {
		return nil, false, errInvalidRefresh
	}
	fam, err = loadFamily(tx, poolID, eventID)
	if err != nil {
		return nil, false, err
	}
	if fam == nil || fam.ClientID != clientID {
		return nil, false, errInvalidRefresh
	}
	now := env.Now.Unix()
	switch {
	case fam.Hash != "" && subtle.ConstantTimeCompare([]byte(hash), []byte(fam.Hash)) == 1:
		current = true
	case fam.PrevHash != "" && subtle.ConstantTimeCompare([]byte(hash), []byte(fam.PrevHash)) == 1:
		if now > fam.PrevUntil {
			return nil, false, apiErrorf("RefreshTokenReuseException", "Refresh token has been reused")
		}
	default:
		return nil, false, errInvalidRefresh
	}
	revoked, err := familyRevoked(tx, poolID, fam)
	if err != nil {
		return nil, false, err
	}
	if revoked {
		return nil, false, errRevokedRefresh
	}
	if now >= fam.Expires {
		return nil, false, errExpiredRefresh
	}
	return fam, current, nil
}

// accessToken is a verified access token's claims.
type accessToken struct {
	claims userAccessClaims
	poolID string
	region string
}

// Access token failures, as Cognito's APIs report them.
var (
	errInvalidAccess = apiErrorf(typeNotAuthorized, "Invalid Access Token")
	errExpiredAccess = apiErrorf(typeNotAuthorized, "Access Token has expired")
	errRevokedAccess = apiErrorf(typeNotAuthorized, "Access Token has been revoked")
	errAccessScope   = apiErrorf(typeNotAuthorized, "Access Token does not have required scopes")
)

// tokenPool reads the pool id and region an access token claims to be
// from (the last segment of its iss), without verifying anything; the
// emulator uses it to find the partition of an unsigned call.
func tokenPool(token string) (poolID, region string, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", "", false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", "", false
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(payload, &c) != nil {
		return "", "", false
	}
	poolID = c.Iss[strings.LastIndexByte(c.Iss, '/')+1:]
	m := poolIDPath().FindStringSubmatch(poolID)
	if m == nil {
		return "", "", false
	}
	return poolID, m[1], true
}

// verifyAccessToken checks an access token as Cognito's APIs do: ours
// (signed by the pool's access key), an access token, not expired, not
// revoked, and, when scope is set, carrying it.
func verifyAccessToken(ri requestInfo, env handler.Env, tx handler.Tx, token string, scope string) (*accessToken, error) {
	poolID, region, ok := tokenPool(token)
	if !ok {
		return nil, errInvalidAccess
	}
	if _, err := loadPool(tx, poolID); err != nil {
		if isNotFound(err) {
			return nil, errInvalidAccess
		}
		return nil, err
	}
	keys, err := ri.tokenKeys(env, tx, poolID, token)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(token, ".")
	if parts[0] != keys.access.header {
		return nil, errInvalidAccess
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, errInvalidAccess
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&keys.access.priv.PublicKey, crypto.SHA256, digest[:], sig) != nil {
		return nil, errInvalidAccess
	}
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var at accessToken
	if err := json.Unmarshal(payload, &at.claims); err != nil || at.claims.TokenUse != "access" {
		return nil, errInvalidAccess
	}
	at.poolID, at.region = poolID, region
	if env.Now.Unix() >= at.claims.Exp {
		return nil, errExpiredAccess
	}
	if scope != "" && !contains(strings.Fields(at.claims.Scope), scope) {
		return nil, errAccessScope
	}
	fam, err := loadFamily(tx, poolID, at.claims.EventID)
	if err != nil {
		return nil, err
	}
	if fam == nil {
		return nil, errRevokedAccess
	}
	if revoked, err := familyRevoked(tx, poolID, fam); err != nil {
		return nil, err
	} else if revoked || fam.Sub != at.claims.Sub {
		return nil, errRevokedAccess
	}
	return &at, nil
}

// sortedGroups orders group names by precedence (lower first, absent
// last), then name, as cognito:groups lists them.
func sortedGroups(names []string, precedence map[string]*int) []string {
	out := append([]string(nil), names...)
	sort.SliceStable(out, func(i, j int) bool {
		pi, pj := precedence[out[i]], precedence[out[j]]
		switch {
		case pi != nil && pj != nil && *pi != *pj:
			return *pi < *pj
		case (pi == nil) != (pj == nil):
			return pi != nil
		}
		return out[i] < out[j]
	})
	return out
}
