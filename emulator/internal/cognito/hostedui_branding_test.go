package cognito_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/ccql/ccql/emulator/internal/cognito"
)

// TestHostedUI_Branding checks that SetUICustomization's CSS and logo are
// applied to the hosted UI's pages: the pool's for every client, a
// client's own in place of the pool's.
func TestHostedUI_Branding(t *testing.T) {
	st := newMemStore()
	p := newIdP(t, st, cognito.DefaultAccount)
	pool, ids := p.webPool()
	b := newPageClient(t, newOAuth(st))
	loginOf := func(client string) string {
		t.Helper()
		q := url.Values{"client_id": {ids[client]}, "response_type": {"code"}, "redirect_uri": {cbURL}, "scope": {"openid"}}
		if client == "implicit" {
			q.Set("response_type", "token")
		}
		pg := b.get(b.base + "/" + pool + "/login?" + q.Encode())
		if pg.status != 200 {
			t.Fatalf("login page of %s: %d\n%s", client, pg.status, pg.body)
		}
		return pg.body
	}
	if body := loginOf("code"); strings.Contains(body, "logo-customizable\" src") || strings.Count(body, "<style>") != 1 {
		t.Fatalf("uncustomized page has branding:\n%s", body)
	}

	poolCSS := ".submitButton-customizable{background-color:#ff6600}"
	logo := base64.StdEncoding.EncodeToString(pngLogo)
	p.call("SetUICustomization", `{"UserPoolId":"`+pool+`","CSS":"`+poolCSS+`","ImageFile":"`+logo+`"}`)
	clientCSS := ".banner-customizable{color:#123456}"
	p.call("SetUICustomization", `{"UserPoolId":"`+pool+`","ClientId":"`+ids["implicit"]+`","CSS":"`+clientCSS+`"}`)

	tests := []struct {
		client   string
		css      string
		absent   string
		withLogo bool
	}{
		{"code", poolCSS, clientCSS, true},
		{"implicit", clientCSS, poolCSS, false},
	}
	for _, tc := range tests {
		t.Run(tc.client, func(t *testing.T) {
			body := loginOf(tc.client)
			if !strings.Contains(body, "<style>"+tc.css+"</style>") || strings.Contains(body, tc.absent) {
				t.Errorf("page of %s lacks its CSS %q or shows %q:\n%s", tc.client, tc.css, tc.absent, body)
			}
			hasLogo := strings.Contains(body, `<img class="logo-customizable" src="data:image/png;base64,`+logo+`"`)
			if hasLogo != tc.withLogo {
				t.Errorf("page of %s shows the logo: %v, want %v", tc.client, hasLogo, tc.withLogo)
			}
		})
	}
}
