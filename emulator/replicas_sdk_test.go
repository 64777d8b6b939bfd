package emulator_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/ccql/ccql/emulator"
	"github.com/coreos/go-oidc/v3/oidc"
)

// awsNames is a transport that sends every request, whatever its AWS host
// name (https://cognito-idp.<region>.amazonaws.com/…), to the emulator over
// plain HTTP, keeping the Host: a client configured for a region reaches
// that region's endpoint, as against AWS.
type awsNames struct{ base string }

func (a awsNames) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Host = r.URL.Host
	r.URL.Scheme, r.URL.Host = "http", a.base
	return http.DefaultTransport.RoundTrip(r)
}

// replicaEnv is one listening emulator and IdP clients of two regions that
// reach it by AWS's host names.
type replicaEnv struct {
	t       *testing.T
	s       *emulator.Server
	hc      *http.Client
	primary *cip.Client // us-east-1
	replica *cip.Client // eu-west-1
}

func newReplicaEnv(t *testing.T) *replicaEnv {
	s, err := emulator.NewServer(emulator.Options{Addr: "127.0.0.1:0", DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	hc := &http.Client{Transport: awsNames{base: s.URL()[len("http://"):]}, Timeout: 30 * time.Second}
	return &replicaEnv{t: t, s: s, hc: hc,
		primary: cip.NewFromConfig(sdkConfig(hc, "AKIDEXAMPLE", "secret", "us-east-1")),
		replica: cip.NewFromConfig(sdkConfig(hc, "AKIDEXAMPLE", "secret", "eu-west-1")),
	}
}

// signIn signs alice in with USER_PASSWORD_AUTH through c's region.
func (e *replicaEnv) signIn(c *cip.Client, clientID string) (*types.AuthenticationResultType, error) {
	out, err := c.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"},
	})
	if err != nil {
		return nil, err
	}
	return out.AuthenticationResult, nil
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("error = %v, want %s", err, code)
	}
}

// verify checks a token against issuer's discovery document and JWKS,
// fetched from the emulator by the issuer's own URL.
func (e *replicaEnv) verify(issuer, token string) error {
	ctx := oidc.ClientContext(context.Background(), e.hc)
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return err
	}
	_, err = p.Verifier(&oidc.Config{SkipClientIDCheck: true}).Verify(ctx, token)
	return err
}

// TestSDK_UserPoolReplicas follows a replica through its life with
// aws-sdk-go-v2: the replica region signs the pool's users in with its own
// issuer and keys, an INACTIVE replica refuses them, and a deleted one's
// tokens fail.
// poolWithUser makes a pool, an app client with USER_PASSWORD_AUTH and
// the user alice, through the primary region.
func (e *replicaEnv) poolWithUser() (poolID, clientID string) {
	t := e.t
	ctx := context.Background()
	pool, err := e.primary.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("mrr")})
	if err != nil {
		t.Fatal(err)
	}
	poolID = aws.ToString(pool.UserPool.Id)
	cl, err := e.primary.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	clientID = aws.ToString(cl.UserPoolClient.ClientId)
	if _, err := e.primary.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.primary.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: aws.String("alice"), Password: aws.String("Passw0rd!"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	return poolID, clientID
}

