package cognito

import (
	"context"
	"errors"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// The Cloud Control handlers of AWS::Cognito::UserPoolReplica and
// AWS::Cognito::UserPoolRegionalConfigurationAttachment, over the replica
// records of replicas.go, so that SQL and the IdP API agree. Both work in
// the pool's partition whatever region the Cloud Control request names
// (homeOf): a replica belongs to its pool.

const (
	typeUserPoolReplica  = "AWS::Cognito::UserPoolReplica"
	typeRegionalConfig   = "AWS::Cognito::UserPoolRegionalConfigurationAttachment"
	regionalConfigMarker = "regionalconfig"
)

var (
	_ handler.Handler = replicaHandler{}
	_ handler.Handler = regionalConfigHandler{}
)

// homeOf returns tx and env moved to poolID's primary region (the same
// account), where the pool and its replicas are stored.
func homeOf(tx handler.Tx, env handler.Env, poolID string) (handler.Tx, handler.Env) {
	home := poolHome(poolID)
	if home == env.Region || home == "" {
		return tx, env
	}
	if rt, ok := tx.(regionTx); ok {
		env.Region = home
		return rt.InRegion(home), env
	}
	return tx, env
}

// stringMap converts a model's map of strings; other values are dropped
// (the core has checked the schema's types).
func stringMap(v any) map[string]string {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, x := range m {
		if s, ok := x.(string); ok {
			out[k] = s
		}
	}
	return out
}

func objectOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	if len(m) == 0 {
		return nil
	}
	return m
}

// replicaHandler serves AWS::Cognito::UserPoolReplica, identified by
// "<UserPoolId>|<RegionName>".
type replicaHandler struct{}

func (replicaHandler) TypeName() string { return typeUserPoolReplica }

func (replicaHandler) Prepare(_ handler.Env, desired map[string]any) (map[string]any, error) {
	return desired, nil
}

func replicaModel(poolID string, r *replica) map[string]any {
	m := map[string]any{"UserPoolId": poolID, "RegionName": r.RegionName}
	if len(r.Tags) > 0 {
		tags := make(map[string]any, len(r.Tags))
		for k, v := range r.Tags {
			tags[k] = v
		}
		m["UserPoolTagsAtCreate"] = tags
	}
	return m
}

func (replicaHandler) Create(_ context.Context, env handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error) {
	poolID, _ := model["UserPoolId"].(string)
	region, _ := model["RegionName"].(string)
	tx, env = homeOf(tx, env, poolID)
	if r, err := loadReplica(tx, poolID, region); err != nil {
		return nil, err
	} else if r != nil {
		id := poolID + "|" + region
		return nil, handler.Errorf(handler.AlreadyExists, "Resource of type '%s' with identifier '%s' already exists.", typeUserPoolReplica, id)
	}
	in := replicaInput{UserPoolId: &poolID, RegionName: &region, UserPoolTags: stringMap(model["UserPoolTagsAtCreate"])}
	if err := in.check(true, false); err != nil {
		return nil, toHandlerError(env, err)
	}
	r, err := createReplica(env, tx, poolID, region, in.UserPoolTags)
	if err != nil {
		return nil, toHandlerError(env, err)
	}
	return replicaModel(poolID, r), nil
}

// find returns the replica of identifier in its pool's partition.
func (replicaHandler) find(env handler.Env, tx handler.Tx, identifier string) (handler.Tx, handler.Env, *replica, error) {
	poolID, region, ok := strings.Cut(identifier, "|")
	if !ok || poolID == "" || region == "" {
		return nil, env, nil, notFoundError(typeUserPoolReplica, identifier)
	}
	tx, env = homeOf(tx, env, poolID)
	r, err := loadReplica(tx, poolID, region)
	if err != nil {
		return nil, env, nil, err
	}
	if r == nil {
		return nil, env, nil, notFoundError(typeUserPoolReplica, identifier)
	}
	return tx, env, r, nil
}

func (h replicaHandler) Read(_ context.Context, env handler.Env, tx handler.Tx, identifier string) (map[string]any, error) {
	_, _, r, err := h.find(env, tx, identifier)
	if err != nil {
		return nil, err
	}
	poolID, _, _ := strings.Cut(identifier, "|")
	return replicaModel(poolID, r), nil
}

// Update can change nothing but the tags: every other property is
// create-only (the core refuses changes to them).
func (h replicaHandler) Update(_ context.Context, env handler.Env, tx handler.Tx, identifier string, desired map[string]any) (map[string]any, error) {
	tx, env, r, err := h.find(env, tx, identifier)
	if err != nil {
		return nil, err
	}
	poolID, _, _ := strings.Cut(identifier, "|")
	r.Tags = stringMap(desired["UserPoolTagsAtCreate"])
	r.LastModifiedDate = epochSeconds(env.Now)
	if err := saveReplica(tx, poolID, r); err != nil {
		return nil, err
	}
	return replicaModel(poolID, r), nil
}

