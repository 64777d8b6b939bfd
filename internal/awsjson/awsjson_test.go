package awsjson_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/ccql/ccql/internal/awsjson"
)

var errDomain = errors.New("domain failure")

func newServer(creds map[string]string) *awsjson.Server {
	echo := func(_ context.Context, req *awsjson.Request) (any, error) {
		var in struct {
			Name string
			N    int
		}
		if err := req.Decode(&in); err != nil {
			return nil, err
		}
		return map[string]any{"Name": in.Name, "N": in.N, "Account": req.Account, "Region": req.Region, "Op": req.Operation}, nil
	}
	return &awsjson.Server{
		// The server's clock is a minute after the tests' signing time.
		Verifier: &awsjson.Verifier{Credentials: creds, Now: func() time.Time { return signTime.Add(time.Minute) }},
		Services: []*awsjson.Service{
			{
				TargetPrefix: "CloudApiService",
				ContentType:  awsjson.ContentType10,
				ErrorPrefix:  "com.amazon.cloudapiservice#",
				MessageKey:   "Message",
				Operations: map[string]awsjson.Operation{
					"Echo": echo,
					"Fail": func(context.Context, *awsjson.Request) (any, error) {
						return nil, awsjson.Errorf(404, "TypeNotFoundException", "no such type")
					},
					"Domain": func(context.Context, *awsjson.Request) (any, error) {
						return nil, errDomain
					},
					"Unmapped": func(context.Context, *awsjson.Request) (any, error) {
						return nil, errors.New("surprise")
					},
					"Panic": func(context.Context, *awsjson.Request) (any, error) { panic("boom") },
				},
				MapError: func(err error) *awsjson.Error {
					if errors.Is(err, errDomain) {
						return awsjson.Errorf(409, "ConcurrentOperationException", "busy")
					}
					return nil
				},
			},
			{
				TargetPrefix: "AWSCognitoIdentityProviderService",
				ContentType:  awsjson.ContentType11,
				MessageKey:   "message",
				Anonymous:    map[string]bool{"InitiateAuth": true, "NotImplementedYet": true},
				Operations: map[string]awsjson.Operation{
					"Echo":         echo,
					"InitiateAuth": echo,
					"Fail": func(context.Context, *awsjson.Request) (any, error) {
						return nil, awsjson.Errorf(400, "ResourceNotFoundException", "User pool x does not exist.")
					},
				},
			},
		},
	}
}

type response struct {
	status int
	ctype  string
	body   map[string]any
}

func do(t *testing.T, h http.Handler, r *http.Request) response {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Header().Get("x-amzn-RequestId") == "" {
		t.Errorf("response without x-amzn-RequestId")
	}
	var body map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("response body %q is not JSON: %v", w.Body.String(), err)
	}
	return response{status: w.Code, ctype: w.Header().Get("Content-Type"), body: body}
}

func newRequest(target, ctype, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://localhost:4566/", strings.NewReader(body))
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	return r
}

