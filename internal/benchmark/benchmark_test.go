package benchmark_test

import (
	"context"
	"testing"
	"time"

	"github.com/ccql/ccql/emulator"
	"github.com/ccql/ccql/internal/benchmark"
)

// TestRun runs every load for a few milliseconds. A second emulator
// stands in for cognito-local, so the comparison runs without npm.
func TestRun(t *testing.T) {
	other, err := emulator.NewServer(emulator.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var progress []string
	rep, err := benchmark.Run(context.Background(), benchmark.Config{
		Clients:         2,
		Duration:        60 * time.Millisecond,
		Warmup:          5 * time.Millisecond,
		DataDir:         t.TempDir(),
		CognitoLocalURL: other.URL(),
		Progress:        func(name string) { progress = append(progress, name) },
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ name, target string }{
		{"GetResource", benchmark.TargetInProcess1},
		{"GetResource", benchmark.TargetInProcess},
		{"GetResource", benchmark.TargetHTTP},
		{"GetResource", benchmark.TargetBare},
		{"CreateResource", benchmark.TargetInProcess},
		{benchmark.LoadPasswordSignIn, benchmark.TargetHTTP},
		{benchmark.LoadPasswordSignIn, benchmark.TargetCognitoLocal},
		{benchmark.LoadSRPSignIn, benchmark.TargetHTTP},
		{"DescribeUserPoolClient", benchmark.TargetHTTP},
		{"CreateUserPoolClient", benchmark.TargetHTTP},
		{"DescribeUserPoolClient", benchmark.TargetCognitoLocal},
		{"CreateUserPoolClient", benchmark.TargetCognitoLocal},
	}
	if len(rep.Results) != len(want) {
		t.Errorf("%d results, want %d: %+v", len(rep.Results), len(want), rep.Results)
	}
	for _, w := range want {
		r := rep.Result(w.name, w.target)
		if r == nil {
			t.Errorf("no result for %s on %s", w.name, w.target)
			continue
		}
		if r.Ops == 0 || r.Errors != 0 {
			t.Errorf("%s on %s: %d ops, %d errors (%s)", w.name, w.target, r.Ops, r.Errors, r.FirstError)
		}
		if r.P50Micros <= 0 || r.P50Micros > r.P99Micros || r.OpsPerSec <= 0 {
			t.Errorf("%s on %s: p50 %.1f µs, p99 %.1f µs, %.0f ops/s", w.name, w.target, r.P50Micros, r.P99Micros, r.OpsPerSec)
		}
	}
	if c := rep.Result("CreateResource", benchmark.TargetInProcess); c != nil && c.CompletedPerSec <= 0 {
		t.Errorf("durable creates: completed/s %.0f", c.CompletedPerSec)
	}
	checks := map[string]bool{}
	for _, c := range rep.Checks {
		checks[c.Name] = true
		if c.Aim != "" && c.Met == nil {
			t.Errorf("check %s has an aim but no verdict", c.Name)
		}
	}
	for _, name := range []string{"in-process GetResource p50", "HTTP GetResource throughput", "HTTP GetResource / bare net/http",
		"durable CreateResource acknowledged", "DescribeUserPoolClient ccql / cognito-local throughput", "CreateUserPoolClient ccql / cognito-local throughput"} {
		if !checks[name] {
			t.Errorf("no check %q", name)
		}
	}
	if len(progress) == 0 {
		t.Error("Progress was never called")
	}
	if rep.Clients != 2 || rep.GOMAXPROCS <= 0 {
		t.Errorf("report header: %+v", rep)
	}
}

// TestRun_Canceled stops at once when the context is done.
func TestRun_Canceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := benchmark.Run(ctx, benchmark.Config{Duration: time.Hour, DataDir: t.TempDir()}); err == nil {
		t.Fatal("Run with a canceled context: no error")
	}
}
