package cognito

import (
	"context"
	"fmt"

	"github.com/ccql/ccql/internal/handler"
)

// MaxGroupsPerPool is Cognito's default quota.
const MaxGroupsPerPool = 10000

var patGroupName = mustPattern(`[\p{L}\p{M}\p{S}\p{N}\p{P}]+`)

// groups are AWS::Cognito::UserPoolGroup. GroupName is optional in
// CloudFormation but part of the identifier, so a missing one is generated
// in Prepare: "UserPoolGroup-" and 12 characters [0-9A-Z].
var groups = &satellite{
	typeName:   typeGroup,
	keyProp:    "GroupName",
	namePrefix: "UserPoolGroup",
	listable:   true,
	create: func(env handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error) {
		var s groupSpec
		if err := decodeModel(model, &s); err != nil {
			return nil, err
		}
		return createGroup(env, tx, &s)
	},
	update: func(env handler.Env, tx handler.Tx, desired map[string]any) (map[string]any, error) {
		var s groupSpec
		if err := decodeModel(desired, &s); err != nil {
			return nil, err
		}
		return updateGroup(env, tx, &s)
	},
	remove: deleteGroup,
}

// groupSpec is a group as CloudFormation and the IdP API both name it.
type groupSpec struct {
	UserPoolId  *string `json:"UserPoolId"`
	GroupName   *string `json:"GroupName"`
	Description *string `json:"Description"`
	RoleArn     *string `json:"RoleArn"`
	Precedence  *int    `json:"Precedence"`
}

func (s *groupSpec) validate() *APIError {
	var v violations
	v.checkRequiredString("groupName", s.GroupName, 1, 128, &patGroupName)
	v.checkRequiredString("userPoolId", s.UserPoolId, 1, 55, &patUserPoolID)
	v.checkString("description", s.Description, 0, 2048, nil)
	v.checkString("roleArn", s.RoleArn, 20, 2048, &patARN)
	v.checkInt("precedence", s.Precedence, 0, 1<<31-1)
	return v.err()
}

func (s *groupSpec) model() map[string]any {
	m := map[string]any{"UserPoolId": *s.UserPoolId, "GroupName": *s.GroupName}
	if s.Description != nil {
		m["Description"] = *s.Description
	}
	if s.RoleArn != nil {
		m["RoleArn"] = *s.RoleArn
	}
	if s.Precedence != nil {
		m["Precedence"] = *s.Precedence
	}
	return m
}

func groupNotFound(string) *APIError {
	return resourceNotFound("Group not found.")
}

func createGroup(env handler.Env, tx handler.Tx, s *groupSpec) (map[string]any, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	poolID, name := *s.UserPoolId, *s.GroupName
	if _, err := loadPool(tx, poolID); err != nil {
		return nil, err
	}
	if _, found, err := loadSatellite(tx, typeGroup, poolID, name); err != nil {
		return nil, err
	} else if found {
		// moto's wording (reference A4); AWS's is not captured.
		return nil, apiErrorf(typeGroupExists, "A group with the name already exists")
	}
	n, err := tx.Count(typeGroup, poolID+"|")
	if err != nil {
		return nil, fmt.Errorf("count groups: %w", err)
	}
	if n >= MaxGroupsPerPool {
		return nil, apiErrorf(typeLimitExceeded, "The number of groups in user pool %s exceeds the limit of %d.", poolID, MaxGroupsPerPool)
	}
	m := s.model()
	return m, storeSatellite(env, tx, typeGroup, poolID, name, m)
}

// updateGroup replaces the group's description, role and precedence;
// omitted ones are cleared, as through CloudFormation.
func updateGroup(env handler.Env, tx handler.Tx, s *groupSpec) (map[string]any, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	poolID, name := *s.UserPoolId, *s.GroupName
	if _, err := loadPool(tx, poolID); err != nil {
		return nil, err
	}
	if _, found, err := loadSatellite(tx, typeGroup, poolID, name); err != nil {
		return nil, err
	} else if !found {
		return nil, groupNotFound(name)
	}
	m := s.model()
	return m, storeSatellite(env, tx, typeGroup, poolID, name, m)
}

