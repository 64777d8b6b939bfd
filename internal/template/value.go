package template

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Map is how a JSON or YAML object is seen by templates: a dict (attribute
// and item access, iteration, .items(), length) that prints as compact JSON,
// so '{{ token_validity_units }}' in a statement is the JSON Cloud Control
// wants, as it was in stackql-deploy, whose context held JSON text.
//
// Go maps have no order, so a Map prints and iterates with sorted keys; a
// dict literal written in the template ({"B": b, "A": a}) keeps its order.
type Map map[string]any

// String renders the map as compact JSON with sorted keys.
func (m Map) String() string { return compactJSON(m) }

// List is how a JSON or YAML array is seen by templates: a list that prints
// as compact JSON (["a","b"]), not as Python's ['a', 'b'].
type List []any

// String renders the list as compact JSON.
func (l List) String() string { return compactJSON(l) }

func compactJSON(v any) string {
	s, err := marshal(v, compactText)
	if err != nil {
		// Only values Normalize did not produce can fail; print something
		// recognisable rather than panic inside a template.
		return fmt.Sprintf("<%v>", err)
	}
	return s
}

// Normalize converts a Go value (from encoding/json, yaml.v3, flags, query
// results) into what templates work with: maps become Map, slices List,
// json.Number and json.RawMessage are decoded, time.Time becomes RFC 3339
// text, integers become int64. Strings, bools, floats and nil are kept.
func Normalize(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int64, float64, Map, List, Placeholder:
		return x
	case int:
		return int64(x)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case json.RawMessage:
		c, err := decodeOrdered(string(x))
		if err != nil {
			return string(x)
		}
		return fromModel(c)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case *exec.Value:
		if x == nil {
			return nil
		}
		return Normalize(x.Interface())
	case *exec.Dict:
		m := make(Map, len(x.Pairs))
		for _, p := range x.Pairs {
			m[keyString(p.Key)] = Normalize(p.Value)
		}
		return m
	case map[string]any:
		m := make(Map, len(x))
		for k, e := range x {
			m[k] = Normalize(e)
		}
		return m
	case []any:
		l := make(List, len(x))
		for i, e := range x {
			l[i] = Normalize(e)
		}
		return l
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32:
		return rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(rv.Uint())
	case reflect.Float32:
		return rv.Float()
	case reflect.Map:
		m := make(Map, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			m[keyString(it.Key().Interface())] = Normalize(it.Value().Interface())
		}
		return m
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			return string(rv.Bytes())
		}
		l := make(List, rv.Len())
		for i := range l {
			l[i] = Normalize(rv.Index(i).Interface())
		}
		return l
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return Normalize(rv.Elem().Interface())
	}
	return v
}

// fromModel turns the JSON model (see canon) into template values.
func fromModel(v any) any {
	switch x := v.(type) {
	case *object:
		m := make(Map, len(x.keys))
		for _, k := range x.keys {
			m[k] = fromModel(x.vals[k])
		}
		return m
	case []any:
		l := make(List, len(x))
		for i, e := range x {
			l[i] = fromModel(e)
		}
		return l
	case pyNum:
		s := string(x)
		if !strings.ContainsAny(s, ".eEIN") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i
			}
		}
		f, _ := strconv.ParseFloat(strings.Replace(s, "Infinity", "Inf", 1), 64)
		return f
	}
	return v
}

// ParseJSON decodes JSON text into template values (Map, List, string,
// int64, float64, bool, nil), as the from_json filter does.
func ParseJSON(text string) (any, error) {
	c, err := decodeOrdered(text)
	if err != nil {
		return nil, err
	}
	return fromModel(c), nil
}

// JSON encodes a template value as compact JSON (the text a Map or List
// prints as). Unlike encoding/json it does not escape <, > and &.
func JSON(v any) (string, error) {
	var buf bytes.Buffer
	c, err := canon(v)
	if err != nil {
		return "", err
	}
	encode(&buf, c, compactText, 0)
	return buf.String(), nil
}

// Placeholder is a value that stands for anything not known yet, as in a
// dry run: it prints as itself, and every attribute or item of it is the
// same placeholder, so {{ this.client_id }} and {{ x['y'] }} render.
type Placeholder string

// String returns the placeholder text.
func (p Placeholder) String() string { return string(p) }

// GetAttribute makes p.anything the placeholder itself.
func (p Placeholder) GetAttribute(string) (*exec.Value, bool) { return exec.AsValue(p), true }

// GetItem makes p[anything] the placeholder itself.
func (p Placeholder) GetItem(any) (*exec.Value, bool) { return exec.AsValue(p), true }
