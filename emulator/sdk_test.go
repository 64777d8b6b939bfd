package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/ccql/ccql/emulator"
	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/cloudcontrol"
	"github.com/ccql/ccql/internal/handler"
)

// sdkConfig is an aws.Config for the emulator: static credentials, no
// retries (an error must surface as is), the given HTTP client.
func sdkConfig(hc *http.Client, key, secret, region string) aws.Config {
	return aws.Config{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(key, secret, ""),
		HTTPClient:       cloudcontrol.BufferBodies(hc),
		RetryMaxAttempts: 1,
	}
}

func ccClient(s *emulator.Server, hc *http.Client, key, secret, region string) *cc.Client {
	return cc.NewFromConfig(sdkConfig(hc, key, secret, region), func(o *cc.Options) {
		o.BaseEndpoint = aws.String(s.URL())
	})
}

// transports runs a test against the in-process client and a real listener.
func transports(t *testing.T, opts emulator.Options, fn func(t *testing.T, s *emulator.Server, hc *http.Client)) {
	t.Run("InProcess", func(t *testing.T) {
		s := emulator.NewTestServer(t, opts, memHandler{})
		fn(t, s, s.HTTPClient())
	})
	t.Run("Listener", func(t *testing.T) {
		o := opts
		o.Addr = "127.0.0.1:0"
		s := emulator.NewTestServer(t, o, memHandler{})
		if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
			t.Fatalf("URL = %q", s.URL())
		}
		fn(t, s, listenerClient(t, 30*time.Second))
	})
}

func waitFor(t *testing.T, c *cc.Client, token *string) *types.ProgressEvent {
	t.Helper()
	w := cc.NewResourceRequestSuccessWaiter(c, func(o *cc.ResourceRequestSuccessWaiterOptions) {
		o.MinDelay, o.MaxDelay = 5*time.Millisecond, 20*time.Millisecond
	})
	out, err := w.WaitForOutput(context.Background(), &cc.GetResourceRequestStatusInput{RequestToken: token}, 30*time.Second)
	if err != nil {
		t.Fatalf("waiter: %v", err)
	}
	return out.ProgressEvent
}

// TestSDK_ConcurrentOperation: a second mutation while the first is in
// flight arrives as the SDK's ConcurrentOperationException. An hour of
// latency keeps the first in flight however loaded the machine is (Close
// finishes it).
func TestSDK_ConcurrentOperation(t *testing.T) {
	transports(t, emulator.Options{Latency: time.Hour}, func(t *testing.T, s *emulator.Server, hc *http.Client) {
		ctx := context.Background()
		c := ccClient(s, hc, "AKIDEXAMPLE", "secret", "us-east-1")
		out, err := c.CreateResource(ctx, &cc.CreateResourceInput{TypeName: aws.String(domainType),
			DesiredState: aws.String(`{"UserPoolId":"us-east-1_abc","Domain":"busy"}`)})
		if err != nil {
			t.Fatal(err)
		}
		if out.ProgressEvent.OperationStatus != types.OperationStatusInProgress {
			t.Fatalf("create status %s, want IN_PROGRESS", out.ProgressEvent.OperationStatus)
		}
		_, err = c.DeleteResource(ctx, &cc.DeleteResourceInput{TypeName: aws.String(domainType), Identifier: aws.String("us-east-1_abc|busy")})
		wantType[*types.ConcurrentOperationException](t, err)
		wantHTTPStatus(t, err, 409)
	})
}

