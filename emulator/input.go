package emulator

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// Input constraints of the Cloud Control model. Violations are answered
// synchronously with a ValidationException in Coral's words, before any
// type lookup, as AWS does.
//
// The patterns are matched by hand-written functions: they run on every
// call, and compiling them as package variables would cost every ccql
// process start (a {2,64} repeat compiles to 64 copies). Only the role ARN
// pattern uses the regexp package, compiled on first use.
var (
	reTypeName = pattern{`^[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}$`, isTypeName}
	reToken    = pattern{`^[-A-Za-z0-9+/=]+$`, func(s string) bool {
		return allBytes(s, func(c byte) bool { return isAlnum(c) || c == '-' || c == '+' || c == '/' || c == '=' })
	}}
	reTypeVersionID = pattern{`^[A-Za-z0-9-]+$`, func(s string) bool {
		return allBytes(s, func(c byte) bool { return isAlnum(c) || c == '-' })
	}}
	reRoleArn = pattern{`^arn:.+:iam::[0-9]{12}:role/.+$`, func(s string) bool { return roleArnRegexp().MatchString(s) }}
	// `.` matches any character but a newline.
	reNextToken = pattern{`^.+$`, func(s string) bool { return s != "" && !strings.Contains(s, "\n") }}
)

var roleArnRegexp = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^arn:.+:iam::[0-9]{12}:role/.+$`)
})

// pattern is a member's regular expression as AWS states it, and a
// matcher of the same language.
type pattern struct {
	expr  string
	match func(string) bool
}

func isAlnum(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
}

// allBytes reports whether s is non-empty and every byte passes ok.
func allBytes(s string, ok func(byte) bool) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// isTypeName matches three runs of 2 to 64 alphanumerics joined by "::".
func isTypeName(s string) bool {
	for part := 0; part < 3; part++ {
		n := 0
		for n < len(s) && isAlnum(s[n]) {
			n++
		}
		if n < 2 || n > 64 {
			return false
		}
		s = s[n:]
		if part < 2 {
			rest, ok := strings.CutPrefix(s, "::")
			if !ok {
				return false
			}
			s = rest
		}
	}
	return s == ""
}

type checker struct{ errs []string }

func (c *checker) fail(member string, value *string, sensitive bool, constraint string) {
	v := "null"
	switch {
	case value != nil && sensitive:
		v = ""
	case value != nil:
		v = "'" + *value + "'"
	}
	if v == "" {
		c.errs = append(c.errs, fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", member, constraint))
		return
	}
	c.errs = append(c.errs, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", v, member, constraint))
}

// str checks a string member: required, length bounds (0 = none), pattern.
func (c *checker) str(member string, v *string, required bool, minLen, maxLen int, re *pattern, sensitive bool) {
	if v == nil {
		if required {
			c.fail(member, nil, false, "Member must not be null")
		}
		return
	}
	n := utf8.RuneCountInString(*v)
	switch {
	case minLen > 0 && n < minLen:
		c.fail(member, v, sensitive, fmt.Sprintf("Member must have length greater than or equal to %d", minLen))
	case maxLen > 0 && n > maxLen:
		c.fail(member, v, sensitive, fmt.Sprintf("Member must have length less than or equal to %d", maxLen))
	case re != nil && !re.match(*v):
		c.fail(member, v, sensitive, "Member must satisfy regular expression pattern: "+strings.Trim(re.expr, "^$"))
	}
}

func (c *checker) intRange(member string, v *int32, lo, hi int32) {
	if v == nil {
		return
	}
	s := fmt.Sprint(*v)
	switch {
	case *v < lo:
		c.errs = append(c.errs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d", s, member, lo))
	case *v > hi:
		c.errs = append(c.errs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", s, member, hi))
	}
}

func (c *checker) typeName(v *string) { c.str("typeName", v, true, 10, 196, &reTypeName, false) }

// common checks the optional members every resource operation has.
func (c *checker) common(typeVersionID, roleArn *string) {
	c.str("typeVersionId", typeVersionID, false, 1, 128, &reTypeVersionID, false)
	c.str("roleArn", roleArn, false, 20, 2048, &reRoleArn, false)
}

func (c *checker) clientToken(v *string) { c.str("clientToken", v, false, 1, 128, &reToken, false) }

func (c *checker) err() error {
	switch len(c.errs) {
	case 0:
		return nil
	case 1:
		return errValidation("1 validation error detected: %s", c.errs[0])
	}
	return errValidation("%d validation errors detected: %s", len(c.errs), strings.Join(c.errs, "; "))
}
