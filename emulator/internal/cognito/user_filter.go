package cognito

import (
	"strings"
	"unicode"
)

// userFilter is a parsed ListUsers Filter, `attribute = "value"` (exact)
// or `attribute ^= "value"` (prefix). The zero value matches every user.
type userFilter struct {
	attr   string
	prefix bool
	value  string
}

// filterAttributes are the attributes ListUsers can filter on.
var filterAttributes = []string{
	"username", "email", "phone_number", "name", "given_name", "family_name",
	"preferred_username", "cognito:user_status", "status", "sub",
}

// errFilter is Cognito's answer to a filter it cannot parse.
func errFilter() *APIError { return invalidParameter("Error while parsing filter.") }

// parseUserFilter parses a ListUsers Filter. Blanks around the tokens are
// optional; the value is double-quoted, with \" and \\ escapes.
func parseUserFilter(s string) (userFilter, error) {
	rest := strings.TrimSpace(s)
	if rest == "" {
		return userFilter{}, nil
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || r == '=' || r == '^' })
	if end <= 0 {
		return userFilter{}, errFilter()
	}
	f := userFilter{attr: rest[:end]}
	rest = strings.TrimLeftFunc(rest[end:], unicode.IsSpace)
	switch {
	case strings.HasPrefix(rest, "^="):
		f.prefix = true
		rest = rest[2:]
	case strings.HasPrefix(rest, "="):
		rest = rest[1:]
	default:
		return userFilter{}, errFilter()
	}
	rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
	if !strings.HasPrefix(rest, `"`) {
		return userFilter{}, errFilter()
	}
	var b strings.Builder
	i := 1
	closed := false
	for i < len(rest) {
		c := rest[i]
		if c == '\\' && i+1 < len(rest) {
			b.WriteByte(rest[i+1])
			i += 2
			continue
		}
		if c == '"' {
			closed = true
			i++
			break
		}
		b.WriteByte(c)
		i++
	}
	if !closed || strings.TrimSpace(rest[i:]) != "" {
		return userFilter{}, errFilter()
	}
	if !contains(filterAttributes, f.attr) {
		return userFilter{}, invalidParameter("Invalid search attribute: %s", f.attr)
	}
	f.value = b.String()
	return f, nil
}

// matches reports whether u passes the filter.
func (f userFilter) matches(u *user) bool {
	if f.attr == "" {
		return true
	}
	var got string
	fold := false
	switch f.attr {
	case "username":
		got = u.Username
	case "cognito:user_status":
		got, fold = u.Status, true
	case "status":
		got = "Disabled"
		if u.Enabled {
			got = "Enabled"
		}
	default:
		var ok bool
		if got, ok = u.attr(f.attr); !ok {
			return false
		}
	}
	want := f.value
	if fold {
		got, want = strings.ToLower(got), strings.ToLower(want)
	}
	if f.prefix {
		return strings.HasPrefix(got, want)
	}
	return got == want
}
