package iql_test

import (
	"os"
	"testing"

	"github.com/ccql/ccql/internal/iql"
)

// BenchmarkParse parses the seed page's four statements (Split included),
// the work a one-statement `ccql exec` does before it touches SQLite.
func BenchmarkParse(b *testing.B) {
	src, err := os.ReadFile("testdata/parse/seed.iql")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		pieces, err := iql.Split(string(src))
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range pieces {
			if _, err := p.Parse(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
