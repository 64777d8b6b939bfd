package emulator

import (
	"context"
	"sync"

	"github.com/ccql/ccql/internal/store"
)

// epocher is the store capability the read cache needs (store.SQLite has
// it): a cheap number that changes whenever the state may have changed,
// in this process or another one sharing the data dir.
type epocher interface {
	Epoch(ctx context.Context) (e uint64, stable bool, err error)
}

// maxCacheEntries bounds each read cache; past it, an arbitrary entry
// makes room (reads of a working set that large go to the store).
const maxCacheEntries = 4096

// readCache keeps encoded answers of read operations (GetResource's
// properties, Cognito's Describe responses) under the store epoch they
// were read at. An answer is served again only while the store reports the
// same epoch, stably: any commit, here or in another process, makes every
// entry stale at once. Reads must therefore be functions of the stored
// state alone, which handlers' Read and Cognito's Describe are.
type readCache[V any] struct {
	ep epocher // nil: no caching
	mu sync.RWMutex
	m  map[cacheKey]cacheEntry[V]
}

type cacheKey struct {
	p    store.Partition
	kind string // type name or IdP operation
	key  string // identifier or request body
}

type cacheEntry[V any] struct {
	epoch uint64
	val   V
}

func newReadCache[V any](st store.Store) *readCache[V] {
	ep, _ := st.(epocher)
	return &readCache[V]{ep: ep, m: map[cacheKey]cacheEntry[V]{}}
}

// read returns the cached answer for k, or computes it with fill and
// caches it when the epoch allows. fill must read in a store View of its
// own, begun after the epoch was read, as the cache's correctness
// requires; the returned value is shared and must not be modified.
func (c *readCache[V]) read(ctx context.Context, k cacheKey, fill func() (V, error)) (V, error) {
	if c.ep == nil {
		return fill()
	}
	e, stable, err := c.ep.Epoch(ctx)
	if err != nil {
		return fill()
	}
	if stable {
		c.mu.RLock()
		ent, ok := c.m[k]
		c.mu.RUnlock()
		if ok && ent.epoch == e {
			return ent.val, nil
		}
	}
	v, err := fill()
	if err != nil || !stable {
		return v, err
	}
	c.mu.Lock()
	if len(c.m) >= maxCacheEntries {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[k] = cacheEntry[V]{epoch: e, val: v}
	c.mu.Unlock()
	return v, nil
}
