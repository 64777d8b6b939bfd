package iql

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrParams is wrapped by Bind's errors: a parameter without an argument,
// or an argument of a type with no SQL literal.
var ErrParams = errors.New("bad parameters")

// Bind returns text with every parameter replaced by the SQL literal of its
// argument, for front ends whose clients send parameters separately (the
// PostgreSQL server's extended protocol) while iql must read the statement
// with its values (WHERE bindings, INSERT rows) before SQLite sees it.
// Strings, identifiers and comments are left alone.
//
// Parameters are numbered as SQLite numbers them: ?NNN is NNN; ? is one more
// than the largest number so far; :name, @name and $name take the next
// number the first time they appear and keep it. One exception, for
// PostgreSQL clients: $NNN is NNN, whatever the order. Number n is args[n-1].
//
// Arguments may be nil (NULL), string, []byte (a blob), json.RawMessage (its
// text), bool, any integer or float type, time.Time (RFC 3339 text) or a
// fmt.Stringer.
func Bind(text string, args []any) (string, error) {
	var (
		b       strings.Builder
		at      int
		highest int
		named   map[string]int
	)
	for i := 0; i < len(text); {
		t := lex(text, i)
		i = t.end
		if t.kind == kUnterminated || t.kind == kIllegal {
			return "", errAt(text, t.pos, t.end, "unrecognized token")
		}
		if t.kind != kParam {
			continue
		}
		name := text[t.pos:t.end]
		n, err := paramNumber(text, t, &highest, &named)
		if err != nil {
			return "", err
		}
		if n > len(args) {
			line, col := LineCol(text, t.pos)
			return "", fmt.Errorf("parameter %s at line %d, column %d: %w: %d arguments given", name, line, col, ErrParams, len(args))
		}
		lit, err := literal(args[n-1])
		if err != nil {
			return "", fmt.Errorf("parameter %s: %w", name, err)
		}
		b.WriteString(text[at:t.pos])
		// Keep the literal a token of its own: 5AND, a5, - -5 (a comment)
		// and "x"'y' would all lex differently.
		if t.pos > 0 && needsSpace(text[t.pos-1]) {
			b.WriteByte(' ')
		}
		b.WriteString(lit)
		if t.end < len(text) && needsSpace(text[t.end]) {
			b.WriteByte(' ')
		}
		at = t.end
	}
	if at == 0 {
		return text, nil
	}
	b.WriteString(text[at:])
	return b.String(), nil
}

func needsSpace(c byte) bool {
	return isIDChar(c) || c == '-' || c == '\'' || c == '"' || c == '.'
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// literal renders v as an SQLite literal.
func literal(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "NULL", nil
	case string:
		return quoteString(x), nil
	case json.RawMessage:
		return quoteString(string(x)), nil
	case []byte:
		return "X'" + hex.EncodeToString(x) + "'", nil
	case bool:
		if x {
			return "TRUE", nil
		}
		return "FALSE", nil
	case int:
		return strconv.FormatInt(int64(x), 10), nil
	case int8:
		return strconv.FormatInt(int64(x), 10), nil
	case int16:
		return strconv.FormatInt(int64(x), 10), nil
	case int32:
		return strconv.FormatInt(int64(x), 10), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case uint:
		return strconv.FormatUint(uint64(x), 10), nil
	case uint8:
		return strconv.FormatUint(uint64(x), 10), nil
	case uint16:
		return strconv.FormatUint(uint64(x), 10), nil
	case uint32:
		return strconv.FormatUint(uint64(x), 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case float32:
		return float(float64(x))
	case float64:
		return float(x)
	case time.Time:
		return quoteString(x.Format(time.RFC3339Nano)), nil
	case fmt.Stringer:
		return quoteString(x.String()), nil
	}
	return "", fmt.Errorf("%w: no SQL literal for %T", ErrParams, v)
}

func float(f float64) (string, error) {
	switch {
	case math.IsNaN(f):
		return "", fmt.Errorf("%w: NaN has no SQL literal", ErrParams)
	case math.IsInf(f, 1):
		return "9e999", nil // SQLite reads an overflowing literal as +Inf
	case math.IsInf(f, -1):
		return "-9e999", nil
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0" // keep it a REAL in SQLite
	}
	return s, nil
}

func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
