package cognito

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/ccql/ccql/internal/handler"
)

// The OAuth 2.0 endpoints, the hosted UI and the issuer of a replica
// region. A replica region serves the pool's domain endpoints at
//
//   - the replica region's prefix-domain host,
//     <prefix>.auth.<replica region>.amazoncognito.com, for a pool whose
//     prefix domain is <prefix> (AWS does not document the host name of a
//     replica region's domain; this is the emulator's, the prefix form of
//     the region);
//   - the path form under the replica's issuer,
//     https://cognito-idp.<replica region>.amazonaws.com/<poolId>/oauth2/…,
//     as under the primary's.
//
// There the pages and /oauth2/token sign the pool's users in as the
// replica: tokens say iss = the replica's issuer and are signed with its
// keys; the operations the pages run (sign-up, password reset, …) are
// served by replicaGate as the region's, so those a secondary region does
// not serve are refused. An INACTIVE replica, or none, serves no domain
// endpoint (404). The issuer's discovery document names the replica's
// domain endpoints, its issuer and its JWKS.

// servedAsReplica returns ref served by its replica in region: ref with
// replica set, or errNoPool when region has no ACTIVE replica of the pool.
// A region that is ref's own is ref.
func servedAsReplica(scope Scope, ref poolRef, region string, active bool) (poolRef, error) {
	if region == "" || region == ref.region {
		return ref, nil
	}
	rep, err := loadReplica(scope(ref.account, ref.region), ref.poolID, region)
	if err != nil {
		return poolRef{}, err
	}
	if rep == nil || (active && rep.Status != replicaActive) {
		return poolRef{}, errNoPool
	}
	ref.replica = region
	return ref, nil
}

// replicaLocator finds a pool, as inner does, to serve it as its replica
// in region.
type replicaLocator struct {
	inner  locator
	region string
}

// describe is the answer to a region without an ACTIVE replica. Not a
// message Cognito is known to use.
func (l replicaLocator) describe() string {
	if p, ok := l.inner.(poolDomainLocator); ok {
		return fmt.Sprintf("User pool %s has no active replica in region %s.", p.poolID, l.region)
	}
	return l.inner.describe()
}

func (l replicaLocator) locate(scope Scope, accounts []string) (poolRef, error) {
	ref, err := l.inner.locate(scope, accounts)
	if err != nil {
		return ref, err
	}
	return servedAsReplica(scope, ref, l.region, true)
}

// regionalDomainLocator finds the pool of a prefix domain host: the
// domain of the host's region, else (a replica region's host) the domain
// of that prefix in another region of the partition whose pool has an
// ACTIVE replica in the host's region.
type regionalDomainLocator struct{ domainLocator }

func (l regionalDomainLocator) locate(scope Scope, accounts []string) (poolRef, error) {
	ref, err := l.domainLocator.locate(scope, accounts)
	if !errors.Is(err, errNoPool) {
		return ref, err
	}
	for _, a := range accounts {
		for _, region := range partitionRegions(l.reg) {
			if region == l.reg {
				continue
			}
			poolID, _, err := domainOwner(scope(a, region), l.prefix)
			if err != nil {
				return poolRef{}, fmt.Errorf("find domain %s in %s: %w", l.prefix, region, err)
			}
			if poolID == "" {
				continue
			}
			ref, err := servedAsReplica(scope, poolRef{account: a, region: region, poolID: poolID}, l.reg, true)
			if errors.Is(err, errNoPool) {
				continue
			}
			return ref, err
		}
	}
	return poolRef{}, errNoPool
}

// refIssuer is the iss of the tokens ref's region issues.
func (o *OAuth) refIssuer(r *http.Request, ref poolRef) string {
	if ref.replica != "" {
		return replicaIssuer(ref.replica, ref.poolID)
	}
	return o.Issuer(r, ref.region, ref.poolID)
}

