package awsjson

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
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

// DefaultMaxSkew is how far a request's signing time may be from the
// server's clock, either way, as AWS allows.
const DefaultMaxSkew = 15 * time.Minute

// amzDateLayout is X-Amz-Date's ISO 8601 basic format.
const amzDateLayout = "20060102T150405Z"

// Verifier checks AWS Signature Version 4 (header form) as AWS enforces
// it: the signing time within MaxSkew of the server's clock, host and
// every x-amz-* header signed, the payload hash computed from the body.
// With no credentials it accepts any request and only reads the identity
// from the Authorization header when there is one (local use).
//
// Presigned (query-string) signatures are not accepted: no AWS JSON client
// sends them, and a URL that carries its own credentials is a replay
// waiting to happen.
type Verifier struct {
	// Credentials maps access key ids to secret keys; nil or empty means
	// signatures are not verified.
	Credentials map[string]string
	// MaxSkew is the largest allowed difference between the signing time
	// and Now; 0 means DefaultMaxSkew, a negative value turns the check off
	// (replays of recorded traffic).
	MaxSkew time.Duration
	// Now is the server's clock; nil is time.Now.
	Now func() time.Time
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
// SignedHeaders=a;b, Signature=hex". A part given twice, a scope date that
// is not 8 digits or a signature that is not hex makes it malformed.
func parseAuthorization(h string) (authHeader, bool) {
	var a authHeader
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !ok {
		return a, false
	}
	seen := map[string]bool{}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || seen[k] {
			return a, false
		}
		seen[k] = true
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" || f[0] == "" || !isDigits(f[1], 8) || f[2] == "" || f[3] == "" {
				return a, false
			}
			a.accessKey, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			if v == "" {
				a.signedHeaders = []string{}
				continue
			}
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			if _, err := hex.DecodeString(v); err != nil {
				return a, false
			}
			a.signature = v
		}
	}
	if a.accessKey == "" || a.signedHeaders == nil || a.signature == "" {
		return a, false
	}
	return a, true
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func errMissingAuth() *Error {
	return protocolError(http.StatusBadRequest, "MissingAuthenticationTokenException", "Missing Authentication Token")
}

func errIncomplete(msg string) *Error {
	return protocolError(http.StatusBadRequest, "IncompleteSignatureException", msg)
}

func errInvalidSignature(msg string) *Error {
	return protocolError(http.StatusBadRequest, "InvalidSignatureException", msg)
}

func errBadSignature() *Error {
	return errInvalidSignature("The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
}

// Verify checks r (whose body has been read into body) and returns the
// caller's identity.
func (v *Verifier) Verify(r *http.Request, body []byte) (Identity, *Error) {
	sum := sha256.Sum256(body)
	return v.VerifyHash(r, hex.EncodeToString(sum[:]))
}

// VerifyHash is Verify for a body too large to hold, given the hex
// SHA-256 the caller computed of it as it was read.
func (v *Verifier) VerifyHash(r *http.Request, bodyHash string) (Identity, *Error) {
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
			return id, errIncomplete("Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.")
		}
		return id, nil
	}
	id = Identity{AccessKeyID: a.accessKey, Account: AccountOf(a.accessKey), Region: a.region, Service: a.service}
	if !verify {
		return id, nil
	}
	secret, ok := v.Credentials[a.accessKey]
	if !ok {
		return id, protocolError(http.StatusBadRequest, "UnrecognizedClientException",
			"The security token included in the request is invalid.")
	}
	signedAt, amzDate, dateHeader, aerr := requestTime(r)
	if aerr != nil {
		return id, aerr
	}
	if a.date != amzDate[:8] {
		return id, errInvalidSignature(fmt.Sprintf(
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			a.date, amzDate[:8], amzDate))
	}
	if aerr := checkSignedHeaders(r, a.signedHeaders, dateHeader); aerr != nil {
		return id, aerr
	}
	if aerr := v.checkClock(signedAt); aerr != nil {
		return id, aerr
	}
	// The payload hash is always computed: a client's x-amz-content-sha256
	// (UNSIGNED-PAYLOAD included) is only a header, and the signature must
	// cover the body that arrived.
	if ph := r.Header.Get("X-Amz-Content-Sha256"); ph != "" && ph != bodyHash && ph != "UNSIGNED-PAYLOAD" {
		return id, protocolError(http.StatusBadRequest, "XAmzContentSHA256Mismatch",
			"The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	want := signature(secret, a, amzDate, canonicalRequest(r, a.signedHeaders, bodyHash))
	if !hmac.Equal([]byte(want), []byte(a.signature)) {
		return id, errBadSignature()
	}
	return id, nil
}

// requestTime reads the signing time from X-Amz-Date, or else Date. It
// returns the time, its X-Amz-Date form (the string to sign's), and the
// name of the header it came from.
func requestTime(r *http.Request) (time.Time, string, string, *Error) {
	if s := r.Header.Get("X-Amz-Date"); s != "" {
		t, err := time.Parse(amzDateLayout, s)
		if err != nil || len(s) != len(amzDateLayout) {
			return time.Time{}, "", "", errIncomplete(fmt.Sprintf(
				"Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", s))
		}
		return t, s, "x-amz-date", nil
	}
	if s := r.Header.Get("Date"); s != "" {
		t, err := http.ParseTime(s)
		if err != nil {
			return time.Time{}, "", "", errIncomplete(fmt.Sprintf(
				"Date must be in ISO-8601 'basic format' or RFC 1123 format. Got '%s'.", s))
		}
		t = t.UTC()
		return t, t.Format(amzDateLayout), "date", nil
	}
	return time.Time{}, "", "", errIncomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
}

// checkSignedHeaders enforces what the signature must cover: host, the
// header the time came from, and every x-amz-* header the request
// carries (X-Amz-Target names the operation: leaving it out would let a
// captured signature be replayed against another operation).
func checkSignedHeaders(r *http.Request, signed []string, dateHeader string) *Error {
	set := make(map[string]bool, len(signed))
	for _, name := range signed {
		set[name] = true
	}
	if !set["host"] {
		return errInvalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	var unsigned []string
	if !set[dateHeader] {
		unsigned = append(unsigned, dateHeader)
	}
	for name := range r.Header {
		l := strings.ToLower(name)
		if strings.HasPrefix(l, "x-amz-") && !set[l] && l != dateHeader {
			unsigned = append(unsigned, l)
		}
	}
	if len(unsigned) > 0 {
		sort.Strings(unsigned)
		return errInvalidSignature("There were headers present in the request which were not signed: " + strings.Join(unsigned, ", "))
	}
	return nil
}

// checkClock refuses a signing time more than MaxSkew from the server's
// clock, in AWS's words.
func (v *Verifier) checkClock(signedAt time.Time) *Error {
	skew := v.MaxSkew
	if skew < 0 {
		return nil
	}
	if skew == 0 {
		skew = DefaultMaxSkew
	}
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	now = now.UTC()
	mins := strconv.FormatFloat(skew.Minutes(), 'f', -1, 64)
	if earliest := now.Add(-skew); signedAt.Before(earliest) {
		return errInvalidSignature(fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s min.)",
			signedAt.Format(amzDateLayout), earliest.Format(amzDateLayout), now.Format(amzDateLayout), mins))
	}
	if latest := now.Add(skew); signedAt.After(latest) {
		return errInvalidSignature(fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %s min.)",
			signedAt.Format(amzDateLayout), latest.Format(amzDateLayout), now.Format(amzDateLayout), mins))
	}
	return nil
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