func TestSDK_UserPoolReplicas(t *testing.T) {
	e := newReplicaEnv(t)
	ctx := context.Background()
	poolID, clientID := e.poolWithUser()

	// Before the replica, eu-west-1 has no such client.
	_, err := e.signIn(e.replica, clientID)
	wantCode(t, err, "ResourceNotFoundException")

	created, err := e.primary.CreateUserPoolReplica(ctx, &cip.CreateUserPoolReplicaInput{UserPoolId: &poolID, RegionName: aws.String("eu-west-1")})
	if err != nil {
		t.Fatal(err)
	}
	if r := created.UserPoolReplica; aws.ToString(r.RegionName) != "eu-west-1" || r.Role != types.ReplicaRoleTypeSecondary || r.Status != types.ReplicaStatusTypeCreating ||
		aws.ToString(r.UserPoolArn) != "arn:aws:cognito-idp:eu-west-1:000000000000:userpool/"+poolID {
		t.Errorf("created = %+v", *r)
	}
	list, err := e.primary.ListUserPoolReplicas(ctx, &cip.ListUserPoolReplicasInput{UserPoolId: &poolID})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(list.UserPoolReplicas); n != 2 || list.UserPoolReplicas[0].Role != types.ReplicaRoleTypePrimary ||
		aws.ToString(list.UserPoolReplicas[0].RegionName) != "us-east-1" || list.UserPoolReplicas[1].Status != types.ReplicaStatusTypeActive {
		t.Errorf("replicas = %+v", list.UserPoolReplicas)
	}

	primaryIss := "https://cognito-idp.us-east-1.amazonaws.com/" + poolID
	replicaIss := "https://cognito-idp.eu-west-1.amazonaws.com/" + poolID
	viaPrimary, err := e.signIn(e.primary, clientID)
	if err != nil {
		t.Fatal(err)
	}
	viaReplica, err := e.signIn(e.replica, clientID)
	if err != nil {
		t.Fatalf("sign in through the replica region: %v", err)
	}
	tests := []struct {
		name, issuer, token string
		ok                  bool
	}{
		{"replica access token, replica issuer", replicaIss, aws.ToString(viaReplica.AccessToken), true},
		{"replica ID token, replica issuer", replicaIss, aws.ToString(viaReplica.IdToken), true},
		{"primary access token, primary issuer", primaryIss, aws.ToString(viaPrimary.AccessToken), true},
		{"replica token, primary issuer", primaryIss, aws.ToString(viaReplica.AccessToken), false},
		{"primary token, replica issuer", replicaIss, aws.ToString(viaPrimary.IdToken), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := e.verify(tc.issuer, tc.token)
			if (err == nil) != tc.ok {
				t.Errorf("verify = %v, want ok %v", err, tc.ok)
			}
		})
	}

	// The replica serves the same users, and accepts its own tokens and
	// the primary's.
	for _, tok := range []*string{viaReplica.AccessToken, viaPrimary.AccessToken} {
		u, err := e.replica.GetUser(ctx, &cip.GetUserInput{AccessToken: tok})
		if err != nil || aws.ToString(u.Username) != "alice" {
			t.Errorf("GetUser through the replica: %v", err)
		}
	}
	// A signed admin read in the replica region is served; a write is the
	// primary's.
	if _, err := e.replica.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("alice")}); err != nil {
		t.Errorf("AdminGetUser in the replica region: %v", err)
	}
	_, err = e.replica.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("bob")})
	wantCode(t, err, "OperationNotEnabledException")

	// The replica's tags are its own, kept in its region.
	replicaARN := created.UserPoolReplica.UserPoolArn
	if _, err := e.replica.TagResource(ctx, &cip.TagResourceInput{ResourceArn: replicaARN, Tags: map[string]string{"site": "dr"}}); err != nil {
		t.Fatal(err)
	}
	if tags, err := e.replica.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: replicaARN}); err != nil || tags.Tags["site"] != "dr" {
		t.Errorf("replica tags = %v, %v", tags, err)
	}
	if tags, err := e.primary.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: list.UserPoolReplicas[0].UserPoolArn}); err != nil || len(tags.Tags) != 0 {
		t.Errorf("primary tags = %v, %v", tags, err)
	}
	if _, err := e.replica.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: replicaARN, TagKeys: []string{"site"}}); err != nil {
		t.Fatal(err)
	}
	if tags, err := e.replica.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: replicaARN}); err != nil || len(tags.Tags) != 0 {
		t.Errorf("replica tags after untag = %v, %v", tags, err)
	}

	// INACTIVE: no end-user requests in the region; UpdateUserPoolReplica
	// may be called from either region.
	upd, err := e.replica.UpdateUserPoolReplica(ctx, &cip.UpdateUserPoolReplicaInput{UserPoolId: &poolID, RegionName: aws.String("eu-west-1"), Status: types.UpdateReplicaStatusTypeInactive})
	if err != nil {
		t.Fatal(err)
	}
	if upd.UserPoolReplica.Status != types.ReplicaStatusTypeInactive {
		t.Errorf("updated status = %s", upd.UserPoolReplica.Status)
	}
	_, err = e.signIn(e.replica, clientID)
	wantCode(t, err, "OperationNotEnabledException")
	if _, err := e.signIn(e.primary, clientID); err != nil {
		t.Errorf("primary sign-in with the replica INACTIVE: %v", err)
	}

	// Delete: from the primary region only; then the region's tokens fail.
	_, err = e.replica.DeleteUserPoolReplica(ctx, &cip.DeleteUserPoolReplicaInput{UserPoolId: &poolID, RegionName: aws.String("eu-west-1")})
	wantCode(t, err, "OperationNotEnabledException")
	del, err := e.primary.DeleteUserPoolReplica(ctx, &cip.DeleteUserPoolReplicaInput{UserPoolId: &poolID, RegionName: aws.String("eu-west-1")})
	if err != nil {
		t.Fatal(err)
	}
	if del.UserPoolReplica.Status != types.ReplicaStatusTypeDeleting {
		t.Errorf("deleted status = %s", del.UserPoolReplica.Status)
	}
	_, err = e.primary.GetUser(ctx, &cip.GetUserInput{AccessToken: viaReplica.AccessToken})
	wantCode(t, err, "NotAuthorizedException")
	if err := e.verify(replicaIss, aws.ToString(viaReplica.AccessToken)); err == nil {
		t.Error("the deleted replica's issuer still verifies its token")
	}
	_, err = e.signIn(e.replica, clientID)
	wantCode(t, err, "ResourceNotFoundException")
	if _, err := e.primary.GetUser(ctx, &cip.GetUserInput{AccessToken: viaPrimary.AccessToken}); err != nil {
		t.Errorf("primary token after the replica's deletion: %v", err)
	}
}

