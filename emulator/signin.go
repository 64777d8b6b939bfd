package emulator

import (
	"context"
	"sync"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/store"
)

// anonymousPartitions finds the account and region of unsigned Cognito
// calls (InitiateAuth, GetUser, …): AWS serves them without a signature,
// so they name no account and, through a custom endpoint, no region. The
// client id or the access token they carry does: the partition that holds
// that client or pool is found once and remembered (client and pool ids
// never move).
type anonymousPartitions struct {
	m sync.Map // "c:"+clientID or "p:"+poolID → store.Partition
}

// locate returns the partition of an unsigned call with body, or def when
// the body names nothing known.
func (c *core) locateAnonymous(ctx context.Context, def store.Partition, body []byte) store.Partition {
	t := cognito.TargetOf(body)
	key := "c:" + t.ClientID
	if t.PoolID != "" {
		key = "p:" + t.PoolID
	} else if t.ClientID == "" {
		return def
	}
	if p, ok := c.anon.m.Load(key); ok {
		return p.(store.Partition)
	}
	found := def
	err := c.st.View(ctx, func(tx store.Tx) error {
		parts, err := tx.Partitions(t.TypeName())
		if err != nil {
			return err
		}
		// The default partition first: a single-account emulator's case.
		ordered := make([]store.Partition, 0, len(parts)+1)
		ordered = append(ordered, def)
		for _, p := range parts {
			if p != def {
				ordered = append(ordered, p)
			}
		}
		for _, p := range ordered {
			ok, err := c.signin.Holds(store.Scope(tx, p), t)
			if err != nil {
				return err
			}
			if ok {
				found = p
				c.anon.m.Store(key, p)
				return nil
			}
		}
		return nil
	})
	if err != nil {
		c.log.Warn("locate unsigned Cognito call", "error", err)
		return def
	}
	return found
}
