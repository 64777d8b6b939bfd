package cognito

import (
	"net/url"
	"strings"
)

// loopbackHosts may be reached over plain HTTP (any port): Cognito accepts
// http:// only for these, every other web URL must use https.
var loopbackHosts = []string{"localhost", "127.0.0.1", "::1"}

// checkRedirectURL applies Cognito's rules for a callback, logout or default
// redirect URL (reference B5): an absolute URI, no fragment, and https unless
// it is a loopback address; app schemes such as myapp://callback are allowed.
//
// The length and character rules are Coral's and are checked with the rest
// of the request shape.
func checkRedirectURL(raw string) *APIError {
	if strings.Contains(raw, "#") {
		return invalidParameter("%s cannot use fragment", raw)
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || (u.Opaque == "" && u.Host == "" && u.Path == "") {
		// Not evidenced on AWS: the documentation only says the URL must be
		// absolute; this wording is ours.
		return invalidParameter("%s is not a valid URL.", raw)
	}
	if strings.EqualFold(u.Scheme, "http") && !isLoopback(u.Hostname()) {
		return invalidParameter("%s cannot use the HTTP protocol.", raw)
	}
	return nil
}

func isLoopback(host string) bool {
	for _, h := range loopbackHosts {
		if strings.EqualFold(host, h) {
			return true
		}
	}
	return false
}