func TestServer_Dispatch(t *testing.T) {
	s := newServer(nil)
	tests := []struct {
		name   string
		req    *http.Request
		status int
		ctype  string
		body   map[string]any
	}{
		{
			name:   "echo json 1.0",
			req:    newRequest("CloudApiService.Echo", awsjson.ContentType10, `{"Name":"x","N":3,"Extra":true}`),
			status: 200, ctype: awsjson.ContentType10,
			body: map[string]any{"Name": "x", "N": 3.0, "Account": "000000000000", "Region": "us-east-1", "Op": "Echo"},
		},
		{
			name:   "empty body is an empty object",
			req:    newRequest("AWSCognitoIdentityProviderService.Echo", awsjson.ContentType11, ``),
			status: 200, ctype: awsjson.ContentType11,
			body: map[string]any{"Name": "", "N": 0.0, "Account": "000000000000", "Region": "us-east-1", "Op": "Echo"},
		},
		{
			name: "path and query are ignored",
			req: func() *http.Request {
				r := newRequest("CloudApiService.Echo", awsjson.ContentType10, `{}`)
				r.URL.Path = "/x"
				r.URL.RawQuery = "Action=Echo&Version=2021-09-30"
				return r
			}(),
			status: 200, ctype: awsjson.ContentType10,
			body: map[string]any{"Name": "", "N": 0.0, "Account": "000000000000", "Region": "us-east-1", "Op": "Echo"},
		},
		{
			name:   "service error, Cloud Control envelope",
			req:    newRequest("CloudApiService.Fail", awsjson.ContentType10, `{}`),
			status: 404, ctype: awsjson.ContentType10,
			body: map[string]any{"__type": "com.amazon.cloudapiservice#TypeNotFoundException", "Message": "no such type"},
		},
		{
			name:   "service error, Cognito envelope",
			req:    newRequest("AWSCognitoIdentityProviderService.Fail", awsjson.ContentType11, `{}`),
			status: 400, ctype: awsjson.ContentType11,
			body: map[string]any{"__type": "ResourceNotFoundException", "message": "User pool x does not exist."},
		},
		{
			name:   "mapped domain error",
			req:    newRequest("CloudApiService.Domain", awsjson.ContentType10, `{}`),
			status: 409, ctype: awsjson.ContentType10,
			body: map[string]any{"__type": "com.amazon.cloudapiservice#ConcurrentOperationException", "Message": "busy"},
		},
		{
			name:   "unmapped error is an internal failure",
			req:    newRequest("CloudApiService.Unmapped", awsjson.ContentType10, `{}`),
			status: 500, ctype: awsjson.ContentType10,
			body: map[string]any{"__type": "com.amazon.coral.service#InternalFailure", "message": "Internal Failure"},
		},
		{
			name:   "panic is an internal failure",
			req:    newRequest("CloudApiService.Panic", awsjson.ContentType10, `{}`),
			status: 500, ctype: awsjson.ContentType10,
			body: map[string]any{"__type": "com.amazon.coral.service#InternalFailure", "message": "internal error: boom"},
		},
		{
			name:   "unknown operation",
			req:    newRequest("CloudApiService.Nope", awsjson.ContentType10, `{}`),
			status: 400, ctype: awsjson.ContentType10,
			body: map[string]any{"__type": "com.amazon.coral.service#UnknownOperationException", "message": "Unknown operation CloudApiService.Nope"},
		},
		{
			name:   "unknown service",
			req:    newRequest("DynamoDB_20120810.ListTables", awsjson.ContentType10, `{}`),
			status: 400, ctype: awsjson.ContentType11,
			body: map[string]any{"__type": "com.amazon.coral.service#UnknownOperationException", "message": "Unknown operation DynamoDB_20120810.ListTables"},
		},
		{
			name:   "no target",
			req:    newRequest("", awsjson.ContentType10, `{}`),
			status: 400, ctype: awsjson.ContentType11,
			body: map[string]any{"__type": "com.amazon.coral.service#UnknownOperationException", "message": "Unknown operation "},
		},
		{
			name:   "wrong content type",
			req:    newRequest("CloudApiService.Echo", "text/plain", `{}`),
			status: 400, ctype: awsjson.ContentType10,
			body: map[string]any{"__type": "com.amazon.coral.service#UnknownOperationException", "message": "Unsupported content type"},
		},
		{
			name: "GET",
			req: func() *http.Request {
				r := newRequest("CloudApiService.Echo", awsjson.ContentType10, ``)
				r.Method = http.MethodGet
				return r
			}(),
			status: 405, ctype: awsjson.ContentType10,
			body: map[string]any{"__type": "com.amazon.coral.service#UnknownOperationException", "message": "Only POST is supported"},
		},
		{
			name:   "malformed JSON",
			req:    newRequest("CloudApiService.Echo", awsjson.ContentType10, `{"Name":`),
			status: 400, ctype: awsjson.ContentType10,
			body: map[string]any{"__type": "com.amazon.coral.service#SerializationException", "message": "Malformed JSON body"},
		},
		{
			name:   "wrong member type",
			req:    newRequest("CloudApiService.Echo", awsjson.ContentType10, `{"N":"three"}`),
			status: 400, ctype: awsjson.ContentType10,
			body: map[string]any{"__type": "com.amazon.coral.service#SerializationException", "message": "Unexpected value type for member N: expected int, found JSON string"},
		},
		{
			name:   "body is not an object",
			req:    newRequest("CloudApiService.Echo", awsjson.ContentType10, `[1]`),
			status: 400, ctype: awsjson.ContentType10,
			body: map[string]any{"__type": "com.amazon.coral.service#SerializationException", "message": "Expected a JSON object, found JSON array"},
		},
		{
			name:   "body over 1 MiB",
			req:    newRequest("CloudApiService.Echo", awsjson.ContentType10, `{"Name":"`+strings.Repeat("a", awsjson.MaxBodySize)+`"}`),
			status: 413, ctype: awsjson.ContentType10,
			body: map[string]any{"__type": "com.amazon.coral.service#RequestEntityTooLargeException", "message": "Request body is larger than 1048576 bytes"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := do(t, s, tt.req)
			if got.status != tt.status {
				t.Errorf("status = %d, want %d", got.status, tt.status)
			}
			if got.ctype != tt.ctype {
				t.Errorf("Content-Type = %q, want %q", got.ctype, tt.ctype)
			}
			if diff := cmp.Diff(tt.body, got.body); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestServer_Fallback(t *testing.T) {
	s := newServer(nil)
	s.Fallback = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"fallback":true}`)
	})
	got := do(t, s, httptest.NewRequest(http.MethodGet, "/us-east-1_abc/.well-known/jwks.json", nil))
	if got.status != 200 || got.body["fallback"] != true {
		t.Errorf("fallback not used: %+v", got)
	}
	// An AWS JSON call that lost its target, or a request for "/", is an
	// AWS-shaped error, not the plain-HTTP endpoints' business.
	missing := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`))
	missing.Header.Set("Content-Type", "application/x-amz-json-1.0")
	root := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, r := range []*http.Request{missing, root} {
		got := do(t, s, r)
		if got.body["fallback"] == true || !strings.Contains(fmt.Sprint(got.body["__type"]), "UnknownOperationException") {
			t.Errorf("%s %s: %+v, want an UnknownOperationException", r.Method, r.URL.Path, got)
		}
	}
}

const (
	akid   = "AKIDEXAMPLE"
	secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

// signTime is when the tests sign; the server's clock is a minute later.
var signTime = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// sign signs r as aws-sdk-go-v2 does.
func sign(t *testing.T, r *http.Request, body, key, sec, region string, contentSHA bool) {
	t.Helper()
	sum := sha256.Sum256([]byte(body))
	hash := hex.EncodeToString(sum[:])
	if contentSHA {
		r.Header.Set("X-Amz-Content-Sha256", hash)
	}
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: sec},
		r, hash, "cloudcontrolapi", region, signTime)
	if err != nil {
		t.Fatal(err)
	}
}

