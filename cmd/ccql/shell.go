package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/internal/iql"
	"github.com/ccql/ccql/internal/render"
	"github.com/ccql/ccql/internal/shell"
	"github.com/ccql/ccql/internal/template"
	"github.com/peterh/liner"
	"github.com/spf13/cobra"
)

// Prompts of the shell: the first line of a statement, and the lines that
// continue it.
const (
	promptFirst    = "ccql> "
	promptContinue = "   -> "
)

// maxIncludeDepth bounds \i inside \i, so a file that includes itself ends.
const maxIncludeDepth = 16

// errInterrupted replaces context.Canceled when Ctrl-C stopped a statement.
var errInterrupted = errors.New("interrupted")

// shellFlags are shell's own flags.
type shellFlags struct {
	backendFlags
	displayFlags
	output    string
	vars      []string
	varFiles  []string
	noHistory bool
}

func newShellCmd(a *app) *cobra.Command {
	var f shellFlags
	cmd := &cobra.Command{
		Use:   "shell",
		Short: "Interactive StackQL shell with history and completion",
		Long: `An interactive shell for StackQL statements. A statement ends with ';' and
may span lines. Tab completes keywords, resource names and columns; \? lists
the backslash commands. History is kept in the data dir (without statements
that carry secrets). With stdin not a terminal, the shell reads statements and
commands from it, without prompts, and exits non-zero if any failed.`,
		Example: `  ccql shell
  ccql shell --backend aws --wait -o json
  echo 'SHOW SERVICES IN awscc;' | ccql shell`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runShell(a, &f)
		},
	}
	fs := cmd.Flags()
	f.backendFlags.register(fs)
	f.displayFlags.register(fs)
	fs.StringVarP(&f.output, "output", "o", "table", "output format: table, json, jsonl, csv, text (\\o changes it)")
	fs.StringArrayVar(&f.vars, "var", nil, "template variable NAME=VALUE (VALUE is JSON when it parses as such); repeatable")
	fs.StringArrayVar(&f.varFiles, "var-file", nil, "template variables from a JSON or YAML file; repeatable")
	fs.BoolVar(&f.noHistory, "no-history", false, "neither read nor write the history file")
	return cmd
}

// session is one run of the shell: its engine and its settings, which the
// meta-commands change.
type session struct {
	a           *app
	eng         *ccql.Engine
	comp        *shell.Completer
	hist        *shell.History // nil without history
	line        *liner.State   // nil unless stdin and stdout are terminals
	tmpl        *template.Renderer
	vars        map[string]any
	format      render.Format
	display     render.Options
	wait        bool
	timing      bool
	interactive bool // stdin is a terminal: chatter on stderr, Ctrl-C stops only a statement
	// base is the context statements derive from. Interactively it is not
	// the app's context: main cancels that on the first Ctrl-C, which here
	// must stop one statement, not the shell.
	base    context.Context
	failed  int
	depth   int    // \i nesting
	pending string // the lines of the statement typed so far, for completion
	histErr bool   // a history write failed once (warned, then quiet)
}

