package cognito

import (
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/ccql/ccql/internal/handler"
)

// The hosted UI (Cognito's classic managed login): HTML pages that work
// without JavaScript, shaped like AWS's so that browser tests written for
// it run unchanged (inputs username and password, the submit button
// signInSubmitButton, AWS's error texts). The authorize parameters travel
// in every page's query string, as on AWS's /login.

//go:embed hostedui/pages.html
var pagesFS embed.FS

var pages = sync.OnceValue(func() *template.Template {
	return template.Must(template.ParseFS(pagesFS, "hostedui/pages.html"))
})

// basePath is the path prefix the pool's domain is served under: "" on
// the domain host, "/<poolId>" on the path form.
func basePath(loc locator) string {
	switch l := loc.(type) {
	case poolDomainLocator:
		return "/" + l.poolID
	case replicaLocator:
		return basePath(l.inner)
	}
	return ""
}

// serveHosted routes the domain's paths other than /oauth2/token.
func (o *OAuth) serveHosted(w http.ResponseWriter, r *http.Request, path string, loc locator) {
	base := basePath(loc)
	w = o.withBranding(w, r, path, loc)
	switch path {
	case "/oauth2/authorize":
		o.serveAuthorize(w, r, loc, base)
	case "/login":
		o.serveLogin(w, r, loc, base)
	case "/signup":
		o.serveSignUp(w, r, loc, base)
	case "/confirm":
		o.serveConfirm(w, r, loc, base)
	case "/forgotPassword":
		o.serveForgotPassword(w, r, loc, base)
	case "/confirmForgotPassword":
		o.serveConfirmForgotPassword(w, r, loc, base)
	case "/oauth2/userInfo":
		o.serveUserInfo(w, r, loc)
	case "/oauth2/revoke":
		o.serveRevoke(w, r, loc)
	case "/logout":
		o.serveLogout(w, r, loc, base)
	case "/oauth2/idpresponse":
		o.serveIdPResponse(w, r, loc, base)
	case "/error":
		o.serveErrorPage(w, r)
	default:
		http.NotFound(w, r)
	}
}

// pageData is what every page template reads.
type pageData struct {
	Title, Error, Notice, Description string
	Action, ForgotURL, SignUpURL      string
	LoginURL                          string
	Username, Email, Session          string
	Challenge                         string
	Secret, SecretURI                 string
	Medium, Destination               string
	Cognito                           bool
	Providers                         []providerLink
	Required                          []string
	CustomCSS                         template.CSS // SetUICustomization (hostedui_branding.go)
	Logo                              template.URL
	Lang                              string // the page's language; managed login style and terms (hostedui_managed.go)
	ManagedCSS                        template.CSS
	Favicon                           template.URL
	TermsURL, PrivacyURL              string
}

type providerLink struct{ Name, URL string }

