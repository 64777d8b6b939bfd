package cognito

import (
	"context"
	"fmt"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// Key-set paging (handler.Pager) of the Cognito handlers: the core asks
// for one page after a cursor, and each handler reads that page from the
// store's index (handler.TxPager), so a page costs O(page) whether the pool
// has ten clients or a million users. The cursor is the last identifier of
// the previous page; each handler maps it to the key its records are
// stored under.

var (
	_ handler.Pager = poolHandler{}
	_ handler.Pager = clientHandler{}
	_ handler.Pager = satelliteHandler{}
	_ handler.Pager = userHandler{}
	_ handler.Pager = groupAttachmentHandler{}
)

// pageRecords returns up to limit records of typeName whose key starts
// with prefix and sorts after after, in key order; limit < 0 means all.
// It reads one page from the index when tx is a handler.TxPager, and
// cuts the page from the full list otherwise.
func pageRecords(tx handler.Tx, typeName, prefix, after string, limit int) ([]handler.Record, error) {
	if pt, ok := tx.(handler.TxPager); ok && limit >= 0 {
		recs, err := pt.ListAfter(typeName, prefix, after, limit)
		if err != nil {
			return nil, fmt.Errorf("list %s after %q: %w", typeName, after, err)
		}
		return recs, nil
	}
	recs, err := tx.List(typeName, prefix)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", typeName, err)
	}
	i := 0
	for i < len(recs) && recs[i].Identifier <= after {
		i++
	}
	recs = recs[i:]
	if limit >= 0 && len(recs) > limit {
		recs = recs[:limit]
	}
	return recs, nil
}

// childCursor maps a cursor "<poolId>|<key>" of a pool's child to the
// stored key "<storePrefix>|<key>". A cursor of another pool (which a
// NextToken, bound to its query, cannot carry) starts before or after all
// of this pool's children.
func childCursor(after, poolID, storePrefix string) string {
	if after == "" {
		return ""
	}
	key, ok := strings.CutPrefix(after, poolID+"|")
	switch {
	case ok:
		return storePrefix + "|" + key
	case after < poolID+"|":
		return ""
	default:
		return storePrefix + "|\xff"
	}
}

// ListPage is List one page at a time: pools after the id after.
func (poolHandler) ListPage(_ context.Context, _ handler.Env, tx handler.Tx, _ map[string]any, after string, limit int) ([]map[string]any, error) {
	recs, err := pageRecords(tx, typeUserPool, "", after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(recs))
	for _, r := range recs {
		out = append(out, map[string]any{"UserPoolId": r.Identifier})
	}
	return out, nil
}

// ListPage is List one page at a time: the pool's clients after the
// identifier after.
func (clientHandler) ListPage(_ context.Context, env handler.Env, tx handler.Tx, resourceModel map[string]any, after string, limit int) ([]map[string]any, error) {
	poolID, _ := resourceModel["UserPoolId"].(string)
	if _, err := loadPool(tx, poolID); err != nil {
		return nil, toHandlerError(env, err)
	}
	recs, err := pageRecords(tx, typeUserPoolClient, poolID+"|", childCursor(after, poolID, poolID), limit)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(recs))
	for _, r := range recs {
		if p, c, ok := splitClientIdentifier(r.Identifier); ok {
			out = append(out, map[string]any{"UserPoolId": p, "ClientId": c})
		}
	}
	return out, nil
}

// ListPage is List one page at a time: the pool's resources of the kind
// after the identifier after.
func (h satelliteHandler) ListPage(_ context.Context, env handler.Env, tx handler.Tx, resourceModel map[string]any, after string, limit int) ([]map[string]any, error) {
	if !h.s.listable {
		return nil, unlistable(h.s.typeName)
	}
	poolID, _ := resourceModel["UserPoolId"].(string)
	if _, err := loadPool(tx, poolID); err != nil {
		return nil, toHandlerError(env, err)
	}
	recs, err := pageRecords(tx, h.s.typeName, poolID+"|", childCursor(after, poolID, poolID), limit)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(recs))
	for _, r := range recs {
		_, key, _ := strings.Cut(r.Identifier, "|")
		out = append(out, map[string]any{"UserPoolId": poolID, h.s.keyProp: key})
	}
	return out, nil
}

// ListPage is List one page at a time. Users are stored under their name
// as the pool compares names (lower case unless the pool is case
// sensitive), so a page follows that order: the cursor "<pool>|<name>" is
// folded the same way, and the core, which takes a pager's order as it
// comes, pages consistently.
func (userHandler) ListPage(_ context.Context, env handler.Env, tx handler.Tx, resourceModel map[string]any, after string, limit int) ([]map[string]any, error) {
	poolID, _ := resourceModel["UserPoolId"].(string)
	cfg, err := loadPoolConfig(tx, poolID)
	if err != nil {
		return nil, toHandlerError(env, err)
	}
	cursor := childCursor(after, poolID, poolID)
	if name, ok := strings.CutPrefix(after, poolID+"|"); ok {
		cursor = cfg.userKey(name)
	}
	recs, err := pageRecords(tx, typeUser, poolID+"|", cursor, limit)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(recs))
	for _, r := range recs {
		var u user
		if err := decodeRaw(r.Model, &u); err != nil {
			return nil, err
		}
		out = append(out, map[string]any{"UserPoolId": poolID, "Username": u.Username})
	}
	return out, nil
}

// ListPage fails as List does: the type has no list handler.
func (groupAttachmentHandler) ListPage(context.Context, handler.Env, handler.Tx, map[string]any, string, int) ([]map[string]any, error) {
	return nil, unlistable(typeUserToGroup)
}
