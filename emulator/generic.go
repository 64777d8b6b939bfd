package emulator

import (
	"errors"
	"fmt"

	"github.com/ccql/ccql/emulator/internal/generic"
	"github.com/ccql/ccql/internal/cfnschema"
	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/schema"
)

// handlerSource finds the handler of a type name when it is first used: a
// hand-written one (the Cognito family) when registered, else the generic,
// schema-driven handler of any type the registry has. Resolving lazily
// keeps startup independent of the 1,490 types: a process that touches
// one type compiles one schema.
type handlerSource struct {
	reg  *schema.Registry
	hand map[string]handler.Handler
}

func newHandlerSource(reg *schema.Registry, hand []handler.Handler) *handlerSource {
	s := &handlerSource{reg: reg, hand: make(map[string]handler.Handler, len(hand))}
	for _, h := range hand {
		s.hand[h.TypeName()] = h // a later handler of the same type wins
	}
	return s
}

// errNoSuchType is returned (wrapped) by resource for a type the registry
// does not have; the core answers TypeNotFoundException.
var errNoSuchType = errors.New("no such type")

// resource returns the schema of typeName.
func (s *handlerSource) resource(typeName string) (*schema.Resource, error) {
	res, err := s.reg.Lookup(typeName)
	if errors.Is(err, schema.ErrTypeNotFound) {
		return nil, fmt.Errorf("%w: %s", errNoSuchType, typeName)
	}
	if err != nil {
		return nil, fmt.Errorf("schema of %s: %w", typeName, err)
	}
	return res, nil
}

// handlerFor returns the handler of a type whose schema the core has
// compiled (sch): the hand-written one when registered, else the generic
// handler sharing sch.
func (s *handlerSource) handlerFor(res *schema.Resource, sch *cfnschema.Schema) handler.Handler {
	if h, ok := s.hand[res.TypeName]; ok {
		return h
	}
	return generic.NewWithSchema(res, sch)
}
