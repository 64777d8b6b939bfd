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
	Sizes    []int  // cumulative sizes to load and measure, ascending
	DataDir  string // "" = a new temporary directory
	Clients  int    // concurrent creators (DefaultClients)
	CLI      string // the ccql binary whose exec is measured
	FullView bool   // also count the full view (a GetResource per resource)
	Progress func(string)
}

// ScaleResult is one size's measurements.
type ScaleResult struct {
	Resources       int     `json:"resources"`
	Created         int     `json:"created"`            // created at this step
	CreatePerSec    float64 `json:"createPerSec"`       // durable CreateResource, acknowledged and finished
	ListOnlySeconds float64 `json:"listOnlySeconds"`    // ccql exec: SELECT count(*) over the list-only view
	ListOnlyCPU     float64 `json:"listOnlyCPUSeconds"` // user + system time of that process
	ListOnlyRSSMB   float64 `json:"listOnlyPeakRSSMB"`
	FullSeconds     float64 `json:"fullViewSeconds,omitempty"` // ccql exec: count(*) over the full view
	FullCPU         float64 `json:"fullViewCPUSeconds,omitempty"`
	FullRSSMB       float64 `json:"fullViewPeakRSSMB,omitempty"`
	DBBytes         int64   `json:"dbBytes"` // the store file and its WAL
}

const (
	scaleType     = "AWS::Logs::LogGroup"
	scaleListOnly = "awscc.logs.log_groups_list_only"
	scaleFull     = "awscc.logs.log_groups"
)

// RunScale loads log groups up to each size through the emulator's Cloud
// Control API (durable creates, N clients) and measures, at each size,
// `ccql exec` counting them over the list-only view and over the full
// view, as separate processes (time and peak RSS), and the store's size.
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
		cfg.Progress(fmt.Sprintf("creating log groups %d to %d", have, n))
		rate, err := createLogGroups(ctx, dir, have, n, cfg.Clients)
		if err != nil {
			return out, err
		}
		r := ScaleResult{Resources: n, Created: n - have, CreatePerSec: rate}
		have = n
		cfg.Progress(fmt.Sprintf("counting %d log groups (list-only view)", n))
		if r.ListOnlySeconds, r.ListOnlyCPU, r.ListOnlyRSSMB, err = countWithCLI(ctx, cfg.CLI, dir, scaleListOnly, n); err != nil {
			return out, err
		}
		if cfg.FullView {
			cfg.Progress(fmt.Sprintf("counting %d log groups (full view)", n))
			if r.FullSeconds, r.FullCPU, r.FullRSSMB, err = countWithCLI(ctx, cfg.CLI, dir, scaleFull, n); err != nil {
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

// createLogGroups creates log groups from..to-1 and returns creates per
// second, from the first call until the last request finished (Close
// drains the worker).
func createLogGroups(ctx context.Context, dir string, from, to, clients int) (float64, error) {
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
				desired := fmt.Sprintf(`{"LogGroupName":"/ccql/scale/group-%07d","RetentionInDays":7}`, i)
				if _, err := api.CreateResource(ctx, &cc.CreateResourceInput{TypeName: aws.String(scaleType), DesiredState: aws.String(desired)}); err != nil {
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

// countWithCLI runs `ccql exec` counting a view's rows in its own
// process and returns the wall time, the process's CPU time (user and
// system: on a busy machine, the measure of its own work) and its peak RSS.
func countWithCLI(ctx context.Context, bin, dir, table string, want int) (wall, cpu, rssMB float64, err error) {
	cmd := exec.CommandContext(ctx, bin, "exec", "--data-dir", dir, "-o", "csv",
		"SELECT count(*) AS n FROM "+table+" WHERE region = 'us-east-1'")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err = cmd.Run()
	secs := time.Since(start).Seconds()
	if err != nil {
		return 0, 0, 0, fmt.Errorf("bench scale: count %s: %w: %s", table, err, strings.TrimSpace(stderr.String()))
	}
	got := strings.TrimSpace(strings.TrimPrefix(stdout.String(), "n\n"))
	if n, err := strconv.Atoi(got); err != nil || n != want {
		return 0, 0, 0, fmt.Errorf("bench scale: count %s = %q, want %d", table, got, want)
	}
	ps := cmd.ProcessState
	return secs, (ps.UserTime() + ps.SystemTime()).Seconds(), peakRSSMB(ps), nil
}
