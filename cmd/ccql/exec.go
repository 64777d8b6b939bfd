package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/internal/render"
	"github.com/ccql/ccql/internal/template"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

// execFlags are exec's own flags.
type execFlags struct {
	backendFlags
	displayFlags
	file            string
	output          string
	outputFile      string
	vars            []string
	varFiles        []string
	continueOnError bool
}

func newExecCmd(a *app) *cobra.Command {
	var f execFlags
	cmd := &cobra.Command{
		Use:   "exec [STATEMENTS]",
		Short: "Run StackQL statements (from the argument, -f FILE, or stdin)",
		Long: `Run StackQL statements against Cloud Control: SELECT, INSERT, UPDATE, DELETE,
SHOW and DESCRIBE. Statements are separated by ';'. {{ … }} templates are
rendered first (Jinja syntax) from --var and --var-file.`,
		Example: `  ccql exec "SHOW SERVICES IN awscc LIKE 'cog%'"
  ccql exec -f examples/quickstart.iql --var region=us-east-1
  ccql exec -o json "SELECT user_pool_id FROM awscc.cognito.user_pools_list_only WHERE region = 'us-east-1'"`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExec(a, &f, args)
		},
	}
	fs := cmd.Flags()
	f.backendFlags.register(fs)
	f.displayFlags.register(fs)
	fs.StringVarP(&f.file, "file", "f", "", "read statements from FILE (- for stdin)")
	fs.StringVarP(&f.output, "output", "o", "table", "output format: table, json, jsonl, csv, text")
	fs.StringVar(&f.outputFile, "output-file", "", "write results to FILE instead of stdout")
	fs.StringArrayVar(&f.vars, "var", nil, "template variable NAME=VALUE (VALUE is JSON when it parses as such); repeatable")
	fs.StringArrayVar(&f.varFiles, "var-file", nil, "template variables from a JSON or YAML file; repeatable")
	fs.BoolVar(&f.continueOnError, "continue-on-error", false, "run the remaining statements after one fails")
	return cmd
}

func runExec(a *app, f *execFlags, args []string) error {
	format, err := render.ParseFormat(f.output)
	if err != nil {
		return usageErrorf("%v", err)
	}
	src, name, err := readStatements(a, f.file, args)
	if err != nil {
		return err
	}
	vars, err := loadVars(f.vars, f.varFiles)
	if err != nil {
		return err
	}
	if strings.Contains(src, "{{") || strings.Contains(src, "{%") {
		src, err = template.New().Render(name, src, vars)
		if err != nil {
			return err // a *template.Error names the file and line itself
		}
	}
	pieces, err := ccql.Split(src)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if len(pieces) == 0 {
		return usageErrorf("%s: no statements", name)
	}
	cfg, err := f.config()
	if err != nil {
		return err
	}
	if isTerminal(a.stderr) {
		cfg.Progress = a.stderr
	}
	eng, err := ccql.Open(a.ctx, cfg)
	if err != nil {
		return err
	}
	defer eng.Close()

	out := a.stdout
	if f.outputFile != "" {
		lf := &lazyFile{path: f.outputFile}
		defer lf.Close()
		out = lf
	}
	printer := &resultPrinter{w: out, format: format, opts: f.options(out), caption: len(pieces) > 1}
	var failed []error
	for i, p := range pieces {
		// A SELECT's rows stream from Cloud Control's pages to the output
		// (but for the table format, see resultPrinter.printRows).
		rows, err := eng.QueryRows(a.ctx, p.Text)
		if err != nil && wasInterrupted(a.ctx, err) {
			if rows != nil {
				rows.Close()
			}
			return interruptedError(name, p, isMutation(eng, p.Text), len(pieces)-i-1)
		}
		// A mutation reports its requests even when some failed: print
		// them, then the error.
		if rows != nil {
			werr := writeResult(a, printer, p, rows)
			rows.Close()
			if err == nil {
				err = rows.Err()
			}
			if werr != nil && (err == nil || !wasInterrupted(a.ctx, err)) {
				return werr
			}
		}
		if err != nil && wasInterrupted(a.ctx, err) {
			return interruptedError(name, p, isMutation(eng, p.Text), len(pieces)-i-1)
		}
		if err != nil {
			err = statementError(name, p, err)
			if !f.continueOnError {
				return err
			}
			fmt.Fprintf(a.stderr, "ccql: %v\n", err)
			failed = append(failed, err)
			continue
		}
	}
	if len(failed) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d of %d statements failed", len(failed), len(pieces))}
	}
	return nil
}

