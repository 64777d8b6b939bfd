package emulator

import (
	"testing"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/schema"
)

// NewTestServer returns a server with the Cognito handlers plus extra
// ones (which replace a Cognito handler of the same type), closed when
// the test ends.
func NewTestServer(t testing.TB, opts Options, extra ...handler.Handler) *Server {
	t.Helper()
	reg := schema.NewRegistry()
	byType := map[string]handler.Handler{}
	var order []string
	for _, h := range append(cognito.Handlers(reg), extra...) {
		if _, ok := byType[h.TypeName()]; !ok {
			order = append(order, h.TypeName())
		}
		byType[h.TypeName()] = h
	}
	hs := make([]handler.Handler, 0, len(order))
	for _, name := range order {
		hs = append(hs, byType[name])
	}
	s, err := newServer(opts, reg, hs, cognito.Operations())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// Settle waits until the worker has finished every request it has
// started; requests still waiting out a latency are not waited for.
func (s *Server) Settle() { s.core.work.wg.Wait() }

// NewTestServerWithOps is NewTestServer with extra Cognito IdP operations
// (which replace a built-in one of the same name).
func NewTestServerWithOps(t testing.TB, opts Options, ops map[string]cognito.Operation) *Server {
	t.Helper()
	reg := schema.NewRegistry()
	all := cognito.Operations()
	for name, op := range ops {
		all[name] = op
	}
	s, err := newServer(opts, reg, cognito.Handlers(reg), all)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}
