// Package srp is the server side of the Secure Remote Password protocol
// (SRP-6a) exactly as Amazon Cognito user pools speak it with
// amazon-cognito-identity-js, Amplify and the Go and Python Cognito SRP
// clients: the 3072-bit group of RFC 5054 (RFC 3526 group 15), g = 2,
// H = SHA-256, and the client library's padHex encoding of big integers.
//
// This file holds the parameters and the password verifier, which the user
// store keeps instead of a password: it serves both the SRP handshake and
// the plain password flows (CheckPassword recomputes the verifier).
package srp

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
)

// nHex is the 3072-bit safe prime of RFC 3526 group 15 (RFC 5054 appendix
// A), spelled as amazon-cognito-identity-js's AuthenticationHelper spells it.
const nHex = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
	"29024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245" +
	"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D" +
	"C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D" +
	"670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9" +
	"DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
	"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64" +
	"ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B" +
	"F12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
	"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31" +
	"43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

// The group parameters, immutable after package initialisation. They are
// package values rather than per-call computations because every
// exponentiation of the handshake uses them; nothing ever writes them.
var (
	// N is the group's prime modulus.
	groupN = mustHexInt(nHex)
	// g is the generator, 2.
	groupG = big.NewInt(2)
	// k = H(PAD(N) ‖ PAD(g)), the SRP-6a multiplier.
	groupK = new(big.Int).SetBytes(hashHex(PadHex(groupN) + PadHex(groupG)))
)

// SaltSize is the length in bytes of the salts NewSalt draws.
const SaltSize = 16

// N returns a copy of the group's prime modulus.
func N() *big.Int { return new(big.Int).Set(groupN) }

// G returns a copy of the generator, 2.
func G() *big.Int { return new(big.Int).Set(groupG) }

// K returns a copy of the multiplier k = H(PAD(N) ‖ PAD(g)).
func K() *big.Int { return new(big.Int).Set(groupK) }

// NewSalt draws a 16-byte salt from r. The first byte is kept in 0x01…0x7f
// so that the hex form the server sends (SALT) reads the same in every
// client: amazon-cognito-identity-js and the Go client parse it into an
// integer and re-encode it with PadHex (dropping leading zero bytes, adding
// "00" before a high nibble ≥ 8), while Python's warrant pads the string as
// it came. With that first byte, both encodings equal hex(salt).
func NewSalt(r io.Reader) ([]byte, error) {
	salt := make([]byte, SaltSize)
	if _, err := io.ReadFull(r, salt); err != nil {
		return nil, fmt.Errorf("srp salt: %w", err)
	}
	salt[0] &= 0x7f
	if salt[0] == 0 {
		salt[0] = 1
	}
	return salt, nil
}

// Verifier returns the SRP verifier v = g^x mod N of a password, big-endian
// without padding, where
//
//	x = H(PAD(salt) ‖ H(poolName ‖ username ‖ ":" ‖ password))
//
// as AuthenticationHelper.getPasswordAuthenticationKey computes it: poolName
// is the part of the user pool id after "_", username is the user's
// USER_ID_FOR_SRP (the user name, not an alias), and salt is read as an
// unsigned big-endian integer and re-encoded with PadHex.
func Verifier(poolName, username, password string, salt []byte) []byte {
	return new(big.Int).Exp(groupG, X(poolName, username, password, salt), groupN).Bytes()
}

// X returns the private key x = H(PAD(salt) ‖ H(poolName ‖ username ‖ ":" ‖
// password)) of Verifier, as an integer.
func X(poolName, username, password string, salt []byte) *big.Int {
	inner := sha256.Sum256([]byte(poolName + username + ":" + password))
	saltHex := PadHex(new(big.Int).SetBytes(salt))
	return new(big.Int).SetBytes(hashHex(saltHex + hex.EncodeToString(inner[:])))
}

// CheckPassword reports whether password is the one verifier was made from,
// comparing in constant time.
func CheckPassword(poolName, username, password string, salt, verifier []byte) bool {
	got := Verifier(poolName, username, password, salt)
	return subtle.ConstantTimeCompare(got, trimLeadingZeros(verifier)) == 1
}

// PadHex is amazon-cognito-identity-js's padHex for a non-negative integer:
// lower-case hex, prefixed "0" when of odd length, and then "00" when the
// first nibble is 8 or more, so the bytes read as a positive number.
// Negative numbers never occur on the server side and are not supported.
func PadHex(n *big.Int) string {
	s := n.Text(16)
	if len(s)%2 != 0 {
		s = "0" + s
	}
	if s[0] >= '8' {
		s = "00" + s
	}
	return s
}

// PadBytes returns the bytes PadHex spells (the big-endian value with one
// leading zero byte when its high bit is set).
func PadBytes(n *big.Int) []byte {
	b, _ := hex.DecodeString(PadHex(n)) // PadHex always yields even-length hex
	return b
}

// hashHex is AuthenticationHelper.hexHash: SHA-256 of the bytes a hex
// string spells. Callers pass only even-length hex built by PadHex or
// hex.EncodeToString.
func hashHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(fmt.Sprintf("srp: internal hex %q: %v", s, err))
	}
	sum := sha256.Sum256(b)
	return sum[:]
}

func mustHexInt(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("srp: bad group constant")
	}
	return n
}

func trimLeadingZeros(b []byte) []byte {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return b
}
