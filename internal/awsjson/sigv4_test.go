package awsjson_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/ccql/ccql/internal/awsjson"
)

// handSign signs r with SigV4 over exactly the headers named in signed
// (lower case), at time at, with payloadHash as the canonical request's
// hash. It is written from the SigV4 specification, independently of the
// server, so that forged-but-validly-signed requests can be built: a
// request that leaves host or X-Amz-Target out of the signature, or signs
// UNSIGNED-PAYLOAD.
func handSign(t *testing.T, r *http.Request, signed []string, at time.Time, payloadHash string) {
	t.Helper()
	amzDate := at.UTC().Format("20060102T150405Z")
	r.Header.Set("X-Amz-Date", amzDate)
	sort.Strings(signed)
	var canon strings.Builder
	canon.WriteString(r.Method + "\n/\n" + r.URL.RawQuery + "\n")
	for _, h := range signed {
		v := r.Header.Get(h)
		if h == "host" {
			v = r.Host
		}
		canon.WriteString(h + ":" + strings.TrimSpace(v) + "\n")
	}
	canon.WriteString("\n" + strings.Join(signed, ";") + "\n" + payloadHash)
	sum := sha256.Sum256([]byte(canon.String()))
	scope := amzDate[:8] + "/us-east-1/cloudcontrolapi/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	mac := func(k []byte, s string) []byte {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(s))
		return m.Sum(nil)
	}
	k := mac([]byte("AWS4"+secret), amzDate[:8])
	k = mac(k, "us-east-1")
	k = mac(k, "cloudcontrolapi")
	k = mac(k, "aws4_request")
	sig := hex.EncodeToString(mac(k, toSign))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+akid+"/"+scope+", SignedHeaders="+strings.Join(signed, ";")+", Signature="+sig)
}

