package cognito_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/emulator/internal/cognito/cognitotest"
	"github.com/ccql/ccql/internal/cloudcontrol"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var clock = time.Date(2026, 9, 1, 12, 0, 0, 123e6, time.UTC)

// newSDK starts the IdP test server and returns the real SDK client on it.
func newSDK(t *testing.T) (*cip.Client, *cognitotest.Server) {
	t.Helper()
	srv := cognitotest.NewServer(testRegion)
	srv.Env.Rand = rand.NewChaCha8([32]byte{9})
	srv.Clock = func() time.Time { return clock }
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	client := cip.New(cip.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(hs.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
		// Buffered bodies: see cloudcontrol.BufferBodies.
		HTTPClient: cloudcontrol.BufferBodies(hs.Client()),
	})
	return client, srv
}

var ignoreSDK = cmpopts.IgnoreUnexported(types.UserPoolClientType{}, types.TokenValidityUnitsType{}, types.UserPoolClientDescription{})

func TestOperations_SDKClientLifecycle(t *testing.T) {
	ctx := context.Background()
	sdk, _ := newSDK(t)

	pool, err := sdk.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("sdk-pool")})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	if !rePoolID.MatchString(poolID) || aws.ToString(pool.UserPool.Name) != "sdk-pool" {
		t.Fatalf("pool Id %q Name %q", poolID, aws.ToString(pool.UserPool.Name))
	}
	if got, want := aws.ToString(pool.UserPool.Arn), "arn:aws:cognito-idp:us-east-1:123456789012:userpool/"+poolID; got != want {
		t.Errorf("Arn = %q, want %q", got, want)
	}
	if !aws.ToTime(pool.UserPool.CreationDate).Equal(clock) {
		t.Errorf("CreationDate = %v, want %v", pool.UserPool.CreationDate, clock)
	}
	if pool.UserPool.MfaConfiguration != types.UserPoolMfaTypeOff || pool.UserPool.DeletionProtection != types.DeletionProtectionTypeInactive {
		t.Errorf("pool defaults: MFA %q, DeletionProtection %q", pool.UserPool.MfaConfiguration, pool.UserPool.DeletionProtection)
	}
	if n := len(pool.UserPool.SchemaAttributes); n != 21 {
		t.Errorf("%d schema attributes, want the 21 standard ones", n)
	}

	created, err := sdk.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId:                      aws.String(poolID),
		ClientName:                      aws.String("web"),
		GenerateSecret:                  true,
		ExplicitAuthFlows:               []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		AccessTokenValidity:             aws.Int32(2),
		TokenValidityUnits:              &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeHours},
		CallbackURLs:                    []string{"https://app.example.com/cb", "http://localhost:3000/cb"},
		DefaultRedirectURI:              aws.String("https://app.example.com/cb"),
		AllowedOAuthFlows:               []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes:              []string{"openid", "email"},
		AllowedOAuthFlowsUserPoolClient: true,
		SupportedIdentityProviders:      []string{"COGNITO"},
	})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	c := created.UserPoolClient
	clientID := aws.ToString(c.ClientId)
	want := &types.UserPoolClientType{
		UserPoolId:                               aws.String(poolID),
		ClientName:                               aws.String("web"),
		ClientId:                                 aws.String(clientID),
		ClientSecret:                             c.ClientSecret,
		CreationDate:                             aws.Time(clock),
		LastModifiedDate:                         aws.Time(clock),
		ExplicitAuthFlows:                        []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		AccessTokenValidity:                      aws.Int32(2),
		RefreshTokenValidity:                     30,
		AuthSessionValidity:                      aws.Int32(3),
		TokenValidityUnits:                       &types.TokenValidityUnitsType{AccessToken: "hours", IdToken: "hours", RefreshToken: "days"},
		CallbackURLs:                             []string{"https://app.example.com/cb", "http://localhost:3000/cb"},
		DefaultRedirectURI:                       aws.String("https://app.example.com/cb"),
		AllowedOAuthFlows:                        []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes:                       []string{"openid", "email"},
		AllowedOAuthFlowsUserPoolClient:          aws.Bool(true),
		SupportedIdentityProviders:               []string{"COGNITO"},
		EnableTokenRevocation:                    aws.Bool(true),
		EnablePropagateAdditionalUserContextData: aws.Bool(false),
	}
	if !reClientID.MatchString(clientID) || !reSecret.MatchString(aws.ToString(c.ClientSecret)) {
		t.Errorf("ClientId %q / secret of %d characters", clientID, len(aws.ToString(c.ClientSecret)))
	}
	if diff := cmp.Diff(want, c, ignoreSDK); diff != "" {
		t.Errorf("CreateUserPoolClient (-want +got):\n%s", diff)
	}

	described, err := sdk.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID)})
	if err != nil {
		t.Fatalf("DescribeUserPoolClient: %v", err)
	}
	if diff := cmp.Diff(want, described.UserPoolClient, ignoreSDK); diff != "" {
		t.Errorf("DescribeUserPoolClient (-want +got):\n%s", diff)
	}

	// Update is a full replace: only the name given, everything else resets.
	updated, err := sdk.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
		UserPoolId: aws.String(poolID), ClientId: aws.String(clientID), ClientName: aws.String("web2"),
	})
	if err != nil {
		t.Fatalf("UpdateUserPoolClient: %v", err)
	}
	wantUpdated := &types.UserPoolClientType{
		UserPoolId:                               aws.String(poolID),
		ClientName:                               aws.String("web2"),
		ClientId:                                 aws.String(clientID),
		ClientSecret:                             c.ClientSecret,
		CreationDate:                             aws.Time(clock),
		LastModifiedDate:                         aws.Time(clock),
		RefreshTokenValidity:                     30,
		AuthSessionValidity:                      aws.Int32(3),
		TokenValidityUnits:                       &types.TokenValidityUnitsType{},
		AllowedOAuthFlowsUserPoolClient:          aws.Bool(false),
		EnableTokenRevocation:                    aws.Bool(true),
		EnablePropagateAdditionalUserContextData: aws.Bool(false),
	}
	if diff := cmp.Diff(wantUpdated, updated.UserPoolClient, ignoreSDK); diff != "" {
		t.Errorf("UpdateUserPoolClient (-want +got):\n%s", diff)
	}

	if _, err := sdk.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID)}); err != nil {
		t.Fatalf("DeleteUserPoolClient: %v", err)
	}
	_, err = sdk.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID)})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || nf.ErrorMessage() != "User pool client "+clientID+" does not exist." {
		t.Errorf("Describe after delete: %v", err)
	}

	if _, err := sdk.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(poolID)}); err != nil {
		t.Fatalf("DeleteUserPool: %v", err)
	}
	_, err = sdk.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
	if !errors.As(err, &nf) || nf.ErrorMessage() != "User pool "+poolID+" does not exist." {
		t.Errorf("DescribeUserPool after delete: %v", err)
	}
}

