package cloudcontrol

import (
	"context"
	"errors"
	"fmt"
	"time"

	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
)

// ErrWaitTimeout is returned by Wait when the deadline passes first.
var ErrWaitTimeout = errors.New("request did not finish in time")

// Terminal reports whether a request in status s will not change again.
func Terminal(s types.OperationStatus) bool {
	switch s {
	case types.OperationStatusSuccess, types.OperationStatusFailed, types.OperationStatusCancelComplete:
		return true
	}
	return false
}

// WaitOptions tunes Wait.
type WaitOptions struct {
	Timeout  time.Duration // 0 means two minutes
	MinDelay time.Duration // first poll interval; 0 means 20ms
	MaxDelay time.Duration // cap on the interval; 0 means 5s
	// Tick, if set, is called after every poll with the latest event.
	Tick func(*types.ProgressEvent)
}

// Wait polls GetResourceRequestStatus until the request is terminal and
// returns the final event. It backs off exponentially from MinDelay, and
// never polls before the event's RetryAfter.
func Wait(ctx context.Context, api API, token, region string, o WaitOptions) (*types.ProgressEvent, error) {
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	if o.MinDelay <= 0 {
		o.MinDelay = 20 * time.Millisecond
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 5 * time.Second
	}
	deadline := time.Now().Add(o.Timeout)
	delay := o.MinDelay
	for {
		out, err := api.GetResourceRequestStatus(ctx, &cc.GetResourceRequestStatusInput{RequestToken: &token}, WithRegion(region))
		if err != nil {
			return nil, fmt.Errorf("get request status %s: %w", token, err)
		}
		ev := out.ProgressEvent
		if ev == nil {
			return nil, fmt.Errorf("get request status %s: empty progress event", token)
		}
		if o.Tick != nil {
			o.Tick(ev)
		}
		if Terminal(ev.OperationStatus) {
			return ev, nil
		}
		wait := delay
		if ev.RetryAfter != nil {
			if d := time.Until(*ev.RetryAfter); d > wait {
				wait = d
			}
		}
		if time.Now().Add(wait).After(deadline) {
			wait = time.Until(deadline)
			if wait <= 0 {
				return ev, fmt.Errorf("%w: %s still %s after %s", ErrWaitTimeout, token, ev.OperationStatus, o.Timeout)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ev, ctx.Err()
		case <-t.C:
		}
		if delay *= 2; delay > o.MaxDelay {
			delay = o.MaxDelay
		}
	}
}
