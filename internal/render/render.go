// Package render writes engine results as table, json, jsonl, csv or text.
//
// Every format keeps a JSON cell intact on one line, so that what is printed
// can be pasted back into a statement. JSON output keeps value types: numbers
// stay numbers, booleans booleans, arrays and objects stay JSON; SQL NULL is
// JSON null.
package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"
)

// Format is an output format.
type Format string

// The formats.
const (
	Table Format = "table"
	JSON  Format = "json"
	JSONL Format = "jsonl"
	CSV   Format = "csv"
	Text  Format = "text"
)

// Formats lists every format, for help texts and validation.
var Formats = []Format{Table, JSON, JSONL, CSV, Text}

// ParseFormat returns the format called s.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown output format %q (want one of table, json, jsonl, csv, text)", s)
}

// Result is what render needs of a result: column names and rows whose values
// are nil, string, int64, float64, bool, json.RawMessage, []byte or time.Time.
type Result struct {
	Columns []string
	Rows    [][]any
}

// Options are the table format's display settings; the other formats
// always print every value in full.
type Options struct {
	// Null is how a table shows SQL NULL: "" (an empty cell, as psql) by
	// default.
	Null string
	// MaxWidth is the width a table should fit in, usually the terminal's:
	// the widest cells are cut with … until it fits (headers and cells
	// stay at least minCellWidth wide). 0 is no limit.
	MaxWidth int
}

// minCellWidth is the narrowest a column is cut to for MaxWidth.
const minCellWidth = 8

// Write renders r in format f to w, with the default Options.
func Write(w io.Writer, f Format, r Result) error {
	return WriteOptions(w, f, r, Options{})
}

// WriteOptions renders r in format f to w; o applies to the table format.
func WriteOptions(w io.Writer, f Format, r Result, o Options) error {
	switch f {
	case Table, "":
		return writeTable(w, r, o)
	case JSON:
		return writeJSON(w, r)
	case JSONL:
		return writeJSONL(w, r)
	case CSV:
		return writeCSV(w, r)
	case Text:
		return writeText(w, r)
	}
	return fmt.Errorf("unknown output format %q", f)
}

// Cell returns the plain-text form of a value, as table, csv and text show it.
// NULL is "" here; callers pick their own NULL marker.
func Cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case json.RawMessage:
		return compactJSON(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	default:
		return fmt.Sprint(x)
	}
}

func compactJSON(b []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return string(b)
	}
	return buf.String()
}

func writeTable(w io.Writer, r Result, o Options) error {
	t := table.NewWriter()
	t.SetOutputMirror(nil)
	t.Style().Format.Header = text.FormatDefault
	header := make(table.Row, len(r.Columns))
	for i, c := range r.Columns {
		header[i] = c
	}
	t.AppendHeader(header)
	cells := make([][]string, len(r.Rows))
	for i, row := range r.Rows {
		cells[i] = make([]string, len(row))
		for j, v := range row {
			if v == nil {
				cells[i][j] = o.Null
				continue
			}
			// Newlines would split a JSON or text cell across table lines
			// and make it impossible to copy back; show them escaped.
			cells[i][j] = cellEscaper.Replace(Cell(v))
		}
	}
	if caps := columnCaps(r.Columns, cells, o.MaxWidth); caps != nil {
		cfg := make([]table.ColumnConfig, len(caps))
		for i, c := range caps {
			cfg[i] = table.ColumnConfig{Number: i + 1, WidthMax: c, WidthMaxEnforcer: ellipsis}
		}
		t.SetColumnConfigs(cfg)
	}
	for _, row := range cells {
		tr := make(table.Row, len(row))
		for i, c := range row {
			tr[i] = c
		}
		t.AppendRow(tr)
	}
	_, err := io.WriteString(w, t.Render()+"\n")
	return err
}