func TestSDK_CloudControl(t *testing.T) {
	transports(t, emulator.Options{Latency: 20 * time.Millisecond}, func(t *testing.T, s *emulator.Server, hc *http.Client) {
		ctx := context.Background()
		c := ccClient(s, hc, "AKIDEXAMPLE", "secret", "eu-central-1")
		out, err := c.CreateResource(ctx, &cc.CreateResourceInput{TypeName: aws.String(poolType), DesiredState: aws.String(`{"UserPoolName":"sdk"}`)})
		if err != nil {
			t.Fatal(err)
		}
		ev := out.ProgressEvent
		if ev.OperationStatus != types.OperationStatusInProgress || ev.EventTime == nil || ev.EventTime.IsZero() {
			t.Errorf("create event = %+v", ev)
		}
		pool := aws.ToString(ev.Identifier)
		if !strings.HasPrefix(pool, "eu-central-1_") {
			t.Errorf("pool %q not in the signing region", pool)
		}
		if final := waitFor(t, c, ev.RequestToken); final.OperationStatus != types.OperationStatusSuccess {
			t.Fatalf("final = %+v", final)
		}
		var clients []string
		for i := range 3 {
			out, err := c.CreateResource(ctx, &cc.CreateResourceInput{TypeName: aws.String(clientType),
				DesiredState: aws.String(fmt.Sprintf(`{"UserPoolId":%q,"ClientName":"c%d"}`, pool, i))})
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, c, out.ProgressEvent.RequestToken)
			clients = append(clients, aws.ToString(out.ProgressEvent.Identifier))
		}
		got, err := c.GetResource(ctx, &cc.GetResourceInput{TypeName: aws.String(clientType), Identifier: aws.String(clients[0])})
		if err != nil {
			t.Fatal(err)
		}
		var props map[string]any
		if err := json.Unmarshal([]byte(aws.ToString(got.ResourceDescription.Properties)), &props); err != nil || props["ClientName"] != "c0" {
			t.Errorf("properties %v (%v)", props, err)
		}

		// Paginators.
		pg := cc.NewListResourcesPaginator(c, &cc.ListResourcesInput{TypeName: aws.String(clientType),
			ResourceModel: aws.String(fmt.Sprintf(`{"UserPoolId":%q}`, pool)), MaxResults: aws.Int32(2)})
		n := 0
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n += len(page.ResourceDescriptions)
		}
		if n != 3 {
			t.Errorf("listed %d clients, want 3", n)
		}
		rp := cc.NewListResourceRequestsPaginator(c, &cc.ListResourceRequestsInput{MaxResults: aws.Int32(3)})
		n = 0
		for rp.HasMorePages() {
			page, err := rp.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range page.ResourceRequestStatusSummaries {
				if ev.EventTime == nil || ev.OperationStatus != types.OperationStatusSuccess {
					t.Errorf("summary %+v", ev)
				}
			}
			n += len(page.ResourceRequestStatusSummaries)
		}
		if n != 4 {
			t.Errorf("listed %d requests, want 4", n)
		}

		// Update: the IN_PROGRESS event carries the model, as a JSON string.
		up, err := c.UpdateResource(ctx, &cc.UpdateResourceInput{TypeName: aws.String(clientType), Identifier: aws.String(clients[0]),
			PatchDocument: aws.String(`[{"op":"replace","path":"/ClientName","value":"renamed"}]`)})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(aws.ToString(up.ProgressEvent.ResourceModel), `"ClientName":"renamed"`) {
			t.Errorf("update ResourceModel = %s", aws.ToString(up.ProgressEvent.ResourceModel))
		}
		waitFor(t, c, up.ProgressEvent.RequestToken)

		// Errors arrive as the SDK's types.
		_, err = c.GetResource(ctx, &cc.GetResourceInput{TypeName: aws.String(clientType), Identifier: aws.String(pool + "|nope")})
		wantType[*types.ResourceNotFoundException](t, err)
		wantHTTPStatus(t, err, 400)
		_, err = c.GetResource(ctx, &cc.GetResourceInput{TypeName: aws.String("AWS::Nope::Nope"), Identifier: aws.String("x")})
		wantType[*types.TypeNotFoundException](t, err)
		wantHTTPStatus(t, err, 404)
		_, err = c.UpdateResource(ctx, &cc.UpdateResourceInput{TypeName: aws.String(clientType), Identifier: aws.String(clients[1]),
			PatchDocument: aws.String(`[{"op":"replace","path":"/UserPoolId","value":"eu-central-1_zzzzzzzzz"}]`)})
		wantType[*types.NotUpdatableException](t, err)
		wantAPIError(t, err, "NotUpdatableException", "Invalid patch update: createOnlyProperties [/properties/UserPoolId] cannot be updated")
		_, err = c.CreateResource(ctx, &cc.CreateResourceInput{TypeName: aws.String(clientType), DesiredState: aws.String(`{"UserPoolId":"x","AuthSessionValidity":2}`)})
		wantAPIError(t, err, "ValidationException", "Model validation failed (#/AuthSessionValidity: failed validation constraint for keyword [minimum])")
		_, err = c.ListResources(ctx, &cc.ListResourcesInput{TypeName: aws.String(domainType)})
		wantType[*types.UnsupportedActionException](t, err)
		wantHTTPStatus(t, err, 405)
		_, err = c.GetResourceRequestStatus(ctx, &cc.GetResourceRequestStatusInput{RequestToken: aws.String("0b6c1b4e-2f0c-4d0e-8f55-3c1e4f6a9b10")})
		wantType[*types.RequestTokenNotFoundException](t, err)
		wantHTTPStatus(t, err, 404)

		// The SDK fills a ClientToken: a retry of the same call replays.
		tok := aws.String("sdk-retry-1")
		d1, err := c.DeleteResource(ctx, &cc.DeleteResourceInput{TypeName: aws.String(clientType), Identifier: aws.String(clients[2]), ClientToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		d2, err := c.DeleteResource(ctx, &cc.DeleteResourceInput{TypeName: aws.String(clientType), Identifier: aws.String(clients[2]), ClientToken: tok})
		if err != nil || aws.ToString(d2.ProgressEvent.RequestToken) != aws.ToString(d1.ProgressEvent.RequestToken) {
			t.Errorf("replayed delete: %v, %v", d2, err)
		}
		_, err = c.DeleteResource(ctx, &cc.DeleteResourceInput{TypeName: aws.String(clientType), Identifier: aws.String(clients[1]), ClientToken: tok})
		wantType[*types.ClientTokenConflictException](t, err)
		wantHTTPStatus(t, err, 409)
		waitFor(t, c, d1.ProgressEvent.RequestToken)

		// The waiter reports a FAILED request as a failure.
		bad, err := c.CreateResource(ctx, &cc.CreateResourceInput{TypeName: aws.String(clientType),
			DesiredState: aws.String(fmt.Sprintf(`{"UserPoolId":%q,"ClientName":"x","AccessTokenValidity":25}`, pool))})
		if err != nil {
			t.Fatal(err)
		}
		w := cc.NewResourceRequestSuccessWaiter(c, func(o *cc.ResourceRequestSuccessWaiterOptions) {
			o.MinDelay, o.MaxDelay = 5*time.Millisecond, 20*time.Millisecond
		})
		if err := w.Wait(ctx, &cc.GetResourceRequestStatusInput{RequestToken: bad.ProgressEvent.RequestToken}, 30*time.Second); err == nil {
			t.Error("waiter succeeded on a FAILED request")
		}
	})
}

