package cognito

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ccql/ccql/emulator/internal/srp"
	"github.com/ccql/ccql/internal/handler"
)

// Remembered devices (issue 17's Devices group): the nine device
// operations, the pool's DeviceConfiguration and the device part of
// sign-in. docs/signin.md ("Devices") describes the behaviour.
//
// # Lifecycle
//
// When the pool has a DeviceConfiguration, a sign-in that presents no
// device ends with NewDeviceMetadata: a new device key "<region>_<uuid>"
// and the user's device group key. Nothing is stored then: the access token
// (and the refresh token's family) carry the key as device_key, the key
// itself carries a MAC binding it to the user (newDeviceKey), and
// ConfirmDevice with an access token of the user creates the device. Only the SRP
// salt and verifier of the device's secret are stored, never the secret.
// A confirmed device is "remembered", or "not_remembered" when the pool
// sets DeviceOnlyRememberedOnUserPrompt (until UpdateDeviceStatus).
//
// Devices are stored under typeDevice keyed "<poolId>|<sub>|<deviceKey>",
// so they go with their user (removeUser) and their pool (satelliteTypes);
// a user created again under the same name has a new sub and none of them.
//
// # Sign-in
//
// A sign-in that presents DEVICE_KEY (AuthParameters or the
// PASSWORD_VERIFIER / MFA ChallengeResponses) must name a device of the
// user, else ResourceNotFoundException "Device does not exist." (which
// amazon-cognito-identity-js answers by retrying without the key). A
// remembered device must then pass device SRP — DEVICE_SRP_AUTH, then
// DEVICE_PASSWORD_VERIFIER, the user SRP with the device group key as the
// pool name and the device key as the user id — before tokens are issued.
// With ChallengeRequiredOnNewDevice the device replaces the MFA challenge;
// without it, MFA comes first and device SRP after. A not-remembered
// device signs in as a new one would, without NewDeviceMetadata. The user's
// ListDevices and GetDevice see remembered devices only (as on AWS); the
// admin operations see every confirmed device.

const typeDevice = "ccql::Cognito::Device"

// Challenge names of device SRP.
const (
	chDeviceSRP              = "DEVICE_SRP_AUTH"
	chDevicePasswordVerifier = "DEVICE_PASSWORD_VERIFIER"
)

// Remembered statuses (DeviceRememberedStatusType).
const (
	deviceRemembered    = "remembered"
	deviceNotRemembered = "not_remembered"
)

var (
	deviceStatuses = []string{deviceRemembered, deviceNotRemembered}
	patDeviceKey   = mustPattern(`[\w-]+_[0-9a-f-]+`)
)

// deviceRecord is a stored, confirmed device.
type deviceRecord struct {
	Key      string        `json:"DeviceKey"`
	GroupKey string        `json:"DeviceGroupKey"`
	Sub      string        `json:"Sub"`
	Username string        `json:"Username"`
	Name     string        `json:"Name,omitempty"`
	Status   string        `json:"Status"`
	Salt     []byte        `json:"Salt,omitempty"`     // SRP salt of the device secret
	Verifier []byte        `json:"Verifier,omitempty"` // SRP verifier g^x mod N
	LastIP   string        `json:"LastIp,omitempty"`
	Created  epochSeconds  `json:"Created"`
	Modified epochSeconds  `json:"Modified"`
	LastAuth *epochSeconds `json:"LastAuthenticated,omitempty"`
}

func deviceID(poolID, sub, key string) string { return poolID + "|" + sub + "|" + key }

// errDeviceNotFound is Cognito's answer for a device key that names no
// device of the user.
func errDeviceNotFound() *APIError { return resourceNotFound("Device does not exist.") }

func loadDevice(tx handler.Tx, poolID, sub, key string) (*deviceRecord, error) {
	var d deviceRecord
	found, err := getJSON(tx, typeDevice, deviceID(poolID, sub, key), &d)
	if err != nil || !found {
		return nil, err
	}
	return &d, nil
}

func saveDevice(tx handler.Tx, poolID string, d *deviceRecord) error {
	return putJSON(tx, typeDevice, deviceID(poolID, d.Sub, d.Key), d)
}

