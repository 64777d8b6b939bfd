package template

import (
	"regexp"
	"strings"
)

// Gonja's lexer does not treat a newline inside {{ … }} or {% … %} as
// white space: it sticks it to the next token, so a dict literal written
// over several lines (as the stackql-provider docs write every UPDATE)
// gets keys like "\"ClientName". Jinja2 accepts those newlines. We replace
// them with spaces before parsing; that moves later text up a line, so
// lineMap takes a line of the rewritten text back to the original line.

var (
	reRawStart = regexp.MustCompile(`^\{%[-+]?\s*raw\s*[-+]?%\}`)
	reRawEnd   = regexp.MustCompile(`\{%[-+]?\s*endraw\s*[-+]?%\}`)
)

// joinExpressionLines returns src with the newlines inside expressions and
// statements (outside their string literals) replaced by spaces, and
// origLine, where origLine[n] is the original line of line n (1-based) of
// the result.
func joinExpressionLines(src string) (string, []int) {
	if !strings.Contains(src, "\n") {
		return src, nil
	}
	b := []byte(src)
	origLine := []int{0, 1} // origLine[1] = 1
	line := 1               // original line at position i
	for i := 0; i < len(b); {
		switch {
		case b[i] == '\n':
			line++
			origLine = append(origLine, line)
			i++
		case hasPrefixAt(b, i, "{#"):
			stop := len(src)
			if end := strings.Index(src[i+2:], "#}"); end >= 0 {
				stop = i + 2 + end + 2
			}
			i = skipTo(src, i, stop, &line, &origLine)
		case hasPrefixAt(b, i, "{%") && reRawStart.Match(b[i:]):
			stop := len(src)
			if loc := reRawEnd.FindIndex(b[i:]); loc != nil {
				stop = i + loc[1]
			}
			i = skipTo(src, i, stop, &line, &origLine)
		case hasPrefixAt(b, i, "{{") || hasPrefixAt(b, i, "{%"):
			closer := "}}"
			if b[i+1] == '%' {
				closer = "%}"
			}
			i += 2
			depth := 0
			var quote byte
			for i < len(b) {
				c := b[i]
				if quote != 0 {
					if c == '\\' && i+1 < len(b) {
						if b[i+1] == '\n' {
							line++
							origLine = append(origLine, line)
						}
						i += 2
						continue
					}
					if c == quote {
						quote = 0
					}
					if c == '\n' {
						// A newline inside a string literal stays.
						line++
						origLine = append(origLine, line)
					}
					i++
					continue
				}
				if depth == 0 && hasPrefixAt(b, i, closer) {
					i += 2
					break
				}
				switch c {
				case '"', '\'':
					quote = c
				case '{', '[', '(':
					depth++
				case '}', ']', ')':
					if depth > 0 {
						depth--
					}
				case '\n':
					b[i] = ' '
					line++
				}
				i++
			}
		default:
			i++
		}
	}
	return string(b), origLine
}

// skipTo moves past a comment or raw block (src[start:stop]), counting its
// lines, and returns stop.
func skipTo(src string, start, stop int, line *int, origLine *[]int) int {
	for _, c := range src[start:stop] {
		if c == '\n' {
			*line++
			*origLine = append(*origLine, *line)
		}
	}
	return stop
}

func hasPrefixAt(b []byte, i int, p string) bool {
	return len(b)-i >= len(p) && string(b[i:i+len(p)]) == p
}
