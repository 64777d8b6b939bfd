package cognito

import (
	"encoding/base64"
	"html/template"
	"net/http"
)

// brandedWriter carries the UI customization (SetUICustomization) of a
// hosted UI page request to render, which adds the CSS after the page's
// own style and the logo above the form.
type brandedWriter struct {
	http.ResponseWriter
	css   template.CSS
	logo  template.URL
	extra *pageExtras // managed login branding, terms, language (hostedui_managed.go)
}

// brandedPages are the hosted UI paths that render pages.
var brandedPages = map[string]bool{
	"/oauth2/authorize": true, "/login": true, "/signup": true, "/confirm": true,
	"/forgotPassword": true, "/confirmForgotPassword": true, "/logout": true,
	"/oauth2/idpresponse": true, "/error": true,
}

// withBranding returns w carrying the customization that applies to the
// request's client_id (its own, else the pool's), the client's managed
// login style and terms documents and the page's language, or w itself
// when the path renders no page.
func (o *OAuth) withBranding(w http.ResponseWriter, r *http.Request, path string, loc locator) http.ResponseWriter {
	if !brandedPages[path] {
		return w
	}
	var u *uiCustomization
	var extra *pageExtras
	err := o.cfg.Store.View(r.Context(), func(scope Scope) error {
		ref, err := loc.locate(scope, o.cfg.Accounts)
		if err != nil {
			return err
		}
		clientID := r.URL.Query().Get("client_id")
		if u, err = effectiveUI(ref.tx(scope), ref.poolID, clientID); err != nil {
			return err
		}
		extra, err = loadPageExtras(ref.tx(scope), ref.poolID, clientID, pageLanguage(r))
		return err
	})
	if err != nil {
		// The page itself reports an unknown pool or client.
		return w
	}
	b := &brandedWriter{ResponseWriter: w, extra: extra}
	if extra.branded {
		// A client with a managed login style shows it, not the classic
		// customization.
		return b
	}
	// SetUICustomization admits only rules on the customizable classes and
	// nothing that closes the style element, so the CSS is safe to inline.
	b.css = template.CSS(u.CSS)
	if len(u.Image) > 0 {
		b.logo = template.URL("data:" + u.ImageType + ";base64," + base64.StdEncoding.EncodeToString(u.Image))
	}
	return b
}

// applyBranding copies w's customization into the page data.
func applyBranding(w http.ResponseWriter, d *pageData) {
	if b, ok := w.(*brandedWriter); ok {
		d.CustomCSS, d.Logo = b.css, b.logo
		if x := b.extra; x != nil {
			d.Lang, d.TermsURL, d.PrivacyURL = x.lang, x.termsURL, x.privacyURL
			if x.branded {
				d.ManagedCSS, d.Logo, d.Favicon = x.css, x.logo, x.favicon
			}
		}
	}
}
