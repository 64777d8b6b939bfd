package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/deploy"
	"github.com/spf13/cobra"
)

// deployFlags are the flags of build, test, plan and teardown.
type deployFlags struct {
	backendFlags
	env         []string
	envFile     string
	dryRun      bool
	showQueries bool
	outputFile  string
	logLevel    string
	output      string // plan: text or json
	teardown    bool   // plan: what teardown would delete
}

func newDeployCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deploy",
		Short: "Build, test, plan and tear down stackql-deploy stacks",
		Long: `Run stackql-deploy-compatible stacks: a stackql_manifest.yml and resources/*.iql
files whose queries are marked /*+ exists */, /*+ create */, /*+ statecheck */,
/*+ update */, /*+ exports */, /*+ delete */ (and v2's /*+ callback:create */,
/*+ troubleshoot */ …) and written as Jinja templates. Statements run through
the ccql engine in process, on any backend. plan shows per resource create,
update (each changed property as current → desired), no change, or, with
--teardown, delete; -o json gives the same as data.

The format and the flows are documented in docs/deploy.md.`,
	}
	for _, c := range []struct{ name, short string }{
		{"build", "Create or update every resource of the stack, in order"},
		{"test", "Check every resource exists and is in its desired state"},
		{"plan", "Show what build would create or update, changing nothing"},
		{"teardown", "Delete every resource of the stack, in reverse order"},
	} {
		cmd.AddCommand(newDeployRunCmd(a, c.name, c.short))
	}
	cmd.AddCommand(newDeployInitCmd(a))
	return cmd
}

func newDeployRunCmd(a *app, name, short string) *cobra.Command {
	var f deployFlags
	cmd := &cobra.Command{
		Use:   name + " STACK_DIR STACK_ENV",
		Short: short,
		Args:  cobra.ExactArgs(2),
		Example: fmt.Sprintf(`  ccql deploy %s examples/deploy/cognito dev
  ccql deploy %s my-stack prd -e AWS_REGION=eu-west-1 --backend aws`, name, name),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDeploy(a, &f, name, args[0], args[1])
		},
	}
	fs := cmd.Flags()
	f.register(fs)
	// deploy always awaits its mutations and fails on FAILED requests: a
	// statecheck must see the finished resource.
	_ = fs.MarkHidden("wait")
	_ = fs.MarkHidden("fail-on-failed")
	fs.StringArrayVarP(&f.env, "env", "e", nil, "environment variable KEY=VAL for the templates (overrides --env-file); repeatable")
	fs.StringVar(&f.envFile, "env-file", ".env", "dotenv file of environment variables (a missing default .env is fine)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "render and print every query without running any")
	fs.BoolVar(&f.showQueries, "show-queries", false, "print every rendered query before it runs (secrets masked)")
	fs.StringVar(&f.outputFile, "output-file", "", "write the stack exports to FILE as JSON (build, test)")
	fs.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	if name == "plan" {
		fs.StringVarP(&f.output, "output", "o", "text", "plan format: text, or json (the same as data, for CI)")
		fs.BoolVar(&f.teardown, "teardown", false, "show what teardown would delete instead of what build would do")
	}
	return cmd
}

