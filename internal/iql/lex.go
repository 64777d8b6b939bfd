package iql

// The lexer follows SQLite's tokenizer (tokenize.c) so that everything iql
// leaves alone reaches SQLite with the meaning SQLite gives it: strings are
// '…' with '' as the only escape (a backslash is an ordinary character, so
// JSON inside a literal survives byte for byte), "…", […] and `…` are
// identifiers, -- and /* */ are comments (not nested; an unterminated block
// comment runs to the end of the input, as in SQLite).

// kind is the kind of a token.
type kind uint8

const (
	kEOF          kind = iota
	kSpace             // white space
	kComment           // -- … or /* … */
	kHint              // /*+ … */
	kIdent             // a bare identifier or keyword
	kQIdent            // "…", […] or `…`
	kString            // '…'
	kBlob              // x'…'
	kNumber            // 12, 1.5e3, 0x1F
	kParam             // ?, ?1, :name, @name, $name
	kOp                // punctuation and operators, including ; ( ) , .
	kIllegal           // a character or token SQLite rejects
	kUnterminated      // a string, quoted identifier or blob without its closing quote
)

// token is one lexical token: its kind and its byte span in the source.
type token struct {
	kind     kind
	pos, end int
	// open marks a block comment that runs to the end of the input without
	// its closing */ (SQLite accepts it; Complete does not).
	open bool
}

func isIDStart(c byte) bool {
	return c >= 0x80 || c == '_' || (c|0x20) >= 'a' && (c|0x20) <= 'z'
}

func isIDChar(c byte) bool {
	return isIDStart(c) || c == '$' || isDigit(c)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'f' }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// lex returns the token that starts at src[i]; i < len(src).
func lex(src string, i int) token {
	n := len(src)
	c := src[i]
	t := token{pos: i}
	at := func(j int) byte {
		if j < n {
			return src[j]
		}
		return 0
	}
	switch {
	case isSpace(c):
		j := i + 1
		for j < n && isSpace(src[j]) {
			j++
		}
		t.kind, t.end = kSpace, j
	case c == '-' && at(i+1) == '-':
		j := i + 2
		for j < n && src[j] != '\n' {
			j++
		}
		t.kind, t.end = kComment, j
	case c == '/' && at(i+1) == '*':
		t.kind = kComment
		if at(i+2) == '+' {
			t.kind = kHint
		}
		j := i + 2
		for j+1 < n && !(src[j] == '*' && src[j+1] == '/') {
			j++
		}
		if j+1 < n {
			t.end = j + 2
		} else {
			t.end, t.open = n, true
		}
	case c == '\'':
		t.kind, t.end = quoted(src, i, '\'')
		if t.kind == kQIdent {
			t.kind = kString
		}
	case c == '"' || c == '`':
		t.kind, t.end = quoted(src, i, c)
	case c == '[':
		j := i + 1
		for j < n && src[j] != ']' {
			j++
		}
		if j < n {
			t.kind, t.end = kQIdent, j+1
		} else {
			t.kind, t.end = kUnterminated, n
		}
	case (c == 'x' || c == 'X') && at(i+1) == '\'':
		j := i + 2
		for j < n && isHex(src[j]) {
			j++
		}
		switch {
		case j >= n:
			t.kind, t.end = kUnterminated, n
		case src[j] != '\'' || (j-i-2)%2 != 0:
			// Like SQLite: an odd number of digits or a non-hex character
			// makes the whole literal illegal.
			for j < n && src[j] != '\'' {
				j++
			}
			if j < n {
				t.kind, t.end = kIllegal, j+1
			} else {
				t.kind, t.end = kUnterminated, n
			}
		default:
			t.kind, t.end = kBlob, j+1
		}
	case isDigit(c) || c == '.' && isDigit(at(i+1)):
		t.kind, t.end = kNumber, number(src, i)
	case isIDStart(c):
		j := i + 1
		for j < n && isIDChar(src[j]) {
			j++
		}
		t.kind, t.end = kIdent, j
	case c == '?':
		j := i + 1
		for j < n && isDigit(src[j]) {
			j++
		}
		t.kind, t.end = kParam, j
	case c == ':' || c == '@' || c == '$':
		j := i + 1
		for j < n && isIDChar(src[j]) {
			j++
		}
		t.kind, t.end = kParam, j
		if j == i+1 {
			t.kind = kIllegal
		}
	default:
		t.kind, t.end = kOp, i+1
		switch c {
		case '-':
			if at(i+1) == '>' {
				t.end = i + 2
				if at(i+2) == '>' {
					t.end = i + 3
				}
			}
		case '<':
			if b := at(i + 1); b == '=' || b == '>' || b == '<' {
				t.end = i + 2
			}
		case '>':
			if b := at(i + 1); b == '=' || b == '>' {
				t.end = i + 2
			}
		case '=':
			if at(i+1) == '=' {
				t.end = i + 2
			}
		case '!':
			if at(i+1) == '=' {
				t.end = i + 2
			} else {
				t.kind = kIllegal
			}
		case '|':
			if at(i+1) == '|' {
				t.end = i + 2
			}
		case '(', ')', ';', '+', '*', '/', '%', ',', '&', '~', '.':
		default:
			// Bytes >= 0x80 are identifier characters, so only a stray
			// ASCII character ({, }, #, ^, \ …) gets here.
			t.kind = kIllegal
		}
	}
	return t
}

