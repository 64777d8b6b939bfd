package cognito

import (
	"context"
	"sort"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// Tags of a user pool are its CloudFormation UserPoolTags: TagResource,
// UntagResource and ListTagsForResource read and write that member of the
// stored pool model, so Cloud Control's GetResource and the IdP API always
// show the same tags.

// maxPoolTags is the cognito-idp model's bound on UserPoolTagsType.
const maxPoolTags = 50

var patTag = mustPattern(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)

// poolOfARN returns the pool id an ARN names when it is a user pool ARN of
// this account and region. Any other well-formed ARN names a resource that
// does not exist here.
func poolOfARN(env handler.Env, arn string) (string, *APIError) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[2] == "cognito-idp" && parts[3] == env.Region && parts[4] == accountOf(env) {
		if id, ok := strings.CutPrefix(parts[5], "userpool/"); ok && patUserPoolID.matches(id) {
			return id, nil
		}
	}
	// Not a message Cognito is known to use for a foreign or malformed ARN.
	return "", resourceNotFound("Resource %s does not exist.", arn)
}

// checkResourceARN records the ResourceArn member's violations.
func checkResourceARN(v *violations, arn *string) {
	v.checkRequiredString("resourceArn", arn, 20, 2048, &patARN)
}

// checkTagMap records the violations of a Tags map: its size and every key
// and value (Coral reports map members as "tags.<key>.member.key" style
// paths; the cognito-idp model's key and value constraints apply).
func checkTagMap(v *violations, tags map[string]string, required bool) {
	if tags == nil {
		if required {
			v.add("null", "tags", "Member must not be null")
		}
		return
	}
	if len(tags) > maxPoolTags {
		v.add("'{...}'", "tags", "Member must have length less than or equal to 50")
	}
	keys := sortedKeys(tags)
	for _, k := range keys {
		for _, c := range stringConstraints(k, 1, 128, &patTag) {
			v.add(quote(k), "tags."+k+".member.key", c)
		}
		for _, c := range stringConstraints(tags[k], 0, 256, &patTag) {
			v.add(quote(tags[k]), "tags."+k+".member.value", c)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// poolTags returns the pool's UserPoolTags as a string map.
func poolTags(pool map[string]any) map[string]string {
	out := map[string]string{}
	m, _ := pool["UserPoolTags"].(map[string]any)
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// storeTags writes tags back as the pool's UserPoolTags. Tagging is not a
// change of the pool's configuration: the modification date is kept.
func storeTags(tx handler.Tx, poolID string, pool map[string]any, tags map[string]string) error {
	if len(tags) == 0 {
		delete(pool, "UserPoolTags")
	} else {
		m := make(map[string]any, len(tags))
		for k, v := range tags {
			m[k] = v
		}
		pool["UserPoolTags"] = m
	}
	return putJSON(tx, typeUserPool, poolID, pool)
}

func loadTaggedPool(env handler.Env, tx handler.Tx, arn string) (string, map[string]any, error) {
	poolID, apiErr := poolOfARN(env, arn)
	if apiErr != nil {
		return "", nil, apiErr
	}
	pool, err := loadPool(tx, poolID)
	if err != nil {
		return "", nil, err
	}
	return poolID, pool, nil
}

func opTagResource(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		ResourceArn *string           `json:"ResourceArn"`
		Tags        map[string]string `json:"Tags"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	checkResourceARN(&v, in.ResourceArn)
	checkTagMap(&v, in.Tags, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	poolID, pool, err := loadTaggedPool(env, tx, *in.ResourceArn)
	if err != nil {
		return nil, err
	}
	tags := poolTags(pool)
	for k, val := range in.Tags {
		tags[k] = val
	}
	if len(tags) > maxPoolTags {
		// Not a message Cognito is known to use for the 50-tag quota.
		return nil, invalidParameter("A user pool can have at most %d tags.", maxPoolTags)
	}
	if err := storeTags(tx, poolID, pool, tags); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opUntagResource(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		ResourceArn *string  `json:"ResourceArn"`
		TagKeys     []string `json:"TagKeys"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	checkResourceARN(&v, in.ResourceArn)
	if in.TagKeys == nil {
		v.add("null", "tagKeys", "Member must not be null")
	}
	member, constraints := stringMember(1, 128, &patTag)
	v.checkList("tagKeys", in.TagKeys, 0, member, constraints)
	if err := v.err(); err != nil {
		return nil, err
	}
	poolID, pool, err := loadTaggedPool(env, tx, *in.ResourceArn)
	if err != nil {
		return nil, err
	}
	tags := poolTags(pool)
	for _, k := range in.TagKeys {
		delete(tags, k)
	}
	if err := storeTags(tx, poolID, pool, tags); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opListTagsForResource(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		ResourceArn *string `json:"ResourceArn"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	checkResourceARN(&v, in.ResourceArn)
	if err := v.err(); err != nil {
		return nil, err
	}
	_, pool, err := loadTaggedPool(env, tx, *in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Tags": poolTags(pool)}, nil
}
