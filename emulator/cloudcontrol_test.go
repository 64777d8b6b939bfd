package emulator_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ccql/ccql/emulator"
	"github.com/ccql/ccql/internal/cloudcontrol"
)

var _ cloudcontrol.API = (*emulator.CloudControl)(nil)

func TestCloudControl_Lifecycle(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ev := e.create(poolType, `{"UserPoolName":"pool"}`)
	if ev.OperationStatus != types.OperationStatusInProgress || ev.Operation != types.OperationCreate {
		t.Errorf("create event = %s %s, want CREATE IN_PROGRESS", ev.Operation, ev.OperationStatus)
	}
	if !reUUIDv4.MatchString(aws.ToString(ev.RequestToken)) {
		t.Errorf("RequestToken %q is not a UUIDv4", aws.ToString(ev.RequestToken))
	}
	pool := aws.ToString(ev.Identifier)
	if !mustRe(`^us-east-1_[0-9A-Za-z]{9}$`).MatchString(pool) {
		t.Errorf("Identifier = %q, want a pool id", pool)
	}
	if ev.ResourceModel != nil || ev.EventTime == nil || ev.RetryAfter == nil || aws.ToString(ev.TypeName) != poolType {
		t.Errorf("create event = %+v", ev)
	}
	final := e.await(ev)
	if final.OperationStatus != types.OperationStatusSuccess || aws.ToString(final.Identifier) != pool || final.RetryAfter != nil || final.ResourceModel != nil {
		t.Fatalf("final event = %+v", final)
	}
	props := e.get(poolType, pool)
	if props["UserPoolId"] != pool || props["UserPoolName"] != "pool" {
		t.Errorf("pool properties = %v", props)
	}

	client := e.client(pool, `,"GenerateSecret":true`)
	if parts := strings.Split(client, "|"); len(parts) != 2 || parts[0] != pool {
		t.Errorf("client identifier = %q, want %s|<client id>", client, pool)
	}

	del, err := e.api.DeleteResource(e.ctx, &cc.DeleteResourceInput{TypeName: aws.String(clientType), Identifier: aws.String(client)})
	if err != nil {
		t.Fatal(err)
	}
	if ev := del.ProgressEvent; ev.Operation != types.OperationDelete || ev.OperationStatus != types.OperationStatusInProgress || aws.ToString(ev.Identifier) != client {
		t.Errorf("delete event = %+v", ev)
	}
	e.mustSucceed(del.ProgressEvent)

	_, err = e.api.GetResource(e.ctx, &cc.GetResourceInput{TypeName: aws.String(clientType), Identifier: aws.String(client)})
	wantType[*types.ResourceNotFoundException](t, err)
	if err == nil || !strings.HasPrefix(errMessage(err), "AWS::Cognito::UserPoolClient Handler returned status FAILED: ") ||
		!strings.Contains(errMessage(err), "(HandlerErrorCode: NotFound, RequestToken: ") {
		t.Errorf("GetResource of a deleted client: %v", err)
	}

	// Deleting it again is accepted, then fails asynchronously.
	del, err = e.api.DeleteResource(e.ctx, &cc.DeleteResourceInput{TypeName: aws.String(clientType), Identifier: aws.String(client)})
	if err != nil {
		t.Fatal(err)
	}
	if final := e.await(del.ProgressEvent); final.OperationStatus != types.OperationStatusFailed || final.ErrorCode != types.HandlerErrorCodeNotFound {
		t.Errorf("second delete ended %s %s, want FAILED NotFound", final.OperationStatus, final.ErrorCode)
	}
}

func TestCloudControl_HandlerFailures(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	pool := e.pool()
	tests := []struct {
		name     string
		typ      string
		desired  string
		code     types.HandlerErrorCode
		contains string
	}{
		{"Cognito rule", clientType, fmt.Sprintf(`{"UserPoolId":%q,"ClientName":"a","AccessTokenValidity":25}`, pool),
			types.HandlerErrorCodeInvalidRequest, "Invalid range for token validity."},
		{"missing parent", clientType, `{"UserPoolId":"us-east-1_nothere00","ClientName":"a"}`,
			types.HandlerErrorCodeNotFound, "does not exist"},
		{"handler error", domainType, `{"UserPoolId":"p","Domain":"invalid"}`, types.HandlerErrorCodeInvalidRequest, "Domain invalid is reserved."},
		{"non-handler error", domainType, `{"UserPoolId":"p","Domain":"boom"}`, types.HandlerErrorCodeInternalFailure, "Internal Failure"},
		{"panic", domainType, `{"UserPoolId":"p","Domain":"panic"}`, types.HandlerErrorCodeInternalFailure, "Internal Failure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := e.create(tt.typ, tt.desired)
			final := e.await(ev)
			if final.OperationStatus != types.OperationStatusFailed || final.ErrorCode != tt.code {
				t.Fatalf("ended %s %s (%s), want FAILED %s", final.OperationStatus, final.ErrorCode, aws.ToString(final.StatusMessage), tt.code)
			}
			if !strings.Contains(aws.ToString(final.StatusMessage), tt.contains) {
				t.Errorf("StatusMessage = %q, want it to contain %q", aws.ToString(final.StatusMessage), tt.contains)
			}
			if _, err := e.api.GetResource(e.ctx, &cc.GetResourceInput{TypeName: aws.String(tt.typ), Identifier: final.Identifier}); err == nil {
				t.Error("a failed create left a resource behind")
			}
		})
	}
}

