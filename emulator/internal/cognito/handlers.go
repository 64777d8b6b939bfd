package cognito

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/schema"
)

// Handlers returns the Cloud Control handlers of the Cognito family:
// UserPool, UserPoolClient, UserPoolResourceServer,
// UserPoolIdentityProvider, UserPoolGroup, UserPoolDomain, UserPoolUser and
// UserPoolUserToGroupAttachment. The registry
// is accepted so that members of the family can consult their schemas; the
// current handlers need nothing from it beyond what the core already
// enforced.
func Handlers(reg *schema.Registry) []handler.Handler {
	_ = reg
	return []handler.Handler{
		poolHandler{},
		clientHandler{},
		satelliteHandler{resourceServers},
		satelliteHandler{identityProviders},
		satelliteHandler{groups},
		satelliteHandler{domains},
		riskHandler{}, uiHandler{}, brandingHandler{}, logDeliveryHandler{}, termsHandler{}, // settings_handlers.go
		userHandler{},
		groupAttachmentHandler{},
		replicaHandler{}, regionalConfigHandler{},
	}
}

var (
	_ handler.Handler = poolHandler{}
	_ handler.Handler = clientHandler{}
)

// poolHandler serves AWS::Cognito::UserPool.
type poolHandler struct{}

func (poolHandler) TypeName() string { return typeUserPool }

// Prepare generates the pool id, "<region>_" and 9 alphanumerics.
func (poolHandler) Prepare(env handler.Env, desired map[string]any) (map[string]any, error) {
	if id, _ := desired["UserPoolId"].(string); id != "" {
		return desired, nil
	}
	id, err := newPoolID(env.Rand, env.Region)
	if err != nil {
		return nil, err
	}
	desired["UserPoolId"] = id
	return desired, nil
}

func (poolHandler) Create(_ context.Context, env handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error) {
	m, err := createPool(env, tx, model)
	if err != nil {
		return nil, toHandlerError(env, err)
	}
	return encodeModel(m) // as a read returns it: JSON numbers, fresh maps
}

func (poolHandler) Read(_ context.Context, _ handler.Env, tx handler.Tx, identifier string) (map[string]any, error) {
	m, err := loadPool(tx, identifier)
	if isNotFound(err) {
		return nil, notFoundError(typeUserPool, identifier)
	}
	return m, err
}

func (poolHandler) Update(_ context.Context, env handler.Env, tx handler.Tx, identifier string, desired map[string]any) (map[string]any, error) {
	m, err := updatePool(env, tx, identifier, desired)
	if isNotFound(err) {
		return nil, notFoundError(typeUserPool, identifier)
	}
	if err != nil {
		return nil, toHandlerError(env, err)
	}
	return encodeModel(m)
}

func (poolHandler) Delete(_ context.Context, env handler.Env, tx handler.Tx, identifier string) error {
	err := deletePool(tx, identifier)
	if isNotFound(err) {
		return notFoundError(typeUserPool, identifier)
	}
	return toHandlerError(env, err)
}

// List returns every pool of the partition as {UserPoolId}; the list
// handler needs no resource model.
func (poolHandler) List(_ context.Context, _ handler.Env, tx handler.Tx, _ map[string]any) ([]map[string]any, error) {
	recs, err := tx.List(typeUserPool, "")
	if err != nil {
		return nil, fmt.Errorf("list user pools: %w", err)
	}
	out := make([]map[string]any, 0, len(recs))
	for _, r := range recs {
		out = append(out, map[string]any{"UserPoolId": r.Identifier})
	}
	return out, nil
}

// clientHandler serves AWS::Cognito::UserPoolClient.
type clientHandler struct{}

func (clientHandler) TypeName() string { return typeUserPoolClient }

// Prepare generates the client id, 26 lowercase alphanumerics.
func (clientHandler) Prepare(env handler.Env, desired map[string]any) (map[string]any, error) {
	if id, _ := desired["ClientId"].(string); id != "" {
		return desired, nil
	}
	id, err := newClientID(env.Rand)
	if err != nil {
		return nil, err
	}
	desired["ClientId"] = id
	return desired, nil
}

