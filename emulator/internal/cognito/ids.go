package cognito

import (
	"crypto/rand"
	"fmt"
	"io"
)

// Alphabets of the generated identifiers, as observed on AWS (reference B9).
const (
	lowerAlnum = "0123456789abcdefghijklmnopqrstuvwxyz"
	mixedAlnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	upperAlnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
)

// Lengths of the generated identifiers.
const (
	poolIDSuffixLen = 9  // us-east-1_l9gfya7RC
	clientIDLen     = 26 // 6p3bs000no6a4ue1idruvd05ad
	clientSecretLen = 52
	nameSuffixLen   = 12 // generated names: UserPoolClient-ABCDEF123456
)

// randSource returns r, or crypto/rand when the environment gives none.
func randSource(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}

// randomString draws n characters of alphabet from r without modulo bias
// (bytes that would bias the distribution are rejected and redrawn).
func randomString(r io.Reader, alphabet string, n int) (string, error) {
	r = randSource(r)
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n)
	for len(out) < n {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("generate identifier: %w", err)
		}
		for _, b := range buf {
			if int(b) >= limit {
				continue
			}
			out = append(out, alphabet[int(b)%len(alphabet)])
			if len(out) == n {
				break
			}
		}
	}
	return string(out), nil
}

// newPoolID returns a user pool id, "<region>_" and 9 mixed-case alphanumerics.
func newPoolID(r io.Reader, region string) (string, error) {
	s, err := randomString(r, mixedAlnum, poolIDSuffixLen)
	if err != nil {
		return "", err
	}
	return region + "_" + s, nil
}

// newClientID returns an app client id, 26 lowercase alphanumerics.
func newClientID(r io.Reader) (string, error) { return randomString(r, lowerAlnum, clientIDLen) }

// newClientSecret returns an app client secret, 52 lowercase alphanumerics.
func newClientSecret(r io.Reader) (string, error) {
	return randomString(r, lowerAlnum, clientSecretLen)
}

// generatedName returns the name Cloud Control gives a resource created
// without one: prefix, "-", 12 uppercase alphanumerics, the shape of the
// suffix CloudFormation appends to generated physical names. It always
// matches Cognito's name pattern and stays far below 128 characters.
func generatedName(r io.Reader, prefix string) (string, error) {
	s, err := randomString(r, upperAlnum, nameSuffixLen)
	if err != nil {
		return "", err
	}
	return prefix + "-" + s, nil
}
