package cognito

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ccql/ccql/internal/awsregion"
	"github.com/ccql/ccql/internal/handler"
)

// User-pool replicas (multi-Region replication). A replica is a record of
// its pool, stored in the pool's own partition (the primary region, the
// region its id names) under typePoolSettings "<UserPoolId>|replica|<Region>",
// so it goes with the pool. Its signing keys are its own, stored under
// typeSigningKey "<UserPoolId>|signing|<Region>" beside the primary's: the
// replica region issues tokens with its own issuer,
// https://cognito-idp.<Region>.amazonaws.com/<UserPoolId>, signed with keys
// that its own JWKS publishes. The users, clients and the rest are the
// pool's: a replica serves the same directory (replica_route.go routes a
// request that reaches a replica region to the pool).
//
// The lifecycle is synchronous, like every IdP operation of the emulator:
// CreateUserPoolReplica answers Status CREATING (what AWS answers while it
// builds the replica) and the replica is ACTIVE as soon as the call
// returns; DeleteUserPoolReplica answers DELETING and the replica is gone
// when it returns.

const (
	typeOperationNotEnabled = "OperationNotEnabledException"

	replicaActive   = "ACTIVE"
	replicaInactive = "INACTIVE"
	replicaCreating = "CREATING"
	replicaDeleting = "DELETING"
	rolePrimary     = "PRIMARY"
	roleSecondary   = "SECONDARY"
)

var updateReplicaStatusValues = []string{replicaActive, replicaInactive}

// replicaOperations are the IdP operations of user-pool replicas.
func replicaOperations() map[string]Operation {
	return map[string]Operation{
		"CreateUserPoolReplica": opCreateUserPoolReplica,
		"ListUserPoolReplicas":  opListUserPoolReplicas,
		"UpdateUserPoolReplica": opUpdateUserPoolReplica,
		"DeleteUserPoolReplica": opDeleteUserPoolReplica,
	}
}

// replica is the stored record of one secondary region of a pool. The
// regional configuration (EmailConfiguration, LambdaConfig,
// SmsConfiguration, tags) is what AWS::Cognito::
// UserPoolRegionalConfigurationAttachment sets for the region.
type replica struct {
	RegionName         string            `json:"RegionName"`
	Status             string            `json:"Status"`
	UserPoolArn        string            `json:"UserPoolArn"`
	Tags               map[string]string `json:"Tags,omitempty"`
	EmailConfiguration map[string]any    `json:"EmailConfiguration,omitempty"`
	LambdaConfig       map[string]any    `json:"LambdaConfig,omitempty"`
	SmsConfiguration   map[string]any    `json:"SmsConfiguration,omitempty"`
	CreationDate       epochSeconds      `json:"CreationDate"`
	LastModifiedDate   epochSeconds      `json:"LastModifiedDate"`
}

// replicaView is the wire shape UserPoolReplicaType.
type replicaView struct {
	RegionName  string `json:"RegionName"`
	Role        string `json:"Role"`
	Status      string `json:"Status"`
	UserPoolArn string `json:"UserPoolArn"`
}

func (r *replica) view() replicaView {
	return replicaView{RegionName: r.RegionName, Role: roleSecondary, Status: r.Status, UserPoolArn: r.UserPoolArn}
}

func replicaKey(poolID, region string) string { return settingKey(poolID, "replica", region) }

// replicaKeysID is where a replica region's signing keys are stored.
func replicaKeysID(poolID, region string) string { return poolID + signingKeySuf + "|" + region }

// poolHome is the primary region of a pool: the part of its id before "_".
func poolHome(poolID string) string {
	home, _, _ := strings.Cut(poolID, "_")
	return home
}

func poolARN(region, account, poolID string) string {
	return fmt.Sprintf("arn:aws:cognito-idp:%s:%s:userpool/%s", region, account, poolID)
}

// loadReplica returns the replica of poolID in region, nil when there is
// none. tx is the pool's partition.
func loadReplica(tx handler.Tx, poolID, region string) (*replica, error) {
	var r replica
	found, err := getJSON(tx, typePoolSettings, replicaKey(poolID, region), &r)
	if err != nil || !found {
		return nil, err
	}
	return &r, nil
}

func saveReplica(tx handler.Tx, poolID string, r *replica) error {
	return putJSON(tx, typePoolSettings, replicaKey(poolID, r.RegionName), r)
}