// listDevices returns a user's devices in device-key order.
func listDevices(tx handler.Tx, poolID, sub string) ([]handler.Record, error) {
	recs, err := tx.List(typeDevice, poolID+"|"+sub+"|")
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Identifier < recs[j].Identifier })
	return recs, nil
}

// forgetUserDevices deletes every device of a user (its deletion).
func forgetUserDevices(tx handler.Tx, poolID, sub string) error {
	recs, err := listDevices(tx, poolID, sub)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if err := deleteIfPresent(tx, typeDevice, r.Identifier); err != nil {
			return err
		}
	}
	return nil
}

// deviceSettings is a pool's DeviceConfiguration; on is false when the
// pool has none (no device tracking).
type deviceSettings struct {
	on, challengeRequired, onlyOnPrompt bool
}

func deviceSettingsOf(cfg *poolConfig) deviceSettings {
	m, ok := cfg.Model["DeviceConfiguration"].(map[string]any)
	if !ok {
		return deviceSettings{}
	}
	cr, _ := m["ChallengeRequiredOnNewDevice"].(bool)
	op, _ := m["DeviceOnlyRememberedOnUserPrompt"].(bool)
	return deviceSettings{on: true, challengeRequired: cr, onlyOnPrompt: op}
}

// deviceGroupKey is the user's device group key: "-" and eight letters
// and digits, the same for every device of the user (as AWS's examples
// show), derived from the pool and sub so that nothing needs storing
// before ConfirmDevice. It is not a secret: the client gets it in
// NewDeviceMetadata.
func deviceGroupKey(poolID, sub string) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	sum := sha256.Sum256([]byte("ccql device group\x00" + poolID + "\x00" + sub))
	out := []byte{'-'}
	for _, b := range sum[:8] {
		out = append(out, alphabet[int(b)%len(alphabet)])
	}
	return string(out)
}

// newDeviceMetadata is NewDeviceMetadataType.
type newDeviceMetadata struct {
	DeviceGroupKey string `json:"DeviceGroupKey"`
	DeviceKey      string `json:"DeviceKey"`
}

// deviceState is what one sign-in request knows of its device: the key it
// presents, the device it names once looked up, and whether device SRP
// passed.
type deviceState struct {
	key      string
	loaded   bool
	rec      *deviceRecord
	verified bool
}

// presentDevice sets the device key a request presents: the session's,
// or, when the session has none, the one the response sends.
func (f *flow) presentDevice(sessionKey string, resp map[string]string) {
	f.dev.key = sessionKey
	if f.dev.key == "" {
		f.dev.key = resp["DEVICE_KEY"]
	}
}

// presentedDevice returns the device the sign-in presents (nil when it
// presents none), or "Device does not exist." for a key that names no
// device of u.
func (f *flow) presentedDevice(u *user) (*deviceRecord, error) {
	if f.dev.loaded || f.dev.key == "" {
		return f.dev.rec, nil
	}
	d, err := loadDevice(f.tx, f.cfg.ID, u.Sub, f.dev.key)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, errDeviceNotFound()
	}
	f.dev.loaded, f.dev.rec = true, d
	return d, nil
}

// needsDeviceSRP reports whether the presented device must pass device
// SRP before tokens: a remembered device of a pool that tracks devices.
func (f *flow) needsDeviceSRP(d *deviceRecord) bool {
	return d != nil && !f.dev.verified && d.Status == deviceRemembered && deviceSettingsOf(f.cfg).on
}

// deviceSkipsMFA reports whether the presented device replaces the MFA
// challenge (ChallengeRequiredOnNewDevice and a remembered device), and
// checks that a presented key names a device of u.
func (f *flow) deviceSkipsMFA(u *user) (bool, error) {
	d, err := f.presentedDevice(u)
	if err != nil {
		return false, err
	}
	return f.needsDeviceSRP(d) && deviceSettingsOf(f.cfg).challengeRequired, nil
}

// deviceChallenge is the DEVICE_SRP_AUTH challenge a remembered device
// must answer before tokens, or nil when none is due.
func (f *flow) deviceChallenge(u *user, authTime int64) (any, error) {
	d, err := f.presentedDevice(u)
	if err != nil || !f.needsDeviceSRP(d) {
		return nil, err
	}
	return f.challenge(u, chDeviceSRP, &authSession{AuthTime: authTime}, map[string]string{})
}

