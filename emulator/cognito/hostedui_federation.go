package cognito

import (
	"net/http"
)

// startFederation sends the browser to the identity provider an authorize
// request names.
func (o *OAuth) startFederation(w http.ResponseWriter, r *http.Request, base string, a *authzRequest) {
	o.render(w, http.StatusNotImplemented, "notEmulated", &pageData{Title: "Not emulated", Error: "Identity provider " + a.provider + " is not emulated."})
}

// serveIdPResponse answers /oauth2/idpresponse, where an identity provider
// sends the browser back.
func (o *OAuth) serveIdPResponse(w http.ResponseWriter, r *http.Request, loc locator, base string) {
	http.NotFound(w, r)
}
