package awsjson

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// DefaultAccount is the account of a caller whose access key id is not a
// 12-digit account number.
const DefaultAccount = "000000000000"

// DefaultRegion is the region of an unsigned request.
const DefaultRegion = "us-east-1"

// Identity is what a request's signature says about its caller.
type Identity struct {
	AccessKeyID string // "" when unsigned
	Account     string // 12 digits
	Region      string // from the credential scope
	Service     string // signing name from the credential scope, e.g. "cloudcontrolapi"
}

// Verifier checks AWS Signature Version 4 (header form). With no
// credentials it accepts any request and only reads the identity from the
// Authorization header when there is one.
//
// The clock is not checked: the emulator's time may be fixed in tests,
// and a skewed laptop clock should not break local use.
type Verifier struct {
	// Credentials maps access key ids to secret keys; nil or empty means
	// signatures are not verified.
	Credentials map[string]string
}

// AccountOf returns the account an access key id stands for: the key
// itself when it is 12 digits, else DefaultAccount.
func AccountOf(accessKeyID string) string {
	if len(accessKeyID) != 12 {
		return DefaultAccount
	}
	for i := 0; i < len(accessKeyID); i++ {
		if c := accessKeyID[i]; c < '0' || c > '9' {
			return DefaultAccount
		}
	}
	return accessKeyID
}

type authHeader struct {
	accessKey, date, region, service string
	signedHeaders                    []string
	signature                        string
}

// parseAuthorization reads "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/svc/aws4_request,
// SignedHeaders=a;b, Signature=hex".
func parseAuthorization(h string) (authHeader, bool) {
	var a authHeader
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256")
	if !ok {
		return a, false
	}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, false
		}
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" || f[0] == "" {
				return a, false
			}
			a.accessKey, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	if a.accessKey == "" || len(a.signedHeaders) == 0 || a.signature == "" {
		return a, false
	}
	return a, true
}

func errMissingAuth() *Error {
	return protocolError(http.StatusBadRequest, "MissingAuthenticationTokenException", "Missing Authentication Token")
}

func errBadSignature() *Error {
	return protocolError(http.StatusBadRequest, "InvalidSignatureException",
		"The request signature we calculated does not match the signature you provided. "+
			"Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
}

// Verify checks r (whose body has been read into body) and returns the
// caller's identity.
func (v *Verifier) Verify(r *http.Request, body []byte) (Identity, *Error) {
	id := Identity{Account: DefaultAccount, Region: DefaultRegion}
	h := r.Header.Get("Authorization")
	verify := v != nil && len(v.Credentials) > 0
	if h == "" {
		if verify {
			return id, errMissingAuth()
		}
		return id, nil
	}
	a, ok := parseAuthorization(h)
	if !ok {
		if verify {
			return id, protocolError(http.StatusBadRequest, "IncompleteSignatureException",
				"Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.")
		}
		return id, nil
	}
	id = Identity{AccessKeyID: a.accessKey, Account: AccountOf(a.accessKey), Region: a.region, Service: a.service}
	if id.Region == "" {
		id.Region = DefaultRegion
	}
	if !verify {
		return id, nil
	}
	secret, ok := v.Credentials[a.accessKey]
	if !ok {
		return id, protocolError(http.StatusBadRequest, "UnrecognizedClientException",
			"The security token included in the request is invalid.")
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" || !strings.HasPrefix(amzDate, a.date) {
		return id, errBadSignature()
	}
	sum := sha256.Sum256(body)
	bodyHash := hex.EncodeToString(sum[:])
	payloadHash := r.Header.Get("X-Amz-Content-Sha256")
	switch payloadHash {
	case "":
		payloadHash = bodyHash
	case "UNSIGNED-PAYLOAD", bodyHash:
	default:
		return id, protocolError(http.StatusBadRequest, "XAmzContentSHA256Mismatch",
			"The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	want := signature(secret, a, amzDate, canonicalRequest(r, a.signedHeaders, payloadHash))
	if !hmac.Equal([]byte(want), []byte(a.signature)) {
		return id, errBadSignature()
	}
	return id, nil
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func signature(secret string, a authHeader, amzDate, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	scope := a.date + "/" + a.region + "/" + a.service + "/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	k := hmacSHA256([]byte("AWS4"+secret), a.date)
	k = hmacSHA256(k, a.region)
	k = hmacSHA256(k, a.service)
	k = hmacSHA256(k, "aws4_request")
	return hex.EncodeToString(hmacSHA256(k, toSign))
}

// canonicalRequest builds SigV4's canonical request. The path is escaped
// once more on top of its wire form, as the SDKs do for every service but S3.
func canonicalRequest(r *http.Request, signed []string, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	b.WriteString(escape(path, false))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.RawQuery))
	b.WriteByte('\n')
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(headerValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signed, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

func headerValue(r *http.Request, name string) string {
	switch name {
	case "host":
		if r.Host != "" {
			return r.Host
		}
		return r.URL.Host
	case "content-length":
		if v := r.Header.Get("Content-Length"); v != "" {
			return v
		}
		if r.ContentLength >= 0 {
			return strconv.FormatInt(r.ContentLength, 10)
		}
	}
	vals := r.Header.Values(name)
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}

func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return raw
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vs := append([]string(nil), vals[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			parts = append(parts, escape(k, true)+"="+escape(v, true))
		}
	}
	return strings.Join(parts, "&")
}

// escape percent-encodes everything but unreserved characters (and '/'
// unless encodeSlash).
func escape(s string, encodeSlash bool) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || c == '/' && !encodeSlash {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexd[c>>4])
		b.WriteByte(hexd[c&15])
	}
	return b.String()
}
