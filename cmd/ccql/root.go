package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"
)

// app carries what every subcommand shares: the streams and the context.
// Subcommands read flags and env here, in cmd, and nowhere else.
type app struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// exitError carries a specific exit code out of a subcommand.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// run executes the command line and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "ccql",
		Short:         "SQL for AWS Cloud Control",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       readBuildInfo().String(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &exitError{code: 2, err: err} })
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(
		newExecCmd(a),
		newShellCmd(a),
		newServeCmd(a),
		newSrvCmd(a),
		newDeployCmd(a),
		newBenchCmd(a),
		newMCPCmd(a),
		newStateCmd(a),
		newVersionCmd(a),
	)
	nameArgs(root)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "ccql: %v\n", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if isUsageError(err) {
		return 2
	}
	return 1
}

// nameArgs wraps the argument check of every command so that a wrong
// number of arguments names what is missing (or extra) and shows the
// synopsis, instead of cobra's "accepts 2 arg(s), received 1". The names
// come from each command's Use line ("build STACK_DIR STACK_ENV"; optional
// ones in brackets).
func nameArgs(c *cobra.Command) {
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return &exitError{code: 2, err: argsError(cmd, args, err)}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		nameArgs(sub)
	}
}

// argsError words a wrong argument count for cmd from its Use line.
func argsError(cmd *cobra.Command, args []string, err error) error {
	var required, optional []string
	for _, f := range strings.Fields(cmd.Use)[1:] {
		switch {
		case strings.HasPrefix(f, "[") && strings.HasSuffix(f, "]"):
			optional = append(optional, strings.Trim(f, "[]."))
		case strings.HasPrefix(f, "["):
			optional = append(optional, strings.Trim(f, "[]."))
		default:
			required = append(required, f)
		}
	}
	synopsis := "usage: " + cmd.UseLine()
	path := strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
	hint := ""
	if cmd.Name() == "exec" {
		hint = "; quote several words as one argument"
	}
	switch n := len(args); {
	case n < len(required):
		missing := required[n:]
		return fmt.Errorf("%s: missing %s (%s)", path, strings.Join(missing, " and "), synopsis)
	case len(required)+len(optional) == 0:
		return fmt.Errorf("%s takes no arguments, got %q (%s)", path, strings.Join(args, " "), synopsis)
	case n > len(required)+len(optional):
		extra := args[len(required)+len(optional):]
		return fmt.Errorf("%s: unexpected %q after %s (%s%s)", path, strings.Join(extra, " "),
			strings.Join(append(required, optional...), " "), synopsis, hint)
	}
	return fmt.Errorf("%s: %w (%s)", path, err, synopsis)
}

// isUsageError recognises cobra's own command-line errors, which it
// returns as plain errors: an unknown command, or the wrong number of
// arguments.
func isUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command ", "accepts ", "requires at least ", "requires exactly ", "unknown flag", "unknown shorthand flag"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// newLogger returns the structured logger of a server or deploy command at
// the --log-level given.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, usageErrorf("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}