// render writes a page with status.
func (o *OAuth) render(w http.ResponseWriter, status int, name string, d *pageData) {
	if d.Title == "" {
		d.Title = "Signin"
	}
	applyBranding(w, d)
	var b strings.Builder
	if err := pages().ExecuteTemplate(&b, name, d); err != nil {
		o.cfg.Logger.Error("cognito hosted UI: render", "page", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html;charset=UTF-8")
	h.Set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// serveErrorPage answers the domain's /error page.
func (o *OAuth) serveErrorPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	o.render(w, http.StatusBadRequest, "error", &pageData{Title: "Error", Error: q.Get("error"), Description: q.Get("error_description")})
}

// pageURL is the URL of a hosted UI page carrying the authorize parameters.
func pageURL(base, page string, params url.Values) string {
	return base + page + "?" + params.Encode()
}

// loginPage is the data of the sign-in page of a.
func loginPage(a *authzRequest, base string) *pageData {
	d := &pageData{
		Action:    pageURL(base, "/login", a.params),
		ForgotURL: pageURL(base, "/forgotPassword", a.params),
		SignUpURL: pageURL(base, "/signup", a.params),
		Cognito:   cognitoAllowed(a.client),
	}
	for _, p := range a.client.SupportedIdentityProviders {
		if p == providerCognito {
			continue
		}
		q := url.Values{}
		for k, v := range a.params {
			q[k] = v
		}
		q.Set("identity_provider", p)
		d.Providers = append(d.Providers, providerLink{Name: p, URL: pageURL(base, "/oauth2/authorize", q)})
	}
	return d
}

// cognitoAllowed reports whether the client lets the pool's own users sign
// in (COGNITO among its SupportedIdentityProviders).
func cognitoAllowed(c *clientModel) bool {
	return contains(c.SupportedIdentityProviders, providerCognito)
}

// hostedRequest checks the authorize parameters a page carries. It answers
// a failed check itself and returns nil. A form of the pool's own users
// (sign-in, sign-up, password reset) needs a client that supports COGNITO.
func (o *OAuth) hostedRequest(w http.ResponseWriter, r *http.Request, loc locator, base string) *authzRequest {
	a, err := o.loadAuthorize(r, loc, r.URL.Query())
	if o.authorizeFailed(w, r, loc, base, a, err) {
		return nil
	}
	if r.Method == http.MethodPost && !cognitoAllowed(a.client) {
		o.refuse(w, r, base, a, redirectError(ErrCodeUnauthorizedClient, "client %s does not support COGNITO sign-in", a.client.ClientId))
		return nil
	}
	return a
}

// readForm parses a page's POSTed form, bounded.
func readForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return false
	}
	return true
}

// pageMethod refuses methods other than GET and POST.
func pageMethod(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodPost {
		return true
	}
	w.Header().Set("Allow", "GET, POST")
	w.WriteHeader(http.StatusMethodNotAllowed)
	return false
}

// serveLogin answers /login: the form (GET), a sign-in or a challenge
// answer (POST).
func (o *OAuth) serveLogin(w http.ResponseWriter, r *http.Request, loc locator, base string) {
	if !pageMethod(w, r) {
		return
	}
	a := o.hostedRequest(w, r, loc, base)
	if a == nil {
		return
	}
	if r.Method != http.MethodPost {
		d := loginPage(a, base)
		d.Notice = noticeText(r.URL.Query().Get("notice"))
		o.render(w, http.StatusOK, "login", d)
		return
	}
	if !readForm(w, r) {
		return
	}
	f := r.PostForm
	username := f.Get("username")
	var (
		step *signInStep
		err  error
	)
	switch challenge := f.Get("challenge"); challenge {
	case "":
		step, err = o.auditedPasswordSignIn(r, a, username, f.Get("password"))
	case "NEW_PASSWORD_REQUIRED":
		if f.Get("newPassword") != f.Get("confirmPassword") {
			o.renderStep(w, a, base, &signInStep{challenge: challenge, session: f.Get("session"), username: username, required: requiredFromForm(f)}, "Passwords do not match.")
			return
		}
		answers := map[string]string{"NEW_PASSWORD": f.Get("newPassword")}
		for k, vs := range f {
			if name, ok := strings.CutPrefix(k, "requiredAttributes["); ok && strings.HasSuffix(name, "]") && len(vs) > 0 {
				answers["userAttributes."+strings.TrimSuffix(name, "]")] = vs[0]
			}
		}
		step, err = o.auditedRespondChallenge(r, a, challenge, f.Get("session"), username, answers)
		if err != nil {
			o.renderStep(w, a, base, &signInStep{challenge: challenge, session: f.Get("session"), username: username, required: requiredFromForm(f)}, errorText(err))
			return
		}
	case "SOFTWARE_TOKEN_MFA", "SMS_MFA", "EMAIL_OTP", "MFA_SETUP":
		answerKey := map[string]string{"SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE", "SMS_MFA": "SMS_MFA_CODE", "EMAIL_OTP": "EMAIL_OTP_CODE", "MFA_SETUP": "SOFTWARE_TOKEN_MFA_CODE"}[challenge]
		step, err = o.auditedRespondChallenge(r, a, challenge, f.Get("session"), username, map[string]string{answerKey: strings.TrimSpace(f.Get("totpCode"))})
		if err != nil {
			var ae *APIError
			if errors.As(err, &ae) && ae.Type == "CodeMismatchException" {
				// A wrong code leaves the challenge open on AWS's page.
				o.renderStep(w, a, base, &signInStep{challenge: challenge, session: f.Get("session"), username: username, secret: o.challengeSecret(f.Get("session"))}, errorText(err))
				return
			}
		}
	default:
		http.Error(w, "unknown challenge", http.StatusBadRequest)
		return
	}
	if err != nil {
		var ae *APIError
		if !errors.As(err, &ae) {
			o.cfg.Logger.Error("cognito hosted UI: sign-in", "error", err)
			o.refuse(w, r, base, a, redirectError(errCodeServerError, "internal error"))
			return
		}
		if ae.Type == typeUserNotConfirmed {
			// As AWS's page does: a new code, and the confirmation page.
			o.resendAndConfirm(w, r, a, base, username)
			return
		}
		d := loginPage(a, base)
		d.Error = errorText(err)
		d.Username = username
		o.render(w, http.StatusUnauthorized, "login", d)
		return
	}
	if step.user == nil {
		o.renderStep(w, a, base, step, "")
		return
	}
	if err := o.startSession(w, a.ref, base, *step.user); err != nil {
		o.cfg.Logger.Error("cognito hosted UI: session", "error", err)
		o.refuse(w, r, base, a, redirectError(errCodeServerError, "internal error"))
		return
	}
	o.completeAuthorize(w, r, a, *step.user)
}

