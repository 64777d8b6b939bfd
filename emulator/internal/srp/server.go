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
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"sync"
	"time"
)

// groupHex is the 3072-bit MODP group of RFC 5054 (and RFC 3526), the N of
// every Cognito user pool; the generator is 2.
const groupHex = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
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

// params are the group's N and g and the multiplier k = H(PAD(N) | PAD(g)).
type params struct {
	n, g, k *big.Int
}

// groupParams computes the constants once; they never change.
var groupParams = sync.OnceValue(func() params {
	n, _ := new(big.Int).SetString(groupHex, 16)
	g := big.NewInt(2)
	return params{n: n, g: g, k: hashInts(n, g)}
})

// ErrInvalidA means the client's public value A is 0 modulo N, which would
// let anyone derive the session key without the password.
var ErrInvalidA = errors.New("srp: A mod N is zero")

// ErrInvalidU means the scrambler u = H(PAD(A) | PAD(B)) is zero, which
// the client refuses too.
var ErrInvalidU = errors.New("srp: u is zero")

// padHex is Cognito's PAD: the hex of a non-negative x, with a leading "0"
// when its length is odd, or "00" when its first digit is 8 or more, so
// that it reads as a positive two's-complement number.
func padHex(x *big.Int) string {
	h := x.Text(16)
	if len(h)%2 == 1 {
		return "0" + h
	}
	if strings.IndexByte("89abcdef", h[0]) >= 0 {
		return "00" + h
	}
	return h
}

// padBytes returns the bytes PAD(x) stands for.
func padBytes(x *big.Int) []byte {
	b, _ := hex.DecodeString(padHex(x)) // always even-length hex
	return b
}

// hashInts is H(PAD(a) | PAD(b)) as an integer.
func hashInts(a, b *big.Int) *big.Int {
	h := sha256.New()
	h.Write(padBytes(a))
	h.Write(padBytes(b))
	return new(big.Int).SetBytes(h.Sum(nil))
}

// secretBytes is the length of the server's random exponent b.
const secretBytes = 128

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
	p := groupParams()
	v := new(big.Int).SetBytes(verifier)
	for {
		raw := make([]byte, secretBytes)
		if _, err := io.ReadFull(r, raw); err != nil {
			return nil, fmt.Errorf("srp: draw b: %w", err)
		}
		b := new(big.Int).SetBytes(raw)
		b.Mod(b, p.n)
		if b.Sign() == 0 {
			continue
		}
		B := new(big.Int).Exp(p.g, b, p.n)
		kv := new(big.Int).Mul(p.k, v)
		B.Add(B, kv).Mod(B, p.n)
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
	if new(big.Int).Mod(a, groupParams().n).Sign() == 0 {
		return nil, ErrInvalidA
	}
	return a, nil
}

// SessionKey derives the 16-byte key both sides share: u = H(PAD(A) |
// PAD(B)), S = (A · v^u)^b mod N, and K = HKDF-SHA256(salt = PAD(u),
// ikm = PAD(S), info = "Caldera Derived Key")[0:16].
func (s *Server) SessionKey(A *big.Int, verifier []byte) ([]byte, error) {
	p := groupParams()
	if new(big.Int).Mod(A, p.n).Sign() == 0 {
		return nil, ErrInvalidA
	}
	B := new(big.Int).SetBytes(s.Public)
	u := hashInts(A, B)
	if u.Sign() == 0 {
		return nil, ErrInvalidU
	}
	v := new(big.Int).SetBytes(verifier)
	S := new(big.Int).Exp(v, u, p.n)
	S.Mul(S, A).Mod(S, p.n)
	S.Exp(S, new(big.Int).SetBytes(s.Secret), p.n)
	return hkdf(padBytes(S), padBytes(u)), nil
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
