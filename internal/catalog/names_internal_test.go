package catalog

import (
	"testing"

	"github.com/ccql/ccql/internal/schema"
)

// TestNamesData_complete: every provisionable type of the embedded archive
// has its precomputed line in awscc.tsv. A type missing there would still
// get a name (derived at start-up, the slow path), so only this test sees
// a stale file.
func TestNamesData_complete(t *testing.T) {
	names, err := parseNames(namesData)
	if err != nil {
		t.Fatal(err)
	}
	reg := schema.NewFullRegistry()
	missing := 0
	for _, tn := range reg.TypeNames() {
		r, err := reg.Lookup(tn)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := names[tn]; Provisionable(r) && !ok {
			missing++
			if missing <= 10 {
				t.Errorf("%s is not in awscc.tsv (run go generate ./internal/catalog/...)", tn)
			}
		}
	}
	if missing > 10 {
		t.Errorf("… and %d more", missing-10)
	}
}
