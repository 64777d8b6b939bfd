package srp

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"testing"
)

// vectors.json was computed by testdata/gen_vectors.js with
// amazon-cognito-identity-js 6.3.12's own AuthenticationHelper.
type vectorFile struct {
	N, G, K string
	Vectors []struct {
		Pool, PoolName, Username, Password, Salt, PadSalt, X, Verifier string
	}
}

func loadVectors(t *testing.T) vectorFile {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vf vectorFile
	if err := json.Unmarshal(raw, &vf); err != nil {
		t.Fatal(err)
	}
	if len(vf.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	return vf
}

func TestGroupMatchesClientLibrary(t *testing.T) {
	vf := loadVectors(t)
	for name, c := range map[string]struct {
		got  *big.Int
		want string
	}{"N": {N(), vf.N}, "g": {G(), vf.G}, "k": {K(), vf.K}} {
		if c.got.Text(16) != c.want {
			t.Errorf("%s = %s, want %s", name, c.got.Text(16), c.want)
		}
	}
}

func TestVerifierVectors(t *testing.T) {
	for _, v := range loadVectors(t).Vectors {
		t.Run(v.Pool+"/"+v.Username, func(t *testing.T) {
			salt, err := hex.DecodeString(v.Salt)
			if err != nil {
				t.Fatal(err)
			}
			if got := PadHex(new(big.Int).SetBytes(salt)); got != v.PadSalt {
				t.Errorf("PadHex(salt) = %s, want %s", got, v.PadSalt)
			}
			if got := X(v.PoolName, v.Username, v.Password, salt).Text(16); got != v.X {
				t.Errorf("x = %s, want %s", got, v.X)
			}
			got := Verifier(v.PoolName, v.Username, v.Password, salt)
			if hex.EncodeToString(got) != trimHexZeros(v.Verifier) {
				t.Errorf("verifier = %x, want %s", got, v.Verifier)
			}
			if !CheckPassword(v.PoolName, v.Username, v.Password, salt, got) {
				t.Error("CheckPassword rejects the right password")
			}
			for _, wrong := range []struct{ pool, user, pass string }{
				{v.PoolName, v.Username, v.Password + "x"},
				{v.PoolName + "x", v.Username, v.Password},
				{v.PoolName, v.Username + "x", v.Password},
			} {
				if CheckPassword(wrong.pool, wrong.user, wrong.pass, salt, got) {
					t.Errorf("CheckPassword accepts %+v", wrong)
				}
			}
			// A verifier stored with a leading zero byte still compares equal.
			if !CheckPassword(v.PoolName, v.Username, v.Password, salt, append([]byte{0}, got...)) {
				t.Error("CheckPassword rejects a zero-padded verifier")
			}
		})
	}
}

func trimHexZeros(s string) string {
	b, _ := hex.DecodeString(map[bool]string{true: "0" + s, false: s}[len(s)%2 == 1])
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return hex.EncodeToString(b)
}

func TestPadHex(t *testing.T) {
	for _, c := range []struct {
		in   int64
		want string
	}{{0, "00"}, {20, "14"}, {56, "38"}, {200, "00c8"}, {236, "00ec"}, {0xf, "0f"}, {0x80, "0080"}, {0x7f, "7f"}, {0x100, "0100"}} {
		if got := PadHex(big.NewInt(c.in)); got != c.want {
			t.Errorf("PadHex(%d) = %s, want %s", c.in, got, c.want)
		}
		if got := hex.EncodeToString(PadBytes(big.NewInt(c.in))); got != c.want {
			t.Errorf("PadBytes(%d) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestNewSalt(t *testing.T) {
	for _, first := range []byte{0x00, 0x01, 0x7f, 0x80, 0xff} {
		src := bytes.NewReader(append([]byte{first}, bytes.Repeat([]byte{0xab}, SaltSize-1)...))
		salt, err := NewSalt(src)
		if err != nil {
			t.Fatal(err)
		}
		if len(salt) != SaltSize {
			t.Fatalf("len = %d", len(salt))
		}
		// The hex the server sends must read the same after the clients'
		// integer round trip.
		if got := PadHex(new(big.Int).SetBytes(salt)); got != hex.EncodeToString(salt) {
			t.Errorf("first byte %#x: PadHex = %s, hex = %x", first, got, salt)
		}
	}
	if _, err := NewSalt(bytes.NewReader([]byte{1, 2})); err == nil {
		t.Error("short reader: no error")
	}
}
