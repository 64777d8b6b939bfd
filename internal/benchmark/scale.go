package benchmark

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"

	"github.com/ccql/ccql/emulator"
	"github.com/ccql/ccql/internal/store"
)

// The aims of GitHub issue 13 on a 2-core machine.
const (
	AimListOnly100kSeconds = 2.0
	AimListOnly1MSeconds   = 20.0
	AimCLIPeakRSSMB        = 200.0
)

// DefaultScaleSizes are the sizes `ccql bench scale` loads by default;
// 1,000,000 is opt-in (--sizes), as it takes a long while.
var DefaultScaleSizes = []int{10_000, 100_000}

// ScaleConfig configures RunScale.
type ScaleConfig struct {
	Sizes   []int  // cumulative sizes to load and measure, ascending
	DataDir string // "" = a new temporary directory
	Clients int    // concurrent creators (DefaultClients)
	// APICreates is how many of each step's log groups are created through
	// the Cloud Control API (durable CreateResource, Clients at once): the
	// sample the create rate is measured on. The rest of the step is bulk
	// loaded (emulator CloudControl.BulkCreate). <= 0 means every one
	// through the API.
	APICreates int
	CLI        string // the ccql binary whose exec is measured
	FullView   bool   // also count the full view (a GetResource per resource)
	// FullViewTimeout stops the full-view count after this long (0 = no
	// limit); the row then says it did not finish.
	FullViewTimeout time.Duration
	Progress        func(string)
}

// ScaleResult is one size's measurements.
type ScaleResult struct {
	Resources    int     `json:"resources"`
	Created      int     `json:"created"`       // created at this step
	APICreated   int     `json:"apiCreated"`    // of which through the Cloud Control API
	BulkCreated  int     `json:"bulkCreated"`   // of which through BulkCreate
	CreatePerSec float64 `json:"createPerSec"`  // durable CreateResource through the API, acknowledged and finished
	BulkPerSec   float64 `json:"bulkPerSec"`    // BulkCreate, committed
	OpenSeconds  float64 `json:"openSeconds"`   // store.Open + Close, first open after the load (full integrity check)
	ReopenSecs   float64 `json:"reopenSeconds"` // the same, the open after (the file unchanged since a verified open)
	// ListOnly*: ccql exec SELECT count(*) over the list-only view.
	ListOnlySeconds float64 `json:"listOnlySeconds"`
	ListOnlyCPU     float64 `json:"listOnlyCPUSeconds"` // user + system time of that process
	ListOnlyRSSMB   float64 `json:"listOnlyPeakRSSMB"`
	// Full*: ccql exec count(*) over the full view (a GetResource each).
	FullSeconds  float64 `json:"fullViewSeconds,omitempty"`
	FullCPU      float64 `json:"fullViewCPUSeconds,omitempty"`
	FullRSSMB    float64 `json:"fullViewPeakRSSMB,omitempty"`
	FullTimedOut bool    `json:"fullViewTimedOut,omitempty"` // stopped at FullViewTimeout: FullSeconds is the limit
	DBBytes      int64   `json:"dbBytes"`                    // the store file and its WAL
}

const (
	scaleType     = "AWS::Logs::LogGroup"
	scaleListOnly = "awscc.logs.log_groups_list_only"
	scaleFull     = "awscc.logs.log_groups"
	// bulkBatch is how many log groups one BulkCreate (one transaction) stores.
	bulkBatch = 10_000
)

