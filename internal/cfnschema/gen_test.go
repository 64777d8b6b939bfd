package cfnschema_test

import (
	"errors"
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/ccql/ccql/internal/cfnschema"
)

func TestGenerateString(t *testing.T) {
	tests := []struct {
		spec cfnschema.StringSpec
		want string // for the deterministic attempt; "" to check only validity
	}{
		{cfnschema.StringSpec{}, "abcdefgh"},
		{cfnschema.StringSpec{MinLength: 10}, "abcdefghij"},
		{cfnschema.StringSpec{MaxLength: 3}, "abc"},
		{cfnschema.StringSpec{Pattern: `^[0-9]{12}$`}, "000000000000"},
		{cfnschema.StringSpec{Pattern: `^fleet-[0-9a-f]{8}$`}, "fleet-aaaaaaaa"},
		{cfnschema.StringSpec{Pattern: `^sp-[0-9a-f]{32}$`}, ""},
		{cfnschema.StringSpec{Pattern: `^[a-zA-Z0-9-]+$`, MinLength: 5, MaxLength: 20}, ""},
		{cfnschema.StringSpec{Pattern: `^(?!aws:)[a-z:]+$`, MinLength: 4}, ""},
		{cfnschema.StringSpec{Pattern: `^(?!\s*$)[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDBFF-\uDC00\uDFFF\t]*$`, MinLength: 1, MaxLength: 128}, ""},
		{cfnschema.StringSpec{Pattern: `^[a-zA-Z0-9-]+{1,255}$`}, ""},
		{cfnschema.StringSpec{Pattern: `arn:[a-z0-9-\.]{1,63}:[a-z0-9-\.]{0,63}:[^/].{0,1023}`, MinLength: 20}, ""},
		{cfnschema.StringSpec{Pattern: `\A[0-9a-zA-Z-_]+\Z`}, ""},
		{cfnschema.StringSpec{Pattern: `^(ON|OFF)$`}, "ON"},
		{cfnschema.StringSpec{Pattern: `[a-z]`, MinLength: 6}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.spec.Pattern, func(t *testing.T) {
			check := func(s string) {
				t.Helper()
				n := utf8.RuneCountInString(s)
				if n < tt.spec.MinLength || tt.spec.MaxLength > 0 && n > tt.spec.MaxLength {
					t.Errorf("%q has length %d, want %d..%d", s, n, tt.spec.MinLength, tt.spec.MaxLength)
				}
				if tt.spec.Pattern != "" {
					p, err := cfnschema.CompilePattern(tt.spec.Pattern)
					if err != nil {
						t.Fatal(err)
					}
					if !p.MatchString(s) {
						t.Errorf("%q does not match %s", s, tt.spec.Pattern)
					}
				}
			}
			got, err := cfnschema.GenerateString(tt.spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("GenerateString = %q, want %q", got, tt.want)
			}
			check(got)
			rnd := rand.New(rand.NewPCG(7, 8))
			for range 20 {
				s, err := cfnschema.GenerateString(tt.spec, rnd)
				if err != nil {
					t.Fatal(err)
				}
				check(s)
			}
		})
	}
}

func TestGenerateString_impossible(t *testing.T) {
	_, err := cfnschema.GenerateString(cfnschema.StringSpec{Pattern: `^[a-z]{5}$`, MaxLength: 3}, nil)
	if !errors.Is(err, cfnschema.ErrNoString) {
		t.Errorf("err = %v, want ErrNoString", err)
	}
}

func FuzzCompilePattern(f *testing.F) {
	for _, s := range []string{`^[a-z]+$`, `^(?!aws:).*$`, `[\p{Graph}\x20]*`, `^[a-z]+{1,5}$`, `[\uD800\uDC00-\uDBFF\uDFFF]`, `\A\Z`, `x{2000}`} {
		f.Add(s, "abc")
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		p, err := cfnschema.CompilePattern(pattern)
		if err != nil {
			return
		}
		_ = p.MatchString(s)
		if len(pattern) > 64 {
			return
		}
		if g, err := cfnschema.GenerateString(cfnschema.StringSpec{Pattern: pattern, MaxLength: 64}, nil); err == nil && !p.MatchString(g) {
			t.Errorf("generated %q does not match %q", g, pattern)
		}
	})
}
