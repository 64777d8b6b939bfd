package ccql

import (
	"context"
	"errors"
	"fmt"
	"strings"

	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	"github.com/ccql/ccql/internal/cloudcontrol"
	"github.com/ccql/ccql/internal/fanout"
	"github.com/ccql/ccql/internal/provider"
)

// send sends one planned request and returns its first ProgressEvent.
func (e *Engine) send(ctx context.Context, r Request) (*types.ProgressEvent, error) {
	region := cloudcontrol.WithRegion(r.Region)
	var (
		ev  *types.ProgressEvent
		err error
	)
	switch r.Operation {
	case OpCreateResource:
		var out *cc.CreateResourceOutput
		out, err = e.api.CreateResource(ctx, &cc.CreateResourceInput{TypeName: &r.TypeName, DesiredState: optional(r.DesiredState),
			ClientToken: optional(r.ClientToken), RoleArn: optional(r.RoleArn), TypeVersionId: optional(r.TypeVersionID)}, region)
		if err == nil {
			ev = out.ProgressEvent
		}
	case OpUpdateResource:
		var out *cc.UpdateResourceOutput
		out, err = e.api.UpdateResource(ctx, &cc.UpdateResourceInput{TypeName: &r.TypeName, Identifier: &r.Identifier, PatchDocument: &r.PatchDocument,
			ClientToken: optional(r.ClientToken), RoleArn: optional(r.RoleArn), TypeVersionId: optional(r.TypeVersionID)}, region)
		if err == nil {
			ev = out.ProgressEvent
		}
	case OpDeleteResource:
		var out *cc.DeleteResourceOutput
		out, err = e.api.DeleteResource(ctx, &cc.DeleteResourceInput{TypeName: &r.TypeName, Identifier: &r.Identifier,
			ClientToken: optional(r.ClientToken), RoleArn: optional(r.RoleArn), TypeVersionId: optional(r.TypeVersionID)}, region)
		if err == nil {
			ev = out.ProgressEvent
		}
	case OpCancelResourceRequest:
		var out *cc.CancelResourceRequestOutput
		out, err = e.api.CancelResourceRequest(ctx, &cc.CancelResourceRequestInput{RequestToken: &r.RequestToken}, region)
		if err == nil {
			ev = out.ProgressEvent
		}
	default:
		return nil, fmt.Errorf("%w: operation %q", ErrUnsupported, r.Operation)
	}
	if err != nil {
		return nil, serviceError(r.Operation, err)
	}
	if ev == nil {
		return nil, fmt.Errorf("%s: the answer has no ProgressEvent", r.Operation)
	}
	return ev, nil
}

// dispatch sends every request, in parallel up to the engine's
// concurrency, awaits each when asked, and reports one row per request.
// A failed request does not stop the others: see Stmt.Exec.
func (e *Engine) dispatch(ctx context.Context, reqs []Request, await bool, returning []string) (*Result, error) {
	events := make([]*types.ProgressEvent, len(reqs))
	errs := make([]error, len(reqs))
	// Every request runs to its outcome: fn never fails the group, so one
	// failure does not cancel requests already in flight.
	ferr := fanout.Run(ctx, len(reqs), e.concurrency(), func(ctx context.Context, i int) error {
		events[i], errs[i] = e.outcome(ctx, i, reqs[i], await)
		return nil
	})
	for i := range reqs {
		if events[i] == nil && errs[i] == nil {
			// Never started: the context ended while waiting for a slot.
			errs[i] = &RequestError{Index: i, Operation: reqs[i].Operation, TypeName: reqs[i].TypeName, Identifier: reqs[i].Identifier, Err: ferr}
			events[i] = failedEvent(reqs[i], errs[i].(*RequestError))
		}
	}
	res, err := e.mutationResult(events, returning)
	if err != nil {
		return nil, err
	}
	return res, errors.Join(errs...)
}

