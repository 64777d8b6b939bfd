package cognito

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// FuzzModelValidation feeds arbitrary bodies to the model validation of
// every operation of the table: it must not panic, must answer the same
// twice, must leave what is not a JSON object to the operation, and every
// answer must be an InvalidParameterException of well-formed Coral
// violations, as many as it counts.
func FuzzModelValidation(f *testing.F) {
	names := make([]string, 0, len(modelInputs))
	for name := range modelInputs {
		names = append(names, name)
	}
	// A fixed order, so that the corpus's operation numbers keep meaning.
	sortStrings(names)
	for _, body := range []string{
		`{}`, `[`, `null`, `"x"`, `{"UserPoolId":"us-east-1_abc"}`, `{"UserPoolId":"bad id","ClientId":"org-name"}`,
		`{"PoolName":"p","Policies":{"PasswordPolicy":{"MinimumLength":5}},"UserPoolTags":{"":"v"}}`,
		`{"UserPoolId":"us-east-1_abc","Identifier":"api","Name":"n","Scopes":[{"ScopeName":"read all"},null]}`,
		`{"UserPoolId":"us-east-1_abc","ClientName":"c","AllowedOAuthFlows":["code","code","code","x"]}`,
		`{"PoolName":"p","AccountRecoverySetting":{"RecoveryMechanisms":[{"Priority":3,"Name":"admin_only"},{},{}]}}`,
		`{"ClientId":"c","AuthFlow":"X","AuthParameters":{"USERNAME":1}}`,
		`{"MaxResults":1e3}`, `{"MaxResults":-9223372036854775809}`, `{"Limit":1.5}`,
	} {
		for i := range names {
			f.Add(uint8(i), body)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		in := modelInputs[names[int(which)%len(names)]]
		err := validateModelInput(in, []byte(body))
		if again := validateModelInput(in, []byte(body)); fmt.Sprint(again) != fmt.Sprint(err) {
			t.Fatalf("two answers for %q: %v, then %v", body, err, again)
		}
		if err == nil {
			return
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal([]byte(body), &obj) != nil && strings.TrimSpace(body) != "" {
			t.Fatalf("%q is not a JSON object, yet validation answered %v", body, err)
		}
		if err.Type != typeInvalidParameter || err.Status != 400 {
			t.Fatalf("%q: %s %d, want InvalidParameterException 400", body, err.Type, err.Status)
		}
		var n int
		var noun string
		if _, scanErr := fmt.Sscanf(err.Message, "%d validation %s detected: ", &n, &noun); scanErr != nil || n < 1 ||
			(n == 1) != (noun == "error") || strings.Count(err.Message, " failed to satisfy constraint: ") < n ||
			!strings.Contains(err.Message, " detected: Value ") {
			t.Fatalf("%q: malformed message %q", body, err.Message)
		}
	})
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
