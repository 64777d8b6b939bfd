package mcpserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/internal/render"
	"github.com/google/jsonschema-go/jsonschema"
)

// Column is one result column and its type.
type Column struct {
	Name string `json:"name"`
	// Type is text, integer, number, boolean, json, timestamp or any.
	Type string `json:"type" jsonschema:"text, integer, number, boolean, json, timestamp or any"`
}

// Table is the structured result of the tools that run a statement: the
// rows are objects keyed by column name with typed values, exactly as
// `ccql exec -o json` prints them.
type Table struct {
	Statement string            `json:"statement" jsonschema:"the statement that was run"`
	Columns   []Column          `json:"columns" jsonschema:"the result columns, in order"`
	Rows      []json.RawMessage `json:"rows" jsonschema:"one object per row, keys are the column names, values typed (numbers, booleans, arrays, objects, null)"`
	RowCount  int               `json:"row_count" jsonschema:"rows returned here"`
	TotalRows int               `json:"total_rows" jsonschema:"rows the statement produced"`
	Truncated bool              `json:"truncated" jsonschema:"true when total_rows > row_count because of max_rows"`
}

// typeName names a ccql column type for clients.
func typeName(t ccql.Type) string {
	switch t {
	case ccql.TypeText:
		return "text"
	case ccql.TypeInt:
		return "integer"
	case ccql.TypeFloat:
		return "number"
	case ccql.TypeBool:
		return "boolean"
	case ccql.TypeJSON:
		return "json"
	case ccql.TypeTime:
		return "timestamp"
	}
	return "any"
}

// newTable converts an engine result, keeping at most maxRows rows. Rows are
// encoded by internal/render, the code behind `ccql exec -o json`, so the
// two agree value for value.
func newTable(statement string, res *ccql.Result, maxRows int) (*Table, error) {
	t := &Table{Statement: statement, Columns: make([]Column, len(res.Columns)), TotalRows: len(res.Rows), Rows: []json.RawMessage{}}
	names := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		t.Columns[i] = Column{Name: c.Name, Type: typeName(c.Type)}
		names[i] = c.Name
	}
	rows := res.Rows
	if maxRows > 0 && len(rows) > maxRows {
		rows = rows[:maxRows]
		t.Truncated = true
	}
	t.RowCount = len(rows)
	if len(rows) == 0 {
		return t, nil
	}
	var buf bytes.Buffer
	if err := render.Write(&buf, render.JSON, render.Result{Columns: names, Rows: rows}); err != nil {
		return nil, fmt.Errorf("encode rows: %w", err)
	}
	if err := json.Unmarshal(buf.Bytes(), &t.Rows); err != nil {
		return nil, fmt.Errorf("encode rows: %w", err)
	}
	return t, nil
}

// textTableRows is how many rows the text rendering of a result shows; the
// structured result has them all (up to max_rows).
const textTableRows = 40

// text renders a table for the text content: the statement's table as
// ccql exec prints it, cut to textTableRows, and a line on truncation.
func (t *Table) text(res *ccql.Result) string {
	var b strings.Builder
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	rows := res.Rows
	if len(rows) > textTableRows {
		rows = rows[:textTableRows]
	}
	if len(names) > 0 {
		if err := render.Write(&b, render.Table, render.Result{Columns: names, Rows: rows}); err != nil {
			fmt.Fprintf(&b, "(%v)\n", err)
		}
	}
	fmt.Fprintf(&b, "%d row(s)", t.TotalRows)
	switch {
	case t.Truncated:
		fmt.Fprintf(&b, "; %d returned (max_rows), the rest truncated", t.RowCount)
	case len(rows) < t.RowCount:
		fmt.Fprintf(&b, "; the first %d shown here, all %d in the structured result", len(rows), t.RowCount)
	}
	b.WriteString("\n")
	return b.String()
}

// outputSchema is the JSON Schema of a tool's structured result type T.
// Raw JSON values (rows, resource models) may be anything, which the
// inference would otherwise take for byte arrays.
func outputSchema[T any]() (*jsonschema.Schema, error) {
	rt := reflect.TypeFor[T]()
	if rt.Kind() == reflect.Pointer { // the SDK sends the zero value for nil: never null
		rt = rt.Elem()
	}
	s, err := jsonschema.ForType(rt, &jsonschema.ForOptions{TypeSchemas: map[reflect.Type]*jsonschema.Schema{
		reflect.TypeFor[json.RawMessage](): {},
	}})
	if err != nil {
		return nil, fmt.Errorf("mcpserver: output schema of %T: %w", *new(T), err)
	}
	return s, nil
}
