package cognito

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzParseRefreshToken: any string is either refused or names a family,
// and a token we issue always parses back to its family.
func FuzzParseRefreshToken(f *testing.F) {
	tok, _, err := newRefreshToken(bytes.NewReader(bytes.Repeat([]byte{3}, 400)), "0d9e2f8a-1111-4222-8333-944455556666")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tok)
	f.Add("a.b.c.d.e")
	f.Add(refreshHeader + "....")
	f.Fuzz(func(t *testing.T, s string) {
		id, hash, ok := parseRefreshToken(s)
		if ok && (len(id) != 36 || len(hash) != 64 || strings.Count(s, ".") != 4) {
			t.Fatalf("accepted %q as family %q", s, id)
		}
	})
}

// FuzzAccessToken: GetUser with any access token answers a Cognito error,
// never an internal failure.
func FuzzAccessToken(f *testing.F) {
	fx := newSigninFixture(&testing.T{}, nil, clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
	fx.addUser("alice", "Passw0rd!", nil)
	m, err := fx.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	if err != nil {
		f.Fatal(err)
	}
	access := m["AuthenticationResult"].(map[string]any)["AccessToken"].(string)
	f.Add(access)
	f.Add(access[:len(access)-2])
	f.Add("e30.e30.e30")
	f.Add("eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwOi8veC91cy1lYXN0LTFfQUJDIn0.")
	f.Fuzz(func(t *testing.T, token string) {
		_, err := fx.call(opGetUser, map[string]any{"AccessToken": token})
		var ae *APIError
		if token != access && !errors.As(err, &ae) {
			t.Fatalf("GetUser(%q) = %v, want a Cognito error", token, err)
		}
	})
}