func TestCloudControl_CreateValidation(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	long := strings.Repeat("a", 129)
	tests := []struct {
		name    string
		in      *cc.CreateResourceInput
		code    string
		message string
		check   func(t *testing.T, err error)
	}{
		{
			name: "minimum",
			in:   &cc.CreateResourceInput{TypeName: aws.String(clientType), DesiredState: aws.String(`{"UserPoolId":"p","AuthSessionValidity":2}`)},
			code: "ValidationException", message: "Model validation failed (#/AuthSessionValidity: failed validation constraint for keyword [minimum])",
		},
		{
			name: "required key",
			in:   &cc.CreateResourceInput{TypeName: aws.String(clientType), DesiredState: aws.String(`{"ClientName":"a"}`)},
			code: "ValidationException", message: "Model validation failed (#: required key [UserPoolId] not found)",
		},
		{
			name: "extraneous key",
			in:   &cc.CreateResourceInput{TypeName: aws.String(clientType), DesiredState: aws.String(`{"UserPoolId":"p","Bogus":1}`)},
			code: "ValidationException", message: "Model validation failed (#: extraneous key [Bogus] is not permitted)",
		},
		{
			name: "expected type",
			in:   &cc.CreateResourceInput{TypeName: aws.String(clientType), DesiredState: aws.String(`{"UserPoolId":"p","AccessTokenValidity":"1"}`)},
			code: "ValidationException", message: "Model validation failed (#/AccessTokenValidity: expected type: Integer, found: String)",
		},
		{
			name: "maxLength",
			in:   &cc.CreateResourceInput{TypeName: aws.String(clientType), DesiredState: aws.String(`{"UserPoolId":"p","ClientName":"` + long + `"}`)},
			code: "ValidationException", message: "Model validation failed (#/ClientName: expected maxLength: 128)",
		},
		{
			name: "minLength",
			in:   &cc.CreateResourceInput{TypeName: aws.String(clientType), DesiredState: aws.String(`{"UserPoolId":"p","ClientName":""}`)},
			code: "ValidationException", message: "Model validation failed (#/ClientName: expected minLength: 1, actual: 0)",
		},
		{
			name: "nested enum",
			in:   &cc.CreateResourceInput{TypeName: aws.String(clientType), DesiredState: aws.String(`{"UserPoolId":"p","RefreshTokenRotation":{"Feature":"X"}}`)},
			code: "ValidationException", message: "Model validation failed (#/RefreshTokenRotation/Feature: failed validation constraint for keyword [enum])",
		},
		{
			name: "several, joined by newlines",
			in:   &cc.CreateResourceInput{TypeName: aws.String(clientType), DesiredState: aws.String(`{"AuthSessionValidity":16,"Bogus":true}`)},
			code: "ValidationException",
			message: "Model validation failed (#/AuthSessionValidity: failed validation constraint for keyword [maximum]\n" +
				"#: extraneous key [Bogus] is not permitted\n#: required key [UserPoolId] not found)",
		},
		{
			name: "read-only property",
			in:   &cc.CreateResourceInput{TypeName: aws.String(clientType), DesiredState: aws.String(`{"UserPoolId":"p","ClientId":"x","Name":"n","ClientSecret":"s"}`)},
			code: "ValidationException", message: "Model validation failed (#: readOnlyProperties [/properties/ClientSecret, /properties/Name, /properties/ClientId] cannot be set)",
		},
		{
			name: "not an object",
			in:   &cc.CreateResourceInput{TypeName: aws.String(clientType), DesiredState: aws.String(`["UserPoolId"]`)},
			code: "ValidationException", message: "Model validation failed (#: expected type: JSONObject, found: JSONArray)",
		},
		{
			name: "not JSON",
			in:   &cc.CreateResourceInput{TypeName: aws.String(clientType), DesiredState: aws.String(`{UserPoolId`)},
			code: "ValidationException", message: "Model validation failed (#: expected type: JSONObject, found: String)",
		},
		{
			name: "missing members",
			in:   &cc.CreateResourceInput{},
			code: "ValidationException",
			message: "2 validation errors detected: Value null at 'typeName' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'desiredState' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "type name pattern",
			in:   &cc.CreateResourceInput{TypeName: aws.String("AWS::Cognito"), DesiredState: aws.String(`{}`)},
			code: "ValidationException",
			message: "1 validation error detected: Value 'AWS::Cognito' at 'typeName' failed to satisfy constraint: " +
				"Member must satisfy regular expression pattern: [A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}",
		},
		{
			name: "client token pattern",
			in:   &cc.CreateResourceInput{TypeName: aws.String(poolType), DesiredState: aws.String(`{}`), ClientToken: aws.String("no spaces")},
			code: "ValidationException",
			message: "1 validation error detected: Value 'no spaces' at 'clientToken' failed to satisfy constraint: " +
				"Member must satisfy regular expression pattern: [-A-Za-z0-9+/=]+",
		},
		{
			name:    "unknown type",
			in:      &cc.CreateResourceInput{TypeName: aws.String("AWS::Foo::Bar"), DesiredState: aws.String(`{}`)},
			code:    "TypeNotFoundException",
			message: "The type 'AWS::Foo::Bar' cannot be found.",
			check:   func(t *testing.T, err error) { wantType[*types.TypeNotFoundException](t, err) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.api.CreateResource(e.ctx, tt.in)
			wantAPIError(t, err, tt.code, tt.message)
			if tt.check != nil {
				tt.check(t, err)
			}
		})
	}
	// Nothing was recorded.
	out, err := e.api.ListResourceRequests(e.ctx, &cc.ListResourceRequestsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(out.ResourceRequestStatusSummaries); n != 0 {
		t.Errorf("%d requests recorded by refused creates", n)
	}
}

func TestCloudControl_Update(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	pool := e.pool()
	tests := []struct {
		name    string
		patch   string
		id      func(client string) string
		code    string // "" = accepted
		message string
		want    map[string]any // properties expected after the update (subset)
		absent  []string       // properties expected absent after the update
	}{
		{name: "replace", patch: `[{"op":"replace","path":"/ClientName","value":"renamed"}]`, want: map[string]any{"ClientName": "renamed", "Name": "renamed"}},
		{name: "path without slash", patch: `[{"op":"replace","path":"ClientName","value":"noslash"}]`,
			code: "ValidationException", message: `Invalid patch document: operation 0 (replace): path "ClientName" is not a JSON pointer (RFC 6901): it must start with "/"`},
		{name: "from without slash", patch: `[{"op":"copy","from":"ClientName","path":"/DefaultRedirectURI"}]`,
			code: "ValidationException", message: `Invalid patch document: operation 0 (copy): from "ClientName" is not a JSON pointer (RFC 6901): it must start with "/"`},
		{name: "member names are matched exactly", patch: `[{"op":"replace","pAth":"/ClientName","value":"x"}]`,
			code: "ValidationException", message: "Invalid patch document: operation 0 (replace) has no path"},
		{name: "OP is not op", patch: `[{"OP":"replace","path":"/ClientName","value":"x"}]`,
			code: "ValidationException", message: `Invalid patch document: unknown operation ""`},
		{name: "unknown members are ignored", patch: `[{"op":"replace","path":"/ClientName","value":"extra","comment":"hi","Value":1}]`,
			want: map[string]any{"ClientName": "extra"}},
		{name: "array index with a leading zero", patch: `[{"op":"add","path":"/ExplicitAuthFlows","value":["ALLOW_USER_SRP_AUTH"]},{"op":"replace","path":"/ExplicitAuthFlows/00","value":"ALLOW_REFRESH_TOKEN_AUTH"}]`,
			code: "ValidationException", message: `Invalid patch update: operation 1 (replace): path "/ExplicitAuthFlows/00": "00" is not an array index (RFC 6901)`},
		{name: "bad escape", patch: `[{"op":"replace","path":"/Client~2Name","value":"x"}]`,
			code: "ValidationException", message: `Invalid patch document: operation 0 (replace): path "/Client~2Name" is not a JSON pointer (RFC 6901): "~" must be followed by 0 or 1`},
		{name: "op not a string", patch: `[{"op":1,"path":"/ClientName","value":"x"}]`,
			code: "ValidationException", message: "Invalid patch document: operation 0: member op is not a string"},
		{name: "add array and append", patch: `[{"op":"add","path":"/ExplicitAuthFlows","value":["ALLOW_USER_SRP_AUTH"]},{"op":"add","path":"/ExplicitAuthFlows/-","value":"ALLOW_REFRESH_TOKEN_AUTH"}]`,
			want: map[string]any{"ExplicitAuthFlows": []any{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}},
		{name: "test then replace", patch: `[{"op":"test","path":"/ClientName","value":"app"},{"op":"replace","path":"/AuthSessionValidity","value":10}]`,
			want: map[string]any{"AuthSessionValidity": 10.0}},
		{name: "copy", patch: `[{"op":"copy","from":"/ClientName","path":"/DefaultRedirectURI"},{"op":"add","path":"/CallbackURLs","value":["app"]},{"op":"replace","path":"/DefaultRedirectURI","value":"https://x.example/cb"},{"op":"replace","path":"/CallbackURLs/0","value":"https://x.example/cb"}]`,
			want: map[string]any{"DefaultRedirectURI": "https://x.example/cb"}},
		{name: "move", patch: `[{"op":"add","path":"/LogoutURLs","value":["https://x.example/out"]},{"op":"move","from":"/LogoutURLs","path":"/CallbackURLs"}]`,
			want: map[string]any{"CallbackURLs": []any{"https://x.example/out"}}, absent: []string{"LogoutURLs"}},
		{name: "remove resets to the default", patch: `[{"op":"replace","path":"/AuthSessionValidity","value":12},{"op":"remove","path":"/AuthSessionValidity"}]`,
			want: map[string]any{"AuthSessionValidity": 3.0}},
		{name: "JSON identifier", patch: `[{"op":"replace","path":"/ClientName","value":"json"}]`,
			id: func(c string) string {
				p, cl, _ := strings.Cut(c, "|")
				return fmt.Sprintf(`{"ClientId":%q,"UserPoolId":%q}`, cl, p)
			}, want: map[string]any{"ClientName": "json"}},
		{name: "create-only named with its value", patch: fmt.Sprintf(`[{"op":"replace","path":"/UserPoolId","value":%q}]`, pool)},
		{name: "create-only changed", patch: `[{"op":"replace","path":"/UserPoolId","value":"us-east-1_other0000"}]`,
			code: "NotUpdatableException", message: "Invalid patch update: createOnlyProperties [/properties/UserPoolId] cannot be updated"},
		{name: "create-only removed", patch: `[{"op":"remove","path":"/GenerateSecret"}]`,
			code: "NotUpdatableException", message: "Invalid patch update: createOnlyProperties [/properties/GenerateSecret] cannot be updated"},
		{name: "read-only", patch: `[{"op":"replace","path":"/ClientId","value":"x"}]`,
			code: "ValidationException", message: "Invalid patch update: readOnlyProperties [/properties/ClientId] cannot be updated"},
		{name: "read-only as move source", patch: `[{"op":"move","from":"/Name","path":"/ClientName"}]`,
			code: "ValidationException", message: "Invalid patch update: readOnlyProperties [/properties/Name] cannot be updated"},
		{name: "read-only, add of the same value", patch: `[{"op":"add","path":"/ClientSecret","value":"same"}]`,
			code: "ValidationException", message: "Invalid patch update: readOnlyProperties [/properties/ClientSecret] cannot be updated"},
		{name: "failing test changes nothing", patch: `[{"op":"replace","path":"/ClientName","value":"changed"},{"op":"test","path":"/ClientName","value":"other"}]`,
			code: "ValidationException"},
		{name: "remove of a missing key", patch: `[{"op":"remove","path":"/LogoutURLs"}]`, code: "ValidationException"},
		{name: "patched model invalid", patch: `[{"op":"replace","path":"/AuthSessionValidity","value":99},{"op":"add","path":"/Bogus","value":1}]`,
			code: "ValidationException", message: "Model validation failed (#/AuthSessionValidity: failed validation constraint for keyword [maximum]\n#: extraneous key [Bogus] is not permitted)"},
		{name: "not JSON", patch: `[{"op":`, code: "ValidationException"},
		{name: "not an array", patch: `{"op":"add"}`, code: "ValidationException", message: "Invalid patch document: expected an array of operations"},
		{name: "unknown op", patch: `[{"op":"merge","path":"/ClientName","value":1}]`, code: "ValidationException", message: `Invalid patch document: unknown operation "merge"`},
		{name: "missing resource", patch: `[{"op":"replace","path":"/ClientName","value":"x"}]`, id: func(string) string { return pool + "|nosuchclient" },
			code: "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := e.client(pool, `,"GenerateSecret":false`)
			before := e.get(clientType, client)
			id := client
			if tt.id != nil {
				id = tt.id(client)
			}
			ev, err := e.update(clientType, id, tt.patch)
			if tt.code != "" {
				wantAPIError(t, err, tt.code, tt.message)
				if diff := cmp.Diff(before, e.get(clientType, client)); diff != "" {
					t.Errorf("a refused update changed the client (-before +after):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("UpdateResource: %v", err)
			}
			if ev.Operation != types.OperationUpdate || ev.OperationStatus != types.OperationStatusInProgress || aws.ToString(ev.Identifier) != client {
				t.Errorf("update event = %+v", ev)
			}
			model := map[string]any{}
			if err := jsonUnmarshal(aws.ToString(ev.ResourceModel), &model); err != nil {
				t.Fatalf("ResourceModel %q: %v", aws.ToString(ev.ResourceModel), err)
			}
			for _, ro := range []string{"ClientId", "ClientSecret", "Name"} {
				if _, ok := model[ro]; ok {
					t.Errorf("IN_PROGRESS ResourceModel carries read-only %s", ro)
				}
			}
			if model["UserPoolId"] != pool {
				t.Errorf("IN_PROGRESS ResourceModel = %v", model)
			}
			e.mustSucceed(ev)
			after := e.get(clientType, client)
			for k, v := range tt.want {
				if diff := cmp.Diff(v, after[k]); diff != "" {
					t.Errorf("%s after update (-want +got):\n%s", k, diff)
				}
			}
			for _, k := range tt.absent {
				if _, ok := after[k]; ok {
					t.Errorf("%s still present after update", k)
				}
			}
			if after["ClientId"] != before["ClientId"] {
				t.Errorf("ClientId changed")
			}
		})
	}
}

func TestCloudControl_Identifiers(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	pool := e.pool()
	client := e.client(pool, "")
	p, c, _ := strings.Cut(client, "|")
	tests := []struct {
		id   string
		code string
	}{
		{id: client},
		{id: fmt.Sprintf(`{"UserPoolId":%q,"ClientId":%q}`, p, c)},
		{id: fmt.Sprintf(` {"ClientId":%q,"UserPoolId":%q}`, c, p)},
		{id: fmt.Sprintf(`{"/properties/UserPoolId":%q,"/properties/ClientId":%q}`, p, c)},
		{id: `{"UserPoolId":`, code: "ValidationException"},
		{id: fmt.Sprintf(`{"UserPoolId":%q}`, p), code: "InvalidRequestException"},
		{id: fmt.Sprintf(`{"UserPoolId":%q,"Name":"x"}`, p), code: "InvalidRequestException"},
		{id: p + "|nope", code: "ResourceNotFoundException"},
		{id: p, code: "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			out, err := e.api.GetResource(e.ctx, &cc.GetResourceInput{TypeName: aws.String(clientType), Identifier: aws.String(tt.id)})
			if tt.code != "" {
				wantAPIError(t, err, tt.code, "")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(out.ResourceDescription.Identifier); got != client {
				t.Errorf("Identifier = %q, want %q", got, client)
			}
		})
	}
}

func TestCloudControl_WriteOnlyAndUnsupported(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	ev := e.create(domainType, `{"UserPoolId":"us-east-1_abc","Domain":"login","ManagedLoginVersion":2}`)
	e.mustSucceed(ev)
	if got := aws.ToString(ev.Identifier); got != "us-east-1_abc|login" {
		t.Errorf("Identifier = %q", got)
	}
	props := e.get(domainType, "us-east-1_abc|login")
	if _, ok := props["ManagedLoginVersion"]; ok {
		t.Errorf("write-only ManagedLoginVersion returned: %v", props)
	}
	if props["CloudFrontDistribution"] == nil {
		t.Errorf("read-only CloudFrontDistribution missing: %v", props)
	}
	// Write-only properties may only be patched with add.
	_, err := e.update(domainType, "us-east-1_abc|login", `[{"op":"replace","path":"/ManagedLoginVersion","value":1}]`)
	wantAPIError(t, err, "ValidationException", "Invalid patch update: writeOnlyProperties [/properties/ManagedLoginVersion] can only be updated using 'add' operation")
	ev, err = e.update(domainType, "us-east-1_abc|login", `[{"op":"add","path":"/ManagedLoginVersion","value":1}]`)
	if err != nil {
		t.Fatal(err)
	}
	e.mustSucceed(ev)

	_, err = e.api.ListResources(e.ctx, &cc.ListResourcesInput{TypeName: aws.String(domainType)})
	wantAPIError(t, err, "UnsupportedActionException", "Resource type AWS::Cognito::UserPoolDomain does not support LIST action")
	wantType[*types.UnsupportedActionException](t, err)

	// A second create of the same identifier fails asynchronously.
	dup := e.create(domainType, `{"UserPoolId":"us-east-1_abc","Domain":"login"}`)
	if final := e.await(dup); final.ErrorCode != types.HandlerErrorCodeAlreadyExists {
		t.Errorf("duplicate create ended %s %s", final.OperationStatus, final.ErrorCode)
	}
}

func TestCloudControl_ListResources(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	pool := e.pool()
	other := e.pool()
	var clients []string
	for range 5 {
		clients = append(clients, e.client(pool, ""))
	}
	e.client(other, "")

	_, err := e.api.ListResources(e.ctx, &cc.ListResourcesInput{TypeName: aws.String(clientType)})
	wantAPIError(t, err, "InvalidRequestException",
		"Missing or invalid ResourceModel property in AWS::Cognito::UserPoolClient list handler request input.Required property:  (#: required key [UserPoolId] not found)")
	wantType[*types.InvalidRequestException](t, err)
	_, err = e.api.ListResources(e.ctx, &cc.ListResourcesInput{TypeName: aws.String(clientType), ResourceModel: aws.String(`{"UserPoolId":5}`)})
	wantAPIError(t, err, "InvalidRequestException",
		"Missing or invalid ResourceModel property in AWS::Cognito::UserPoolClient list handler request input.Required property:  (#/UserPoolId: expected type: String, found: Integer)")

	for _, max := range []int32{0, 101} {
		_, err = e.api.ListResources(e.ctx, &cc.ListResourcesInput{TypeName: aws.String(poolType), MaxResults: aws.Int32(max)})
		wantAPIError(t, err, "ValidationException", "")
	}
	_, err = e.api.ListResources(e.ctx, &cc.ListResourcesInput{TypeName: aws.String(poolType), NextToken: aws.String("!!")})
	wantAPIError(t, err, "InvalidRequestException", "Invalid NextToken")

	// Pages of 2 through the SDK's paginator, which the in-process API satisfies.
	rm := fmt.Sprintf(`{"UserPoolId":%q}`, pool)
	pg := cc.NewListResourcesPaginator(e.api, &cc.ListResourcesInput{TypeName: aws.String(clientType), ResourceModel: aws.String(rm), MaxResults: aws.Int32(2)})
	var got []string
	pages := 0
	for pg.HasMorePages() {
		out, err := pg.NextPage(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if aws.ToString(out.TypeName) != clientType || len(out.ResourceDescriptions) > 2 {
			t.Errorf("page %d = %+v", pages, out)
		}
		for _, d := range out.ResourceDescriptions {
			got = append(got, aws.ToString(d.Identifier))
			if !strings.Contains(aws.ToString(d.Properties), aws.ToString(d.Identifier)[len(pool)+1:]) {
				t.Errorf("Properties %s do not carry the client id", aws.ToString(d.Properties))
			}
		}
	}
	want := append([]string(nil), clients...)
	sortStrings(want)
	if diff := cmp.Diff(want, got); diff != "" || pages != 3 {
		t.Errorf("paged %d pages, clients mismatch (-want +got):\n%s", pages, diff)
	}

	out, err := e.api.ListResources(e.ctx, &cc.ListResourcesInput{TypeName: aws.String(poolType)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ResourceDescriptions) != 2 || out.NextToken != nil {
		t.Errorf("pools = %+v", out)
	}
	// Another region sees none of them.
	out, err = e.api.ListResources(e.ctx, &cc.ListResourcesInput{TypeName: aws.String(poolType)}, region("eu-west-1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ResourceDescriptions) != 0 {
		t.Errorf("eu-west-1 lists %d pools of us-east-1", len(out.ResourceDescriptions))
	}
}

func TestCloudControl_Partitions(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	pool := e.pool(region("eu-west-1"))
	if !strings.HasPrefix(pool, "eu-west-1_") {
		t.Errorf("pool id %q not in eu-west-1", pool)
	}
	_, err := e.api.GetResource(e.ctx, &cc.GetResourceInput{TypeName: aws.String(poolType), Identifier: aws.String(pool)})
	wantType[*types.ResourceNotFoundException](t, err)
	other := e.s.CloudControl("123456789012")
	_, err = other.GetResource(e.ctx, &cc.GetResourceInput{TypeName: aws.String(poolType), Identifier: aws.String(pool)}, region("eu-west-1"))
	wantType[*types.ResourceNotFoundException](t, err)
	if _, err := e.api.GetResource(e.ctx, &cc.GetResourceInput{TypeName: aws.String(poolType), Identifier: aws.String(pool)}, region("eu-west-1")); err != nil {
		t.Errorf("GetResource in its own region: %v", err)
	}
}

func TestCloudControl_Idempotency(t *testing.T) {
	clk := &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	e := newEnv(t, emulator.Options{Now: clk.Now})
	in := &cc.CreateResourceInput{TypeName: aws.String(poolType), DesiredState: aws.String(`{"UserPoolName":"a"}`), ClientToken: aws.String("token-1")}
	first, err := e.api.CreateResource(e.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	e.mustSucceed(first.ProgressEvent)

	// Same token, same request (keys in another order): the original request, now SUCCESS.
	again, err := e.api.CreateResource(e.ctx, &cc.CreateResourceInput{TypeName: aws.String(poolType), DesiredState: aws.String(` { "UserPoolName" : "a" }`), ClientToken: aws.String("token-1")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(again.ProgressEvent.RequestToken) != aws.ToString(first.ProgressEvent.RequestToken) ||
		again.ProgressEvent.OperationStatus != types.OperationStatusSuccess ||
		aws.ToString(again.ProgressEvent.Identifier) != aws.ToString(first.ProgressEvent.Identifier) {
		t.Errorf("replay = %+v, want the original request with status SUCCESS", again.ProgressEvent)
	}

	// Same token, other request.
	_, err = e.api.CreateResource(e.ctx, &cc.CreateResourceInput{TypeName: aws.String(poolType), DesiredState: aws.String(`{"UserPoolName":"b"}`), ClientToken: aws.String("token-1")})
	wantType[*types.ClientTokenConflictException](t, err)
	_, err = e.api.DeleteResource(e.ctx, &cc.DeleteResourceInput{TypeName: aws.String(poolType), Identifier: first.ProgressEvent.Identifier, ClientToken: aws.String("token-1")})
	wantType[*types.ClientTokenConflictException](t, err)

	// Another region is another namespace.
	if _, err := e.api.CreateResource(e.ctx, in, region("eu-west-1")); err != nil {
		t.Errorf("same token in another region: %v", err)
	}

	// After 36 hours the token is free again.
	clk.Add(36*time.Hour + time.Second)
	later, err := e.api.CreateResource(e.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(later.ProgressEvent.RequestToken) == aws.ToString(first.ProgressEvent.RequestToken) {
		t.Error("a token older than 36 h replayed the old request")
	}
	e.mustSucceed(later.ProgressEvent)

	// Requests expire after 7 days.
	clk.Add(7 * 24 * time.Hour)
	_, err = e.api.GetResourceRequestStatus(e.ctx, &cc.GetResourceRequestStatusInput{RequestToken: first.ProgressEvent.RequestToken})
	wantType[*types.RequestTokenNotFoundException](t, err)
}

func TestCloudControl_ConcurrentAndCancel(t *testing.T) {
	e := newEnv(t, emulator.Options{Latency: time.Hour})
	// With an hour of latency nothing finishes by itself: create the pool
	// through a fast server on the same data is not possible in memory, so
	// use the domain type, whose create we cancel and redo.
	ev := e.create(domainType, `{"UserPoolId":"us-east-1_abc","Domain":"d"}`)
	if ev.RetryAfter == nil || !ev.RetryAfter.After(*ev.EventTime) {
		t.Errorf("RetryAfter = %v, want the end of the latency", ev.RetryAfter)
	}
	_, err := e.update(domainType, "us-east-1_abc|d", `[{"op":"add","path":"/ManagedLoginVersion","value":2}]`)
	// The resource does not exist yet (its create is in flight): the
	// concurrency check comes first.
	wantType[*types.ConcurrentOperationException](t, err)
	_, err = e.api.DeleteResource(e.ctx, &cc.DeleteResourceInput{TypeName: aws.String(domainType), Identifier: aws.String("us-east-1_abc|d")})
	wantType[*types.ConcurrentOperationException](t, err)
	wantAPIError(t, err, "ConcurrentOperationException", "")

	c1, err := e.api.CancelResourceRequest(e.ctx, &cc.CancelResourceRequestInput{RequestToken: ev.RequestToken})
	if err != nil {
		t.Fatal(err)
	}
	if c1.ProgressEvent.OperationStatus != types.OperationStatusCancelInProgress {
		t.Errorf("cancel event status = %s", c1.ProgressEvent.OperationStatus)
	}
	final := e.await(ev)
	if final.OperationStatus != types.OperationStatusCancelComplete {
		t.Errorf("cancelled request ended %s", final.OperationStatus)
	}
	_, err = e.api.GetResource(e.ctx, &cc.GetResourceInput{TypeName: aws.String(domainType), Identifier: aws.String("us-east-1_abc|d")})
	wantType[*types.ResourceNotFoundException](t, err)

	_, err = e.api.CancelResourceRequest(e.ctx, &cc.CancelResourceRequestInput{RequestToken: ev.RequestToken})
	wantType[*types.ConcurrentModificationException](t, err)
	_, err = e.api.CancelResourceRequest(e.ctx, &cc.CancelResourceRequestInput{RequestToken: aws.String("7b0ad7c1-1c9c-4e34-9f3e-6f6b2b1f3b7e")})
	wantType[*types.RequestTokenNotFoundException](t, err)
	_, err = e.api.GetResourceRequestStatus(e.ctx, &cc.GetResourceRequestStatusInput{RequestToken: aws.String("7b0ad7c1-1c9c-4e34-9f3e-6f6b2b1f3b7e")})
	wantType[*types.RequestTokenNotFoundException](t, err)
	_, err = e.api.GetResourceRequestStatus(e.ctx, &cc.GetResourceRequestStatusInput{})
	wantAPIError(t, err, "ValidationException", "1 validation error detected: Value null at 'requestToken' failed to satisfy constraint: Member must not be null")

	// A new create is free to go now.
	ev2 := e.create(domainType, `{"UserPoolId":"us-east-1_abc","Domain":"d"}`)
	c2, err := e.api.CancelResourceRequest(e.ctx, &cc.CancelResourceRequestInput{RequestToken: ev2.RequestToken})
	if err != nil {
		t.Fatal(err)
	}
	if s := c2.ProgressEvent.OperationStatus; s != types.OperationStatusCancelInProgress && s != types.OperationStatusCancelComplete {
		t.Errorf("cancel status = %s", s)
	}
	if s := e.await(ev2).OperationStatus; s != types.OperationStatusCancelComplete {
		t.Errorf("status after cancel = %s", s)
	}
}

func TestCloudControl_ListResourceRequests(t *testing.T) {
	clk := &clock{t: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), step: time.Millisecond}
	e := newEnv(t, emulator.Options{Now: clk.Now})
	pool := e.pool()
	var created []string
	for i := range 24 {
		desired := fmt.Sprintf(`{"UserPoolId":%q,"ClientName":"c%d"}`, pool, i)
		if i%4 == 0 {
			desired = fmt.Sprintf(`{"UserPoolId":%q,"AccessTokenValidity":99}`, pool) // fails
		}
		ev := e.create(clientType, desired)
		e.await(ev)
		created = append(created, aws.ToString(ev.RequestToken))
	}
	// 25 requests: the pool and 24 clients (6 FAILED).
	first, err := e.api.ListResourceRequests(e.ctx, &cc.ListResourceRequestsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.ResourceRequestStatusSummaries) != 20 || first.NextToken == nil {
		t.Fatalf("first page: %d summaries, NextToken %v; want 20 and a token", len(first.ResourceRequestStatusSummaries), first.NextToken)
	}
	if got := aws.ToString(first.ResourceRequestStatusSummaries[0].RequestToken); got != created[23] {
		t.Errorf("first summary %s, want the newest request %s", got, created[23])
	}

	pg := cc.NewListResourceRequestsPaginator(e.api, &cc.ListResourceRequestsInput{MaxResults: aws.Int32(7)})
	total := 0
	for pg.HasMorePages() {
		out, err := pg.NextPage(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		total += len(out.ResourceRequestStatusSummaries)
	}
	if total != 25 {
		t.Errorf("paged %d requests, want 25", total)
	}

	filtered, err := e.api.ListResourceRequests(e.ctx, &cc.ListResourceRequestsInput{
		ResourceRequestStatusFilter: &types.ResourceRequestStatusFilter{
			Operations:        []types.Operation{types.OperationCreate},
			OperationStatuses: []types.OperationStatus{types.OperationStatusFailed},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(filtered.ResourceRequestStatusSummaries) != 6 {
		t.Errorf("CREATE+FAILED: %d, want 6", len(filtered.ResourceRequestStatusSummaries))
	}
	for _, ev := range filtered.ResourceRequestStatusSummaries {
		if ev.OperationStatus != types.OperationStatusFailed || ev.ErrorCode != types.HandlerErrorCodeInvalidRequest {
			t.Errorf("filtered summary %+v", ev)
		}
	}
	none, err := e.api.ListResourceRequests(e.ctx, &cc.ListResourceRequestsInput{
		ResourceRequestStatusFilter: &types.ResourceRequestStatusFilter{Operations: []types.Operation{types.OperationDelete}},
	})
	if err != nil || len(none.ResourceRequestStatusSummaries) != 0 {
		t.Errorf("DELETE filter: %v, %v", none, err)
	}
	for _, max := range []int32{0, 101} {
		_, err := e.api.ListResourceRequests(e.ctx, &cc.ListResourceRequestsInput{MaxResults: aws.Int32(max)})
		wantAPIError(t, err, "ValidationException", "")
	}
	_, err = e.api.ListResourceRequests(e.ctx, &cc.ListResourceRequestsInput{NextToken: aws.String("bm9wZQ==")})
	wantAPIError(t, err, "ValidationException", "Invalid NextToken")
}