// TestSDK_UserPoolReplicaIssuer reads a replica's issuer before it signs
// anyone in (its keys are made by the JWKS request), then verifies the
// region's first tokens with those keys; a region without a replica has
// no issuer.
func TestSDK_UserPoolReplicaIssuer(t *testing.T) {
	e := newReplicaEnv(t)
	ctx := context.Background()
	poolID, clientID := e.poolWithUser()
	if _, err := e.primary.CreateUserPoolReplica(ctx, &cip.CreateUserPoolReplicaInput{UserPoolId: &poolID, RegionName: aws.String("ap-southeast-2")}); err != nil {
		t.Fatal(err)
	}
	iss := "https://cognito-idp.ap-southeast-2.amazonaws.com/" + poolID
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, e.hc), iss)
	if err != nil {
		t.Fatalf("discovery of the replica issuer: %v", err)
	}
	var doc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := p.Claims(&doc); err != nil || doc.JWKSURI != iss+"/.well-known/jwks.json" {
		t.Errorf("jwks_uri = %q, %v", doc.JWKSURI, err)
	}
	replica := cip.NewFromConfig(sdkConfig(e.hc, "AKIDEXAMPLE", "secret", "ap-southeast-2"))
	res, err := e.signIn(replica, clientID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Verifier(&oidc.Config{ClientID: clientID}).Verify(oidc.ClientContext(ctx, e.hc), aws.ToString(res.IdToken)); err != nil {
		t.Errorf("verify the replica's ID token: %v", err)
	}

	for _, path := range []string{"/.well-known/jwks.json", "/.well-known/openid-configuration"} {
		resp, err := e.hc.Get("https://cognito-idp.sa-east-1.amazonaws.com/" + poolID + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s in a region without a replica: %d, want 404", path, resp.StatusCode)
		}
	}
}
