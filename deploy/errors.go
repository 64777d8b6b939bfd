package deploy

import (
	"errors"
	"fmt"
)

// Errors a caller can branch on with errors.Is; every error of a run is an
// *Error wrapping one of these or the Querier's own error.
var (
	ErrNotDesired    = errors.New("not in the desired state")  // statecheck still false after its attempts
	ErrTestFailed    = errors.New("test failed")               // test: a resource is missing or not in the desired state
	ErrNotDeleted    = errors.New("still exists after delete") // teardown: exists still true after its attempts
	ErrExports       = errors.New("bad exports")               // the exports query returned no row, several rows, or lacks a column
	ErrAmbiguous     = errors.New("ambiguous check")           // an exists or statecheck query matched several resources
	ErrRequestFailed = errors.New("request failed")            // a mutation's ProgressEvent is FAILED
	ErrMissingValue  = errors.New("missing value")             // a prop has no value for the stack environment, a global is empty, a stack export is undefined
	ErrMissingAnchor = errors.New("missing anchor")            // an anchor the flow needs is not in the file
	ErrScript        = errors.New("script failed")             // a script resource failed or printed no JSON object
)

// Error is a failure of one resource (or of the stack, when Resource is
// ""). Its message has every secret masked.
type Error struct {
	Resource string // the manifest's resource name
	Anchor   string // the query, "" when not about one
	msg      string // masked
	err      error
}

// Error implements error.
func (e *Error) Error() string { return e.msg }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.err }

// fail builds an *Error with its message masked.
func (rn *run) fail(res *Resource, anchor string, err error) error {
	var de *Error
	if errors.As(err, &de) {
		return err
	}
	name := ""
	prefix := "stack " + rn.stack.Manifest.Name
	if res != nil {
		name = res.Name
		prefix = "resource " + res.Name
	}
	if anchor != "" {
		prefix += ": " + anchor
	}
	return &Error{Resource: name, Anchor: anchor, msg: rn.mask.mask(fmt.Sprintf("%s: %v", prefix, err)), err: err}
}
