package template

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// This file is a small JSON model that can reproduce Python's json.dumps
// byte for byte. stackql-deploy v1 builds PatchDocuments with json.dumps and
// its tojson is Jinja2's; matching them exactly (separators, float repr,
// \uXXXX escapes, key order) is what makes ccql's rendered statements
// identical to the ones v1 sends.

// object is a JSON object that remembers its key order. Python dicts keep
// insertion order, and the order of a dict literal or a parsed JSON string
// reaches the wire in v1, so it must survive here too.
type object struct {
	keys []string
	vals map[string]any
}

func newObject() *object { return &object{vals: map[string]any{}} }

// set adds or replaces a key; a replaced key keeps its first position, as in
// a Python dict.
func (o *object) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

// pyNum is a number already formatted the way Python prints it.
type pyNum string

// pyFloat formats f as Python's repr(float) does (and so json.dumps).
func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	i := strings.IndexByte(e, 'e')
	exp, _ := strconv.Atoi(e[i+1:])
	if exp >= -4 && exp < 16 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	// Go's shortest 'e' form is already Python's: 1e+16, 1.5e-07.
	return e
}

// numberFromText turns JSON number text into the value Python's json.loads
// would produce, formatted: integers stay exact (Python ints are unbounded),
// anything with a fraction or exponent becomes a float.
func numberFromText(s string) (pyNum, error) {
	if !strings.ContainsAny(s, ".eE") {
		if s == "-0" {
			return "0", nil
		}
		return pyNum(s), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return "", fmt.Errorf("number %q: %w", s, err)
	}
	return pyNum(pyFloat(f)), nil
}

// decodeOrdered parses JSON text as Python's json.loads does: objects keep
// their key order, numbers keep Python's int/float split, and the bare
// constants NaN, Infinity and -Infinity are accepted.
func decodeOrdered(s string) (any, error) {
	switch strings.TrimSpace(s) {
	case "NaN":
		return pyNum("NaN"), nil
	case "Infinity":
		return pyNum("Infinity"), nil
	case "-Infinity":
		return pyNum("-Infinity"), nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("invalid JSON: trailing data")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := newObject()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, fmt.Errorf("invalid JSON: %w", err)
				}
				k, ok := kt.(string)
				if !ok {
					return nil, errors.New("invalid JSON: object key is not a string")
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o.set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("invalid JSON: %w", err)
			}
			return o, nil
		case '[':
			list := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("invalid JSON: %w", err)
			}
			return list, nil
		}
		return nil, fmt.Errorf("invalid JSON: unexpected %v", t)
	case json.Number:
		return numberFromText(string(t))
	default: // string, bool, nil
		return t, nil
	}
}

