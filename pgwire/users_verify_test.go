package pgwire_test

import (
	"strings"
	"testing"

	"github.com/ccql/ccql/pgwire"
)

func TestUsersVerify(t *testing.T) {
	line, err := pgwire.UsersLine("alice", "s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	u, err := pgwire.ParseUsers(strings.NewReader(line))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, password string
		want           bool
	}{
		{"alice", "s3cret-pass", true},
		{"alice", "s3cret-pasS", false},
		{"alice", "", false},
		{"bob", "s3cret-pass", false},
	} {
		if got := u.Verify(tc.name, tc.password); got != tc.want {
			t.Errorf("Verify(%q, %q) = %v, want %v", tc.name, tc.password, got, tc.want)
		}
	}
	var none *pgwire.Users
	if none.Verify("alice", "s3cret-pass") {
		t.Error("a nil Users verified a password")
	}
}
