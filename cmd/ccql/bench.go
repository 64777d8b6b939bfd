package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ccql/ccql/internal/benchmark"
)

// benchFlags are ccql bench's options.
type benchFlags struct {
	clients         int
	duration        time.Duration
	dataDir         string
	cognitoLocal    bool
	cognitoLocalURL string
	cognitoLocalDir string
	output          string
	cpuProfile      string
}

func newBenchCmd(a *app) *cobra.Command {
	var f benchFlags
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure the emulator: GetResource in process and over HTTP, durable creates, cognito-local",
		Long: `Measure the embedded emulator in one run, with N concurrent clients:

  - GetResource in process (1 client, then N): p50, p99, ops/s
  - GetResource over HTTP on loopback, and the same load against a bare
    net/http JSON handler in this process (the loopback limit), as a ratio
  - durable CreateResource (fsynced before each acknowledgement):
    acknowledged and completed per second
  - sign-ins over HTTP: USER_PASSWORD_AUTH and full USER_SRP_AUTH
    (InitiateAuth + RespondToAuthChallenge); with --cognito-local, its
    USER_PASSWORD_AUTH side by side (it has no SRP)
  - with --cognito-local: DescribeUserPoolClient and CreateUserPoolClient
    against cognito-local (npm) and the emulator over HTTP, side by side

HTTP loads use one lean client for every server (keep-alive, pre-built
unsigned bodies). --cognito-local installs cognito-local with npm into
--cognito-local-dir the first time; --cognito-local-url uses one already
running. If cognito-local cannot be run, the other results are still
printed and ccql bench exits 1. Loads with failed calls also exit 1; aims
that are not met do not.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBench(a, f) },
	}
	cmd.AddCommand(newBenchScaleCmd(a))
	fs := cmd.Flags()
	fs.IntVar(&f.clients, "clients", benchmark.DefaultClients, "concurrent clients")
	fs.DurationVar(&f.duration, "duration", benchmark.DefaultDuration, "measured time of each load")
	fs.StringVar(&f.dataDir, "data-dir", "", "state directory of the measured emulator (default: a new temporary directory; use a disk, not tmpfs, for real fsyncs)")
	fs.BoolVar(&f.cognitoLocal, "cognito-local", false, "also measure cognito-local (npm) against the emulator")
	fs.StringVar(&f.cognitoLocalURL, "cognito-local-url", "", "endpoint of a running cognito-local (implies --cognito-local)")
	fs.StringVar(&f.cognitoLocalDir, "cognito-local-dir", "", "where npm installs cognito-local (default ${XDG_CACHE_HOME:-~/.cache}/ccql/cognito-local)")
	fs.StringVarP(&f.output, "output", "o", "table", "output format: table or json")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run (clients and servers) to FILE")
	return cmd
}

func runBench(a *app, f benchFlags) error {
	if f.output != "table" && f.output != "json" {
		return usageErrorf("--output %q: want table or json", f.output)
	}
	if f.clients < 1 || f.clients > 1024 {
		return usageErrorf("--clients %d: want 1 to 1024", f.clients)
	}
	if f.duration <= 0 {
		return usageErrorf("--duration %s: want a positive duration", f.duration)
	}
	cfg := benchmark.Config{
		Clients:  f.clients,
		Duration: f.duration,
		DataDir:  f.dataDir,
		Progress: func(name string) { fmt.Fprintf(a.stderr, "ccql bench: %s …\n", name) },
	}
	var cognitoErr error
	switch {
	case f.cognitoLocalURL != "":
		cfg.CognitoLocalURL = f.cognitoLocalURL
	case f.cognitoLocal:
		dir := f.cognitoLocalDir
		if dir == "" {
			cache, err := os.UserCacheDir()
			if err != nil {
				return fmt.Errorf("bench: no cache dir for cognito-local: set --cognito-local-dir: %w", err)
			}
			dir = filepath.Join(cache, "ccql", "cognito-local")
		}
		fmt.Fprintf(a.stderr, "ccql bench: starting cognito-local …\n")
		cl, err := benchmark.StartCognitoLocal(a.ctx, dir, a.stderr)
		if err != nil {
			cognitoErr = fmt.Errorf("bench: cognito-local comparison skipped: %w", err)
			fmt.Fprintf(a.stderr, "ccql: %v\n", cognitoErr)
		} else {
			defer cl.Close()
			cfg.CognitoLocalURL = cl.URL
		}
	}
	if f.cpuProfile != "" {
		stop, err := startCPUProfile(f.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	rep, err := benchmark.Run(a.ctx, cfg)
	if err != nil {
		return err
	}
	if f.output == "json" {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	} else if err := writeBenchTable(a.stdout, rep); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	var failed []error
	for _, r := range rep.Results {
		if r.Errors > 0 {
			failed = append(failed, fmt.Errorf("%s on %s: %d failed calls, first: %s", r.Name, r.Target, r.Errors, r.FirstError))
		}
	}
	if cognitoErr != nil {
		failed = append(failed, cognitoErr)
	}
	if len(failed) > 0 {
		return &exitError{code: 1, err: errors.Join(failed...)}
	}
	return nil
}

// startCPUProfile profiles the process into path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	file, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if err := pprof.StartCPUProfile(file); err != nil {
		file.Close()
		return nil, fmt.Errorf("bench: cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		file.Close()
	}, nil
}

// writeBenchTable prints the results, then the checks against the aims.
func writeBenchTable(w io.Writer, rep *benchmark.Report) error {
	fmt.Fprintf(w, "ccql bench: %d clients, %s per load, GOMAXPROCS %d\n\n", rep.Clients, rep.Duration, rep.GOMAXPROCS)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\ttarget\tclients\tops/s\tp50 µs\tp99 µs\terrors\tcompleted/s\t")
	for _, r := range rep.Results {
		completed := ""
		if r.CompletedPerSec > 0 {
			completed = fmt.Sprintf("%.0f", r.CompletedPerSec)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f\t%.1f\t%.1f\t%d\t%s\t\n", r.Name, r.Target, r.Clients, r.OpsPerSec, r.P50Micros, r.P99Micros, r.Errors, completed)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "check\tvalue\taim\tmet")
	for _, c := range rep.Checks {
		met := ""
		if c.Met != nil {
			met = map[bool]string{true: "yes", false: "NO"}[*c.Met]
		}
		value := fmt.Sprintf("%.0f %s", c.Value, c.Unit)
		if c.Unit == "×" {
			value = fmt.Sprintf("%.2f×", c.Value)
		} else if c.Unit == "µs" {
			value = fmt.Sprintf("%.1f µs", c.Value)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Name, value, c.Aim, met)
	}
	return tw.Flush()
}
