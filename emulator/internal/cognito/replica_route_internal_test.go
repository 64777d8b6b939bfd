package cognito

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

func TestServedRegion(t *testing.T) {
	const sig = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260901/eu-west-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc"
	tests := []struct {
		name, host, auth, want string
	}{
		{"AWS host", "cognito-idp.eu-west-1.amazonaws.com", "", "eu-west-1"},
		{"AWS FIPS host with port", "cognito-idp-fips.us-east-2.amazonaws.com:443", "", "us-east-2"},
		{"AWS host wins over the signature", "cognito-idp.ap-south-1.amazonaws.com", sig, "ap-south-1"},
		{"signed, local host", "127.0.0.1:4566", sig, "eu-west-1"},
		{"unsigned, local host", "127.0.0.1:4566", "", ""},
		{"another AWS service's host", "cognito-identity.eu-west-1.amazonaws.com", "", ""},
		{"malformed credential", "localhost", "AWS4-HMAC-SHA256 Credential=AKID/eu-west-1, Signature=x", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodPost, "http://"+tc.host+"/", nil)
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			if got := servedRegion(r); got != tc.want {
				t.Errorf("servedRegion = %q, want %q", got, tc.want)
			}
		})
	}
	if got := servedRegion(nil); got != "" {
		t.Errorf("servedRegion(nil) = %q", got)
	}
}

func TestIssuerRegion(t *testing.T) {
	token := func(payload string) string {
		return "e30." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".sig"
	}
	tests := []struct {
		name, token, want string
	}{
		{"replica issuer", token(`{"iss":"https://cognito-idp.eu-west-1.amazonaws.com/us-east-1_abc"}`), "eu-west-1"},
		{"local issuer", token(`{"iss":"http://127.0.0.1:4566/us-east-1_abc"}`), ""},
		{"no iss", token(`{}`), ""},
		{"not JSON", token(`nope`), ""},
		{"two parts", "a.b", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := issuerRegion(tc.token); got != tc.want {
				t.Errorf("issuerRegion = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSecondaryOperations(t *testing.T) {
	tests := []struct {
		op                 string
		secondary, endUser bool
	}{
		{"InitiateAuth", true, true},
		{"RespondToAuthChallenge", true, true},
		{"AdminInitiateAuth", true, true},
		{"GetUser", true, true},
		{"GetTokensFromRefreshToken", true, true},
		{"AdminGetUser", true, false},
		{"DescribeUserPool", true, false},
		{"ListUsers", true, false},
		{"UpdateUserPoolReplica", true, false},
		{"ListUserPoolReplicas", true, false},
		{"SignUp", false, true},
		{"UpdateUserAttributes", false, true},
		{"GetUserAttributeVerificationCode", false, true},
		{"AdminCreateUser", false, false},
		{"UpdateUserPool", false, false},
		{"CreateUserPoolReplica", false, false},
		{"DeleteUserPoolReplica", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.op, func(t *testing.T) {
			if got := secondaryOK(tc.op); got != tc.secondary {
				t.Errorf("secondaryOK = %v, want %v", got, tc.secondary)
			}
			if got := endUserOperation(tc.op); got != tc.endUser {
				t.Errorf("endUserOperation = %v, want %v", got, tc.endUser)
			}
		})
	}
}

// FuzzCredentialRegion checks that any Authorization header parses
// without panicking into a region that is one credential-scope field.
func FuzzCredentialRegion(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20260901/eu-west-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=x")
	f.Add("Credential=////")
	f.Add("")
	f.Fuzz(func(t *testing.T, h string) {
		r := credentialRegion(h)
		if strings.ContainsAny(r, "/,") {
			t.Errorf("credentialRegion(%q) = %q", h, r)
		}
	})
}

// FuzzIssuerRegion checks that any token parses without panicking.
func FuzzIssuerRegion(f *testing.F) {
	f.Add("e30.eyJpc3MiOiJodHRwczovL2NvZ25pdG8taWRwLmV1LXdlc3QtMS5hbWF6b25hd3MuY29tL3gifQ.x")
	f.Add("..")
	f.Fuzz(func(t *testing.T, token string) {
		if r := issuerRegion(token); r != "" && hostRegion("cognito-idp."+r+".amazonaws.com") != r {
			t.Errorf("issuerRegion(%q) = %q, not a region of an AWS host", token, r)
		}
	})
}
