package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// TestSQLite_Update_ctxWhileQueued: an Update waiting for room in the
// write queue returns when its context ends, instead of blocking until the
// writer frees a slot.
func TestSQLite_Update_ctxWhileQueued(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	running, release := make(chan struct{}), make(chan struct{})
	blocked := make(chan error, 1)
	go func() {
		blocked <- s.Update(context.Background(), func(Tx) error {
			close(running)
			<-release
			return nil
		})
	}()
	<-running // the writer is busy in that Update
	done := context.Background()
	var queued []*writeReq
	for len(s.reqs) < cap(s.reqs) { // fill the queue
		r := &writeReq{ctx: done, fn: func(Tx) error { return nil }, done: make(chan writeResult, 1)}
		s.reqs <- r
		queued = append(queued, r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Update(ctx, func(Tx) error { t.Error("a cancelled Update ran"); return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Update on a full queue with a cancelled context = %v, want context.Canceled", err)
	}
	close(release)
	if err := <-blocked; err != nil {
		t.Fatal(err)
	}
	for _, r := range queued {
		if res := <-r.done; res.err != nil {
			t.Error(res.err)
		}
	}
}
