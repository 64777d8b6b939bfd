package awsjson

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
)

// AWS matches JSON member names exactly; encoding/json matches struct
// fields case-insensitively. exactMembers rewrites a body so that only
// members whose names equal a field's wire name exactly reach the
// decoder: {"typename": …} is then an unknown member, ignored as AWS
// ignores unknown members, instead of TypeName.

// ExactMembers returns body with every object member whose name does not
// equal a wire name of v's type exactly removed, at every depth the type
// describes, so that decoding it into v matches member names as AWS does.
// It is for decoders of AWS JSON bodies that do not go through
// Request.Decode.
func ExactMembers(body []byte, v any) []byte {
	t := reflect.TypeOf(v)
	if t == nil {
		return body
	}
	out, _ := exactMembers(body, t)
	return out
}

// structFields returns the wire names of t's fields and their types.
func structFields(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("json"); ok {
			n, _, _ := strings.Cut(tag, ",")
			if n == "-" {
				continue
			}
			if n != "" {
				name = n
			}
		}
		if f.Anonymous && f.Tag.Get("json") == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range structFields(ft) {
					if _, ok := m[k]; !ok {
						m[k] = v
					}
				}
			}
			continue
		}
		m[name] = f.Type
	}
	return m
}

// exactMembers returns raw with every object member that does not match
// a field of t exactly removed, at every depth that t describes, and
// whether it removed any (raw itself is returned when not). Input that
// does not have the shape t expects is returned as it is, for the decoder
// to report.
func exactMembers(raw json.RawMessage, t reflect.Type) (json.RawMessage, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		if reflect.PointerTo(t).Implements(unmarshalerType) {
			return raw, false
		}
		var obj map[string]json.RawMessage
		if !isObject(raw) || json.Unmarshal(raw, &obj) != nil {
			return raw, false
		}
		var fields map[string]reflect.Type
		if t.Kind() == reflect.Struct {
			fields = structFields(t)
		}
		changed := false
		for k, v := range obj {
			ft := t
			if fields != nil {
				var ok bool
				if ft, ok = fields[k]; !ok {
					delete(obj, k)
					changed = true
					continue
				}
			} else {
				ft = t.Elem()
			}
			if nv, c := exactMembers(v, ft); c {
				obj[k], changed = nv, true
			}
		}
		return remarshal(raw, obj, changed)
	case reflect.Slice, reflect.Array:
		var arr []json.RawMessage
		if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) || json.Unmarshal(raw, &arr) != nil {
			return raw, false
		}
		changed := false
		for i := range arr {
			if nv, c := exactMembers(arr[i], t.Elem()); c {
				arr[i], changed = nv, true
			}
		}
		return remarshal(raw, arr, changed)
	}
	return raw, false
}

func remarshal(raw json.RawMessage, v any, changed bool) (json.RawMessage, bool) {
	if !changed {
		return raw, false
	}
	b, err := json.Marshal(v)
	if err != nil {
		return raw, false
	}
	return b, true
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

func isObject(raw json.RawMessage) bool {
	return bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{"))
}
