package emulator

import (
	"context"
	"strconv"
	"time"

	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"

	"github.com/ccql/ccql/internal/awsjson"
	"github.com/ccql/ccql/internal/store"
)

// The HTTP face of Cloud Control: requests decode straight into the SDK's
// input structs (their members have the wire names); responses are
// encoded through the wire types below, because the SDK structs carry
// time.Time where the protocol wants epoch seconds.

// epoch is a timestamp as AWS JSON sends it: seconds with milliseconds.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	ms := time.Time(e).UnixMilli()
	s := strconv.FormatInt(ms/1000, 10) + "." + pad3(ms%1000)
	return []byte(s), nil
}

func pad3(n int64) string {
	if n < 0 {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}

func epochPtr(t *time.Time) *epoch {
	if t == nil {
		return nil
	}
	e := epoch(*t)
	return &e
}

type wireProgressEvent struct {
	TypeName        *string `json:",omitempty"`
	Identifier      *string `json:",omitempty"`
	RequestToken    *string `json:",omitempty"`
	Operation       string  `json:",omitempty"`
	OperationStatus string  `json:",omitempty"`
	EventTime       *epoch  `json:",omitempty"`
	ResourceModel   *string `json:",omitempty"`
	StatusMessage   *string `json:",omitempty"`
	ErrorCode       string  `json:",omitempty"`
	RetryAfter      *epoch  `json:",omitempty"`
}

func wireEvent(ev *types.ProgressEvent) *wireProgressEvent {
	if ev == nil {
		return nil
	}
	return &wireProgressEvent{
		TypeName:        ev.TypeName,
		Identifier:      ev.Identifier,
		RequestToken:    ev.RequestToken,
		Operation:       string(ev.Operation),
		OperationStatus: string(ev.OperationStatus),
		EventTime:       epochPtr(ev.EventTime),
		ResourceModel:   ev.ResourceModel,
		StatusMessage:   ev.StatusMessage,
		ErrorCode:       string(ev.ErrorCode),
		RetryAfter:      epochPtr(ev.RetryAfter),
	}
}

type wireEventOutput struct {
	ProgressEvent *wireProgressEvent
}

type wireDescription struct {
	Identifier *string `json:",omitempty"`
	Properties *string `json:",omitempty"`
}

type wireGetOutput struct {
	TypeName            *string
	ResourceDescription *wireDescription
}

type wireListOutput struct {
	TypeName             *string
	ResourceDescriptions []wireDescription
	NextToken            *string `json:",omitempty"`
}

type wireListRequestsOutput struct {
	ResourceRequestStatusSummaries []*wireProgressEvent
	NextToken                      *string `json:",omitempty"`
}

func partitionOf(req *awsjson.Request) store.Partition {
	return store.Partition{Account: req.Account, Region: req.Region}
}

// op adapts one core operation to awsjson: decode into In, call, encode.
func op[In any, Out any](call func(context.Context, store.Partition, *In) (Out, error), encode func(Out) any) awsjson.Operation {
	return func(ctx context.Context, req *awsjson.Request) (any, error) {
		in := new(In)
		if err := req.Decode(in); err != nil {
			return nil, err
		}
		out, err := call(ctx, partitionOf(req), in)
		if err != nil {
			return nil, err
		}
		return encode(out), nil
	}
}

// cloudControlService is Cloud Control's awsjson service.
func (c *core) cloudControlService() *awsjson.Service {
	return &awsjson.Service{
		TargetPrefix: "CloudApiService",
		ContentType:  awsjson.ContentType10,
		ErrorPrefix:  "com.amazon.cloudapiservice#",
		MessageKey:   "Message",
		MapError:     wireError,
		Operations: map[string]awsjson.Operation{
			"CreateResource": op(c.createResource, func(o *cc.CreateResourceOutput) any {
				return wireEventOutput{wireEvent(o.ProgressEvent)}
			}),
			"UpdateResource": op(c.updateResource, func(o *cc.UpdateResourceOutput) any {
				return wireEventOutput{wireEvent(o.ProgressEvent)}
			}),
			"DeleteResource": op(c.deleteResource, func(o *cc.DeleteResourceOutput) any {
				return wireEventOutput{wireEvent(o.ProgressEvent)}
			}),
			"GetResourceRequestStatus": op(c.getResourceRequestStatus, func(o *cc.GetResourceRequestStatusOutput) any {
				return wireEventOutput{wireEvent(o.ProgressEvent)}
			}),
			"CancelResourceRequest": op(c.cancelResourceRequest, func(o *cc.CancelResourceRequestOutput) any {
				return wireEventOutput{wireEvent(o.ProgressEvent)}
			}),
			"GetResource": op(c.getResource, func(o *cc.GetResourceOutput) any {
				out := wireGetOutput{TypeName: o.TypeName}
				if d := o.ResourceDescription; d != nil {
					out.ResourceDescription = &wireDescription{Identifier: d.Identifier, Properties: d.Properties}
				}
				return out
			}),
			"ListResources": op(c.listResources, func(o *cc.ListResourcesOutput) any {
				out := wireListOutput{TypeName: o.TypeName, NextToken: o.NextToken, ResourceDescriptions: []wireDescription{}}
				for _, d := range o.ResourceDescriptions {
					out.ResourceDescriptions = append(out.ResourceDescriptions, wireDescription{Identifier: d.Identifier, Properties: d.Properties})
				}
				return out
			}),
			"ListResourceRequests": op(c.listResourceRequests, func(o *cc.ListResourceRequestsOutput) any {
				out := wireListRequestsOutput{NextToken: o.NextToken, ResourceRequestStatusSummaries: []*wireProgressEvent{}}
				for i := range o.ResourceRequestStatusSummaries {
					out.ResourceRequestStatusSummaries = append(out.ResourceRequestStatusSummaries, wireEvent(&o.ResourceRequestStatusSummaries[i]))
				}
				return out
			}),
		},
	}
}
