package emulator

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"

	"github.com/ccql/ccql/internal/schema"
)

// bulkDesired are the desired states both paths create: numbers, nested
// objects and arrays, so that the payload's JSON round trip is covered.
func bulkDesired(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(`{"LogGroupName":"/bulk/group-%03d","RetentionInDays":%d,"LogGroupClass":"STANDARD","Tags":[{"Key":"k%d","Value":"v"}]}`, i, []int{1, 7, 30, 365}[i%4], i)
	}
	return out
}

func newFixedServer(t *testing.T) *Server {
	t.Helper()
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	s, err := newServer(Options{DataDir: t.TempDir(), Now: func() time.Time { return at }}, schema.NewFullRegistry(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// listAll pages through ListResources (MaxResults 7, so several pages).
func listAll(t *testing.T, api *CloudControl, typeName string) []types.ResourceDescription {
	t.Helper()
	in := &cc.ListResourcesInput{TypeName: aws.String(typeName), MaxResults: aws.Int32(7)}
	var all []types.ResourceDescription
	for {
		out, err := api.ListResources(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, out.ResourceDescriptions...)
		if out.NextToken == nil {
			return all
		}
		in.NextToken = out.NextToken
	}
}

// TestBulkCreate_sameAsAPI creates the same log groups through
// CreateResource (finished by the worker) on one server and through
// BulkCreate on another, and compares what GetResource, ListResources and
// the request ledger say: the bulk path must be indistinguishable.
func TestBulkCreate_sameAsAPI(t *testing.T) {
	ctx := context.Background()
	desired := bulkDesired(23)
	viaAPI, viaBulk := newFixedServer(t), newFixedServer(t)
	apiCC, bulkCC := viaAPI.CloudControl(""), viaBulk.CloudControl("")
	for _, d := range desired {
		if _, err := apiCC.CreateResource(ctx, &cc.CreateResourceInput{TypeName: aws.String(logGroupType), DesiredState: aws.String(d)}); err != nil {
			t.Fatal(err)
		}
	}
	viaAPI.Settle()
	if err := bulkCC.BulkCreate(ctx, logGroupType, desired); err != nil {
		t.Fatal(err)
	}

	apiList, bulkList := listAll(t, apiCC, logGroupType), listAll(t, bulkCC, logGroupType)
	if len(apiList) != len(desired) {
		t.Fatalf("API path lists %d resources, want %d", len(apiList), len(desired))
	}
	if !reflect.DeepEqual(apiList, bulkList) {
		t.Errorf("ListResources differs:\nAPI:  %v\nbulk: %v", describe(apiList), describe(bulkList))
	}
	for _, d := range apiList {
		in := &cc.GetResourceInput{TypeName: aws.String(logGroupType), Identifier: d.Identifier}
		a, err := apiCC.GetResource(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		b, err := bulkCC.GetResource(ctx, in)
		if err != nil {
			t.Fatalf("bulk path: GetResource %s: %v", aws.ToString(d.Identifier), err)
		}
		if !reflect.DeepEqual(a.ResourceDescription, b.ResourceDescription) || aws.ToString(a.TypeName) != aws.ToString(b.TypeName) {
			t.Errorf("GetResource %s: API %s, bulk %s", aws.ToString(d.Identifier), aws.ToString(a.ResourceDescription.Properties), aws.ToString(b.ResourceDescription.Properties))
		}
	}

	// The ledger: one finished CREATE per resource, the same but for the
	// request tokens.
	if a, b := requestsOf(t, apiCC), requestsOf(t, bulkCC); !reflect.DeepEqual(a, b) {
		t.Errorf("request ledger differs:\nAPI:  %v\nbulk: %v", a, b)
	}
}

func describe(ds []types.ResourceDescription) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = aws.ToString(d.Identifier) + " " + aws.ToString(d.Properties)
	}
	return out
}

// requestsOf lists the ledger's events by identifier, without the tokens.
func requestsOf(t *testing.T, api *CloudControl) map[string]string {
	t.Helper()
	got := map[string]string{}
	in := &cc.ListResourceRequestsInput{}
	for {
		out, err := api.ListResourceRequests(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range out.ResourceRequestStatusSummaries {
			st, err := api.GetResourceRequestStatus(context.Background(), &cc.GetResourceRequestStatusInput{RequestToken: ev.RequestToken})
			if err != nil {
				t.Fatal(err)
			}
			e := st.ProgressEvent
			got[aws.ToString(e.Identifier)] = fmt.Sprintf("%s %s %s %s model=%q msg=%q code=%q retry=%v",
				aws.ToString(e.TypeName), e.Operation, e.OperationStatus, aws.ToTime(e.EventTime).UTC(),
				aws.ToString(e.ResourceModel), aws.ToString(e.StatusMessage), e.ErrorCode, e.RetryAfter != nil)
		}
		if out.NextToken == nil {
			return got
		}
		in.NextToken = out.NextToken
	}
}

// TestBulkCreate_allOrNothing: one refused state (invalid, or a resource
// that exists) fails the call, names its index and creates nothing.
func TestBulkCreate_allOrNothing(t *testing.T) {
	ctx := context.Background()
	s := newFixedServer(t)
	api := s.CloudControl("")
	if err := api.BulkCreate(ctx, logGroupType, bulkDesired(2)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		desired []string
		want    string
	}{
		{"invalid", []string{`{"LogGroupName":"/bulk/new-1"}`, `{"LogGroupName":"/bulk/new-2","RetentionInDays":"seven"}`}, "desired state 1"},
		{"exists", []string{`{"LogGroupName":"/bulk/new-1"}`, `{"LogGroupName":"/bulk/group-001"}`}, "desired state 1"},
		{"read-only", []string{`{"LogGroupName":"/bulk/new-1","Arn":"arn:aws:logs:us-east-1:000000000000:log-group:x"}`}, "desired state 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := api.BulkCreate(ctx, logGroupType, tc.desired)
			if err == nil || !containsAll(err.Error(), tc.want, logGroupType) {
				t.Fatalf("BulkCreate: %v, want an error naming %q", err, tc.want)
			}
			_, err = api.GetResource(ctx, &cc.GetResourceInput{TypeName: aws.String(logGroupType), Identifier: aws.String("/bulk/new-1")})
			var nf *types.ResourceNotFoundException
			if !errors.As(err, &nf) {
				t.Errorf("after a failed bulk create, /bulk/new-1: %v, want ResourceNotFoundException", err)
			}
			if n := len(listAll(t, api, logGroupType)); n != 2 {
				t.Errorf("%d log groups after a failed bulk create, want 2", n)
			}
		})
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
