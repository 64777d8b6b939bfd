package iql

import (
	"errors"
	"unicode/utf8"
)

// Piece is one statement of a script, as cut by Split.
type Piece struct {
	// Text is the statement as written, without the ';' that ends it, the
	// white space around it and the plain comments before it. It starts with
	// the statement's first /*+ hint */ or its verb.
	Text string
	// Pos is the byte offset of Text in the script; script[Pos:Pos+len(Text)]
	// == Text.
	Pos int
	// Line and Col are the 1-based line and column (in runes) of Text's
	// first character in the script, for file:line messages.
	Line, Col int
}

// Split cuts a script into statements at each ';' that is outside string
// literals, quoted identifiers and comments. Pieces with nothing but white
// space and comments are dropped; a last statement without ';' is kept.
// The only error is a *SyntaxError for a string literal or quoted
// identifier left open, since then no later ';' can be trusted.
func Split(script string) ([]Piece, error) {
	var out []Piece
	line, lineStart := 1, 0 // line number of lineStart, the start of that line
	start := -1             // start of the current piece, -1 before its first non-space byte
	end := 0                // end of the current piece's last non-space token
	hasStmt := false        // the current piece has a token other than comments
	flush := func() {
		if start >= 0 && hasStmt {
			out = append(out, Piece{Text: script[start:end], Pos: start})
		}
		start, hasStmt = -1, false
	}
	// Lines are counted lazily: pieces record their start offset, and the
	// line/col pass below walks the script once.
	for i := 0; i < len(script); {
		t := lex(script, i)
		switch t.kind {
		case kSpace:
		case kUnterminated:
			return nil, errAt(script, t.pos, t.end, "unterminated "+unterminatedWhat(script[t.pos]))
		case kOp:
			if script[t.pos] == ';' {
				flush()
				break
			}
			fallthrough
		case kComment:
			// Plain comments before a statement are not part of it, so that
			// Line is where the statement (or its first hint) starts.
			if start >= 0 {
				end = trimOpen(script, t)
			}
		default:
			if start < 0 {
				start = t.pos
			}
			end = trimOpen(script, t)
			if t.kind != kHint {
				hasStmt = true
			}
		}
		i = t.end
	}
	flush()
	// Fill in Line and Col in one forward pass.
	j := 0
	for k := range out {
		for ; j < out[k].Pos; j++ {
			if script[j] == '\n' {
				line++
				lineStart = j + 1
			}
		}
		out[k].Line = line
		out[k].Col = utf8.RuneCountInString(script[lineStart:out[k].Pos]) + 1
	}
	return out, nil
}

// trimOpen returns the end of t, less trailing white space when t is a
// comment that runs to the end of its line or of the script, so that no
// piece ends in white space.
func trimOpen(src string, t token) int {
	e := t.end
	if t.open || t.kind == kComment && src[t.pos] == '-' {
		for e > t.pos+2 && isSpace(src[e-1]) {
			e--
		}
	}
	return e
}

// Parse parses the piece like Parse, but reports a *SyntaxError's position
// in the script's coordinates (Pos, Line and Col), so it can be shown as
// file:line:col.
func (p Piece) Parse() (Statement, error) {
	st, err := Parse(p.Text)
	var se *SyntaxError
	if errors.As(err, &se) {
		adj := *se
		adj.Pos += p.Pos
		if adj.Line == 1 {
			adj.Col += p.Col - 1
		}
		adj.Line += p.Line - 1
		return nil, &adj
	}
	return st, err
}

// Complete reports whether text ends with a complete statement: its last
// token is a ';' outside any string, quoted identifier or comment (trailing
// white space and complete comments are allowed). An interactive shell reads
// more lines until Complete is true.
func Complete(text string) bool {
	done := false
	for i := 0; i < len(text); {
		t := lex(text, i)
		switch t.kind {
		case kUnterminated:
			return false
		case kSpace:
		case kComment, kHint:
			if t.open {
				return false
			}
		default:
			done = t.kind == kOp && text[t.pos] == ';'
		}
		i = t.end
	}
	return done
}
