package cognito

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/ccql/ccql/internal/awsregion"
	"github.com/ccql/ccql/internal/handler"
)

// A replica region as a region of its own: a call that names only an app
// client finds the client in the pool's primary partition, and the
// operations of a replica region see the pool with the replica's regional
// configuration (AWS: "You can configure the following settings
// independently in replicas": email configuration, SMS configuration,
// Lambda triggers, tags; "All other settings are set in the primary user
// pool and synchronized automatically").
//
// The emulator's rule for a setting the replica leaves unset (no regional
// configuration attachment, or one without that member): the replica uses
// the primary's. A setting the replica sets replaces the primary's whole
// (EmailConfiguration, LambdaConfig and SmsConfiguration are not merged
// member by member). The replica's tags and ARN are always its own.

// regionalMembers are the members of a pool model a replica sets for its
// region.
var regionalMembers = []string{"EmailConfiguration", "LambdaConfig", "SmsConfiguration"}

// pageRegionKey carries the replica region an OAuth page's IdP operation
// is served in (the hosted UI of a replica region runs the JSON API's
// operations, which replicaGate then serves as that region's).
type pageRegionKey struct{}

func withPageRegion(ctx context.Context, region string) context.Context {
	return context.WithValue(ctx, pageRegionKey{}, region)
}

func pageRegionOf(ctx context.Context) string {
	r, _ := ctx.Value(pageRegionKey{}).(string)
	return r
}

// locateClientPool returns the pool of app client clientID for a call that
// reached region served: the client of the call's own partition (tx), else
// the client of the same account in another region of served's partition,
// where a pool with a replica in served keeps it. Each region costs one
// lookup in its client-id index.
func locateClientPool(info requestInfo, env handler.Env, tx handler.Tx, served, clientID string) (string, error) {
	// The common case, a client of the region reached, costs one index
	// seek here: the operation itself then loads the client.
	if pool, err := indexedClientPool(tx, clientID); err != nil || pool != "" {
		return pool, err
	}
	rt, multi := tx.(regionTx)
	pool, _, err := info.findClient(tx, clientID)
	if err == nil || !isNotFound(err) || !multi {
		return pool, err
	}
	for _, region := range partitionRegions(served) {
		if region == env.Region {
			continue
		}
		pool, _, err := info.findClient(rt.InRegion(region), clientID)
		if err == nil {
			return pool, nil
		}
		if !isNotFound(err) {
			return "", fmt.Errorf("find client %s in %s: %w", clientID, region, err)
		}
	}
	return "", clientNotFound(clientID)
}

// partitionRegions are the regions of region's AWS partition; only region
// itself when it is in none.
func partitionRegions(region string) []string {
	for _, p := range awsregion.Partitions() {
		if slices.Contains(p.Regions, region) {
			return p.Regions
		}
	}
	return []string{region}
}

// regionalTx is the pool's partition as a replica region's operations see
// it: reading the pool gives its model with the replica's regional
// configuration, tags and ARN; writing the pool keeps the primary's own
// configuration (a replica region changes no pool setting, but a write
// must not copy the replica's into the primary).
type regionalTx struct {
	handler.Tx
	poolID, region string
	rep            *replica // nil until first needed
}

var (
	_ handler.TxPager = (*regionalTx)(nil)
	_ regionTx        = (*regionalTx)(nil)
)

// newRegionalTx returns tx as seen from poolID's replica in region; rep is
// the replica when the caller has it loaded, else nil.
func newRegionalTx(tx handler.Tx, poolID, region string, rep *replica) handler.Tx {
	if rt, ok := tx.(*regionalTx); ok {
		tx = rt.Tx
	}
	return &regionalTx{Tx: tx, poolID: poolID, region: region, rep: rep}
}

// replica returns the replica, loading it on first use; nil when the pool
// has none in the region (deleted meanwhile).
func (t *regionalTx) replica() (*replica, error) {
	if t.rep == nil {
		r, err := loadReplica(t.Tx, t.poolID, t.region)
		if err != nil {
			return nil, err
		}
		t.rep = r
	}
	return t.rep, nil
}

func (t *regionalTx) isPool(typeName, identifier string) bool {
	return typeName == typeUserPool && identifier == t.poolID
}

