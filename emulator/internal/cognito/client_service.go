package cognito

import (
	"fmt"

	"github.com/ccql/ccql/internal/handler"
)

// This file holds the app client operations both front doors share: the
// Cloud Control handler and the IdP API call the same functions, so each
// Cognito rule has exactly one implementation. Errors are *APIError for
// Cognito failures; the callers translate them for their protocol.

// createClient creates an app client from a CreateUserPoolClient-shaped
// request. clientID is the id to use (Cloud Control generates it in
// Prepare); "" generates one.
func createClient(env handler.Env, tx handler.Tx, s *clientSpec, clientID string) (*clientModel, error) {
	if err := validateClientShape(s, true, false); err != nil {
		return nil, err
	}
	poolID := *s.UserPoolId
	pool, err := loadPool(tx, poolID)
	if err != nil {
		return nil, err
	}
	if deref(s.GenerateSecret, false) && s.ClientSecret != nil {
		return nil, invalidParameter("You cannot specify both GenerateSecret as true and provide a ClientSecret value.")
	}
	if clientID == "" {
		if clientID, err = newClientID(env.Rand); err != nil {
			return nil, err
		}
	}
	m := &clientModel{
		UserPoolId:     poolID,
		ClientName:     *s.ClientName,
		Name:           *s.ClientName,
		ClientId:       clientID,
		GenerateSecret: s.GenerateSecret,
	}
	switch {
	case s.ClientSecret != nil:
		m.ClientSecret = *s.ClientSecret
	case deref(s.GenerateSecret, false):
		if m.ClientSecret, err = newClientSecret(env.Rand); err != nil {
			return nil, err
		}
	}
	applyClientSpec(m, s)
	if err := checkClientRules(tx, poolID, pool, m); err != nil {
		return nil, err
	}
	n, err := tx.Count(typeUserPoolClient, poolID+"|")
	if err != nil {
		return nil, fmt.Errorf("count clients of %s: %w", poolID, err)
	}
	if n >= MaxClientsPerPool {
		// The quota is documented; this wording is not evidenced on AWS.
		return nil, apiErrorf(typeLimitExceeded, "The number of app clients in user pool %s exceeds the limit of %d.", poolID, MaxClientsPerPool)
	}
	if _, err := tx.Get(typeUserPoolClient, clientKey(poolID, clientID)); err == nil {
		return nil, handler.Errorf(handler.AlreadyExists, "Resource of type '%s' with identifier '%s' already exists.",
			typeUserPoolClient, clientKey(poolID, clientID))
	}
	// The index must be complete before its first entry (client_index.go).
	if err := ensureClientIndex(tx); err != nil {
		return nil, err
	}
	if err := saveClient(env, tx, m); err != nil {
		return nil, err
	}
	if err := indexClient(tx, poolID, clientID); err != nil {
		return nil, err
	}
	return m, nil
}

// updateClient replaces an app client's configuration from an
// UpdateUserPoolClient-shaped request: omitted members return to their
// defaults; the id, the secret and GenerateSecret are kept, and so is the
// name when the request gives none.
func updateClient(env handler.Env, tx handler.Tx, s *clientSpec) (*clientModel, error) {
	if err := validateClientShape(s, false, true); err != nil {
		return nil, err
	}
	poolID := *s.UserPoolId
	pool, err := loadPool(tx, poolID)
	if err != nil {
		return nil, err
	}
	m, err := loadClient(tx, poolID, *s.ClientId)
	if err != nil {
		return nil, err
	}
	if s.ClientName != nil {
		m.ClientName, m.Name = *s.ClientName, *s.ClientName
	}
	applyClientSpec(m, s)
	if err := checkClientRules(tx, poolID, pool, m); err != nil {
		return nil, err
	}
	if err := saveClient(env, tx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// deleteClient removes an app client.
func deleteClient(tx handler.Tx, poolID, clientID string) error {
	if _, err := loadPool(tx, poolID); err != nil {
		return err
	}
	if _, err := loadClient(tx, poolID, clientID); err != nil {
		return err
	}
	if err := forgetClientSettings(tx, poolID, clientID); err != nil {
		return err
	}
	return removeClient(tx, clientKey(poolID, clientID))
}

func removeClient(tx handler.Tx, key string) error {
	if err := tx.Delete(typeUserPoolClient, key); err != nil {
		return fmt.Errorf("delete client %s: %w", key, err)
	}
	if poolID, clientID, ok := splitClientIdentifier(key); ok {
		if err := unindexClient(tx, poolID, clientID); err != nil {
			return err
		}
	}
	return forgetStamps(tx, typeUserPoolClient, key)
}

// loadClient returns a stored client or Cognito's not-found error.
func loadClient(tx handler.Tx, poolID, clientID string) (*clientModel, error) {
	var m clientModel
	found, err := getJSON(tx, typeUserPoolClient, clientKey(poolID, clientID), &m)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, clientNotFound(clientID)
	}
	if err := attachSecrets(tx, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

func saveClient(env handler.Env, tx handler.Tx, m *clientModel) error {
	key := clientKey(m.UserPoolId, m.ClientId)
	if err := putJSON(tx, typeUserPoolClient, key, m); err != nil {
		return err
	}
	return touch(tx, typeUserPoolClient, key, env.Now)
}
