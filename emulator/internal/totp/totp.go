// Package totp is RFC 6238 time-based one-time passwords as Cognito's
// software-token MFA uses them: HMAC-SHA1, 6 digits, 30-second steps, and
// one step of drift accepted either way. Secrets are exchanged as
// unpadded base32, as AssociateSoftwareToken's SecretCode is.
package totp

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Cognito's parameters.
const (
	Digits = 6
	Step   = 30 * time.Second
	// Skew is how many steps before or after the current one a code may
	// come from.
	Skew = 1
	// SecretBytes is the length of a generated secret (32 base32 characters).
	SecretBytes = 20
)

var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// ErrSecret means a secret is not valid base32.
var ErrSecret = errors.New("totp: secret is not base32")

// NewSecret draws a secret from r and returns it in base32.
func NewSecret(r io.Reader) (string, error) {
	b := make([]byte, SecretBytes)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("totp: draw secret: %w", err)
	}
	return encoding.EncodeToString(b), nil
}

// DecodeSecret reads a base32 secret (case-insensitive, padding optional).
func DecodeSecret(s string) ([]byte, error) {
	b, err := encoding.DecodeString(strings.TrimRight(strings.ToUpper(s), "="))
	if err != nil || len(b) == 0 {
		return nil, ErrSecret
	}
	return b, nil
}

// HOTP is RFC 4226's code for counter, digits long (RFC 6238 with SHA-1).
func HOTP(key []byte, counter uint64, digits int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// Counter is the time step t falls in.
func Counter(t time.Time) uint64 { return uint64(t.Unix()) / uint64(Step/time.Second) }

// Code is the 6-digit code of key at t.
func Code(key []byte, t time.Time) string { return HOTP(key, Counter(t), Digits) }

// Validate reports whether code is the code of key at t or at one step
// before or after it, and which step matched (for replay protection:
// a caller may refuse a step it already accepted).
func Validate(key []byte, code string, t time.Time) (step uint64, ok bool) {
	if len(code) != Digits {
		return 0, false
	}
	c := Counter(t)
	for d := -Skew; d <= Skew; d++ {
		if d < 0 && c < uint64(-d) {
			continue
		}
		s := c + uint64(d)
		if subtle.ConstantTimeCompare([]byte(HOTP(key, s, Digits)), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}
