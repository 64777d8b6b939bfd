package cognito

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// What the hosted UI's pages show of a client's managed login branding
// style (managed_login_branding.go) and terms documents (terms.go).
//
// A client with a branding style gets its pages in that style instead of
// the classic UI customization (on AWS the two are the two versions of
// the domain's pages). Rendered: the color scheme (LIGHT or DARK; DYNAMIC
// shows the light colors), the page background color
// (components.pageBackground), the form's background and border colors
// (components.form), the primary button's colors
// (components.primaryButton.defaults), and the assets PAGE_BACKGROUND,
// FORM_BACKGROUND, FORM_LOGO (else PAGE_HEADER_LOGO) and FAVICON_ICO /
// FAVICON_SVG. Not rendered: every other setting (fonts, spacing, the
// header and footer, input and link styles, hover states, the language
// selector, display graphics) and the other assets (footer, e-mail, SMS,
// authenticator, password, passkey and IdP button graphics).
//
// Terms: once a client has both a terms-of-use and a privacy-policy
// document, its sign-in and sign-up pages link them, each in the page's
// language (the lang parameter, carried from /oauth2/authorize, else the
// browser's Accept-Language) with cognito:default as the fallback.

// pageExtras is what withBranding adds to a page besides the classic
// customization.
type pageExtras struct {
	lang                 string
	css                  template.CSS // the branding style's rules
	logo, favicon        template.URL
	termsURL, privacyURL string
	branded              bool // the client has a branding style
}

// pageLanguages maps the managed login's language codes to the Links key
// of a terms document.
var pageLanguages = map[string]string{
	"en": "english", "de": "german", "es": "spanish", "fr": "french", "id": "bahasa-indonesia",
	"it": "italian", "ja": "japanese", "ko": "korean", "pt-BR": "portuguese-brazil",
	"zh-CN": "chinese-(simplified)", "zh-TW": "chinese-(traditional)",
}

// languageCode returns the supported code of a language tag ("fr-CA" is
// "fr", "pt" is "pt-BR", "zh" is "zh-CN"), or "".
func languageCode(tag string) string {
	tag = strings.TrimSpace(tag)
	for code := range pageLanguages {
		if strings.EqualFold(code, tag) {
			return code
		}
	}
	base, _, _ := strings.Cut(strings.ToLower(tag), "-")
	switch base {
	case "pt":
		return "pt-BR"
	case "zh":
		return "zh-CN"
	}
	if _, ok := pageLanguages[base]; ok && !strings.Contains(base, "-") {
		return base
	}
	return ""
}

// pageLanguage is a request's page language: lang, else the first
// supported language of Accept-Language, else English.
func pageLanguage(r *http.Request) string {
	if c := languageCode(r.URL.Query().Get("lang")); c != "" {
		return c
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(part, ";")
		if c := languageCode(tag); c != "" {
			return c
		}
	}
	return "en"
}

// loadPageExtras reads the client's branding style and terms documents.
func loadPageExtras(tx handler.Tx, poolID, clientID, lang string) (*pageExtras, error) {
	x := &pageExtras{lang: lang}
	if clientID == "" {
		return x, nil
	}
	b, err := brandingOfClient(tx, poolID, clientID)
	if err != nil {
		return nil, err
	}
	if b != nil {
		x.branded = true
		x.css, x.logo, x.favicon = brandingStyle(b)
	}
	_, all, err := listTerms(tx, poolID)
	if err != nil {
		return nil, err
	}
	var termsURL, privacyURL string
	for _, t := range all {
		if t.ClientId != clientID {
			continue
		}
		link := t.Links["cognito:"+pageLanguages[lang]]
		if link == "" {
			link = t.Links["cognito:default"]
		}
		switch termsKind(t.TermsName) {
		case "terms-of-use":
			termsURL = link
		case "privacy-policy":
			privacyURL = link
		}
	}
	// AWS shows the documents only once both kinds exist.
	if termsURL != "" && privacyURL != "" {
		x.termsURL, x.privacyURL = termsURL, privacyURL
	}
	return x, nil
}

