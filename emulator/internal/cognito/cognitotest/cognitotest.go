// Package cognitotest provides test helpers for code that drives the
// Cognito handlers and IdP operations before (or without) the emulator core:
// an in-memory handler.Tx and an http.Handler that serves the IdP API's
// JSON 1.1 protocol over it, enough for the real aws-sdk-go-v2
// cognitoidentityprovider client.
package cognitotest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/handler"
)

// Tx is an in-memory handler.Tx: one map per type name. It is not safe for
// concurrent use on its own; Server serialises the operations it runs.
type Tx struct {
	models map[string]map[string]json.RawMessage
}

var _ handler.Tx = (*Tx)(nil)

// NewTx returns an empty Tx.
func NewTx() *Tx { return &Tx{models: map[string]map[string]json.RawMessage{}} }

// Get returns the model stored under identifier, or handler.ErrNotFound.
func (t *Tx) Get(typeName, identifier string) (json.RawMessage, error) {
	m, ok := t.models[typeName][identifier]
	if !ok {
		return nil, handler.ErrNotFound
	}
	return append(json.RawMessage(nil), m...), nil
}

// Put stores a copy of model under identifier.
func (t *Tx) Put(typeName, identifier string, model json.RawMessage) error {
	if !json.Valid(model) {
		return errors.New("cognitotest: put invalid JSON")
	}
	if t.models[typeName] == nil {
		t.models[typeName] = map[string]json.RawMessage{}
	}
	t.models[typeName][identifier] = append(json.RawMessage(nil), model...)
	return nil
}

// Delete removes a model; a missing one is handler.ErrNotFound.
func (t *Tx) Delete(typeName, identifier string) error {
	if _, ok := t.models[typeName][identifier]; !ok {
		return handler.ErrNotFound
	}
	delete(t.models[typeName], identifier)
	return nil
}

// List returns the models whose identifier starts with prefix, ordered by identifier.
func (t *Tx) List(typeName, prefix string) ([]handler.Record, error) {
	var out []handler.Record
	for id, m := range t.models[typeName] {
		if strings.HasPrefix(id, prefix) {
			out = append(out, handler.Record{Identifier: id, Model: append(json.RawMessage(nil), m...)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Identifier < out[j].Identifier })
	return out, nil
}

// Count returns how many models List would return.
func (t *Tx) Count(typeName, prefix string) (int, error) {
	n := 0
	for id := range t.models[typeName] {
		if strings.HasPrefix(id, prefix) {
			n++
		}
	}
	return n, nil
}

// TargetPrefix is the X-Amz-Target prefix of the IdP API.
const TargetPrefix = "AWSCognitoIdentityProviderService."

// Server serves cognito.Operations over one Tx with the JSON 1.1 protocol:
// X-Amz-Target dispatch, {"__type","message"} error bodies. Signatures are
// not checked. It is a test double for the emulator's real server.
type Server struct {
	mu  sync.Mutex
	Tx  *Tx
	Env handler.Env // Now is refreshed per request when Clock is set
	// Clock, when set, gives each request's Env.Now.
	Clock func() time.Time
	ops   map[string]cognito.Operation
}

// NewServer returns a Server over a fresh Tx for the given region, with a
// fixed account.
func NewServer(region string) *Server {
	return &Server{
		Tx:    NewTx(),
		Env:   handler.Env{Account: "123456789012", Region: region},
		Clock: time.Now,
		ops:   cognito.Operations(),
	}
}

// ServeHTTP runs one operation.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	op := s.ops[name]
	if !ok || op == nil {
		writeError(w, &cognito.APIError{Type: "UnknownOperationException", Message: "Unknown operation " + name, Status: http.StatusBadRequest})
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, &cognito.APIError{Type: "SerializationException", Message: err.Error(), Status: http.StatusBadRequest})
		return
	}
	s.mu.Lock()
	env := s.Env
	if s.Clock != nil {
		env.Now = s.Clock()
	}
	out, err := op(context.Background(), env, s.Tx, body)
	s.mu.Unlock()
	if err != nil {
		var apiErr *cognito.APIError
		if !errors.As(err, &apiErr) {
			apiErr = &cognito.APIError{Type: "InternalErrorException", Message: "Internal error", Status: http.StatusInternalServerError}
		}
		writeError(w, apiErr)
		return
	}
	raw, err := json.Marshal(out)
	if err != nil {
		writeError(w, &cognito.APIError{Type: "InternalErrorException", Message: "Internal error", Status: http.StatusInternalServerError})
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_, _ = w.Write(raw)
}

func writeError(w http.ResponseWriter, e *cognito.APIError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.Type)
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Type, "message": e.Message})
}
