package cognito_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ccql/ccql/emulator/internal/cognito"
)

// FuzzHostedUI_Authorize feeds arbitrary query strings to
// /oauth2/authorize and checks the refusal rules: the answer is always a
// redirect, to the domain's error page or to a registered callback URL;
// a redirect to a callback carries an error (there is no session, so no
// code), and the sign-in page is reached only by a request that passes.
func FuzzHostedUI_Authorize(f *testing.F) {
	st := newMemStore()
	pool, ids := newIdP(f, st, cognito.DefaultAccount).webPool()
	o := newOAuth(st)
	for _, seed := range []string{
		"",
		"client_id=" + ids["code"],
		"client_id=" + ids["code"] + "&response_type=code&redirect_uri=" + url.QueryEscape(cbURL) + "&state=s",
		"client_id=" + ids["code"] + "&response_type=code&redirect_uri=" + url.QueryEscape(cbURL) + "&scope=openid+email&code_challenge_method=S256&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		"client_id=" + ids["implicit"] + "&response_type=token&redirect_uri=" + url.QueryEscape(cbURL) + "&identity_provider=COGNITO",
		"client_id=" + ids["code"] + "&response_type=code&idp_identifier=corp.example.com&scope=profile",
		"client_id=%zz&state=%00",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		if strings.ContainsAny(query, " \t\r\n#") || strings.ContainsFunc(query, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return // not a request target a browser sends (it encodes these)
		}
		w := serve(o, http.MethodGet, "http://127.0.0.1:4566/"+pool+"/oauth2/authorize?"+query, "", nil)
		if w.Code == http.StatusNotImplemented && strings.Contains(w.Body.String(), "not emulate") {
			return // a SAML or social provider was named: its page
		}
		if w.Code != http.StatusFound {
			t.Fatalf("status %d for %q", w.Code, query)
		}
		loc, err := url.Parse(w.Header().Get("Location"))
		if err != nil {
			t.Fatalf("Location %q: %v", w.Header().Get("Location"), err)
		}
		switch {
		case loc.Path == "/"+pool+"/error":
		case loc.Path == "/"+pool+"/login":
			if loc.Query().Get("client_id") == "" {
				t.Fatalf("sign-in page without a client for %q", query)
			}
		case strings.HasPrefix(loc.String(), cbURL) || strings.HasPrefix(loc.String(), cbDefault):
			if loc.Query().Get("error") == "" || loc.Query().Has("code") {
				t.Fatalf("callback %s for %q", loc, query)
			}
		default:
			t.Fatalf("redirect to %s for %q", loc, query)
		}
	})
}
