package cognito

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/ccql/ccql/internal/handler"
)

// The input constraints of every operation of the cognito-idp model
// (model_constraints_gen.go) are generated from botocore's service model;
// see constraintgen's doc comment for where it comes from.
//go:generate go run ./constraintgen -model=$COGNITO_IDP_MODEL -source botocore/data/cognito-idp/2016-04-18/service-2.json.gz -out model_constraints_gen.go

// A modelKind is the type of a model shape.
type modelKind uint8

const (
	kString modelKind = iota
	kInt
	kFloat
	kBool
	kBlob
	kTimestamp
	kList
	kMap
	kStruct
	kDocument
)

// A modelShape is one shape of the model with the constraints Coral checks.
type modelShape struct {
	name           string
	kind           modelKind
	min, max       int64 // string/blob length, list/map size, number range
	hasMin, hasMax bool
	pattern        int // index in modelPatterns; 0 is none
	enum           []string
	sensitive      bool
	elem           int // a list's member, a map's value
	key            int // a map's key
	members        []modelMember
}

// A modelMember is a member of a structure: its wire name, its name in
// messages (lowerCamelCase, as Coral prints it), its shape and whether the
// model requires it.
type modelMember struct {
	name     string
	path     string
	shape    int
	required bool
}

// A modelPattern is a member pattern: the model's text, printed in
// messages, and the RE2 translation that enforces it, compiled on first
// use. A pattern without a translation is not enforced.
type modelPattern struct {
	text string
	re   func() *regexp.Regexp
}