// Get reads a model; the pool's with the replica's regional settings.
func (t *regionalTx) Get(typeName, identifier string) (json.RawMessage, error) {
	raw, err := t.Tx.Get(typeName, identifier)
	if err != nil || !t.isPool(typeName, identifier) {
		return raw, err
	}
	rep, err := t.replica()
	if err != nil || rep == nil {
		return raw, err
	}
	var pool map[string]any
	if err := json.Unmarshal(raw, &pool); err != nil {
		return nil, fmt.Errorf("decode user pool %s: %w", t.poolID, err)
	}
	applyRegional(pool, rep)
	out, err := json.Marshal(pool)
	if err != nil {
		return nil, fmt.Errorf("encode user pool %s: %w", t.poolID, err)
	}
	return out, nil
}

// applyRegional overlays a replica's regional configuration on a pool
// model (the rule in the file comment).
func applyRegional(pool map[string]any, rep *replica) {
	for k, v := range map[string]map[string]any{
		"EmailConfiguration": rep.EmailConfiguration,
		"LambdaConfig":       rep.LambdaConfig,
		"SmsConfiguration":   rep.SmsConfiguration,
	} {
		if len(v) > 0 {
			pool[k] = v
		}
	}
	pool["Arn"] = rep.UserPoolArn
	if len(rep.Tags) > 0 {
		tags := make(map[string]any, len(rep.Tags))
		for k, v := range rep.Tags {
			tags[k] = v
		}
		pool["UserPoolTags"] = tags
	} else {
		delete(pool, "UserPoolTags")
	}
}

// Put stores a model; the pool's keeps the primary's regional settings,
// tags and ARN whatever the model read through t said.
func (t *regionalTx) Put(typeName, identifier string, model json.RawMessage) error {
	if !t.isPool(typeName, identifier) {
		return t.Tx.Put(typeName, identifier, model)
	}
	var stored, next map[string]any
	found, err := getJSON(t.Tx, typeUserPool, identifier, &stored)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(model, &next); err != nil {
		return fmt.Errorf("decode user pool %s: %w", t.poolID, err)
	}
	if found {
		for _, k := range append(slices.Clone(regionalMembers), "Arn", "UserPoolTags") {
			if v, ok := stored[k]; ok {
				next[k] = v
			} else {
				delete(next, k)
			}
		}
	}
	raw, err := json.Marshal(next)
	if err != nil {
		return fmt.Errorf("encode user pool %s: %w", t.poolID, err)
	}
	return t.Tx.Put(typeName, identifier, raw)
}

// ListAfter pages as the underlying Tx does.
func (t *regionalTx) ListAfter(typeName, prefix, after string, limit int) ([]handler.Record, error) {
	return pageRecords(t.Tx, typeName, prefix, after, limit)
}

// InRegion reaches another region of the account, as the underlying Tx.
func (t *regionalTx) InRegion(region string) handler.Tx {
	if rt, ok := t.Tx.(regionTx); ok {
		return rt.InRegion(region)
	}
	return t.Tx
}

// servingRegion is the region a transaction's operation is served in: the
// replica's region for a replica region's, else env's.
func servingRegion(env handler.Env, tx handler.Tx) string {
	if rt, ok := tx.(*regionalTx); ok {
		return rt.region
	}
	return env.Region
}

// stampSender fills the region and the sender a message goes out with:
// the pool's EmailConfiguration (From, SourceArn) for an e-mail, its
// SmsConfiguration (SnsCallerArn, SnsRegion) for an SMS, as configured in
// the region the message is sent from (a replica's own, through
// regionalTx). Nothing configured leaves them empty: Cognito's default
// sender.
func stampSender(env handler.Env, tx handler.Tx, m *Message) error {
	m.Region = servingRegion(env, tx)
	pool, err := loadPool(tx, m.UserPoolId)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	str := func(cfg map[string]any, k string) string {
		s, _ := cfg[k].(string)
		return s
	}
	switch m.DeliveryMedium {
	case MediumEmail:
		cfg, _ := pool["EmailConfiguration"].(map[string]any)
		m.From, m.SourceArn = str(cfg, "From"), str(cfg, "SourceArn")
		if m.From == "" {
			// The SES identity of SourceArn sends (…:identity/<address>).
			if _, id, ok := strings.Cut(m.SourceArn, ":identity/"); ok && strings.Contains(id, "@") {
				m.From = id
			}
		}
	case MediumSMS:
		cfg, _ := pool["SmsConfiguration"].(map[string]any)
		m.SnsCallerArn, m.SnsRegion = str(cfg, "SnsCallerArn"), str(cfg, "SnsRegion")
	}
	return nil
}