func TestVerifier_SigV4(t *testing.T) {
	creds := map[string]string{akid: secret, "123456789012": "other-secret"}
	body := `{"Name":"x"}`
	signed := func(mod func(r *http.Request)) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			r := newRequest("CloudApiService.Echo", awsjson.ContentType10, body)
			r.URL.RawQuery = ""
			sign(t, r, body, akid, secret, "eu-west-2", true)
			if mod != nil {
				mod(r)
			}
			return r
		}
	}
	tests := []struct {
		name    string
		creds   map[string]string
		req     func(t *testing.T) *http.Request
		status  int
		errType string // "" = success
		account string
		region  string
	}{
		{name: "valid", creds: creds, req: signed(nil), status: 200, account: "000000000000", region: "eu-west-2"},
		{
			name: "account from a 12-digit key", creds: creds, status: 200, account: "123456789012", region: "ap-south-1",
			req: func(t *testing.T) *http.Request {
				r := newRequest("CloudApiService.Echo", awsjson.ContentType10, body)
				sign(t, r, body, "123456789012", "other-secret", "ap-south-1", false)
				return r
			},
		},
		{
			name: "StackQL style: query string, no content hash header", creds: creds, status: 200, account: "000000000000", region: "us-west-2",
			req: func(t *testing.T) *http.Request {
				r := newRequest("CloudApiService.Echo", awsjson.ContentType10, body)
				r.URL.RawQuery = "Action=CreateResource&Version=2021-09-30"
				sign(t, r, body, akid, secret, "us-west-2", false)
				return r
			},
		},
		{
			name: "query value needing escapes", creds: creds, status: 200, account: "000000000000", region: "us-west-2",
			req: func(t *testing.T) *http.Request {
				r := newRequest("CloudApiService.Echo", awsjson.ContentType10, body)
				r.URL.RawQuery = "b=x%20y&a=%2F&a=1"
				sign(t, r, body, akid, secret, "us-west-2", false)
				return r
			},
		},
		{name: "missing", creds: creds, status: 400, errType: "MissingAuthenticationTokenException",
			req: func(*testing.T) *http.Request { return newRequest("CloudApiService.Echo", awsjson.ContentType10, body) }},
		{name: "unknown key", creds: map[string]string{"AKIDOTHER": secret}, req: signed(nil), status: 400, errType: "UnrecognizedClientException"},
		{name: "wrong secret", creds: map[string]string{akid: "not-the-secret"}, req: signed(nil), status: 400, errType: "InvalidSignatureException"},
		{name: "tampered signed header", creds: creds, status: 400, errType: "InvalidSignatureException",
			req: signed(func(r *http.Request) { r.Header.Set("X-Amz-Target", "CloudApiService.Fail") })},
		{name: "tampered body", creds: creds, status: 400, errType: "XAmzContentSHA256Mismatch",
			req: signed(func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader(`{"Name":"y"}`)) })},
		{name: "tampered body without content hash", creds: creds, status: 400, errType: "InvalidSignatureException",
			req: func(t *testing.T) *http.Request {
				r := newRequest("CloudApiService.Echo", awsjson.ContentType10, body)
				sign(t, r, body, akid, secret, "us-east-1", false)
				r.Body = io.NopCloser(strings.NewReader(`{"Name":"y"}`))
				return r
			}},
		{name: "malformed header", creds: creds, status: 400, errType: "IncompleteSignatureException",
			req: signed(func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x") })},
		{name: "no creds configured: any signature", creds: nil, req: signed(func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Signature=", "Signature=00", 1))
		}), status: 200, account: "000000000000", region: "eu-west-2"},
		{name: "no creds configured: unsigned", creds: nil, status: 200, account: "000000000000", region: "us-east-1",
			req: func(*testing.T) *http.Request { return newRequest("CloudApiService.Echo", awsjson.ContentType10, body) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := do(t, newServer(tt.creds), tt.req(t))
			if got.status != tt.status {
				t.Fatalf("status = %d, want %d (%v)", got.status, tt.status, got.body)
			}
			if tt.errType != "" {
				if want := "com.amazon.coral.service#" + tt.errType; got.body["__type"] != want {
					t.Errorf("__type = %v, want %s", got.body["__type"], want)
				}
				return
			}
			if got.body["Account"] != tt.account || got.body["Region"] != tt.region {
				t.Errorf("identity = %v/%v, want %s/%s", got.body["Account"], got.body["Region"], tt.account, tt.region)
			}
		})
	}
}