func bodyHash(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// TestVerifier_Forged sends each forged request of issue 13 and checks it
// is refused with AWS's error and message, next to the honest request it
// was made from, which must pass (so the refusal is the check's doing).
func TestVerifier_Forged(t *testing.T) {
	creds := map[string]string{akid: secret}
	const body = `{"Name":"x"}`
	req := func(target string) *http.Request {
		r := newRequest(target, awsjson.ContentType10, body)
		r.URL.RawQuery = ""
		return r
	}
	sdkSigned := func(at time.Time, payloadHash string, mod func(*http.Request)) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			r := req("CloudApiService.Echo")
			if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret},
				r, payloadHash, "cloudcontrolapi", "us-east-1", at); err != nil {
				t.Fatal(err)
			}
			if mod != nil {
				mod(r)
			}
			return r
		}
	}
	hand := func(target string, signed []string, at time.Time, payloadHash string, mod func(*http.Request)) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			r := req(target)
			if payloadHash == "UNSIGNED-PAYLOAD" {
				r.Header.Set("X-Amz-Content-Sha256", payloadHash)
			}
			handSign(t, r, signed, at, payloadHash)
			if mod != nil {
				mod(r)
			}
			return r
		}
	}
	now := signTime.Add(time.Minute) // the server's clock (newServer)
	all := []string{"content-type", "host", "x-amz-date", "x-amz-target"}
	tests := []struct {
		name    string
		req     func(t *testing.T) *http.Request
		errType string // "" = accepted
		msg     string // "" = any
	}{
		{name: "honest SDK request", req: sdkSigned(signTime, bodyHash(body), nil)},
		{name: "honest hand-signed request", req: hand("CloudApiService.Echo", all, signTime, bodyHash(body), nil)},
		{name: "14 minutes old", req: sdkSigned(now.Add(-14*time.Minute), bodyHash(body), nil)},
		{name: "14 minutes ahead", req: sdkSigned(now.Add(14*time.Minute), bodyHash(body), nil)},
		{
			name: "stale: signed in 2020", req: sdkSigned(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), bodyHash(body), nil),
			errType: "InvalidSignatureException",
			msg:     "Signature expired: 20200101T000000Z is now earlier than 20260304T045207Z (20260304T050707Z - 15 min.)",
		},
		{
			name: "stale: 16 minutes old", req: sdkSigned(now.Add(-16*time.Minute), bodyHash(body), nil),
			errType: "InvalidSignatureException",
			msg:     "Signature expired: 20260304T045107Z is now earlier than 20260304T045207Z (20260304T050707Z - 15 min.)",
		},
		{
			name: "future: signed in 2099", req: sdkSigned(time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), bodyHash(body), nil),
			errType: "InvalidSignatureException",
			msg:     "Signature not yet current: 20990101T000000Z is still later than 20260304T052207Z (20260304T050707Z + 15 min.)",
		},
		{
			name: "host not signed", req: hand("CloudApiService.Echo", []string{"content-type", "x-amz-date", "x-amz-target"}, signTime, bodyHash(body), nil),
			errType: "InvalidSignatureException", msg: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
		},
		{
			name: "empty SignedHeaders", req: hand("CloudApiService.Echo", nil, signTime, bodyHash(body), nil),
			errType: "InvalidSignatureException", msg: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
		},
		{
			// A GetResource signed over host and x-amz-date only, resent
			// with another X-Amz-Target.
			name: "target not signed, then swapped",
			req: hand("CloudApiService.Echo", []string{"host", "x-amz-date"}, signTime, bodyHash(body), func(r *http.Request) {
				r.Header.Set("X-Amz-Target", "CloudApiService.Fail")
			}),
			errType: "InvalidSignatureException", msg: "There were headers present in the request which were not signed: x-amz-target",
		},
		{
			name: "x-amz-date not signed", req: hand("CloudApiService.Echo", []string{"host", "x-amz-target"}, signTime, bodyHash(body), nil),
			errType: "InvalidSignatureException", msg: "There were headers present in the request which were not signed: x-amz-date",
		},
		{
			name: "extra x-amz header not signed",
			req: hand("CloudApiService.Echo", all, signTime, bodyHash(body), func(r *http.Request) {
				r.Header.Set("X-Amz-Security-Token", "x")
			}),
			errType: "InvalidSignatureException", msg: "There were headers present in the request which were not signed: x-amz-security-token",
		},
		{
			name: "UNSIGNED-PAYLOAD, body swapped",
			req: hand("CloudApiService.Echo", append(all, "x-amz-content-sha256"), signTime, "UNSIGNED-PAYLOAD", func(r *http.Request) {
				r.Body = io.NopCloser(strings.NewReader(`{"Name":"swapped"}`))
			}),
			errType: "InvalidSignatureException",
		},
		{
			name:    "UNSIGNED-PAYLOAD, body as sent",
			req:     hand("CloudApiService.Echo", append(all, "x-amz-content-sha256"), signTime, "UNSIGNED-PAYLOAD", nil),
			errType: "InvalidSignatureException",
		},
		{
			name:    "body swapped under a signed body hash",
			req:     sdkSigned(signTime, bodyHash(body), func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader(`{"Name":"y"}`)) }),
			errType: "InvalidSignatureException",
		},
		{
			name:    "X-Amz-Date not in basic format",
			req:     sdkSigned(signTime, bodyHash(body), func(r *http.Request) { r.Header.Set("X-Amz-Date", "2026-03-04T05:06:07Z") }),
			errType: "IncompleteSignatureException",
			msg:     "Date must be in ISO-8601 'basic format'. Got '2026-03-04T05:06:07Z'. See http://en.wikipedia.org/wiki/ISO_8601",
		},
		{
			name:    "no date",
			req:     sdkSigned(signTime, bodyHash(body), func(r *http.Request) { r.Header.Del("X-Amz-Date") }),
			errType: "IncompleteSignatureException",
			msg:     "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
		},
		{
			name: "scope date is not the request's",
			req: sdkSigned(signTime, bodyHash(body), func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/20260304/", "/20260303/", 1))
			}),
			errType: "InvalidSignatureException",
			msg:     "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260303' != '20260304', from '20260304T050607Z'.",
		},
		{
			name: "wrong algorithm",
			req: sdkSigned(signTime, bodyHash(body), func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", 1))
			}),
			errType: "IncompleteSignatureException",
		},
		{
			name: "signature not hex",
			req: sdkSigned(signTime, bodyHash(body), func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Signature=", "Signature=zz", 1))
			}),
			errType: "IncompleteSignatureException",
		},
		{
			name: "Date header instead of X-Amz-Date",
			req: func(t *testing.T) *http.Request {
				r := req("CloudApiService.Echo")
				r.Header.Set("Date", signTime.Format(http.TimeFormat))
				handSign(t, r, []string{"content-type", "date", "host", "x-amz-target"}, signTime, bodyHash(body))
				r.Header.Del("X-Amz-Date")
				return r
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := do(t, newServer(creds), tt.req(t))
			if tt.errType == "" {
				if got.status != 200 {
					t.Fatalf("refused: %d %v", got.status, got.body)
				}
				return
			}
			if got.status != 400 || got.body["__type"] != "com.amazon.coral.service#"+tt.errType {
				t.Fatalf("got %d %v, want 400 %s", got.status, got.body, tt.errType)
			}
			if tt.msg != "" && got.body["message"] != tt.msg {
				t.Errorf("message = %q\nwant      %q", got.body["message"], tt.msg)
			}
		})
	}
}