func wantHTTPStatus(t *testing.T, err error, status int) {
	t.Helper()
	type httpErr interface{ HTTPStatusCode() int }
	var he httpErr
	if !asAny(err, &he) {
		t.Errorf("err %v carries no HTTP status", err)
		return
	}
	if he.HTTPStatusCode() != status {
		t.Errorf("HTTP status = %d, want %d", he.HTTPStatusCode(), status)
	}
}

func TestSDK_Cognito(t *testing.T) {
	transports(t, emulator.Options{}, func(t *testing.T, s *emulator.Server, hc *http.Client) {
		ctx := context.Background()
		idp := cip.NewFromConfig(sdkConfig(hc, "123456789012", "secret", "ap-south-1"), func(o *cip.Options) {
			o.BaseEndpoint = aws.String(s.URL())
		})
		pool, err := idp.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("idp")})
		if err != nil {
			t.Fatal(err)
		}
		id := aws.ToString(pool.UserPool.Id)
		if !strings.HasPrefix(id, "ap-south-1_") || !strings.Contains(aws.ToString(pool.UserPool.Arn), ":123456789012:") {
			t.Errorf("pool %s %s", id, aws.ToString(pool.UserPool.Arn))
		}
		cl, err := idp.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(id), ClientName: aws.String("web")})
		if err != nil {
			t.Fatal(err)
		}
		// The same state through Cloud Control, in the same account and region.
		c := ccClient(s, hc, "123456789012", "secret", "ap-south-1")
		got, err := c.GetResource(ctx, &cc.GetResourceInput{TypeName: aws.String(clientType),
			Identifier: aws.String(id + "|" + aws.ToString(cl.UserPoolClient.ClientId))})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(aws.ToString(got.ResourceDescription.Properties), `"ClientName":"web"`) {
			t.Errorf("properties = %s", aws.ToString(got.ResourceDescription.Properties))
		}
		// Cognito's errors arrive as Cognito's.
		_, err = idp.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(id), ClientId: aws.String("nope")})
		wantAPIError(t, err, "ResourceNotFoundException", "")
		_, err = idp.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(id), ClientName: aws.String("x"),
			AccessTokenValidity: aws.Int32(25)})
		wantAPIError(t, err, "InvalidParameterException", "Invalid range for token validity.")
		// A failed operation leaves nothing behind.
		list, err := idp.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(id), MaxResults: aws.Int32(10)})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.UserPoolClients) != 1 {
			t.Errorf("%d clients, want 1", len(list.UserPoolClients))
		}
	})
}

