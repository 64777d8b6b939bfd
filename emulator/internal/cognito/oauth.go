package cognito

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/ccql/ccql/internal/handler"
)

// The plain-HTTP surface of Cognito: the user-pool domain's OAuth 2.0
// endpoints and the issuer's OpenID Connect discovery and JWKS (reference
// part B). See docs/oauth.md for the routes.

// Scope returns, inside one store transaction, the handler.Tx of one
// account and region.
type Scope func(account, region string) handler.Tx

// OAuthStore is what the OAuth endpoints need of the emulator's store:
// closure transactions that may look into several partitions, because an
// OAuth request is not signed and so names no account.
type OAuthStore interface {
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Scope) error) error
	// Update runs fn in a read-write transaction, committed durably when
	// fn returns nil.
	Update(ctx context.Context, fn func(Scope) error) error
}

// DefaultAccount is the account searched when OAuthConfig.Accounts is
// empty: the account of unsigned and non-numeric-key callers.
const DefaultAccount = "000000000000"

// maxFormBytes bounds a token request body.
const maxFormBytes = 64 << 10

// OAuthConfig configures an OAuth handler. Only Store is required.
type OAuthConfig struct {
	Store OAuthStore
	// Accounts are searched, in order, for the pool or domain a request
	// names: OAuth requests carry no AWS signature, so the account is not
	// known. Pool ids and prefix domains are unique within a region, so the
	// first match is the only one. Empty means {DefaultAccount}.
	Accounts []string
	// IssuerURL, when set, fixes the issuer base: every token's iss and
	// every discovery document says IssuerURL + "/" + poolId, and the
	// discovery document's endpoints are under it. Empty derives it from
	// each request (see Issuer).
	IssuerURL string
	// InvalidClientStatus is the HTTP status of invalid_client answers; 0
	// means 400, the status of AWS's documented example (some reports say
	// 401; reference E1).
	InvalidClientStatus int
	Now                 func() time.Time // nil is time.Now
	Rand                io.Reader        // token ids; nil is crypto/rand
	Logger              *slog.Logger     // nil discards
}

// OAuth serves the user-pool domain and issuer endpoints over HTTP. It is
// safe for concurrent use.
type OAuth struct {
	cfg    OAuthConfig
	keys   keyCache
	genMu  sync.Mutex  // one key generation at a time in this process
	hosted hostedState // codes and sessions of the hosted UI
	// runtime verifies access tokens for userInfo as the sign-in
	// operations do.
	runtime *Runtime
}

// NewOAuth returns the handler of cfg.
func NewOAuth(cfg OAuthConfig) *OAuth {
	if len(cfg.Accounts) == 0 {
		cfg.Accounts = []string{DefaultAccount}
	}
	if cfg.InvalidClientStatus == 0 {
		cfg.InvalidClientStatus = http.StatusBadRequest
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.IssuerURL = strings.TrimRight(cfg.IssuerURL, "/")
	return &OAuth{cfg: cfg, runtime: NewRuntime(cfg.IssuerURL)}
}

var _ http.Handler = (*OAuth)(nil)

var (
	// domainHost matches <prefix>.auth.<region>.amazoncognito.com (and the
	// FIPS form auth-fips).
	domainHost = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.auth(?:-fips)?\.([a-z0-9-]+)\.amazoncognito\.com$`)
	})
	// poolIDPath matches a user pool id as the first path segment; the
	// region is the part before "_" (any region name the emulator was
	// given, not only AWS's).
	poolIDPath = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([a-z0-9-]+)_[0-9a-zA-Z]+$`) })
)

// ServeHTTP routes a request by Host, then by path:
//
//   - Host <prefix>.auth.<region>.amazoncognito.com: the domain's paths,
//     /oauth2/token and friends.
//   - /<poolId>/.well-known/openid-configuration and
//     /<poolId>/.well-known/jwks.json on any other host: the issuer.
//   - /<poolId>/oauth2/token etc. on any other host: the pool's domain
//     endpoints, for clients that cannot send another Host (the pool must
//     have a domain, as on AWS).
//
// Anything else is 404.
func (o *OAuth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := requestHost(r)
	if m := domainHost().FindStringSubmatch(host); m != nil {
		// The host's region's domain, or a replica region's (replica_oauth.go).
		loc := regionalDomainLocator{domainLocator{prefix: m[1], reg: m[2]}}
		o.serveDomain(w, r, r.URL.Path, loc)
		return
	}
	first, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	m := poolIDPath().FindStringSubmatch(first)
	if m == nil {
		http.NotFound(w, r)
		return
	}
	loc := poolLocator{poolID: first, reg: m[1]}
	if o.serveReplicaWellKnown(w, r, loc, rest) {
		return
	}
	switch rest {
	case ".well-known/openid-configuration":
		o.serveDiscovery(w, r, loc)
	case ".well-known/jwks.json":
		o.serveJWKS(w, r, loc)
	default:
		if jobID, ok := strings.CutPrefix(rest, userImportPath); ok {
			o.serveUserImport(w, r, loc, jobID)
			return
		}
		var dloc locator = poolDomainLocator{loc}
		if region := hostRegion(host); region != "" && region != loc.reg {
			// Under a replica region's issuer (replica_oauth.go).
			dloc = replicaLocator{inner: dloc, region: region}
		}
		o.serveDomain(w, r, "/"+rest, dloc)
	}
}

