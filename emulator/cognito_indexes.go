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
// after a state load, so that no lookup is left to scan: a partition whose
// index is built costs one Get here.
func (c *core) backfillCognitoIndexes(ctx context.Context) error {
	err := c.st.Update(ctx, func(tx store.Tx) error {
		parts, err := tx.Partitions(cognito.ClientTypeName)
		if err != nil {
			return err
		}
		for _, p := range parts {
			if err := cognito.BackfillIndexes(store.Scope(tx, p)); err != nil {
				return fmt.Errorf("%s/%s: %w", p.Account, p.Region, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("build cognito indexes: %w", err)
	}
	return nil
}
