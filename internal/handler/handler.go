// Package handler is the contract between the emulator's Cloud Control core
// and the resource handlers behind it (the hand-written Cognito family, the
// generic schema-driven handler).
//
// The core owns the protocol: request validation against the schema, the
// request ledger, idempotency, patching and the asynchronous state machine.
// A handler owns the service: its rules, its defaults, its generated ids and
// its stored models. Handlers read and write state only through Tx, which the
// core opens as one store transaction scoped to one account and region, so a
// handler never sees another partition and never commits on its own.
package handler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// Env is what a handler knows about the call it serves.
type Env struct {
	Account string    // 12 digits; "000000000000" when unknown
	Region  string    // e.g. "us-east-1"
	Now     time.Time // the request's clock; tests fix it
	Rand    io.Reader // source for generated ids and secrets (crypto/rand by default)
}

// Record is one stored model and the Cloud Control identifier it is kept under.
type Record struct {
	Identifier string          // primary identifier string, compound parts joined by "|"
	Model      json.RawMessage // the full stored model, write-only properties included
}

// Tx is a handler's view of one account and region inside a store
// transaction. Models are kept per type name under their Cloud Control
// identifier; handlers may also keep private state under type names of their
// own (for example "ccql::Cognito::SigningKey").
type Tx interface {
	// Get returns the model stored under identifier, or ErrNotFound.
	Get(typeName, identifier string) (json.RawMessage, error)
	// Put stores model under identifier, replacing any previous one.
	Put(typeName, identifier string, model json.RawMessage) error
	// Delete removes the model; deleting a missing one returns ErrNotFound.
	Delete(typeName, identifier string) error
	// List returns the models of typeName whose identifier starts with
	// prefix ("" for all), ordered by identifier.
	List(typeName, prefix string) ([]Record, error)
	// Count returns how many models List(typeName, prefix) would return.
	Count(typeName, prefix string) (int, error)
}

// TxPager is an optional capability of a Tx (the store's has it): one page
// of a type's models in identifier order, read from the index, so that a
// page costs O(page) whatever the number of models.
type TxPager interface {
	// ListAfter returns up to limit models of typeName whose identifier
	// starts with prefix and sorts after after ("" = from the first),
	// ordered by identifier (bytewise).
	ListAfter(typeName, prefix, after string, limit int) ([]Record, error)
}

// Pager is an optional capability of a Handler: listing one page with a
// key-set cursor instead of every model. The core uses it when a handler
// has it and pages the full List otherwise.
type Pager interface {
	// ListPage returns up to limit of the models List would return for
	// resourceModel whose identifiers sort after after ("" = from the
	// first), in identifier order (bytewise).
	ListPage(ctx context.Context, env Env, tx Tx, resourceModel map[string]any, after string, limit int) ([]map[string]any, error)
}

// Handler serves one resource type. Models are JSON objects decoded into
// map[string]any (numbers as json.Number is not assumed: float64 or int are
// both accepted by handlers). A returned *Error fails the request with its
// HandlerErrorCode; any other error is an internal failure.
type Handler interface {
	// TypeName is the CloudFormation type name, e.g. "AWS::Cognito::UserPoolClient".
	TypeName() string
	// Prepare runs synchronously when a create is accepted, before it is
	// acknowledged: it fills the generated read-only identifier properties
	// into desired so that the first ProgressEvent carries the Identifier.
	// It must not read or write state and must not fail on service rules.
	Prepare(env Env, desired map[string]any) (map[string]any, error)
	// Create applies the service's rules and defaults to the prepared model,
	// stores it, and returns the model as a read would.
	Create(ctx context.Context, env Env, tx Tx, model map[string]any) (map[string]any, error)
	// Read returns the current model of identifier, or an *Error with code NotFound.
	Read(ctx context.Context, env Env, tx Tx, identifier string) (map[string]any, error)
	// Update replaces the resource with desired (the current model with the
	// patch applied; read-only properties as they were), as the service's
	// update does: omitted properties return to their defaults.
	Update(ctx context.Context, env Env, tx Tx, identifier string, desired map[string]any) (map[string]any, error)
	// Delete removes the resource and whatever the service removes with it.
	Delete(ctx context.Context, env Env, tx Tx, identifier string) error
	// List returns the models the list handler returns for resourceModel
	// (already checked against the list handler's required properties).
	List(ctx context.Context, env Env, tx Tx, resourceModel map[string]any) ([]map[string]any, error)
}

// ErrNotFound is returned by Tx when no model is stored under an identifier.
var ErrNotFound = errors.New("not found")

// ErrReadOnly is returned (possibly wrapped) by Tx's writes in a read-only
// transaction, so that a handler can tell "cannot write here" (and skip
// an optional write, such as backfilling an index) from a failure.
var ErrReadOnly = errors.New("store: write in a read-only transaction")

// Code is a Cloud Control HandlerErrorCode.
type Code string

// The HandlerErrorCodes of Cloud Control's ProgressEvent.
const (
	NotUpdatable                 Code = "NotUpdatable"
	InvalidRequest               Code = "InvalidRequest"
	AccessDenied                 Code = "AccessDenied"
	UnauthorizedTaggingOperation Code = "UnauthorizedTaggingOperation"
	InvalidCredentials           Code = "InvalidCredentials"
	AlreadyExists                Code = "AlreadyExists"
	NotFound                     Code = "NotFound"
	ResourceConflict             Code = "ResourceConflict"
	Throttling                   Code = "Throttling"
	ServiceLimitExceeded         Code = "ServiceLimitExceeded"
	NotStabilized                Code = "NotStabilized"
	GeneralServiceException      Code = "GeneralServiceException"
	ServiceInternalError         Code = "ServiceInternalError"
	ServiceTimeout               Code = "ServiceTimeout"
	NetworkFailure               Code = "NetworkFailure"
	InternalFailure              Code = "InternalFailure"
)

// Error is a handler failure: the request ends FAILED with Code as its
// ErrorCode and Message as its StatusMessage.
type Error struct {
	Code    Code
	Message string
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
