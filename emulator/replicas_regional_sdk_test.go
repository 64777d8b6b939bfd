package emulator_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	cctypes "github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	smithyauth "github.com/aws/smithy-go/auth"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/ccql/ccql/emulator"
	"github.com/coreos/go-oidc/v3/oidc"
)

// signAll makes the SDK sign every operation with SigV4, the anonymous
// ones (InitiateAuth, SignUp, …) too, as a caller with IAM credentials may.
type signAll struct{}

func (signAll) ResolveAuthSchemes(_ context.Context, p *cip.AuthResolverParameters) ([]*smithyauth.Option, error) {
	var props smithy.Properties
	smithyhttp.SetSigV4SigningName(&props, "cognito-idp")
	smithyhttp.SetSigV4SigningRegion(&props, p.Region)
	return []*smithyauth.Option{{SchemeID: smithyauth.SchemeIDSigV4, SignerProperties: props}}, nil
}

// signedLocal is an IdP client of region that sends every call signed to
// the emulator's own address: only the signature names the region.
func signedLocal(s *emulator.Server, region string) *cip.Client {
	hc := &http.Client{Timeout: 30 * time.Second}
	return cip.NewFromConfig(sdkConfig(hc, "AKIDEXAMPLE", "secret", region), func(o *cip.Options) {
		o.BaseEndpoint = aws.String(s.URL())
		o.AuthSchemeResolver = signAll{}
	})
}

