package emulator

import (
	"testing"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/schema"
	"github.com/ccql/ccql/internal/store"
)

// TestCore_handWrittenTypesCompile resolves every hand-written type the way
// the first request would, since the core no longer does it at start.
func TestCore_handWrittenTypesCompile(t *testing.T) {
	reg := schema.NewFullRegistry()
	hs := cognito.Handlers(reg)
	st, err := store.Open(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := newCore(st, reg, hs, Options{})
	for _, h := range hs {
		ti, err := c.typeInfo(h.TypeName())
		if err != nil {
			t.Errorf("%s: %v", h.TypeName(), err)
			continue
		}
		if ti.h != h {
			t.Errorf("%s: resolved to %T, want the hand-written handler", h.TypeName(), ti.h)
		}
	}
}