// canon converts a template or Go value into the JSON model: nil, bool,
// pyNum, string, []any or *object. Gonja dict literals and parsed JSON keep
// their order; Go maps (which have none) are sorted by key.
func canon(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case *exec.Value:
		if x == nil || x.IsNil() {
			return nil, nil
		}
		if x.IsError() {
			return nil, errors.New(x.Error())
		}
		return canon(x.Interface())
	case *object, pyNum, string, bool:
		return x, nil
	case Placeholder:
		return string(x), nil
	case json.Number:
		return numberFromText(string(x))
	case json.RawMessage:
		return decodeOrdered(string(x))
	case time.Time:
		return x.Format(time.RFC3339Nano), nil
	case *exec.Dict:
		return canonDict(*x)
	case exec.Dict:
		return canonDict(x)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return pyNum(strconv.FormatInt(rv.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return pyNum(strconv.FormatUint(rv.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		return pyNum(pyFloat(rv.Float())), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			c, err := canon(rv.Index(i).Interface())
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case reflect.Map:
		o := newObject()
		keys := rv.MapKeys()
		names := make([]string, len(keys))
		byName := make(map[string]reflect.Value, len(keys))
		for i, k := range keys {
			names[i] = keyString(k.Interface())
			byName[names[i]] = k
		}
		slices.Sort(names)
		for _, n := range names {
			c, err := canon(rv.MapIndex(byName[n]).Interface())
			if err != nil {
				return nil, err
			}
			o.set(n, c)
		}
		return o, nil
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, nil
		}
		return canon(rv.Elem().Interface())
	}
	return nil, fmt.Errorf("cannot encode a %T as JSON", v)
}

func canonDict(d exec.Dict) (any, error) {
	o := newObject()
	for _, p := range d.Pairs {
		c, err := canon(p.Value)
		if err != nil {
			return nil, err
		}
		o.set(keyString(p.Key), c)
	}
	return o, nil
}

// keyString is the JSON object key for a dict key, as json.dumps makes it:
// strings as they are, numbers and booleans in their JSON form.
func keyString(k any) string {
	if v, ok := k.(*exec.Value); ok {
		k = v.Interface()
	}
	switch x := k.(type) {
	case string:
		return x
	case nil:
		return "null"
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	c, err := canon(k)
	if err == nil {
		if n, ok := c.(pyNum); ok {
			return string(n)
		}
		if s, ok := c.(string); ok {
			return s
		}
	}
	return fmt.Sprint(k)
}

// encOpts are the json.dumps arguments we reproduce.
type encOpts struct {
	itemSep, keySep string // ", " and ": " by default; "," and ":" compact
	ensureASCII     bool   // escape everything outside printable ASCII as \uXXXX
	sortKeys        bool
	indent          string // "" = no indentation
}

var (
	// pythonDefault is json.dumps(x): what v1's generate_patch_document emits.
	pythonDefault = encOpts{itemSep: ", ", keySep: ": ", ensureASCII: true}
	// compactText is how lists and maps print inside templates: compact,
	// UTF-8 kept, which is what v1's context held.
	compactText = encOpts{itemSep: ",", keySep: ":"}
)

// encode writes a JSON model value (see canon) the way json.dumps would.
func encode(buf *bytes.Buffer, v any, o encOpts, depth int) {
	switch x := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		if x {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
	case pyNum:
		buf.WriteString(string(x))
	case string:
		encodeString(buf, x, o.ensureASCII)
	case []any:
		if len(x) == 0 {
			buf.WriteString("[]")
			return
		}
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteString(sep(o))
			}
			newline(buf, o, depth+1)
			encode(buf, e, o, depth+1)
		}
		newline(buf, o, depth)
		buf.WriteByte(']')
	case *object:
		if len(x.keys) == 0 {
			buf.WriteString("{}")
			return
		}
		keys := x.keys
		if o.sortKeys {
			keys = slices.Clone(keys)
			slices.Sort(keys)
		}
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteString(sep(o))
			}
			newline(buf, o, depth+1)
			encodeString(buf, k, o.ensureASCII)
			buf.WriteString(o.keySep)
			encode(buf, x.vals[k], o, depth+1)
		}
		newline(buf, o, depth)
		buf.WriteByte('}')
	default:
		// canon never produces anything else.
		panic(fmt.Sprintf("template: encode: unexpected %T", v))
	}
}

// sep is the item separator; with an indent Python drops the trailing space.
func sep(o encOpts) string {
	if o.indent != "" {
		return strings.TrimRight(o.itemSep, " ")
	}
	return o.itemSep
}

func newline(buf *bytes.Buffer, o encOpts, depth int) {
	if o.indent == "" {
		return
	}
	buf.WriteByte('\n')
	for range depth {
		buf.WriteString(o.indent)
	}
}

const hexDigits = "0123456789abcdef"

// encodeString escapes as Python's json module does: the short escapes for
// " \ \n \r \t \b \f, \u00XX for other control characters, and with
// ensureASCII every non-ASCII rune (and DEL) as lower-case \uXXXX, with
// surrogate pairs above the BMP.
func encodeString(buf *bytes.Buffer, s string, ensureASCII bool) {
	buf.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch r {
		case '"':
			buf.WriteString(`\"`)
		case '\\':
			buf.WriteString(`\\`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		case '\t':
			buf.WriteString(`\t`)
		case '\b':
			buf.WriteString(`\b`)
		case '\f':
			buf.WriteString(`\f`)
		default:
			switch {
			case r < 0x20 || (ensureASCII && r >= 0x7f && r <= 0xffff):
				writeU(buf, r)
			case ensureASCII && r > 0xffff:
				r -= 0x10000
				writeU(buf, 0xd800|(r>>10)&0x3ff)
				writeU(buf, 0xdc00|r&0x3ff)
			default:
				buf.WriteRune(r)
			}
		}
	}
	buf.WriteByte('"')
}

func writeU(buf *bytes.Buffer, r rune) {
	buf.WriteString(`\u`)
	buf.WriteByte(hexDigits[r>>12&0xf])
	buf.WriteByte(hexDigits[r>>8&0xf])
	buf.WriteByte(hexDigits[r>>4&0xf])
	buf.WriteByte(hexDigits[r&0xf])
}

// marshal is canon + encode.
func marshal(v any, o encOpts) (string, error) {
	c, err := canon(v)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	encode(&buf, c, o, 0)
	return buf.String(), nil
}