func runShell(a *app, f *shellFlags) error {
	format, err := render.ParseFormat(f.output)
	if err != nil {
		return usageErrorf("%v", err)
	}
	vars, err := loadVars(f.vars, f.varFiles)
	if err != nil {
		return err
	}
	cfg, err := f.config()
	if err != nil {
		return err
	}
	// Waiting is the session's \wait setting, applied per statement as an
	// AWAIT hint, so the engine itself never waits unasked.
	cfg.Wait = false
	if isTerminal(a.stderr) {
		cfg.Progress = a.stderr
	}
	eng, err := ccql.Open(a.ctx, cfg)
	if err != nil {
		return err
	}
	defer eng.Close()

	s := &session{
		a: a, eng: eng, tmpl: template.New(), vars: vars, format: format, wait: f.wait, display: f.options(a.stdout),
		interactive: isTerminal(a.stdin), base: a.ctx,
	}
	if s.interactive {
		s.base = context.WithoutCancel(a.ctx)
	}
	s.comp = shell.NewCompleter(shell.EngineCatalog{Q: eng})
	if !f.noHistory {
		path := filepath.Join(cfg.DataDir, "history")
		if s.hist, err = shell.OpenHistory(path, 0); err != nil {
			fmt.Fprintf(a.stderr, "ccql: warning: no history: %v\n", err)
			s.hist = nil
		}
	}
	defer func() {
		if s.hist != nil {
			if err := s.hist.Close(); err != nil {
				fmt.Fprintf(a.stderr, "ccql: warning: %v\n", err)
			}
		}
	}()

	var r shell.LineReader
	switch {
	case s.interactive && isTerminal(a.stdout) && isStdio(a.stdin, 0) && isStdio(a.stdout, 1):
		// liner reads os.Stdin and writes os.Stdout itself, so it is used
		// only when those are the app's streams and both are terminals.
		s.line = newLiner(s)
		defer s.line.Close()
		stop := s.exitOnTerminate()
		defer stop()
		r = shell.TerminalReader{State: s.line}
	case s.interactive:
		// A terminal typing into a pipe (ccql shell > out.json): prompts go
		// to stderr, so stdout holds only results.
		r = shell.NewPipeReader(a.stdin, a.stderr)
	default:
		r = shell.NewPipeReader(a.stdin, nil)
	}
	if s.interactive {
		fmt.Fprintf(a.stderr, "ccql %s shell, backend %s. Type \\? for help, \\q to quit.\n", readBuildInfo().short(), cfg.Backend)
	}
	s.loop("<stdin>", r, true)
	if s.interactive {
		return nil
	}
	if err := a.ctx.Err(); err != nil {
		return &exitError{code: 130, err: errInterrupted}
	}
	if s.failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d statement(s) failed", s.failed)}
	}
	return nil
}

// newLiner sets up line editing: Ctrl-C aborts the line, Tab completes,
// history is the file's.
func newLiner(s *session) *liner.State {
	st := liner.NewLiner()
	st.SetCtrlCAborts(true)
	st.SetMultiLineMode(true)
	st.SetTabCompletionStyle(liner.TabPrints)
	st.SetWordCompleter(func(line string, pos int) (string, []string, string) {
		return s.comp.Complete(s.base, s.pending, line, pos)
	})
	if s.hist != nil {
		for _, e := range s.hist.Entries() {
			st.AppendHistory(e)
		}
	}
	return st
}

// exitOnTerminate handles SIGTERM and SIGHUP while liner owns the terminal.
// main turns them into a cancelled context, but a shell blocked reading the
// terminal would never see that: so restore the terminal, keep the history,
// and exit. The history needs nothing more (entries are appended as they
// are made), and the store is crash-safe.
func (s *session) exitOnTerminate() (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			fmt.Fprintln(s.a.stderr) // off the prompt line
			s.line.Close()
			if s.hist != nil {
				s.hist.Close()
			}
			code := 128 + 15
			if sig == syscall.SIGHUP {
				code = 128 + 1
			}
			os.Exit(code)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

// loop reads lines from r until EOF or \q, running each statement as its ';'
// arrives and each meta-command at once. name and line numbers label
// errors. record adds what is read to the history (not for \i files). It
// reports whether \q (or quit) ended it.
func (s *session) loop(name string, r shell.LineReader, record bool) (quit bool) {
	var buf strings.Builder
	lineNo, startLine := 0, 0
	for {
		prompt := promptFirst
		if buf.Len() > 0 {
			prompt = promptContinue
		}
		s.pending = buf.String()
		text, err := r.ReadLine(prompt)
		if errors.Is(err, shell.ErrAborted) {
			buf.Reset()
			continue
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.fail(fmt.Errorf("%s: read: %w", name, err))
			}
			switch {
			case strings.TrimSpace(buf.String()) == "":
			case s.interactive && record:
				// Ctrl-D in the middle of a statement: never run half of
				// what was typed (a DELETE without its WHERE).
				fmt.Fprintln(s.a.stderr, "\nIncomplete statement discarded.")
			default:
				// Like exec, a script's last statement without ';' runs.
				s.runText(name, startLine, buf.String())
			}
			return false
		}
		if s.base.Err() != nil {
			return false
		}
		lineNo++
		trimmed := strings.TrimSpace(text)
		if !shell.InLiteral(buf.String()) {
			if m, ok := shell.ParseMeta(trimmed); ok {
				if record {
					s.addHistory(trimmed)
				}
				if s.meta(name, lineNo, m, &buf) {
					return true
				}
				continue
			}
			if strings.TrimSpace(buf.String()) == "" {
				if shell.IsQuit(trimmed) {
					return true
				}
				// help, .tables, .schema …: what psql and sqlite3 users
				// type first, never the start of a statement.
				if m, ok := shell.ParseShortcut(trimmed); ok {
					if record {
						s.addHistory(trimmed)
					}
					if s.meta(name, lineNo, m, &buf) {
						return true
					}
					continue
				}
			}
		}
		if buf.Len() == 0 {
			if trimmed == "" {
				continue
			}
			startLine = lineNo
		}
		buf.WriteString(text)
		buf.WriteByte('\n')
		if iql.Complete(buf.String()) {
			stmt := buf.String()
			buf.Reset()
			if record {
				s.addHistory(stmt)
			}
			s.runText(name, startLine, stmt)
		}
	}
}

