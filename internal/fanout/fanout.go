// Package fanout is ccql's one bounded fan-out: the engine's mutations,
// the provider's per-resource reads and the SQLite layer's prefetch all
// run their parallel calls through Run, so they share one policy.
//
// The policy: at most limit calls run at once; every index runs unless ctx
// ends first (waiting for a slot honours ctx, and an index not started by
// then is not run); a failing call does not cancel the others, since the
// calls are independent requests already sent or cheap reads; Run returns
// the errors of all calls joined in index order, with ctx's error if it
// ended before every index started.
package fanout

import (
	"context"
	"errors"
	"sync"
)

// DefaultLimit is the bound used when limit <= 0.
const DefaultLimit = 8

// Run calls fn(ctx, i) for i in [0, n), at most limit at once, and waits
// for the calls it started. See the package comment for the policy.
func Run(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) error {
	if n <= 0 {
		return nil
	}
	if limit <= 0 {
		limit = DefaultLimit
	}
	if n == 1 {
		if err := ctx.Err(); err != nil {
			return err
		}
		return fn(ctx, 0)
	}
	errs := make([]error, n+1)
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		if err := ctx.Err(); err != nil { // an ended ctx wins over a free slot
			errs[n] = err
			break
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			errs[n] = ctx.Err()
		}
		if errs[n] != nil {
			break
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = fn(ctx, i)
		}(i)
	}
	wg.Wait()
	return errors.Join(errs...)
}

// First returns the first of the errors Run joined (err itself when it is
// not a join): a statement that fails on a read reports one cause, not one
// per resource.
func First(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		if errs := j.Unwrap(); len(errs) > 0 {
			return errs[0]
		}
	}
	return err
}
