package pgwire

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// DefaultSCRAMIterations is the PBKDF2 iteration count HashPassword uses,
// PostgreSQL's default (scram_iterations).
const DefaultSCRAMIterations = 4096

// ErrBadUsersFile is wrapped by every error about the content of a users
// file.
var ErrBadUsersFile = errors.New("bad users file")

// Users is a set of SCRAM-SHA-256 password verifiers keyed by user name:
// the content of a users file. The zero value has no users. A Users is
// immutable once built, so a server can swap it on reload.
type Users struct {
	m map[string]verifier
}

// verifier is a SCRAM-SHA-256 secret as PostgreSQL stores it in
// pg_authid.rolpassword: never the password, only what checks a proof.
type verifier struct {
	iterations int
	salt       []byte
	storedKey  []byte
	serverKey  []byte
}

// Len returns the number of users.
func (u *Users) Len() int {
	if u == nil {
		return 0
	}
	return len(u.m)
}

// Has reports whether name is a user.
func (u *Users) Has(name string) bool {
	if u == nil {
		return false
	}
	_, ok := u.m[name]
	return ok
}

func (u *Users) lookup(name string) (verifier, bool) {
	if u == nil {
		return verifier{}, false
	}
	v, ok := u.m[name]
	return v, ok
}

// LoadUsers reads a users file; see ParseUsers for its format.
func LoadUsers(path string) (*Users, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("users file: %w", err)
	}
	defer f.Close()
	u, err := ParseUsers(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return u, nil
}

// ParseUsers reads users, one per line as
//
//	name:SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
//
// (the verifier is exactly what PostgreSQL keeps in pg_authid, so one can be
// copied from `SELECT rolpassword FROM pg_authid`). Blank lines and lines
// starting with # are ignored. A name may appear once.
func ParseUsers(r io.Reader) (*Users, error) {
	u := &Users{m: map[string]verifier{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, secret, ok := strings.Cut(line, ":")
		if !ok || name == "" {
			return nil, fmt.Errorf("%w: line %d: want name:SCRAM-SHA-256$…", ErrBadUsersFile, n)
		}
		if _, dup := u.m[name]; dup {
			return nil, fmt.Errorf("%w: line %d: user %q appears twice", ErrBadUsersFile, n, name)
		}
		v, err := parseVerifier(secret)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d (user %q): %v", ErrBadUsersFile, n, name, err)
		}
		u.m[name] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read users: %w", err)
	}
	return u, nil
}

func parseVerifier(s string) (verifier, error) {
	rest, ok := strings.CutPrefix(s, "SCRAM-SHA-256$")
	if !ok {
		return verifier{}, errors.New("the secret must start with SCRAM-SHA-256$ (generate one with `ccql srv passwd NAME`)")
	}
	iterSalt, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return verifier{}, errors.New("want SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>")
	}
	iterText, saltText, ok1 := strings.Cut(iterSalt, ":")
	storedText, serverText, ok2 := strings.Cut(keys, ":")
	if !ok1 || !ok2 {
		return verifier{}, errors.New("want SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>")
	}
	iter, err := strconv.Atoi(iterText)
	if err != nil || iter < 1 || iter > 100_000_000 {
		return verifier{}, fmt.Errorf("bad iteration count %q", iterText)
	}
	v := verifier{iterations: iter}
	for _, f := range []struct {
		text string
		dst  *[]byte
		size int
		what string
	}{{saltText, &v.salt, 0, "salt"}, {storedText, &v.storedKey, sha256.Size, "StoredKey"}, {serverText, &v.serverKey, sha256.Size, "ServerKey"}} {
		b, err := base64.StdEncoding.DecodeString(f.text)
		if err != nil || len(b) == 0 || (f.size > 0 && len(b) != f.size) {
			return verifier{}, fmt.Errorf("bad base64 %s", f.what)
		}
		*f.dst = b
	}
	return v, nil
}

// HashPassword returns the SCRAM-SHA-256 verifier of password with a fresh
// random salt and DefaultSCRAMIterations, in the format of ParseUsers (and
// of PostgreSQL's pg_authid). The password is used as given: PostgreSQL
// clients apply SASLprep, which leaves ASCII unchanged, so prefer ASCII
// passwords.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	v, err := newVerifier(password, salt, DefaultSCRAMIterations)
	if err != nil {
		return "", err
	}
	return v.String(), nil
}

func newVerifier(password string, salt []byte, iterations int) (verifier, error) {
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		return verifier{}, fmt.Errorf("pbkdf2: %w", err)
	}
	clientKey := hmacSum(salted, []byte("Client Key"))
	stored := sha256.Sum256(clientKey)
	return verifier{
		iterations: iterations,
		salt:       salt,
		storedKey:  stored[:],
		serverKey:  hmacSum(salted, []byte("Server Key")),
	}, nil
}

// String formats v as PostgreSQL does.
func (v verifier) String() string {
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", v.iterations, b64(v.salt), b64(v.storedKey), b64(v.serverKey))
}

// UsersLine returns the users-file line for name and password (with a
// trailing newline).
func UsersLine(name, password string) (string, error) {
	if err := ValidUserName(name); err != nil {
		return "", err
	}
	v, err := HashPassword(password)
	if err != nil {
		return "", err
	}
	return name + ":" + v + "\n", nil
}

// ValidUserName reports whether name can be a user in a users file: not
// empty, no ':' (the separator), no white space or control characters, no
// leading '#'.
func ValidUserName(name string) error {
	if name == "" || strings.HasPrefix(name, "#") || strings.ContainsAny(name, ":") ||
		strings.IndexFunc(name, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
		return fmt.Errorf("invalid user name %q: want no ':', white space or control characters", name)
	}
	return nil
}

// SetUserLine returns the users file content with name's line replaced by
// line, or line appended when name has none. Other lines are kept as they
// are.
func SetUserLine(content []byte, name, line string) []byte {
	var out bytes.Buffer
	replaced := false
	for _, l := range strings.SplitAfter(string(content), "\n") {
		if l == "" {
			continue
		}
		if n, _, ok := strings.Cut(strings.TrimSpace(l), ":"); ok && n == name && !replaced {
			out.WriteString(line)
			replaced = true
			continue
		}
		out.WriteString(l)
		if !strings.HasSuffix(l, "\n") {
			out.WriteByte('\n')
		}
	}
	if !replaced {
		out.WriteString(line)
	}
	return out.Bytes()
}

func hmacSum(key, msg []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(msg)
	return h.Sum(nil)
}

// Verify reports whether password is name's password: the SCRAM verifier
// it derives matches the stored one (for front ends that take a password
// directly, such as ccql mcp's HTTP Basic authentication).
func (u *Users) Verify(name, password string) bool {
	v, ok := u.lookup(name)
	if !ok {
		return false
	}
	got, err := newVerifier(password, v.salt, v.iterations)
	if err != nil {
		return false
	}
	return hmac.Equal(got.storedKey, v.storedKey)
}
