package pgwire

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// scramMechanism is the only SASL mechanism offered. SCRAM-SHA-256-PLUS
// (channel binding) is not offered, so clients send the "n" or "y" GS2 flag.
const scramMechanism = "SCRAM-SHA-256"

// errSCRAMProtocol is a malformed SCRAM exchange (as opposed to a wrong
// password).
var errSCRAMProtocol = errors.New("malformed SCRAM-SHA-256 message")

// scramExchange is the server side of one SCRAM-SHA-256 exchange (RFC 5802,
// RFC 7677) as PostgreSQL runs it: the user name comes from the startup
// message, the one in client-first-message is ignored.
type scramExchange struct {
	v     verifier
	known bool // false: v is a decoy, the proof can never match

	gs2Header       string
	clientFirstBare string
	serverFirst     string
	nonce           string
}

// newSCRAMExchange starts an exchange for a user. For an unknown user the
// exchange still runs, with a decoy salt derived from the name, so that a
// client cannot tell unknown users from wrong passwords.
func newSCRAMExchange(users *Users, name string, decoyKey []byte) *scramExchange {
	v, ok := users.lookup(name)
	if !ok {
		mac := hmacSum(decoyKey, []byte("salt:"+name))
		v = verifier{iterations: DefaultSCRAMIterations, salt: mac[:16],
			storedKey: hmacSum(decoyKey, []byte("stored:"+name)), serverKey: hmacSum(decoyKey, []byte("server:"+name))}
	}
	return &scramExchange{v: v, known: ok}
}

// clientFirst reads client-first-message and returns server-first-message.
func (x *scramExchange) clientFirst(msg []byte) ([]byte, error) {
	s := string(msg)
	// gs2-header: gs2-cbind-flag "," [authzid] ","
	flag, rest, ok := strings.Cut(s, ",")
	if !ok {
		return nil, errSCRAMProtocol
	}
	switch {
	case flag == "n", flag == "y":
	case strings.HasPrefix(flag, "p="):
		return nil, fmt.Errorf("%w: channel binding is not supported by this server", errSCRAMProtocol)
	default:
		return nil, errSCRAMProtocol
	}
	authzid, bare, ok := strings.Cut(rest, ",")
	if !ok || authzid != "" {
		return nil, fmt.Errorf("%w: authorization identity is not supported", errSCRAMProtocol)
	}
	x.gs2Header = flag + "," + authzid + ","
	x.clientFirstBare = bare
	var clientNonce string
	for i, attr := range strings.Split(bare, ",") {
		k, v, ok := strings.Cut(attr, "=")
		if !ok || len(k) != 1 {
			return nil, errSCRAMProtocol
		}
		switch {
		case i == 0 && k != "n":
			if k == "m" {
				return nil, fmt.Errorf("%w: mandatory extensions are not supported", errSCRAMProtocol)
			}
			return nil, errSCRAMProtocol
		case k == "r":
			clientNonce = v
		}
	}
	if clientNonce == "" || !printableNonce(clientNonce) {
		return nil, fmt.Errorf("%w: bad client nonce", errSCRAMProtocol)
	}
	raw := make([]byte, 18)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	x.nonce = clientNonce + base64.StdEncoding.EncodeToString(raw)
	x.serverFirst = fmt.Sprintf("r=%s,s=%s,i=%d", x.nonce, base64.StdEncoding.EncodeToString(x.v.salt), x.v.iterations)
	return []byte(x.serverFirst), nil
}

// clientFinal checks client-final-message. It returns server-final-message
// and whether the proof is right; a wrong password is (nil, false, nil).
func (x *scramExchange) clientFinal(msg []byte) ([]byte, bool, error) {
	s := string(msg)
	i := strings.LastIndex(s, ",p=")
	if i < 0 {
		return nil, false, errSCRAMProtocol
	}
	withoutProof, proofText := s[:i], s[i+3:]
	var binding, nonce string
	for _, attr := range strings.Split(withoutProof, ",") {
		k, v, ok := strings.Cut(attr, "=")
		if !ok {
			return nil, false, errSCRAMProtocol
		}
		switch k {
		case "c":
			binding = v
		case "r":
			nonce = v
		}
	}
	cb, err := base64.StdEncoding.DecodeString(binding)
	if err != nil || string(cb) != x.gs2Header {
		return nil, false, fmt.Errorf("%w: channel binding does not match", errSCRAMProtocol)
	}
	if nonce != x.nonce {
		return nil, false, fmt.Errorf("%w: nonce does not match", errSCRAMProtocol)
	}
	proof, err := base64.StdEncoding.DecodeString(proofText)
	if err != nil || len(proof) != sha256.Size {
		return nil, false, fmt.Errorf("%w: bad proof", errSCRAMProtocol)
	}
	authMessage := []byte(x.clientFirstBare + "," + x.serverFirst + "," + withoutProof)
	clientSignature := hmacSum(x.v.storedKey, authMessage)
	clientKey := make([]byte, sha256.Size)
	for i := range clientKey {
		clientKey[i] = proof[i] ^ clientSignature[i]
	}
	got := sha256.Sum256(clientKey)
	if subtle.ConstantTimeCompare(got[:], x.v.storedKey) != 1 || !x.known {
		return nil, false, nil
	}
	serverSignature := hmacSum(x.v.serverKey, authMessage)
	return []byte("v=" + base64.StdEncoding.EncodeToString(serverSignature)), true, nil
}

// printableNonce: RFC 5802's printable, any ASCII 0x21–0x7e except ','.
func printableNonce(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == ',' {
			return false
		}
	}
	return true
}
