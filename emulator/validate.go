package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/schema"
)

// typeInfo is what the core needs about one registered resource type.
type typeInfo struct {
	h          handler.Handler
	res        *schema.Resource
	model      *jsonschema.Schema // the resource schema
	listModel  *jsonschema.Schema // the list handler's ResourceModel (nil without a list handler)
	idProps    []string           // primary identifier, property names in order
	readOnly   [][]string         // property paths split under /properties, e.g. ["ClientId"]
	createOnly [][]string
	writeOnly  [][]string
	propOrder  map[string]int // top-level property -> schema position
}

func newTypeInfo(h handler.Handler, res *schema.Resource) (*typeInfo, error) {
	ti := &typeInfo{h: h, res: res, idProps: res.IdentifierProperties(), propOrder: map[string]int{}}
	for i, p := range res.Properties {
		ti.propOrder[p.Name] = i
	}
	ti.readOnly = splitPaths(res.ReadOnly)
	ti.createOnly = splitPaths(res.CreateOnly)
	ti.writeOnly = splitPaths(res.WriteOnly)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(res.Raw))
	if err != nil {
		return nil, fmt.Errorf("schema of %s: %w", res.TypeName, err)
	}
	if ti.model, err = compileSchema(schemaURL(res.TypeName, "resource"), doc); err != nil {
		return nil, err
	}
	if list, ok := res.Handlers["list"]; ok {
		// The list handler's schema: the resource's properties, none
		// required but the handler's own, any other key allowed.
		ldoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(res.Raw))
		if err != nil {
			return nil, fmt.Errorf("schema of %s: %w", res.TypeName, err)
		}
		m, _ := ldoc.(map[string]any)
		delete(m, "additionalProperties")
		req := make([]any, len(list.Required))
		for i, r := range list.Required {
			req[i] = r
		}
		m["required"] = req
		if ti.listModel, err = compileSchema(schemaURL(res.TypeName, "list"), m); err != nil {
			return nil, err
		}
	}
	return ti, nil
}

// schemaURL names a compiled schema; nothing is fetched from it.
func schemaURL(typeName, kind string) string {
	return "https://schemas.ccql.invalid/" + strings.ReplaceAll(typeName, "::", "-") + "/" + kind + ".json"
}

func compileSchema(url string, doc any) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.UseRegexpEngine(compileRegexp)
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("schema %s: %w", url, err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("compile schema %s: %w", url, err)
	}
	return s, nil
}

// compileRegexp uses RE2 when it can (linear time) and the ECMAScript
// engine for the patterns RE2 rejects (look-arounds in CFN schemas).
func compileRegexp(s string) (jsonschema.Regexp, error) {
	if re, err := regexp.Compile(s); err == nil {
		return re, nil
	}
	re, err := regexp2.Compile(s, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	return (*ecmaRegexp)(re), nil
}

type ecmaRegexp regexp2.Regexp

func (re *ecmaRegexp) MatchString(s string) bool {
	ok, err := (*regexp2.Regexp)(re).MatchString(s)
	return err == nil && ok
}

func (re *ecmaRegexp) String() string { return (*regexp2.Regexp)(re).String() }

func splitPaths(paths []string) [][]string {
	var out [][]string
	for _, p := range paths {
		rest, ok := strings.CutPrefix(p, "/properties/")
		if !ok {
			continue
		}
		out = append(out, strings.Split(rest, "/"))
	}
	return out
}

func joinPath(p []string) string { return "/properties/" + strings.Join(p, "/") }

// validate checks a model (JSON text) against s and returns the violations
// in the grammar of CloudFormation's validator (everit), sorted, or nil.
func validate(s *jsonschema.Schema, doc []byte) ([]string, error) {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, err
	}
	err = s.Validate(inst)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	var msgs []string
	collect(ve, inst, &msgs)
	sort.Strings(msgs)
	msgs = dedupe(msgs)
	if len(msgs) == 0 {
		msgs = []string{"#: failed validation constraint for keyword [schema]"}
	}
	return msgs, nil
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func pointer(loc []string) string {
	if len(loc) == 0 {
		return "#"
	}
	return "#/" + strings.Join(loc, "/")
}

// collect walks the error tree and translates its leaves.
func collect(ve *jsonschema.ValidationError, inst any, out *[]string) {
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			collect(c, inst, out)
		}
		return
	}
	at := pointer(ve.InstanceLocation)
	switch k := ve.ErrorKind.(type) {
	case *kind.Required:
		for _, m := range k.Missing {
			*out = append(*out, fmt.Sprintf("%s: required key [%s] not found", at, m))
		}
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			*out = append(*out, fmt.Sprintf("%s: extraneous key [%s] is not permitted", at, p))
		}
	case *kind.Type:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = everitType(w)
		}
		w := strings.Join(want, ", ")
		if len(want) > 1 {
			w = "one of [" + w + "]"
		}
		got := everitType(k.Got)
		if n, ok := instanceAt(inst, ve.InstanceLocation).(json.Number); ok {
			if _, err := n.Int64(); err == nil {
				got = "Integer" // the validator says "number" for 5
			}
		}
		*out = append(*out, fmt.Sprintf("%s: expected type: %s, found: %s", at, w, got))
	case *kind.MinLength:
		*out = append(*out, fmt.Sprintf("%s: expected minLength: %d, actual: %d", at, k.Want, k.Got))
	case *kind.MaxLength:
		*out = append(*out, fmt.Sprintf("%s: expected maxLength: %d", at, k.Want))
	case *kind.MinItems:
		*out = append(*out, fmt.Sprintf("%s: expected minimum item count: %d, found: %d", at, k.Want, k.Got))
	case *kind.MaxItems:
		*out = append(*out, fmt.Sprintf("%s: expected maximum item count: %d, found: %d", at, k.Want, k.Got))
	case *kind.MinProperties:
		*out = append(*out, fmt.Sprintf("%s: minimum size: [%d], found: [%d]", at, k.Want, k.Got))
	case *kind.MaxProperties:
		*out = append(*out, fmt.Sprintf("%s: maximum size: [%d], found: [%d]", at, k.Want, k.Got))
	case *kind.FalseSchema:
		*out = append(*out, fmt.Sprintf("%s: extraneous key is not permitted", at))
	default:
		kw := "schema"
		if p := ve.ErrorKind.KeywordPath(); len(p) > 0 {
			kw = p[0]
		}
		*out = append(*out, fmt.Sprintf("%s: failed validation constraint for keyword [%s]", at, kw))
	}
}

// instanceAt returns the value at an instance location, nil if absent.
func instanceAt(v any, loc []string) any {
	for _, t := range loc {
		switch x := v.(type) {
		case map[string]any:
			v = x[t]
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func everitType(t string) string {
	switch t {
	case "string":
		return "String"
	case "integer":
		return "Integer"
	case "number":
		return "Number"
	case "boolean":
		return "Boolean"
	case "object":
		return "JSONObject"
	case "array":
		return "JSONArray"
	case "null":
		return "Null"
	}
	return t
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
	if dec.More() {
		return nil, errors.New("trailing data after the JSON object")
	}
	if m == nil {
		return nil, errors.New("not a JSON object")
	}
	return m, nil
}