func requiredFromForm(f url.Values) []string {
	var out []string
	for k := range f {
		if name, ok := strings.CutPrefix(k, "requiredAttributes["); ok && strings.HasSuffix(name, "]") {
			out = append(out, strings.TrimSuffix(name, "]"))
		}
	}
	return out
}

// renderStep shows the page of an open challenge.
func (o *OAuth) renderStep(w http.ResponseWriter, a *authzRequest, base string, step *signInStep, msg string) {
	d := &pageData{
		Action: pageURL(base, "/login", a.params), Error: msg,
		Session: step.session, Username: step.username, Challenge: step.challenge, Required: step.required,
	}
	status := http.StatusOK
	if msg != "" {
		status = http.StatusBadRequest
	}
	switch step.challenge {
	case "NEW_PASSWORD_REQUIRED":
		o.render(w, status, "newPassword", d)
	case "SOFTWARE_TOKEN_MFA", "SMS_MFA", "EMAIL_OTP":
		o.render(w, status, "mfa", d)
	case "MFA_SETUP":
		d.Secret = step.secret
		d.SecretURI = "otpauth://totp/" + url.PathEscape(a.ref.poolID+":"+step.username) + "?secret=" + step.secret + "&issuer=" + url.QueryEscape(a.ref.poolID)
		o.render(w, status, "mfaSetup", d)
	default:
		d := loginPage(a, base)
		d.Error = fmt.Sprintf("The %s challenge is not supported by the emulated hosted UI.", step.challenge)
		o.render(w, http.StatusNotImplemented, "login", d)
	}
}

// errorText is the message a page shows for a failed step: Cognito's own
// message (e.g. "Incorrect username or password.").
func errorText(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Message
	}
	return "An error occurred."
}

// noticeText maps the notice parameter of a page to its text.
func noticeText(n string) string {
	switch n {
	case "confirmed":
		return "Your account is confirmed. Sign in."
	case "passwordReset":
		return "Your password has been reset. Sign in with your new password."
	}
	return ""
}

// runOp runs a Cognito IdP operation in the pool's partition, in one write
// transaction, and decodes its result: the pages run the very operations
// of the JSON API (SignUp, ConfirmSignUp, ForgotPassword,
// ConfirmForgotPassword), so they have every rule and message of it.
func (o *OAuth) runOp(r *http.Request, ref poolRef, name string, input map[string]any) (map[string]any, error) {
	op, ok := Operations()[name]
	if !ok {
		return nil, apiErrorf(typeInternalError, "%s is not available in this build", name)
	}
	body, err := json.Marshal(input)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", name, err)
	}
	ctx := r.Context()
	if ref.replica != "" {
		// Served as the replica region's operation (replicaGate).
		ctx = withPageRegion(WithRequest(ctx, o.runtime, r), ref.replica)
		ref.replica = ""
	}
	var out any
	err = o.update(r, func(scope Scope) error {
		var err error
		out, err = op(ctx, o.envOf(ref), ref.tx(scope), body)
		return err
	})
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode %s result: %w", name, err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decode %s result: %w", name, err)
	}
	return m, nil
}

