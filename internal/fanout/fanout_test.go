package fanout

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

func TestRun_boundsAndRunsAll(t *testing.T) {
	for _, tc := range []struct{ n, limit, want int }{{0, 3, 0}, {1, 3, 1}, {10, 3, 3}, {5, 0, 5}, {20, 0, DefaultLimit}} {
		t.Run(fmt.Sprintf("n=%d,limit=%d", tc.n, tc.limit), func(t *testing.T) {
			var running, peak, ran atomic.Int32
			release := make(chan struct{})
			var arrived sync.WaitGroup
			arrived.Add(min(tc.n, tc.want))
			done := make(chan error)
			go func() {
				done <- Run(context.Background(), tc.n, tc.limit, func(ctx context.Context, i int) error {
					r := running.Add(1)
					for {
						p := peak.Load()
						if r <= p || peak.CompareAndSwap(p, r) {
							break
						}
					}
					if int(ran.Add(1)) <= tc.want {
						arrived.Done()
					}
					<-release
					running.Add(-1)
					return nil
				})
			}()
			arrived.Wait() // the first `want` calls run at once
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if int(ran.Load()) != tc.n {
				t.Errorf("ran %d calls, want %d", ran.Load(), tc.n)
			}
			if int(peak.Load()) != tc.want {
				t.Errorf("peak concurrency %d, want %d", peak.Load(), tc.want)
			}
		})
	}
}

func TestRun_failureDoesNotStopOthers(t *testing.T) {
	var ran atomic.Int32
	boom := errors.New("boom")
	err := Run(context.Background(), 6, 2, func(ctx context.Context, i int) error {
		ran.Add(1)
		if i%3 == 0 {
			return fmt.Errorf("call %d: %w", i, boom)
		}
		return nil
	})
	if ran.Load() != 6 {
		t.Errorf("ran %d calls, want all 6", ran.Load())
	}
	if !errors.Is(err, boom) || err.Error() != "call 0: boom\ncall 3: boom" {
		t.Errorf("err = %q, want the two failures joined in order", err)
	}
}

func TestRun_contextWhileWaitingForSlot(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	var ran atomic.Int32
	err := Run(ctx, 5, 1, func(ctx context.Context, i int) error {
		ran.Add(1)
		if i == 0 {
			close(started)
			cancel() // the loop is now waiting for the only slot
			<-ctx.Done()
		}
		return nil
	})
	<-started
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if ran.Load() != 1 {
		t.Errorf("ran %d calls after cancel, want only the first", ran.Load())
	}
}

func TestFirst(t *testing.T) {
	a, b := errors.New("a"), errors.New("b")
	for _, tc := range []struct{ in, want error }{{nil, nil}, {a, a}, {errors.Join(a, b), a}, {errors.Join(nil, b), b}} {
		if got := First(tc.in); got != tc.want {
			t.Errorf("First(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
