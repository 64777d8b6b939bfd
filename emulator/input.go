package emulator

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Input constraints of the Cloud Control model. Violations are answered
// synchronously with a ValidationException in Coral's words, before any
// type lookup, as AWS does.
var (
	reTypeName      = regexp.MustCompile(`^[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}$`)
	reToken         = regexp.MustCompile(`^[-A-Za-z0-9+/=]+$`)
	reTypeVersionID = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
	reRoleArn       = regexp.MustCompile(`^arn:.+:iam::[0-9]{12}:role/.+$`)
	reNextToken     = regexp.MustCompile(`^.+$`)
)

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
func (c *checker) str(member string, v *string, required bool, minLen, maxLen int, re *regexp.Regexp, sensitive bool) {
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
	case re != nil && !re.MatchString(*v):
		c.fail(member, v, sensitive, "Member must satisfy regular expression pattern: "+strings.Trim(re.String(), "^$"))
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

func (c *checker) typeName(v *string) { c.str("typeName", v, true, 10, 196, reTypeName, false) }

// common checks the optional members every resource operation has.
func (c *checker) common(typeVersionID, roleArn *string) {
	c.str("typeVersionId", typeVersionID, false, 1, 128, reTypeVersionID, false)
	c.str("roleArn", roleArn, false, 20, 2048, reRoleArn, false)
}

func (c *checker) clientToken(v *string) { c.str("clientToken", v, false, 1, 128, reToken, false) }

func (c *checker) err() error {
	switch len(c.errs) {
	case 0:
		return nil
	case 1:
		return errValidation("1 validation error detected: %s", c.errs[0])
	}
	return errValidation("%d validation errors detected: %s", len(c.errs), strings.Join(c.errs, "; "))
}
