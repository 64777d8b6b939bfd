package cfnschema_test

import (
	"testing"

	"github.com/ccql/ccql/internal/cfnschema"
	"github.com/ccql/ccql/internal/schema"
)

// TestCompile_everySchema compiles every provisionable schema of the
// embedded registry with all its patterns, and checks that the minimal
// example of each validates.
func TestCompile_everySchema(t *testing.T) {
	reg := schema.NewFullRegistry()
	names := reg.TypeNames()
	if len(names) < 1490 {
		t.Fatalf("registry has %d types, want at least 1490", len(names))
	}
	noExample := 0
	for _, tn := range names {
		res, err := reg.Lookup(tn)
		if err != nil {
			t.Fatal(err)
		}
		s, err := cfnschema.Compile(res.Raw)
		if err != nil {
			t.Errorf("%s: %v", tn, err)
			continue
		}
		if err := s.CheckPatterns(); err != nil {
			t.Errorf("%s: %v", tn, err)
		}
		ex, err := s.Example(cfnschema.ExampleOptions{})
		if err != nil {
			noExample++
			t.Logf("%s: example: %v", tn, err)
			continue
		}
		if msgs := s.Validate(ex); len(msgs) > 0 {
			noExample++
			t.Logf("%s: example %v does not validate: %v", tn, ex, msgs)
		}
	}
	t.Logf("%d types, %d without a valid example", len(names), noExample)
}
