// Command oauth signs a user in through a user pool's hosted UI with the
// authorization code grant and PKCE, from the command line, and prints the
// verified ID token's claims. It is an ordinary OIDC relying party
// (golang.org/x/oauth2 and github.com/coreos/go-oidc/v3): point it at
// `ccql serve` or at AWS alike.
//
//	go run ./examples/oauth -issuer http://127.0.0.1:4566/us-east-1_AbC123 -client-id 1example23456789
//
// It listens on -listen for the callback (the client's CallbackURLs must
// include http://<listen>/callback), prints the URL to open in a browser,
// waits for the browser to come back, redeems the code with the PKCE
// verifier and verifies the ID token (signature against the pool's JWKS,
// issuer, audience, expiry, nonce, at_hash).
//
// With -username and -password it plays the browser itself: it fetches the
// sign-in page and posts the form, as a browser without JavaScript would
// (the emulator's classic hosted UI works without it), so the whole flow
// runs unattended; see examples/oauth/run.sh.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "oauth:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	issuer, clientID, clientSecret string
	listen, scopes                 string
	username, password             string
	timeout                        time.Duration
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("oauth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.issuer, "issuer", "", "the pool's issuer, e.g. http://127.0.0.1:4566/<poolId> (required)")
	fs.StringVar(&o.clientID, "client-id", "", "the app client id (required)")
	fs.StringVar(&o.clientSecret, "client-secret", "", "the app client secret, for a client that has one")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8400", "address of the callback listener; the redirect URI is http://<listen>/callback")
	fs.StringVar(&o.scopes, "scope", "openid email", "scopes to request, space-separated")
	fs.StringVar(&o.username, "username", "", "sign in on the hosted UI's form without a browser, as this user")
	fs.StringVar(&o.password, "password", "", "the password of -username")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "how long to wait for the browser")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.issuer == "" || o.clientID == "" {
		fs.Usage()
		return errors.New("-issuer and -client-id are required")
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()

	provider, err := oidc.NewProvider(ctx, o.issuer)
	if err != nil {
		return fmt.Errorf("discovery at %s: %w", o.issuer, err)
	}
	l, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("callback listener on %s: %w", o.listen, err)
	}
	defer l.Close()
	conf := oauth2.Config{
		ClientID: o.clientID, ClientSecret: o.clientSecret, Endpoint: provider.Endpoint(),
		RedirectURL: "http://" + l.Addr().String() + "/callback", Scopes: strings.Fields(o.scopes),
	}
	state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce))

	codes := make(chan url.Values, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, "Signed in. You can close this window.")
		select {
		case codes <- r.URL.Query():
		default:
		}
	})}
	go srv.Serve(l) //nolint:errcheck // ends with Close
	defer srv.Close()

	if o.username != "" {
		if err := playBrowser(ctx, authURL, o.username, o.password); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stderr, "Open this URL in a browser and sign in:\n\n  %s\n\n", authURL)
	}
	var q url.Values
	select {
	case q = <-codes:
	case <-ctx.Done():
		return fmt.Errorf("no callback within %s: %w", o.timeout, ctx.Err())
	}
	if e := q.Get("error"); e != "" {
		return fmt.Errorf("the authorization server answered %s: %s", e, q.Get("error_description"))
	}
	if q.Get("state") != state {
		return errors.New("the callback's state is not ours")
	}
	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		return fmt.Errorf("redeem the code: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return errors.New("no ID token: request the openid scope")
	}
	id, err := provider.Verifier(&oidc.Config{ClientID: o.clientID}).Verify(ctx, raw)
	if err != nil {
		return fmt.Errorf("verify the ID token: %w", err)
	}
	if id.Nonce != nonce {
		return errors.New("the ID token's nonce is not ours")
	}
	if err := id.VerifyAccessToken(tok.AccessToken); err != nil {
		return fmt.Errorf("the ID token's at_hash: %w", err)
	}
	var claims map[string]any
	if err := id.Claims(&claims); err != nil {
		return err
	}
	out, err := json.MarshalIndent(claims, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n", out)
	return nil
}

func randomString() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

var formAction = regexp.MustCompile(`<form[^>]*action="([^"]*)"`)

// playBrowser does what a browser without JavaScript does on the hosted
// UI: follow authorize to the sign-in page, post its form, and follow the
// redirects to the callback listener.
func playBrowser(ctx context.Context, authURL, username, password string) error {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return err
	}
	c := &http.Client{Jar: jar}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("open the sign-in page: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	m := formAction.FindSubmatch(body)
	if m == nil {
		return fmt.Errorf("no sign-in form at %s (HTTP %d)", resp.Request.URL, resp.StatusCode)
	}
	action, err := resp.Request.URL.Parse(html.UnescapeString(string(m[1])))
	if err != nil {
		return err
	}
	form := url.Values{"username": {username}, "password": {password}, "signInSubmitButton": {"Sign in"}}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = c.Do(req)
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	defer resp.Body.Close()
	if resp.Request.URL.Path != "/callback" {
		msg, _ := io.ReadAll(resp.Body)
		if e := regexp.MustCompile(`errorMessage-customizable">([^<]*)<`).FindSubmatch(msg); e != nil {
			return fmt.Errorf("sign in as %s: %s", username, html.UnescapeString(string(e[1])))
		}
		return fmt.Errorf("sign in as %s: ended at %s (HTTP %d), not the callback", username, resp.Request.URL, resp.StatusCode)
	}
	return nil
}
