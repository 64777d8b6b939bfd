package cfnschema

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dlclark/regexp2"
)

// Pattern is a compiled schema pattern. CloudFormation schemas are written
// for Java's java.util.regex (the registry validates with everit), so a
// pattern is first rewritten into RE2 syntax where Java means the same
// thing, and only the patterns RE2 still rejects (look-arounds,
// back-references) go to the backtracking ECMAScript engine, with a match
// timeout so a hostile value cannot stall the emulator.
type Pattern struct {
	src  string
	re2  *regexp.Regexp
	ecma *regexp2.Regexp
}

// ecmaTimeout bounds one backtracking match.
const ecmaTimeout = time.Second

// CompilePattern compiles a schema pattern (see Pattern).
func CompilePattern(src string) (*Pattern, error) {
	conv := javaToRE2(src)
	if re, err := regexp.Compile(conv); err == nil {
		return &Pattern{src: src, re2: re}, nil
	}
	re, err := regexp2.Compile(javaToECMA(src), regexp2.ECMAScript)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", src, err)
	}
	re.MatchTimeout = ecmaTimeout
	return &Pattern{src: src, ecma: re}, nil
}

// MatchString reports whether s contains a match (JSON Schema patterns are
// not anchored unless they say so). A match that times out counts as none.
func (p *Pattern) MatchString(s string) bool {
	if p.re2 != nil {
		return p.re2.MatchString(s)
	}
	ok, err := p.ecma.MatchString(s)
	return err == nil && ok
}

// String returns the pattern as the schema wrote it.
func (p *Pattern) String() string { return p.src }

// lazyPattern compiles its pattern on first use: a schema has hundreds of
// patterns and a request touches a few.
type lazyPattern struct {
	src  string
	once sync.Once
	p    *Pattern
	err  error
}

func (l *lazyPattern) get() (*Pattern, error) {
	l.once.Do(func() { l.p, l.err = CompilePattern(l.src) })
	return l.p, l.err
}

// javaToRE2 rewrites the Java-isms of CloudFormation patterns that have an
// exact RE2 equivalent:
//   - \uHHHH escapes become \x{HHHH}, and a UTF-16 surrogate pair written as
//     two escapes (\uD800\uDC00) becomes the one code point it encodes, so
//     the common "any XML character" class [\u0020-\uD7FF…\uD800\uDC00-\uDBFF\uDFFF]
//     means what it means in Java;
//   - the POSIX classes \p{Graph}, \p{Print}, \p{Alnum}, … (ASCII in Java);
//   - a quantifier applied to a quantified atom (X+{1,255}, X*{1,512}),
//     which Java accepts and RE2 rejects: (X+){n,m} with n ≥ 1 matches
//     exactly what X+ matches, and (X*){n,m} what X* matches.
func javaToRE2(s string) string { return rewrite(s, modeRE2) }

// javaToECMA applies the same rewrites for the ECMAScript engine, which
// takes \uHHHH as is but not POSIX classes or stacked quantifiers.
func javaToECMA(s string) string { return rewrite(s, modeECMA) }

// javaToGen rewrites for the generator, which only needs RE2's parser to
// accept a pattern that means roughly the same: lone surrogates become
// U+FFFD and counts above RE2's limit of 1000 are clamped. The full pattern
// checks every generated string.
func javaToGen(s string) string { return rewrite(s, modeGen) }

type rewriteMode int

const (
	modeRE2 rewriteMode = iota
	modeECMA
	modeGen
)

var posixClasses = map[string]string{
	"Graph":  `\x21-\x7E`,
	"Print":  `\x20-\x7E`,
	"Alnum":  `0-9A-Za-z`,
	"Alpha":  `A-Za-z`,
	"Digit":  `0-9`,
	"Upper":  `A-Z`,
	"Lower":  `a-z`,
	"Punct":  `!-/:-@\[-` + "`" + `{-~`,
	"Space":  `\t\n\x0B\f\r `,
	"XDigit": `0-9A-Fa-f`,
	"ASCII":  `\x00-\x7F`,
	"Cntrl":  `\x00-\x1F\x7F`,
	"Blank":  `\t `,
}

