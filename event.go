package ccql

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/cloudcontrol"
	"github.com/ccql/ccql/internal/provider"
)

// maybeAwait polls a request to its end when asked to.
func (e *Engine) maybeAwait(ctx context.Context, ev *types.ProgressEvent, region string, await bool) (*types.ProgressEvent, error) {
	if ev == nil || !(await || e.cfg.Wait) || cloudcontrol.Terminal(ev.OperationStatus) && !e.cfg.FailOnFailed {
		return ev, nil
	}
	final := ev
	if !cloudcontrol.Terminal(ev.OperationStatus) {
		stop := e.spin(fmt.Sprintf("%s %s", ev.Operation, derefStr(ev.TypeName)))
		var err error
		final, err = cloudcontrol.Wait(ctx, e.api, derefStr(ev.RequestToken), region, cloudcontrol.WaitOptions{Timeout: e.cfg.WaitTimeout})
		stop()
		if errors.Is(err, cloudcontrol.ErrWaitTimeout) {
			return final, fmt.Errorf("%w: %v", ErrTimeout, err)
		}
		if err != nil {
			return final, serviceError("GetResourceRequestStatus", err)
		}
	}
	if e.cfg.FailOnFailed && final.OperationStatus == types.OperationStatusFailed {
		return final, fmt.Errorf("%w: %s %s %s: %s (%s)", ErrRequestFailed, final.Operation, derefStr(final.TypeName),
			derefStr(final.Identifier), derefStr(final.StatusMessage), final.ErrorCode)
	}
	return final, nil
}

func derefStr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// mutationResult projects ProgressEvents onto the RETURNING list; without
// RETURNING the statement has no rows.
func (e *Engine) mutationResult(events []*types.ProgressEvent, returning []string) (*Result, error) {
	if len(returning) == 0 {
		return &Result{Kind: KindMutation, RowsAffected: int64(len(events)),
			Message: fmt.Sprintf("The operation was despatched successfully (%d request(s))", len(events))}, nil
	}
	all := catalog.ProgressEventFields()
	var cols []string
	for _, r := range returning {
		if r == "*" {
			cols = append(cols, all...)
			continue
		}
		found := ""
		for _, f := range all {
			if strings.EqualFold(f, r) {
				found = f
			}
		}
		if found == "" {
			return nil, fmt.Errorf("%w: RETURNING %s is not a ProgressEvent field (want %s)", ErrUnknownColumn, r, strings.Join(all, ", "))
		}
		cols = append(cols, found)
	}
	res := &Result{Kind: KindQuery, RowsAffected: int64(len(events))}
	for _, c := range cols {
		res.Columns = append(res.Columns, Column{Name: c, Type: eventFieldType(c)})
	}
	for _, ev := range events {
		if ev == nil {
			continue
		}
		fields := provider.EventFields(ev)
		row := make([]any, len(cols))
		for i, c := range cols {
			row[i] = convert(fields[c], res.Columns[i].Type)
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

func eventFieldType(name string) Type {
	switch name {
	case "EventTime", "RetryAfter":
		return TypeTime
	case "ResourceModel":
		return TypeJSON
	}
	return TypeText
}

// parallel runs fn over [0,n) with the engine's concurrency bound.
func (e *Engine) parallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	if n == 1 {
		return fn(ctx, 0)
	}
	sem := make(chan struct{}, e.concurrency())
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		sem <- struct{}{}
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