// runText renders templates in a complete buffer and runs its statements.
// line is the buffer's first line in its source.
func (s *session) runText(name string, line int, text string) {
	if strings.Contains(text, "{{") || strings.Contains(text, "{%") {
		out, err := s.tmpl.Render(name, text, s.vars)
		if err != nil {
			s.fail(fmt.Errorf("%s:%d: %w", name, line, err))
			return
		}
		text = out
	}
	pieces, err := ccql.Split(text)
	if err != nil {
		s.fail(fmt.Errorf("%s:%d: %w", name, line, err))
		return
	}
	for _, p := range pieces {
		p.Line += line - 1
		s.runPiece(name, p)
		if s.base.Err() != nil {
			return
		}
	}
}

// runPiece runs one statement and prints its result; an error is printed
// and counted, and the shell goes on.
func (s *session) runPiece(name string, p ccql.Statement) {
	ctx, done := s.statementContext()
	start := time.Now()
	res, mutation, err := s.run(ctx, p.Text)
	elapsed := time.Since(start)
	interrupted := ctx.Err() != nil && s.base.Err() == nil
	done()
	if res != nil && err != nil { // the requests sent, then the error
		if res.Kind == ccql.KindMutation {
			_ = writeMutation(s.a.stderr, res)
		} else {
			_ = render.Write(s.a.stdout, s.format, toRender(res))
		}
	}
	switch {
	case err != nil:
		if interrupted && errors.Is(err, context.Canceled) {
			err = errInterrupted
			if mutation {
				// Cloud Control has the requests already sent; only the
				// waiting stopped.
				err = fmt.Errorf("%w (requests already sent go on: see awscc.cloud_control.resource_requests)", err)
			}
		}
		if first := firstWord(p.Text); !shell.IsStatementStart(first) {
			err = fmt.Errorf(`%w (%s is neither a statement nor a command: \? lists the commands, \help shows examples)`, err, first)
		}
		s.fail(statementError(name, p, err))
	case res.Kind == ccql.KindMutation:
		if err := writeMutation(s.a.stderr, res); err != nil {
			s.fail(fmt.Errorf("write output: %w", err))
		}
	default:
		if err := render.WriteOptions(s.a.stdout, s.format, toRender(res), s.display); err != nil {
			s.fail(fmt.Errorf("write output: %w", err))
		} else if s.interactive && s.format == render.Table {
			fmt.Fprintf(s.a.stderr, "(%d %s)\n", len(res.Rows), plural(len(res.Rows), "row", "rows"))
		}
	}
	if s.timing {
		fmt.Fprintf(s.a.stderr, "Time: %.3f ms\n", float64(elapsed.Microseconds())/1000)
	}
}

