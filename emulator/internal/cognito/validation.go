package cognito

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ccql/ccql/emulator/internal/cognito/javaregex"
)

// violations collects the input-shape violations of one request the way the
// AWS service front end (Coral) reports them: every violation of the request
// in one InvalidParameterException,
//
//	2 validation errors detected: Value 'x' at 'clientName' failed to satisfy
//	constraint: Member must satisfy regular expression pattern: …; Value …
//
// Values are printed as Java would: strings and numbers in single quotes,
// lists as '[a, b]', absent members as null.
type violations []string

func (v *violations) add(value, path, constraint string) {
	*v = append(*v, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", value, path, constraint))
}

// err returns the InvalidParameterException, or nil when nothing was violated.
func (v violations) err() *APIError {
	if len(v) == 0 {
		return nil
	}
	noun := "errors"
	if len(v) == 1 {
		noun = "error"
	}
	return invalidParameter("%d validation %s detected: %s", len(v), noun, strings.Join(v, "; "))
}

func quote(s string) string { return "'" + s + "'" }

func quoteList(items []string) string { return "'[" + strings.Join(items, ", ") + "]'" }

// A pattern is a Coral member pattern: its text as the message prints it and
// the full-match regexp that enforces it, compiled on first use so that no
// ccql process pays for the package's patterns at start.
type pattern struct {
	text string
	re   func() *regexp.Regexp
}

func mustPattern(text string) pattern {
	return pattern{text: text, re: sync.OnceValue(func() *regexp.Regexp {
		// Java's \s, \S and . differ from RE2's (\x0B, line terminators).
		re, ok := javaregex.Translate(text)
		if !ok {
			panic("cognito: pattern without an RE2 translation: " + text)
		}
		return regexp.MustCompile(`^(?:` + re + `)$`)
	})}
}

// matches reports whether s is a full match of the pattern.
func (p *pattern) matches(s string) bool { return p.re().MatchString(s) }

// The member patterns of the cognito-idp model this package enforces.
var (
	patUserPoolID   = mustPattern(`[\w-]+_[0-9a-zA-Z]+`)
	patClientName   = mustPattern(`[\w\s+=,.@-]+`)
	patClientID     = mustPattern(`[\w+]+`)
	patURL          = mustPattern(`[\p{L}\p{M}\p{S}\p{N}\p{P}]+`)
	patProviderName = mustPattern(`[\p{L}\p{M}\p{S}\p{N}\p{P}\p{Z}]+`)
	patScope        = mustPattern(`[\x21\x23-\x5B\x5D-\x7E]+`)
	patHex          = mustPattern(`^[0-9a-fA-F]+$`)
	patARN          = mustPattern(`arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?`)
	patNextToken    = mustPattern(`[\S]+`)
	patPoolName     = mustPattern(`[\w\s+=,.@-]+`)
)

// lengthOf counts characters as Java does for these members (code points;
// the AWS-verified 1024-character UTF-8 callback URL depends on it).
func lengthOf(s string) int { return utf8.RuneCountInString(s) }

// stringConstraints returns the constraints s violates, in Coral's order.
func stringConstraints(s string, minLen, maxLen int, p *pattern) []string {
	var out []string
	n := lengthOf(s)
	if maxLen > 0 && n > maxLen {
		out = append(out, "Member must have length less than or equal to "+strconv.Itoa(maxLen))
	}
	if n < minLen {
		out = append(out, "Member must have length greater than or equal to "+strconv.Itoa(minLen))
	}
	if p != nil && !p.matches(s) {
		out = append(out, "Member must satisfy regular expression pattern: "+p.text)
	}
	return out
}

// checkString records the violations of an optional string member.
func (v *violations) checkString(path string, s *string, minLen, maxLen int, p *pattern) {
	if s == nil {
		return
	}
	for _, c := range stringConstraints(*s, minLen, maxLen, p) {
		v.add(quote(*s), path, c)
	}
}

// checkRequiredString records a missing required member or its violations.
func (v *violations) checkRequiredString(path string, s *string, minLen, maxLen int, p *pattern) {
	if s == nil {
		v.add("null", path, "Member must not be null")
		return
	}
	v.checkString(path, s, minLen, maxLen, p)
}

// checkInt records a number outside [lo, hi].
func (v *violations) checkInt(path string, n *int, lo, hi int) {
	if n == nil {
		return
	}
	if *n > hi {
		v.add(quote(strconv.Itoa(*n)), path, "Member must have value less than or equal to "+strconv.Itoa(hi))
	}
	if *n < lo {
		v.add(quote(strconv.Itoa(*n)), path, "Member must have value greater than or equal to "+strconv.Itoa(lo))
	}
}

// checkEnum records a string outside the enum value set.
func (v *violations) checkEnum(path string, s *string, values []string) {
	if s == nil || contains(values, *s) {
		return
	}
	v.add(quote(*s), path, enumConstraint(values))
}

func enumConstraint(values []string) string {
	return "Member must satisfy enum value set: [" + strings.Join(values, ", ") + "]"
}

// checkList records the violations of a list: its length, then its members
// (Coral reports a bad member once for the whole list, naming every member
// constraint).
func (v *violations) checkList(path string, items []string, maxItems int, member func(string) []string, memberConstraints []string) {
	if items == nil {
		return
	}
	if maxItems > 0 && len(items) > maxItems {
		v.add(quoteList(items), path, "Member must have length less than or equal to "+strconv.Itoa(maxItems))
	}
	for _, it := range items {
		if len(member(it)) > 0 {
			v.add(quoteList(items), path, "Member must satisfy constraint: ["+strings.Join(memberConstraints, ", ")+"]")
			return
		}
	}
}

// stringMember returns the member check and the constraint list of a list of
// strings with the given length bounds and pattern.
func stringMember(minLen, maxLen int, p *pattern) (func(string) []string, []string) {
	check := func(s string) []string { return stringConstraints(s, minLen, maxLen, p) }
	var all []string
	if maxLen > 0 {
		all = append(all, "Member must have length less than or equal to "+strconv.Itoa(maxLen))
	}
	all = append(all, "Member must have length greater than or equal to "+strconv.Itoa(minLen))
	if p != nil {
		all = append(all, "Member must satisfy regular expression pattern: "+p.text)
	}
	return check, all
}

// enumMember returns the member check and constraint list of a list of enum values.
func enumMember(values []string) (func(string) []string, []string) {
	c := enumConstraint(values)
	return func(s string) []string {
		if contains(values, s) {
			return nil
		}
		return []string{c}
	}, []string{c}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
