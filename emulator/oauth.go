package emulator

import (
	"context"
	"net/http"
	"slices"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/awsjson"
	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/store"
)

// OAuthOptions configure the Cognito endpoints the emulator serves over
// plain HTTP: the user-pool domain's hosted UI and OAuth endpoints and the
// issuer's /.well-known documents (docs/oauth.md).
type OAuthOptions struct {
	// IssuerURL fixes the base of every issuer: tokens say
	// iss = IssuerURL + "/" + poolId and the discovery documents agree.
	// Empty derives it from each request: the address the caller used
	// (http://127.0.0.1:4566/<poolId>), or AWS's
	// https://cognito-idp.<region>.amazonaws.com/<poolId> when the caller
	// reached the emulator by an AWS host name.
	IssuerURL string
	// InvalidClientStatus is the HTTP status of invalid_client answers
	// (0 means 400, AWS's documented status; some clients expect 401).
	InvalidClientStatus int
}

// OAuthHandler returns a handler of the Cognito hosted UI, OAuth and OIDC
// endpoints over the server's state, to mount in a server of your own.
// Routes (docs/oauth.md):
//
//	/oauth2/authorize, /login, /oauth2/token, /oauth2/userInfo, /oauth2/revoke, /logout, …
//	                                            Host: <prefix>.auth.<region>.amazoncognito.com
//	/<poolId>/oauth2/authorize, /<poolId>/login, …
//	                                            any host (the pool must have a domain)
//	GET  /<poolId>/.well-known/openid-configuration
//	GET  /<poolId>/.well-known/jwks.json
func (s *Server) OAuthHandler(o OAuthOptions) http.Handler {
	var creds map[string]string
	if s.api != nil && s.api.Verifier != nil {
		creds = s.api.Verifier.Credentials
	}
	return newOAuthHandler(s.core, o, creds)
}

// newOAuthHandler builds the OAuth handler over c's store. Unsigned OAuth
// requests name no account, so the handler looks for pools in the default
// account and in every account a configured access key stands for.
func newOAuthHandler(c *core, o OAuthOptions, credentials map[string]string) http.Handler {
	accounts := []string{awsjson.DefaultAccount}
	for key := range credentials {
		if a := awsjson.AccountOf(key); !slices.Contains(accounts, a) {
			accounts = append(accounts, a)
		}
	}
	slices.Sort(accounts[1:])
	return cognito.NewOAuth(cognito.OAuthConfig{
		Store:               oauthStore{c.st},
		Accounts:            accounts,
		IssuerURL:           o.IssuerURL,
		InvalidClientStatus: o.InvalidClientStatus,
		Now:                 c.now,
		Rand:                c.rand,
		Logger:              c.log,
	})
}

// oauthStore adapts the store to cognito.OAuthStore: one transaction,
// scoped per account and region on demand.
type oauthStore struct{ st store.Store }

func (a oauthStore) View(ctx context.Context, fn func(cognito.Scope) error) error {
	return a.st.View(ctx, func(tx store.Tx) error { return fn(scopeOf(tx)) })
}

func (a oauthStore) Update(ctx context.Context, fn func(cognito.Scope) error) error {
	return a.st.Update(ctx, func(tx store.Tx) error { return fn(scopeOf(tx)) })
}

func scopeOf(tx store.Tx) cognito.Scope {
	return func(account, region string) handler.Tx {
		return store.Scope(tx, store.Partition{Account: account, Region: region})
	}
}

var _ cognito.OAuthStore = oauthStore{}
