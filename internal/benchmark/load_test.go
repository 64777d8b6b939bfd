package benchmark

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name       string
		fn         op
		wantErrors bool
		wantOps    bool
	}{
		{"ok", func(context.Context, int, int) error { return nil }, false, true},
		{"every third fails", func(_ context.Context, _, i int) error {
			if i%3 == 2 {
				return errors.New("boom")
			}
			return nil
		}, true, true},
		{"set-up calls are skipped", func(context.Context, int, int) error { return errSkip }, false, false},
		// Each call outlasts the whole window: still one measured call per worker.
		{"calls longer than the window", func(context.Context, int, int) error { time.Sleep(50 * time.Millisecond); return nil }, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := load(context.Background(), "Op", "target", 3, time.Millisecond, 20*time.Millisecond, tt.fn)
			if got := r.Errors > 0; got != tt.wantErrors {
				t.Errorf("errors = %d, want some: %v", r.Errors, tt.wantErrors)
			}
			if tt.wantErrors && r.FirstError != "boom" {
				t.Errorf("first error %q, want boom", r.FirstError)
			}
			if got := r.Ops > 0; got != tt.wantOps {
				t.Errorf("ops = %d, want some: %v", r.Ops, tt.wantOps)
			}
			if r.Clients != 3 || r.Name != "Op" || r.Target != "target" {
				t.Errorf("result header %+v", r)
			}
			if tt.wantOps && r.Ops < int64(r.Clients) {
				t.Errorf("ops = %d, want at least one per client", r.Ops)
			}
			if r.Ops > 0 && (r.P50Micros > r.P99Micros || r.OpsPerSec <= 0) {
				t.Errorf("p50 %.2f > p99 %.2f or no throughput", r.P50Micros, r.P99Micros)
			}
		})
	}
}