func TestOperations_SDKErrors(t *testing.T) {
	ctx := context.Background()
	sdk, _ := newSDK(t)
	pool, err := sdk.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("errors")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := pool.UserPool.Id
	cases := []struct {
		name  string
		in    cip.CreateUserPoolClientInput
		check func(error) (string, bool)
		msg   string
	}{
		{"http callback", cip.CreateUserPoolClientInput{CallbackURLs: []string{"http://example.com/cb"}},
			as[*types.InvalidParameterException], "http://example.com/cb cannot use the HTTP protocol."},
		{"unknown scope", cip.CreateUserPoolClientInput{AllowedOAuthScopes: []string{"api/read"}},
			as[*types.ScopeDoesNotExistException], "Invalid scope requested: api/read"},
		{"client_credentials without secret", cip.CreateUserPoolClientInput{AllowedOAuthFlows: []types.OAuthFlowType{"client_credentials"}},
			as[*types.InvalidOAuthFlowException], "client_credentials flow can not be selected if client does not have a client secret."},
		{"custom secret with GenerateSecret", cip.CreateUserPoolClientInput{GenerateSecret: true, ClientSecret: aws.String("abcdefghijklmnopqrstuvwxyz")},
			as[*types.InvalidParameterException], "You cannot specify both GenerateSecret as true and provide a ClientSecret value."},
		{"refresh below an hour", cip.CreateUserPoolClientInput{RefreshTokenValidity: 59, TokenValidityUnits: &types.TokenValidityUnitsType{RefreshToken: "minutes"}},
			as[*types.InvalidParameterException], "Invalid range for token validity."},
		{"missing pool", cip.CreateUserPoolClientInput{UserPoolId: aws.String("us-east-1_nosuch000")},
			as[*types.ResourceNotFoundException], "User pool us-east-1_nosuch000 does not exist."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in.UserPoolId == nil {
				in.UserPoolId = poolID
			}
			in.ClientName = aws.String("c")
			_, err := sdk.CreateUserPoolClient(ctx, &in)
			msg, ok := tc.check(err)
			if !ok || msg != tc.msg {
				t.Errorf("got %v (%T)\nwant %q", err, errors.Unwrap(err), tc.msg)
			}
		})
	}

	// A caller-supplied secret is kept as given.
	custom, err := sdk.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: poolID, ClientName: aws.String("custom"), ClientSecret: aws.String("my_own_secret_of_24chars"),
	})
	if err != nil {
		t.Fatalf("custom secret: %v", err)
	}
	if got := aws.ToString(custom.UserPoolClient.ClientSecret); got != "my_own_secret_of_24chars" {
		t.Errorf("custom secret = %q", got)
	}
}

