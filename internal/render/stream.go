package render

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
)

// Streams reports whether format f can be written row by row by a
// RowWriter: every format but the table, whose column widths depend on
// every row.
func Streams(f Format) bool { return f == JSON || f == JSONL || f == CSV || f == Text }

// RowWriter writes a result in a streaming format one row at a time, the
// same bytes WriteOptions writes for the whole result. Output is buffered
// (a few KiB) and written as the buffer fills, so a long result reaches
// its reader while it is still being read. Close writes what the format
// ends with (JSON's closing bracket) and flushes.
type RowWriter struct {
	w    *bufio.Writer
	f    Format
	cols []string
	keys []json.RawMessage
	cw   *csv.Writer
	rec  []string
	buf  bytes.Buffer
	n    int
}

// NewRowWriter starts writing rows of cols in format f (one that Streams)
// to w.
func NewRowWriter(w io.Writer, f Format, cols []string) (*RowWriter, error) {
	if !Streams(f) {
		return nil, fmt.Errorf("output format %q is not written row by row", f)
	}
	rw := &RowWriter{w: bufio.NewWriter(w), f: f, cols: cols}
	switch f {
	case JSON:
		rw.keys = jsonKeys(cols)
		rw.w.WriteByte('[')
	case JSONL:
		rw.keys = jsonKeys(cols)
	case CSV:
		rw.cw = csv.NewWriter(rw.w)
		rw.rec = make([]string, len(cols))
		if err := rw.cw.Write(cols); err != nil {
			return nil, err
		}
	}
	return rw, nil
}

// Write writes one row.
func (rw *RowWriter) Write(row []any) error {
	rw.n++
	switch rw.f {
	case JSON, JSONL:
		rw.buf.Reset()
		if rw.f == JSON && rw.n > 1 {
			rw.buf.WriteByte(',')
		}
		if err := writeObject(&rw.buf, rw.cols, rw.keys, row); err != nil {
			return err
		}
		if rw.f == JSONL {
			rw.buf.WriteByte('\n')
		}
		_, err := rw.w.Write(rw.buf.Bytes())
		return err
	case CSV:
		for i := range rw.rec {
			rw.rec[i] = ""
			if i < len(row) {
				rw.rec[i] = Cell(row[i])
			}
		}
		return rw.cw.Write(rw.rec)
	}
	for i, v := range row { // Text
		if i > 0 {
			rw.w.WriteByte('\t')
		}
		rw.w.WriteString(cellEscaper.Replace(Cell(v)))
	}
	return rw.w.WriteByte('\n')
}

// Close ends the output and flushes it. After a failed read, leave the
// output unclosed (call Flush) so that a JSON array stays visibly cut.
func (rw *RowWriter) Close() error {
	if rw.f == JSON {
		rw.w.WriteString("]\n")
	}
	return rw.Flush()
}

// Flush writes out what is buffered.
func (rw *RowWriter) Flush() error {
	if rw.cw != nil {
		rw.cw.Flush()
		if err := rw.cw.Error(); err != nil {
			return err
		}
	}
	return rw.w.Flush()
}