// replicaKeysFor returns the signing keys of ref's replica, making and
// storing them on first use; errNoPool when the replica is gone.
func (o *OAuth) replicaKeysFor(ctx context.Context, ref poolRef) (*poolKeys, error) {
	var keys *poolKeys
	view := func(scope Scope) error {
		tx := scope(ref.account, ref.region)
		var err error
		if keys, err = replicaKeys(&o.keys, ref.account, tx, ref.poolID, ref.replica); err != nil || keys != nil {
			return err
		}
		if r, err := loadReplica(tx, ref.poolID, ref.replica); err != nil {
			return err
		} else if r == nil {
			return errNoPool
		}
		return nil
	}
	if err := o.cfg.Store.View(ctx, view); err != nil || keys != nil {
		return keys, err
	}
	// The replica has no keys yet: make them outside the write
	// transaction, and store them unless another request stored some
	// first (those win).
	o.genMu.Lock()
	defer o.genMu.Unlock()
	fresh, err := newStoredKeys(o.cfg.Now())
	if err != nil {
		return nil, err
	}
	err = o.cfg.Store.Update(ctx, func(scope Scope) error {
		if err := view(scope); err != nil || keys != nil {
			return err
		}
		return putJSON(scope(ref.account, ref.region), typeSigningKey, replicaKeysID(ref.poolID, ref.replica), fresh)
	})
	if err != nil || keys != nil {
		return keys, err
	}
	return cachedKeys(&o.keys, ref.account, ref.poolID, ref.replica, fresh)
}

// serveReplicaWellKnown answers /<poolId>/.well-known/… when the request
// came by a replica region's AWS host: that region's issuer and keys, or
// 404 when the pool has no replica there (an INACTIVE one still publishes
// its keys: its tokens stay verifiable). It reports whether it answered.
func (o *OAuth) serveReplicaWellKnown(w http.ResponseWriter, r *http.Request, loc poolLocator, rest string) bool {
	if rest != ".well-known/openid-configuration" && rest != ".well-known/jwks.json" {
		return false
	}
	region := hostRegion(requestHost(r))
	if region == "" || region == loc.reg {
		return false
	}
	if !wellKnownMethod(w, r) {
		return true
	}
	var ref poolRef
	var domain string
	err := o.cfg.Store.View(r.Context(), func(scope Scope) error {
		var err error
		if ref, err = loc.locate(scope, o.cfg.Accounts); err != nil {
			return err
		}
		if ref, err = servedAsReplica(scope, ref, region, false); err != nil {
			return err
		}
		domain, err = replicaDomainHost(scope(ref.account, ref.region), ref)
		return err
	})
	var keys *poolKeys
	if err == nil {
		keys, err = o.replicaKeysFor(r.Context(), ref)
	}
	switch {
	case errors.Is(err, errNoPool):
		notFound(w, loc)
		return true
	case err != nil:
		o.internalError(w, r, err, map[string]string{"message": "Internal error"})
		return true
	}
	if rest == ".well-known/jwks.json" {
		writeJSON(w, http.StatusOK, &jwksDocument{Keys: []jwk{keys.id.jwk, keys.access.jwk}})
		return true
	}
	iss := replicaIssuer(region, loc.poolID)
	base := iss // the path form of the domain endpoints, under the issuer
	if domain != "" {
		base = "https://" + domain
	}
	writeJSON(w, http.StatusOK, newDiscoveryDocument(iss, base))
	return true
}

// replicaDomainHost is the host of the domain endpoints of ref's replica:
// <prefix>.auth.<replica region>.amazoncognito.com for a pool with a
// prefix domain; "" for none, or a custom domain only (its name is the
// primary's; the path form under the replica's issuer serves the
// replica).
func replicaDomainHost(tx handler.Tx, ref poolRef) (string, error) {
	recs, err := tx.List(typeDomain, ref.poolID+"|")
	if err != nil {
		return "", fmt.Errorf("domains of %s: %w", ref.poolID, err)
	}
	for _, rec := range recs {
		var d struct {
			Domain             string         `json:"Domain"`
			CustomDomainConfig map[string]any `json:"CustomDomainConfig"`
		}
		if err := decodeRaw(rec.Model, &d); err != nil {
			return "", err
		}
		if d.CustomDomainConfig == nil {
			return d.Domain + ".auth." + ref.replica + ".amazoncognito.com", nil
		}
	}
	return "", nil
}
