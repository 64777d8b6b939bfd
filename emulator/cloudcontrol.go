package emulator

import (
	"context"

	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"

	"github.com/ccql/ccql/internal/awsjson"
	"github.com/ccql/ccql/internal/cloudcontrol"
	"github.com/ccql/ccql/internal/store"
)

// CloudControl is the emulator's Cloud Control API in process, for one
// account. Its methods have the signatures of *cloudcontrol.Client, so it
// can stand in for the SDK client; the region of a call is the Region its
// functional options set (us-east-1 when none). Errors are the SDK's own
// types (*types.ResourceNotFoundException, …) and *smithy.GenericAPIError
// for the errors the model does not declare (ValidationException).
type CloudControl struct {
	c       *core
	account string
}

// CloudControl returns the in-process API for account ("" means
// 000000000000).
func (s *Server) CloudControl(account string) *CloudControl {
	if account == "" {
		account = awsjson.DefaultAccount
	}
	return &CloudControl{c: s.core, account: account}
}

func (a *CloudControl) partition(optFns []func(*cc.Options)) store.Partition {
	region := cloudcontrol.RegionOf(optFns)
	if region == "" {
		region = awsjson.DefaultRegion
	}
	return store.Partition{Account: a.account, Region: region}
}

// CreateResource starts creating a resource.
func (a *CloudControl) CreateResource(ctx context.Context, in *cc.CreateResourceInput, optFns ...func(*cc.Options)) (*cc.CreateResourceOutput, error) {
	return a.c.createResource(ctx, a.partition(optFns), in)
}

// GetResource reads a resource's current properties.
func (a *CloudControl) GetResource(ctx context.Context, in *cc.GetResourceInput, optFns ...func(*cc.Options)) (*cc.GetResourceOutput, error) {
	return a.c.getResource(ctx, a.partition(optFns), in)
}

// UpdateResource starts applying a JSON Patch to a resource.
func (a *CloudControl) UpdateResource(ctx context.Context, in *cc.UpdateResourceInput, optFns ...func(*cc.Options)) (*cc.UpdateResourceOutput, error) {
	return a.c.updateResource(ctx, a.partition(optFns), in)
}

// DeleteResource starts deleting a resource.
func (a *CloudControl) DeleteResource(ctx context.Context, in *cc.DeleteResourceInput, optFns ...func(*cc.Options)) (*cc.DeleteResourceOutput, error) {
	return a.c.deleteResource(ctx, a.partition(optFns), in)
}

// ListResources lists the resources of a type.
func (a *CloudControl) ListResources(ctx context.Context, in *cc.ListResourcesInput, optFns ...func(*cc.Options)) (*cc.ListResourcesOutput, error) {
	return a.c.listResources(ctx, a.partition(optFns), in)
}

// GetResourceRequestStatus returns a request's current ProgressEvent.
func (a *CloudControl) GetResourceRequestStatus(ctx context.Context, in *cc.GetResourceRequestStatusInput, optFns ...func(*cc.Options)) (*cc.GetResourceRequestStatusOutput, error) {
	return a.c.getResourceRequestStatus(ctx, a.partition(optFns), in)
}

// ListResourceRequests lists the requests of the last seven days, newest first.
func (a *CloudControl) ListResourceRequests(ctx context.Context, in *cc.ListResourceRequestsInput, optFns ...func(*cc.Options)) (*cc.ListResourceRequestsOutput, error) {
	return a.c.listResourceRequests(ctx, a.partition(optFns), in)
}

// CancelResourceRequest cancels a request that has not finished.
func (a *CloudControl) CancelResourceRequest(ctx context.Context, in *cc.CancelResourceRequestInput, optFns ...func(*cc.Options)) (*cc.CancelResourceRequestOutput, error) {
	return a.c.cancelResourceRequest(ctx, a.partition(optFns), in)
}