// serveDomain serves one of the domain's paths (hostedui.go has the
// routes).
func (o *OAuth) serveDomain(w http.ResponseWriter, r *http.Request, path string, loc locator) {
	if path == "/oauth2/token" {
		o.serveToken(w, r, loc)
		return
	}
	o.serveHosted(w, r, path, loc)
}

// requestHost is the request's host name, lower case, without port.
func requestHost(r *http.Request) string {
	h := r.Host
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	return strings.ToLower(strings.TrimSuffix(h, "."))
}

// Issuer returns the issuer of poolID's tokens for a request r:
// cfg.IssuerURL + "/" + poolID when configured; else AWS's
// https://cognito-idp.<region>.amazonaws.com/<poolId> when the request came
// by an AWS host name (…amazonaws.com or …amazoncognito.com, i.e. the
// caller routes AWS's names to the emulator and verifies as against AWS);
// else the address the caller used, <scheme>://<Host>/<poolId>, so that
// discovery through the emulator's own address checks out (the scheme is
// https behind TLS or X-Forwarded-Proto: https).
func (o *OAuth) Issuer(r *http.Request, region, poolID string) string {
	return o.issuerBase(r, region) + "/" + poolID
}

func (o *OAuth) issuerBase(r *http.Request, region string) string {
	return issuerBaseFor(o.cfg.IssuerURL, r, region)
}

