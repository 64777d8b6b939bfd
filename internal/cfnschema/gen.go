package cfnschema

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// ErrNoString is returned by GenerateString when it finds no string that
// satisfies the pattern and the length bounds.
var ErrNoString = errors.New("no matching string found")

// StringSpec is what a generated string must satisfy.
type StringSpec struct {
	Pattern   string // a schema pattern, "" for none
	MinLength int
	MaxLength int // 0 for no bound
}

// maxGenLength caps generated strings when the schema sets no maxLength.
const maxGenLength = 256

// generateAttempts bounds the search for a matching string.
const generateAttempts = 64

// GenerateString returns a string that matches spec. With a nil rnd the
// first attempt is deterministic and plain (lower-case letters and digits,
// the first alternative, the fewest repetitions the length allows); later
// attempts, and every attempt with rnd, pick characters, alternatives and
// counts at random. Look-arounds are ignored while generating and checked
// on the result.
func GenerateString(spec StringSpec, rnd *rand.Rand) (string, error) {
	maxLen := spec.MaxLength
	if maxLen <= 0 {
		maxLen = max(maxGenLength, spec.MinLength)
	}
	if spec.Pattern == "" {
		return plainString(spec.MinLength, maxLen, rnd), nil
	}
	full, err := CompilePattern(spec.Pattern)
	if err != nil {
		return "", err
	}
	re, err := syntax.Parse(stripLookarounds(javaToGen(spec.Pattern)), syntax.Perl)
	if err != nil {
		return "", fmt.Errorf("pattern %q: %w", spec.Pattern, err)
	}
	det := rnd == nil
	if det {
		rnd = rand.New(rand.NewPCG(1, 2))
	}
	prefix, suffix := !anchoredStart(re), !anchoredEnd(re)
	for attempt := range generateAttempts {
		g := generator{rnd: rnd, random: !det || attempt > 0, limit: 4*maxLen + 4}
		// Grow the repetitions until the minimum length is met.
		for _, extra := range extras {
			g.extra = extra
			var b strings.Builder
			if !g.emit(&b, re) {
				break
			}
			s := b.String()
			n := utf8.RuneCountInString(s)
			if n < spec.MinLength && (prefix || suffix) {
				// An unanchored pattern lets us pad the string.
				var padRnd *rand.Rand
				if g.random {
					padRnd = rnd
				}
				pad := plainString(spec.MinLength-n, spec.MinLength-n, padRnd)
				if suffix {
					s += pad
				} else {
					s = pad + s
				}
				n = spec.MinLength
			}
			if n > maxLen {
				break
			}
			if n >= spec.MinLength && full.MatchString(s) {
				return s, nil
			}
		}
	}
	return "", fmt.Errorf("%w: pattern %q, length %d..%d", ErrNoString, spec.Pattern, spec.MinLength, maxLen)
}

// extras are the repetition counts tried: every count up to 64, so a
// length window like 22..22 is met exactly, then coarser steps.
var extras = func() []int {
	var out []int
	for i := range 65 {
		out = append(out, i)
	}
	return append(out, 80, 96, 128, 192, 256, 512, 1000)
}()

func anchoredStart(re *syntax.Regexp) bool {
	for re.Op == syntax.OpConcat || re.Op == syntax.OpCapture {
		if len(re.Sub) == 0 {
			return false
		}
		re = re.Sub[0]
	}
	return re.Op == syntax.OpBeginText || re.Op == syntax.OpBeginLine
}

func anchoredEnd(re *syntax.Regexp) bool {
	for re.Op == syntax.OpConcat || re.Op == syntax.OpCapture {
		if len(re.Sub) == 0 {
			return false
		}
		re = re.Sub[len(re.Sub)-1]
	}
	return re.Op == syntax.OpEndText || re.Op == syntax.OpEndLine
}

const plainAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// plainString returns letters and digits, starting with a letter: the
// shape that satisfies most unpatterned names.
func plainString(minLen, maxLen int, rnd *rand.Rand) string {
	n := max(minLen, min(8, maxLen))
	b := make([]byte, n)
	for i := range b {
		switch {
		case rnd != nil && i == 0:
			b[i] = plainAlphabet[rnd.IntN(26)]
		case rnd != nil:
			b[i] = plainAlphabet[rnd.IntN(len(plainAlphabet))]
		default:
			b[i] = plainAlphabet[i%26]
		}
	}
	return string(b)
}

