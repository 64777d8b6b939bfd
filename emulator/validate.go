package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ccql/ccql/internal/cfnschema"
	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/schema"
)

// typeInfo is what the core needs about one registered resource type.
type typeInfo struct {
	h          handler.Handler
	res        *schema.Resource
	model      *cfnschema.Schema // the resource schema
	listModel  *cfnschema.Schema // the list handler's ResourceModel (nil without a list handler)
	idProps    []string          // primary identifier, property names in order
	idPaths    [][]string        // the same as paths, for handler.Identifier
	readOnly   [][]string        // property paths split under /properties, e.g. ["ClientId"]
	createOnly [][]string
	writeOnly  [][]string
	propOrder  map[string]int // top-level property -> schema position
}

// newTypeInfo compiles res; the caller sets the handler.
func newTypeInfo(res *schema.Resource) (*typeInfo, error) {
	ti := &typeInfo{res: res, idProps: res.IdentifierProperties(), idPaths: handler.SplitPaths(res.PrimaryIdentifier), propOrder: map[string]int{}}
	for i, p := range res.Properties {
		ti.propOrder[p.Name] = i
	}
	ti.readOnly = handler.SplitPaths(res.ReadOnly)
	ti.createOnly = handler.SplitPaths(res.CreateOnly)
	ti.writeOnly = handler.SplitPaths(res.WriteOnly)
	model, err := cfnschema.Compile(res.Raw)
	if err != nil {
		return nil, fmt.Errorf("schema of %s: %w", res.TypeName, err)
	}
	ti.model = model
	if list, ok := res.Handlers["list"]; ok {
		// The list handler's schema: the resource's properties, none
		// required but the handler's own, any other key allowed, no
		// document-level combinators (they speak of whole models).
		ti.listModel = model.ForList(list.Required)
	}
	return ti, nil
}

func joinPath(p []string) string { return "/properties/" + strings.Join(p, "/") }

// validate checks a model (JSON text) against s and returns the violations
// in the grammar of CloudFormation's validator (everit), sorted, or nil.
func validate(s *cfnschema.Schema, doc []byte) ([]string, error) {
	return s.ValidateJSON(doc)
}

// modelValidationError formats violations as Cloud Control does.
func modelValidationError(msgs []string) error {
	return errValidation("Model validation failed (%s)", strings.Join(msgs, "\n"))
}

// decodeObject parses a JSON object, keeping numbers exact as json.Number
// is not what handlers expect: float64 for numbers, as encoding/json does.
func decodeObject(s string) (map[string]any, error) {
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF { // More is false before a stray '}'
		return nil, errors.New("trailing data after the JSON object")
	}
	if m == nil {
		return nil, errors.New("not a JSON object")
	}
	return m, nil
}
