package awsjson_test

import (
	"net/http"
	"testing"

	"github.com/ccql/ccql/internal/awsjson"
)

// TestServer_AnonymousOperations: with signatures checked, an unsigned
// call to an operation the service marks anonymous is served (in the
// default account and region), an unsigned call to any other operation is
// refused, and a badly signed call to an anonymous one is still refused.
func TestServer_AnonymousOperations(t *testing.T) {
	srv := newServer(map[string]string{akid: secret})
	for _, svc := range srv.Services {
		if svc.TargetPrefix == "AWSCognitoIdentityProviderService" {
			svc.Anonymous = map[string]bool{"Echo": true}
		}
	}
	const body = `{"Name":"x"}`
	tests := []struct {
		name   string
		target string
		signed string // "", "good" or "bad"
		status int
		errTyp string
	}{
		{"unsigned anonymous", "AWSCognitoIdentityProviderService.Echo", "", http.StatusOK, ""},
		{"unsigned other", "AWSCognitoIdentityProviderService.Fail", "", http.StatusBadRequest, "MissingAuthenticationTokenException"},
		{"unsigned, other service", "CloudApiService.Echo", "", http.StatusBadRequest, "MissingAuthenticationTokenException"},
		{"badly signed anonymous", "AWSCognitoIdentityProviderService.Echo", "bad", http.StatusBadRequest, "InvalidSignatureException"},
		{"signed anonymous", "AWSCognitoIdentityProviderService.Echo", "good", http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(tt.target, awsjson.ContentType11, body)
			switch tt.signed {
			case "good":
				sign(t, r, body, akid, secret, "eu-west-1", false)
			case "bad":
				sign(t, r, body, akid, "wrong-secret", "eu-west-1", false)
			}
			resp := do(t, srv, r)
			if resp.status != tt.status {
				t.Fatalf("status %d, want %d: %v", resp.status, tt.status, resp.body)
			}
			if tt.errTyp != "" {
				if typ, _ := resp.body["__type"].(string); typ != "com.amazon.coral.service#"+tt.errTyp {
					t.Errorf("__type %q, want %s", typ, tt.errTyp)
				}
				return
			}
			wantAccount, wantRegion := awsjson.DefaultAccount, awsjson.DefaultRegion
			if tt.signed == "good" {
				wantAccount, wantRegion = awsjson.AccountOf(akid), "eu-west-1"
			}
			if resp.body["Account"] != wantAccount || resp.body["Region"] != wantRegion {
				t.Errorf("identity %v/%v, want %s/%s", resp.body["Account"], resp.body["Region"], wantAccount, wantRegion)
			}
		})
	}
}
