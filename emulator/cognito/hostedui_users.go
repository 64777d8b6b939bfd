package cognito

import (
	"errors"
	"net/http"
)

// What the hosted UI needs of the pool's users and their sign-in (the user
// model, the password check with its lockout, the challenges and the token
// issuer of issue 10). The hosted UI runs the same sign-in as the JSON API;
// this file is the seam between the two.

// signInStep is where a sign-in stands: signed in (user), or a challenge to
// answer on the next page.
type signInStep struct {
	user      *signedInUser
	challenge string
	session   string
	username  string
	required  []string // NEW_PASSWORD_REQUIRED: attributes to fill in
}

// errNoSignIn means this build has no user sign-in to run.
var errNoSignIn = errors.New("user sign-in is not available in this build")

// passwordSignIn checks a user name and password as the JSON API does.
func (o *OAuth) passwordSignIn(r *http.Request, a *authzRequest, username, password string) (*signInStep, error) {
	_, _, _, _ = r, a, username, password
	return nil, errNoSignIn
}

// respondChallenge answers a challenge of a sign-in in progress.
func (o *OAuth) respondChallenge(r *http.Request, a *authzRequest, challenge, session, username string, answers map[string]string) (*signInStep, error) {
	_, _, _, _, _, _ = r, a, challenge, session, username, answers
	return nil, errNoSignIn
}

// userTokens issues a signed-in user's tokens for a client through the
// domain: access token with the granted scopes, ID token only with openid
// (nonce, at_hash), refresh token when withRefresh.
func (o *OAuth) userTokens(r *http.Request, ref poolRef, client *clientModel, user signedInUser, scopes []string, nonce string, withRefresh bool) (*userTokens, error) {
	_, _, _, _, _, _, _ = r, ref, client, user, scopes, nonce, withRefresh
	return nil, errNoSignIn
}

// refreshUserTokens runs the refresh_token grant.
func (o *OAuth) refreshUserTokens(r *http.Request, ref poolRef, client *clientModel, token string) (*userTokens, error) {
	_, _, _, _ = r, ref, client, token
	return nil, oauthError(ErrCodeInvalidGrant)
}

// userInfo answers the attributes an access token may read.
func (o *OAuth) userInfo(r *http.Request, loc locator, token string) (map[string]any, error) {
	_, _, _ = r, loc, token
	return nil, oauthError("invalid_token")
}

// revoke revokes a refresh token of the client.
func (o *OAuth) revoke(r *http.Request, loc locator, req *tokenRequest, token string) error {
	_, _, _, _ = r, loc, req, token
	return errNoSignIn
}
