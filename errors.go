package ccql

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by the Engine wrap one of them (or are a
// *ServiceError), so callers branch with errors.Is / errors.As: the CLI picks
// its exit code and hint, the PostgreSQL server its SQLSTATE.
var (
	ErrSyntax          = errors.New("syntax error")     // the statement does not parse
	ErrUnknownResource = errors.New("unknown resource") // provider.service.resource not in the catalog
	ErrUnknownColumn   = errors.New("unknown column")   // a column or property the resource does not have
	ErrMissingKey      = errors.New("missing key")      // a required key column (region, Identifier, …) is not bound
	ErrTemplate        = errors.New("template error")   // a {{ … }} template failed to render
	ErrUnsupported     = errors.New("not supported")    // valid SQL that ccql does not do (yet)
	ErrTimeout         = errors.New("await timed out")  // an awaited request did not finish in time
	ErrRequestFailed   = errors.New("request failed")   // an awaited request ended FAILED (with FailOnFailed)
)

// ServiceError is an error answered by Cloud Control (or the emulator): the
// AWS error code and message, with the operation that got it.
type ServiceError struct {
	Operation string // e.g. "GetResource"
	Code      string // e.g. "ResourceNotFoundException"
	Message   string
	Status    int // HTTP status when known, else 0
}

// Error implements error.
func (e *ServiceError) Error() string {
	return fmt.Sprintf("%s: %s: %s", e.Operation, e.Code, e.Message)
}