// Create creates the client with the prepared id. Without a ClientName the
// client gets a generated one, "UserPoolClient-" and 12 uppercase
// alphanumerics, as CloudFormation names resources it names itself.
func (clientHandler) Create(_ context.Context, env handler.Env, tx handler.Tx, model map[string]any) (map[string]any, error) {
	var s clientSpec
	if err := decodeModel(model, &s); err != nil {
		return nil, err
	}
	s.ClientSecret = nil // read-only in CloudFormation: only GenerateSecret makes one
	if s.ClientName == nil {
		name, err := generatedName(env.Rand, "UserPoolClient")
		if err != nil {
			return nil, err
		}
		s.ClientName = &name
	}
	clientID := deref(s.ClientId, "")
	s.ClientId = nil
	m, err := createClient(env, tx, &s, clientID)
	if err != nil {
		return nil, toHandlerError(env, err)
	}
	return encodeModel(m)
}

func (clientHandler) Read(_ context.Context, _ handler.Env, tx handler.Tx, identifier string) (map[string]any, error) {
	poolID, clientID, ok := splitClientIdentifier(identifier)
	if !ok {
		return nil, notFoundError(typeUserPoolClient, identifier)
	}
	m, err := loadClient(tx, poolID, clientID)
	if isNotFound(err) {
		return nil, notFoundError(typeUserPoolClient, identifier)
	}
	if err != nil {
		return nil, err
	}
	return encodeModel(m)
}

// Update replaces the client with desired. The identity comes from the
// identifier and the secret and GenerateSecret from the stored client; the
// read-only properties in desired are ignored.
func (clientHandler) Update(_ context.Context, env handler.Env, tx handler.Tx, identifier string, desired map[string]any) (map[string]any, error) {
	poolID, clientID, ok := splitClientIdentifier(identifier)
	if !ok {
		return nil, notFoundError(typeUserPoolClient, identifier)
	}
	var s clientSpec
	if err := decodeModel(desired, &s); err != nil {
		return nil, err
	}
	s.UserPoolId, s.ClientId = &poolID, &clientID
	s.ClientSecret, s.GenerateSecret = nil, nil
	m, err := updateClient(env, tx, &s)
	if isNotFound(err) {
		return nil, notFoundError(typeUserPoolClient, identifier)
	}
	if err != nil {
		return nil, toHandlerError(env, err)
	}
	return encodeModel(m)
}

func (clientHandler) Delete(_ context.Context, env handler.Env, tx handler.Tx, identifier string) error {
	poolID, clientID, ok := splitClientIdentifier(identifier)
	if !ok {
		return notFoundError(typeUserPoolClient, identifier)
	}
	err := deleteClient(tx, poolID, clientID)
	if isNotFound(err) {
		return notFoundError(typeUserPoolClient, identifier)
	}
	return toHandlerError(env, err)
}

// List returns the clients of resourceModel's UserPoolId as
// {UserPoolId, ClientId}, which is what ListUserPoolClients lets the list
// handler know. A missing pool fails with Cognito's not-found message.
func (clientHandler) List(_ context.Context, env handler.Env, tx handler.Tx, resourceModel map[string]any) ([]map[string]any, error) {
	poolID, _ := resourceModel["UserPoolId"].(string)
	if _, err := loadPool(tx, poolID); err != nil {
		return nil, toHandlerError(env, err)
	}
	// The list handler returns only the identifier properties, which the
	// keys already hold: no model needs decoding, so listing a pool's
	// 1,000 clients page after page stays cheap.
	recs, err := tx.List(typeUserPoolClient, poolID+"|")
	if err != nil {
		return nil, toHandlerError(env, fmt.Errorf("list clients of %s: %w", poolID, err))
	}
	out := make([]map[string]any, 0, len(recs))
	for _, r := range recs {
		if p, c, ok := splitClientIdentifier(r.Identifier); ok {
			out = append(out, map[string]any{"UserPoolId": p, "ClientId": c})
		}
	}
	return out, nil
}

// splitClientIdentifier splits "<poolId>|<clientId>".
func splitClientIdentifier(identifier string) (poolID, clientID string, ok bool) {
	poolID, clientID, ok = strings.Cut(identifier, "|")
	return poolID, clientID, ok && poolID != "" && clientID != ""
}

// isNotFound reports a Cognito ResourceNotFoundException.
func isNotFound(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Type == typeResourceNotFound
}