// listReplicas returns the replicas of poolID, ordered by region.
func listReplicas(tx handler.Tx, poolID string) ([]handler.Record, []*replica, error) {
	recs, err := tx.List(typePoolSettings, replicaKey(poolID, "")+"|")
	if err != nil {
		return nil, nil, fmt.Errorf("list replicas of %s: %w", poolID, err)
	}
	out := make([]*replica, 0, len(recs))
	for _, rec := range recs {
		var r replica
		if err := decodeRaw(rec.Model, &r); err != nil {
			return nil, nil, err
		}
		out = append(out, &r)
	}
	return recs, out, nil
}

// replicaNotFound is the error for a region that has no replica of poolID.
// Not a message Cognito is known to use.
func replicaNotFound(poolID, region string) *APIError {
	return resourceNotFound("User pool %s has no replica in region %s.", poolID, region)
}

// checkReplicaRegion applies the rules on a new replica's region: a region
// AWS has, in the primary's partition, not the primary region, not a
// region that already has a replica. The messages are not ones Cognito is
// known to use; the rules are AWS's.
func checkReplicaRegion(tx handler.Tx, poolID, region string) error {
	home := poolHome(poolID)
	if err := awsregion.Check(region); err != nil {
		return invalidParameter("Invalid region name %s: AWS has no such region.", region)
	}
	if !samePartition(home, region) {
		return invalidParameter("Region %s is not in the partition of user pool %s's region %s.", region, poolID, home)
	}
	if region == home {
		return invalidParameter("Region %s is the primary region of user pool %s; a replica must be in another region.", region, poolID)
	}
	r, err := loadReplica(tx, poolID, region)
	if err != nil {
		return err
	}
	if r != nil {
		return invalidParameter("User pool %s already has a replica in region %s.", poolID, region)
	}
	return nil
}

// samePartition reports whether two regions are in the same AWS partition
// (a region unknown to the partition list is in none).
func samePartition(a, b string) bool {
	for _, p := range awsregion.Partitions() {
		if slices.Contains(p.Regions, a) {
			return slices.Contains(p.Regions, b)
		}
	}
	return false
}

// createReplica creates the replica of poolID in region; tx is the
// pool's partition. Its signing keys are made on first use, as a pool's
// are (replica_route.go).
func createReplica(env handler.Env, tx handler.Tx, poolID, region string, tags map[string]string) (*replica, error) {
	pool, err := loadPool(tx, poolID)
	if err != nil {
		return nil, err
	}
	if tier, _ := pool["UserPoolTier"].(string); tier == "LITE" {
		// The pattern of Cognito's other tier messages; multi-Region
		// replication needs the Essentials or Plus plan.
		return nil, apiErrorf(typeFeatureUnavailable, "The following feature is not available for the LITE pricing tier configured: Multi-Region Replication")
	}
	if err := checkReplicaRegion(tx, poolID, region); err != nil {
		return nil, err
	}
	r := &replica{
		RegionName: region, Status: replicaActive, UserPoolArn: poolARN(region, accountOf(env), poolID), Tags: tags,
		CreationDate: epochSeconds(env.Now), LastModifiedDate: epochSeconds(env.Now),
	}
	if err := saveReplica(tx, poolID, r); err != nil {
		return nil, err
	}
	return r, nil
}

// setReplicaStatus sets a replica's status (ACTIVE or INACTIVE).
func setReplicaStatus(env handler.Env, tx handler.Tx, poolID, region, status string) (*replica, error) {
	if _, err := loadPool(tx, poolID); err != nil {
		return nil, err
	}
	if region == poolHome(poolID) {
		// Not a message Cognito is known to use.
		return nil, invalidParameter("Region %s is the primary region of user pool %s; only a replica's status can be changed.", region, poolID)
	}
	r, err := loadReplica(tx, poolID, region)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, replicaNotFound(poolID, region)
	}
	r.Status = status
	r.LastModifiedDate = epochSeconds(env.Now)
	if err := saveReplica(tx, poolID, r); err != nil {
		return nil, err
	}
	return r, nil
}

// deleteReplica removes a replica and its signing keys: tokens the region
// issued no longer verify anywhere. DeleteUserPoolReplica removes only an
// INACTIVE replica (anyStatus false); the Cloud Control delete removes it
// whatever its status, as a stack's deletion must.
func deleteReplica(tx handler.Tx, poolID, region string, anyStatus bool) (*replica, error) {
	if _, err := loadPool(tx, poolID); err != nil {
		return nil, err
	}
	r, err := loadReplica(tx, poolID, region)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, replicaNotFound(poolID, region)
	}
	if r.Status != replicaInactive && !anyStatus {
		// AWS's rule ("You can only delete replicas that are in the
		// INACTIVE status"); not a message Cognito is known to use.
		return nil, invalidParameter("The replica of user pool %s in region %s is %s; only an INACTIVE replica can be deleted.", poolID, region, r.Status)
	}
	if err := tx.Delete(typePoolSettings, replicaKey(poolID, region)); err != nil {
		return nil, fmt.Errorf("delete replica %s %s: %w", poolID, region, err)
	}
	if err := deleteIfPresent(tx, typeSigningKey, replicaKeysID(poolID, region)); err != nil {
		return nil, err
	}
	return r, nil
}

