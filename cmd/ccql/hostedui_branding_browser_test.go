package main

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/chromedp/chromedp"
)

// onePixelPNG is a 1×1 PNG, which Chromium decodes (naturalWidth 1).
var onePixelPNG, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")

// pageFacts is what a test reads of a rendered page in the browser.
type pageFacts struct {
	Lang          string `json:"lang"`
	ButtonBG      string `json:"buttonBG"`
	ButtonColor   string `json:"buttonColor"`
	BodyBG        string `json:"bodyBG"`
	BodyImage     string `json:"bodyImage"`
	LogoWidth     int    `json:"logoWidth"` // naturalWidth of the decoded logo; -1 without one
	TermsHref     string `json:"termsHref"`
	PrivacyHref   string `json:"privacyHref"`
	SubmitPresent bool   `json:"submitPresent"`
}

const pageFactsJS = `(() => {
	const q = s => document.querySelector(s);
	const button = q('input[type="submit"]');
	const cs = button ? getComputedStyle(button) : null;
	const body = getComputedStyle(document.body);
	const logo = q('img.logo-customizable');
	return {
		lang: document.documentElement.lang,
		buttonBG: cs ? cs.backgroundColor : '', buttonColor: cs ? cs.color : '',
		bodyBG: body.backgroundColor, bodyImage: body.backgroundImage,
		logoWidth: logo && logo.complete ? logo.naturalWidth : -1,
		termsHref: q('#termsOfUseLink') ? q('#termsOfUseLink').href : '',
		privacyHref: q('#privacyPolicyLink') ? q('#privacyPolicyLink').href : '',
		submitPresent: !!button,
	};
})()`

// readPage navigates to u and reads the page's facts once it has loaded.
func readPage(t *testing.T, tab context.Context, u string) pageFacts {
	t.Helper()
	if err := chromedp.Do(tab, chromedp.Navigate(u), chromedp.WaitReady(chromedp.CSS(`body`))); err != nil {
		t.Fatalf("navigate %s: %v", u, err)
	}
	f, err := chromedp.Run(tab, chromedp.Evaluate[pageFacts](pageFactsJS))
	if err != nil {
		t.Fatalf("read %s: %v", u, err)
	}
	if !f.SubmitPresent {
		t.Fatalf("%s rendered no form", u)
	}
	return f
}

