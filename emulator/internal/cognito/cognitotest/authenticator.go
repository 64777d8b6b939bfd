package cognitotest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
)

// Authenticator is a software WebAuthn authenticator (a passkey) for tests
// that drive the IdP API from outside package cognito, with the real SDK:
// one ES256 credential, "none" attestation, a signature counter. It builds
// the RegistrationResponseJSON and AuthenticationResponseJSON a browser's
// PublicKeyCredential.toJSON() gives. (Package cognito's own tests have a
// fuller one, passkeys_authenticator_test.go, with the negative cases; it
// cannot be shared because cognitotest imports cognito.)
type Authenticator struct {
	key        *ecdsa.PrivateKey
	credID     []byte
	count      uint32
	userHandle []byte
}

// NewAuthenticator returns an authenticator with a new key and credential id.
func NewAuthenticator() (*Authenticator, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("passkey key: %w", err)
	}
	a := &Authenticator{key: key, credID: make([]byte, 16)}
	if _, err := rand.Read(a.credID); err != nil {
		return nil, fmt.Errorf("credential id: %w", err)
	}
	return a, nil
}

// ID is the credential id, base64url.
func (a *Authenticator) ID() string { return b64(a.credID) }

// Authenticator data flags: user present, user verified, attested data.
const (
	flagUP = 0x01
	flagUV = 0x04
	flagAT = 0x40
)

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// Create answers CredentialCreationOptions (StartWebAuthnRegistration's
// document, decoded) as navigator.credentials.create() would at origin,
// with user verification: the RegistrationResponseJSON object for
// CompleteWebAuthnRegistration's Credential.
func (a *Authenticator) Create(opts map[string]any, origin string) (map[string]any, error) {
	rp, _ := opts["rp"].(map[string]any)
	user, _ := opts["user"].(map[string]any)
	rpID, _ := rp["id"].(string)
	userID, _ := user["id"].(string)
	challenge, _ := opts["challenge"].(string)
	handle, err := base64.RawURLEncoding.DecodeString(userID)
	if err != nil {
		return nil, fmt.Errorf("user.id %q: %w", userID, err)
	}
	a.userHandle = handle
	cd, err := clientData("webauthn.create", challenge, origin)
	if err != nil {
		return nil, err
	}
	ad, err := a.authData(rpID, flagUP|flagUV, true)
	if err != nil {
		return nil, err
	}
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": ad})
	if err != nil {
		return nil, fmt.Errorf("attestation object: %w", err)
	}
	return map[string]any{
		"id": a.ID(), "rawId": a.ID(), "type": "public-key", "authenticatorAttachment": "platform",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON": b64(cd), "attestationObject": b64(att), "transports": []string{"internal"},
		},
	}, nil
}

// Get answers the WEB_AUTHN challenge's CREDENTIAL_REQUEST_OPTIONS text as
// navigator.credentials.get() would at origin: the JSON text of the
// AuthenticationResponseJSON for ChallengeResponses.CREDENTIAL. verified
// sets the UV flag (the authenticator verified the user, by biometrics
// or PIN); the UP flag is always set.
func (a *Authenticator) Get(optsText, origin string, verified bool) (string, error) {
	var opts struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
	}
	if err := json.Unmarshal([]byte(optsText), &opts); err != nil {
		return "", fmt.Errorf("CREDENTIAL_REQUEST_OPTIONS %q: %w", optsText, err)
	}
	a.count++
	flags := byte(flagUP)
	if verified {
		flags |= flagUV
	}
	cd, err := clientData("webauthn.get", opts.Challenge, origin)
	if err != nil {
		return "", err
	}
	ad, err := a.authData(opts.RPID, flags, false)
	if err != nil {
		return "", err
	}
	hash := sha256.Sum256(cd)
	sum := sha256.Sum256(append(append([]byte{}, ad...), hash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, sum[:])
	if err != nil {
		return "", fmt.Errorf("assertion signature: %w", err)
	}
	b, err := json.Marshal(map[string]any{
		"id": a.ID(), "rawId": a.ID(), "type": "public-key", "authenticatorAttachment": "platform",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON": b64(cd), "authenticatorData": b64(ad), "signature": b64(sig), "userHandle": b64(a.userHandle),
		},
	})
	if err != nil {
		return "", fmt.Errorf("assertion: %w", err)
	}
	return string(b), nil
}

func clientData(typ, challenge, origin string) ([]byte, error) {
	b, err := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": origin, "crossOrigin": false})
	if err != nil {
		return nil, fmt.Errorf("client data: %w", err)
	}
	return b, nil
}

// authData builds authenticator data for rpID; attested adds the
// attested credential data (zero AAGUID, the id, the COSE key).
func (a *Authenticator) authData(rpID string, flags byte, attested bool) ([]byte, error) {
	h := sha256.Sum256([]byte(rpID))
	out := append([]byte{}, h[:]...)
	if attested {
		flags |= flagAT
	}
	out = append(out, flags)
	out = binary.BigEndian.AppendUint32(out, a.count)
	if !attested {
		return out, nil
	}
	pad := func(n *big.Int) []byte { return n.FillBytes(make([]byte, 32)) }
	key, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: pad(a.key.X), -3: pad(a.key.Y)})
	if err != nil {
		return nil, fmt.Errorf("COSE key: %w", err)
	}
	out = append(out, make([]byte, 16)...)
	out = binary.BigEndian.AppendUint16(out, uint16(len(a.credID)))
	out = append(out, a.credID...)
	return append(out, key...), nil
}
