package cognito

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// secretHash is Base64(HMAC-SHA256(key = client secret, message = username
// + client id)), the SECRET_HASH of reference 4.5.
func secretHash(clientSecret, username, clientID string) string {
	mac := hmac.New(sha256.New, []byte(clientSecret))
	mac.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// checkSecretHash verifies the SecretHash (SECRET_HASH) a call on behalf
// of username carries for client c. A client without a secret needs none
// (one sent anyway is ignored); a client with a secret refuses a missing
// hash and a wrong one with Cognito's NotAuthorizedException messages. The
// comparison is constant-time and no message carries the secret.
func checkSecretHash(c *clientModel, username string, given *string) error {
	if c.ClientSecret == "" {
		return nil
	}
	if given == nil || *given == "" {
		return apiErrorf(typeNotAuthorized, "Client %s is configured with secret but SECRET_HASH was not received", c.ClientId)
	}
	// Either active secret of a rotating client is accepted.
	for _, secret := range c.secretValues() {
		if hmac.Equal([]byte(secretHash(secret, username, c.ClientId)), []byte(*given)) {
			return nil
		}
	}
	return apiErrorf(typeNotAuthorized, "Unable to verify secret hash for client %s", c.ClientId)
}