// Delete deletes the replica whatever its status: DeleteUserPoolReplica
// wants an INACTIVE one, and the resource's deletion, like a stack's,
// deactivates it first.
func (h replicaHandler) Delete(_ context.Context, env handler.Env, tx handler.Tx, identifier string) error {
	tx, env, _, err := h.find(env, tx, identifier)
	if err != nil {
		return err
	}
	poolID, region, _ := strings.Cut(identifier, "|")
	_, err = deleteReplica(tx, poolID, region, true)
	return toHandlerError(env, err)
}

// List returns {UserPoolId, RegionName} for each replica of the resource
// model's pool (the primary is not a replica resource).
func (replicaHandler) List(_ context.Context, env handler.Env, tx handler.Tx, resourceModel map[string]any) ([]map[string]any, error) {
	poolID, _ := resourceModel["UserPoolId"].(string)
	tx, env = homeOf(tx, env, poolID)
	if _, err := loadPool(tx, poolID); err != nil {
		return nil, toHandlerError(env, err)
	}
	_, reps, err := listReplicas(tx, poolID)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(reps))
	for _, r := range reps {
		out = append(out, map[string]any{"UserPoolId": poolID, "RegionName": r.RegionName})
	}
	return out, nil
}

// regionalConfigHandler serves AWS::Cognito::
// UserPoolRegionalConfigurationAttachment, identified by UserPoolId: the
// configuration of the pool in the Cloud Control request's region. In a
// replica region it is the replica's Status and regional configuration
// (the replica record); in the primary region it is the pool's own
// EmailConfiguration, LambdaConfig, SmsConfiguration and UserPoolTags, and
// Status is ACTIVE. Whether the attachment exists is kept apart (the
// replica's Attached flag, or a pool setting for the primary), since the
// configuration itself always exists.
type regionalConfigHandler struct{}

func (regionalConfigHandler) TypeName() string { return typeRegionalConfig }

func (regionalConfigHandler) Prepare(_ handler.Env, desired map[string]any) (map[string]any, error) {
	return desired, nil
}

// regionalState is one region's side of the attachment.
type regionalState struct {
	tx      handler.Tx
	env     handler.Env // in the pool's region
	region  string      // the attachment's region
	poolID  string
	pool    map[string]any
	replica *replica // nil in the primary region
}

// attachedMarker records the regions where a pool's attachment exists.
type attachedMarker struct {
	Regions []string `json:"Regions"`
}

func (regionalConfigHandler) state(env handler.Env, tx handler.Tx, poolID string) (*regionalState, error) {
	region := env.Region
	tx, env = homeOf(tx, env, poolID)
	pool, err := loadPool(tx, poolID)
	if isNotFound(err) {
		return nil, notFoundError(typeRegionalConfig, poolID)
	}
	if err != nil {
		return nil, err
	}
	s := &regionalState{tx: tx, env: env, region: region, poolID: poolID, pool: pool}
	if region != poolHome(poolID) {
		if s.replica, err = loadReplica(tx, poolID, region); err != nil {
			return nil, err
		}
		if s.replica == nil {
			return nil, toHandlerError(env, replicaNotFound(poolID, region))
		}
	}
	return s, nil
}

func (s *regionalState) markerKey() string { return settingKey(s.poolID, regionalConfigMarker, "") }

// attached reports whether the attachment exists in s's region.
func (s *regionalState) attached() (bool, error) {
	var m attachedMarker
	if _, err := getJSON(s.tx, typePoolSettings, s.markerKey(), &m); err != nil {
		return false, err
	}
	return contains(m.Regions, s.region), nil
}

func (s *regionalState) setAttached(on bool) error {
	var m attachedMarker
	if _, err := getJSON(s.tx, typePoolSettings, s.markerKey(), &m); err != nil {
		return err
	}
	var regions []string
	for _, r := range m.Regions {
		if r != s.region {
			regions = append(regions, r)
		}
	}
	if on {
		regions = append(regions, s.region)
	}
	if len(regions) == 0 {
		return deleteIfPresent(s.tx, typePoolSettings, s.markerKey())
	}
	return putJSON(s.tx, typePoolSettings, s.markerKey(), attachedMarker{Regions: regions})
}

// model is the attachment's read model.
func (s *regionalState) model() map[string]any {
	m := map[string]any{"UserPoolId": s.poolID}
	set := func(k string, v map[string]any) {
		if len(v) > 0 {
			m[k] = v
		}
	}
	if s.replica == nil {
		m["Status"] = replicaActive
		set("EmailConfiguration", objectOf(s.pool["EmailConfiguration"]))
		set("LambdaConfig", objectOf(s.pool["LambdaConfig"]))
		set("SmsConfiguration", objectOf(s.pool["SmsConfiguration"]))
		set("UserPoolTags", objectOf(s.pool["UserPoolTags"]))
		return m
	}
	r := s.replica
	m["Status"] = r.Status
	set("EmailConfiguration", objectOf(r.EmailConfiguration))
	set("LambdaConfig", objectOf(r.LambdaConfig))
	set("SmsConfiguration", objectOf(r.SmsConfiguration))
	if len(r.Tags) > 0 {
		tags := make(map[string]any, len(r.Tags))
		for k, v := range r.Tags {
			tags[k] = v
		}
		m["UserPoolTags"] = tags
	}
	return m
}

