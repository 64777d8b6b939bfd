package cognito

import (
	"strings"
	"testing"
)

func TestParseUserFilter(t *testing.T) {
	cases := []struct {
		in     string
		want   userFilter
		errMsg string
	}{
		{``, userFilter{}, ""},
		{`   `, userFilter{}, ""},
		{`email = "a@example.com"`, userFilter{attr: "email", value: "a@example.com"}, ""},
		{`email="a@example.com"`, userFilter{attr: "email", value: "a@example.com"}, ""},
		{`family_name ^= "Sm"`, userFilter{attr: "family_name", prefix: true, value: "Sm"}, ""},
		{`name^="Jo"`, userFilter{attr: "name", prefix: true, value: "Jo"}, ""},
		{`username = "a \"quoted\" name"`, userFilter{attr: "username", value: `a "quoted" name`}, ""},
		{`username = "back\\slash"`, userFilter{attr: "username", value: `back\slash`}, ""},
		{`cognito:user_status = "UNCONFIRMED"`, userFilter{attr: "cognito:user_status", value: "UNCONFIRMED"}, ""},
		{`email = ""`, userFilter{attr: "email", value: ""}, ""},
		{`email = unquoted`, userFilter{}, "Error while parsing filter."},
		{`email = "open`, userFilter{}, "Error while parsing filter."},
		{`email == "x"`, userFilter{}, "Error while parsing filter."},
		{`email != "x"`, userFilter{}, "Error while parsing filter."},
		{`email = "x" trailing`, userFilter{}, "Error while parsing filter."},
		{`= "x"`, userFilter{}, "Error while parsing filter."},
		{`email`, userFilter{}, "Error while parsing filter."},
		{`custom:plan = "x"`, userFilter{}, "Invalid search attribute: custom:plan"},
		{`address = "x"`, userFilter{}, "Invalid search attribute: address"},
	}
	for _, c := range cases {
		got, err := parseUserFilter(c.in)
		if c.errMsg != "" {
			wantAPIError(t, err, typeInvalidParameter, c.errMsg)
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("parseUserFilter(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func TestUserFilterMatches(t *testing.T) {
	u := &user{Username: "Alice", Status: statusConfirmed, Enabled: true,
		Attributes: map[string]string{"email": "alice@example.com", "sub": "abc", "given_name": "Alice"}}
	cases := []struct {
		filter string
		want   bool
	}{
		{`username = "Alice"`, true},
		{`username = "alice"`, false}, // user names compare exactly
		{`username ^= "Al"`, true},
		{`email ^= "alice@"`, true},
		{`email = "alice@example.co"`, false},
		{`phone_number ^= ""`, false}, // a missing attribute never matches
		{`cognito:user_status = "confirmed"`, true},
		{`status = "Enabled"`, true},
		{`status = "enabled"`, false},
		{`sub = "abc"`, true},
		{`given_name = "Alice"`, true},
	}
	for _, c := range cases {
		f, err := parseUserFilter(c.filter)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.matches(u); got != c.want {
			t.Errorf("%s matches = %v, want %v", c.filter, got, c.want)
		}
	}
}

// FuzzParseUserFilter checks that the parser never panics, accepts only
// filterable attributes, and that an accepted filter, written back in the
// canonical form, parses to the same filter.
func FuzzParseUserFilter(f *testing.F) {
	for _, s := range []string{``, `email = "a"`, `name ^= "x\"y"`, `username="\\"`, `sub = "`, `cognito:user_status ^= "U"`, "email\t=\t\"x\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseUserFilter(s)
		if err != nil {
			if _, ok := err.(*APIError); !ok {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		if got.attr == "" {
			if strings.TrimSpace(s) != "" {
				t.Fatalf("%q parsed as the empty filter", s)
			}
			return
		}
		if !contains(filterAttributes, got.attr) {
			t.Fatalf("%q: attribute %q accepted", s, got.attr)
		}
		op := " = "
		if got.prefix {
			op = " ^= "
		}
		esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(got.value)
		again, err := parseUserFilter(got.attr + op + `"` + esc + `"`)
		if err != nil || again != got {
			t.Fatalf("%q → %+v; canonical form → %+v, %v", s, got, again, err)
		}
	})
}
