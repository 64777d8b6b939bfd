package cognito

// Passkeys (WebAuthn): StartWebAuthnRegistration,
// CompleteWebAuthnRegistration, ListWebAuthnCredentials and
// DeleteWebAuthnCredential for the user of an access token, the pool's
// WebAuthnConfiguration, and the WEB_AUTHN challenge of USER_AUTH sign-in.
//
// Attestations and assertions are verified with the protocol package of
// github.com/go-webauthn/webauthn (pure Go): the client data's type,
// challenge and origin, the authenticator data's rpIdHash and UP/UV flags,
// the attestation statement ("none", "packed" and the library's other
// formats) and the assertion signature over authData || SHA-256(clientDataJSON)
// with the stored COSE key. The emulator checks itself what is policy: which
// origins go with the relying party, the signature counter, and that a
// challenge is used once.
//
// State: a credential is stored under typeWebAuthnCredential keyed
// "<poolId>|<sub>|<credential id>" (the sub, not the user name, so that a
// user name containing "|" cannot reach another user's keys); a registration
// in progress under typeWebAuthnRegistration keyed "<poolId>|<sub>". Both go
// with the user (forgetWebAuthn) and with the pool (deletePoolUsers).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"

	"github.com/ccql/ccql/internal/handler"
)

// The private types of passkeys.
const (
	typeWebAuthnCredential   = "ccql::Cognito::WebAuthnCredential"
	typeWebAuthnRegistration = "ccql::Cognito::WebAuthnRegistration"
)

// chWebAuthn is the USER_AUTH first factor and challenge of passkeys.
const chWebAuthn = "WEB_AUTHN"

const (
	// webAuthnTimeout is the ceremony timeout the options announce and how
	// long a registration challenge stays valid (an emulator choice; AWS
	// does not document its value).
	webAuthnTimeout = 3 * time.Minute
	// maxWebAuthnCredentials is how many passkeys one user may register
	// (Cognito's quota).
	maxWebAuthnCredentials = 20
	// webAuthnChallengeBytes is the size of a random challenge.
	webAuthnChallengeBytes = 32
)

// The WebAuthn exceptions of the SDK's model.
const (
	typeWebAuthnNotEnabled        = "WebAuthnNotEnabledException"
	typeWebAuthnConfigMissing     = "WebAuthnConfigurationMissingException"
	typeWebAuthnChallengeNotFound = "WebAuthnChallengeNotFoundException"
	typeWebAuthnClientMismatch    = "WebAuthnClientMismatchException"
	typeWebAuthnNotSupported      = "WebAuthnCredentialNotSupportedException"
	typeWebAuthnOriginNotAllowed  = "WebAuthnOriginNotAllowedException"
	typeWebAuthnRPMismatch        = "WebAuthnRelyingPartyMismatchException"
)

// Messages of the passkey operations. AWS's wording is not recorded: these
// are the emulator's, built from the SDK's descriptions of the exceptions.
var (
	errWebAuthnNotEnabled     = apiErrorf(typeWebAuthnNotEnabled, "Passkeys are not enabled for this user pool: add WEB_AUTHN to Policies.SignInPolicy.AllowedFirstAuthFactors.")
	errWebAuthnConfigMissing  = apiErrorf(typeWebAuthnConfigMissing, "The user pool has no passkey relying party id and no domain.")
	errWebAuthnNoChallenge    = apiErrorf(typeWebAuthnChallengeNotFound, "No passkey registration is in progress for the user, or its challenge has expired.")
	errWebAuthnClientMismatch = apiErrorf(typeWebAuthnClientMismatch, "The access token was issued to a different app client than the one that started the passkey registration.")
)

// webAuthnCredential is a stored passkey.
type webAuthnCredential struct {
	CredentialID            string       `json:"CredentialId"` // base64url of the raw id
	FriendlyCredentialName  string       `json:"FriendlyCredentialName"`
	RelyingPartyID          string       `json:"RelyingPartyId"`
	AuthenticatorAttachment string       `json:"AuthenticatorAttachment,omitempty"`
	AuthenticatorTransports []string     `json:"AuthenticatorTransports"`
	CreatedAt               epochSeconds `json:"CreatedAt"`
	// PublicKey is the credential's COSE_Key as the authenticator gave it.
	PublicKey         []byte        `json:"PublicKey"`
	SignCount         uint32        `json:"SignCount"`
	AAGUID            string        `json:"Aaguid,omitempty"`
	AttestationFormat string        `json:"AttestationFormat"`
	LastUsed          *epochSeconds `json:"LastUsed,omitempty"`
}

