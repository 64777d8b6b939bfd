package cognito

import (
	"context"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// The Cloud Control types of users, over the same state as the IdP API.
const (
	typeUserPoolUser = "AWS::Cognito::UserPoolUser"
	typeUserToGroup  = "AWS::Cognito::UserPoolUserToGroupAttachment"
)

// userHandler serves AWS::Cognito::UserPoolUser: a create is
// AdminCreateUser (temporary password generated, invitation in the outbox
// unless MessageAction is SUPPRESS), a read AdminGetUser, a delete
// AdminDeleteUser, a list ListUsers. Every property is create-only, so
// the core refuses updates before they reach the handler.
type userHandler struct{}

var _ handler.Handler = userHandler{}

func (userHandler) TypeName() string { return typeUserPoolUser }

// Prepare names a user created without Username with a UUID, since the
// name is part of the identifier (the pool's own naming, for pools whose
// UsernameAttributes make Cognito generate the name, is not known before
// Create reads the pool).
func (userHandler) Prepare(env handler.Env, desired map[string]any) (map[string]any, error) {
	if s, _ := desired["Username"].(string); s == "" {
		desired["Username"] = requestID(env.Rand)
	}
	return desired, nil
}

func (userHandler) Create(_ context.Context, env handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error) {
	var in adminCreateUserInput
	if err := decodeModel(model, &in); err != nil {
		return nil, err
	}
	u, err := adminCreateUser(env, tx, &in)
	if err != nil {
		return nil, toHandlerError(env, err)
	}
	return userModel(deref(in.UserPoolId, ""), deref(in.Username, ""), u), nil
}

// userModel is the read model: the identifier as created, and the user's
// attributes as AdminGetUser lists them.
func userModel(poolID, name string, u *user) map[string]any {
	attrs := make([]any, 0, len(u.Attributes))
	for _, a := range userAttributesOut(u, nil) {
		attrs = append(attrs, map[string]any{"Name": a["Name"], "Value": a["Value"]})
	}
	return map[string]any{"UserPoolId": poolID, "Username": name, "UserAttributes": attrs}
}

// splitUserIdentifier splits "<poolId>|<username>" (a user name may itself
// contain "|"; a pool id never does).
func splitUserIdentifier(identifier string) (poolID, name string, ok bool) {
	poolID, name, ok = strings.Cut(identifier, "|")
	return poolID, name, ok && poolID != "" && name != ""
}

// lookupUser finds the user of a Cloud Control identifier, or Cloud
// Control's not-found error for typeName.
func lookupUser(tx handler.Tx, typeName, identifier, poolID, name string) (*poolConfig, *user, error) {
	cfg, err := loadPoolConfig(tx, poolID)
	if isNotFound(err) {
		return nil, nil, notFoundError(typeName, identifier)
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := findUser(tx, cfg, name)
	if err != nil {
		return nil, nil, err
	}
	if u == nil {
		return nil, nil, notFoundError(typeName, identifier)
	}
	return cfg, u, nil
}

func (userHandler) Read(_ context.Context, _ handler.Env, tx handler.Tx, identifier string) (map[string]any, error) {
	poolID, name, ok := splitUserIdentifier(identifier)
	if !ok {
		return nil, notFoundError(typeUserPoolUser, identifier)
	}
	_, u, err := lookupUser(tx, typeUserPoolUser, identifier, poolID, name)
	if err != nil {
		return nil, err
	}
	return userModel(poolID, name, u), nil
}

func (userHandler) Update(_ context.Context, _ handler.Env, _ handler.Tx, _ string, _ map[string]any) (map[string]any, error) {
	return nil, handler.Errorf(handler.NotUpdatable, "Resource type %s does not support UPDATE action", typeUserPoolUser)
}

func (userHandler) Delete(_ context.Context, _ handler.Env, tx handler.Tx, identifier string) error {
	poolID, name, ok := splitUserIdentifier(identifier)
	if !ok {
		return notFoundError(typeUserPoolUser, identifier)
	}
	cfg, u, err := lookupUser(tx, typeUserPoolUser, identifier, poolID, name)
	if err != nil {
		return err
	}
	return removeUser(tx, cfg, u)
}

// List returns {UserPoolId, Username} for every user of the resource
// model's pool.
func (userHandler) List(_ context.Context, env handler.Env, tx handler.Tx, resourceModel map[string]any) ([]map[string]any, error) {
	poolID, _ := resourceModel["UserPoolId"].(string)
	if _, err := loadPool(tx, poolID); err != nil {
		return nil, toHandlerError(env, err)
	}
	users, err := listUsers(tx, poolID)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(users))
	for _, u := range users {
		out = append(out, map[string]any{"UserPoolId": poolID, "Username": u.Username})
	}
	return out, nil
}

// groupAttachmentHandler serves AWS::Cognito::UserPoolUserToGroupAttachment
// (AdminAddUserToGroup / AdminRemoveUserFromGroup); its identifier is
// "<poolId>|<groupName>|<username>".
type groupAttachmentHandler struct{}

var _ handler.Handler = groupAttachmentHandler{}

func (groupAttachmentHandler) TypeName() string { return typeUserToGroup }

func (groupAttachmentHandler) Prepare(_ handler.Env, desired map[string]any) (map[string]any, error) {
	return desired, nil
}

func (groupAttachmentHandler) Create(_ context.Context, env handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error) {
	var in groupMemberInput
	if err := decodeModel(model, &in); err != nil {
		return nil, err
	}
	var v violations
	in.check(&v)
	in.checkGroup(&v)
	if err := v.err(); err != nil {
		return nil, toHandlerError(env, err)
	}
	cfg, err := loadPoolConfig(tx, *in.UserPoolId)
	if err != nil {
		return nil, toHandlerError(env, err)
	}
	u, err := getUser(tx, cfg, *in.Username)
	if err != nil {
		return nil, toHandlerError(env, err)
	}
	if u.inGroup(*in.GroupName) {
		// AdminAddUserToGroup is idempotent; the resource is not.
		return nil, handler.Errorf(handler.AlreadyExists, "Resource of type '%s' with identifier '%s|%s|%s' already exists.",
			typeUserToGroup, *in.UserPoolId, *in.GroupName, *in.Username)
	}
	if err := addUserToGroup(env, tx, cfg, u, *in.GroupName); err != nil {
		return nil, toHandlerError(env, err)
	}
	return map[string]any{"UserPoolId": *in.UserPoolId, "GroupName": *in.GroupName, "Username": *in.Username}, nil
}

// splitAttachmentIdentifier splits "<poolId>|<group>|<username>" at the
// first two "|" (a group name containing "|" is not addressable this way).
func splitAttachmentIdentifier(identifier string) (poolID, group, name string, ok bool) {
	poolID, rest, ok1 := strings.Cut(identifier, "|")
	group, name, ok2 := strings.Cut(rest, "|")
	return poolID, group, name, ok1 && ok2 && poolID != "" && group != "" && name != ""
}

// member returns the attachment's user when it is in the group.
func (groupAttachmentHandler) member(tx handler.Tx, identifier string) (*poolConfig, *user, string, error) {
	poolID, group, name, ok := splitAttachmentIdentifier(identifier)
	if !ok {
		return nil, nil, "", notFoundError(typeUserToGroup, identifier)
	}
	cfg, u, err := lookupUser(tx, typeUserToGroup, identifier, poolID, name)
	if err != nil {
		return nil, nil, "", err
	}
	if !u.inGroup(group) {
		return nil, nil, "", notFoundError(typeUserToGroup, identifier)
	}
	return cfg, u, group, nil
}

func (h groupAttachmentHandler) Read(_ context.Context, _ handler.Env, tx handler.Tx, identifier string) (map[string]any, error) {
	if _, _, _, err := h.member(tx, identifier); err != nil {
		return nil, err
	}
	poolID, group, name, _ := splitAttachmentIdentifier(identifier)
	return map[string]any{"UserPoolId": poolID, "GroupName": group, "Username": name}, nil
}

func (groupAttachmentHandler) Update(_ context.Context, _ handler.Env, _ handler.Tx, _ string, _ map[string]any) (map[string]any, error) {
	return nil, handler.Errorf(handler.NotUpdatable, "Resource type %s does not support UPDATE action", typeUserToGroup)
}

func (h groupAttachmentHandler) Delete(_ context.Context, env handler.Env, tx handler.Tx, identifier string) error {
	cfg, u, group, err := h.member(tx, identifier)
	if err != nil {
		return err
	}
	u.Groups = removeString(u.Groups, group)
	return saveUser(env, tx, cfg, u)
}

func (groupAttachmentHandler) List(context.Context, handler.Env, handler.Tx, map[string]any) ([]map[string]any, error) {
	return nil, handler.Errorf(handler.InvalidRequest, "Resource type %s does not support LIST action", typeUserToGroup)
}
