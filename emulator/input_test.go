package emulator

import (
	"regexp"
	"testing"
)

// The hand-written matchers must accept exactly the language of the
// patterns AWS states (which the error messages quote).
var allPatterns = map[string]*pattern{
	"typeName":      &reTypeName,
	"token":         &reToken,
	"typeVersionId": &reTypeVersionID,
	"roleArn":       &reRoleArn,
	"nextToken":     &reNextToken,
}

func checkPattern(t *testing.T, name string, p *pattern, s string) {
	t.Helper()
	want := regexp.MustCompile(p.expr).MatchString(s)
	if got := p.match(s); got != want {
		t.Errorf("%s matcher(%q) = %v, regexp %s says %v", name, s, got, p.expr, want)
	}
}

func TestPatterns(t *testing.T) {
	inputs := []string{
		"", "a", "AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient", "A::Co::Us", "AW::Co::Us", "AWS::Cognito",
		"AWS::Cognito::UserPool::X", "AWS:Cognito::UserPool", "AWS::Cognito::User-Pool", "AWS::::UserPool",
		"AWS::Cognito::" + string(make([]byte, 0)) + "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd",
		"AWS::Cognito::abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcde",
		"11111111-2222-3333-4444-555555555555", "abc+/=", "abc def", "abc\n", "line\nline", "ünï", "v1", "v-1_",
		"arn:aws:iam::123456789012:role/x", "arn:aws:iam::12345678901:role/x", "arn::iam::123456789012:role/x",
		"arn:aws-cn:iam::123456789012:role/path/x", "arn:aws:iam::123456789012:role/", "xarn:aws:iam::123456789012:role/x",
	}
	for name, p := range allPatterns {
		for _, s := range inputs {
			checkPattern(t, name, p, s)
		}
	}
}

func FuzzPatterns(f *testing.F) {
	for _, s := range []string{"AWS::Cognito::UserPool", "abc+/=", "arn:aws:iam::123456789012:role/x", "a\nb", "A::B::C"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, p := range allPatterns {
			checkPattern(t, name, p, s)
		}
	})
}
