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
	ErrInvalidValue    = errors.New("invalid value")    // a value that does not fit its column's schema type, or a bad argument
	ErrReadOnly        = errors.New("read-only column") // a column the service sets (readOnlyProperties), given a value
	ErrMissingKey      = errors.New("missing key")      // a required key column (region, Identifier, …) is not bound
	ErrTemplate        = errors.New("template error")   // a {{ … }} template failed to render
	ErrUnsupported     = errors.New("not supported")    // valid SQL that ccql does not do (yet)
	ErrTimeout         = errors.New("await timed out")  // an awaited request did not finish in time
	ErrRequestFailed   = errors.New("request failed")   // a request ended FAILED or CANCEL_COMPLETE (see RequestError)
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

// RequestError is the failure of one request of a mutation: refused when
// sent (Err is then a *ServiceError), ended FAILED or CANCEL_COMPLETE
// (Err is ErrRequestFailed, Code and Message are the event's ErrorCode and
// StatusMessage), or not finished when awaiting timed out (ErrTimeout).
type RequestError struct {
	Index        int    // 0-based position of the request in the statement's plan
	Operation    string // CreateResource, UpdateResource, DeleteResource
	TypeName     string
	Identifier   string // "" when the service had not assigned one
	RequestToken string // "" when the request was refused when sent
	Status       string // the last OperationStatus seen, "" when refused
	Code         string // the AWS error code
	Message      string
	Err          error
}

// Error implements error: the request, its AWS error code and message.
func (e *RequestError) Error() string {
	what := e.Operation + " " + e.TypeName
	if e.Identifier != "" {
		what += " " + e.Identifier
	}
	if e.RequestToken != "" {
		what += " (request " + e.RequestToken + ")"
	}
	if e.Status != "" && e.Code != "" {
		return fmt.Sprintf("request %d: %s: %s %s: %s", e.Index+1, what, e.Status, e.Code, e.Message)
	}
	if e.Code != "" {
		return fmt.Sprintf("request %d: %s: %s: %s", e.Index+1, what, e.Code, e.Message)
	}
	return fmt.Sprintf("request %d: %s: %v", e.Index+1, what, e.Err)
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *RequestError) Unwrap() error { return e.Err }
