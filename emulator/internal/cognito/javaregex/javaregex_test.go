package javaregex_test

import (
	"regexp"
	"testing"

	"github.com/ccql/ccql/emulator/internal/cognito/javaregex"
)

// TestTranslate checks translations against what java.util.regex's
// matches() answers for the same pattern and input.
func TestTranslate(t *testing.T) {
	cases := []struct {
		pattern, input string
		java           bool
	}{
		{`[\w\s+=,.@-]+`, "a\vb", true}, // Java's \s includes \x0B
		{`[\w\s+=,.@-]+`, "a b", true},
		{`[\w\s+=,.@-]+`, "a!b", false},
		{`[\S]+`, "a\vb", false},
		{`[\S]+`, "ab", true},
		{`[\S]+`, "a b", false},
		{`\S+\s\S+`, "a\vb", true},
		{`.*\{####\}.*`, "code {####}", true},
		{`.*\{####\}.*`, "a\rb {####}", false}, // . stops at every line terminator
		{`.*\{####\}.*`, "a\u2028b {####}", false},
		{`.*\{####\}.*`, "a\u00e9 {####}", true},
		{`(?s).*`, "a\r\nb", true},
		{`^[0-9A-Za-z\.\-_]*(?<!\.)$`, "bucket.name", true},
		{`^[0-9A-Za-z\.\-_]*(?<!\.)$`, "bucket.", false},
		{`^[0-9A-Za-z\.\-_]*(?<!\.)$`, "", true},
		{`[\p{L}\p{M}\p{S}\p{N}\p{P}]+`, "ünïcödé!", true},
		{`[\p{L}\p{M}\p{S}\p{N}\p{P}]+`, "a b", false},
		{`[]a]+`, "]a", true},
		{`[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+`, "Google", true},
		{`[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+`, "_oogle", false},
	}
	for _, c := range cases {
		re, ok := javaregex.Translate(c.pattern)
		if !ok {
			t.Errorf("Translate(%q) failed", c.pattern)
			continue
		}
		if got := regexp.MustCompile(`^(?:` + re + `)$`).MatchString(c.input); got != c.java {
			t.Errorf("%q (as %q) on %q: %t, Java says %t", c.pattern, re, c.input, got, c.java)
		}
	}
}

// TestTranslate_Unsupported: what has no faithful RE2 form is refused,
// not approximated.
func TestTranslate_Unsupported(t *testing.T) {
	for _, p := range []string{`a(?=b)`, `(?<!x)y`, `a++`, `(a)\1`, `[a-z&&[^e]]`, `(?i)abc`, `[a\Sb]`, `\Qa.b\E`, `[abc`} {
		if re, ok := javaregex.Translate(p); ok {
			t.Errorf("Translate(%q) = %q, want no translation", p, re)
		}
	}
}

// FuzzTranslate: translating any pattern never panics, and a pattern it
// accepts compiles in Go as the full-match form its callers build.
func FuzzTranslate(f *testing.F) {
	for _, s := range []string{`[\w\s+=,.@-]+`, `[\S]+`, `.*\{####\}.*`, `(?s).*`, `^[0-9A-Za-z\.\-_]*(?<!\.)$`,
		`[\p{L}\p{M}\p{S}\p{N}\p{P}]+`, `a++`, `(?=x)`, `\Q.\E`, `[`, `\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		out, ok := javaregex.Translate(p)
		if !ok {
			return
		}
		if _, err := regexp.Compile(`^(?:` + out + `)$`); err != nil {
			t.Fatalf("Translate(%q) = %q, which does not compile: %v", p, out, err)
		}
	})
}