// TestVerifier_MaxSkew: a negative MaxSkew turns the clock check off (a
// replay of recorded traffic); a positive one replaces the 15 minutes.
func TestVerifier_MaxSkew(t *testing.T) {
	const body = `{}`
	for _, tt := range []struct {
		skew   time.Duration
		age    time.Duration
		status int
	}{
		{-1, 24 * 365 * time.Hour, 200},
		{time.Minute, 2 * time.Minute, 400},
		{time.Hour, 30 * time.Minute, 200},
	} {
		s := newServer(map[string]string{akid: secret})
		s.Verifier.MaxSkew = tt.skew
		r := newRequest("CloudApiService.Echo", awsjson.ContentType10, body)
		r.URL.RawQuery = ""
		at := signTime.Add(time.Minute).Add(-tt.age)
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret},
			r, bodyHash(body), "cloudcontrolapi", "us-east-1", at); err != nil {
			t.Fatal(err)
		}
		if got := do(t, s, r); got.status != tt.status {
			t.Errorf("skew %s, age %s: status %d (%v), want %d", tt.skew, tt.age, got.status, got.body, tt.status)
		}
	}
}

// TestServer_Anonymous: operations AWS serves unsigned stay callable
// unsigned when credentials are configured; a signature on them is still
// checked; other operations still need one.
func TestServer_Anonymous(t *testing.T) {
	s := newServer(map[string]string{akid: secret})
	unsigned := do(t, s, newRequest("AWSCognitoIdentityProviderService.InitiateAuth", awsjson.ContentType11, `{"Name":"x"}`))
	if unsigned.status != 200 || unsigned.body["Op"] != "InitiateAuth" {
		t.Errorf("unsigned InitiateAuth: %d %v", unsigned.status, unsigned.body)
	}
	badSig := newRequest("AWSCognitoIdentityProviderService.InitiateAuth", awsjson.ContentType11, `{}`)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: akid, SecretAccessKey: "wrong"},
		badSig, bodyHash(`{}`), "cognito-idp", "us-east-1", signTime); err != nil {
		t.Fatal(err)
	}
	if got := do(t, s, badSig); got.body["__type"] != "com.amazon.coral.service#InvalidSignatureException" {
		t.Errorf("badly signed InitiateAuth: %d %v, want InvalidSignatureException", got.status, got.body)
	}
	if got := do(t, s, newRequest("AWSCognitoIdentityProviderService.Echo", awsjson.ContentType11, `{}`)); got.body["__type"] != "com.amazon.coral.service#MissingAuthenticationTokenException" {
		t.Errorf("unsigned Echo: %d %v, want MissingAuthenticationTokenException", got.status, got.body)
	}
	// A name on the list that no operation serves yet is still unknown.
	if got := do(t, s, newRequest("AWSCognitoIdentityProviderService.NotImplementedYet", awsjson.ContentType11, `{}`)); got.body["__type"] != "com.amazon.coral.service#UnknownOperationException" {
		t.Errorf("unsigned NotImplementedYet: %d %v, want UnknownOperationException", got.status, got.body)
	}
}