// pageOpInput is the input of a client-side IdP operation.
func pageOpInput(c *clientModel, username string, more map[string]any) map[string]any {
	in := map[string]any{"ClientId": c.ClientId, "Username": username}
	if c.ClientSecret != "" {
		in["SecretHash"] = secretHash(c.ClientSecret, username, c.ClientId)
	}
	for k, v := range more {
		in[k] = v
	}
	return in
}

// deliveryOf returns the medium and destination of a
// CodeDeliveryDetails member.
func deliveryOf(out map[string]any) (medium, dest string) {
	d, _ := out["CodeDeliveryDetails"].(map[string]any)
	medium, _ = d["DeliveryMedium"].(string)
	dest, _ = d["Destination"].(string)
	return strings.ToLower(medium), dest
}

// failPage answers an internal failure of a page.
func (o *OAuth) failPage(w http.ResponseWriter, r *http.Request, base string, a *authzRequest, err error) {
	o.cfg.Logger.Error("cognito hosted UI", "path", r.URL.Path, "error", err)
	o.refuse(w, r, base, a, redirectError(errCodeServerError, "internal error"))
}

// serveSignUp answers /signup: the form, and SignUp.
func (o *OAuth) serveSignUp(w http.ResponseWriter, r *http.Request, loc locator, base string) {
	if !pageMethod(w, r) {
		return
	}
	a := o.hostedRequest(w, r, loc, base)
	if a == nil {
		return
	}
	d := &pageData{Title: "Signup", Action: pageURL(base, "/signup", a.params), LoginURL: pageURL(base, "/login", a.params)}
	if r.Method != http.MethodPost {
		o.render(w, http.StatusOK, "signUp", d)
		return
	}
	if !readForm(w, r) {
		return
	}
	username, email := r.PostForm.Get("username"), r.PostForm.Get("email")
	in := map[string]any{"Password": r.PostForm.Get("password")}
	if email != "" {
		in["UserAttributes"] = []map[string]string{{"Name": "email", "Value": email}}
	}
	out, err := o.runOp(r, a.ref, "SignUp", pageOpInput(a.client, username, in))
	var ae *APIError
	switch {
	case errors.As(err, &ae):
		d.Error, d.Username, d.Email = ae.Message, username, email
		o.render(w, http.StatusBadRequest, "signUp", d)
		return
	case err != nil:
		o.failPage(w, r, base, a, err)
		return
	}
	if confirmed, _ := out["UserConfirmed"].(bool); confirmed {
		http.Redirect(w, r, pageURL(base, "/login", withNotice(a.params, "confirmed")), http.StatusFound)
		return
	}
	medium, dest := deliveryOf(out)
	o.render(w, http.StatusOK, "confirm", &pageData{
		Title: "Confirm", Action: pageURL(base, "/confirm", a.params), Username: username, Medium: medium, Destination: dest,
	})
}

func withNotice(params url.Values, notice string) url.Values {
	q := url.Values{}
	for k, v := range params {
		q[k] = v
	}
	q.Set("notice", notice)
	return q
}

// serveConfirm answers /confirm: ConfirmSignUp with the code from the
// outbox.
func (o *OAuth) serveConfirm(w http.ResponseWriter, r *http.Request, loc locator, base string) {
	if !pageMethod(w, r) {
		return
	}
	a := o.hostedRequest(w, r, loc, base)
	if a == nil {
		return
	}
	d := &pageData{Title: "Confirm", Action: pageURL(base, "/confirm", a.params), Username: r.URL.Query().Get("username")}
	if r.Method != http.MethodPost {
		o.render(w, http.StatusOK, "confirm", d)
		return
	}
	if !readForm(w, r) {
		return
	}
	username := r.PostForm.Get("username")
	_, err := o.runOp(r, a.ref, "ConfirmSignUp", pageOpInput(a.client, username, map[string]any{"ConfirmationCode": strings.TrimSpace(r.PostForm.Get("confirmation_code"))}))
	var ae *APIError
	switch {
	case errors.As(err, &ae):
		d.Error, d.Username = ae.Message, username
		o.render(w, http.StatusBadRequest, "confirm", d)
	case err != nil:
		o.failPage(w, r, base, a, err)
	default:
		http.Redirect(w, r, pageURL(base, "/login", withNotice(a.params, "confirmed")), http.StatusFound)
	}
}

