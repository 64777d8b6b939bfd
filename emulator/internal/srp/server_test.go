package srp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"strings"
	"testing"
)

// clientVector is one exchange computed by testdata/client_vectors.py, an
// SRP client written independently of this package from
// amazon-cognito-identity-js.
type clientVector struct {
	PoolID      string `json:"poolId"`
	Username    string `json:"username"`
	Password    string `json:"password"`
	Salt        string `json:"salt"`
	B           string `json:"b"`
	Verifier    string `json:"verifier"`
	PublicA     string `json:"A"`
	PublicB     string `json:"B"`
	Key         string `json:"key"`
	Timestamp   string `json:"timestamp"`
	SecretBlock string `json:"secretBlock"`
	Signature   string `json:"signature"`
}

func loadClientVectors(t *testing.T) []clientVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/client_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []clientVector
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	return vs
}

func mustHexBytes(t *testing.T, s string) []byte {
	t.Helper()
	if len(s)%2 == 1 {
		s = "0" + s
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestServerAgainstIndependentClient replays each vector: the server, given
// the client's verifier and the vector's b, must send the same B, derive
// the same key from the client's A, and accept the client's signature.
func TestServerAgainstIndependentClient(t *testing.T) {
	for _, v := range loadClientVectors(t) {
		t.Run(v.PoolID, func(t *testing.T) {
			verifier := mustHexBytes(t, v.Verifier)
			srv, err := NewServer(verifier, bytes.NewReader(mustHexBytes(t, v.B)))
			if err != nil {
				t.Fatal(err)
			}
			if got := srv.PublicHex(); got != v.PublicB {
				t.Fatalf("B = %s…, want %s…", got[:16], v.PublicB[:16])
			}
			A, err := ParseA(v.PublicA)
			if err != nil {
				t.Fatal(err)
			}
			key, err := srv.SessionKey(A, verifier)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(key) != v.Key {
				t.Fatalf("key = %x, want %s", key, v.Key)
			}
			block, err := base64.StdEncoding.DecodeString(v.SecretBlock)
			if err != nil {
				t.Fatal(err)
			}
			poolName := v.PoolID[strings.IndexByte(v.PoolID, '_')+1:]
			if !VerifySignature(key, poolName, v.Username, block, v.Timestamp, v.Signature) {
				t.Fatal("the client's signature does not verify")
			}
			// Any change to what is signed must fail.
			for name, f := range map[string]func() bool{
				"user":      func() bool { return VerifySignature(key, poolName, v.Username+"x", block, v.Timestamp, v.Signature) },
				"pool":      func() bool { return VerifySignature(key, poolName+"x", v.Username, block, v.Timestamp, v.Signature) },
				"block":     func() bool { return VerifySignature(key, poolName, v.Username, block[1:], v.Timestamp, v.Signature) },
				"timestamp": func() bool { return VerifySignature(key, poolName, v.Username, block, v.Timestamp+" ", v.Signature) },
				"notBase64": func() bool { return VerifySignature(key, poolName, v.Username, block, v.Timestamp, "%%%") },
			} {
				if f() {
					t.Errorf("signature verified with a changed %s", name)
				}
			}
		})
	}
}

// TestWrongPasswordKeyDiffers: a client that derives its key with another
// verifier (another password) gets another key.
func TestWrongPasswordKeyDiffers(t *testing.T) {
	v := loadClientVectors(t)[0]
	other := loadClientVectors(t)[1]
	srv, err := NewServer(mustHexBytes(t, other.Verifier), bytes.NewReader(mustHexBytes(t, v.B)))
	if err != nil {
		t.Fatal(err)
	}
	A, _ := ParseA(v.PublicA)
	key, err := srv.SessionKey(A, mustHexBytes(t, other.Verifier))
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(key) == v.Key {
		t.Fatal("a different verifier gave the same key")
	}
}

func TestParseA(t *testing.T) {
	n := groupN
	tests := []struct {
		in      string
		wantErr error
	}{
		{"0", ErrInvalidA},
		{n.Text(16), ErrInvalidA},
		{new(big.Int).Lsh(n, 1).Text(16), ErrInvalidA},
		{"zz", nil}, // not hex: some error
		{"", nil},
		{"-5", nil},
		{"2", nil},
	}
	for _, tt := range tests {
		_, err := ParseA(tt.in)
		switch {
		case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
			t.Errorf("ParseA(%.10q) = %v, want %v", tt.in, err, tt.wantErr)
		case tt.in == "2" && err != nil:
			t.Errorf("ParseA(2) = %v", err)
		case tt.in != "2" && err == nil:
			t.Errorf("ParseA(%.10q) accepted", tt.in)
		}
	}
}

// TestSessionKeyRejectsZeroA: A ≡ 0 (mod N) given straight to SessionKey.
func TestSessionKeyRejectsZeroA(t *testing.T) {
	srv, err := NewServer([]byte{5}, bytes.NewReader(bytes.Repeat([]byte{7}, secretBytes)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.SessionKey(new(big.Int).Set(groupN), []byte{5}); !errors.Is(err, ErrInvalidA) {
		t.Fatalf("err = %v, want ErrInvalidA", err)
	}
}

func TestCheckTimestamp(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"Wed Apr 5 22:42:34 UTC 2017", true},
		{"Sun Dec 31 03:04:05 UTC 2023", true},
		{"Wed Apr 05 22:42:34 UTC 2017", false}, // padded day
		{"Thu Apr 5 22:42:34 UTC 2017", false},  // wrong weekday
		{"Wed Apr 5 10:42:34 PM UTC 2017", false},
		{"Wed Apr 5 2:42:34 UTC 2017", false}, // unpadded hour
		{"Wed Apr  5 22:42:34 UTC 2017", false},
		{"Wed Apr 5 22:42:34 GMT 2017", false},
		{"", false},
	}
	for _, tt := range tests {
		_, err := CheckTimestamp(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("CheckTimestamp(%q) = %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}

// TestVerifierMatchesClient: the verifier the user store keeps for a
// password is the one the independent client derives.
func TestVerifierMatchesClient(t *testing.T) {
	for _, v := range loadClientVectors(t) {
		poolName := v.PoolID[strings.IndexByte(v.PoolID, '_')+1:]
		got := Verifier(poolName, v.Username, v.Password, mustHexBytes(t, v.Salt))
		if new(big.Int).SetBytes(got).Text(16) != v.Verifier {
			t.Errorf("%s: verifier differs from the client's", v.PoolID)
		}
	}
}

func FuzzCheckTimestamp(f *testing.F) {
	f.Add("Wed Apr 5 22:42:34 UTC 2017")
	f.Add("Wed Apr 05 22:42:34 UTC 2017")
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := CheckTimestamp(s)
		if err == nil && tm.Format(TimestampLayout) != s {
			t.Fatalf("accepted %q, which formats as %q", s, tm.Format(TimestampLayout))
		}
	})
}

func FuzzParseA(f *testing.F) {
	f.Add("2")
	f.Add("0")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseA(s)
		if err == nil && new(big.Int).Mod(a, groupN).Sign() == 0 {
			t.Fatalf("accepted A ≡ 0: %q", s)
		}
	})
}
