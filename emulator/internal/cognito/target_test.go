package cognito_test

import (
	"testing"

	"github.com/ccql/ccql/emulator/internal/cognito"
)

// TestTargetOf: the pool or client an unsigned request is routed by is
// read with the operations' own rule, member names matched exactly, so a
// request is never routed by a member its operation ignores.
func TestTargetOf(t *testing.T) {
	cases := []struct {
		body string
		want cognito.CallTarget
	}{
		{`{"ClientId":"abc123"}`, cognito.CallTarget{ClientID: "abc123"}},
		{`{"clientid":"abc123"}`, cognito.CallTarget{}},
		{`{"CLIENTID":"abc123","ClientId":"def456"}`, cognito.CallTarget{ClientID: "def456"}},
		{`not json`, cognito.CallTarget{}},
		{`{}`, cognito.CallTarget{}},
	}
	for _, tc := range cases {
		if got := cognito.TargetOf([]byte(tc.body)); got != tc.want {
			t.Errorf("TargetOf(%s) = %+v, want %+v", tc.body, got, tc.want)
		}
	}
}