// webAuthnRegistration is a registration in progress: the challenge of
// StartWebAuthnRegistration and what it was issued for.
type webAuthnRegistration struct {
	Challenge        string `json:"Challenge"` // base64url
	ClientID         string `json:"ClientId"`
	RelyingPartyID   string `json:"RelyingPartyId"`
	UserVerification string `json:"UserVerification"`
	Expires          int64  `json:"Expires"` // Unix seconds
}

// webAuthnPool is a pool's passkey settings.
type webAuthnPool struct {
	// Enabled says the sign-in policy allows WEB_AUTHN as a first factor.
	Enabled bool
	// RPID is the relying party id: WebAuthnRelyingPartyID, else the custom
	// domain, else the prefix domain's host; "" when there is none.
	RPID string
	// UserVerification is "required" or "preferred" (the default).
	UserVerification string
	// Factor is WebAuthnFactorConfiguration (SINGLE_FACTOR by default).
	Factor string
}

// loadWebAuthnPool reads cfg's passkey settings.
func loadWebAuthnPool(env handler.Env, tx handler.Tx, cfg *poolConfig) (webAuthnPool, error) {
	wp := webAuthnPool{UserVerification: "preferred", Factor: "SINGLE_FACTOR"}
	if pol, ok := cfg.Model["Policies"].(map[string]any); ok {
		if sp, ok := pol["SignInPolicy"].(map[string]any); ok {
			wp.Enabled = contains(stringList(sp["AllowedFirstAuthFactors"]), chWebAuthn)
		}
	}
	if s, _ := cfg.Model["WebAuthnUserVerification"].(string); s != "" {
		wp.UserVerification = s
	}
	if s, _ := cfg.Model["WebAuthnFactorConfiguration"].(string); s != "" {
		wp.Factor = s
	}
	if s, _ := cfg.Model["WebAuthnRelyingPartyID"].(string); s != "" {
		wp.RPID = s
		return wp, nil
	}
	prefix, custom, err := poolDomains(tx, cfg.ID)
	if err != nil {
		return wp, fmt.Errorf("domains of %s: %w", cfg.ID, err)
	}
	switch {
	case custom != "":
		wp.RPID = custom
	case prefix != "":
		wp.RPID = prefix + ".auth." + env.Region + ".amazoncognito.com"
	}
	return wp, nil
}

// uvRequired says whether the pool requires user verification.
func (wp webAuthnPool) uvRequired() bool { return wp.UserVerification == "required" }

// originAllowed reports whether a ceremony's origin belongs to rpID: the
// origin's host is the RP ID or one of its subdomains (the browser's own
// rule), over https, or over http for localhost, which browsers treat as a
// secure context.
func originAllowed(origin, rpID string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || u.Path != "" && u.Path != "/" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	rp := strings.ToLower(rpID)
	if host != rp && !strings.HasSuffix(host, "."+rp) {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		return host == "localhost" || strings.HasSuffix(host, ".localhost")
	}
	return false
}

func webAuthnKeyPrefix(poolID, sub string) string { return poolID + "|" + sub + "|" }

// listWebAuthnCredentials returns the passkeys of the user with sub, in
// credential id order, with their store identifiers.
func listWebAuthnCredentials(tx handler.Tx, poolID, sub string) ([]handler.Record, []*webAuthnCredential, error) {
	recs, err := tx.List(typeWebAuthnCredential, webAuthnKeyPrefix(poolID, sub))
	if err != nil {
		return nil, nil, fmt.Errorf("list passkeys: %w", err)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Identifier < recs[j].Identifier })
	out := make([]*webAuthnCredential, len(recs))
	for i, r := range recs {
		var c webAuthnCredential
		if err := decodeRaw(r.Model, &c); err != nil {
			return nil, nil, err
		}
		out[i] = &c
	}
	return recs, out, nil
}