// deviceForGrant attaches the sign-in's device to g: the presented device
// (its last sign-in recorded), or, when the pool tracks devices, a new
// device key, returned as NewDeviceMetadata.
func (f *flow) deviceForGrant(u *user, g *tokenGrant) (*newDeviceMetadata, error) {
	d, err := f.presentedDevice(u)
	if err != nil {
		return nil, err
	}
	if d != nil {
		g.DeviceKey = d.Key
		now := epochSeconds(f.env.Now)
		d.LastAuth = &now
		if ip := f.ri.clientIP(); ip != "" {
			d.LastIP = ip
		}
		return nil, saveDevice(f.tx, f.cfg.ID, d)
	}
	if !deviceSettingsOf(f.cfg).on {
		return nil, nil
	}
	keys, err := f.ri.poolKeys(f.env, f.tx, f.cfg.ID)
	if err != nil {
		return nil, err
	}
	var random [8]byte
	if _, err := io.ReadFull(randSource(f.env.Rand), random[:]); err != nil {
		return nil, fmt.Errorf("device key: %w", err)
	}
	g.DeviceKey = newDeviceKey(keys, f.env.Region, f.cfg.ID, u.Sub, random)
	return &newDeviceMetadata{DeviceKey: g.DeviceKey, DeviceGroupKey: deviceGroupKey(f.cfg.ID, u.Sub)}, nil
}

