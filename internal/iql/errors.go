package iql

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrSyntax is wrapped by every *SyntaxError, so callers can branch with
// errors.Is without knowing the type. (iql cannot use the engine's own
// sentinel: the engine imports iql.)
var ErrSyntax = errors.New("syntax error")

// ErrEmpty is returned by Parse for text with no statement in it (only
// white space, comments or a lone ';'). A PostgreSQL server answers it with
// EmptyQueryResponse; a script runner skips it.
var ErrEmpty = errors.New("empty statement")

// SyntaxError is a statement that does not lex or parse. Pos is a byte
// offset into the text given to Parse or Split; Line and Col are 1-based,
// Col counting characters (runes), not bytes.
type SyntaxError struct {
	Pos  int
	Line int
	Col  int
	Msg  string // what is wrong, e.g. `expected RETURNING or end of statement`
	Near string // the offending token as written (shortened), "" at end of input
}

// Error renders the error as
// `syntax error at line 3, column 12 near "RETURNIN": expected …`.
func (e *SyntaxError) Error() string {
	if e.Near == "" {
		return fmt.Sprintf("syntax error at line %d, column %d at end of input: %s", e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("syntax error at line %d, column %d near %q: %s", e.Line, e.Col, e.Near, e.Msg)
}

// Unwrap makes errors.Is(err, ErrSyntax) true.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// maxNear bounds the token quoted in an error, so a 10 kB JSON literal does
// not end up in a one-line message.
const maxNear = 40

// errAt builds a *SyntaxError for the source span [pos, end).
func errAt(src string, pos, end int, msg string) *SyntaxError {
	line, col := LineCol(src, pos)
	near := src[pos:end]
	if len(near) > maxNear {
		cut := maxNear
		for cut > 0 && !utf8.RuneStart(near[cut]) {
			cut--
		}
		near = near[:cut] + "…"
	}
	return &SyntaxError{Pos: pos, Line: line, Col: col, Msg: msg, Near: near}
}

// LineCol returns the 1-based line and column (in runes) of byte offset pos
// in src. An offset past the end is clamped to the end.
func LineCol(src string, pos int) (line, col int) {
	if pos > len(src) {
		pos = len(src)
	}
	line, start := 1, 0
	for i := 0; i < pos; i++ {
		if src[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, utf8.RuneCountInString(src[start:pos]) + 1
}
