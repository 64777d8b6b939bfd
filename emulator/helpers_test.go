package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	"github.com/aws/smithy-go"

	"github.com/ccql/ccql/emulator"
)

const (
	poolType   = "AWS::Cognito::UserPool"
	clientType = "AWS::Cognito::UserPoolClient"
)

var reUUIDv4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// env is one emulator and its in-process API.
type env struct {
	t   *testing.T
	s   *emulator.Server
	api *emulator.CloudControl
	ctx context.Context
}

func newEnv(t *testing.T, opts emulator.Options) *env {
	t.Helper()
	s := emulator.NewTestServer(t, opts, memHandler{})
	return &env{t: t, s: s, api: s.CloudControl(""), ctx: context.Background()}
}

func (e *env) create(typeName, desired string, optFns ...func(*cc.Options)) *types.ProgressEvent {
	e.t.Helper()
	out, err := e.api.CreateResource(e.ctx, &cc.CreateResourceInput{TypeName: aws.String(typeName), DesiredState: aws.String(desired)}, optFns...)
	if err != nil {
		e.t.Fatalf("CreateResource %s %s: %v", typeName, desired, err)
	}
	return out.ProgressEvent
}

// status returns a request's current event.
func (e *env) status(token *string, optFns ...func(*cc.Options)) *types.ProgressEvent {
	e.t.Helper()
	out, err := e.api.GetResourceRequestStatus(e.ctx, &cc.GetResourceRequestStatusInput{RequestToken: token}, optFns...)
	if err != nil {
		e.t.Fatalf("GetResourceRequestStatus: %v", err)
	}
	return out.ProgressEvent
}

// await lets the worker finish and returns the request's final event.
func (e *env) await(ev *types.ProgressEvent, optFns ...func(*cc.Options)) *types.ProgressEvent {
	e.t.Helper()
	e.s.Settle()
	return e.status(ev.RequestToken, optFns...)
}

func (e *env) mustSucceed(ev *types.ProgressEvent, optFns ...func(*cc.Options)) *types.ProgressEvent {
	e.t.Helper()
	final := e.await(ev, optFns...)
	if final.OperationStatus != types.OperationStatusSuccess {
		e.t.Fatalf("request %s ended %s: %s %s", aws.ToString(ev.RequestToken), final.OperationStatus, final.ErrorCode, aws.ToString(final.StatusMessage))
	}
	return final
}

func (e *env) pool(optFns ...func(*cc.Options)) string {
	e.t.Helper()
	ev := e.create(poolType, `{"UserPoolName":"pool"}`, optFns...)
	e.mustSucceed(ev, optFns...)
	return aws.ToString(ev.Identifier)
}

func (e *env) client(pool, extra string) string {
	e.t.Helper()
	desired := fmt.Sprintf(`{"UserPoolId":%q,"ClientName":"app"%s}`, pool, extra)
	ev := e.create(clientType, desired)
	e.mustSucceed(ev)
	return aws.ToString(ev.Identifier)
}

func (e *env) get(typeName, id string) map[string]any {
	e.t.Helper()
	out, err := e.api.GetResource(e.ctx, &cc.GetResourceInput{TypeName: aws.String(typeName), Identifier: aws.String(id)})
	if err != nil {
		e.t.Fatalf("GetResource %s: %v", id, err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(out.ResourceDescription.Properties)), &m); err != nil {
		e.t.Fatal(err)
	}
	return m
}

func (e *env) update(typeName, id, patch string) (*types.ProgressEvent, error) {
	out, err := e.api.UpdateResource(e.ctx, &cc.UpdateResourceInput{TypeName: aws.String(typeName), Identifier: aws.String(id), PatchDocument: aws.String(patch)})
	if err != nil {
		return nil, err
	}
	return out.ProgressEvent, nil
}

// wantAPIError checks err's AWS error code and message; the concrete type
// check is done by wantType.
func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v (%T), want %s", err, err, code)
	}
	if ae.ErrorCode() != code {
		t.Errorf("code = %s, want %s (message %q)", ae.ErrorCode(), code, ae.ErrorMessage())
	}
	if msg != "" && ae.ErrorMessage() != msg {
		t.Errorf("message = %q\nwant      %q", ae.ErrorMessage(), msg)
	}
}

// wantType checks that err is the SDK's declared error type T.
func wantType[T error](t *testing.T, err error) {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Errorf("err = %v (%T), want %T", err, err, target)
	}
}

func mustRe(s string) *regexp.Regexp { return regexp.MustCompile(s) }

func errMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func sortStrings(s []string) { sort.Strings(s) }

func region(r string) func(*cc.Options) { return func(o *cc.Options) { o.Region = r } }

// asAny is errors.As for an interface target.
func asAny(err error, target any) bool { return errors.As(err, target) }

// clock is a fake emulator clock, safe for the worker's goroutines: each
// reading advances it by step.
type clock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// listenerClient returns an HTTP client for a test's listening emulator
// with a transport of its own. A client on http.DefaultTransport shares
// its connection pool with every test in the package, and
// httptest.Server.Close (which other tests run while this one is
// mid-request) closes that pool's idle connections: a response read on a
// connection that had just gone back to the pool then fails with "use of
// closed network connection".
func listenerClient(t *testing.T, timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: timeout}
}