func rewrite(s string, mode rewriteMode) string {
	if !strings.Contains(s, `\`) && !strings.Contains(s, "{") {
		return s
	}
	re2 := mode != modeECMA
	var b strings.Builder
	inClass := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			next := s[i+1]
			if next == 'u' && re2 {
				if r, n, ok := utf16Escape(s[i:]); ok {
					fmt.Fprintf(&b, `\x{%X}`, r)
					i += n - 1
					continue
				}
				if _, ok := hex4(s[i:]); ok && mode == modeGen {
					b.WriteString(`\x{FFFD}`)
					i += 5
					continue
				}
			}
			if next == 'Z' && re2 { // Java's end of input (before a final line break)
				b.WriteString(`\z`)
				i++
				continue
			}
			if next == 'p' && strings.HasPrefix(s[i+2:], "{") {
				end := strings.IndexByte(s[i:], '}')
				if end > 0 {
					if cls, ok := posixClasses[strings.TrimPrefix(s[i+3:i+end], "Is")]; ok {
						if inClass {
							b.WriteString(cls)
						} else {
							b.WriteString("[" + cls + "]")
						}
						i += end
						continue
					}
				}
			}
			b.WriteByte(c)
			b.WriteByte(next)
			i++
		case c == '[' && !inClass:
			inClass = true
			b.WriteByte(c)
			if i+1 < len(s) && s[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(s) && s[i+1] == ']' { // a leading ] is a literal
				b.WriteByte(']')
				i++
			}
		case c == ']' && inClass:
			inClass = false
			b.WriteByte(c)
		case c == '{' && !inClass && i > 0 && (s[i-1] == '+' || s[i-1] == '*') && !escapedAt(s, i-1):
			if end := strings.IndexByte(s[i:], '}'); end > 0 && isCounted(s[i+1:i+end]) {
				i += end // drop the redundant count (see above)
				continue
			}
			b.WriteByte(c)
		case c == '{' && !inClass && mode == modeGen:
			end := strings.IndexByte(s[i:], '}')
			body := ""
			if end > 0 {
				body = s[i+1 : i+end]
			}
			lo, hi, hasHi := strings.Cut(body, ",")
			if end <= 0 || !isCount(body) {
				b.WriteByte(c)
				continue
			}
			fmt.Fprintf(&b, "{%s", clampCount(lo))
			if hasHi {
				b.WriteString("," + clampCount(hi))
			}
			b.WriteByte('}')
			i += end
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// isCount reports whether body (between braces) is "n", "n," or "n,m".
func isCount(body string) bool {
	lo, hi, _ := strings.Cut(body, ",")
	if lo == "" || strings.Trim(lo, "0123456789") != "" || strings.Trim(hi, "0123456789") != "" {
		return false
	}
	return true
}

// clampCount caps a repetition count at RE2's limit.
func clampCount(n string) string {
	if v, err := strconv.Atoi(n); err == nil && v > 1000 {
		return "1000"
	}
	return n
}

// escapedAt reports whether s[i] is preceded by an odd number of backslashes.
func escapedAt(s string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// isCounted reports whether body (between braces) is "n", "n," or "n,m"
// with n ≥ 1.
func isCounted(body string) bool {
	lo, _, _ := strings.Cut(body, ",")
	n, err := strconv.Atoi(lo)
	if err != nil || n < 1 {
		return false
	}
	for _, r := range body {
		if r != ',' && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// utf16Escape decodes \uHHHH (and a following low-surrogate escape when the
// first is a high surrogate) at the start of s, returning the code point and
// how many bytes it used.
func utf16Escape(s string) (rune, int, bool) {
	hi, ok := hex4(s)
	if !ok {
		return 0, 0, false
	}
	if hi >= 0xD800 && hi <= 0xDBFF {
		if lo, ok := hex4(s[6:]); ok && lo >= 0xDC00 && lo <= 0xDFFF {
			return 0x10000 + (hi-0xD800)<<10 + (lo - 0xDC00), 12, true
		}
	}
	if hi >= 0xD800 && hi <= 0xDFFF {
		return 0, 0, false // a lone surrogate has no RE2 spelling
	}
	return hi, 6, true
}

func hex4(s string) (rune, bool) {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return 0, false
	}
	v, err := strconv.ParseUint(s[2:6], 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(v), true
}
