package cloudcontrol_test

import (
	"context"
	"errors"
	"testing"
	"time"

	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	"github.com/ccql/ccql/internal/cloudcontrol"
)

// statusAPI answers GetResourceRequestStatus from a script of statuses; the
// other operations are not used by Wait.
type statusAPI struct {
	cloudcontrol.API
	script  []types.OperationStatus
	calls   int
	regions []string
}

func (s *statusAPI) GetResourceRequestStatus(_ context.Context, in *cc.GetResourceRequestStatusInput, optFns ...func(*cc.Options)) (*cc.GetResourceRequestStatusOutput, error) {
	st := s.script[len(s.script)-1]
	if s.calls < len(s.script) {
		st = s.script[s.calls]
	}
	s.calls++
	s.regions = append(s.regions, cloudcontrol.RegionOf(optFns))
	return &cc.GetResourceRequestStatusOutput{ProgressEvent: &types.ProgressEvent{RequestToken: in.RequestToken, OperationStatus: st}}, nil
}

func TestWait(t *testing.T) {
	tests := []struct {
		name      string
		script    []types.OperationStatus
		want      types.OperationStatus
		wantCalls int
	}{
		{"immediate", []types.OperationStatus{"SUCCESS"}, "SUCCESS", 1},
		{"after progress", []types.OperationStatus{"PENDING", "IN_PROGRESS", "FAILED"}, "FAILED", 3},
		{"cancelled", []types.OperationStatus{"CANCEL_IN_PROGRESS", "CANCEL_COMPLETE"}, "CANCEL_COMPLETE", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &statusAPI{script: tt.script}
			var ticks int
			ev, err := cloudcontrol.Wait(context.Background(), api, "tok", "eu-west-1", cloudcontrol.WaitOptions{MinDelay: time.Microsecond, Tick: func(*types.ProgressEvent) { ticks++ }})
			if err != nil {
				t.Fatal(err)
			}
			if ev.OperationStatus != tt.want {
				t.Errorf("status = %s, want %s", ev.OperationStatus, tt.want)
			}
			if api.calls != tt.wantCalls || ticks != tt.wantCalls {
				t.Errorf("calls = %d, ticks = %d, want %d", api.calls, ticks, tt.wantCalls)
			}
			for _, r := range api.regions {
				if r != "eu-west-1" {
					t.Errorf("polled region %q, want eu-west-1", r)
				}
			}
		})
	}
}

func TestWait_Timeout(t *testing.T) {
	api := &statusAPI{script: []types.OperationStatus{"IN_PROGRESS"}}
	ev, err := cloudcontrol.Wait(context.Background(), api, "tok", "us-east-1", cloudcontrol.WaitOptions{Timeout: time.Millisecond, MinDelay: time.Microsecond})
	if !errors.Is(err, cloudcontrol.ErrWaitTimeout) {
		t.Fatalf("err = %v, want ErrWaitTimeout", err)
	}
	if ev == nil || ev.OperationStatus != "IN_PROGRESS" {
		t.Errorf("event = %+v, want the last IN_PROGRESS event", ev)
	}
}

func TestWait_Cancelled(t *testing.T) {
	api := &statusAPI{script: []types.OperationStatus{"IN_PROGRESS"}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := cloudcontrol.Wait(ctx, api, "tok", "us-east-1", cloudcontrol.WaitOptions{MinDelay: time.Hour}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
