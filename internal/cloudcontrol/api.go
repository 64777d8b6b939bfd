// Package cloudcontrol is the engine's view of AWS Cloud Control: the eight
// operations in the shapes of aws-sdk-go-v2, a constructor for the SDK-backed
// client, and the waiter that polls a request to its end.
//
// The interface is defined here, by its consumer, so that the SDK client and
// the in-process emulator are interchangeable: the engine cannot tell them
// apart. The region of a call travels in the SDK's functional options
// (func(*cc.Options){ o.Region = "eu-west-1" }), for both implementations.
package cloudcontrol

import (
	"context"

	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
)

// API is the eight Cloud Control operations, exactly as *cc.Client has them.
type API interface {
	CreateResource(ctx context.Context, in *cc.CreateResourceInput, optFns ...func(*cc.Options)) (*cc.CreateResourceOutput, error)
	GetResource(ctx context.Context, in *cc.GetResourceInput, optFns ...func(*cc.Options)) (*cc.GetResourceOutput, error)
	UpdateResource(ctx context.Context, in *cc.UpdateResourceInput, optFns ...func(*cc.Options)) (*cc.UpdateResourceOutput, error)
	DeleteResource(ctx context.Context, in *cc.DeleteResourceInput, optFns ...func(*cc.Options)) (*cc.DeleteResourceOutput, error)
	ListResources(ctx context.Context, in *cc.ListResourcesInput, optFns ...func(*cc.Options)) (*cc.ListResourcesOutput, error)
	GetResourceRequestStatus(ctx context.Context, in *cc.GetResourceRequestStatusInput, optFns ...func(*cc.Options)) (*cc.GetResourceRequestStatusOutput, error)
	ListResourceRequests(ctx context.Context, in *cc.ListResourceRequestsInput, optFns ...func(*cc.Options)) (*cc.ListResourceRequestsOutput, error)
	CancelResourceRequest(ctx context.Context, in *cc.CancelResourceRequestInput, optFns ...func(*cc.Options)) (*cc.CancelResourceRequestOutput, error)
}

var _ API = (*cc.Client)(nil)

// WithRegion returns the functional option that sends one call to region.
func WithRegion(region string) func(*cc.Options) {
	return func(o *cc.Options) { o.Region = region }
}

// RegionOf applies optFns to empty options and returns the region they set.
// Implementations of API that are not the SDK client use it to learn the
// region of a call.
func RegionOf(optFns []func(*cc.Options)) string {
	var o cc.Options
	for _, f := range optFns {
		if f != nil {
			f(&o)
		}
	}
	return o.Region
}
