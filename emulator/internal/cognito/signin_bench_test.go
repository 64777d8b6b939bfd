package cognito

import (
	"testing"
)

// BenchmarkSignIn_PasswordAuth is one USER_PASSWORD_AUTH sign-in in
// memory: the verifier check and two RS256 signatures.
func BenchmarkSignIn_PasswordAuth(b *testing.B) {
	t := &testing.T{}
	f := newSigninFixture(t, nil, clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
	f.addUser("alice", "Passw0rd!", nil)
	f.t = t
	for b.Loop() {
		if _, err := f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignIn_SRP is one USER_SRP_AUTH sign-in in memory, the test
// client's exponentiations included.
func BenchmarkSignIn_SRP(b *testing.B) {
	t := &testing.T{}
	f := newSigninFixture(t, nil, clientSpec{})
	f.addUser("alice", "Passw0rd!", nil)
	for b.Loop() {
		if _, err := f.srpSignIn("alice", "Passw0rd!", goodTimestamp); err != nil {
			b.Fatal(err)
		}
	}
}