// apply replaces the region's configuration with desired's.
func (s *regionalState) apply(desired map[string]any) error {
	status, _ := desired["Status"].(string)
	if status != "" {
		var v violations
		v.checkEnum("status", &status, updateReplicaStatusValues)
		if err := v.err(); err != nil {
			return toHandlerError(s.env, err)
		}
	}
	if s.replica == nil {
		if status == replicaInactive {
			// Not a message Cognito is known to use.
			return toHandlerError(s.env, invalidParameter("Region %s is the primary region of user pool %s; only a replica's status can be changed.", s.region, s.poolID))
		}
		pool := s.pool
		for _, k := range []string{"EmailConfiguration", "LambdaConfig", "SmsConfiguration", "UserPoolTags"} {
			if v, ok := desired[k]; ok {
				pool[k] = v
			} else {
				delete(pool, k)
			}
		}
		m, err := updatePool(s.env, s.tx, s.poolID, pool)
		if err != nil {
			return toHandlerError(s.env, err)
		}
		s.pool = m
		return nil
	}
	r := s.replica
	if status != "" {
		r.Status = status
	}
	r.EmailConfiguration = objectOf(desired["EmailConfiguration"])
	r.LambdaConfig = objectOf(desired["LambdaConfig"])
	r.SmsConfiguration = objectOf(desired["SmsConfiguration"])
	r.Tags = stringMap(desired["UserPoolTags"])
	r.LastModifiedDate = epochSeconds(s.env.Now)
	return saveReplica(s.tx, s.poolID, r)
}

func (h regionalConfigHandler) Create(_ context.Context, env handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error) {
	poolID, _ := model["UserPoolId"].(string)
	s, err := h.state(env, tx, poolID)
	if err != nil {
		return nil, err
	}
	if on, err := s.attached(); err != nil {
		return nil, err
	} else if on {
		return nil, handler.Errorf(handler.AlreadyExists, "Resource of type '%s' with identifier '%s' already exists.", typeRegionalConfig, poolID)
	}
	if err := s.apply(model); err != nil {
		return nil, err
	}
	if err := s.setAttached(true); err != nil {
		return nil, err
	}
	return s.model(), nil
}

// attachedState is the state of an existing attachment, NotFound when
// there is none in env's region.
func (h regionalConfigHandler) attachedState(env handler.Env, tx handler.Tx, identifier string) (*regionalState, error) {
	s, err := h.state(env, tx, identifier)
	if err != nil {
		var he *handler.Error
		if errors.As(err, &he) && he.Code == handler.NotFound {
			return nil, notFoundError(typeRegionalConfig, identifier)
		}
		return nil, err
	}
	on, err := s.attached()
	if err != nil {
		return nil, err
	}
	if !on {
		return nil, notFoundError(typeRegionalConfig, identifier)
	}
	return s, nil
}

func (h regionalConfigHandler) Read(_ context.Context, env handler.Env, tx handler.Tx, identifier string) (map[string]any, error) {
	s, err := h.attachedState(env, tx, identifier)
	if err != nil {
		return nil, err
	}
	return s.model(), nil
}

func (h regionalConfigHandler) Update(_ context.Context, env handler.Env, tx handler.Tx, identifier string, desired map[string]any) (map[string]any, error) {
	s, err := h.attachedState(env, tx, identifier)
	if err != nil {
		return nil, err
	}
	if err := s.apply(desired); err != nil {
		return nil, err
	}
	return s.model(), nil
}

// Delete detaches: a replica's regional configuration is cleared (its
// Status stays); the primary's configuration is the pool's and stays.
func (h regionalConfigHandler) Delete(_ context.Context, env handler.Env, tx handler.Tx, identifier string) error {
	s, err := h.attachedState(env, tx, identifier)
	if err != nil {
		return err
	}
	if r := s.replica; r != nil {
		r.EmailConfiguration, r.LambdaConfig, r.SmsConfiguration, r.Tags = nil, nil, nil, nil
		r.LastModifiedDate = epochSeconds(s.env.Now)
		if err := saveReplica(s.tx, s.poolID, r); err != nil {
			return err
		}
	}
	return s.setAttached(false)
}

// List is not a handler of the type (its schema has none).
func (regionalConfigHandler) List(context.Context, handler.Env, handler.Tx, map[string]any) ([]map[string]any, error) {
	return nil, handler.Errorf(handler.InvalidRequest, "Resource type %s does not support LIST action", typeRegionalConfig)
}