// forgetWebAuthn deletes u's passkeys and registration in progress (the
// user's deletion).
func forgetWebAuthn(tx handler.Tx, u *user) error {
	if u.Sub == "" {
		return nil
	}
	recs, err := tx.List(typeWebAuthnCredential, webAuthnKeyPrefix(u.PoolID, u.Sub))
	if err != nil {
		return fmt.Errorf("list passkeys: %w", err)
	}
	for _, r := range recs {
		if err := deleteIfPresent(tx, typeWebAuthnCredential, r.Identifier); err != nil {
			return err
		}
		if err := unindexWebAuthnCredential(tx, u.PoolID, strings.TrimPrefix(r.Identifier, webAuthnKeyPrefix(u.PoolID, u.Sub))); err != nil {
			return err
		}
	}
	return deleteIfPresent(tx, typeWebAuthnRegistration, u.PoolID+"|"+u.Sub)
}

// hasWebAuthnCredential reports whether u has a passkey for rpID.
func hasWebAuthnCredential(tx handler.Tx, u *user, rpID string) (bool, error) {
	_, creds, err := listWebAuthnCredentials(tx, u.PoolID, u.Sub)
	if err != nil {
		return false, err
	}
	for _, c := range creds {
		if c.RelyingPartyID == rpID {
			return true, nil
		}
	}
	return false, nil
}

