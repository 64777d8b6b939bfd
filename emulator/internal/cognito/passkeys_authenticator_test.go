package cognito

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math/big"
	"testing"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
)

// softAuthenticator is a software WebAuthn authenticator for tests: it
// builds attestation objects ("none" or "packed" self attestation) and
// assertions the way a CTAP2 authenticator and the browser do, with an
// ES256 or RS256 key. Ceremony fields can be overridden to build the
// negative cases.
type softAuthenticator struct {
	t      *testing.T
	alg    int // -7 (ES256) or -257 (RS256)
	ec     *ecdsa.PrivateKey
	rsa    *rsa.PrivateKey
	credID []byte
	count  uint32
	// userHandle is what create() was given as user.id (raw bytes).
	userHandle []byte
}

func newSoftAuthenticator(t *testing.T, alg int) *softAuthenticator {
	t.Helper()
	a := &softAuthenticator{t: t, alg: alg, credID: make([]byte, 16)}
	if _, err := rand.Read(a.credID); err != nil {
		t.Fatal(err)
	}
	var err error
	switch alg {
	case -7:
		a.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case -257:
		a.rsa, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		t.Fatalf("unsupported alg %d", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (a *softAuthenticator) id() string { return base64.RawURLEncoding.EncodeToString(a.credID) }

// coseKey is the credential public key as a COSE_Key.
func (a *softAuthenticator) coseKey() []byte {
	var m map[int]any
	if a.ec != nil {
		pad := func(n *big.Int) []byte { return n.FillBytes(make([]byte, 32)) }
		m = map[int]any{1: 2, 3: -7, -1: 1, -2: pad(a.ec.X), -3: pad(a.ec.Y)}
	} else {
		m = map[int]any{1: 3, 3: -257, -1: a.rsa.N.Bytes(), -2: big.NewInt(int64(a.rsa.E)).Bytes()}
	}
	b, err := webauthncbor.Marshal(m)
	if err != nil {
		a.t.Fatal(err)
	}
	return b
}

// Authenticator data flags.
const (
	flagUP = 0x01
	flagUV = 0x04
	flagAT = 0x40
)

// authData builds authenticator data for rpID; attested adds the
// attested credential data.
func (a *softAuthenticator) authData(rpID string, flags byte, attested bool) []byte {
	h := sha256.Sum256([]byte(rpID))
	out := append([]byte{}, h[:]...)
	if attested {
		flags |= flagAT
	}
	out = append(out, flags)
	out = binary.BigEndian.AppendUint32(out, a.count)
	if attested {
		out = append(out, make([]byte, 16)...) // AAGUID: zero, as a software key
		out = binary.BigEndian.AppendUint16(out, uint16(len(a.credID)))
		out = append(out, a.credID...)
		out = append(out, a.coseKey()...)
	}
	return out
}

func (a *softAuthenticator) sign(data []byte) []byte {
	sum := sha256.Sum256(data)
	var sig []byte
	var err error
	if a.ec != nil {
		sig, err = ecdsa.SignASN1(rand.Reader, a.ec, sum[:])
	} else {
		sig, err = rsa.SignPKCS1v15(rand.Reader, a.rsa, crypto.SHA256, sum[:])
	}
	if err != nil {
		a.t.Fatal(err)
	}
	return sig
}

// ceremony is what a browser would put in the client data, and what the
// authenticator signs; zero fields take the real values.
type ceremony struct {
	typ, challenge, origin, rpID string
	flags                        byte // default UP|UV
	format                       string
	badSignature                 bool
	credID                       []byte // assertion: the credential presented
	count                        *uint32
	noUserHandle                 bool
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (c ceremony) clientData(defType, challenge, origin string) []byte {
	if c.typ != "" {
		defType = c.typ
	}
	if c.challenge != "" {
		challenge = c.challenge
	}
	if c.origin != "" {
		origin = c.origin
	}
	b, _ := json.Marshal(map[string]any{"type": defType, "challenge": challenge, "origin": origin, "crossOrigin": false})
	return b
}

// create answers CredentialCreationOptions as navigator.credentials.create()
// and PublicKeyCredential.toJSON() do.
func (a *softAuthenticator) create(opts map[string]any, origin string, c ceremony) string {
	a.t.Helper()
	rp := opts["rp"].(map[string]any)
	rpID := rp["id"].(string)
	if c.rpID != "" {
		rpID = c.rpID
	}
	user := opts["user"].(map[string]any)
	handle, err := base64.RawURLEncoding.DecodeString(user["id"].(string))
	if err != nil {
		a.t.Fatal(err)
	}
	a.userHandle = handle
	flags := c.flags
	if flags == 0 {
		flags = flagUP | flagUV
	}
	cd := c.clientData("webauthn.create", opts["challenge"].(string), origin)
	ad := a.authData(rpID, flags, true)
	format := c.format
	if format == "" {
		format = "none"
	}
	stmt := map[string]any{}
	if format == "packed" {
		hash := sha256.Sum256(cd)
		sig := a.sign(append(append([]byte{}, ad...), hash[:]...))
		if c.badSignature {
			sig[len(sig)-1] ^= 0xff
		}
		stmt = map[string]any{"alg": a.alg, "sig": sig}
	}
	att, err := webauthncbor.Marshal(map[string]any{"fmt": format, "attStmt": stmt, "authData": ad})
	if err != nil {
		a.t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{
		"id": a.id(), "rawId": a.id(), "type": "public-key", "authenticatorAttachment": "platform",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON": b64(cd), "attestationObject": b64(att), "transports": []string{"internal"},
		},
	})
	return string(b)
}

// get answers a CREDENTIAL_REQUEST_OPTIONS text as navigator.credentials.get()
// and toJSON() do.
func (a *softAuthenticator) get(optsText, origin string, c ceremony) string {
	a.t.Helper()
	var opts map[string]any
	if err := json.Unmarshal([]byte(optsText), &opts); err != nil {
		a.t.Fatalf("CREDENTIAL_REQUEST_OPTIONS %q: %v", optsText, err)
	}
	rpID := opts["rpId"].(string)
	if c.rpID != "" {
		rpID = c.rpID
	}
	if c.count != nil {
		a.count = *c.count
	} else {
		a.count++
	}
	flags := c.flags
	if flags == 0 {
		flags = flagUP | flagUV
	}
	cd := c.clientData("webauthn.get", opts["challenge"].(string), origin)
	ad := a.authData(rpID, flags, false)
	hash := sha256.Sum256(cd)
	sig := a.sign(append(append([]byte{}, ad...), hash[:]...))
	if c.badSignature {
		sig[len(sig)-1] ^= 0xff
	}
	id := a.credID
	if c.credID != nil {
		id = c.credID
	}
	resp := map[string]any{"clientDataJSON": b64(cd), "authenticatorData": b64(ad), "signature": b64(sig)}
	if !c.noUserHandle {
		resp["userHandle"] = b64(a.userHandle)
	}
	b, _ := json.Marshal(map[string]any{
		"id": b64(id), "rawId": b64(id), "type": "public-key", "authenticatorAttachment": "platform",
		"clientExtensionResults": map[string]any{}, "response": resp,
	})
	return string(b)
}
