package cognito

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/ccql/ccql/internal/handler"
)

// Auth sessions: the state of a sign-in between InitiateAuth and the last
// RespondToAuthChallenge. A session is an opaque random string the client
// gets as Session (or, for PASSWORD_VERIFIER, as SECRET_BLOCK); the store
// keeps the state under typeAuthSession, keyed "<poolId>|<SHA-256 of the
// string>", so the string itself is never stored. A session is single use
// and expires after the client's AuthSessionValidity (3 to 15 minutes).

const typeAuthSession = "ccql::Cognito::AuthSession"

// authSession is a stored sign-in in progress.
type authSession struct {
	ClientID  string `json:"ClientId"`
	Username  string `json:"Username"` // the user's user name ("" for a simulated SRP step)
	Challenge string `json:"Challenge"`
	Expires   int64  `json:"Expires"` // Unix seconds
	Used      bool   `json:"Used,omitempty"`
	Admin     bool   `json:"Admin,omitempty"`
	// AuthTime is when the password (or first factor) was verified.
	AuthTime int64 `json:"AuthTime,omitempty"`
	// SRP state of PASSWORD_VERIFIER: b, B and the client's A (hex).
	SRPSecret []byte `json:"SrpSecret,omitempty"`
	SRPPublic []byte `json:"SrpPublic,omitempty"`
	SRPA      string `json:"SrpA,omitempty"`
	// Simulated marks the SRP first step of an unknown user
	// (PreventUserExistenceErrors): its verification always fails.
	Simulated bool `json:"Simulated,omitempty"`
	// CodeHash is the SHA-256 of a one-time code sent for SMS_MFA,
	// EMAIL_OTP or SMS_OTP.
	CodeHash string `json:"CodeHash,omitempty"`
	// Choices are the challenges of SELECT_MFA_TYPE / SELECT_CHALLENGE /
	// MFA_SETUP.
	Choices []string `json:"Choices,omitempty"`
	// TOTPSecret is the secret AssociateSoftwareToken gave during
	// MFA_SETUP; Verified is set by VerifySoftwareToken.
	TOTPSecret string `json:"TotpSecret,omitempty"`
	Verified   bool   `json:"Verified,omitempty"`
	// DeviceKey is the device the sign-in presents (devices.go).
	DeviceKey string `json:"DeviceKey,omitempty"`
	// WebAuthnChallenge is the challenge of a WEB_AUTHN challenge's
	// credential request options (passkeys.go).
	WebAuthnChallenge string `json:"WebAuthnChallenge,omitempty"`
}

// Session failures (reference 4.3).
var (
	errSessionInvalid = apiErrorf(typeNotAuthorized, "Invalid session for the user.")
	errSessionExpired = apiErrorf(typeNotAuthorized, "Invalid session for the user, session is expired.")
	errSessionUsed    = apiErrorf(typeNotAuthorized, "Invalid session for the user, session can only be used once.")
)

func sessionKey(poolID, token string) string {
	sum := sha256.Sum256([]byte(token))
	return poolID + "|" + hex.EncodeToString(sum[:])
}

// sessionBytes is the length of the random part of a session string.
const sessionBytes = 96

// newSession stores s and returns its opaque string.
func newSession(env handler.Env, tx handler.Tx, poolID string, c *clientModel, s *authSession) (string, error) {
	raw := make([]byte, sessionBytes, sessionBytes+len(poolID))
	if _, err := io.ReadFull(randSource(env.Rand), raw); err != nil {
		return "", fmt.Errorf("session: %w", err)
	}
	// The pool id rides along (as Cognito's encrypted session carries its
	// context), so that a call bearing only a Session (AssociateSoftwareToken
	// during MFA_SETUP) finds its pool.
	token := base64.StdEncoding.EncodeToString(append(raw, poolID...))
	validity := c.AuthSessionValidity
	if validity == 0 {
		validity = DefaultAuthSessionValidity
	}
	s.ClientID = c.ClientId
	s.Expires = env.Now.Add(time.Duration(validity) * time.Minute).Unix()
	if err := putJSON(tx, typeAuthSession, sessionKey(poolID, token), s); err != nil {
		return "", err
	}
	return token, nil
}

// takeSession returns the session token names and marks it used. The
// mark is part of the operation's transaction: a failure that rolls back
// (a mistyped code) leaves the session usable, one that commits (a wrong
// password) spends it.
func takeSession(env handler.Env, tx handler.Tx, poolID, clientID, token string) (*authSession, error) {
	if token == "" {
		return nil, errSessionInvalid
	}
	key := sessionKey(poolID, token)
	var s authSession
	found, err := getJSON(tx, typeAuthSession, key, &s)
	if err != nil {
		return nil, err
	}
	switch {
	case !found || s.ClientID != clientID:
		return nil, errSessionInvalid
	case s.Used:
		return nil, errSessionUsed
	case env.Now.Unix() >= s.Expires:
		return nil, errSessionExpired
	}
	s.Used = true
	if err := putJSON(tx, typeAuthSession, key, s); err != nil {
		return nil, err
	}
	return &s, nil
}

// findClient returns the app client clientID and its pool, or Cognito's
// ResourceNotFoundException: one seek in the client-id index
// (client_index.go).
func (ri requestInfo) findClient(tx handler.Tx, clientID string) (string, *clientModel, error) {
	return lookupClient(tx, clientID)
}

// sessionPool returns the pool id a session string carries, or "".
func sessionPool(token string) string {
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil || len(raw) <= sessionBytes {
		return ""
	}
	pool := string(raw[sessionBytes:])
	if poolIDPath().MatchString(pool) {
		return pool
	}
	return ""
}
