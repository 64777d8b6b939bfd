// Package javaregex translates the java.util.regex patterns of AWS service
// models (which Coral, the AWS service front end, enforces with Java) into
// RE2 expressions that match exactly the same strings, where such a
// translation is known.
package javaregex

import (
	"regexp"
	"strings"
)

// overrides are faithful RE2 spellings of Java patterns the mechanical
// translation cannot express (look-behind).
var overrides = map[string]string{
	// "no trailing dot": empty, or ending in a character other than '.'.
	`^[0-9A-Za-z\.\-_]*(?<!\.)$`: `^(?:[0-9A-Za-z.\-_]*[0-9A-Za-z\-_])?$`,
}

// space is Java's \s; RE2's \s lacks \x0B.
const space = `\t\n\x0B\f\r `

// dot is Java's . without DOTALL: anything but a line terminator (RE2's .
// excludes only \n).
const dot = `[^\n\r\x{85}\x{2028}\x{2029}]`

// Translate returns an RE2 expression matching exactly the strings the
// Java pattern p matches (with the same anchoring: callers wrap it in
// ^(?:…)$ for Java's matches()), or ok=false when p uses what has no known
// faithful translation (look-around, possessive quantifiers,
// back-references, class intersections, inline flags other than (?s)).
func Translate(p string) (string, bool) {
	if o, ok := overrides[p]; ok {
		return o, true
	}
	for _, unsupported := range []string{"(?<", "(?=", "(?!", "(?>", "++", "*+", "?+", "}+", `\Q`, `\G`, `\R`, "&&", "[["} {
		if strings.Contains(p, unsupported) {
			return "", false
		}
	}
	var b strings.Builder
	inClass, dotAll := false, false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case strings.HasPrefix(p[i:], "(?s)"):
			dotAll = true
			b.WriteString("(?s)")
			i += 3
		case c == '(' && strings.HasPrefix(p[i:], "(?") && !strings.HasPrefix(p[i:], "(?:"):
			return "", false
		case c == '\\' && i+1 < len(p):
			next := p[i+1]
			i++
			switch {
			case next == 's' && inClass:
				b.WriteString(space)
			case next == 's':
				b.WriteString("[" + space + "]")
			case next == 'S' && !inClass:
				b.WriteString("[^" + space + "]")
			case next == 'S':
				return "", false // \S among other members of a class
			case strings.IndexByte("0123456789kucChHvVXZzbB", next) >= 0:
				// back-references, \u, control escapes, classes RE2 lacks
				// or spells differently, boundaries whose Java meaning
				// differs
				return "", false
			default:
				b.WriteByte('\\')
				b.WriteByte(next)
			}
		case c == '[' && !inClass:
			if strings.HasPrefix(p[i:], `[\S]`) {
				b.WriteString("[^" + space + "]")
				i += 3
				continue
			}
			inClass = true
			b.WriteByte(c)
			if strings.HasPrefix(p[i+1:], "^") {
				b.WriteByte('^')
				i++
			}
			if strings.HasPrefix(p[i+1:], "]") { // a leading ] is a literal
				b.WriteString(`\]`)
				i++
			}
		case c == ']' && inClass:
			inClass = false
			b.WriteByte(c)
		case c == '.' && !inClass && !dotAll:
			b.WriteString(dot)
		default:
			b.WriteByte(c)
		}
	}
	if inClass {
		return "", false
	}
	re := b.String()
	if _, err := regexp.Compile(re); err != nil {
		return "", false
	}
	return re, true
}
