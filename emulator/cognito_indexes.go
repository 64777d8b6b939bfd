package emulator

import (
	"context"
	"fmt"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/store"
)

// backfillCognitoIndexes builds the Cognito lookup indexes (the client-id
// index) of every partition that holds app clients written by an older
// ccql, which kept none. It runs when the server opens its store and
// after a state load, so that no lookup is left to scan. A store-wide
// marker makes it one Get once done: finding the partitions that hold
// clients reads the whole store, which only an older data dir or
// snapshot (no marker) pays, once.
func (c *core) backfillCognitoIndexes(ctx context.Context) error {
	var built bool
	err := c.st.View(ctx, func(tx store.Tx) (err error) {
		built, err = cognito.IndexesBuilt(store.Scope(tx, store.Partition{}))
		return err
	})
	if err != nil || built {
		return err
	}
	err = c.st.Update(ctx, func(tx store.Tx) error {
		parts, err := tx.Partitions(cognito.ClientTypeName)
		if err != nil {
			return err
		}
		for _, p := range parts {
			if err := cognito.BackfillIndexes(store.Scope(tx, p)); err != nil {
				return fmt.Errorf("%s/%s: %w", p.Account, p.Region, err)
			}
		}
		return cognito.MarkIndexesBuilt(store.Scope(tx, store.Partition{}))
	})
	if err != nil {
		return fmt.Errorf("build cognito indexes: %w", err)
	}
	return nil
}
