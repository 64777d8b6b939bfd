package shell

import "strings"

// The scanner below follows the lexical rules of internal/iql (SQLite's):
// '…' strings with '' as the only escape, "…", `…` and […] identifiers,
// -- line comments and /* */ block comments (not nested). The shell needs
// only to know where literals and comments are, not full tokens, so this is
// a few lines rather than an export from iql.

// span is a region of text that is a literal or a comment.
type span struct {
	start, end int  // byte offsets; end is len(text) when open
	kind       byte // '\'', '"', '`', '[', '-' (line comment) or '*' (block comment)
	open       bool // the literal or comment runs to the end of the text unclosed
}

// scan returns the literals and comments of text, in order.
func scan(text string) []span {
	var out []span
	n := len(text)
	for i := 0; i < n; {
		c := text[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for {
				k := strings.IndexByte(text[j:], c)
				if k < 0 {
					out = append(out, span{start: i, end: n, kind: c, open: true})
					return out
				}
				j += k + 1
				if j < n && text[j] == c { // doubled quote: an escaped quote
					j++
					continue
				}
				break
			}
			out = append(out, span{start: i, end: j, kind: c})
			i = j
		case c == '[':
			k := strings.IndexByte(text[i+1:], ']')
			if k < 0 {
				out = append(out, span{start: i, end: n, kind: '[', open: true})
				return out
			}
			out = append(out, span{start: i, end: i + k + 2, kind: '['})
			i += k + 2
		case c == '-' && i+1 < n && text[i+1] == '-':
			k := strings.IndexByte(text[i:], '\n')
			if k < 0 {
				// A line comment at the very end is "open" for the purpose of
				// completion (the cursor is inside it), but it ends at the
				// next newline, so it never makes a statement incomplete.
				out = append(out, span{start: i, end: n, kind: '-', open: true})
				return out
			}
			out = append(out, span{start: i, end: i + k, kind: '-'})
			i += k
		case c == '/' && i+1 < n && text[i+1] == '*':
			k := strings.Index(text[i+2:], "*/")
			if k < 0 {
				out = append(out, span{start: i, end: n, kind: '*', open: true})
				return out
			}
			out = append(out, span{start: i, end: i + 2 + k + 2, kind: '*'})
			i += k + 4
		default:
			i++
		}
	}
	return out
}

// InLiteral reports whether text ends inside a string literal, a quoted
// identifier or a block comment, where a following line is a continuation of
// that literal and never a meta-command.
func InLiteral(text string) bool {
	sp := scan(text)
	if len(sp) == 0 {
		return false
	}
	last := sp[len(sp)-1]
	return last.open && last.kind != '-'
}

// HistoryEntry turns a statement, possibly of many lines, into the one line
// kept in the history file: line comments are dropped (joined onto one line
// they would swallow the rest of the statement), and line breaks and runs of
// white space outside literals become one space. A line break inside a
// string literal also becomes a space, since an entry is one line.
func HistoryEntry(statement string) string {
	var b strings.Builder
	b.Grow(len(statement))
	pos := 0
	space := false
	plain := func(s string) {
		for _, r := range s {
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' {
				space = true
				continue
			}
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		}
	}
	for _, sp := range scan(statement) {
		plain(statement[pos:sp.start])
		pos = sp.end
		if sp.kind == '-' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		lit := statement[sp.start:sp.end]
		lit = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(lit)
		b.WriteString(lit)
	}
	plain(statement[pos:])
	return b.String()
}