func TestAccountOf(t *testing.T) {
	for key, want := range map[string]string{
		"123456789012":  "123456789012",
		"12345678901":   "000000000000",
		"AKIDEXAMPLE":   "000000000000",
		"1234567890123": "000000000000",
		"":              "000000000000",
	} {
		if got := awsjson.AccountOf(key); got != want {
			t.Errorf("AccountOf(%q) = %q, want %q", key, got, want)
		}
	}
}

func FuzzServer(f *testing.F) {
	f.Add("CloudApiService.Echo", awsjson.ContentType10, `{"Name":"x","N":1}`, "")
	f.Add("CloudApiService.Echo", awsjson.ContentType10, `{"N":1e400}`, "")
	f.Add("AWSCognitoIdentityProviderService.Fail", awsjson.ContentType11, `{}`, "")
	f.Add("CloudApiService.Echo", "application/x-amz-json-1.0; charset=utf-8", "\xff", "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=00")
	f.Add(".", "", "null", "AWS4-HMAC-SHA256 ,,,")
	f.Fuzz(func(t *testing.T, target, ctype, body, auth string) {
		for _, creds := range []map[string]string{nil, {akid: secret}} {
			s := newServer(creds)
			r := httptest.NewRequest(http.MethodPost, "http://localhost/", strings.NewReader(body))
			r.Header.Set("X-Amz-Target", target)
			r.Header.Set("Content-Type", ctype)
			if auth != "" {
				r.Header.Set("Authorization", auth)
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			var out map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
				t.Fatalf("non-JSON response %q: %v", w.Body.String(), err)
			}
			if w.Code != 200 {
				if typ, _ := out["__type"].(string); typ == "" {
					t.Fatalf("error response without __type: %d %s", w.Code, w.Body.String())
				}
			}
		}
	})
}