// serveForgotPassword answers /forgotPassword: ForgotPassword.
func (o *OAuth) serveForgotPassword(w http.ResponseWriter, r *http.Request, loc locator, base string) {
	if !pageMethod(w, r) {
		return
	}
	a := o.hostedRequest(w, r, loc, base)
	if a == nil {
		return
	}
	d := &pageData{Title: "Forgot password", Action: pageURL(base, "/forgotPassword", a.params)}
	if r.Method != http.MethodPost {
		o.render(w, http.StatusOK, "forgotPassword", d)
		return
	}
	if !readForm(w, r) {
		return
	}
	username := r.PostForm.Get("username")
	out, err := o.runOp(r, a.ref, "ForgotPassword", pageOpInput(a.client, username, nil))
	var ae *APIError
	switch {
	case errors.As(err, &ae):
		d.Error, d.Username = ae.Message, username
		o.render(w, http.StatusBadRequest, "forgotPassword", d)
		return
	case err != nil:
		o.failPage(w, r, base, a, err)
		return
	}
	medium, dest := deliveryOf(out)
	o.render(w, http.StatusOK, "confirmForgotPassword", &pageData{
		Title: "Reset password", Action: pageURL(base, "/confirmForgotPassword", a.params), Username: username, Medium: medium, Destination: dest,
	})
}

// serveConfirmForgotPassword answers /confirmForgotPassword:
// ConfirmForgotPassword with the code from the outbox.
func (o *OAuth) serveConfirmForgotPassword(w http.ResponseWriter, r *http.Request, loc locator, base string) {
	if !pageMethod(w, r) {
		return
	}
	a := o.hostedRequest(w, r, loc, base)
	if a == nil {
		return
	}
	d := &pageData{Title: "Reset password", Action: pageURL(base, "/confirmForgotPassword", a.params), Username: r.URL.Query().Get("username")}
	if r.Method != http.MethodPost {
		o.render(w, http.StatusOK, "confirmForgotPassword", d)
		return
	}
	if !readForm(w, r) {
		return
	}
	f := r.PostForm
	username := f.Get("username")
	d.Username = username
	if f.Get("password") != f.Get("confirmPassword") {
		d.Error = "Passwords do not match."
		o.render(w, http.StatusBadRequest, "confirmForgotPassword", d)
		return
	}
	_, err := o.runOp(r, a.ref, "ConfirmForgotPassword", pageOpInput(a.client, username, map[string]any{
		"ConfirmationCode": strings.TrimSpace(f.Get("code")), "Password": f.Get("password"),
	}))
	var ae *APIError
	switch {
	case errors.As(err, &ae):
		d.Error = ae.Message
		o.render(w, http.StatusBadRequest, "confirmForgotPassword", d)
	case err != nil:
		o.failPage(w, r, base, a, err)
	default:
		http.Redirect(w, r, pageURL(base, "/login", withNotice(a.params, "passwordReset")), http.StatusFound)
	}
}