// issuerBaseFor is the issuer rule of OAuth.Issuer, shared with the
// sign-in operations: fixed when configured, else from the request.
func issuerBaseFor(fixed string, r *http.Request, region string) string {
	if fixed != "" {
		return fixed
	}
	if r == nil {
		return "https://cognito-idp." + region + ".amazonaws.com"
	}
	if awsHost(requestHost(r)) {
		return "https://cognito-idp." + region + ".amazonaws.com"
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host
}

func awsHost(host string) bool {
	return strings.HasSuffix(host, ".amazonaws.com") || strings.HasSuffix(host, ".amazoncognito.com")
}

// poolRef names a pool in its partition, and the replica region that
// serves it ("" for its primary region; replica_oauth.go).
type poolRef struct {
	account, region, poolID string
	replica                 string
}

func (p poolRef) cacheKey() string { return p.account + "/" + p.region + "/" + p.poolID }

// tx is the pool's partition, as the serving region sees it (a replica's
// regional configuration, replica_regional.go).
func (p poolRef) tx(scope Scope) handler.Tx {
	tx := scope(p.account, p.region)
	if p.replica != "" {
		return newRegionalTx(tx, p.poolID, p.replica, nil)
	}
	return tx
}

// errNoPool means the request names no pool or domain that exists.
var errNoPool = errors.New("no such user pool or domain")

// locator finds the pool a request is for, inside a transaction.
type locator interface {
	locate(scope Scope, accounts []string) (poolRef, error)
	describe() string // for not-found messages
}

// poolLocator finds a pool by id.
type poolLocator struct{ poolID, reg string }

func (l poolLocator) describe() string { return fmt.Sprintf("User pool %s does not exist.", l.poolID) }

func (l poolLocator) locate(scope Scope, accounts []string) (poolRef, error) {
	for _, a := range accounts {
		_, err := scope(a, l.reg).Get(typeUserPool, l.poolID)
		if errors.Is(err, handler.ErrNotFound) {
			continue
		}
		if err != nil {
			return poolRef{}, fmt.Errorf("find user pool %s: %w", l.poolID, err)
		}
		return poolRef{account: a, region: l.reg, poolID: l.poolID}, nil
	}
	return poolRef{}, errNoPool
}

// poolDomainLocator finds a pool by id for its domain endpoints: the pool
// must have a domain (prefix or custom), since without one Cognito serves
// no OAuth endpoint (reference B0).
type poolDomainLocator struct{ poolLocator }

func (l poolDomainLocator) describe() string {
	return fmt.Sprintf("User pool %s does not exist or has no domain.", l.poolID)
}

func (l poolDomainLocator) locate(scope Scope, accounts []string) (poolRef, error) {
	ref, err := l.poolLocator.locate(scope, accounts)
	if err != nil {
		return ref, err
	}
	n, err := ref.tx(scope).Count(typeDomain, ref.poolID+"|")
	if err != nil {
		return poolRef{}, fmt.Errorf("find domain of %s: %w", ref.poolID, err)
	}
	if n == 0 {
		return poolRef{}, errNoPool
	}
	return ref, nil
}

// domainLocator finds the pool of a prefix domain.
type domainLocator struct{ prefix, reg string }

func (l domainLocator) describe() string {
	return fmt.Sprintf("Domain %s.auth.%s.amazoncognito.com does not exist.", l.prefix, l.reg)
}

func (l domainLocator) locate(scope Scope, accounts []string) (poolRef, error) {
	for _, a := range accounts {
		poolID, _, err := domainOwner(scope(a, l.reg), l.prefix)
		if err != nil {
			return poolRef{}, fmt.Errorf("find domain %s: %w", l.prefix, err)
		}
		if poolID != "" {
			return poolRef{account: a, region: l.reg, poolID: poolID}, nil
		}
	}
	return poolRef{}, errNoPool
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := jsonText(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck // the client went away
}

// notFound answers a request for a pool or domain that does not exist.
func notFound(w http.ResponseWriter, loc locator) {
	writeJSON(w, http.StatusNotFound, map[string]string{"message": loc.describe()})
}

// internalError logs err and answers 500 with body.
func (o *OAuth) internalError(w http.ResponseWriter, r *http.Request, err error, body any) {
	o.cfg.Logger.Error("cognito oauth", "path", r.URL.Path, "error", err)
	writeJSON(w, http.StatusInternalServerError, body)
}

// poolKeysFor returns the pool's signing keys, creating and storing them on
// first use. stored is what the caller's transaction read (nil when the
// pool had none or the caller did not read them).
func (o *OAuth) poolKeysFor(ctx context.Context, ref poolRef, stored *storedKeys) (*poolKeys, error) {
	if ref.replica != "" {
		return o.replicaKeysFor(ctx, ref)
	}
	if k := o.keys.get(ref.cacheKey()); k != nil {
		return k, nil
	}
	if stored == nil {
		if err := o.cfg.Store.View(ctx, func(scope Scope) error {
			var err error
			stored, err = loadKeys(ref.tx(scope), ref.poolID)
			return err
		}); err != nil {
			return nil, fmt.Errorf("load signing keys of %s: %w", ref.poolID, err)
		}
	}
	if stored == nil {
		var err error
		if stored, err = o.createKeys(ctx, ref); err != nil {
			return nil, err
		}
	}
	k, err := stored.parse()
	if err != nil {
		return nil, fmt.Errorf("signing keys of %s: %w", ref.poolID, err)
	}
	o.keys.put(ref.cacheKey(), k)
	return k, nil
}

// createKeys generates a pool's keys and stores them, unless another
// request or process stored some first, in which case those win: the check
// and the write are one transaction.
func (o *OAuth) createKeys(ctx context.Context, ref poolRef) (*storedKeys, error) {
	o.genMu.Lock()
	defer o.genMu.Unlock()
	var stored *storedKeys
	if err := o.cfg.Store.View(ctx, func(scope Scope) error {
		var err error
		stored, err = loadKeys(ref.tx(scope), ref.poolID)
		return err
	}); err != nil {
		return nil, fmt.Errorf("load signing keys of %s: %w", ref.poolID, err)
	}
	if stored != nil {
		return stored, nil
	}
	fresh, err := newStoredKeys(o.cfg.Now())
	if err != nil {
		return nil, err
	}
	err = o.cfg.Store.Update(ctx, func(scope Scope) error {
		tx := ref.tx(scope)
		if _, err := loadPool(tx, ref.poolID); err != nil {
			return err // deleted meanwhile
		}
		cur, err := loadKeys(tx, ref.poolID)
		if err != nil {
			return err
		}
		if cur != nil {
			stored = cur
			return nil
		}
		stored = fresh
		return putJSON(tx, typeSigningKey, ref.poolID+signingKeySuf, fresh)
	})
	if err != nil {
		return nil, fmt.Errorf("store signing keys of %s: %w", ref.poolID, err)
	}
	o.cfg.Logger.Info("generated signing keys", "userPoolId", ref.poolID, "region", ref.region)
	return stored, nil
}