// as extracts the message of an SDK error of type E.
func as[E interface {
	error
	ErrorMessage() string
}](err error) (string, bool) {
	var e E
	if !errors.As(err, &e) {
		return "", false
	}
	return e.ErrorMessage(), true
}

func TestOperations_SDKPaging(t *testing.T) {
	ctx := context.Background()
	sdk, _ := newSDK(t)
	var poolIDs []string
	for i := 0; i < 3; i++ {
		p, err := sdk.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("p")})
		if err != nil {
			t.Fatal(err)
		}
		poolIDs = append(poolIDs, aws.ToString(p.UserPool.Id))
	}
	var seenPools []string
	pp := cip.NewListUserPoolsPaginator(sdk, &cip.ListUserPoolsInput{MaxResults: aws.Int32(2)})
	for pp.HasMorePages() {
		out, err := pp.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListUserPools: %v", err)
		}
		if len(out.UserPools) > 2 {
			t.Errorf("page of %d pools, MaxResults 2", len(out.UserPools))
		}
		for _, p := range out.UserPools {
			seenPools = append(seenPools, aws.ToString(p.Id))
		}
	}
	if diff := cmp.Diff(poolIDs, seenPools, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("pools seen through paging (-want +got):\n%s", diff)
	}

	var clientIDs []string
	for i := 0; i < 5; i++ {
		c, err := sdk.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(poolIDs[0]), ClientName: aws.String("c")})
		if err != nil {
			t.Fatal(err)
		}
		clientIDs = append(clientIDs, aws.ToString(c.UserPoolClient.ClientId))
	}
	var seen []string
	cp := cip.NewListUserPoolClientsPaginator(sdk, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(poolIDs[0]), MaxResults: aws.Int32(2)})
	pages := 0
	for cp.HasMorePages() {
		out, err := cp.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListUserPoolClients: %v", err)
		}
		pages++
		for _, c := range out.UserPoolClients {
			if aws.ToString(c.UserPoolId) != poolIDs[0] || aws.ToString(c.ClientName) != "c" {
				t.Errorf("description %+v", c)
			}
			seen = append(seen, aws.ToString(c.ClientId))
		}
	}
	if pages != 3 {
		t.Errorf("%d pages for 5 clients at 2 per page, want 3", pages)
	}
	if diff := cmp.Diff(clientIDs, seen, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("clients seen through paging (-want +got):\n%s", diff)
	}
}

// TestOperations_SharedState checks that both front doors see one client.
func TestOperations_SharedState(t *testing.T) {
	ctx := context.Background()
	sdk, srv := newSDK(t)
	f := newFixture(t)
	f.tx = srv.Tx
	f.env = srv.Env
	f.env.Now = clock

	poolID := f.mustPool(map[string]any{"UserPoolName": "shared"})
	viaCC := f.mustClient(map[string]any{"UserPoolId": poolID, "ClientName": "cc", "GenerateSecret": true})
	d, err := sdk.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: aws.String(viaCC["ClientId"].(string))})
	if err != nil {
		t.Fatalf("Describe a Cloud Control client through the IdP API: %v", err)
	}
	if aws.ToString(d.UserPoolClient.ClientSecret) != viaCC["ClientSecret"] || aws.ToString(d.UserPoolClient.ClientName) != "cc" {
		t.Errorf("IdP view of the Cloud Control client: %+v", d.UserPoolClient)
	}

	viaAPI, err := sdk.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(poolID), ClientName: aws.String("api"), ReadAttributes: []string{"email"},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := poolID + "|" + aws.ToString(viaAPI.UserPoolClient.ClientId)
	read, err := f.client.Read(ctx, f.env, f.tx, id)
	if err != nil {
		t.Fatalf("Read an IdP client through Cloud Control: %v", err)
	}
	want := map[string]any{
		"UserPoolId":                      poolID,
		"ClientId":                        aws.ToString(viaAPI.UserPoolClient.ClientId),
		"ClientName":                      "api",
		"Name":                            "api",
		"ReadAttributes":                  []any{"email"},
		"AuthSessionValidity":             float64(3),
		"RefreshTokenValidity":            float64(30),
		"TokenValidityUnits":              map[string]any{},
		"AllowedOAuthFlowsUserPoolClient": false,
		"EnableTokenRevocation":           true,
		"EnablePropagateAdditionalUserContextData": false,
	}
	if diff := cmp.Diff(want, read); diff != "" {
		t.Errorf("Cloud Control view of an IdP client (-want +got):\n%s", diff)
	}

	p, err := sdk.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
	if err != nil || aws.ToString(p.UserPool.Name) != "shared" {
		t.Errorf("DescribeUserPool of a Cloud Control pool: %v %v", p, err)
	}
}