// RunScale loads log groups up to each size and measures, at each size,
// `ccql exec` counting them over the list-only view and over the full
// view, as separate processes (time, CPU time and peak RSS), the cost of
// opening the store, and the store's size. Each step creates
// cfg.APICreates log groups through the emulator's Cloud Control API
// (durable creates, cfg.Clients at once: the create rate) and bulk loads
// the rest.
func RunScale(ctx context.Context, cfg ScaleConfig) ([]ScaleResult, error) {
	if cfg.Clients <= 0 {
		cfg.Clients = DefaultClients
	}
	if cfg.Progress == nil {
		cfg.Progress = func(string) {}
	}
	if cfg.CLI == "" {
		return nil, errors.New("bench scale: no ccql binary to measure")
	}
	dir := cfg.DataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "ccql-scale-")
		if err != nil {
			return nil, fmt.Errorf("bench scale: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	var out []ScaleResult
	have := 0
	for _, n := range cfg.Sizes {
		if n < have {
			return nil, fmt.Errorf("bench scale: sizes must ascend (%d after %d)", n, have)
		}
		r := ScaleResult{Resources: n, Created: n - have}
		r.APICreated = r.Created
		if cfg.APICreates > 0 {
			r.APICreated = min(r.Created, cfg.APICreates)
		}
		r.BulkCreated = r.Created - r.APICreated
		cfg.Progress(fmt.Sprintf("creating log groups %d to %d through the API, %d clients", have, have+r.APICreated, cfg.Clients))
		var err error
		if r.CreatePerSec, err = createLogGroups(ctx, dir, have, have+r.APICreated, cfg.Clients); err != nil {
			return out, err
		}
		if r.BulkCreated > 0 {
			cfg.Progress(fmt.Sprintf("bulk loading log groups %d to %d", have+r.APICreated, n))
			if r.BulkPerSec, err = bulkLogGroups(ctx, dir, have+r.APICreated, n); err != nil {
				return out, err
			}
		}
		have = n
		cfg.Progress(fmt.Sprintf("opening the store of %d log groups", n))
		if r.OpenSeconds, err = timeOpen(ctx, dir); err != nil {
			return out, err
		}
		if r.ReopenSecs, err = timeOpen(ctx, dir); err != nil {
			return out, err
		}
		cfg.Progress(fmt.Sprintf("counting %d log groups (list-only view)", n))
		if r.ListOnlySeconds, r.ListOnlyCPU, r.ListOnlyRSSMB, err = countWithCLI(ctx, cfg.CLI, dir, scaleListOnly, n); err != nil {
			return out, err
		}
		if cfg.FullView {
			cfg.Progress(fmt.Sprintf("counting %d log groups (full view)", n))
			fctx, cancel := ctx, context.CancelFunc(func() {})
			if cfg.FullViewTimeout > 0 {
				fctx, cancel = context.WithTimeout(ctx, cfg.FullViewTimeout)
			}
			r.FullSeconds, r.FullCPU, r.FullRSSMB, err = countWithCLI(fctx, cfg.CLI, dir, scaleFull, n)
			timedOut := fctx.Err() != nil && ctx.Err() == nil
			cancel()
			switch {
			case timedOut:
				r.FullTimedOut, r.FullSeconds, r.FullCPU, r.FullRSSMB = true, cfg.FullViewTimeout.Seconds(), 0, 0
			case err != nil:
				return out, err
			}
		}
		for _, ext := range []string{"", "-wal"} {
			if fi, err := os.Stat(filepath.Join(dir, store.FileName+ext)); err == nil {
				r.DBBytes += fi.Size()
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// timeOpen opens and closes the store in dir, as every ccql exec does.
func timeOpen(ctx context.Context, dir string) (float64, error) {
	start := time.Now()
	st, err := store.Open(ctx, filepath.Join(dir, store.FileName))
	if err != nil {
		return 0, fmt.Errorf("bench scale: %w", err)
	}
	if err := st.Close(); err != nil {
		return 0, fmt.Errorf("bench scale: %w", err)
	}
	return time.Since(start).Seconds(), nil
}

func logGroupState(i int) string {
	return fmt.Sprintf(`{"LogGroupName":"/ccql/scale/group-%07d","RetentionInDays":7}`, i)
}

// createLogGroups creates log groups from..to-1 and returns creates per
// second, from the first call until the last request finished (Close
// drains the worker).
func createLogGroups(ctx context.Context, dir string, from, to, clients int) (float64, error) {
	if to <= from {
		return 0, nil
	}
	srv, err := emulator.NewServer(emulator.Options{DataDir: dir})
	if err != nil {
		return 0, fmt.Errorf("bench scale: %w", err)
	}
	api := srv.CloudControl("")
	start := time.Now()
	var next atomic.Int64
	next.Store(int64(from))
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for range clients {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(to) || ctx.Err() != nil {
					return
				}
				if _, err := api.CreateResource(ctx, &cc.CreateResourceInput{TypeName: aws.String(scaleType), DesiredState: aws.String(logGroupState(int(i)))}); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		})
	}
	wg.Wait()
	cerr := srv.Close()
	elapsed := time.Since(start)
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, fmt.Errorf("bench scale: create: %w", err)
	}
	if cerr != nil {
		return 0, fmt.Errorf("bench scale: %w", cerr)
	}
	return float64(to-from) / elapsed.Seconds(), nil
}

// bulkLogGroups stores log groups from..to-1 through BulkCreate, in
// transactions of bulkBatch, two batches being prepared at once (the
// validation runs outside the store's single writer).
func bulkLogGroups(ctx context.Context, dir string, from, to int) (float64, error) {
	srv, err := emulator.NewServer(emulator.Options{DataDir: dir})
	if err != nil {
		return 0, fmt.Errorf("bench scale: %w", err)
	}
	api := srv.CloudControl("")
	start := time.Now()
	var next atomic.Int64
	next.Store(int64(from))
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for range 2 {
		wg.Go(func() {
			states := make([]string, 0, bulkBatch)
			for ctx.Err() == nil {
				lo := int(next.Add(bulkBatch) - bulkBatch)
				if lo >= to {
					return
				}
				states = states[:0]
				for i := lo; i < min(lo+bulkBatch, to); i++ {
					states = append(states, logGroupState(i))
				}
				if err := api.BulkCreate(ctx, scaleType, states); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		})
	}
	wg.Wait()
	cerr := srv.Close()
	elapsed := time.Since(start)
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, fmt.Errorf("bench scale: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("bench scale: %w", err)
	}
	if cerr != nil {
		return 0, fmt.Errorf("bench scale: %w", cerr)
	}
	return float64(to-from) / elapsed.Seconds(), nil
}

// countWithCLI runs `ccql exec` counting a view's rows in its own
// process and returns the wall time, the process's CPU time (user and
// system: on a busy machine, the measure of its own work) and its peak RSS.
func countWithCLI(ctx context.Context, bin, dir, table string, want int) (wall, cpu, rssMB float64, err error) {
	cmd := exec.CommandContext(ctx, bin, "exec", "--data-dir", dir, "-o", "csv",
		"SELECT count(*) AS n FROM "+table+" WHERE region = 'us-east-1'")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err = cmd.Start(); err != nil {
		return 0, 0, 0, fmt.Errorf("bench scale: count %s: %w", table, err)
	}
	stop := make(chan struct{})
	hwm := watchHWM(cmd.Process.Pid, stop)
	err = cmd.Wait()
	secs := time.Since(start).Seconds()
	close(stop)
	ownPeak := <-hwm
	if err != nil {
		return 0, 0, 0, fmt.Errorf("bench scale: count %s: %w: %s", table, err, strings.TrimSpace(stderr.String()))
	}
	got := strings.TrimSpace(strings.TrimPrefix(stdout.String(), "n\n"))
	if n, err := strconv.Atoi(got); err != nil || n != want {
		return 0, 0, 0, fmt.Errorf("bench scale: count %s = %q, want %d", table, got, want)
	}
	ps := cmd.ProcessState
	rss := peakRSSMB(ps)
	if ownPeak > 0 {
		rss = ownPeak // see watchHWM: rusage counts the benchmark's own peak
	}
	return secs, (ps.UserTime() + ps.SystemTime()).Seconds(), rss, nil
}
