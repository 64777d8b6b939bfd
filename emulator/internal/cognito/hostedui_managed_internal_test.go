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

// FuzzBrandingStyle: whatever a style's settings document and assets hold,
// the CSS inlined in the page cannot leave its <style> element or its
// declarations, and the page language is a supported code.
func FuzzBrandingStyle(f *testing.F) {
	f.Add(`{"categories":{"global":{"colorSchemeMode":"DARK"}},"components":{"pageBackground":{"darkMode":{"color":"000000ff"}}}}`, "PNG", []byte("x"), "fr-CA,fr;q=0.9")
	f.Add(`{"components":{"form":{"lightMode":{"borderColor":"</style><script>"}}}}`, "SVG", []byte("</style>"), "zh")
	f.Fuzz(func(t *testing.T, settings, ext string, data []byte, accept string) {
		str := func(s string) *string { return &s }
		b := &storedBranding{branding: branding{Settings: json.RawMessage(settings), Assets: []brandingAsset{
			{Category: str("PAGE_BACKGROUND"), ColorMode: str("LIGHT"), Extension: &ext, Bytes: data},
			{Category: str("FORM_LOGO"), ColorMode: str("DYNAMIC"), Extension: &ext, Bytes: data},
		}}}
		css, logo, _ := brandingStyle(b)
		if strings.ContainsAny(string(css), `<>\'`) || strings.Count(string(css), "{") != strings.Count(string(css), "}") {
			t.Fatalf("unsafe CSS %q", css)
		}
		if logo != "" && !strings.HasPrefix(string(logo), "data:image/") {
			t.Fatalf("logo %q", logo)
		}
		r := httptest.NewRequest("GET", "/login", nil)
		r.Header.Set("Accept-Language", accept)
		if _, ok := pageLanguages[pageLanguage(r)]; !ok {
			t.Fatalf("page language %q for %q", pageLanguage(r), accept)
		}
	})
}
