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
	index := map[string]uint8{}
	for i, name := range names {
		index[name] = uint8(i)
	}
	// Seeds (the interesting ones are in testdata/fuzz/FuzzModelValidation
	// too): each body with the operation it was written for.
	for _, seed := range []struct{ op, body string }{
		{"CreateUserPool", `{}`}, {"CreateUserPool", `[`}, {"CreateUserPool", `null`}, {"DeleteUserPool", `"x"`},
		{"DescribeUserPoolClient", `{"UserPoolId":"bad id","ClientId":"org-name"}`},
		{"CreateUserPool", `{"PoolName":"p","Policies":{"PasswordPolicy":{"MinimumLength":5}},"UserPoolTags":{"":"v"}}`},
		{"CreateResourceServer", `{"UserPoolId":"us-east-1_abc","Identifier":"api","Name":"n","Scopes":[{"ScopeName":"read all"},null]}`},
		{"CreateUserPoolClient", `{"UserPoolId":"us-east-1_abc","ClientName":"c","AllowedOAuthFlows":["code","code","code","x"]}`},
		{"CreateUserPool", `{"PoolName":"p","AccountRecoverySetting":{"RecoveryMechanisms":[{"Priority":3,"Name":"admin_only"},{},{}]}}`},
		{"InitiateAuth", `{"ClientId":"c","AuthFlow":"X","AuthParameters":{"USERNAME":1}}`},
		{"ListUserPools", `{"MaxResults":1e3}`}, {"ListUserPools", `{"MaxResults":-9223372036854775809}`}, {"ListGroups", `{"UserPoolId":"us-east-1_abc","Limit":1.5}`},
		{"CreateTerms", `{"UserPoolId":"us-east-1_abc","ClientId":"c","TermsName":"x","TermsSource":"LINK","Enforcement":"NONE","Links":{"cognito:x":""}}`},
		{"SetUICustomization", `{"UserPoolId":"us-east-1_abc","ImageFile":"AAAA","CSS":""}`},
	} {
		f.Add(index[seed.op], seed.body)
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
