package cognito

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzCheckRedirectURL checks the invariants of the redirect URL rules on
// arbitrary input: an accepted URL is absolute, has no fragment, and uses
// plain HTTP only for a loopback host; a rejected one is named in the message.
func FuzzCheckRedirectURL(f *testing.F) {
	for _, s := range []string{
		"https://example.com/cb", "http://example.com/cb", "http://localhost:3000/cb",
		"http://127.0.0.1/cb", "http://[::1]:8080/cb", "myapp://callback", "myapp:callback",
		"https://example.com/cb#frag", "/relative", "", "HTTP://LOCALHOST/x",
		"http://localhost@evil.example/", "http://localhost.evil.example/", "https://ex ample.com",
		"http://[::1", "https:", "urn:ietf:wg:oauth:2.0:oob",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		err := checkRedirectURL(raw)
		if err != nil {
			if err.Type != typeInvalidParameter || !strings.HasPrefix(err.Message, raw) {
				t.Fatalf("checkRedirectURL(%q) = %v: want InvalidParameterException naming the URL", raw, err)
			}
			return
		}
		if strings.Contains(raw, "#") {
			t.Fatalf("accepted %q with a fragment", raw)
		}
		u, perr := url.Parse(raw)
		if perr != nil || !u.IsAbs() {
			t.Fatalf("accepted %q, which is not an absolute URL", raw)
		}
		if strings.EqualFold(u.Scheme, "http") && !isLoopback(u.Hostname()) {
			t.Fatalf("accepted plain HTTP to %q", u.Hostname())
		}
	})
}