// columnCaps returns the widest each column may be for the table to fit in
// width, or nil when it fits as it is (or width is 0). The widest columns
// give way first: every column wider than the cap found is cut to it, so a
// description column shrinks while names and types stay whole.
func columnCaps(cols []string, cells [][]string, width int) []int {
	if width <= 0 || len(cols) == 0 {
		return nil
	}
	natural := make([]int, len(cols))
	for i, c := range cols {
		natural[i] = text.StringWidthWithoutEscSequences(c)
	}
	for _, row := range cells {
		for i, c := range row {
			if i < len(natural) {
				natural[i] = max(natural[i], text.StringWidthWithoutEscSequences(c))
			}
		}
	}
	// Each column costs its width plus "| " before and " " after; the
	// line ends with "|".
	avail := width - 3*len(cols) - 1
	total := 0
	for _, n := range natural {
		total += n
	}
	if total <= avail {
		return nil
	}
	// The largest cap at which the capped widths fit, found by trying caps
	// from the widest column down.
	capped := func(c int) int {
		sum := 0
		for _, n := range natural {
			sum += min(n, c)
		}
		return sum
	}
	lo, hi := minCellWidth, slices.Max(natural)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if capped(mid) <= avail {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	caps := make([]int, len(cols))
	for i, n := range natural {
		caps[i] = min(n, lo)
		caps[i] = max(caps[i], min(n, text.StringWidthWithoutEscSequences(cols[i]))) // a header stays whole
	}
	return caps
}

// ellipsis cuts s to width display columns, the last being "…".
func ellipsis(s string, width int) string {
	if text.StringWidthWithoutEscSequences(s) <= width {
		return s
	}
	if width <= 1 {
		return "…"
	}
	return text.Trim(s, width-1) + "…"
}

func jsonValue(v any) (json.RawMessage, error) {
	switch x := v.(type) {
	case nil:
		return json.RawMessage("null"), nil
	case json.RawMessage:
		if len(x) == 0 {
			return json.RawMessage("null"), nil
		}
		return json.RawMessage(compactJSON(x)), nil
	case []byte:
		return marshal(string(x))
	case time.Time:
		return marshal(Cell(x))
	case float64:
		return json.RawMessage(strconv.FormatFloat(x, 'f', -1, 64)), nil
	default:
		return marshal(x)
	}
}

// marshal is json.Marshal without HTML escaping: a message like
// "<application arn>" must print as written, not as \u003c…\u003e.
func marshal(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return json.RawMessage(bytes.TrimRight(buf.Bytes(), "\n")), nil
}

// jsonKeys encodes the column names once for every row's object.
func jsonKeys(cols []string) []json.RawMessage {
	keys := make([]json.RawMessage, len(cols))
	for i, c := range cols {
		keys[i], _ = marshal(c) // a string always encodes
	}
	return keys
}

func writeObject(buf *bytes.Buffer, cols []string, keys []json.RawMessage, row []any) error {
	buf.WriteByte('{')
	for i, c := range cols {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(keys[i])
		buf.WriteByte(':')
		var v any
		if i < len(row) {
			v = row[i]
		}
		jv, err := jsonValue(v)
		if err != nil {
			return fmt.Errorf("column %s: %w", c, err)
		}
		buf.Write(jv)
	}
	buf.WriteByte('}')
	return nil
}

func writeJSON(w io.Writer, r Result) error {
	var buf bytes.Buffer
	keys := jsonKeys(r.Columns)
	buf.WriteByte('[')
	for i, row := range r.Rows {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := writeObject(&buf, r.Columns, keys, row); err != nil {
			return err
		}
	}
	buf.WriteString("]\n")
	_, err := w.Write(buf.Bytes())
	return err
}

func writeJSONL(w io.Writer, r Result) error {
	var buf bytes.Buffer
	keys := jsonKeys(r.Columns)
	for _, row := range r.Rows {
		if err := writeObject(&buf, r.Columns, keys, row); err != nil {
			return err
		}
		buf.WriteByte('\n')
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func writeCSV(w io.Writer, r Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(r.Columns); err != nil {
		return err
	}
	rec := make([]string, len(r.Columns))
	for _, row := range r.Rows {
		for i := range rec {
			rec[i] = ""
			if i < len(row) {
				rec[i] = Cell(row[i])
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeText prints one line per row, cells separated by tabs, without a
// header: the shape that shell pipelines (cut, read) want. NULL is empty.
func writeText(w io.Writer, r Result) error {
	var buf bytes.Buffer
	for _, row := range r.Rows {
		for i, v := range row {
			if i > 0 {
				buf.WriteByte('\t')
			}
			// NULL is an empty field, as in csv and psql's unaligned
			// output: "null" would be the string null.
			buf.WriteString(cellEscaper.Replace(Cell(v)))
		}
		buf.WriteByte('\n')
	}
	_, err := w.Write(buf.Bytes())
	return err
}

var cellEscaper = strings.NewReplacer("\n", `\n`, "\t", `\t`, "\r", `\r`)
