package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/internal/render"
	"github.com/spf13/pflag"
	"golang.org/x/term"
)

// displayFlags are the table display settings exec and shell share.
type displayFlags struct {
	null string
}

func (d *displayFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&d.null, "null", "", "how a table shows NULL (default: an empty cell, as psql; json, csv and text are not affected)")
}

// options returns the render options for output going to w: tables are
// cut to the terminal's width (or $COLUMNS) so that long cells end in …;
// other formats always print every value in full.
func (d *displayFlags) options(w io.Writer) render.Options {
	return render.Options{Null: d.null, MaxWidth: outputWidth(w)}
}

// outputWidth is the width tables written to w should fit: $COLUMNS when
// set (as shells export it), else the terminal's, else 0 (no limit, for
// files and pipes).
func outputWidth(w io.Writer) int {
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	if f, ok := w.(*os.File); ok && isTerminal(f) {
		if n, _, err := term.GetSize(int(f.Fd())); err == nil && n > 0 {
			return n
		}
	}
	return 0
}

// resultPrinter prints the results of a script. In table format, the
// results of a script of several statements are set apart by a blank line
// and the statement's first words, and an empty result says "(0 rows)"
// under its header.
type resultPrinter struct {
	w       io.Writer
	format  render.Format
	opts    render.Options
	caption bool // the script has several statements
	printed int
}

func (p *resultPrinter) print(piece ccql.Statement, res *ccql.Result) error {
	if p.format != render.Table {
		return render.WriteOptions(p.w, p.format, toRender(res), p.opts)
	}
	var b strings.Builder
	p.writeHead(&b, piece)
	if err := render.WriteOptions(&b, p.format, toRender(res), p.opts); err != nil {
		return err
	}
	if len(res.Rows) == 0 {
		b.WriteString("(0 rows)\n")
	}
	_, err := io.WriteString(p.w, b.String())
	return err
}

// writeHead writes what goes before a table: a blank line after the
// previous table and, when captions are on, the statement's head.
func (p *resultPrinter) writeHead(b *strings.Builder, piece ccql.Statement) {
	if p.printed > 0 {
		b.WriteString("\n")
	}
	if p.caption {
		b.WriteString(statementHead(piece.Text) + "\n")
	}
	p.printed++
}

// tableHead prints writeHead's lines.
func (p *resultPrinter) tableHead(piece ccql.Statement) error {
	var b strings.Builder
	p.writeHead(&b, piece)
	_, err := io.WriteString(p.w, b.String())
	return err
}

// printRows prints a statement's rows as they are read. json, jsonl, csv
// and text stream: each row is written (through a few KiB of buffer) as
// it arrives, so a list of a million resources never sits in memory. The
// table reads a block of rows first (render.TableBlock): a result that
// ends within it prints as before, a longer one takes its column widths
// from the block and streams the rest. A read that fails after rows were
// written leaves them written (a JSON array unclosed, a table without its
// bottom border); the caller reports the error.
func (p *resultPrinter) printRows(piece ccql.Statement, rows *ccql.Rows) error {
	if !render.Streams(p.format) {
		return p.printTable(piece, rows)
	}
	cols := make([]string, len(rows.Columns()))
	for i, c := range rows.Columns() {
		cols[i] = c.Name
	}
	// The writer starts with the first row, so that a statement failing
	// before it prints nothing (not even a header), as before streaming.
	var rw *render.RowWriter
	start := func() (err error) {
		if rw == nil {
			rw, err = render.NewRowWriter(p.w, p.format, cols)
		}
		return err
	}
	for rows.Next() {
		if err := start(); err != nil {
			return err
		}
		if err := rw.Write(rows.Row()); err != nil {
			return err
		}
	}
	if rows.Err() != nil {
		if rw == nil {
			return nil
		}
		return rw.Flush()
	}
	if err := start(); err != nil {
		return err
	}
	return rw.Close()
}

// printTable prints a table result: whole when it fits in one block, else
// streamed in the block's column widths.
func (p *resultPrinter) printTable(piece ccql.Statement, rows *ccql.Rows) error {
	res := &ccql.Result{Kind: ccql.KindQuery, Columns: rows.Columns()}
	for len(res.Rows) < render.TableBlock && rows.Next() {
		res.Rows = append(res.Rows, rows.Row())
	}
	if rows.Err() != nil {
		return nil // nothing printed; the caller reports the error
	}
	if len(res.Rows) < render.TableBlock || !rows.Next() {
		if rows.Err() != nil {
			return nil
		}
		return p.print(piece, res)
	}
	if err := p.tableHead(piece); err != nil {
		return err
	}
	r := toRender(res)
	tw, err := render.NewTableWriter(p.w, r.Columns, r.Rows, p.opts)
	if err != nil {
		return err
	}
	for ok := true; ok; ok = rows.Next() {
		if err := tw.Write(rows.Row()); err != nil {
			return err
		}
	}
	if rows.Err() != nil {
		return tw.Flush()
	}
	return tw.Close()
}

// statementHead is a statement's first words, on one line, for captions
// and messages: whole words up to about 60 characters (a word that starts
// before then, usually the resource name, is kept whole up to 80).
func statementHead(text string) string {
	var b strings.Builder
	words := strings.Fields(text)
	for i, w := range words {
		n := utf8.RuneCountInString(b.String())
		if i > 0 && (n >= 60 || n+1+utf8.RuneCountInString(w) > 80) {
			return b.String() + " …"
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// errInterruptedExec is what exec reports when Ctrl-C stopped it.
var errInterruptedExec = errors.New("interrupted")

// interruptedError explains a Ctrl-C in exec: which statement it stopped,
// that requests Cloud Control already accepted go on (only the waiting
// stopped), where to see them, and how many statements did not run. The
// exit code is 130, as for any program SIGINT ends.
func interruptedError(name string, p ccql.Statement, mutation bool, notRun int) error {
	msg := fmt.Sprintf("%s:%d: %s: %v", name, p.Line, statementHead(p.Text), errInterruptedExec)
	if mutation {
		msg += "; requests already sent go on in Cloud Control (only the waiting stopped): see them with SELECT * FROM awscc.cloud_control.resource_requests WHERE region = '…'"
	}
	if notRun > 0 {
		msg += fmt.Sprintf("; %d later %s not run", notRun, plural(notRun, "statement was", "statements were"))
	}
	return &exitError{code: 130, err: errors.New(msg)}
}

// wasInterrupted reports whether err is the cancellation of ctx by Ctrl-C.
func wasInterrupted(ctx context.Context, err error) bool {
	return ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled))
}