// writeResult prints a statement's result: rows on out, a mutation's
// requests on stderr.
func writeResult(a *app, printer *resultPrinter, p ccql.Statement, rows *ccql.Rows) error {
	if rows.Kind() == ccql.KindMutation {
		if err := writeMutation(a.stderr, rows.Result()); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		return nil
	}
	if err := printer.printRows(p, rows); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

func toRender(res *ccql.Result) render.Result {
	r := render.Result{Columns: make([]string, len(res.Columns)), Rows: res.Rows}
	for i, c := range res.Columns {
		r.Columns[i] = c.Name
	}
	return r
}

// statementError names the statement (file:line and its first words) in an error.
func statementError(name string, p ccql.Statement, err error) error {
	head := strings.Join(strings.Fields(p.Text), " ")
	if len(head) > 60 {
		head = head[:60] + "…"
	}
	var multi interface{ Unwrap() []error }
	if errors.As(err, &multi) && len(multi.Unwrap()) > 0 {
		// Failed requests of a mutation: name each.
		var b strings.Builder
		for _, e := range multi.Unwrap() {
			b.WriteString("\n  " + strings.ReplaceAll(e.Error(), "\n", "\n  "))
		}
		return fmt.Errorf("%s:%d: %s: %d request(s) failed:%s%w", name, p.Line, head, len(multi.Unwrap()), b.String(), silentWrap{err})
	}
	var se *ccql.ServiceError
	if errors.As(err, &se) {
		return fmt.Errorf("%s:%d: %s: %s: %s", name, p.Line, head, se.Code, se.Message)
	}
	return fmt.Errorf("%s:%d: %s: %w", name, p.Line, head, err)
}

// silentWrap keeps an error in the chain (for errors.Is and the exit code)
// without adding to the message, which already names it.
type silentWrap struct{ err error }

func (s silentWrap) Error() string { return "" }
func (s silentWrap) Unwrap() error { return s.err }

// readStatements returns the statements text and a name for messages.
func readStatements(a *app, file string, args []string) (string, string, error) {
	switch {
	case file != "" && len(args) > 0:
		return "", "", usageErrorf("give statements as an argument or with -f, not both")
	case len(args) == 1:
		return args[0], "<arg>", nil
	case file == "-" || file == "":
		if file == "" && isTerminal(a.stdin) {
			return "", "", usageErrorf("no statements: give them as an argument, with -f FILE, or on stdin")
		}
		b, err := io.ReadAll(a.stdin)
		if err != nil {
			return "", "", fmt.Errorf("read stdin: %w", err)
		}
		return string(b), "<stdin>", nil
	default:
		b, err := os.ReadFile(file)
		if err != nil {
			return "", "", fmt.Errorf("read statements: %w", err)
		}
		return string(b), file, nil
	}
}

// loadVars reads --var-file files in order, then --var pairs over them.
func loadVars(pairs, files []string) (map[string]any, error) {
	vars := map[string]any{}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--var-file: %w", err)
		}
		var m map[string]any
		switch strings.ToLower(filepath.Ext(file)) {
		case ".yaml", ".yml":
			err = yaml.Unmarshal(b, &m)
		default:
			err = json.Unmarshal(b, &m)
		}
		if err != nil {
			return nil, fmt.Errorf("--var-file %s: %w", file, err)
		}
		for k, v := range m {
			vars[k] = template.Normalize(v)
		}
	}
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, usageErrorf("--var %q: want NAME=VALUE", p)
		}
		vars[k] = varValue(v)
	}
	return vars, nil
}

// varValue types a --var value: JSON numbers, booleans, arrays and objects
// are themselves; anything else is a string.
func varValue(s string) any {
	t := strings.TrimSpace(s)
	if t == "" {
		return s
	}
	switch t[0] {
	case '[', '{', 't', 'f', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		var v any
		dec := json.NewDecoder(strings.NewReader(t))
		dec.UseNumber()
		if dec.Decode(&v) == nil && atEnd(dec) {
			return template.Normalize(v)
		}
	}
	return s
}

// lazyFile creates its file on the first write, so that a run whose first
// statement fails leaves an existing --output-file as it was.
type lazyFile struct {
	path string
	f    *os.File
	err  error
}

func (l *lazyFile) Write(p []byte) (int, error) {
	if l.f == nil && l.err == nil {
		l.f, l.err = os.Create(l.path)
		if l.err != nil {
			l.err = fmt.Errorf("output file: %w", l.err)
		}
	}
	if l.err != nil {
		return 0, l.err
	}
	return l.f.Write(p)
}

// Close closes the file if it was created.
func (l *lazyFile) Close() error {
	if l.f == nil {
		return nil
	}
	return l.f.Close()
}

// atEnd reports whether dec has nothing left but whitespace (More alone is
// false before a stray '}' or ']').
func atEnd(dec *json.Decoder) bool {
	_, err := dec.Token()
	return err == io.EOF
}