func TestOperations_RequestShape(t *testing.T) {
	ops := cognito.Operations()
	env := newFixture(t).env
	cases := []struct {
		op, body, typ, msg string
	}{
		{"ListUserPools", `{}`, "InvalidParameterException", "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null"},
		{"ListUserPools", `{"MaxResults": 61}`, "InvalidParameterException", "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60"},
		{"ListUserPools", `{"MaxResults": 0}`, "InvalidParameterException", "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"ListUserPools", `{"MaxResults": 5, "NextToken": "%%%"}`, "InvalidParameterException", "Invalid pagination token."},
		{"ListUserPools", `{"MaxResults": "5"}`, "SerializationException", "Unexpected string value for member MaxResults"},
		{"CreateUserPool", `{}`, "InvalidParameterException", "1 validation error detected: Value null at 'poolName' failed to satisfy constraint: Member must not be null"},
		{"CreateUserPool", `[`, "SerializationException", "Malformed request body"},
		{"CreateUserPool", `{"PoolName":"p","Schema":[1]}`, "SerializationException", "Unexpected value type for member Schema"},
		{"CreateUserPool", `{"PoolName":"p","UserPoolTags":"x"}`, "SerializationException", "Unexpected value type for member UserPoolTags"},
		{"CreateUserPoolClient", `{}`, "InvalidParameterException", "2 validation errors detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null; Value null at 'clientName' failed to satisfy constraint: Member must not be null"},
		{"DescribeUserPoolClient", `{"UserPoolId":"bad","ClientId":"x"}`, "InvalidParameterException", "1 validation error detected: Value 'bad' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"},
		{"DescribeUserPoolClient", `{"UserPoolId":"us-east-1_abc","ClientId":"org-name"}`, "InvalidParameterException", "1 validation error detected: Value 'org-name' at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+]+"},
		{"DescribeUserPoolClient", `{"UserPoolId":"us-east-1_abc","ClientId":"x"}`, "ResourceNotFoundException", "User pool us-east-1_abc does not exist."},
		{"ListUserPoolClients", `{"UserPoolId":"us-east-1_abc"}`, "ResourceNotFoundException", "User pool us-east-1_abc does not exist."},
		{"DeleteUserPool", `{"UserPoolId":"us-east-1_abc"}`, "ResourceNotFoundException", "User pool us-east-1_abc does not exist."},
		// AWS matches member names exactly: a member in another case is an
		// unknown member, ignored, so the required one is missing.
		{"ListUserPools", `{"maxresults": 5}`, "InvalidParameterException", "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null"},
		{"DeleteUserPool", `{"userPoolId":"us-east-1_abc"}`, "InvalidParameterException", "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"},
		{"CreateUserPool", `{"PoolName":"p","Policies":{"passwordpolicy":{"MinimumLength":"x"}}}`, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.op+" "+tc.body, func(t *testing.T) {
			_, err := ops[tc.op](context.Background(), env, cognitotest.NewTx(), []byte(tc.body))
			if tc.typ == "" {
				if err != nil {
					t.Fatalf("an unknown member (wrong case) must be ignored, got %v", err)
				}
				return
			}
			var apiErr *cognito.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v is not an *APIError", err)
			}
			if apiErr.Type != tc.typ || apiErr.Message != tc.msg || apiErr.Status != 400 {
				t.Errorf("got %d %s %q\nwant 400 %s %q", apiErr.Status, apiErr.Type, apiErr.Message, tc.typ, tc.msg)
			}
		})
	}
}