func runDeploy(a *app, f *deployFlags, command, dir, env string) error {
	logger, err := newLogger(a.stderr, f.logLevel)
	if err != nil {
		return err
	}
	if f.output != "" && f.output != "text" && f.output != "json" {
		return usageErrorf("--output %q: want text or json", f.output)
	}
	vars, err := deployVars(f)
	if err != nil {
		return err
	}
	stack, err := deploy.Load(dir)
	if err != nil {
		return err
	}
	cfg := deploy.Config{
		Env:         env,
		Vars:        vars,
		DryRun:      f.dryRun,
		ShowQueries: f.showQueries,
		Out:         a.stdout,
		Logger:      logger,
		Progress:    a.stderr,
		Terminal:    isTerminal(a.stderr),
		Teardown:    f.teardown,
	}
	var q deploy.Querier
	if !f.dryRun || command == "plan" {
		ecfg, err := f.config()
		if err != nil {
			return err
		}
		ecfg.Wait, ecfg.FailOnFailed = true, true
		ecfg.Logger = logger
		eng, err := ccql.Open(a.ctx, ecfg)
		if err != nil {
			return err
		}
		defer eng.Close()
		q = eng
	}
	run := map[string]func(*deploy.Stack) (*deploy.Result, error){
		"build":    func(s *deploy.Stack) (*deploy.Result, error) { return s.Build(a.ctx, q, cfg) },
		"test":     func(s *deploy.Stack) (*deploy.Result, error) { return s.Test(a.ctx, q, cfg) },
		"plan":     func(s *deploy.Stack) (*deploy.Result, error) { return s.Plan(a.ctx, q, cfg) },
		"teardown": func(s *deploy.Stack) (*deploy.Result, error) { return s.Teardown(a.ctx, q, cfg) },
	}[command]
	res, err := run(stack)
	if err != nil {
		return err
	}
	if command == "plan" {
		if err := printPlan(a, res, f.output); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.stderr, "%s %s (%s) done in %s\n", command, res.Stack, res.Env, res.Elapsed.Round(1e6))
	if f.outputFile != "" && res.Exports != nil {
		b, err := json.MarshalIndent(res.Exports, "", "  ")
		if err != nil {
			return fmt.Errorf("output file: %w", err)
		}
		// The exports may hold secrets (protected exports are real values
		// here): only the owner may read the file, also when it existed
		// before with wider permissions (WriteFile's mode applies only to
		// a file it creates), so narrow it first.
		if err := os.Chmod(f.outputFile, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("output file: %w", err)
		}
		if err := os.WriteFile(f.outputFile, append(b, '\n'), 0o600); err != nil {
			return fmt.Errorf("output file: %w", err)
		}
	}
	return nil
}

// printPlan prints the plan: for a person (per resource: create, update
// with "property: current → desired" lines, no change, delete), or as JSON.
func printPlan(a *app, res *deploy.Result, format string) error {
	if format == "json" {
		b, err := json.MarshalIndent(res.Plan(), "", "  ")
		if err != nil {
			return fmt.Errorf("plan: %w", err)
		}
		_, err = fmt.Fprintf(a.stdout, "%s\n", b)
		return err
	}
	return res.WritePlan(a.stdout)
}

// deployVars are the run's environment variables: the process environment,
// then the env file, then -e overrides.
func deployVars(f *deployFlags) (map[string]string, error) {
	vars := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	file, err := os.ReadFile(f.envFile)
	switch {
	case err == nil:
		fileVars, err := parseDotenv(string(file))
		if err != nil {
			return nil, fmt.Errorf("--env-file %s: %w", f.envFile, err)
		}
		for k, v := range fileVars {
			vars[k] = v
		}
	case errors.Is(err, fs.ErrNotExist) && f.envFile == ".env":
	default:
		return nil, fmt.Errorf("--env-file: %w", err)
	}
	for _, kv := range f.env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usageErrorf("-e %q: want KEY=VAL", kv)
		}
		vars[k] = v
	}
	return vars, nil
}

// parseDotenv reads KEY=VALUE lines: # comments, blank lines, an optional
// "export ", and values in single quotes (literal) or double quotes (with
// \n, \t, \" and \\ escapes).
func parseDotenv(text string) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("line %d: want KEY=VALUE", n)
		}
		v = strings.TrimSpace(v)
		switch {
		case len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'':
			v = v[1 : len(v)-1]
		case len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"':
			u, err := strconv.Unquote(v)
			if err != nil {
				return nil, fmt.Errorf("line %d: %s: bad quoted value", n, k)
			}
			v = u
		default:
			if i := strings.Index(v, " #"); i >= 0 {
				v = strings.TrimSpace(v[:i])
			}
		}
		out[k] = v
	}
	return out, sc.Err()
}

func newDeployInitCmd(a *app) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "init NAME",
		Short: "Write a starter stack (a Cognito user pool and app client) into ./NAME",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			target := dir
			if target == "" {
				target = args[0]
			}
			if err := deploy.Init(target, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Created stack %s in %s. Next:\n  ccql deploy plan %s dev\n  ccql deploy build %s dev\n",
				deploy.StackName(args[0]), target, target, target)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "write the stack into DIR instead of ./NAME")
	return cmd
}