// newDeviceKey makes a device key "<region>_<uuid>" that proves it was
// given to the user: the UUID (version 4 in shape) is eight random bytes
// and the first bytes of an HMAC of them, the pool and the sub under the
// pool's secret signing key. ConfirmDevice can then accept any key the
// user was given without the sign-in storing anything.
func newDeviceKey(keys *poolKeys, region, poolID, sub string, random [8]byte) string {
	var b [16]byte
	copy(b[:8], random[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	mac := hmac.New(sha256.New, keys.id.priv.D.Bytes())
	mac.Write([]byte("ccql device key\x00" + poolID + "\x00" + sub + "\x00"))
	mac.Write(b[:8])
	copy(b[8:], mac.Sum(nil))
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	id, _ := uuid.FromBytes(b[:])
	return region + "_" + id.String()
}

// issuedDeviceKey reports whether key is one newDeviceKey made for sub.
func issuedDeviceKey(keys *poolKeys, region, poolID, sub, key string) bool {
	rest, ok := strings.CutPrefix(key, region+"_")
	if !ok {
		return false
	}
	id, err := uuid.Parse(rest)
	if err != nil || id.String() != rest {
		return false
	}
	var random [8]byte
	copy(random[:], id[:8])
	return hmac.Equal([]byte(newDeviceKey(keys, region, poolID, sub, random)), []byte(key))
}

// clientIP is the caller's address, for last_ip_used ("" when unknown).
func (ri requestInfo) clientIP() string {
	if ri.r == nil {
		return ""
	}
	host, _, err := net.SplitHostPort(ri.r.RemoteAddr)
	if err != nil {
		return ""
	}
	return host
}

// deviceSRP answers DEVICE_SRP_AUTH: the device's SRP first step, as
// srpStart is the user's, with the device's salt and verifier.
func (f *flow) deviceSRP(u *user, s *authSession, resp map[string]string) (any, error) {
	key := resp["DEVICE_KEY"]
	if key == "" {
		return nil, missingParameter("DEVICE_KEY")
	}
	if resp["SRP_A"] == "" {
		return nil, missingParameter("SRP_A")
	}
	if key != s.DeviceKey {
		return nil, errSessionInvalid
	}
	A, err := srp.ParseA(resp["SRP_A"])
	if err != nil {
		return nil, invalidParameter("Invalid SRP_A value.")
	}
	d, err := loadDevice(f.tx, f.cfg.ID, u.Sub, key)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, errDeviceNotFound()
	}
	verifier := d.Verifier
	if len(verifier) == 0 {
		verifier = []byte{1} // confirmed without a verifier: nothing can verify
	}
	srv, err := srp.NewServer(verifier, randSource(f.env.Rand))
	if err != nil {
		return nil, err
	}
	next := &authSession{Username: u.Username, Challenge: chDevicePasswordVerifier, Admin: f.admin,
		AuthTime: s.AuthTime, DeviceKey: key, SRPSecret: srv.Secret, SRPPublic: srv.Public, SRPA: A.Text(16)}
	token, err := newSession(f.env, f.tx, f.cfg.ID, f.client, next)
	if err != nil {
		return nil, err
	}
	// The session string doubles as the secret block the client signs,
	// as PASSWORD_VERIFIER's SECRET_BLOCK does.
	return &authResponse{
		ChallengeName: chDevicePasswordVerifier,
		Session:       token,
		ChallengeParameters: map[string]string{
			"DEVICE_KEY":   key,
			"SALT":         new(big.Int).SetBytes(d.Salt).Text(16),
			"SECRET_BLOCK": token,
			"SRP_B":        srv.PublicHex(),
			"USERNAME":     u.Username,
		},
	}, nil
}

// devicePasswordVerifier checks DEVICE_PASSWORD_VERIFIER: the signature
// of the device secret over the secret block, with the device group key as
// the pool name and the device key as the user id. session is the Session
// the request was made with, which must be the secret block signed.
func (f *flow) devicePasswordVerifier(u *user, s *authSession, resp map[string]string, session string) (any, error) {
	for _, k := range []string{"PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP", "DEVICE_KEY"} {
		if resp[k] == "" {
			return nil, missingParameter(k)
		}
	}
	incorrect := apiErrorf(typeNotAuthorized, msgIncorrect)
	incorrect.Commit = true // the session is spent
	block := resp["PASSWORD_CLAIM_SECRET_BLOCK"]
	if resp["DEVICE_KEY"] != s.DeviceKey || block != session {
		return nil, incorrect
	}
	if _, err := srp.CheckTimestamp(resp["TIMESTAMP"]); err != nil {
		return nil, incorrect
	}
	d, err := loadDevice(f.tx, f.cfg.ID, u.Sub, s.DeviceKey)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, errDeviceNotFound()
	}
	A, _ := srp.ParseA(s.SRPA)
	srv := &srp.Server{Secret: s.SRPSecret, Public: s.SRPPublic}
	key, err := srv.SessionKey(A, d.Verifier)
	if err != nil || len(d.Verifier) == 0 {
		return nil, incorrect
	}
	secretBlock, err := base64.StdEncoding.DecodeString(block)
	if err != nil || !srp.VerifySignature(key, d.GroupKey, d.Key, secretBlock, resp["TIMESTAMP"], resp["PASSWORD_CLAIM_SIGNATURE"]) {
		return nil, incorrect
	}
	f.dev = deviceState{key: d.Key, loaded: true, rec: d, verified: true}
	return f.tokens(u, s.AuthTime)
}

// checkRefreshDevice checks the DEVICE_KEY of a refresh: a family signed in
// with a device that is now confirmed refreshes only with that device's
// key (AWS answers "Invalid Refresh Token" otherwise); one whose device was
// never confirmed (or was forgotten) needs none, but may not name another.
func checkRefreshDevice(tx handler.Tx, poolID string, fam *tokenFamily, given string) error {
	if fam.DeviceKey == "" || given == fam.DeviceKey {
		return nil
	}
	if given != "" {
		return errInvalidRefresh
	}
	d, err := loadDevice(tx, poolID, fam.Sub, fam.DeviceKey)
	if err != nil {
		return err
	}
	if d != nil {
		return errInvalidRefresh
	}
	return nil
}

// decodeVerifierConfig decodes DeviceSecretVerifierConfig: base64 salt and
// verifier (amazon-cognito-identity-js sends the bytes of their padded
// hex). The verifier must be a number in (0, N), as g^x mod N is; an
// empty salt is allowed.
func decodeVerifierConfig(salt, verifier string) (saltBytes, verifierBytes []byte, err error) {
	saltBytes, err = base64.StdEncoding.DecodeString(salt)
	if err != nil {
		return nil, nil, fmt.Errorf("salt: %w", err)
	}
	verifierBytes, err = base64.StdEncoding.DecodeString(verifier)
	if err != nil {
		return nil, nil, fmt.Errorf("password verifier: %w", err)
	}
	v := new(big.Int).SetBytes(verifierBytes)
	if v.Sign() == 0 || v.Cmp(srp.N()) >= 0 {
		return nil, nil, fmt.Errorf("password verifier is not a number in (0, N)")
	}
	return saltBytes, v.Bytes(), nil
}

