package ccql

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ccql/ccql/internal/catalog"
)

// coerce turns a SQL value into the JSON value of a property of jsonType,
// the way StackQL users expect: '30' is 30 for an integer, 'true' is true
// for a boolean, JSON text is JSON for arrays and objects. asString keeps
// the value a string whatever the type (StackQL's string('…')).
func coerce(v any, jsonType string, asString bool) (any, error) {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	if v == nil {
		return nil, nil
	}
	if asString {
		return stringOf(v), nil
	}
	switch jsonType {
	case "string":
		return stringOf(v), nil
	case "integer":
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			if !math.IsInf(x, 0) && x == math.Trunc(x) && math.Abs(x) < 1<<63 {
				return int64(x), nil
			}
			return nil, fmt.Errorf("%v is not an integer", x)
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		case string:
			i, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%q is not an integer", x)
			}
			return i, nil
		}
	case "number":
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("%v is not a JSON number", x)
			}
			return x, nil
		case string:
			t := strings.TrimSpace(x)
			var f float64
			// JSON's number syntax: strconv also reads NaN, Inf and 0x1p3.
			if err := json.Unmarshal([]byte(t), &f); err != nil {
				return nil, fmt.Errorf("%q is not a number", x)
			}
			return json.Number(t), nil
		}
	case "boolean":
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			if x == 0 || x == 1 {
				return x == 1, nil
			}
		case string:
			// PostgreSQL's spellings too: pgx sends a boolean parameter as t/f.
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true", "1", "t", "yes", "y", "on":
				return true, nil
			case "false", "0", "f", "no", "n", "off":
				return false, nil
			}
		}
		return nil, fmt.Errorf("%v is not a boolean", v)
	case "array", "object":
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%v is not JSON %s text", v, jsonType)
		}
		var out any
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		if err := dec.Decode(&out); err != nil {
			return nil, fmt.Errorf("%q is not valid JSON: %v", truncate(s, 60), err)
		}
		switch out.(type) {
		case []any:
			if jsonType == "object" {
				return nil, fmt.Errorf("expected a JSON object, got an array")
			}
		case map[string]any:
			if jsonType == "array" {
				return nil, fmt.Errorf("expected a JSON array, got an object")
			}
		}
		return out, nil
	}
	// Unknown type (a $ref or a combinator): JSON-looking text is JSON.
	if s, ok := v.(string); ok {
		if t := strings.TrimSpace(s); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
			var out any
			dec := json.NewDecoder(strings.NewReader(t))
			dec.UseNumber()
			if dec.Decode(&out) == nil {
				return out, nil
			}
		}
	}
	return v, nil
}

func stringOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	default:
		return fmt.Sprint(x)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// coerceColumn coerces v for the property behind col. For a union (the
// schema accepts several types: a type list, oneOf, anyOf) a value is
// accepted when it fits any of them, tried from the most specific (JSON
// arrays and objects, then numbers and booleans) to string, which fits
// anything: '[…]' for KeySchema's oneOf [array, object] is the array.
func coerceColumn(v any, col catalog.Column, asString bool) (any, error) {
	if len(col.Types) < 2 || asString {
		return coerce(v, col.Type, asString)
	}
	var tried []string
	for _, t := range unionOrder(col.Types) {
		out, err := coerce(v, t, false)
		if err == nil {
			return out, nil
		}
		tried = append(tried, err.Error())
	}
	return nil, fmt.Errorf("fits none of %s: %s", strings.Join(col.Types, ", "), strings.Join(tried, "; "))
}

// unionOrder sorts a union's types from the most to the least specific.
func unionOrder(types []string) []string {
	rank := map[string]int{"array": 0, "object": 1, "integer": 2, "number": 3, "boolean": 4, "string": 5}
	out := slices.Clone(types)
	slices.SortStableFunc(out, func(a, b string) int {
		ra, ok := rank[a]
		if !ok {
			ra = 6
		}
		rb, ok := rank[b]
		if !ok {
			rb = 6
		}
		return ra - rb
	})
	return out
}