func newModelPattern(text, re string) modelPattern {
	if re == "" {
		return modelPattern{text: text}
	}
	return modelPattern{text: text, re: sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?:` + re + `)$`)
	})}
}

// validateInputs makes every operation the model describes validate its
// request against the model's input constraints before it runs, as the
// service front end does: a violation is an InvalidParameterException
// naming all of them, and the operation does not run. The operations
// check their own members too (cross-member rules, and the replica
// operations, which the model predates); on a request that passes the
// model's constraints those checks see what they always saw.
func validateInputs(ops map[string]Operation) {
	for name, op := range ops {
		in, ok := modelInputs[name]
		if !ok {
			continue
		}
		ops[name] = func(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
			if err := validateModelInput(in, body); err != nil {
				return nil, err
			}
			return op(ctx, env, tx, body)
		}
	}
}

// validateModelInput checks a JSON 1.1 request body against the input
// shape in, returning the InvalidParameterException of its violations, or
// nil. A body that is not a JSON object of the model's member types is
// left to the operation, whose decoding answers the SerializationException
// (Coral deserializes before it validates); so is a request whose
// violations include a value this validator cannot print as Coral does.
func validateModelInput(in int, body []byte) *APIError {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || !atEnd(dec) {
		// Malformed, or content after the value: the operation's
		// decoding answers (decodeBody, which lets a stray '}' or ']'
		// through: json.Decoder.More is false before them).
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	var w modelWalker
	w.structure(&modelShapes[in], obj, "", false)
	if w.abandon {
		return nil
	}
	return w.v.err()
}

// A modelWalker collects the violations of one request. abandon is set
// when the request is left to the operation (a wrong member type, or a
// violating value that cannot be printed faithfully).
type modelWalker struct {
	v       violations
	abandon bool
}

func (w *modelWalker) addValue(value string, sensitive bool, path, constraint string) {
	if sensitive {
		// Coral never prints a sensitive member's value.
		w.v = append(w.v, fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", path, constraint))
		return
	}
	w.v.add(quote(value), path, constraint)
}

func (w *modelWalker) structure(s *modelShape, obj map[string]any, prefix string, sensitive bool) {
	for i := range s.members {
		m := &s.members[i]
		path := prefix + m.path
		val := obj[m.name]
		if val == nil { // absent, or null: Jackson leaves the member null
			if m.required {
				w.v.add("null", path, "Member must not be null")
			}
			continue
		}
		w.value(&modelShapes[m.shape], val, path, sensitive)
		if w.abandon {
			return
		}
	}
}

// printedSensitive are the shapes the model marks sensitive whose values
// Coral prints all the same: AWS answers DescribeUserPoolClient with
// "Value 'org-name' at 'clientId' failed to satisfy constraint: …"
// (reference cloudcontrol-cognito.md B6; pinned in api_test.go).
var printedSensitive = map[string]bool{"ClientIdType": true}

func (w *modelWalker) value(s *modelShape, val any, path string, sensitive bool) {
	sensitive = sensitive || (s.sensitive && !printedSensitive[s.name])
	switch s.kind {
	case kString:
		str, ok := val.(string)
		if !ok {
			w.abandon = true
			return
		}
		for _, c := range s.stringViolations(str) {
			w.addValue(str, sensitive, path, c)
		}
	case kInt:
		n, ok := modelInt(val)
		if !ok {
			w.abandon = true
			return
		}
		text := strconv.FormatInt(n, 10)
		if s.hasMax && n > s.max {
			w.addValue(text, sensitive, path, "Member must have value less than or equal to "+strconv.FormatInt(s.max, 10))
		}
		if s.hasMin && n < s.min {
			w.addValue(text, sensitive, path, "Member must have value greater than or equal to "+strconv.FormatInt(s.min, 10))
		}
	case kFloat:
		if _, ok := val.(json.Number); !ok {
			w.abandon = true
		}
	case kBool:
		if _, ok := val.(bool); !ok {
			w.abandon = true
		}
	case kBlob:
		// A blob's length bound (SetUICustomization's ImageFile, the
		// branding assets) would print the value as a Java ByteBuffer;
		// those operations check it themselves.
		if _, ok := val.(string); !ok {
			w.abandon = true
		}
	case kTimestamp:
		switch val.(type) {
		case json.Number, string:
		default:
			w.abandon = true
		}
	case kDocument:
	case kList:
		items, ok := val.([]any)
		if !ok {
			w.abandon = true
			return
		}
		w.list(s, items, path, sensitive)
	case kMap:
		m, ok := val.(map[string]any)
		if !ok {
			w.abandon = true
			return
		}
		w.mapValue(s, m, path, sensitive)
	case kStruct:
		obj, ok := val.(map[string]any)
		if !ok {
			w.abandon = true
			return
		}
		w.structure(s, obj, path+".", sensitive)
	}
}

// atEnd reports whether nothing but white space follows the value dec
// decoded.
func atEnd(dec *json.Decoder) bool {
	_, err := dec.Token()
	return err == io.EOF
}

// modelInt reads an integer member as Jackson would for an Integer or
// Long; anything else (a fraction, an exponent, a string) is left to the
// operation's decoding.
func modelInt(val any) (int64, bool) {
	n, ok := val.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := strconv.ParseInt(n.String(), 10, 64)
	return i, err == nil
}

// stringViolations returns the constraints a string violates, in Coral's
// order (see stringConstraints).
func (s *modelShape) stringViolations(str string) []string {
	if len(s.enum) > 0 {
		if contains(s.enum, str) {
			return nil
		}
		return []string{enumConstraint(s.enum)}
	}
	var out []string
	n := int64(lengthOf(str))
	if s.hasMax && n > s.max {
		out = append(out, "Member must have length less than or equal to "+strconv.FormatInt(s.max, 10))
	}
	if s.hasMin && n < s.min {
		out = append(out, "Member must have length greater than or equal to "+strconv.FormatInt(s.min, 10))
	}
	if p := &modelPatterns[s.pattern]; s.pattern != 0 && p.re != nil && !p.re().MatchString(str) {
		out = append(out, "Member must satisfy regular expression pattern: "+p.text)
	}
	return out
}

// allConstraints lists every constraint of a scalar shape, as Coral names
// them when a list member violates any ("Member must satisfy constraint:
// [...]").
func (s *modelShape) allConstraints() []string {
	if len(s.enum) > 0 {
		return []string{enumConstraint(s.enum)}
	}
	var all []string
	if s.hasMax {
		all = append(all, "Member must have length less than or equal to "+strconv.FormatInt(s.max, 10))
	}
	if s.hasMin {
		all = append(all, "Member must have length greater than or equal to "+strconv.FormatInt(s.min, 10))
	}
	if s.pattern != 0 {
		all = append(all, "Member must satisfy regular expression pattern: "+modelPatterns[s.pattern].text)
	}
	return all
}

// sizeViolations returns a list's or map's size constraints violated by n.
func (s *modelShape) sizeViolations(n int) []string {
	var out []string
	if s.hasMax && int64(n) > s.max {
		out = append(out, "Member must have length less than or equal to "+strconv.FormatInt(s.max, 10))
	}
	if s.hasMin && int64(n) < s.min {
		out = append(out, "Member must have length greater than or equal to "+strconv.FormatInt(s.min, 10))
	}
	return out
}

func (w *modelWalker) list(s *modelShape, items []any, path string, sensitive bool) {
	elem := &modelShapes[s.elem]
	printed, printable := "", sensitive
	if !sensitive {
		printed, printable = javaString(items, s)
	}
	for _, c := range s.sizeViolations(len(items)) {
		if !printable {
			w.abandon = true
			return
		}
		w.addValue(printed, sensitive, path, c)
	}
	switch elem.kind {
	case kString:
		// Coral reports a bad member once, for the whole list, naming every
		// constraint of the member shape.
		for _, it := range items {
			if it == nil {
				continue
			}
			str, ok := it.(string)
			if !ok {
				w.abandon = true
				return
			}
			if len(elem.stringViolations(str)) > 0 {
				if !printable {
					w.abandon = true
					return
				}
				w.addValue(printed, sensitive, path, "Member must satisfy constraint: ["+strings.Join(elem.allConstraints(), ", ")+"]")
				break
			}
		}
		// Type-check the rest of the members.
		for _, it := range items {
			if _, ok := it.(string); !ok && it != nil {
				w.abandon = true
				return
			}
		}
	default:
		for i, it := range items {
			if it == nil {
				continue
			}
			w.value(elem, it, path+"."+strconv.Itoa(i+1)+".member", sensitive)
			if w.abandon {
				return
			}
		}
	}
}

// mapValue checks a map's size and its keys and values, named
// "<map>.<key>.member.key" and ".member.value" as the package's
// hand-written checks name them, keys in sorted order.
func (w *modelWalker) mapValue(s *modelShape, m map[string]any, path string, sensitive bool) {
	if v := s.sizeViolations(len(m)); len(v) > 0 {
		if !sensitive {
			// Java would print the map in its own iteration order: leave
			// the request to the operation.
			w.abandon = true
			return
		}
		for _, c := range v {
			w.addValue("", true, path, c)
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	key, elem := &modelShapes[s.key], &modelShapes[s.elem]
	for _, k := range keys {
		for _, c := range key.stringViolations(k) {
			w.addValue(k, sensitive || key.sensitive, path+"."+k+".member.key", c)
		}
		if m[k] == nil {
			continue
		}
		w.value(elem, m[k], path+"."+k+".member.value", sensitive)
		if w.abandon {
			return
		}
	}
}

// javaString prints a value as Coral's message does, Java's toString:
// lists as [a, b], structures as Name(member=value, …) with absent members
// null. ok is false for what cannot be printed faithfully (maps, blobs,
// documents, sensitive values).
func javaString(val any, s *modelShape) (string, bool) {
	if s.sensitive && !printedSensitive[s.name] {
		return "", false
	}
	switch s.kind {
	case kString:
		str, ok := val.(string)
		return str, ok
	case kInt:
		n, ok := modelInt(val)
		return strconv.FormatInt(n, 10), ok
	case kBool:
		b, ok := val.(bool)
		return strconv.FormatBool(b), ok
	case kList:
		items, ok := val.([]any)
		if !ok {
			return "", false
		}
		parts := make([]string, len(items))
		for i, it := range items {
			if it == nil {
				parts[i] = "null"
				continue
			}
			if parts[i], ok = javaString(it, &modelShapes[s.elem]); !ok {
				return "", false
			}
		}
		return "[" + strings.Join(parts, ", ") + "]", true
	case kStruct:
		obj, ok := val.(map[string]any)
		if !ok {
			return "", false
		}
		parts := make([]string, len(s.members))
		for i, m := range s.members {
			v := obj[m.name]
			text := "null"
			if v != nil {
				if text, ok = javaString(v, &modelShapes[m.shape]); !ok {
					return "", false
				}
			}
			parts[i] = m.path + "=" + text
		}
		return s.name + "(" + strings.Join(parts, ", ") + ")", true
	}
	return "", false
}
