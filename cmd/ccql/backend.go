package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/internal/awsregion"
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
	fs.StringVar(&b.region, "region", "", "the region of statements that do not bind region themselves (WHERE region = …, an INSERT's region column), and the SDK's region")
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
	if b.region != "" {
		if err := awsregion.Check(b.region); err != nil {
			return cfg, usageErrorf("--region: %v", err)
		}
		cfg.DefaultRegion = b.region
	}
	if cfg.Region == "" {
		cfg.Region = os.Getenv("AWS_REGION")
	}
	if cfg.Backend == ccql.BackendEndpoint {
		endpoint, flag := b.endpoint, "--endpoint"
		if endpoint == "" {
			endpoint, flag = os.Getenv("AWS_ENDPOINT_URL_CLOUDCONTROL"), "AWS_ENDPOINT_URL_CLOUDCONTROL"
		}
		if err := checkEndpoint(endpoint); err != nil {
			return cfg, usageErrorf("%s %q: %v", flag, endpoint, err)
		}
		cfg.Endpoint = endpoint
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

// checkEndpoint validates a Cloud Control endpoint URL before anything is
// sent to it: an http or https URL with a host (localhost:4566 without a
// scheme would otherwise fail three retries later as "unsupported protocol
// scheme").
func checkEndpoint(endpoint string) error {
	if endpoint == "" {
		return errors.New("want an http:// or https:// URL, e.g. http://127.0.0.1:4566")
	}
	u, err := url.Parse(endpoint)
	switch {
	case err != nil:
		return fmt.Errorf("not a URL: %w", err)
	case u.Scheme != "http" && u.Scheme != "https":
		if u.Scheme == "" || u.Opaque != "" || u.Host == "" {
			return fmt.Errorf("no scheme: want http://%s or https://%s", endpoint, endpoint)
		}
		return fmt.Errorf("scheme %q: want http or https", u.Scheme)
	case u.Hostname() == "":
		return errors.New("no host: want a URL like http://127.0.0.1:4566")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("port %q: want 1 to 65535", p)
		}
	}
	return nil
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
