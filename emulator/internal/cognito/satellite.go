package cognito

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// A satellite is a resource that lives inside a user pool and is identified
// by "<UserPoolId>|<key>": resource servers, identity providers, groups and
// domains. Each kind supplies its service functions (shared with its IdP
// operations); satelliteHandler adapts them to Cloud Control.
type satellite struct {
	typeName string
	keyProp  string // the second identifier property, e.g. "Identifier"
	// namePrefix, when set, generates a missing key in Prepare
	// ("<namePrefix>-" and 12 characters [0-9A-Z]), for types whose key is
	// optional in CloudFormation.
	namePrefix string
	listable   bool
	// create validates and stores a new model (UserPoolId and key set).
	create func(env handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error)
	// update replaces the stored model with desired (UserPoolId and key set).
	update func(env handler.Env, tx handler.Tx, desired map[string]any) (map[string]any, error)
	// remove deletes the model; it fails with a ResourceNotFound *APIError
	// when there is none.
	remove func(tx handler.Tx, poolID, key string) error
	// view returns the model as a read returns it (nil: the stored model).
	view func(map[string]any) map[string]any
}

// satelliteHandler serves one satellite type to Cloud Control.
type satelliteHandler struct{ s *satellite }

var _ handler.Handler = satelliteHandler{}

func (h satelliteHandler) TypeName() string { return h.s.typeName }

func (h satelliteHandler) Prepare(env handler.Env, desired map[string]any) (map[string]any, error) {
	if h.s.namePrefix == "" {
		return desired, nil
	}
	if k, _ := desired[h.s.keyProp].(string); k != "" {
		return desired, nil
	}
	name, err := generatedName(env.Rand, h.s.namePrefix)
	if err != nil {
		return nil, err
	}
	desired[h.s.keyProp] = name
	return desired, nil
}

func (h satelliteHandler) Create(_ context.Context, env handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error) {
	poolID, _ := model["UserPoolId"].(string)
	key, _ := model[h.s.keyProp].(string)
	id := poolID + "|" + key
	if _, err := tx.Get(h.s.typeName, id); err == nil {
		return nil, handler.Errorf(handler.AlreadyExists, "Resource of type '%s' with identifier '%s' already exists.", h.s.typeName, id)
	} else if !errors.Is(err, handler.ErrNotFound) {
		return nil, fmt.Errorf("get %s %s: %w", h.s.typeName, id, err)
	}
	m, err := h.s.create(env, tx, model)
	if err != nil {
		return nil, toHandlerError(env, err)
	}
	return h.readView(m)
}

func (h satelliteHandler) Read(_ context.Context, _ handler.Env, tx handler.Tx, identifier string) (map[string]any, error) {
	var m map[string]any
	found, err := getJSON(tx, h.s.typeName, identifier, &m)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, notFoundError(h.s.typeName, identifier)
	}
	return h.readView(m)
}

func (h satelliteHandler) Update(_ context.Context, env handler.Env, tx handler.Tx, identifier string, desired map[string]any) (map[string]any, error) {
	poolID, key, ok := strings.Cut(identifier, "|")
	if !ok {
		return nil, notFoundError(h.s.typeName, identifier)
	}
	if _, err := tx.Get(h.s.typeName, identifier); errors.Is(err, handler.ErrNotFound) {
		return nil, notFoundError(h.s.typeName, identifier)
	}
	desired["UserPoolId"], desired[h.s.keyProp] = poolID, key
	m, err := h.s.update(env, tx, desired)
	if isNotFound(err) {
		return nil, notFoundError(h.s.typeName, identifier)
	}
	if err != nil {
		return nil, toHandlerError(env, err)
	}
	return h.readView(m)
}

func (h satelliteHandler) Delete(_ context.Context, env handler.Env, tx handler.Tx, identifier string) error {
	poolID, key, ok := strings.Cut(identifier, "|")
	if !ok {
		return notFoundError(h.s.typeName, identifier)
	}
	if _, err := tx.Get(h.s.typeName, identifier); errors.Is(err, handler.ErrNotFound) {
		return notFoundError(h.s.typeName, identifier)
	}
	err := h.s.remove(tx, poolID, key)
	if isNotFound(err) {
		return notFoundError(h.s.typeName, identifier)
	}
	return toHandlerError(env, err)
}

// List returns {UserPoolId, <key>} for each resource of the resource
// model's pool; a missing pool fails with Cognito's not-found message.
func (h satelliteHandler) List(_ context.Context, env handler.Env, tx handler.Tx, resourceModel map[string]any) ([]map[string]any, error) {
	if !h.s.listable {
		return nil, handler.Errorf(handler.InvalidRequest, "Resource type %s does not support LIST action", h.s.typeName)
	}
	poolID, _ := resourceModel["UserPoolId"].(string)
	if _, err := loadPool(tx, poolID); err != nil {
		return nil, toHandlerError(env, err)
	}
	recs, err := tx.List(h.s.typeName, poolID+"|")
	if err != nil {
		return nil, fmt.Errorf("list %s of %s: %w", h.s.typeName, poolID, err)
	}
	out := make([]map[string]any, 0, len(recs))
	for _, r := range recs {
		_, key, _ := strings.Cut(r.Identifier, "|")
		out = append(out, map[string]any{"UserPoolId": poolID, h.s.keyProp: key})
	}
	return out, nil
}

func (h satelliteHandler) readView(m map[string]any) (map[string]any, error) {
	if h.s.view != nil {
		m = h.s.view(m)
	}
	return encodeModel(m)
}

// storeSatellite stores a satellite model under "<pool>|<key>" and records
// its modification time.
func storeSatellite(env handler.Env, tx handler.Tx, typeName, poolID, key string, model map[string]any) error {
	id := poolID + "|" + key
	if err := putJSON(tx, typeName, id, model); err != nil {
		return err
	}
	return touch(tx, typeName, id, env.Now)
}

// loadSatellite returns a stored satellite model, found false when absent.
func loadSatellite(tx handler.Tx, typeName, poolID, key string) (map[string]any, bool, error) {
	var m map[string]any
	found, err := getJSON(tx, typeName, poolID+"|"+key, &m)
	return m, found, err
}

// removeSatellite deletes a satellite model and its timestamps.
func removeSatellite(tx handler.Tx, typeName, poolID, key string) error {
	id := poolID + "|" + key
	if err := tx.Delete(typeName, id); err != nil {
		return fmt.Errorf("delete %s %s: %w", typeName, id, err)
	}
	return forgetStamps(tx, typeName, id)
}