// TestHostedUI_BrowserBranding renders the hosted UI in Chromium and
// reads the computed styles and links: SetUICustomization's CSS and logo
// per client with the pool's as fallback on every page, a client's managed
// login branding style, and its terms documents in the page's language.
func TestHostedUI_BrowserBranding(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a browser")
	}
	browser := newBrowser(t)
	base := "http://" + startServe(t)
	ctx := context.Background()
	idp := cip.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")},
		func(o *cip.Options) { o.BaseEndpoint = aws.String(base) })
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	a := newApp(t)
	p, err := idp.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("branded")})
	if err != nil {
		t.Fatal(err)
	}
	pool := *p.UserPool.Id
	must(idp.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &pool, Domain: aws.String("browser-branded")}))
	newClient := func(name string) string {
		t.Helper()
		c, err := idp.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &pool, ClientName: aws.String(name),
			AllowedOAuthFlows: []ciptypes.OAuthFlowType{ciptypes.OAuthFlowTypeCode}, AllowedOAuthScopes: []string{"openid"},
			AllowedOAuthFlowsUserPoolClient: true, CallbackURLs: []string{a.callback}, SupportedIdentityProviders: []string{"COGNITO"}})
		if err != nil {
			t.Fatal(err)
		}
		return *c.UserPoolClient.ClientId
	}
	plain, own, managed := newClient("plain"), newClient("own"), newClient("managed")
	issuer := base + "/" + pool
	authorize := func(client string, extra url.Values) string {
		q := url.Values{"client_id": {client}, "response_type": {"code"}, "redirect_uri": {a.callback}, "scope": {"openid"}}
		for k, v := range extra {
			q[k] = v
		}
		return issuer + "/oauth2/authorize?" + q.Encode()
	}
	page := func(path, client string) string {
		return issuer + path + "?" + url.Values{"client_id": {client}, "response_type": {"code"}, "redirect_uri": {a.callback}}.Encode()
	}

	// The pool's customization (with a logo) and one client's own.
	must(idp.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: &pool, ClientId: aws.String("ALL"),
		CSS: aws.String(".submitButton-customizable { background-color: rgb(10, 20, 30); }"), ImageFile: onePixelPNG}))
	must(idp.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: &pool, ClientId: &own,
		CSS: aws.String(".submitButton-customizable { background-color: rgb(200, 100, 50); color: rgb(1, 2, 3); }")}))

	// The managed client's style and terms.
	must(idp.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{UserPoolId: &pool, ClientId: &managed,
		Settings: brandingSettings(t),
		Assets: []ciptypes.AssetType{
			{Category: ciptypes.AssetCategoryTypeFormLogo, ColorMode: ciptypes.ColorSchemeModeTypeLight, Extension: ciptypes.AssetExtensionTypePng, Bytes: onePixelPNG},
			{Category: ciptypes.AssetCategoryTypePageBackground, ColorMode: ciptypes.ColorSchemeModeTypeDynamic, Extension: ciptypes.AssetExtensionTypePng, Bytes: onePixelPNG},
		}}))
	for _, d := range []struct{ name, def, fr string }{
		{"terms-of-use", "https://example.com/terms", "https://example.com/fr/conditions"},
		{"privacy-policy", "https://example.com/privacy", "https://example.com/fr/confidentialite"},
	} {
		must(idp.CreateTerms(ctx, &cip.CreateTermsInput{UserPoolId: &pool, ClientId: &managed, TermsName: aws.String(d.name),
			TermsSource: ciptypes.TermsSourceTypeLink, Enforcement: ciptypes.TermsEnforcementTypeNone,
			Links: map[string]string{"cognito:default": d.def, "cognito:french": d.fr}}))
	}
	// A single document is not shown: AWS waits for both kinds.
	must(idp.CreateTerms(ctx, &cip.CreateTermsInput{UserPoolId: &pool, ClientId: &own, TermsName: aws.String("terms-of-use"),
		TermsSource: ciptypes.TermsSourceTypeLink, Enforcement: ciptypes.TermsEnforcementTypeNone,
		Links: map[string]string{"cognito:default": "https://example.com/own-terms"}}))

	tab := newTab(t, browser)
	t.Run("UI customization on every page, client before pool", func(t *testing.T) {
		for _, tc := range []struct {
			name, url, buttonBG string
			logo                bool
		}{
			{"pool's, through authorize", authorize(plain, nil), "rgb(10, 20, 30)", true},
			{"pool's sign-up page", page("/signup", plain), "rgb(10, 20, 30)", true},
			{"pool's forgot-password page", page("/forgotPassword", plain), "rgb(10, 20, 30)", true},
			{"client's own, through authorize", authorize(own, nil), "rgb(200, 100, 50)", false},
			{"client's own sign-up page", page("/signup", own), "rgb(200, 100, 50)", false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := readPage(t, tab, tc.url)
				if f.ButtonBG != tc.buttonBG {
					t.Errorf("submit button background %s, want %s", f.ButtonBG, tc.buttonBG)
				}
				if got := f.LogoWidth == 1; got != tc.logo {
					t.Errorf("logo naturalWidth %d, want a decoded logo: %v", f.LogoWidth, tc.logo)
				}
				if f.TermsHref != "" {
					t.Errorf("terms link %q on a client without both documents", f.TermsHref)
				}
			})
		}
	})

	t.Run("managed login branding and terms", func(t *testing.T) {
		for _, tc := range []struct {
			name, url, lang, terms, privacy string
		}{
			{"default language", authorize(managed, nil), "en", "https://example.com/terms", "https://example.com/privacy"},
			{"lang=fr through authorize", authorize(managed, url.Values{"lang": {"fr"}}), "fr", "https://example.com/fr/conditions", "https://example.com/fr/confidentialite"},
			{"sign-up page in French", page("/signup", managed) + "&lang=fr", "fr", "https://example.com/fr/conditions", "https://example.com/fr/confidentialite"},
			{"a language without links falls back", page("/signup", managed) + "&lang=de", "de", "https://example.com/terms", "https://example.com/privacy"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := readPage(t, tab, tc.url)
				if f.Lang != tc.lang || f.TermsHref != tc.terms || f.PrivacyHref != tc.privacy {
					t.Errorf("lang %q, terms %q, privacy %q; want %q, %q, %q", f.Lang, f.TermsHref, f.PrivacyHref, tc.lang, tc.terms, tc.privacy)
				}
				// The style's colors and assets, not the pool's customization.
				if f.BodyBG != "rgb(17, 34, 51)" || f.ButtonBG != "rgb(9, 114, 211)" || f.ButtonColor != "rgb(255, 255, 255)" {
					t.Errorf("body %s, button %s on %s; want the style's colors", f.BodyBG, f.ButtonColor, f.ButtonBG)
				}
				if !strings.HasPrefix(f.BodyImage, `url("data:image/png;base64,`) || f.LogoWidth != 1 {
					t.Errorf("background image %.40q, logo naturalWidth %d; want the style's assets", f.BodyImage, f.LogoWidth)
				}
			})
		}
		// The sign-in page's link leads to the sign-up page, which keeps lang.
		if err := chromedp.Do(tab, chromedp.Navigate(authorize(managed, url.Values{"lang": {"fr"}})),
			chromedp.Click(chromedp.CSS(`p.footer-customizable a`)), chromedp.WaitVisible(chromedp.CSS(`input[name="signUpButton"]`))); err != nil {
			t.Fatal(err)
		}
		f, err := chromedp.Run(tab, chromedp.Evaluate[pageFacts](pageFactsJS))
		if err != nil {
			t.Fatal(err)
		}
		if f.TermsHref != "https://example.com/fr/conditions" {
			t.Errorf("sign-up page reached from sign-in: terms %q", f.TermsHref)
		}
	})
}

// brandingSettings is a managed login settings document with the page's
// and the primary button's colors.
func brandingSettings(t *testing.T) document.Interface {
	t.Helper()
	return document.NewLazyDocument(map[string]any{
		"categories": map[string]any{"global": map[string]any{"colorSchemeMode": "LIGHT"}},
		"components": map[string]any{
			"pageBackground": map[string]any{"lightMode": map[string]any{"color": "112233ff"}, "darkMode": map[string]any{"color": "000000ff"}},
			"primaryButton":  map[string]any{"lightMode": map[string]any{"defaults": map[string]any{"backgroundColor": "0972d3ff", "textColor": "ffffffff"}}},
		},
	})
}