// newWebAuthnChallenge draws a random challenge, base64url-encoded.
func newWebAuthnChallenge(env handler.Env) (string, error) {
	b := make([]byte, webAuthnChallengeBytes)
	if _, err := io.ReadFull(randSource(env.Rand), b); err != nil {
		return "", fmt.Errorf("passkey challenge: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// credentialParams are the key algorithms the pool accepts: ES256 and RS256.
var credentialParams = []protocol.CredentialParameter{
	{Type: protocol.PublicKeyCredentialType, Algorithm: webauthncose.AlgES256},
	{Type: protocol.PublicKeyCredentialType, Algorithm: webauthncose.AlgRS256},
}

// descriptors lists creds as PublicKeyCredentialDescriptorJSON values.
func descriptors(creds []*webAuthnCredential, rpID string) []map[string]any {
	out := []map[string]any{}
	for _, c := range creds {
		if c.RelyingPartyID != rpID {
			continue
		}
		d := map[string]any{"type": "public-key", "id": c.CredentialID}
		if len(c.AuthenticatorTransports) > 0 {
			d["transports"] = c.AuthenticatorTransports
		}
		out = append(out, d)
	}
	return out
}

// webAuthnUserHandle is the user.id of the creation options, which the
// authenticator returns as userHandle: the bytes of the user's sub.
func webAuthnUserHandle(u *user) string {
	return base64.RawURLEncoding.EncodeToString([]byte(u.Sub))
}

// passkeyCall resolves the access token of a passkey operation and the
// pool's passkey settings; the pool must allow passkeys.
func passkeyCall(ctx context.Context, env handler.Env, tx handler.Tx, token *string) (*tokenCall, webAuthnPool, error) {
	tc, err := withAccessToken(ctx, env, tx, token)
	if err != nil {
		return nil, webAuthnPool{}, err
	}
	wp, err := loadWebAuthnPool(env, tx, tc.cfg)
	if err != nil {
		return nil, wp, err
	}
	return tc, wp, nil
}

func passkeyOperations() map[string]Operation {
	return map[string]Operation{
		"StartWebAuthnRegistration":    opStartWebAuthnRegistration,
		"CompleteWebAuthnRegistration": opCompleteWebAuthnRegistration,
		"ListWebAuthnCredentials":      opListWebAuthnCredentials,
		"DeleteWebAuthnCredential":     opDeleteWebAuthnCredential,
	}
}

// opStartWebAuthnRegistration answers the PublicKeyCredentialCreationOptions
// (JSON form) of a new passkey for the user of the access token and keeps
// its challenge until CompleteWebAuthnRegistration or the timeout.
func opStartWebAuthnRegistration(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in accessTokenRequest
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	tc, wp, err := passkeyCall(ctx, env, tx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	if !wp.Enabled {
		return nil, errWebAuthnNotEnabled
	}
	if wp.RPID == "" {
		return nil, errWebAuthnConfigMissing
	}
	u := tc.user
	_, creds, err := listWebAuthnCredentials(tx, tc.cfg.ID, u.Sub)
	if err != nil {
		return nil, err
	}
	if len(creds) >= maxWebAuthnCredentials {
		return nil, apiErrorf(typeLimitExceeded, "The user already has the maximum of %d passkeys.", maxWebAuthnCredentials)
	}
	challenge, err := newWebAuthnChallenge(env)
	if err != nil {
		return nil, err
	}
	reg := webAuthnRegistration{
		Challenge: challenge, ClientID: tc.at.claims.ClientID, RelyingPartyID: wp.RPID,
		UserVerification: wp.UserVerification, Expires: env.Now.Add(webAuthnTimeout).Unix(),
	}
	if err := putJSON(tx, typeWebAuthnRegistration, tc.cfg.ID+"|"+u.Sub, reg); err != nil {
		return nil, err
	}
	display := u.Username
	if e, _ := u.attr("email"); e != "" {
		display = e
	}
	params := make([]map[string]any, len(credentialParams))
	for i, p := range credentialParams {
		params[i] = map[string]any{"type": string(p.Type), "alg": int(p.Algorithm)}
	}
	return map[string]any{"CredentialCreationOptions": map[string]any{
		"rp":                 map[string]any{"id": wp.RPID, "name": wp.RPID},
		"user":               map[string]any{"id": webAuthnUserHandle(u), "name": u.Username, "displayName": display},
		"challenge":          challenge,
		"pubKeyCredParams":   params,
		"timeout":            webAuthnTimeout.Milliseconds(),
		"excludeCredentials": descriptors(creds, wp.RPID),
		"authenticatorSelection": map[string]any{
			"residentKey": "required", "requireResidentKey": true, "userVerification": wp.UserVerification,
		},
		"attestation": "none",
	}}, nil
}

// credentialJSON returns the JSON text of a Credential document: the
// object itself, or the text of a JSON string (clients send both).
func credentialJSON(raw json.RawMessage) ([]byte, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, false
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false
		}
		return []byte(s), true
	}
	return raw, raw[0] == '{'
}

// parseRegistration decodes a RegistrationResponseJSON.
func parseRegistration(text []byte) (*protocol.ParsedCredentialCreationData, error) {
	pcc, err := protocol.ParseCredentialCreationResponseBytes(text)
	if err != nil {
		return nil, fmt.Errorf("registration response: %w", err)
	}
	return pcc, nil
}

// parseAssertion decodes an AuthenticationResponseJSON.
func parseAssertion(text []byte) (*protocol.ParsedCredentialAssertionData, error) {
	par, err := protocol.ParseCredentialRequestResponseBytes(text)
	if err != nil {
		return nil, fmt.Errorf("authentication response: %w", err)
	}
	return par, nil
}

// checkClientData checks a ceremony's client data against what the pool
// expects, with the exception each failure raises; the library repeats
// these checks, this sorts the failures into Cognito's exceptions.
func checkClientData(cd protocol.CollectedClientData, ceremony protocol.CeremonyType, challenge, rpID string, wrongChallenge *APIError) *APIError {
	if cd.Type != ceremony {
		return invalidParameter("The client data type is %q, not %q.", cd.Type, ceremony)
	}
	if cd.Challenge != challenge {
		return wrongChallenge
	}
	if !originAllowed(cd.Origin, rpID) {
		return apiErrorf(typeWebAuthnOriginNotAllowed, "The origin %s does not belong to the relying party %s.", cd.Origin, rpID)
	}
	if cd.CrossOrigin {
		return apiErrorf(typeWebAuthnOriginNotAllowed, "Cross-origin passkey ceremonies are not allowed.")
	}
	return nil
}

// libraryDetail is the detail of a go-webauthn failure, for messages;
// withInfo adds the library's debug information, which for a parse
// failure describes the input, and for a verification failure may quote
// the expected challenge, so verification failures leave it out.
func libraryDetail(err error, withInfo bool) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		if withInfo && pe.DevInfo != "" {
			return pe.Details + ": " + pe.DevInfo
		}
		return pe.Details
	}
	return err.Error()
}