func TestSDK_SigV4(t *testing.T) {
	opts := emulator.Options{Credentials: map[string]string{"AKIDGOOD": "good-secret"}}
	transports(t, opts, func(t *testing.T, s *emulator.Server, hc *http.Client) {
		ctx := context.Background()
		in := &cc.ListResourcesInput{TypeName: aws.String(poolType)}
		if _, err := ccClient(s, hc, "AKIDGOOD", "good-secret", "us-east-1").ListResources(ctx, in); err != nil {
			t.Errorf("valid signature: %v", err)
		}
		_, err := ccClient(s, hc, "AKIDGOOD", "bad-secret", "us-east-1").ListResources(ctx, in)
		wantAPIError(t, err, "InvalidSignatureException", "")
		_, err = ccClient(s, hc, "AKIDBAD", "good-secret", "us-east-1").ListResources(ctx, in)
		wantAPIError(t, err, "UnrecognizedClientException", "The security token included in the request is invalid.")
		req, _ := http.NewRequest(http.MethodPost, s.URL(), strings.NewReader(`{"TypeName":"AWS::Cognito::UserPool"}`))
		req.Header.Set("X-Amz-Target", "CloudApiService.ListResources")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !bytes.Contains(body, []byte("MissingAuthenticationTokenException")) {
			t.Errorf("unsigned: %d %s", resp.StatusCode, body)
		}
	})
}