// quoted scans a token delimited by q, where a doubled q stands for itself.
func quoted(src string, i int, q byte) (kind, int) {
	n := len(src)
	j := i + 1
	for j < n {
		if src[j] == q {
			if j+1 < n && src[j+1] == q {
				j += 2
				continue
			}
			return kQIdent, j + 1
		}
		j++
	}
	return kUnterminated, n
}

// number scans a numeric literal starting at i and returns its end. As in
// SQLite, identifier characters glued to a number make it illegal; the
// caller sees that as an illegal token via the following identifier check.
func number(src string, i int) int {
	n := len(src)
	j := i
	digits := func(hex bool) {
		for j < n {
			c := src[j]
			if isDigit(c) || hex && isHex(c) {
				j++
				continue
			}
			// SQLite 3.46 accepts _ between digits as a separator.
			if c == '_' && j > i && j+1 < n && (isDigit(src[j+1]) || hex && isHex(src[j+1])) && (isDigit(src[j-1]) || hex && isHex(src[j-1])) {
				j++
				continue
			}
			break
		}
	}
	if src[j] == '0' && j+2 < n && (src[j+1]|0x20) == 'x' && isHex(src[j+2]) {
		j += 2
		digits(true)
		return j
	}
	digits(false)
	if j < n && src[j] == '.' {
		j++
		digits(false)
	}
	if j < n && (src[j]|0x20) == 'e' {
		k := j + 1
		if k < n && (src[k] == '+' || src[k] == '-') {
			k++
		}
		if k < n && isDigit(src[k]) {
			j = k
			digits(false)
		}
	}
	return j
}

// tokenize splits src into the tokens a parser needs: significant tokens in
// toks (ending with a kEOF token at len(src)), hint comments in hints. It
// stops at the first illegal or unterminated token and returns it as an
// error.
func tokenize(src string) (toks []token, hints []hintTok, err error) {
	toks = make([]token, 0, len(src)/4+2)
	for i := 0; i < len(src); {
		t := lex(src, i)
		switch t.kind {
		case kSpace, kComment:
		case kHint:
			hints = append(hints, hintTok{tok: t, next: len(toks)})
		case kIllegal:
			return nil, nil, errAt(src, t.pos, t.end, "unrecognized token")
		case kUnterminated:
			return nil, nil, errAt(src, t.pos, t.end, "unterminated "+unterminatedWhat(src[t.pos]))
		case kNumber:
			// A number glued to identifier characters (12abc) is one
			// illegal token in SQLite.
			if t.end < len(src) && isIDChar(src[t.end]) {
				e := t.end
				for e < len(src) && isIDChar(src[e]) {
					e++
				}
				return nil, nil, errAt(src, t.pos, e, "unrecognized token")
			}
			toks = append(toks, t)
		default:
			toks = append(toks, t)
		}
		i = t.end
	}
	toks = append(toks, token{kind: kEOF, pos: len(src), end: len(src)})
	return toks, hints, nil
}

func unterminatedWhat(c byte) string {
	switch c {
	case '\'':
		return "string literal"
	case 'x', 'X':
		return "blob literal"
	default:
		return "quoted identifier"
	}
}