func deleteGroup(tx handler.Tx, poolID, name string) error {
	if _, err := loadPool(tx, poolID); err != nil {
		return err
	}
	if _, found, err := loadSatellite(tx, typeGroup, poolID, name); err != nil {
		return err
	} else if !found {
		return groupNotFound(name)
	}
	if err := removeGroupMembers(tx, poolID, name); err != nil {
		return err
	}
	return removeSatellite(tx, typeGroup, poolID, name)
}

func groupToAPI(tx handler.Tx, m map[string]any) (map[string]any, error) {
	out := copyMap(m)
	ts, err := stamps(tx, typeGroup, fmt.Sprintf("%v|%v", m["UserPoolId"], m["GroupName"]))
	if err != nil {
		return nil, err
	}
	out["CreationDate"], out["LastModifiedDate"] = ts.CreationDate, ts.LastModifiedDate
	return out, nil
}

func wrapGroup(tx handler.Tx, m map[string]any) (any, error) {
	out, err := groupToAPI(tx, m)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Group": out}, nil
}

func opCreateGroup(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var s groupSpec
	if err := decodeBody(body, &s); err != nil {
		return nil, err
	}
	m, err := createGroup(env, tx, &s)
	if err != nil {
		return nil, err
	}
	return wrapGroup(tx, m)
}

// opUpdateGroup keeps the members the request omits (UpdateGroup's members
// are optional and documented as changes).
func opUpdateGroup(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var s groupSpec
	if err := decodeBody(body, &s); err != nil {
		return nil, err
	}
	if s.UserPoolId != nil && s.GroupName != nil {
		var cur groupSpec
		found, err := getJSON(tx, typeGroup, *s.UserPoolId+"|"+*s.GroupName, &cur)
		if err != nil {
			return nil, err
		}
		if found {
			s.Description = firstNonNil(s.Description, cur.Description)
			s.RoleArn = firstNonNil(s.RoleArn, cur.RoleArn)
			s.Precedence = firstNonNil(s.Precedence, cur.Precedence)
		}
	}
	m, err := updateGroup(env, tx, &s)
	if err != nil {
		return nil, err
	}
	return wrapGroup(tx, m)
}

func firstNonNil[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}

type groupKey struct {
	UserPoolId *string `json:"UserPoolId"`
	GroupName  *string `json:"GroupName"`
}

func (k *groupKey) load(tx handler.Tx) (map[string]any, error) {
	var v violations
	v.checkRequiredString("groupName", k.GroupName, 1, 128, &patGroupName)
	v.checkRequiredString("userPoolId", k.UserPoolId, 1, 55, &patUserPoolID)
	if err := v.err(); err != nil {
		return nil, err
	}
	if _, err := loadPool(tx, *k.UserPoolId); err != nil {
		return nil, err
	}
	m, found, err := loadSatellite(tx, typeGroup, *k.UserPoolId, *k.GroupName)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, groupNotFound(*k.GroupName)
	}
	return m, nil
}

func opGetGroup(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var k groupKey
	if err := decodeBody(body, &k); err != nil {
		return nil, err
	}
	m, err := k.load(tx)
	if err != nil {
		return nil, err
	}
	return wrapGroup(tx, m)
}

func opDeleteGroup(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var k groupKey
	if err := decodeBody(body, &k); err != nil {
		return nil, err
	}
	if _, err := k.load(tx); err != nil {
		return nil, err
	}
	if err := removeSatellite(tx, typeGroup, *k.UserPoolId, *k.GroupName); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opListGroups(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	items, next, err := listSatellites(tx, body, typeGroup, groupPage, func(_ string, m map[string]any) (map[string]any, error) {
		return groupToAPI(tx, m)
	})
	if err != nil {
		return nil, err
	}
	out := map[string]any{"Groups": items}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}