// TestHTTP_Wire pins the raw JSON 1.0 shapes: epoch timestamps, string
// models, the error envelope, and the protocol errors.
func TestHTTP_Wire(t *testing.T) {
	s := emulator.NewTestServer(t, emulator.Options{Now: func() time.Time { return time.Unix(1632506656, 706_000_000) }}, memHandler{})
	post := func(target, ctype, body string) (int, http.Header, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"/?Action=X&Version=2021-09-30", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", ctype)
		resp, err := s.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("body %q: %v", raw, err)
		}
		return resp.StatusCode, resp.Header, m
	}
	const j10 = "application/x-amz-json-1.0"
	status, hdr, body := post("CloudApiService.CreateResource", j10, `{"TypeName":"AWS::Cognito::UserPoolDomain","DesiredState":"{\"UserPoolId\":\"p\",\"Domain\":\"d\"}"}`)
	if status != 200 || hdr.Get("x-amzn-RequestId") == "" || hdr.Get("Content-Type") != j10 {
		t.Errorf("create: %d %v", status, hdr)
	}
	ev, _ := body["ProgressEvent"].(map[string]any)
	if ev["EventTime"] != json.Number("1632506656.706") || ev["Identifier"] != "p|d" || ev["OperationStatus"] != "IN_PROGRESS" {
		t.Errorf("create event = %v", ev)
	}
	s.Settle()
	status, _, body = post("CloudApiService.GetResource", j10, `{"TypeName":"AWS::Cognito::UserPoolDomain","Identifier":"p|d"}`)
	desc, _ := body["ResourceDescription"].(map[string]any)
	if props, ok := desc["Properties"].(string); status != 200 || !ok || !strings.HasPrefix(props, `{"UserPoolId":"p","Domain":"d"`) {
		t.Errorf("get: %d %v", status, body)
	}
	tests := []struct {
		target, ctype, body string
		status              int
		typ                 string
	}{
		{"CloudApiService.GetResource", j10, `{"TypeName":"AWS::Cognito::UserPoolDomain","Identifier":"p|x"}`, 400, "com.amazon.cloudapiservice#ResourceNotFoundException"},
		{"CloudApiService.GetResource", j10, `{"TypeName":"AWS::Cognito::UserPoolDomain","Identifier":7}`, 400, "com.amazon.coral.service#SerializationException"},
		{"CloudApiService.GetResource", j10, `{"TypeName":`, 400, "com.amazon.coral.service#SerializationException"},
		// Member names are matched exactly: other spellings are unknown
		// members, ignored, so the required ones are missing.
		{"CloudApiService.CreateResource", j10, `{"typename":"AWS::Cognito::UserPoolDomain","desiredstate":"{\"UserPoolId\":\"p\",\"Domain\":\"e\"}"}`, 400, "com.amazon.cloudapiservice#ValidationException"},
		{"CloudApiService.GetResource", j10, `{"TypeName":"AWS::Cognito::UserPoolDomain","IDENTIFIER":"p|d"}`, 400, "com.amazon.cloudapiservice#ValidationException"},
		{"CloudApiService.Nope", j10, `{}`, 400, "com.amazon.coral.service#UnknownOperationException"},
		{"CloudApiService.GetResource", "text/plain", `{}`, 400, "com.amazon.coral.service#UnknownOperationException"},
		{"CloudApiService.GetResource", j10, `{"TypeName":"` + strings.Repeat("A", 2<<20) + `"}`, 413, "com.amazon.coral.service#RequestEntityTooLargeException"},
		{"CloudApiService.CancelResourceRequest", j10, `{"RequestToken":"nope"}`, 404, "com.amazon.cloudapiservice#RequestTokenNotFoundException"},
		{"AWSCognitoIdentityProviderService.DescribeUserPool", "application/x-amz-json-1.1", `{"UserPoolId":"us-east-1_nothere00"}`, 400, "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		status, hdr, body := post(tt.target, tt.ctype, tt.body)
		if status != tt.status || body["__type"] != tt.typ || hdr.Get("x-amzn-RequestId") == "" {
			t.Errorf("%s %.40s: %d %v, want %d %s", tt.target, tt.body, status, body, tt.status, tt.typ)
		}
	}
}

// TestSDK_SigV4_anonymousIdP: with credentials configured, the SDK's
// InitiateAuth (which it sends unsigned, as AWS serves it) still works,
// while a signed call with a wrong secret is refused.
func TestSDK_SigV4_anonymousIdP(t *testing.T) {
	opts := emulator.Options{Credentials: map[string]string{"AKIDGOOD": "good-secret"}, Addr: "127.0.0.1:0"}
	s := emulator.NewTestServerWithOps(t, opts, map[string]cognito.Operation{
		"InitiateAuth": func(context.Context, handler.Env, handler.Tx, []byte) (any, error) {
			return map[string]any{"Session": "s"}, nil
		},
	})
	hc := listenerClient(t, 30*time.Second)
	idp := func(secret string) *cip.Client {
		return cip.NewFromConfig(sdkConfig(hc, "AKIDGOOD", secret, "us-east-1"), func(o *cip.Options) { o.BaseEndpoint = aws.String(s.URL()) })
	}
	ctx := context.Background()
	out, err := idp("wrong-secret").InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: "USER_PASSWORD_AUTH", ClientId: aws.String("c")})
	if err != nil || aws.ToString(out.Session) != "s" {
		t.Fatalf("unsigned InitiateAuth: %v %+v", err, out)
	}
	_, err = idp("wrong-secret").ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)})
	wantAPIError(t, err, "InvalidSignatureException", "")
	if _, err := idp("good-secret").ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)}); err != nil {
		t.Errorf("signed ListUserPools: %v", err)
	}
}
