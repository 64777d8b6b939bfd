package emulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ccql/ccql/emulator"
	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/cloudcontrol"
)

// TestSDK_AuthEvents drives threat protection and the auth-event
// operations with aws-sdk-go-v2 over a real listener: the emulator sees
// the client's loopback address, a risky sign-in (the emulator-only
// X-Ccql-Risk-Level header) is blocked and notified, the notification's
// token gives feedback through the anonymous UpdateAuthEventFeedback, and
// AdminListUserAuthEvents pages newest first.
func TestSDK_AuthEvents(t *testing.T) {
	s, err := emulator.NewServer(emulator.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	hc := listenerClient(t, 30*time.Second)
	e := newUsersEnv(t, s, hc, nil)
	anon := cip.NewFromConfig(aws.Config{Region: "us-east-1", HTTPClient: cloudcontrol.BufferBodies(hc), RetryMaxAttempts: 1, Credentials: aws.AnonymousCredentials{}},
		func(o *cip.Options) { o.BaseEndpoint = aws.String(s.URL()) })
	ctx := context.Background()

	plain := e.pool(&cip.CreateUserPoolInput{PoolName: aws.String("plain")})
	if _, err := e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(plain), Username: aws.String("alice"),
		MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	_, err = e.idp.AdminListUserAuthEvents(ctx, &cip.AdminListUserAuthEventsInput{UserPoolId: aws.String(plain), Username: aws.String("alice")})
	wantAPIError(t, err, "UserPoolAddOnNotEnabledException", "Advanced security features are not enabled for this user pool.")

	pool := e.pool(&cip.CreateUserPoolInput{PoolName: aws.String("guarded"), UserPoolTier: types.UserPoolTierTypePlus,
		UserPoolAddOns: &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeEnforced}})
	c, err := e.idp.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	if err != nil {
		t.Fatal(err)
	}
	clientID := c.UserPoolClient.ClientId
	if _, err := e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("alice"),
		MessageAction: types.MessageActionTypeSuppress, UserAttributes: []types.AttributeType{attr("email", "alice@example.com")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.idp.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("alice"),
		Password: aws.String("Str0ng-and-unlisted"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.idp.SetRiskConfiguration(ctx, &cip.SetRiskConfigurationInput{UserPoolId: aws.String(pool),
		AccountTakeoverRiskConfiguration: &types.AccountTakeoverRiskConfigurationType{
			Actions:             &types.AccountTakeoverActionsType{HighAction: &types.AccountTakeoverActionType{EventAction: types.AccountTakeoverEventActionTypeBlock, Notify: true}},
			NotifyConfiguration: &types.NotifyConfigurationType{SourceArn: aws.String("arn:aws:ses:us-east-1:123456789012:identity/example.com")}},
	}); err != nil {
		t.Fatal(err)
	}
	const logGroup = "arn:aws:logs:us-east-1:123456789012:log-group:cognito-events"
	if _, err := e.idp.SetLogDeliveryConfiguration(ctx, &cip.SetLogDeliveryConfigurationInput{UserPoolId: aws.String(pool),
		LogConfigurations: []types.LogConfigurationType{{EventSource: types.EventSourceNameUserAuthEvents, LogLevel: types.LogLevelInfo,
			CloudWatchLogsConfiguration: &types.CloudWatchLogsConfigurationType{LogGroupArn: aws.String(logGroup)}}}}); err != nil {
		t.Fatal(err)
	}
	signIn := func(opts ...func(*cip.Options)) error {
		_, err := anon.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Str0ng-and-unlisted"}}, opts...)
		return err
	}
	if err := signIn(); err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	wantAPIError(t, signIn(cip.WithAPIOptions(smithyhttp.AddHeaderValue("X-Ccql-Risk-Level", "HIGH"))),
		"NotAuthorizedException", "Unable to login because of security reasons.")

	var events []types.AuthEventType
	pages := cip.NewAdminListUserAuthEventsPaginator(e.idp, &cip.AdminListUserAuthEventsInput{UserPoolId: aws.String(pool),
		Username: aws.String("alice"), MaxResults: aws.Int32(1)})
	for pages.HasMorePages() {
		p, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.AuthEvents) != 1 {
			t.Fatalf("a page of MaxResults 1 has %d events", len(p.AuthEvents))
		}
		events = append(events, p.AuthEvents...)
	}
	if len(events) != 2 {
		t.Fatalf("events = %+v", events)
	}
	risky, calm := events[0], events[1]
	if risky.EventType != types.EventTypeSignIn || risky.EventResponse != types.EventResponseTypeFail ||
		risky.EventRisk.RiskDecision != types.RiskDecisionTypeBlock || risky.EventRisk.RiskLevel != types.RiskLevelTypeHigh {
		t.Errorf("risky event = %+v %+v", risky, risky.EventRisk)
	}
	if calm.EventResponse != types.EventResponseTypePass || calm.EventRisk.RiskDecision != types.RiskDecisionTypeNoRisk ||
		len(calm.ChallengeResponses) != 1 || calm.ChallengeResponses[0].ChallengeName != types.ChallengeNamePassword ||
		calm.ChallengeResponses[0].ChallengeResponse != types.ChallengeResponseSuccess {
		t.Errorf("calm event = %+v %+v", calm, calm.EventRisk)
	}
	if ip := aws.ToString(calm.EventContextData.IpAddress); ip != "127.0.0.1" {
		t.Errorf("IpAddress = %q, want the client's loopback address", ip)
	}
	if calm.CreationDate == nil || time.Since(*calm.CreationDate) > time.Hour {
		t.Errorf("CreationDate = %v", calm.CreationDate)
	}

	// The log delivery: one JSON line per event, at the logs endpoint.
	resp, err := hc.Get(s.URL() + emulator.LogsPath + "?userPoolId=" + pool)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("GET logs: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var lines []cognito.LogRecord
	for dec := json.NewDecoder(resp.Body); dec.More(); {
		var l cognito.LogRecord
		if err := dec.Decode(&l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	if len(lines) != 2 {
		t.Fatalf("log lines = %+v", lines)
	}
	for i, l := range lines {
		var m struct{ EventId, EventType, Username, ClientId string }
		if err := json.Unmarshal(l.Message, &m); err != nil {
			t.Fatal(err)
		}
		if l.Sequence != i+1 || l.EventSource != "userAuthEvents" || l.Destination != logGroup || m.EventType != "SignIn" ||
			m.Username != "alice" || m.ClientId != aws.ToString(clientID) || m.EventId != aws.ToString(events[1-i].EventId) {
			t.Errorf("log line %d = %+v %+v", i, l, m)
		}
	}

	// Paged: limit and after (the last record's sequence).
	for _, tc := range []struct {
		query  string
		status int
		seqs   []int
	}{
		{"&limit=1", http.StatusOK, []int{1}},
		{"&limit=1&after=1", http.StatusOK, []int{2}},
		{"&after=1", http.StatusOK, []int{2}},
		{"&limit=5&after=2", http.StatusOK, nil},
		{"&limit=0", http.StatusBadRequest, nil},
		{"&after=-1", http.StatusBadRequest, nil},
	} {
		resp, err := hc.Get(s.URL() + emulator.LogsPath + "?userPoolId=" + pool + tc.query)
		if err != nil {
			t.Fatal(err)
		}
		var seqs []int
		for dec := json.NewDecoder(resp.Body); resp.StatusCode == http.StatusOK && dec.More(); {
			var l cognito.LogRecord
			if err := dec.Decode(&l); err != nil {
				t.Fatal(err)
			}
			seqs = append(seqs, l.Sequence)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status || !slices.Equal(seqs, tc.seqs) {
			t.Errorf("GET logs%s: %d with sequences %v, want %d with %v", tc.query, resp.StatusCode, seqs, tc.status, tc.seqs)
		}
	}

	// The notification's token, on the anonymous operation.
	var note *cognito.Message
	for _, m := range e.messages(pool, "alice") {
		if m.Kind == cognito.MessageRiskNotification {
			note = &m
		}
	}
	if note == nil || note.Destination != "alice@example.com" || note.Code == "" {
		t.Fatalf("no risk notification in the outbox: %+v", e.messages(pool, "alice"))
	}
	_, err = anon.UpdateAuthEventFeedback(ctx, &cip.UpdateAuthEventFeedbackInput{UserPoolId: aws.String(pool), Username: aws.String("alice"),
		EventId: calm.EventId, FeedbackToken: aws.String(note.Code), FeedbackValue: types.FeedbackValueTypeValid})
	wantAPIError(t, err, "NotAuthorizedException", "Invalid feedback token.")
	if _, err := anon.UpdateAuthEventFeedback(ctx, &cip.UpdateAuthEventFeedbackInput{UserPoolId: aws.String(pool), Username: aws.String("alice"),
		EventId: risky.EventId, FeedbackToken: aws.String(note.Code), FeedbackValue: types.FeedbackValueTypeInvalid}); err != nil {
		t.Fatalf("UpdateAuthEventFeedback: %v", err)
	}
	if _, err := e.idp.AdminUpdateAuthEventFeedback(ctx, &cip.AdminUpdateAuthEventFeedbackInput{UserPoolId: aws.String(pool), Username: aws.String("alice"),
		EventId: calm.EventId, FeedbackValue: types.FeedbackValueTypeValid}); err != nil {
		t.Fatalf("AdminUpdateAuthEventFeedback: %v", err)
	}
	out, err := e.idp.AdminListUserAuthEvents(ctx, &cip.AdminListUserAuthEventsInput{UserPoolId: aws.String(pool), Username: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if fb := out.AuthEvents[0].EventFeedback; fb == nil || fb.FeedbackValue != types.FeedbackValueTypeInvalid {
		t.Errorf("feedback on the risky event = %+v", fb)
	}
	if fb := out.AuthEvents[1].EventFeedback; fb == nil || fb.FeedbackValue != types.FeedbackValueTypeValid || aws.ToString(fb.Provider) != "Admin" {
		t.Errorf("feedback on the calm event = %+v", fb)
	}
}