// deviceAttr is one DeviceAttributes entry.
type deviceAttr struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// deviceOut is DeviceType.
type deviceOut struct {
	DeviceKey                   string        `json:"DeviceKey"`
	DeviceAttributes            []deviceAttr  `json:"DeviceAttributes"`
	DeviceCreateDate            epochSeconds  `json:"DeviceCreateDate"`
	DeviceLastModifiedDate      epochSeconds  `json:"DeviceLastModifiedDate"`
	DeviceLastAuthenticatedDate *epochSeconds `json:"DeviceLastAuthenticatedDate,omitempty"`
}

// deviceView is a device as the operations return it, with AWS's
// attributes in AWS's order (device_sdk, which AWS derives from the
// client's user agent, is not emulated).
func deviceView(env handler.Env, poolID string, d *deviceRecord) deviceOut {
	owner := d.Username + "." + poolID
	attrs := []deviceAttr{{"device_status", "valid"}}
	if d.Name != "" {
		attrs = append(attrs, deviceAttr{"device_name", d.Name})
	}
	attrs = append(attrs,
		deviceAttr{"dev:device_arn", fmt.Sprintf("arn:aws:cognito-idp:%s:%s:owner/%s/device/%s", env.Region, env.Account, owner, d.Key)},
		deviceAttr{"dev:device_owner", owner})
	if d.LastIP != "" {
		attrs = append(attrs, deviceAttr{"last_ip_used", d.LastIP})
	}
	attrs = append(attrs, deviceAttr{"dev:device_remembered_status", d.Status})
	return deviceOut{DeviceKey: d.Key, DeviceAttributes: attrs, DeviceCreateDate: d.Created,
		DeviceLastModifiedDate: d.Modified, DeviceLastAuthenticatedDate: d.LastAuth}
}

// devicesOperations are the operations of this part, merged by Operations.
func devicesOperations() map[string]Operation {
	return map[string]Operation{
		"ConfirmDevice":           opConfirmDevice,
		"GetDevice":               opGetDevice,
		"ListDevices":             opListDevices,
		"ForgetDevice":            opForgetDevice,
		"UpdateDeviceStatus":      opUpdateDeviceStatus,
		"AdminGetDevice":          opAdminGetDevice,
		"AdminListDevices":        opAdminListDevices,
		"AdminForgetDevice":       opAdminForgetDevice,
		"AdminUpdateDeviceStatus": opAdminUpdateDeviceStatus,
	}
}

// deviceRequest holds the members of every device operation.
type deviceRequest struct {
	AccessToken                *string `json:"AccessToken"`
	UserPoolId                 *string `json:"UserPoolId"`
	Username                   *string `json:"Username"`
	DeviceKey                  *string `json:"DeviceKey"`
	DeviceName                 *string `json:"DeviceName"`
	DeviceRememberedStatus     *string `json:"DeviceRememberedStatus"`
	Limit                      *int    `json:"Limit"`
	PaginationToken            *string `json:"PaginationToken"`
	DeviceSecretVerifierConfig *struct {
		PasswordVerifier *string `json:"PasswordVerifier"`
		Salt             *string `json:"Salt"`
	} `json:"DeviceSecretVerifierConfig"`
}

// deviceOwner is the pool and user a device operation acts for.
type deviceOwner struct {
	cfg  *poolConfig
	user *user
	at   *accessToken // nil for the admin operations
}

