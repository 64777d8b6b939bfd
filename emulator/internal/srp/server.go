package srp

// The server side of Cognito's SRP-6a (reference cognito-signin.md part
// 4.4), written from the client's arithmetic in amazon-cognito-identity-js
// AuthenticationHelper.js: the server sends B, both sides derive the same
// 16-byte key with HKDF, and the client proves it knows the password with an
// HMAC over the pool name, its user id, the secret block and a timestamp.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"
)

// ErrInvalidA means the client's public value A is 0 modulo N, which would
// let anyone derive the session key without the password.
var ErrInvalidA = errors.New("srp: A mod N is zero")

// ErrInvalidU means the scrambler u = H(PAD(A) | PAD(B)) is zero, which
// the client refuses too.
var ErrInvalidU = errors.New("srp: u is zero")

// hashInts is H(PAD(a) | PAD(b)) as an integer.
func hashInts(a, b *big.Int) *big.Int {
	h := sha256.New()
	h.Write(PadBytes(a))
	h.Write(PadBytes(b))
	return new(big.Int).SetBytes(h.Sum(nil))
}

// secretBytes is the length of the server's random exponent b: 256 bits,
// the size RFC 5054 asks for at least. (Clients draw 1024 bits for a;
// a longer b would only make the server's two exponentiations by b
// slower.)
const secretBytes = 32

// Server is the server's half of one SRP exchange: the secret exponent b
// and the public value B = (k·v + g^b) mod N sent to the client as SRP_B.
// Secret and Public are what the server keeps between the two requests.
type Server struct {
	Secret []byte // b, big-endian; never sent or logged
	Public []byte // B, big-endian
}

// NewServer draws b from r and computes B for the verifier v (big-endian
// bytes of g^x mod N).
func NewServer(verifier []byte, r io.Reader) (*Server, error) {
	v := new(big.Int).SetBytes(verifier)
	for {
		raw := make([]byte, secretBytes)
		if _, err := io.ReadFull(r, raw); err != nil {
			return nil, fmt.Errorf("srp: draw b: %w", err)
		}
		b := new(big.Int).SetBytes(raw)
		b.Mod(b, groupN)
		if b.Sign() == 0 {
			continue
		}
		B := new(big.Int).Exp(groupG, b, groupN)
		kv := new(big.Int).Mul(groupK, v)
		B.Add(B, kv).Mod(B, groupN)
		if B.Sign() == 0 {
			continue // the client would reject it
		}
		return &Server{Secret: b.Bytes(), Public: B.Bytes()}, nil
	}
}

// PublicHex is B as Cognito sends it in SRP_B: lower-case hex, no padding.
func (s *Server) PublicHex() string { return new(big.Int).SetBytes(s.Public).Text(16) }

// ParseA reads the client's SRP_A (hex) and rejects values that are 0
// modulo N (including 0 and N itself).
func ParseA(srpA string) (*big.Int, error) {
	a, ok := new(big.Int).SetString(srpA, 16)
	if !ok || a.Sign() < 0 {
		return nil, fmt.Errorf("srp: SRP_A is not hexadecimal")
	}
	if new(big.Int).Mod(a, groupN).Sign() == 0 {
		return nil, ErrInvalidA
	}
	return a, nil
}

// SessionKey derives the 16-byte key both sides share: u = H(PAD(A) |
// PAD(B)), S = (A · v^u)^b mod N, and K = HKDF-SHA256(salt = PAD(u),
// ikm = PAD(S), info = "Caldera Derived Key")[0:16].
func (s *Server) SessionKey(A *big.Int, verifier []byte) ([]byte, error) {
	if new(big.Int).Mod(A, groupN).Sign() == 0 {
		return nil, ErrInvalidA
	}
	B := new(big.Int).SetBytes(s.Public)
	u := hashInts(A, B)
	if u.Sign() == 0 {
		return nil, ErrInvalidU
	}
	v := new(big.Int).SetBytes(verifier)
	S := new(big.Int).Exp(v, u, groupN)
	S.Mul(S, A).Mod(S, groupN)
	S.Exp(S, new(big.Int).SetBytes(s.Secret), groupN)
	return hkdf(PadBytes(S), PadBytes(u)), nil
}

// derivedKeyInfo is the HKDF info string of Cognito's SRP.
const derivedKeyInfo = "Caldera Derived Key"

// hkdf is the one-block HKDF-SHA256 of AuthenticationHelper.computehkdf.
func hkdf(ikm, salt []byte) []byte {
	prk := hmac.New(sha256.New, salt)
	prk.Write(ikm)
	m := hmac.New(sha256.New, prk.Sum(nil))
	m.Write([]byte(derivedKeyInfo))
	m.Write([]byte{1})
	return m.Sum(nil)[:16]
}

// TimestampLayout is the TIMESTAMP format of PASSWORD_VERIFIER: the day of
// the month not padded, the time padded, always UTC ("Wed Apr 5 22:42:34
// UTC 2017").
const TimestampLayout = "Mon Jan 2 15:04:05 UTC 2006"

// ErrTimestamp means TIMESTAMP is not exactly in TimestampLayout (for
// example a zero-padded day or a wrong weekday), which Cognito refuses.
var ErrTimestamp = errors.New("srp: TIMESTAMP is not in Cognito's format")

// CheckTimestamp parses ts and checks that it is written exactly as
// TimestampLayout writes that instant: a padded day ("Apr 05") or a
// weekday that does not match the date fail, as they do on AWS.
func CheckTimestamp(ts string) (time.Time, error) {
	t, err := time.Parse(TimestampLayout, ts)
	if err != nil || t.Format(TimestampLayout) != ts {
		return time.Time{}, ErrTimestamp
	}
	return t, nil
}

// Signature is the PASSWORD_CLAIM_SIGNATURE a client that knows the
// password computes: HMAC-SHA256(K, poolName | userID | secretBlock |
// timestamp), where secretBlock is the decoded SECRET_BLOCK.
func Signature(key []byte, poolName, userID string, secretBlock []byte, timestamp string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(poolName))
	m.Write([]byte(userID))
	m.Write(secretBlock)
	m.Write([]byte(timestamp))
	return m.Sum(nil)
}

// VerifySignature checks a base64 PASSWORD_CLAIM_SIGNATURE in constant
// time.
func VerifySignature(key []byte, poolName, userID string, secretBlock []byte, timestamp, claim string) bool {
	got, err := base64.StdEncoding.DecodeString(claim)
	if err != nil {
		return false
	}
	return hmac.Equal(got, Signature(key, poolName, userID, secretBlock, timestamp))
}