// replicaInput is the request of the replica operations.
type replicaInput struct {
	UserPoolId   *string           `json:"UserPoolId"`
	RegionName   *string           `json:"RegionName"`
	Status       *string           `json:"Status"`
	UserPoolTags map[string]string `json:"UserPoolTags"`
	NextToken    *string           `json:"NextToken"`
}

func (in *replicaInput) check(region, status bool) *APIError {
	var v violations
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	if region {
		v.checkRequiredString("regionName", in.RegionName, 5, 32, nil)
	}
	if status {
		if in.Status == nil {
			v.add("null", "status", "Member must not be null")
		}
		v.checkEnum("status", in.Status, updateReplicaStatusValues)
	}
	if len(in.UserPoolTags) > maxPoolTags {
		v.add("'{...}'", "userPoolTags", "Member must have length less than or equal to 50")
	}
	for _, k := range sortedKeys(in.UserPoolTags) {
		for _, c := range stringConstraints(k, 1, 128, &patTag) {
			v.add(quote(k), "userPoolTags."+k+".member.key", c)
		}
		for _, c := range stringConstraints(in.UserPoolTags[k], 0, 256, &patTag) {
			v.add(quote(in.UserPoolTags[k]), "userPoolTags."+k+".member.value", c)
		}
	}
	return v.err()
}

func opCreateUserPoolReplica(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in replicaInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := in.check(true, false); err != nil {
		return nil, err
	}
	r, err := createReplica(env, tx, *in.UserPoolId, *in.RegionName, in.UserPoolTags)
	if err != nil {
		return nil, err
	}
	v := r.view()
	v.Status = replicaCreating // the answer while AWS builds it
	return map[string]any{"UserPoolReplica": v}, nil
}

func opListUserPoolReplicas(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in replicaInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	v.checkString("nextToken", in.NextToken, 1, 131072, &patNextToken)
	if err := v.err(); err != nil {
		return nil, err
	}
	poolID := *in.UserPoolId
	pool, err := loadPool(tx, poolID)
	if err != nil {
		return nil, err
	}
	recs, reps, err := listReplicas(tx, poolID)
	if err != nil {
		return nil, err
	}
	// The primary is listed first, under its own region's key.
	home := poolHome(poolID)
	arn, _ := pool["Arn"].(string)
	if arn == "" {
		arn = poolARN(home, accountOf(env), poolID)
	}
	all := append([]handler.Record{{Identifier: replicaKey(poolID, "")}}, recs...)
	views := append([]replicaView{{RegionName: home, Role: rolePrimary, Status: replicaActive, UserPoolArn: arn}}, viewsOf(reps)...)
	p, apiErr := paginate(all, 60, in.NextToken, "ListUserPoolReplicas|"+poolID)
	if apiErr != nil {
		return nil, apiErr
	}
	start := 0
	if len(p.recs) > 0 {
		start = slices.IndexFunc(all, func(r handler.Record) bool { return r.Identifier == p.recs[0].Identifier })
	}
	res := map[string]any{"UserPoolReplicas": views[start : start+len(p.recs)]}
	if p.next != "" {
		res["NextToken"] = p.next
	}
	return res, nil
}

func viewsOf(reps []*replica) []replicaView {
	out := make([]replicaView, 0, len(reps))
	for _, r := range reps {
		out = append(out, r.view())
	}
	return out
}

func opUpdateUserPoolReplica(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in replicaInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := in.check(true, true); err != nil {
		return nil, err
	}
	r, err := setReplicaStatus(env, tx, *in.UserPoolId, *in.RegionName, *in.Status)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPoolReplica": r.view()}, nil
}

func opDeleteUserPoolReplica(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in replicaInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	if err := in.check(true, false); err != nil {
		return nil, err
	}
	r, err := deleteReplica(tx, *in.UserPoolId, *in.RegionName, false)
	if err != nil {
		return nil, err
	}
	v := r.view()
	v.Status = replicaDeleting
	return map[string]any{"UserPoolReplica": v}, nil
}
