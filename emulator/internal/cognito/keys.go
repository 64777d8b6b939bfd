package cognito

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/ccql/ccql/internal/handler"
)

// Signing keys. Every pool has two RSA-2048 key pairs, one for access
// tokens and one for ID tokens, as Cognito has (reference B2). They are kept
// in the store under the private type typeSigningKey, identifier
// "<poolId>|signing", so they survive restarts, are shared by every process
// on the data dir, and disappear with the pool (satelliteTypes).
//
// Keys are made on first use (the first token or JWKS request of a pool),
// not when the pool is created: generating two 2048-bit keys takes 100 ms
// or more, and a pool is created inside the store's single write
// transaction, where that time would stall every other write of the
// emulator. Nothing outside can tell the difference: a pool's keys are
// never observable before its first JWKS or token request.

const (
	typeSigningKey  = "ccql::Cognito::SigningKey"
	signingKeySuf   = "|signing"
	signingKeyBits  = 2048
	keyUseAccess    = "access"
	keyUseID        = "id"
	signingKeyAlg   = "RS256"
	signingKeyUsage = "sig"
)

// storedKeys is the stored record of a pool's key pairs. PrivateKey is PKCS #8
// DER (base64 in JSON); it never leaves the store and is never logged.
type storedKeys struct {
	Keys []storedKey `json:"Keys"`
}

type storedKey struct {
	Use          string       `json:"Use"` // keyUseAccess or keyUseID
	KeyID        string       `json:"KeyId"`
	PrivateKey   []byte       `json:"PrivateKey"`
	CreationDate epochSeconds `json:"CreationDate"`
}

// signingKey is a parsed key pair, ready to sign and to publish.
type signingKey struct {
	kid    string
	priv   *rsa.PrivateKey
	header string // the base64url JWT header {"kid":…,"alg":"RS256"}
	jwk    jwk
}

// poolKeys are a pool's two key pairs.
type poolKeys struct {
	access, id *signingKey
}

// jwk is one key of a JWKS document, members in AWS's (alphabetical) order.
type jwk struct {
	Alg string `json:"alg"`
	E   string `json:"e"`
	Kid string `json:"kid"`
	Kty string `json:"kty"`
	N   string `json:"n"`
	Use string `json:"use"`
}

// keyID derives a kid as the standard base64 of the SHA-256 of the public
// key's PKIX DER: 44 characters with +, / and =, the shape of Cognito's kids
// (how AWS derives them is undocumented; reference F, inferred choice).
func keyID(pub *rsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("encode public key: %w", err)
	}
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}

// newStoredKey generates one key pair for use.
func newStoredKey(use string, now time.Time) (storedKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, signingKeyBits)
	if err != nil {
		return storedKey{}, fmt.Errorf("generate %s signing key: %w", use, err)
	}
	kid, err := keyID(&priv.PublicKey)
	if err != nil {
		return storedKey{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return storedKey{}, fmt.Errorf("encode %s signing key: %w", use, err)
	}
	return storedKey{Use: use, KeyID: kid, PrivateKey: der, CreationDate: epochSeconds(now)}, nil
}

// newStoredKeys generates a pool's two key pairs, concurrently (each takes
// tens of milliseconds).
func newStoredKeys(now time.Time) (*storedKeys, error) {
	uses := []string{keyUseID, keyUseAccess}
	keys := make([]storedKey, len(uses))
	errs := make([]error, len(uses))
	var wg sync.WaitGroup
	for i, use := range uses {
		wg.Go(func() { keys[i], errs[i] = newStoredKey(use, now) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &storedKeys{Keys: keys}, nil
}

// parse turns the stored record into usable keys.
func (s *storedKeys) parse() (*poolKeys, error) {
	var pk poolKeys
	for _, k := range s.Keys {
		sk, err := parseStoredKey(k)
		if err != nil {
			return nil, err
		}
		switch k.Use {
		case keyUseAccess:
			pk.access = sk
		case keyUseID:
			pk.id = sk
		}
	}
	if pk.access == nil || pk.id == nil {
		return nil, errors.New("stored signing keys: an access and an id key are required")
	}
	return &pk, nil
}

func parseStoredKey(k storedKey) (*signingKey, error) {
	parsed, err := x509.ParsePKCS8PrivateKey(k.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("stored %s signing key: %w", k.Use, err)
	}
	priv, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("stored %s signing key: not an RSA key", k.Use)
	}
	header, err := jsonText(struct {
		Kid string `json:"kid"`
		Alg string `json:"alg"`
	}{k.KeyID, signingKeyAlg})
	if err != nil {
		return nil, err
	}
	return &signingKey{
		kid:    k.KeyID,
		priv:   priv,
		header: base64.RawURLEncoding.EncodeToString(header),
		jwk: jwk{
			Alg: signingKeyAlg,
			E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(priv.E)).Bytes()),
			Kid: k.KeyID,
			Kty: "RSA",
			N:   base64.RawURLEncoding.EncodeToString(priv.N.Bytes()),
			Use: signingKeyUsage,
		},
	}, nil
}

// loadKeys returns the stored keys of a pool, or nil when it has none yet.
func loadKeys(tx handler.Tx, poolID string) (*storedKeys, error) {
	var s storedKeys
	found, err := getJSON(tx, typeSigningKey, poolID+signingKeySuf, &s)
	if err != nil || !found {
		return nil, err
	}
	return &s, nil
}

// keyCache keeps parsed keys per pool, so that a token costs one signature
// and no key parsing. A pool's keys never change once stored; a deleted
// pool's entry is harmless because every request checks the pool first.
type keyCache struct {
	mu sync.Mutex
	m  map[string]*poolKeys
}

func (c *keyCache) get(key string) *poolKeys {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key]
}

func (c *keyCache) put(key string, k *poolKeys) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*poolKeys{}
	}
	c.m[key] = k
}