// outcome sends one request and, when asked, awaits it. It always returns
// an event for the result row (made up from the error when the request
// was refused) and the request's error, if it failed.
func (e *Engine) outcome(ctx context.Context, i int, r Request, await bool) (*types.ProgressEvent, error) {
	ev, err := e.send(ctx, r)
	if err != nil {
		re := &RequestError{Index: i, Operation: r.Operation, TypeName: r.TypeName, Identifier: r.Identifier, Err: err}
		var se *ServiceError
		if errors.As(err, &se) {
			re.Code, re.Message = se.Code, se.Message
		}
		return failedEvent(r, re), re
	}
	if await && !cloudcontrol.Terminal(ev.OperationStatus) {
		stop := e.spin(fmt.Sprintf("%s %s", ev.Operation, derefStr(ev.TypeName)))
		final, werr := cloudcontrol.Wait(ctx, e.api, derefStr(ev.RequestToken), r.Region, cloudcontrol.WaitOptions{Timeout: e.cfg.WaitTimeout})
		stop()
		if final != nil {
			ev = final
		}
		if werr != nil {
			re := requestError(i, r, ev)
			re.Code, re.Message = "", ""
			if errors.Is(werr, cloudcontrol.ErrWaitTimeout) {
				re.Err = fmt.Errorf("%w: %v", ErrTimeout, werr)
			} else {
				re.Err = serviceError("GetResourceRequestStatus", werr)
			}
			return ev, re
		}
	}
	// A known outcome of FAILED (or a cancelled request) is a failure,
	// awaited or not: the resource was not made as asked.
	if r.Operation != OpCancelResourceRequest &&
		(ev.OperationStatus == types.OperationStatusFailed || ev.OperationStatus == types.OperationStatusCancelComplete) {
		re := requestError(i, r, ev)
		re.Err = ErrRequestFailed
		return ev, re
	}
	return ev, nil
}

// requestError describes request i from its latest event.
func requestError(i int, r Request, ev *types.ProgressEvent) *RequestError {
	re := &RequestError{Index: i, Operation: r.Operation, TypeName: r.TypeName, Identifier: r.Identifier,
		RequestToken: derefStr(ev.RequestToken), Status: string(ev.OperationStatus),
		Code: string(ev.ErrorCode), Message: derefStr(ev.StatusMessage)}
	if id := derefStr(ev.Identifier); id != "" {
		re.Identifier = id
	}
	return re
}

// failedEvent is the result row of a request that got no event: what was
// asked, FAILED, and the error.
func failedEvent(r Request, re *RequestError) *types.ProgressEvent {
	ev := &types.ProgressEvent{Operation: types.Operation(operationName(r.Operation)), TypeName: optional(r.TypeName),
		Identifier: optional(r.Identifier), OperationStatus: types.OperationStatusFailed}
	if re.Code != "" {
		ev.ErrorCode = types.HandlerErrorCode(re.Code)
		ev.StatusMessage = optional(re.Message)
	} else if re.Err != nil {
		ev.StatusMessage = optional(re.Err.Error())
	}
	return ev
}

// operationName is the ProgressEvent Operation of a request.
func operationName(op string) string {
	switch op {
	case OpCreateResource:
		return string(types.OperationCreate)
	case OpUpdateResource:
		return string(types.OperationUpdate)
	case OpDeleteResource:
		return string(types.OperationDelete)
	}
	return ""
}

func derefStr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// requestColumns are the columns a mutation without RETURNING reports, one
// row per request: enough to follow each request (RequestToken) and to see
// which failed.
var requestColumns = []string{"Identifier", "RequestToken", "OperationStatus", "ErrorCode", "StatusMessage"}

// mutationResult projects the events onto the RETURNING list (KindQuery)
// or, without RETURNING, onto requestColumns (KindMutation).
func (e *Engine) mutationResult(events []*types.ProgressEvent, returning []string) (*Result, error) {
	res := &Result{Kind: KindQuery, RowsAffected: int64(len(events))}
	if len(returning) == 0 {
		res.Kind = KindMutation
		res.Message = requestSummary(events)
		for _, c := range requestColumns {
			res.Columns = append(res.Columns, Column{Name: c, Type: TypeText})
		}
	} else {
		cols, err := returningColumns(returning)
		if err != nil {
			return nil, err
		}
		res.Columns = cols
	}
	for _, ev := range events {
		if ev == nil {
			continue
		}
		fields := provider.EventFields(ev)
		row := make([]any, len(res.Columns))
		for i, c := range res.Columns {
			row[i] = convert(fields[c.Name], c.Type)
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

// requestSummary says how many requests were sent and how they stand:
// "2 request(s) sent: 1 SUCCESS, 1 FAILED".
func requestSummary(events []*types.ProgressEvent) string {
	var order []string
	count := map[string]int{}
	for _, ev := range events {
		if ev == nil {
			continue
		}
		st := string(ev.OperationStatus)
		if count[st] == 0 {
			order = append(order, st)
		}
		count[st]++
	}
	parts := make([]string, len(order))
	for i, st := range order {
		parts[i] = fmt.Sprintf("%d %s", count[st], st)
	}
	msg := fmt.Sprintf("%d request(s) sent", len(events))
	if len(parts) > 0 {
		msg += ": " + strings.Join(parts, ", ")
	}
	if count[string(types.OperationStatusInProgress)]+count[string(types.OperationStatusPending)] > 0 {
		msg += " (follow with SELECT * FROM awscc.cloud_control.resource_requests WHERE region = '…' AND RequestToken = '…', or await with --wait or /*+ AWAIT */)"
	}
	return msg
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
