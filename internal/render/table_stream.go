package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/jedib0t/go-pretty/v6/text"
)

// TableBlock is how many rows a table reads before it starts printing.
// A result that ends within the block prints exactly as WriteOptions
// prints it; a longer one takes its column widths from the block and
// prints every later row as it arrives, so a million-row table holds a
// thousand rows, not a million.
const TableBlock = 1000

// TableWriter prints a table one row at a time once the first block of
// rows has fixed its column widths. A later cell wider than its column is
// cut with …, as MaxWidth cuts cells (json, csv and text keep every value
// whole). Close prints the bottom border.
type TableWriter struct {
	w      *bufio.Writer
	o      Options
	widths []int
	bottom string
	line   strings.Builder
}

// NewTableWriter prints the header and block, the first rows of a result
// whose columns are cols, to w as a table with o's options, and returns the
// writer for the rest of its rows.
func NewTableWriter(w io.Writer, cols []string, block [][]any, o Options) (*TableWriter, error) {
	var b strings.Builder
	if err := writeTable(&b, Result{Columns: cols, Rows: block}, o); err != nil {
		return nil, err
	}
	lines := strings.SplitAfter(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) < 2 {
		return nil, fmt.Errorf("render: table of %d columns has no border", len(cols))
	}
	tw := &TableWriter{w: bufio.NewWriter(w), o: o, bottom: lines[len(lines)-1] + "\n"}
	// The border ("+-----+---+") gives each column's width: its dashes
	// less the two padding spaces.
	for _, seg := range strings.Split(strings.Trim(tw.bottom[:len(tw.bottom)-1], "+"), "+") {
		tw.widths = append(tw.widths, len(seg)-2)
	}
	if len(tw.widths) != len(cols) {
		return nil, fmt.Errorf("render: table border %q does not have %d columns", tw.bottom, len(cols))
	}
	for _, l := range lines[:len(lines)-1] {
		if _, err := tw.w.WriteString(l); err != nil {
			return nil, err
		}
	}
	return tw, nil
}

// Write prints one row in the block's column widths.
func (tw *TableWriter) Write(row []any) error {
	tw.line.Reset()
	tw.line.WriteByte('|')
	for i, width := range tw.widths {
		cell := tw.o.Null
		if i < len(row) && row[i] != nil {
			cell = cellEscaper.Replace(Cell(row[i]))
		}
		cell = ellipsis(cell, width)
		tw.line.WriteByte(' ')
		tw.line.WriteString(cell)
		tw.line.WriteString(strings.Repeat(" ", max(0, width-text.StringWidthWithoutEscSequences(cell))))
		tw.line.WriteString(" |")
	}
	tw.line.WriteByte('\n')
	_, err := tw.w.WriteString(tw.line.String())
	return err
}

// Close prints the bottom border and flushes.
func (tw *TableWriter) Close() error {
	if _, err := tw.w.WriteString(tw.bottom); err != nil {
		return err
	}
	return tw.Flush()
}

// Flush writes out what is buffered, leaving the table open: after a read
// that failed, the missing bottom border shows the table was cut.
func (tw *TableWriter) Flush() error { return tw.w.Flush() }