// serveLogout answers GET /logout: it ends the hosted UI session, then
// goes to logout_uri (one of the client's LogoutURLs) or, given
// redirect_uri and response_type, back to the sign-in page (reference B7).
func (o *OAuth) serveLogout(w http.ResponseWriter, r *http.Request, loc locator, base string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	// RP-initiated logout (OIDC), for clients that follow the discovery
	// document's end_session_endpoint: post_logout_redirect_uri stands
	// for logout_uri, and id_token_hint's aud for client_id. The URL must
	// still be one of the client's LogoutURLs.
	if q.Get("logout_uri") == "" && q.Get("post_logout_redirect_uri") != "" {
		q.Set("logout_uri", q.Get("post_logout_redirect_uri"))
	}
	if q.Get("client_id") == "" && q.Get("id_token_hint") != "" {
		q.Set("client_id", audienceOf(q.Get("id_token_hint")))
	}
	var client *clientModel
	err := o.cfg.Store.View(r.Context(), func(scope Scope) error {
		ref, err := loc.locate(scope, o.cfg.Accounts)
		if err != nil {
			return err
		}
		if q.Get("client_id") == "" {
			return pageError(ErrCodeInvalidRequest, "Required String parameter 'client_id' is not present")
		}
		client, err = loadClient(ref.tx(scope), ref.poolID, q.Get("client_id"))
		if isNotFound(err) {
			return pageError(ErrCodeInvalidRequest, "Invalid client_id %s", q.Get("client_id"))
		}
		return err
	})
	if o.authorizeFailed(w, r, loc, base, nil, err) {
		return
	}
	if logoutURI := q.Get("logout_uri"); logoutURI != "" {
		if !contains(client.LogoutURLs, logoutURI) {
			o.refuse(w, r, base, nil, pageError(errCodeRedirectMismatch, "logout_uri does not match a sign-out URL of client %s", client.ClientId))
			return
		}
		o.endSession(w, r, base)
		if state, ok := q["state"]; ok && q.Get("post_logout_redirect_uri") != "" {
			logoutURI = redirectTo(logoutURI, url.Values{"state": state}, false)
		}
		http.Redirect(w, r, logoutURI, http.StatusFound)
		return
	}
	if q.Get("redirect_uri") == "" || q.Get("response_type") == "" {
		o.refuse(w, r, base, nil, pageError(ErrCodeInvalidRequest, "logout needs logout_uri, or redirect_uri and response_type"))
		return
	}
	// The sign-in page checks redirect_uri and the rest as authorize does.
	params, _ := singleParams(q)
	o.endSession(w, r, base)
	http.Redirect(w, r, pageURL(base, "/login", params), http.StatusFound)
}

// envOf is the handler.Env of an operation on ref's partition.
func (o *OAuth) envOf(ref poolRef) handler.Env {
	return handler.Env{Account: ref.account, Region: ref.region, Now: o.cfg.Now(), Rand: o.cfg.Rand}
}

// update runs fn in a write transaction. A Cognito error marked Commit
// (a refused password whose lockout count must stay) is returned after its
// writes are committed, as the IdP server does.
func (o *OAuth) update(r *http.Request, fn func(Scope) error) error {
	var kept *APIError
	err := o.cfg.Store.Update(r.Context(), func(scope Scope) error {
		err := fn(scope)
		var ae *APIError
		if errors.As(err, &ae) && ae.Commit {
			kept = ae
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	if kept != nil {
		return kept
	}
	return nil
}

// resendAndConfirm sends an unconfirmed user a new code
// (ResendConfirmationCode) and shows the confirmation page.
func (o *OAuth) resendAndConfirm(w http.ResponseWriter, r *http.Request, a *authzRequest, base, username string) {
	out, err := o.runOp(r, a.ref, "ResendConfirmationCode", pageOpInput(a.client, username, nil))
	var ae *APIError
	switch {
	case errors.As(err, &ae):
		d := loginPage(a, base)
		d.Error, d.Username = ae.Message, username
		o.render(w, http.StatusBadRequest, "login", d)
		return
	case err != nil:
		o.failPage(w, r, base, a, err)
		return
	}
	medium, dest := deliveryOf(out)
	o.render(w, http.StatusOK, "confirm", &pageData{
		Title: "Confirm", Action: pageURL(base, "/confirm", a.params), Username: username, Medium: medium, Destination: dest,
		Notice: "Your account is not confirmed yet.",
	})
}

// audienceOf reads the aud claim of an ID token without verifying it: it
// only names the client whose LogoutURLs are then checked.
func audienceOf(jwt string) string {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		Aud string `json:"aud"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return ""
	}
	return c.Aud
}