// reHexColor is a branding color, RRGGBBAA.
var reHexColor = regexp.MustCompile(`^[0-9a-fA-F]{8}$`)

// settingAt returns the value at a path of a decoded settings document.
func settingAt(m any, path ...string) any {
	for _, p := range path {
		obj, ok := m.(map[string]any)
		if !ok {
			return nil
		}
		m = obj[p]
	}
	return m
}

// colorAt returns the CSS color at a path, "" unless it is RRGGBBAA.
func colorAt(settings any, path ...string) string {
	s, _ := settingAt(settings, path...).(string)
	if !reHexColor.MatchString(s) {
		return ""
	}
	return "#" + strings.ToLower(s)
}

var assetTypes = map[string]string{"PNG": "image/png", "JPEG": "image/jpeg", "SVG": "image/svg+xml", "WEBP": "image/webp", "ICO": "image/x-icon"}

// assetURL returns a data URL of the style's asset of category for the
// color mode (an asset of the mode before a DYNAMIC one), or "".
func assetURL(b *storedBranding, category, mode string) string {
	var best *brandingAsset
	for i := range b.Assets {
		a := &b.Assets[i]
		if deref(a.Category, "") != category || len(a.Bytes) == 0 || assetTypes[deref(a.Extension, "")] == "" {
			continue
		}
		switch deref(a.ColorMode, "") {
		case mode:
			return dataURL(a)
		case "DYNAMIC":
			best = a
		}
	}
	if best == nil {
		return ""
	}
	return dataURL(best)
}

func dataURL(a *brandingAsset) string {
	return "data:" + assetTypes[deref(a.Extension, "")] + ";base64," + base64.StdEncoding.EncodeToString(a.Bytes)
}

// brandingStyle turns a style into CSS rules, a logo and a favicon. Only
// validated colors and base64 data URLs reach the CSS, so it is safe to
// inline.
func brandingStyle(b *storedBranding) (template.CSS, template.URL, template.URL) {
	var settings any
	if len(b.Settings) > 0 {
		_ = json.Unmarshal(b.Settings, &settings) // a document that is not JSON styles nothing
	}
	mode, modeKey := "LIGHT", "lightMode"
	if settingAt(settings, "categories", "global", "colorSchemeMode") == "DARK" {
		mode, modeKey = "DARK", "darkMode"
	}
	var css strings.Builder
	rule := func(selector string, decls ...string) {
		var kept []string
		for i := 0; i+1 < len(decls); i += 2 {
			if decls[i+1] != "" {
				kept = append(kept, decls[i]+":"+decls[i+1])
			}
		}
		if len(kept) > 0 {
			fmt.Fprintf(&css, "%s{%s}\n", selector, strings.Join(kept, ";"))
		}
	}
	bg := func(category string) string {
		if u := assetURL(b, category, mode); u != "" {
			return `url("` + u + `")`
		}
		return ""
	}
	pageBg, cover := bg("PAGE_BACKGROUND"), ""
	if pageBg != "" {
		cover = "cover"
	}
	rule("body", "background-color", colorAt(settings, "components", "pageBackground", modeKey, "color"),
		"background-image", pageBg, "background-size", cover)
	rule(".modal-content", "background-color", colorAt(settings, "components", "form", modeKey, "backgroundColor"),
		"border-color", colorAt(settings, "components", "form", modeKey, "borderColor"),
		"background-image", bg("FORM_BACKGROUND"))
	rule("input.submitButton-customizable", "background-color", colorAt(settings, "components", "primaryButton", modeKey, "defaults", "backgroundColor"),
		"color", colorAt(settings, "components", "primaryButton", modeKey, "defaults", "textColor"))
	logo := assetURL(b, "FORM_LOGO", mode)
	if logo == "" {
		logo = assetURL(b, "PAGE_HEADER_LOGO", mode)
	}
	favicon := assetURL(b, "FAVICON_SVG", mode)
	if favicon == "" {
		favicon = assetURL(b, "FAVICON_ICO", mode)
	}
	return template.CSS(css.String()), template.URL(logo), template.URL(favicon)
}
