package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ccql/ccql"
	"github.com/spf13/pflag"
)

// backendFlags are the flags every engine-backed command shares: which
// Cloud Control answers, and how mutations are awaited.
type backendFlags struct {
	backend      string
	endpoint     string
	dataDir      string
	region       string
	wait         bool
	waitTimeout  time.Duration
	failOnFailed bool
	concurrency  int
	latency      time.Duration
}

func (b *backendFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&b.backend, "backend", "", "where Cloud Control calls go: local (the embedded emulator, default), aws, or endpoint")
	fs.StringVar(&b.endpoint, "endpoint", "", "a Cloud Control endpoint URL (e.g. a ccql serve); also AWS_ENDPOINT_URL_CLOUDCONTROL")
	fs.StringVar(&b.dataDir, "data-dir", "", "the embedded emulator's data dir (default $CCQL_DATA_DIR, else $XDG_DATA_HOME/ccql)")
	fs.StringVar(&b.region, "region", "", "default AWS region for credentials and endpoints (statements bind region themselves)")
	fs.BoolVar(&b.wait, "wait", false, "await every mutation's request until it succeeds or fails (as /*+ AWAIT */)")
	fs.DurationVar(&b.waitTimeout, "wait-timeout", ccql.DefaultWaitTimeout, "how long to await one request")
	fs.BoolVar(&b.failOnFailed, "fail-on-failed", false, "no effect: a request that ends FAILED is always an error")
	_ = fs.MarkDeprecated("fail-on-failed", "a request that ends FAILED is always an error now")
	fs.IntVar(&b.concurrency, "concurrency", ccql.DefaultConcurrency, "parallel Cloud Control calls per statement")
	fs.DurationVar(&b.latency, "latency", 0, "the embedded emulator's simulated completion delay")
}

// config builds the engine configuration from the flags and environment.
func (b *backendFlags) config() (ccql.Config, error) {
	cfg := ccql.Config{
		Endpoint:     b.endpoint,
		DataDir:      b.dataDir,
		Region:       b.region,
		Wait:         b.wait,
		WaitTimeout:  b.waitTimeout,
		FailOnFailed: b.failOnFailed,
		Concurrency:  b.concurrency,
		Latency:      b.latency,
	}
	switch b.backend {
	case "", "local":
		cfg.Backend = ccql.BackendLocal
		if b.backend == "" && (b.endpoint != "" || os.Getenv("AWS_ENDPOINT_URL_CLOUDCONTROL") != "") {
			cfg.Backend = ccql.BackendEndpoint
		}
	case "aws":
		cfg.Backend = ccql.BackendAWS
	case "endpoint":
		cfg.Backend = ccql.BackendEndpoint
	default:
		return cfg, usageErrorf("--backend %q: want local, aws or endpoint", b.backend)
	}
	if b.endpoint != "" && cfg.Backend == ccql.BackendLocal && b.backend == "local" {
		return cfg, usageErrorf("--endpoint cannot be used with --backend local")
	}
	if cfg.Region == "" {
		cfg.Region = os.Getenv("AWS_REGION")
	}
	if cfg.Backend == ccql.BackendEndpoint && cfg.Endpoint == "" {
		cfg.Endpoint = os.Getenv("AWS_ENDPOINT_URL_CLOUDCONTROL")
	}
	// The library reads no environment: the data dir (for the emulator, and
	// the shell's history with any backend) is resolved here.
	dir, err := ccql.ResolveDataDir(b.dataDir, os.Getenv)
	if err != nil {
		if cfg.Backend == ccql.BackendLocal {
			return cfg, err
		}
		dir = filepath.Join(os.TempDir(), "ccql")
	}
	cfg.DataDir = dir
	return cfg, nil
}

// usageErrorf is a command-line mistake: exit code 2.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// isTerminal reports whether f is a terminal, for spinners and colours.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	st, err := file.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
