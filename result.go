package ccql

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/ccql/ccql/internal/provider"
	"github.com/ccql/ccql/internal/vtable"
)

// typedResult turns SQLite rows into a Result, typing each column by the
// declared type of the virtual-table column it comes from: SQLite has no
// booleans or JSON, so the declaration is how a 0/1 becomes false/true and
// a JSON text becomes JSON again.
func typedResult(rows *vtable.Rows) *Result {
	res := &Result{Kind: KindQuery, Columns: make([]Column, len(rows.Columns))}
	for i, name := range rows.Columns {
		res.Columns[i] = Column{Name: name, Type: typeOfDecl(rows.Decls[i])}
	}
	for i := range res.Columns {
		if res.Columns[i].Type == TypeAny {
			res.Columns[i].Type = typeOfValues(rows.Values, i)
		}
	}
	res.Rows = make([][]any, len(rows.Values))
	for r, vals := range rows.Values {
		row := make([]any, len(vals))
		for i, v := range vals {
			row[i] = convert(v, res.Columns[i].Type)
		}
		res.Rows[r] = row
	}
	return res
}

func typeOfDecl(decl string) Type {
	switch strings.ToUpper(decl) {
	case "TEXT":
		return TypeText
	case "INTEGER", "INT", "BIGINT":
		return TypeInt
	case "REAL", "FLOAT", "DOUBLE":
		return TypeFloat
	case "BOOLEAN", "BOOL":
		return TypeBool
	case "JSON":
		return TypeJSON
	case "TIMESTAMP":
		return TypeTime
	}
	return TypeAny
}

// convert turns a value read from SQLite into the Go type of t.
func convert(v any, t Type) any {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	if v == nil {
		return nil
	}
	switch t {
	case TypeBool:
		switch x := v.(type) {
		case int64:
			return x != 0
		case string:
			return x == "1" || strings.EqualFold(x, "true")
		}
	case TypeJSON:
		if s, ok := v.(string); ok {
			if json.Valid([]byte(s)) {
				return json.RawMessage(s)
			}
			return s
		}
	case TypeTime:
		if s, ok := v.(string); ok {
			if tm, err := time.Parse(provider.TimeLayout, s); err == nil {
				return tm
			}
			if tm, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return tm
			}
			return s
		}
	case TypeInt:
		if f, ok := v.(float64); ok && f == float64(int64(f)) {
			return int64(f)
		}
	}
	return v
}

// typeOfValues types an expression column (count(*), a || b, …) from its
// values: integers, numbers or text when every non-NULL value agrees, else
// TypeAny.
func typeOfValues(rows [][]any, col int) Type {
	t := TypeAny
	for _, row := range rows {
		var vt Type
		switch row[col].(type) {
		case nil:
			continue
		case int64:
			vt = TypeInt
		case float64:
			vt = TypeFloat
		case string, []byte:
			vt = TypeText
		default:
			return TypeAny
		}
		switch {
		case t == TypeAny:
			t = vt
		case t == vt:
		case t == TypeInt && vt == TypeFloat, t == TypeFloat && vt == TypeInt:
			t = TypeFloat
		default:
			return TypeAny
		}
	}
	return t
}