// TestSDK_ReplicaClientOnlyCalls sends the client operations, which name
// only an app client, signed to a local address in the replica region:
// the client is found in the primary's partition and the call is served
// as the replica's (its issuer and keys, its status).
func TestSDK_ReplicaClientOnlyCalls(t *testing.T) {
	e := newReplicaEnv(t)
	ctx := context.Background()
	poolID, clientID := e.poolWithUser()
	replica := signedLocal(e.s, "eu-west-1")

	_, err := e.signIn(replica, clientID)
	wantCode(t, err, "ResourceNotFoundException") // no replica yet
	if _, err := e.primary.CreateUserPoolReplica(ctx, &cip.CreateUserPoolReplicaInput{UserPoolId: &poolID, RegionName: aws.String("eu-west-1")}); err != nil {
		t.Fatal(err)
	}
	res, err := e.signIn(replica, clientID)
	if err != nil {
		t.Fatalf("signed InitiateAuth in the replica region: %v", err)
	}
	replicaIss := "https://cognito-idp.eu-west-1.amazonaws.com/" + poolID
	if err := e.verify(replicaIss, aws.ToString(res.IdToken)); err != nil {
		t.Errorf("the replica's token against the replica's issuer: %v", err)
	}
	if err := e.verify("https://cognito-idp.us-east-1.amazonaws.com/"+poolID, aws.ToString(res.IdToken)); err == nil {
		t.Error("the replica's token verifies against the primary's issuer")
	}
	// Refresh through the replica region: the replica's issuer again.
	ref, err := replica.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(res.RefreshToken)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.verify(replicaIss, aws.ToString(ref.AuthenticationResult.AccessToken)); err != nil {
		t.Errorf("refreshed token against the replica's issuer: %v", err)
	}

	// Operations that create users or change them are the primary's.
	writes := []struct {
		name string
		call func() error
	}{
		{"SignUp", func() error {
			_, err := replica.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("bob"), Password: aws.String("Passw0rd!")})
			return err
		}},
		{"ForgotPassword", func() error {
			_, err := replica.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: aws.String("alice")})
			return err
		}},
		{"ConfirmSignUp", func() error {
			_, err := replica.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, Username: aws.String("alice"), ConfirmationCode: aws.String("123456")})
			return err
		}},
		{"ResendConfirmationCode", func() error {
			_, err := replica.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &clientID, Username: aws.String("alice")})
			return err
		}},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) { wantCode(t, w.call(), "OperationNotEnabledException") })
	}

	// INACTIVE: refused; deleted: the client does not exist in the region.
	if _, err := e.primary.UpdateUserPoolReplica(ctx, &cip.UpdateUserPoolReplicaInput{UserPoolId: &poolID, RegionName: aws.String("eu-west-1"), Status: types.UpdateReplicaStatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	_, err = e.signIn(replica, clientID)
	wantCode(t, err, "OperationNotEnabledException")
	if _, err := e.primary.DeleteUserPoolReplica(ctx, &cip.DeleteUserPoolReplicaInput{UserPoolId: &poolID, RegionName: aws.String("eu-west-1")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.signIn(replica, clientID)
	wantCode(t, err, "ResourceNotFoundException")
	// The primary region, signed by a local address too, is unaffected.
	if _, err := e.signIn(signedLocal(e.s, "us-east-1"), clientID); err != nil {
		t.Errorf("signed sign-in in the primary region: %v", err)
	}
}

// attachRegional creates the pool's regional configuration attachment in
// region through Cloud Control.
func (e *replicaEnv) attachRegional(region string, desired map[string]any) {
	t := e.t
	c := cc.NewFromConfig(sdkConfig(e.hc, "AKIDEXAMPLE", "secret", region))
	state, _ := json.Marshal(desired)
	out, err := c.CreateResource(context.Background(), &cc.CreateResourceInput{
		TypeName: aws.String("AWS::Cognito::UserPoolRegionalConfigurationAttachment"), DesiredState: aws.String(string(state))})
	if err != nil {
		t.Fatal(err)
	}
	if ev := waitFor(t, c, out.ProgressEvent.RequestToken); ev.OperationStatus != cctypes.OperationStatusSuccess {
		t.Fatalf("attachment: %+v", ev)
	}
}

// TestSDK_ReplicaRegionalSettings checks that a replica region works with
// its own EmailConfiguration, SmsConfiguration and LambdaConfig: the codes
// of a sign-in in the region go out from the replica's sender, the
// primary's from the primary's, and DescribeUserPool in the region shows
// the replica's settings.
func TestSDK_ReplicaRegionalSettings(t *testing.T) {
	e := newReplicaEnv(t)
	ctx := context.Background()
	const (
		primaryRole = "arn:aws:iam::000000000000:role/primary-sns"
		replicaRole = "arn:aws:iam::000000000000:role/replica-sns"
		primarySES  = "arn:aws:ses:us-east-1:000000000000:identity/primary@example.com"
		replicaSES  = "arn:aws:ses:eu-west-1:000000000000:identity/replica@example.com"
		replicaFn   = "arn:aws:lambda:eu-west-1:000000000000:function:replica-pre-token"
	)
	pool, err := e.primary.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("mrr-settings"),
		EmailConfiguration: &types.EmailConfigurationType{EmailSendingAccount: types.EmailSendingAccountTypeDeveloper, SourceArn: aws.String(primarySES)}})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	if _, err := e.primary.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &poolID, MfaConfiguration: types.UserPoolMfaTypeOptional,
		SmsMfaConfiguration:   &types.SmsMfaConfigType{SmsConfiguration: &types.SmsConfigurationType{SnsCallerArn: aws.String(primaryRole), SnsRegion: aws.String("us-east-1")}},
		EmailMfaConfiguration: &types.EmailMfaConfigType{}}); err != nil {
		t.Fatal(err)
	}
	cl, err := e.primary.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	clientID := aws.ToString(cl.UserPoolClient.ClientId)
	users := map[string]*types.SMSMfaSettingsType{"sms-user": {Enabled: true, PreferredMfa: true}, "mail-user": nil}
	for name, sms := range users {
		if _, err := e.primary.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String(name), MessageAction: types.MessageActionTypeSuppress,
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}, {Name: aws.String("email_verified"), Value: aws.String("true")},
				{Name: aws.String("phone_number"), Value: aws.String("+15555550100")}, {Name: aws.String("phone_number_verified"), Value: aws.String("true")}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.primary.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: aws.String(name), Password: aws.String("Passw0rd!"), Permanent: true}); err != nil {
			t.Fatal(err)
		}
		pref := &cip.AdminSetUserMFAPreferenceInput{UserPoolId: &poolID, Username: aws.String(name), SMSMfaSettings: sms}
		if sms == nil {
			pref.EmailMfaSettings = &types.EmailMfaSettingsType{Enabled: true, PreferredMfa: true}
		}
		if _, err := e.primary.AdminSetUserMFAPreference(ctx, pref); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.primary.CreateUserPoolReplica(ctx, &cip.CreateUserPoolReplicaInput{UserPoolId: &poolID, RegionName: aws.String("eu-west-1")}); err != nil {
		t.Fatal(err)
	}
	e.attachRegional("eu-west-1", map[string]any{"UserPoolId": poolID,
		"EmailConfiguration": map[string]any{"EmailSendingAccount": "DEVELOPER", "SourceArn": replicaSES, "From": "Replica <replica@example.com>"},
		"SmsConfiguration":   map[string]any{"SnsCallerArn": replicaRole, "SnsRegion": "eu-west-1"},
		"LambdaConfig":       map[string]any{"PreTokenGeneration": replicaFn}})

	// lastMessage signs user in through c and returns the code message.
	lastMessage := func(c *cip.Client, user string) emulator.CognitoMessage {
		t.Helper()
		out, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": "Passw0rd!"}})
		if err != nil {
			t.Fatal(err)
		}
		if out.ChallengeName != types.ChallengeNameTypeSmsMfa && out.ChallengeName != types.ChallengeNameTypeEmailOtp {
			t.Fatalf("challenge = %q", out.ChallengeName)
		}
		msgs, err := e.s.CognitoMessages(ctx, "", poolID, user)
		if err != nil || len(msgs) == 0 {
			t.Fatalf("messages = %v, %v", msgs, err)
		}
		return msgs[len(msgs)-1]
	}
	tests := []struct {
		name, user                            string
		client                                *cip.Client
		region, from, source, caller, snsRegn string
	}{
		{"e-mail, primary", "mail-user", e.primary, "us-east-1", "primary@example.com", primarySES, "", ""},
		{"e-mail, replica", "mail-user", e.replica, "eu-west-1", "Replica <replica@example.com>", replicaSES, "", ""},
		{"SMS, primary", "sms-user", e.primary, "us-east-1", "", "", primaryRole, "us-east-1"},
		{"SMS, replica", "sms-user", e.replica, "eu-west-1", "", "", replicaRole, "eu-west-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := lastMessage(tc.client, tc.user)
			if m.Region != tc.region || m.From != tc.from || m.SourceArn != tc.source || m.SnsCallerArn != tc.caller || m.SnsRegion != tc.snsRegn {
				t.Errorf("message = %+v", m)
			}
		})
	}

	// The challenge answered by a signed RespondToAuthChallenge, which
	// names only the client, in the replica region: the replica's tokens.
	signed := signedLocal(e.s, "eu-west-1")
	ch, err := signed.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "sms-user", "PASSWORD": "Passw0rd!"}})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := e.s.CognitoMessages(ctx, "", poolID, "sms-user")
	if err != nil || len(msgs) == 0 || msgs[len(msgs)-1].SnsCallerArn != replicaRole {
		t.Fatalf("messages = %+v, %v", msgs, err)
	}
	done, err := signed.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &clientID, ChallengeName: ch.ChallengeName, Session: ch.Session,
		ChallengeResponses: map[string]string{"USERNAME": "sms-user", "SMS_MFA_CODE": msgs[len(msgs)-1].Code}})
	if err != nil {
		t.Fatalf("signed RespondToAuthChallenge in the replica region: %v", err)
	}
	if err := e.verify("https://cognito-idp.eu-west-1.amazonaws.com/"+poolID, aws.ToString(done.AuthenticationResult.IdToken)); err != nil {
		t.Errorf("token of the replica's challenge: %v", err)
	}

	// DescribeUserPool: each region's own settings, tags and ARN.
	rd, err := e.replica.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	if err != nil {
		t.Fatal(err)
	}
	if p := rd.UserPool; aws.ToString(p.LambdaConfig.PreTokenGeneration) != replicaFn || aws.ToString(p.EmailConfiguration.SourceArn) != replicaSES ||
		aws.ToString(p.SmsConfiguration.SnsCallerArn) != replicaRole || aws.ToString(p.Arn) != "arn:aws:cognito-idp:eu-west-1:000000000000:userpool/"+poolID {
		t.Errorf("replica's DescribeUserPool = %+v", p)
	}
	pd, err := e.primary.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	if err != nil {
		t.Fatal(err)
	}
	if p := pd.UserPool; p.LambdaConfig != nil && p.LambdaConfig.PreTokenGeneration != nil || aws.ToString(p.EmailConfiguration.SourceArn) != primarySES ||
		aws.ToString(p.SmsConfiguration.SnsCallerArn) != primaryRole {
		t.Errorf("primary's DescribeUserPool = %+v", p)
	}
}