func opCompleteWebAuthnRegistration(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		AccessToken *string         `json:"AccessToken"`
		Credential  json.RawMessage `json:"Credential"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if len(in.Credential) == 0 || string(in.Credential) == "null" {
		var v violations
		v.add("null", "credential", "Member must not be null")
		if in.AccessToken == nil {
			v.add("null", "accessToken", "Member must not be null")
		}
		return nil, v.err()
	}
	tc, wp, err := passkeyCall(ctx, env, tx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	if !wp.Enabled {
		return nil, errWebAuthnNotEnabled
	}
	u := tc.user
	regKey := tc.cfg.ID + "|" + u.Sub
	var reg webAuthnRegistration
	found, err := getJSON(tx, typeWebAuthnRegistration, regKey, &reg)
	if err != nil {
		return nil, err
	}
	if !found || env.Now.Unix() >= reg.Expires {
		return nil, errWebAuthnNoChallenge
	}
	if reg.ClientID != tc.at.claims.ClientID {
		return nil, errWebAuthnClientMismatch
	}
	// The challenge is spent by any verification attempt, failed or not:
	// a failure commits its deletion.
	if err := deleteIfPresent(tx, typeWebAuthnRegistration, regKey); err != nil {
		return nil, err
	}
	fail := committed
	text, ok := credentialJSON(in.Credential)
	if !ok {
		return nil, fail(invalidParameter("Credential is not a RegistrationResponseJSON object."))
	}
	pcc, err := parseRegistration(text)
	if err != nil {
		return nil, fail(invalidParameter("Invalid passkey registration response: %s", libraryDetail(err, true)))
	}
	if e := checkClientData(pcc.Response.CollectedClientData, protocol.CreateCeremony, reg.Challenge, reg.RelyingPartyID, errWebAuthnNoChallenge); e != nil {
		return nil, fail(e)
	}
	if wp.RPID != reg.RelyingPartyID {
		return nil, fail(apiErrorf(typeWebAuthnRPMismatch, "The user pool's relying party id changed during the registration."))
	}
	ad := pcc.Response.AttestationObject.AuthData
	if !rpIDHashMatches(ad.RPIDHash, reg.RelyingPartyID) {
		return nil, fail(apiErrorf(typeWebAuthnRPMismatch, "The passkey was created for a relying party other than %s.", reg.RelyingPartyID))
	}
	uvRequired := reg.UserVerification == "required"
	if _, err := pcc.Verify(reg.Challenge, reg.RelyingPartyID, []string{pcc.Response.CollectedClientData.Origin}, nil, nil,
		protocol.TopOriginExplicitVerificationMode, false, uvRequired, true, nil, credentialParams,
		protocol.AttestationPolicy{}, protocol.SignaturePolicy{}); err != nil {
		return nil, fail(apiErrorf(typeWebAuthnNotSupported, "The passkey credential is not supported: %s", libraryDetail(err, false)))
	}
	credID := base64.RawURLEncoding.EncodeToString(ad.AttData.CredentialID)
	if dup, err := webAuthnCredentialOwner(tx, tc.cfg.ID, credID); err != nil {
		return nil, err
	} else if dup {
		return nil, fail(invalidParameter("The passkey credential is already registered."))
	}
	_, creds, err := listWebAuthnCredentials(tx, tc.cfg.ID, u.Sub)
	if err != nil {
		return nil, err
	}
	if len(creds) >= maxWebAuthnCredentials {
		return nil, fail(apiErrorf(typeLimitExceeded, "The user already has the maximum of %d passkeys.", maxWebAuthnCredentials))
	}
	transports := []string{}
	for _, t := range pcc.Response.Transports {
		transports = append(transports, string(t))
	}
	c := webAuthnCredential{
		CredentialID:            credID,
		FriendlyCredentialName:  friendlyCredentialName(string(pcc.AuthenticatorAttachment), len(creds)+1),
		RelyingPartyID:          reg.RelyingPartyID,
		AuthenticatorAttachment: string(pcc.AuthenticatorAttachment),
		AuthenticatorTransports: transports,
		CreatedAt:               epochSeconds(env.Now),
		PublicKey:               ad.AttData.CredentialPublicKey,
		SignCount:               ad.Counter,
		AttestationFormat:       pcc.Response.AttestationObject.Format,
	}
	if aaguid := ad.AttData.AAGUID; len(aaguid) == 16 && !bytes.Equal(aaguid, make([]byte, 16)) {
		c.AAGUID = fmt.Sprintf("%x-%x-%x-%x-%x", aaguid[0:4], aaguid[4:6], aaguid[6:8], aaguid[8:10], aaguid[10:16])
	}
	if err := putJSON(tx, typeWebAuthnCredential, webAuthnKeyPrefix(tc.cfg.ID, u.Sub)+credID, c); err != nil {
		return nil, err
	}
	if err := indexWebAuthnCredential(tx, tc.cfg.ID, u.Sub, credID); err != nil { // passkey_index.go
		return nil, err
	}
	return struct{}{}, nil
}

// committed returns a copy of e that keeps the failing call's writes
// (the spent challenge or session); the copy leaves shared errors alone.
func committed(e *APIError) error {
	c := *e
	c.Commit = true
	return &c
}

// rpIDHashMatches compares an rpIdHash with SHA-256(rpID).
func rpIDHashMatches(hash []byte, rpID string) bool {
	want := sha256.Sum256([]byte(rpID))
	return bytes.Equal(hash, want[:])
}

// friendlyCredentialName names the n-th passkey of a user (Cognito
// generates a name; its scheme is not documented).
func friendlyCredentialName(attachment string, n int) string {
	kind := "Passkey"
	switch attachment {
	case "platform":
		kind = "Platform passkey"
	case "cross-platform":
		kind = "Security key"
	}
	return fmt.Sprintf("%s %d", kind, n)
}

func opListWebAuthnCredentials(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		AccessToken *string `json:"AccessToken"`
		NextToken   *string `json:"NextToken"`
		MaxResults  *int    `json:"MaxResults"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkString("nextToken", in.NextToken, 1, 131072, &patNextToken)
	v.checkInt("maxResults", in.MaxResults, 1, 20)
	if err := v.err(); err != nil {
		return nil, err
	}
	tc, _, err := passkeyCall(ctx, env, tx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	// The token is bound to the list's scope: this user of this pool.
	p, err := keyPage(tx, typeWebAuthnCredential, webAuthnKeyPrefix(tc.cfg.ID, tc.user.Sub), deref(in.MaxResults, 20), in.NextToken, "ListWebAuthnCredentials|"+tc.cfg.ID+"|"+tc.user.Sub, nil)
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for _, r := range p.recs {
		c := new(webAuthnCredential)
		if err := decodeRaw(r.Model, c); err != nil {
			return nil, err
		}
		d := map[string]any{
			"CredentialId":            c.CredentialID,
			"FriendlyCredentialName":  c.FriendlyCredentialName,
			"RelyingPartyId":          c.RelyingPartyID,
			"AuthenticatorTransports": c.AuthenticatorTransports,
			"CreatedAt":               c.CreatedAt,
		}
		if c.AuthenticatorAttachment != "" {
			d["AuthenticatorAttachment"] = c.AuthenticatorAttachment
		}
		out = append(out, d)
	}
	res := map[string]any{"Credentials": out}
	if p.next != "" {
		res["NextToken"] = p.next
	}
	return res, nil
}

func opDeleteWebAuthnCredential(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		AccessToken  *string `json:"AccessToken"`
		CredentialID *string `json:"CredentialId"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("credentialId", in.CredentialID, 1, 2048, nil)
	if err := v.err(); err != nil {
		return nil, err
	}
	tc, _, err := passkeyCall(ctx, env, tx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	key := webAuthnKeyPrefix(tc.cfg.ID, tc.user.Sub) + *in.CredentialID
	if _, err := tx.Get(typeWebAuthnCredential, key); errors.Is(err, handler.ErrNotFound) {
		return nil, resourceNotFound("Credential not found.")
	} else if err != nil {
		return nil, fmt.Errorf("get passkey: %w", err)
	}
	if err := deleteIfPresent(tx, typeWebAuthnCredential, key); err != nil {
		return nil, err
	}
	if err := unindexWebAuthnCredential(tx, tc.cfg.ID, *in.CredentialID); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// applyWebAuthnConfiguration sets the pool's WebAuthnConfiguration from
// the body of SetUserPoolMfaConfig (none: unchanged); the settings given
// replace the previous ones.
func applyWebAuthnConfiguration(pool map[string]any, body []byte) error {
	var req struct {
		WebAuthnConfiguration *webAuthnConfigurationInput `json:"WebAuthnConfiguration"`
	}
	if err := decodeBody(body, &req); err != nil {
		return err
	}
	in := req.WebAuthnConfiguration
	if in == nil {
		return nil
	}
	var v violations
	v.checkString("webAuthnConfiguration.relyingPartyId", in.RelyingPartyID, 1, 63, nil)
	v.checkEnum("webAuthnConfiguration.userVerification", in.UserVerification, []string{"required", "preferred"})
	v.checkEnum("webAuthnConfiguration.factorConfiguration", in.FactorConfiguration, []string{"SINGLE_FACTOR", "MULTI_FACTOR_WITH_USER_VERIFICATION"})
	if err := v.err(); err != nil {
		return err
	}
	set := func(key string, val *string) {
		if val == nil {
			delete(pool, key)
			return
		}
		pool[key] = *val
	}
	set("WebAuthnRelyingPartyID", in.RelyingPartyID)
	set("WebAuthnUserVerification", in.UserVerification)
	set("WebAuthnFactorConfiguration", in.FactorConfiguration)
	return nil
}

// webAuthnConfigurationInput is WebAuthnConfigurationType.
type webAuthnConfigurationInput struct {
	RelyingPartyID      *string `json:"RelyingPartyId"`
	UserVerification    *string `json:"UserVerification"`
	FactorConfiguration *string `json:"FactorConfiguration"`
}

// webAuthnConfigurationOut renders GetUserPoolMfaConfig's
// WebAuthnConfiguration: what is set, with UserVerification defaulting to
// preferred; nil when the pool has no passkey settings.
func webAuthnConfigurationOut(pool map[string]any) map[string]any {
	out := map[string]any{}
	for key, name := range map[string]string{
		"WebAuthnRelyingPartyID": "RelyingPartyId", "WebAuthnUserVerification": "UserVerification",
		"WebAuthnFactorConfiguration": "FactorConfiguration",
	} {
		if s, ok := pool[key].(string); ok && s != "" {
			out[name] = s
		}
	}
	if len(out) == 0 {
		return nil
	}
	if out["UserVerification"] == nil {
		out["UserVerification"] = "preferred"
	}
	return out
}

// webAuthnStart is the WEB_AUTHN challenge of USER_AUTH: the
// PublicKeyCredentialRequestOptions (JSON text) with a new challenge bound
// to the challenge's session.
func (f *flow) webAuthnStart(u *user) (any, error) {
	wp, err := loadWebAuthnPool(f.env, f.tx, f.cfg)
	if err != nil {
		return nil, err
	}
	_, creds, err := listWebAuthnCredentials(f.tx, f.cfg.ID, u.Sub)
	if err != nil {
		return nil, err
	}
	challenge, err := newWebAuthnChallenge(f.env)
	if err != nil {
		return nil, err
	}
	uv := wp.UserVerification
	if passkeyMFA(f.cfg, u) {
		uv = "required" // passkey MFA "requires user verification"
	}
	opts, err := json.Marshal(map[string]any{
		"challenge":        challenge,
		"timeout":          webAuthnTimeout.Milliseconds(),
		"rpId":             wp.RPID,
		"allowCredentials": descriptors(creds, wp.RPID),
		"userVerification": uv,
	})
	if err != nil {
		return nil, fmt.Errorf("credential request options: %w", err)
	}
	s := &authSession{WebAuthnChallenge: challenge}
	return f.challenge(u, chWebAuthn, s, map[string]string{"CREDENTIAL_REQUEST_OPTIONS": string(opts)})
}

// webAuthnAnswer verifies the CREDENTIAL of a WEB_AUTHN challenge: an
// assertion by one of u's passkeys over the session's challenge. The
// session is spent either way (takeSession marked it; failures commit).
func (f *flow) webAuthnAnswer(u *user, s *authSession, resp map[string]string) (any, error) {
	text := resp["CREDENTIAL"]
	if text == "" {
		return nil, missingParameter("CREDENTIAL")
	}
	fail := committed
	incorrect := func() error { return fail(apiErrorf(typeNotAuthorized, msgIncorrect)) }
	wp, err := loadWebAuthnPool(f.env, f.tx, f.cfg)
	if err != nil {
		return nil, err
	}
	par, err := parseAssertion([]byte(text))
	if err != nil {
		return nil, fail(invalidParameter("Invalid CREDENTIAL: %s", libraryDetail(err, true)))
	}
	if s.WebAuthnChallenge == "" {
		return nil, errSessionInvalid
	}
	if e := checkClientData(par.Response.CollectedClientData, protocol.AssertCeremony, s.WebAuthnChallenge, wp.RPID,
		apiErrorf(typeNotAuthorized, msgIncorrect)); e != nil {
		return nil, fail(e)
	}
	credID := base64.RawURLEncoding.EncodeToString(par.RawID)
	key := webAuthnKeyPrefix(f.cfg.ID, u.Sub) + credID
	var c webAuthnCredential
	found, err := getJSON(f.tx, typeWebAuthnCredential, key, &c)
	if err != nil {
		return nil, err
	}
	if !found || c.RelyingPartyID != wp.RPID {
		return nil, incorrect()
	}
	if h := par.Response.UserHandle; len(h) > 0 && string(h) != u.Sub {
		return nil, incorrect()
	}
	if !rpIDHashMatches(par.Response.AuthenticatorData.RPIDHash, wp.RPID) {
		return nil, fail(apiErrorf(typeWebAuthnRPMismatch, "The passkey was used for a relying party other than %s.", wp.RPID))
	}
	// With passkey MFA in force the user's passkey authentication
	// requires user verification, whatever the pool's UserVerification.
	mfa := passkeyMFA(f.cfg, u)
	if err := par.Verify(s.WebAuthnChallenge, wp.RPID, "", []string{par.Response.CollectedClientData.Origin}, nil, nil,
		protocol.TopOriginExplicitVerificationMode, false, wp.uvRequired() || mfa, true, c.PublicKey, protocol.SignaturePolicy{}); err != nil {
		return nil, incorrect()
	}
	// The signature counter must grow unless the authenticator keeps none
	// (both zero); a counter that does not is a cloned authenticator.
	count := par.Response.AuthenticatorData.Counter
	if (count != 0 || c.SignCount != 0) && count <= c.SignCount {
		return nil, incorrect()
	}
	c.SignCount = count
	now := epochSeconds(f.env.Now)
	c.LastUsed = &now
	if err := putJSON(f.tx, typeWebAuthnCredential, key, c); err != nil {
		return nil, err
	}
	// A verified passkey satisfies MFA when passkey MFA is in force for
	// the user (passkeys_mfa.go); otherwise MFA follows it as after any
	// first factor.
	if mfa && par.Response.AuthenticatorData.Flags.HasUserVerified() {
		return f.passkeyMFAComplete(u, f.env.Now.Unix())
	}
	return f.afterFirstFactor(u, f.env.Now.Unix())
}

// hasPasskey reports whether u has a passkey for the pool's relying party
// (a store failure counts as none: firstFactors cannot fail).
func (f *flow) hasPasskey(u *user) bool {
	wp, err := loadWebAuthnPool(f.env, f.tx, f.cfg)
	if err != nil || wp.RPID == "" {
		return false
	}
	ok, err := hasWebAuthnCredential(f.tx, u, wp.RPID)
	return err == nil && ok
}
