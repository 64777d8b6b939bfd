package cognito

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// accessClaims are the claims of an access token issued for the
// client_credentials grant, exactly and in the order AWS writes them
// (reference C2). sub is the client id; there is no aud.
type accessClaims struct {
	Sub      string `json:"sub"`
	TokenUse string `json:"token_use"`
	Scope    string `json:"scope"`
	AuthTime int64  `json:"auth_time"`
	Iss      string `json:"iss"`
	Exp      int64  `json:"exp"`
	Iat      int64  `json:"iat"`
	Version  int    `json:"version"`
	Jti      string `json:"jti"`
	ClientID string `json:"client_id"`
}

// jsonText encodes v without HTML escaping (scopes and issuers are URLs
// that may carry &) and without the encoder's trailing newline.
func jsonText(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode JSON: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// sign returns the compact JWS of claims signed by k with RS256
// (RSASSA-PKCS1-v1_5 over SHA-256), header {"kid":…,"alg":"RS256"}.
func (k *signingKey) sign(claims any) (string, error) {
	payload, err := jsonText(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	buf := make([]byte, 0, len(k.header)+1+enc.EncodedLen(len(payload))+1+enc.EncodedLen(k.priv.Size()))
	buf = append(buf, k.header...)
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, payload)
	digest := sha256.Sum256(buf)
	sig, err := rsa.SignPKCS1v15(nil, k.priv, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, sig)
	return string(buf), nil
}
