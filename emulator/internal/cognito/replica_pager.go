package cognito

import (
	"context"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

var _ handler.Pager = replicaHandler{}

// ListPage is List one page at a time: the pool's replicas after the
// identifier after ("<pool>|<region>"), read from the index in the pool's
// home partition. Replicas are stored under "<pool>|replica|<region>", so
// the key order is the identifier order.
func (replicaHandler) ListPage(_ context.Context, env handler.Env, tx handler.Tx, resourceModel map[string]any, after string, limit int) ([]map[string]any, error) {
	poolID, _ := resourceModel["UserPoolId"].(string)
	tx, env = homeOf(tx, env, poolID)
	if _, err := loadPool(tx, poolID); err != nil {
		return nil, toHandlerError(env, err)
	}
	prefix := replicaKey(poolID, "")
	cursor := childCursor(after, poolID, prefix)
	recs, err := pageRecords(tx, typePoolSettings, prefix+"|", cursor, limit)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(recs))
	for _, r := range recs {
		region := strings.TrimPrefix(r.Identifier, prefix+"|")
		out = append(out, map[string]any{"UserPoolId": poolID, "RegionName": region})
	}
	return out, nil
}
