package ccql

import (
	"context"
	"fmt"

	"github.com/ccql/ccql/internal/iql"
)

// StatementError is the error of one statement of a script run by Exec:
// where it is and what went wrong.
type StatementError struct {
	Line      int    // 1-based line of the statement's first character
	Statement string // the statement's text
	Err       error
}

// Error implements error.
func (e *StatementError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the underlying error, for errors.Is and errors.As.
func (e *StatementError) Unwrap() error { return e.Err }

// Exec runs every statement of script in order (statements separated by
// ';') and returns their results. It stops at the first failure and returns
// the results so far with a *StatementError. Templates are not rendered
// here: render {{ … }} first (the command does, from --var).
func (e *Engine) Exec(ctx context.Context, script string) ([]*Result, error) {
	pieces, err := iql.Split(script)
	if err != nil {
		return nil, &syntaxError{err}
	}
	out := make([]*Result, 0, len(pieces))
	for _, p := range pieces {
		if _, err := p.Parse(); err != nil { // for the error's position in the script
			return out, &StatementError{Line: p.Line, Statement: p.Text, Err: &syntaxError{err}}
		}
		res, err := e.Query(ctx, p.Text)
		if err != nil {
			if res != nil {
				out = append(out, res)
			}
			return out, &StatementError{Line: p.Line, Statement: p.Text, Err: err}
		}
		out = append(out, res)
	}
	return out, nil
}