// firstWord is a statement's first word, after comments and hints.
func firstWord(text string) string {
	for {
		text = strings.TrimSpace(text)
		switch {
		case strings.HasPrefix(text, "/*"):
			_, rest, ok := strings.Cut(text[2:], "*/")
			if !ok {
				return ""
			}
			text = rest
		case strings.HasPrefix(text, "--"):
			_, rest, _ := strings.Cut(text, "\n")
			text = rest
		default:
			end := strings.IndexFunc(text, func(r rune) bool {
				return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
			})
			if end < 0 {
				end = len(text)
			}
			if end == 0 && text != "" {
				_, size := utf8.DecodeRuneInString(text)
				end = size
			}
			return text[:end]
		}
	}
}

// statementContext is the context of one statement. Interactively, Ctrl-C
// (SIGINT, since liner gives the terminal back between prompts) cancels it
// and only it.
func (s *session) statementContext() (context.Context, func()) {
	ctx, cancel := context.WithCancel(s.base)
	if !s.interactive {
		return ctx, cancel
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	stopped := make(chan struct{})
	go func() {
		select {
		case <-ch:
			cancel()
		case <-stopped:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(stopped)
		cancel()
	}
}

// isMutation reports whether text is an INSERT, UPDATE or DELETE, as the
// engine prepares it (false when it does not prepare).
func isMutation(eng *ccql.Engine, text string) bool {
	st, err := eng.Prepare(context.Background(), text)
	return err == nil && !st.ReadOnly()
}

// run prepares and runs one statement; with \wait on, a mutation that
// does not await already is prepared again with the AWAIT hint.
func (s *session) run(ctx context.Context, text string) (res *ccql.Result, mutation bool, err error) {
	st, err := s.eng.Prepare(ctx, text)
	if err != nil {
		return nil, false, err
	}
	mutation = !st.ReadOnly()
	if s.wait && mutation && !st.Await() {
		if st, err = s.eng.Prepare(ctx, "/*+ AWAIT */ "+text); err != nil {
			return nil, mutation, err
		}
	}
	res, err = st.Exec(ctx)
	return res, mutation, err
}

// fail prints an error and counts it.
func (s *session) fail(err error) {
	s.failed++
	fmt.Fprintf(s.a.stderr, "ccql: %v\n", err)
}

// note prints a confirmation, interactively only: piped runs print results
// and errors, not chatter.
func (s *session) note(format string, args ...any) {
	if s.interactive {
		fmt.Fprintf(s.a.stderr, format+"\n", args...)
	}
}

// addHistory records a statement or a meta-command line, unless it may carry
// a secret; liner's in-session history gets the same entries.
func (s *session) addHistory(entry string) {
	entry = shell.HistoryEntry(entry)
	if entry == "" || shell.Sensitive(entry) {
		return
	}
	if s.line != nil {
		s.line.AppendHistory(entry)
	}
	if s.hist == nil {
		return
	}
	if _, err := s.hist.Add(entry); err != nil && !s.histErr {
		s.histErr = true
		fmt.Fprintf(s.a.stderr, "ccql: warning: %v\n", err)
	}
}

var (
	// nameRe is a one- to three-part name for \d and \dt.
	nameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+){0,2}$`)
	// varNameRe is a template variable name for \set.
	varNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// meta runs a meta-command; it reports whether the shell must quit.
func (s *session) meta(name string, line int, m shell.Meta, buf *strings.Builder) (quit bool) {
	query := func(q string) { s.runPiece(name, ccql.Statement{Text: q, Line: line, Col: 1}) }
	switch m.Name {
	case `\q`:
		return true
	case `\help`:
		fmt.Fprint(s.a.stdout, shell.Help())
	case `\o`:
		if m.Arg == "" {
			fmt.Fprintf(s.a.stderr, "Output format is %s.\n", s.format)
			break
		}
		f, err := render.ParseFormat(m.Arg)
		if err != nil {
			s.fail(fmt.Errorf(`\o: %w`, err))
			break
		}
		s.format = f
		s.note("Output format is %s.", f)
	case `\wait`, `\timing`:
		setting := &s.wait
		if m.Name == `\timing` {
			setting = &s.timing
		}
		v, err := onOff(m.Arg, *setting)
		if err != nil {
			s.fail(fmt.Errorf("%s: %w", m.Name, err))
			break
		}
		*setting = v
		s.note("%s is %s.", strings.TrimPrefix(m.Name, `\`), map[bool]string{true: "on", false: "off"}[v])
	case `\d`, `\d+`:
		switch parts := strings.Count(m.Arg, ".") + 1; {
		case m.Arg == "":
			query("SHOW SERVICES IN awscc")
		case !nameRe.MatchString(m.Arg) || parts == 1:
			s.fail(fmt.Errorf(`%s %q: want a resource, as awscc.service.resource or service.resource`, m.Name, m.Arg))
		default:
			res := m.Arg
			if parts == 2 {
				res = "awscc." + res
			}
			verb := "DESCRIBE "
			if m.Name == `\d+` {
				verb = "DESCRIBE EXTENDED "
			}
			query(verb + res)
		}
	case `\dt`:
		switch parts := strings.Count(m.Arg, ".") + 1; {
		case m.Arg == "":
			query("SHOW SERVICES IN awscc")
		case !nameRe.MatchString(m.Arg) || parts > 2:
			s.fail(fmt.Errorf(`\dt %q: want a service, as cognito or awscc.cognito`, m.Arg))
		case parts == 1:
			query("SHOW RESOURCES IN awscc." + m.Arg)
		default:
			query("SHOW RESOURCES IN " + m.Arg)
		}
	case `\i`:
		s.include(m.Arg)
	case `\set`:
		s.set(m.Arg)
	case `\unset`:
		if !varNameRe.MatchString(m.Arg) {
			s.fail(fmt.Errorf(`\unset %q: want a variable name`, m.Arg))
			break
		}
		delete(s.vars, m.Arg)
	case `\r`:
		buf.Reset()
		s.note("Statement discarded.")
	case `\l`:
		query("SHOW PROVIDERS")
	default:
		s.fail(fmt.Errorf(`unknown command %s (\? lists them)`, m.Name))
	}
	return false
}

// include runs a file's statements and commands, as \i. A \q in the file
// ends the file, not the shell.
func (s *session) include(path string) {
	if path == "" {
		s.fail(errors.New(`\i: want a file name`))
		return
	}
	if s.depth >= maxIncludeDepth {
		s.fail(fmt.Errorf(`\i %s: files included %d deep (does it include itself?)`, path, s.depth))
		return
	}
	f, err := os.Open(path)
	if err != nil {
		s.fail(fmt.Errorf(`\i: %w`, err))
		return
	}
	defer f.Close()
	s.depth++
	defer func() { s.depth-- }()
	s.loop(path, shell.NewPipeReader(f, nil), false)
}

// set runs \set: without arguments it lists the variables.
func (s *session) set(arg string) {
	if arg == "" {
		for _, k := range slices.Sorted(maps.Keys(s.vars)) {
			v, err := template.JSON(s.vars[k])
			if err != nil {
				v = fmt.Sprint(s.vars[k])
			}
			fmt.Fprintf(s.a.stdout, "%s = %s\n", k, v)
		}
		return
	}
	name, value, _ := strings.Cut(arg, " ")
	if i := strings.IndexByte(name, '\t'); i >= 0 {
		name, value = name[:i], name[i+1:]+" "+value
	}
	if !varNameRe.MatchString(name) {
		s.fail(fmt.Errorf(`\set %q: want a variable name`, name))
		return
	}
	s.vars[name] = varValue(strings.TrimSpace(value))
}

// onOff parses an on/off argument; none toggles.
func onOff(arg string, current bool) (bool, error) {
	switch strings.ToLower(arg) {
	case "":
		return !current, nil
	case "on", "true", "1":
		return true, nil
	case "off", "false", "0":
		return false, nil
	}
	return current, fmt.Errorf("%q: want on or off", arg)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// isStdio reports whether f is the process's standard stream fd.
func isStdio(f any, fd uintptr) bool {
	file, ok := f.(*os.File)
	return ok && file.Fd() == fd
}
