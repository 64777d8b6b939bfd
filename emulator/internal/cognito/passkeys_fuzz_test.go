package cognito

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzWebAuthnCredential feeds any text as the Credential of
// CompleteWebAuthnRegistration and as the CREDENTIAL of a WEB_AUTHN
// challenge (the JSON, base64url and CBOR decoding of attestation objects,
// authenticator data and COSE keys): each answers a Cognito error, never an
// internal failure or a panic, and never succeeds, since no input can sign
// the fresh random challenge of its ceremony.
func FuzzWebAuthnCredential(f *testing.F) {
	t := &testing.T{}
	fx := newPasskeyFixture(t, nil)
	a := newSoftAuthenticator(t, -7)
	fx.register(a)
	f.Add(a.create(fx.start(), passkeyOrigin, ceremony{format: "packed"}))
	_, options := fx.challenge()
	f.Add(a.get(options, passkeyOrigin, ceremony{}))
	f.Add(`{"id":"AA","rawId":"AA","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"oA"}}`)
	f.Add(`"{\"id\":\"AA\"}"`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, text string) {
		fx.t = t
		fx.start()
		var cred any = text
		if json.Valid([]byte(text)) {
			cred = json.RawMessage(text)
		}
		_, err := fx.call(opCompleteWebAuthnRegistration, map[string]any{"AccessToken": fx.access, "Credential": cred})
		var ae *APIError
		if !errors.As(err, &ae) {
			t.Fatalf("CompleteWebAuthnRegistration(%q) = %v, want a Cognito error", text, err)
		}
		session, _ := fx.challenge()
		_, err = fx.answer(session, text)
		if !errors.As(err, &ae) {
			t.Fatalf("WEB_AUTHN CREDENTIAL %q = %v, want a Cognito error", text, err)
		}
	})
}