// stripLookarounds removes (?=…), (?!…), (?<=…) and (?<!…) groups, which
// RE2's parser rejects; the full pattern checks the result.
func stripLookarounds(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			b.WriteString(s[i : i+2])
			i++
			continue
		}
		if s[i] == '(' && (strings.HasPrefix(s[i:], "(?=") || strings.HasPrefix(s[i:], "(?!") ||
			strings.HasPrefix(s[i:], "(?<=") || strings.HasPrefix(s[i:], "(?<!")) {
			depth, j := 0, i
			for ; j < len(s); j++ {
				switch s[j] {
				case '\\':
					j++
				case '(':
					depth++
				case ')':
					depth--
				}
				if depth == 0 {
					break
				}
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// generator walks a parsed pattern, writing one string it matches.
type generator struct {
	rnd    *rand.Rand
	random bool // false: first alternatives, plain characters
	extra  int  // repetitions beyond the minimum for open-ended repeats
	limit  int  // bytes; a longer string is abandoned (nested repeats grow fast)
}

func (g *generator) count(lo, hi int) int {
	n := lo + g.extra
	if g.random && g.extra > 0 {
		n = lo + g.rnd.IntN(g.extra+1)
	}
	if hi >= 0 && n > hi {
		n = hi
	}
	return n
}

// emit writes a string re matches; false when re matches nothing.
func (g *generator) emit(b *strings.Builder, re *syntax.Regexp) bool {
	if b.Len() > g.limit {
		return false
	}
	switch re.Op {
	case syntax.OpNoMatch:
		return false
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			b.WriteRune(r)
		}
	case syntax.OpCharClass:
		r, ok := g.pick(re.Rune)
		if !ok {
			return false
		}
		b.WriteRune(r)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		r, _ := g.pick([]rune{0x20, 0x7E})
		b.WriteRune(r)
	case syntax.OpCapture:
		return g.emit(b, re.Sub[0])
	case syntax.OpStar:
		return g.repeat(b, re.Sub[0], g.count(0, -1))
	case syntax.OpPlus:
		return g.repeat(b, re.Sub[0], g.count(1, -1))
	case syntax.OpQuest:
		n := 0
		if g.extra > 0 || (g.random && g.rnd.IntN(2) == 0) {
			n = 1
		}
		return g.repeat(b, re.Sub[0], n)
	case syntax.OpRepeat:
		return g.repeat(b, re.Sub[0], g.count(re.Min, re.Max))
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if !g.emit(b, s) {
				return false
			}
		}
	case syntax.OpAlternate:
		i := 0
		if g.random {
			i = g.rnd.IntN(len(re.Sub))
		}
		return g.emit(b, re.Sub[i])
	}
	// Empty matches and assertions (^, $, \b) write nothing.
	return true
}

func (g *generator) repeat(b *strings.Builder, re *syntax.Regexp, n int) bool {
	for range n {
		if !g.emit(b, re) {
			return false
		}
	}
	return true
}

// pick returns a rune of a character class (pairs of inclusive ranges),
// preferring lower-case letters and digits, then upper-case letters, then
// other printable ASCII, so generated names look like names.
func (g *generator) pick(ranges []rune) (rune, bool) {
	if len(ranges) == 0 {
		return 0, false
	}
	in := func(r rune) bool {
		for i := 0; i+1 < len(ranges); i += 2 {
			if r >= ranges[i] && r <= ranges[i+1] {
				return true
			}
		}
		return false
	}
	for _, set := range []string{plainAlphabet, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "-_.", "!\"#$%&'()*+,/:;<=>?@[\\]^`{|}~ "} {
		var cands []rune
		for _, r := range set {
			if in(r) {
				cands = append(cands, r)
				if !g.random {
					return r, true
				}
			}
		}
		if len(cands) > 0 {
			return cands[g.rnd.IntN(len(cands))], true
		}
	}
	// Nothing printable: the first rune that is a valid, non-surrogate
	// character.
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1] && r-ranges[i] < 0x10000; r++ {
			if utf8.ValidRune(r) && r >= 0x20 {
				return r, true
			}
		}
	}
	return ranges[0], true
}
