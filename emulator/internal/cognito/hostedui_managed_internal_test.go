package cognito

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPageLanguage(t *testing.T) {
	for _, tc := range []struct{ query, accept, want string }{
		{"", "", "en"},
		{"lang=fr", "", "fr"},
		{"lang=pt-br", "", "pt-BR"},
		{"lang=zh-TW", "de", "zh-TW"},
		{"lang=xx", "de-DE,de;q=0.9", "de"},
		{"", "nl-NL, ja;q=0.8", "ja"},
		{"", "pt-PT", "pt-BR"},
		{"", "zh", "zh-CN"},
		{"", "nl", "en"},
	} {
		r := httptest.NewRequest("GET", "/login?"+tc.query, nil)
		if tc.accept != "" {
			r.Header.Set("Accept-Language", tc.accept)
		}
		if got := pageLanguage(r); got != tc.want {
			t.Errorf("lang %q, Accept-Language %q: %q, want %q", tc.query, tc.accept, got, tc.want)
		}
	}
}

func TestBrandingStyle(t *testing.T) {
	str := func(s string) *string { return &s }
	png := []byte("\x89PNG\r\n\x1a\nx")
	settings := `{"categories":{"global":{"colorSchemeMode":"%s"}},"components":{
		"pageBackground":{"lightMode":{"color":"112233ff"},"darkMode":{"color":"000000ff"}},
		"form":{"lightMode":{"backgroundColor":"ffeeddff","borderColor":"red;}body{x:y"}},
		"primaryButton":{"lightMode":{"defaults":{"backgroundColor":"0972d3ff","textColor":"FFFFFFFF"}}}}}`
	for _, tc := range []struct {
		name, mode string
		assets     []brandingAsset
		want       []string
		wantNot    []string
		logo       bool
	}{
		{"light colors", "LIGHT", nil,
			[]string{"body{background-color:#112233ff}", ".modal-content{background-color:#ffeeddff}",
				"input.submitButton-customizable{background-color:#0972d3ff;color:#ffffffff}"},
			[]string{"red", "x:y"}, false},
		{"dark colors", "DARK", nil, []string{"body{background-color:#000000ff}"}, []string{"#112233ff", "#0972d3ff"}, false},
		{"assets of the mode", "LIGHT", []brandingAsset{
			{Category: str("PAGE_BACKGROUND"), ColorMode: str("DARK"), Extension: str("PNG"), Bytes: []byte("dark")},
			{Category: str("PAGE_BACKGROUND"), ColorMode: str("DYNAMIC"), Extension: str("PNG"), Bytes: png},
			{Category: str("FORM_LOGO"), ColorMode: str("LIGHT"), Extension: str("SVG"), Bytes: []byte("<svg/>")},
		}, []string{`background-image:url("data:image/png;base64,iVBORw0KGgp4")`, "background-size:cover"}, []string{"ZGFyaw"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &storedBranding{branding: branding{Settings: json.RawMessage(strings.Replace(settings, "%s", tc.mode, 1)), Assets: tc.assets}}
			css, logo, _ := brandingStyle(b)
			for _, w := range tc.want {
				if !strings.Contains(string(css), w) {
					t.Errorf("CSS lacks %q:\n%s", w, css)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(string(css), w) {
					t.Errorf("CSS has %q:\n%s", w, css)
				}
			}
			if (logo != "") != tc.logo || tc.logo && !strings.HasPrefix(string(logo), "data:image/svg+xml;base64,") {
				t.Errorf("logo %q", logo)
			}
		})
	}
}