// deviceCall decodes a device operation, validates its shape (the access
// token or the pool and user name, then check) and resolves its owner.
func deviceCall(ctx context.Context, env handler.Env, tx handler.Tx, body []byte, admin bool, check func(*violations, *deviceRequest)) (*deviceRequest, *deviceOwner, error) {
	var in deviceRequest
	if err := decodeBody(body, &in); err != nil {
		return nil, nil, err
	}
	var v violations
	if admin {
		v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
		v.checkSensitive("username", in.Username, 1, 128, &patUsername, true)
	} else if in.AccessToken == nil {
		v.add("null", "accessToken", "Member must not be null")
	}
	check(&v, &in)
	if err := v.err(); err != nil {
		return nil, nil, err
	}
	if admin {
		cfg, err := loadPoolConfig(tx, *in.UserPoolId)
		if err != nil {
			return nil, nil, err
		}
		u, err := getUser(tx, cfg, *in.Username)
		if err != nil {
			return nil, nil, err
		}
		return &in, &deviceOwner{cfg: cfg, user: u}, nil
	}
	tc, err := withAccessToken(ctx, env, tx, in.AccessToken)
	if err != nil {
		return nil, nil, err
	}
	return &in, &deviceOwner{cfg: tc.cfg, user: tc.user, at: tc.at}, nil
}

func checkDeviceKey(v *violations, in *deviceRequest) {
	v.checkRequiredString("deviceKey", in.DeviceKey, 1, 55, &patDeviceKey)
}

// device loads the owner's device key; remembered asks for a remembered
// one (what the user's GetDevice sees).
func (o *deviceOwner) device(tx handler.Tx, key string, remembered bool) (*deviceRecord, error) {
	d, err := loadDevice(tx, o.cfg.ID, o.user.Sub, key)
	if err != nil {
		return nil, err
	}
	if d == nil || (remembered && d.Status != deviceRemembered) {
		return nil, errDeviceNotFound()
	}
	return d, nil
}

func opConfirmDevice(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	in, o, err := deviceCall(ctx, env, tx, body, false, func(v *violations, in *deviceRequest) {
		checkDeviceKey(v, in)
		if c := in.DeviceSecretVerifierConfig; c != nil {
			v.checkString("deviceSecretVerifierConfig.passwordVerifier", c.PasswordVerifier, 0, 131072, nil)
			v.checkString("deviceSecretVerifierConfig.salt", c.Salt, 0, 131072, nil)
		}
		v.checkString("deviceName", in.DeviceName, 1, 1024, nil)
	})
	if err != nil {
		return nil, err
	}
	d, err := loadDevice(tx, o.cfg.ID, o.user.Sub, *in.DeviceKey)
	if err != nil {
		return nil, err
	}
	now := epochSeconds(env.Now)
	if d == nil {
		// Only a key the user was given in NewDeviceMetadata can become a
		// new device.
		keys, err := requestOf(ctx).poolKeys(env, tx, o.cfg.ID)
		if err != nil {
			return nil, err
		}
		if !issuedDeviceKey(keys, env.Region, o.cfg.ID, o.user.Sub, *in.DeviceKey) {
			return nil, errDeviceNotFound()
		}
		signedIn := epochSeconds(time.Unix(o.at.claims.AuthTime, 0).UTC())
		d = &deviceRecord{Key: *in.DeviceKey, GroupKey: deviceGroupKey(o.cfg.ID, o.user.Sub), Sub: o.user.Sub,
			Username: o.user.Username, Created: now, LastAuth: &signedIn}
	}
	if c := in.DeviceSecretVerifierConfig; c != nil {
		salt, verifier, err := decodeVerifierConfig(deref(c.Salt, ""), deref(c.PasswordVerifier, ""))
		if err != nil {
			// AWS's message for an undecodable verifier is not recorded.
			return nil, invalidParameter("Invalid DeviceSecretVerifierConfig: %v.", err)
		}
		d.Salt, d.Verifier = salt, verifier
	}
	settings := deviceSettingsOf(o.cfg)
	d.Name = deref(in.DeviceName, d.Name)
	d.Status = deviceRemembered
	if settings.onlyOnPrompt {
		d.Status = deviceNotRemembered
	}
	d.Modified = now
	if ip := requestOf(ctx).clientIP(); ip != "" {
		d.LastIP = ip
	}
	if err := saveDevice(tx, o.cfg.ID, d); err != nil {
		return nil, err
	}
	return map[string]bool{"UserConfirmationNecessary": settings.onlyOnPrompt}, nil
}