var (
	loginForm   = regexp.MustCompile(`<form[^>]*action="([^"]*)"`)
	hiddenField = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// browser is a cookie-keeping client of AWS's host names that stops at
// redirects out of Cognito (to the app).
func (e *replicaEnv) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Transport: e.hc.Transport, Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			if !strings.HasSuffix(req.URL.Hostname(), ".amazoncognito.com") && !strings.HasSuffix(req.URL.Hostname(), ".amazonaws.com") {
				return http.ErrUseLastResponse
			}
			return nil
		}}
}

// codeFlow signs alice in at domain (the base of the domain endpoints)
// with the authorization code grant and returns the token response.
func codeFlow(t *testing.T, b *http.Client, domain, clientID string) map[string]any {
	t.Helper()
	q := url.Values{"client_id": {clientID}, "response_type": {"code"}, "redirect_uri": {"https://app.example.com/cb"}, "scope": {"openid"}, "state": {"s"}}
	resp, err := b.Get(domain + "/oauth2/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := html.UnescapeString(string(body))
	m := loginForm.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("authorize at %s: %d\n%s", domain, resp.StatusCode, page)
	}
	form := url.Values{"username": {"alice"}, "password": {"Passw0rd!"}}
	for _, h := range hiddenField.FindAllStringSubmatch(page, -1) {
		form.Set(h[1], h[2])
	}
	base, _ := url.Parse(domain) // resp.Request is the transport's, at the emulator's address
	action, _ := base.Parse(m[1])
	resp, err = b.PostForm(action.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("code") == "" {
		t.Fatalf("login at %s (%s): %d %s", domain, action, resp.StatusCode, loc)
	}
	resp, err = b.PostForm(domain+"/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID},
		"code": {loc.Query().Get("code")}, "redirect_uri": {"https://app.example.com/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var toks map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&toks); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("token at %s: %d %v %v", domain, resp.StatusCode, toks, err)
	}
	return toks
}

// TestSDK_ReplicaDomainEndpoints signs in through the hosted UI and the
// token endpoint of a replica region, at its prefix-domain host and under
// its issuer: the tokens carry the replica's issuer, verify against the
// replica's JWKS (found through its discovery document, which names the
// region's endpoints) and not against the primary's.
func TestSDK_ReplicaDomainEndpoints(t *testing.T) {
	e := newReplicaEnv(t)
	ctx := context.Background()
	poolID, _ := e.poolWithUser()
	if _, err := e.primary.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("mrr-demo")}); err != nil {
		t.Fatal(err)
	}
	cl, err := e.primary.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("web"),
		AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode}, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthScopes: []string{"openid"},
		CallbackURLs: []string{"https://app.example.com/cb"}, SupportedIdentityProviders: []string{"COGNITO"}})
	if err != nil {
		t.Fatal(err)
	}
	clientID := aws.ToString(cl.UserPoolClient.ClientId)
	if _, err := e.primary.CreateUserPoolReplica(ctx, &cip.CreateUserPoolReplicaInput{UserPoolId: &poolID, RegionName: aws.String("eu-west-1")}); err != nil {
		t.Fatal(err)
	}
	primaryIss := "https://cognito-idp.us-east-1.amazonaws.com/" + poolID
	replicaIss := "https://cognito-idp.eu-west-1.amazonaws.com/" + poolID
	replicaDomain := "https://mrr-demo.auth.eu-west-1.amazoncognito.com"

	// The replica's discovery document names the replica's endpoints.
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, e.hc), replicaIss)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Token    string `json:"token_endpoint"`
		UserInfo string `json:"userinfo_endpoint"`
		JWKS     string `json:"jwks_uri"`
	}
	if err := p.Claims(&doc); err != nil || doc.Token != replicaDomain+"/oauth2/token" || doc.UserInfo != replicaDomain+"/oauth2/userInfo" || doc.JWKS != replicaIss+"/.well-known/jwks.json" {
		t.Errorf("replica discovery = %+v, %v", doc, err)
	}

	tests := []struct{ name, base, iss string }{
		{"replica prefix domain", replicaDomain, replicaIss},
		{"replica issuer path", replicaIss, replicaIss},
		{"primary prefix domain", "https://mrr-demo.auth.us-east-1.amazoncognito.com", primaryIss},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			toks := codeFlow(t, e.browser(), tc.base, clientID)
			id, _ := toks["id_token"].(string)
			access, _ := toks["access_token"].(string)
			other := primaryIss
			if tc.iss == primaryIss {
				other = replicaIss
			}
			if err := e.verify(tc.iss, id); err != nil {
				t.Errorf("ID token against %s: %v", tc.iss, err)
			}
			if err := e.verify(other, id); err == nil {
				t.Errorf("ID token verifies against %s too", other)
			}
			// userInfo of the same region, by the discovery's endpoint.
			req, _ := http.NewRequest(http.MethodGet, tc.base+"/oauth2/userInfo", nil)
			req.Header.Set("Authorization", "Bearer "+access)
			resp, err := e.hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var info map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&info)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || info["username"] != "alice" {
				t.Errorf("userInfo: %d %v", resp.StatusCode, info)
			}
			// The refresh grant keeps the region's issuer.
			resp, err = e.hc.PostForm(tc.base+"/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "refresh_token": {toks["refresh_token"].(string)}})
			if err != nil {
				t.Fatal(err)
			}
			var ref map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&ref)
			resp.Body.Close()
			if err := e.verify(tc.iss, ref["id_token"].(string)); err != nil {
				t.Errorf("refreshed ID token against %s: %v", tc.iss, err)
			}
		})
	}

	// The hosted UI's sign-up runs SignUp, which a replica region refuses
	// and the primary serves.
	signUp := func(base, user string) (int, string) {
		q := url.Values{"client_id": {clientID}, "response_type": {"code"}, "redirect_uri": {"https://app.example.com/cb"}}
		resp, err := e.browser().PostForm(base+"/signup?"+q.Encode(), url.Values{"username": {user}, "password": {"Passw0rd!"}, "email": {user + "@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, html.UnescapeString(string(b))
	}
	if code, body := signUp(replicaDomain, "carol"); code != http.StatusBadRequest || !strings.Contains(body, "SignUp is not available in eu-west-1") {
		t.Errorf("sign-up page of the replica region: %d\n%s", code, body)
	}
	if code, body := signUp("https://mrr-demo.auth.us-east-1.amazoncognito.com", "dave"); code != http.StatusOK {
		t.Errorf("sign-up page of the primary region: %d\n%s", code, body)
	}

	// An INACTIVE replica, and a region without one, serve no domain.
	if _, err := e.primary.UpdateUserPoolReplica(ctx, &cip.UpdateUserPoolReplicaInput{UserPoolId: &poolID, RegionName: aws.String("eu-west-1"), Status: types.UpdateReplicaStatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{replicaDomain, replicaIss, "https://mrr-demo.auth.eu-central-1.amazoncognito.com"} {
		resp, err := e.hc.PostForm(base+"/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID}, "code": {"x"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("token at %s: %d, want 404", base, resp.StatusCode)
		}
	}
	// An INACTIVE replica still publishes its keys.
	if _, err := oidc.NewProvider(oidc.ClientContext(ctx, e.hc), replicaIss); err != nil {
		t.Errorf("INACTIVE replica's discovery: %v", err)
	}
}
