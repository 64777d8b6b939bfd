package totp

import (
	"bytes"
	"testing"
	"time"
)

// TestRFC6238Vectors checks the SHA-1 vectors of RFC 6238 appendix B
// (8 digits, 30-second steps, key "12345678901234567890").
func TestRFC6238Vectors(t *testing.T) {
	key := []byte("12345678901234567890")
	tests := []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	}
	for _, tt := range tests {
		if got := HOTP(key, Counter(time.Unix(tt.unix, 0)), 8); got != tt.want {
			t.Errorf("T=%d: %s, want %s", tt.unix, got, tt.want)
		}
	}
}

// TestRFC4226Vectors checks HOTP's 6-digit vectors (RFC 4226 appendix D).
func TestRFC4226Vectors(t *testing.T) {
	key := []byte("12345678901234567890")
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for i, w := range want {
		if got := HOTP(key, uint64(i), 6); got != w {
			t.Errorf("counter %d: %s, want %s", i, got, w)
		}
	}
}

func TestValidateWindow(t *testing.T) {
	key := []byte("12345678901234567890")
	now := time.Unix(1111111109, 0)
	tests := []struct {
		name string
		at   time.Time
		ok   bool
	}{
		{"now", now, true},
		{"previous step", now.Add(-Step), true},
		{"next step", now.Add(Step), true},
		{"two steps back", now.Add(-2 * Step), false},
		{"two steps ahead", now.Add(2 * Step), false},
	}
	for _, tt := range tests {
		code := Code(key, tt.at)
		step, ok := Validate(key, code, now)
		if ok != tt.ok {
			t.Errorf("%s: ok = %v, want %v", tt.name, ok, tt.ok)
		}
		if ok && step != Counter(tt.at) {
			t.Errorf("%s: step = %d, want %d", tt.name, step, Counter(tt.at))
		}
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok := Validate(key, bad, now); ok {
			t.Errorf("Validate(%q) accepted", bad)
		}
	}
}

func TestSecretRoundTrip(t *testing.T) {
	s, err := NewSecret(bytes.NewReader(bytes.Repeat([]byte{0xA5}, SecretBytes)))
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 32 {
		t.Fatalf("secret %q has %d characters, want 32", s, len(s))
	}
	key, err := DecodeSecret(s)
	if err != nil || !bytes.Equal(key, bytes.Repeat([]byte{0xA5}, SecretBytes)) {
		t.Fatalf("DecodeSecret = %x, %v", key, err)
	}
	if _, err := DecodeSecret("not base32!"); err == nil {
		t.Fatal("DecodeSecret accepted garbage")
	}
}