func getDevice(ctx context.Context, env handler.Env, tx handler.Tx, body []byte, admin bool) (any, error) {
	in, o, err := deviceCall(ctx, env, tx, body, admin, checkDeviceKey)
	if err != nil {
		return nil, err
	}
	d, err := o.device(tx, *in.DeviceKey, !admin)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Device": deviceView(env, o.cfg.ID, d)}, nil
}

func opGetDevice(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	return getDevice(ctx, env, tx, body, false)
}

func opAdminGetDevice(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	return getDevice(ctx, env, tx, body, true)
}

func listDevicesOp(ctx context.Context, env handler.Env, tx handler.Tx, body []byte, admin bool) (any, error) {
	in, o, err := deviceCall(ctx, env, tx, body, admin, func(v *violations, in *deviceRequest) {
		v.checkInt("limit", in.Limit, 0, 60)
		v.checkString("paginationToken", in.PaginationToken, 1, 0, &patNextToken)
	})
	if err != nil {
		return nil, err
	}
	devices := map[string]*deviceRecord{}
	// The user sees remembered devices only; the admin every one.
	shown := func(r handler.Record) (bool, error) {
		var d deviceRecord
		if err := decodeRaw(r.Model, &d); err != nil {
			return false, err
		}
		if admin || d.Status == deviceRemembered {
			devices[r.Identifier] = &d
			return true, nil
		}
		return false, nil
	}
	limit := deref(in.Limit, 0)
	if limit == 0 {
		limit = 60
	}
	op := "ListDevices"
	if admin {
		op = "AdminListDevices"
	}
	p, err := keyPage(tx, typeDevice, o.cfg.ID+"|"+o.user.Sub+"|", limit, in.PaginationToken, op+"|"+o.cfg.ID+"|"+o.user.Sub, shown)
	if err != nil {
		return nil, err
	}
	out := struct {
		Devices         []deviceOut `json:"Devices"`
		PaginationToken string      `json:"PaginationToken,omitempty"`
	}{Devices: []deviceOut{}, PaginationToken: p.next}
	for _, r := range p.recs {
		out.Devices = append(out.Devices, deviceView(env, o.cfg.ID, devices[r.Identifier]))
	}
	return out, nil
}

func opListDevices(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	return listDevicesOp(ctx, env, tx, body, false)
}

func opAdminListDevices(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	return listDevicesOp(ctx, env, tx, body, true)
}

func forgetDevice(ctx context.Context, env handler.Env, tx handler.Tx, body []byte, admin bool) (any, error) {
	in, o, err := deviceCall(ctx, env, tx, body, admin, checkDeviceKey)
	if err != nil {
		return nil, err
	}
	d, err := o.device(tx, *in.DeviceKey, false)
	if err != nil {
		return nil, err
	}
	if err := deleteIfPresent(tx, typeDevice, deviceID(o.cfg.ID, d.Sub, d.Key)); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opForgetDevice(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	return forgetDevice(ctx, env, tx, body, false)
}

func opAdminForgetDevice(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	return forgetDevice(ctx, env, tx, body, true)
}

func updateDeviceStatus(ctx context.Context, env handler.Env, tx handler.Tx, body []byte, admin bool) (any, error) {
	in, o, err := deviceCall(ctx, env, tx, body, admin, func(v *violations, in *deviceRequest) {
		checkDeviceKey(v, in)
		v.checkEnum("deviceRememberedStatus", in.DeviceRememberedStatus, deviceStatuses)
	})
	if err != nil {
		return nil, err
	}
	d, err := o.device(tx, *in.DeviceKey, false)
	if err != nil {
		return nil, err
	}
	if in.DeviceRememberedStatus != nil {
		d.Status = *in.DeviceRememberedStatus
		d.Modified = epochSeconds(env.Now)
		if err := saveDevice(tx, o.cfg.ID, d); err != nil {
			return nil, err
		}
	}
	return struct{}{}, nil
}

func opUpdateDeviceStatus(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	return updateDeviceStatus(ctx, env, tx, body, false)
}

func opAdminUpdateDeviceStatus(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	return updateDeviceStatus(ctx, env, tx, body, true)
}
