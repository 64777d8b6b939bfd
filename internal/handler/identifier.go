package handler

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Value returns the value at a property path of a model (["Schedule",
// "ScheduleId"] for a nested identifier) and whether it is there and not
// null.
func Value(model map[string]any, path []string) (any, bool) {
	var cur any = model
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, cur != nil
}

// ScalarString formats an identifier value as Cloud Control prints it.
func ScalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Identifier returns a model's primary identifier string: the values at
// paths (in primaryIdentifier order) joined by "|". ok is false when one is
// missing. The emulator's core and every handler key models by it, so
// there is one implementation.
func Identifier(model map[string]any, paths [][]string) (string, bool) {
	parts := make([]string, len(paths))
	for i, p := range paths {
		v, ok := Value(model, p)
		if !ok {
			return "", false
		}
		parts[i] = ScalarString(v)
	}
	return strings.Join(parts, "|"), true
}

// SplitPaths turns schema property pointers ("/properties/A/B") into
// paths (["A", "B"]); pointers outside /properties, or empty, are dropped.
func SplitPaths(pointers []string) [][]string {
	var out [][]string
	for _, p := range pointers {
		if rest, ok := strings.CutPrefix(p, "/properties/"); ok && rest != "" {
			out = append(out, strings.Split(rest, "/"))
		}
	}
	return out
}
