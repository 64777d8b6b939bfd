package cognito

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ccql/ccql/emulator/internal/totp"
)

// eventsFixture is a signinFixture whose operations are the wrapped ones
// (Operations), with a pool whose threat protection is mode.
type eventsFixture struct {
	*signinFixture
	ops map[string]Operation
}

func newEventsFixture(t *testing.T, mode string, pool map[string]any) *eventsFixture {
	t.Helper()
	settings := map[string]any{"UserPoolTier": "PLUS"}
	if mode != "" {
		settings["UserPoolAddOns"] = map[string]any{"AdvancedSecurityMode": mode}
	}
	for k, v := range pool {
		settings[k] = v
	}
	f := newSigninFixture(t, settings, clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	ef := &eventsFixture{signinFixture: f, ops: Operations()}
	ef.from("192.0.2.10", "")
	return ef
}

// from makes the next calls come from ip, with the risk hook header when
// level is set.
func (f *eventsFixture) from(ip, level string) {
	r := httptest.NewRequest("POST", "http://localhost/", nil)
	r.RemoteAddr = ip + ":43210"
	r.Header.Set("User-Agent", "events-test/1.0")
	if level != "" {
		r.Header.Set(riskLevelHeader, level)
	}
	f.ctx = WithRequest(context.Background(), NewRuntime(""), r)
}

func (f *eventsFixture) op(name string, body map[string]any) (map[string]any, error) {
	f.t.Helper()
	return f.call(f.ops[name], body)
}

func (f *eventsFixture) setRisk(conf map[string]any) {
	f.t.Helper()
	conf["UserPoolId"] = f.cfg.ID
	if _, err := f.op("SetRiskConfiguration", conf); err != nil {
		f.t.Fatalf("SetRiskConfiguration: %v", err)
	}
}

func (f *eventsFixture) signIn(name, password string) (map[string]any, error) {
	return f.op("InitiateAuth", map[string]any{"ClientId": f.client.ClientId, "AuthFlow": flowUserPassword,
		"AuthParameters": map[string]string{"USERNAME": name, "PASSWORD": password}})
}

// events lists the user's events through AdminListUserAuthEvents.
func (f *eventsFixture) events(name string) []authEvent {
	f.t.Helper()
	m, err := f.op("AdminListUserAuthEvents", map[string]any{"UserPoolId": f.cfg.ID, "Username": name})
	if err != nil {
		f.t.Fatalf("AdminListUserAuthEvents: %v", err)
	}
	raw, _ := json.Marshal(m["AuthEvents"])
	var out []authEvent
	if err := json.Unmarshal(raw, &out); err != nil {
		f.t.Fatal(err)
	}
	return out
}

func challengeSummary(e authEvent) string {
	var parts []string
	for _, c := range e.ChallengeResponses {
		parts = append(parts, c.ChallengeName+":"+c.ChallengeResponse)
	}
	return strings.Join(parts, ",")
}

// TestAuthEvents_RiskDecisions: one sign-in with USER_PASSWORD_AUTH under
// each mode and risk configuration, and the event and answer it gives.
func TestAuthEvents_RiskDecisions(t *testing.T) {
	const good, breached = "Str0ng-and-unlisted", "Passw0rd!"
	blocked := map[string]any{"RiskExceptionConfiguration": map[string]any{"BlockedIPRangeList": []string{"192.0.2.0/24"}}}
	compromised := func(action string, filter ...string) map[string]any {
		c := map[string]any{"Actions": map[string]any{"EventAction": action}}
		if len(filter) > 0 {
			c["EventFilter"] = filter
		}
		return map[string]any{"CompromisedCredentialsRiskConfiguration": c}
	}
	takeover := func(level, action string) map[string]any {
		return map[string]any{"AccountTakeoverRiskConfiguration": map[string]any{"Actions": map[string]any{
			level: map[string]any{"EventAction": action, "Notify": false}}}}
	}
	tests := []struct {
		name       string
		mode       string
		risk       map[string]any
		password   string // the user's password, presented at sign-in
		wrong      bool   // present a wrong password instead
		level      string // the risk hook
		wantErr    string // "" for a sign-in that passes
		response   string
		decision   string
		riskLevel  string
		breach     bool
		challenges string
		status     string // user status after
	}{
		{name: "audit, no risk", mode: securityAudit, password: good, response: responsePass, decision: decisionNoRisk, riskLevel: "Low", challenges: "Password:Success", status: statusConfirmed},
		{name: "wrong password", mode: securityEnforced, password: good, wrong: true, wantErr: msgIncorrectPassword, response: responseFail, decision: decisionNoRisk, riskLevel: "Low", challenges: "Password:Failure", status: statusConfirmed},
		{name: "blocked IP", mode: securityEnforced, risk: blocked, password: good, wantErr: msgSecurityBlocked, response: responseFail, decision: decisionBlock, riskLevel: "Low", status: statusConfirmed},
		{name: "blocked IP in audit", mode: securityAudit, risk: blocked, password: good, response: responsePass, decision: decisionBlock, riskLevel: "Low", challenges: "Password:Success", status: statusConfirmed},
		{name: "compromised, block", mode: securityEnforced, risk: compromised("BLOCK"), password: breached, wantErr: msgSecurityBlocked, response: responseFail, decision: decisionBlock, riskLevel: "Low", breach: true, challenges: "Password:Success", status: statusResetRequired},
		{name: "compromised, no action", mode: securityEnforced, risk: compromised("NO_ACTION"), password: breached, response: responsePass, decision: decisionNoRisk, riskLevel: "Low", breach: true, challenges: "Password:Success", status: statusConfirmed},
		{name: "compromised, sign-up only", mode: securityEnforced, risk: compromised("BLOCK", "SIGN_UP"), password: breached, response: responsePass, decision: decisionNoRisk, riskLevel: "Low", challenges: "Password:Success", status: statusConfirmed},
		{name: "compromised in audit", mode: securityAudit, risk: compromised("BLOCK"), password: breached, response: responsePass, decision: decisionNoRisk, riskLevel: "Low", breach: true, challenges: "Password:Success", status: statusConfirmed},
		{name: "compromised, skipped IP", mode: securityEnforced, risk: map[string]any{
			"CompromisedCredentialsRiskConfiguration": map[string]any{"Actions": map[string]any{"EventAction": "BLOCK"}},
			"RiskExceptionConfiguration":              map[string]any{"SkippedIPRangeList": []string{"192.0.2.10/32"}}},
			password: breached, response: responsePass, decision: decisionNoRisk, riskLevel: "Low", challenges: "Password:Success", status: statusConfirmed},
		{name: "compromised, not the password", mode: securityEnforced, risk: compromised("BLOCK"), password: good, response: responsePass, decision: decisionNoRisk, riskLevel: "Low", challenges: "Password:Success", status: statusConfirmed},
		{name: "high risk, block", mode: securityEnforced, risk: takeover("HighAction", "BLOCK"), password: good, level: "HIGH", wantErr: msgSecurityBlocked, response: responseFail, decision: decisionBlock, riskLevel: "High", challenges: "Password:Success", status: statusConfirmed},
		{name: "high risk action, no risk raised", mode: securityEnforced, risk: takeover("HighAction", "BLOCK"), password: good, response: responsePass, decision: decisionNoRisk, riskLevel: "Low", challenges: "Password:Success", status: statusConfirmed},
		{name: "high risk in audit", mode: securityAudit, risk: takeover("HighAction", "BLOCK"), password: good, level: "high", response: responsePass, decision: decisionTakeover, riskLevel: "High", challenges: "Password:Success", status: statusConfirmed},
		{name: "medium risk, no action", mode: securityEnforced, risk: takeover("MediumAction", "NO_ACTION"), password: good, level: "MEDIUM", response: responsePass, decision: decisionTakeover, riskLevel: "Medium", challenges: "Password:Success", status: statusConfirmed},
		{name: "low risk, MFA required without MFA", mode: securityEnforced, risk: takeover("LowAction", "MFA_REQUIRED"), password: good, level: "LOW", wantErr: msgSecurityBlocked, response: responseFail, decision: decisionBlock, riskLevel: "Low", challenges: "Password:Success", status: statusConfirmed},
		{name: "low risk, MFA if configured without MFA", mode: securityEnforced, risk: takeover("LowAction", "MFA_IF_CONFIGURED"), password: good, level: "LOW", response: responsePass, decision: decisionTakeover, riskLevel: "Low", challenges: "Password:Success", status: statusConfirmed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newEventsFixture(t, tc.mode, nil)
			f.addUser("alice", tc.password, map[string]string{"email": "alice@example.com"})
			if tc.risk != nil {
				f.setRisk(tc.risk)
			}
			f.from("192.0.2.10", tc.level)
			pw := tc.password
			if tc.wrong {
				pw = "Not-the-password-1"
			}
			m, err := f.signIn("alice", pw)
			if tc.wantErr != "" {
				wantAPIError(t, err, typeNotAuthorized, tc.wantErr)
				if ae := err.(*APIError); !ae.Commit {
					t.Error("the refusal is not marked Commit: its event would be lost")
				}
			} else {
				if err != nil {
					t.Fatalf("sign-in: %v", err)
				}
				tokensOf(t, m)
			}
			evs := f.events("alice")
			if len(evs) != 1 {
				t.Fatalf("%d events, want 1: %+v", len(evs), evs)
			}
			e := evs[0]
			if e.EventType != eventSignIn || e.EventResponse != tc.response || e.EventRisk.RiskDecision != tc.decision ||
				e.EventRisk.RiskLevel != tc.riskLevel || e.EventRisk.CompromisedCredentialsDetected != tc.breach {
				t.Errorf("event = %+v, want %s %s %s %s breach=%v", e, eventSignIn, tc.response, tc.decision, tc.riskLevel, tc.breach)
			}
			if got := challengeSummary(e); got != tc.challenges {
				t.Errorf("challenges = %q, want %q", got, tc.challenges)
			}
			if e.EventContextData == nil || e.EventContextData.IpAddress != "192.0.2.10" || e.EventContextData.DeviceName != "events-test/1.0" {
				t.Errorf("context = %+v", e.EventContextData)
			}
			if e.EventId == "" || e.CreationDate != epochSeconds(f.env.Now) {
				t.Errorf("id/date = %q %v", e.EventId, e.CreationDate)
			}
			if got := f.reload(&user{Username: "alice"}).Status; got != tc.status {
				t.Errorf("status = %s, want %s", got, tc.status)
			}
		})
	}
}

// TestAuthEvents_ServerSideIP: a server-side flow's address is its
// ContextData.IpAddress, and its risk hook one of ContextData.HttpHeaders.
func TestAuthEvents_ServerSideIP(t *testing.T) {
	f := newEventsFixture(t, securityEnforced, nil)
	f.addUser("alice", "Str0ng-and-unlisted", nil)
	f.setRisk(map[string]any{
		"RiskExceptionConfiguration":       map[string]any{"BlockedIPRangeList": []string{"192.0.2.0/24"}},
		"AccountTakeoverRiskConfiguration": map[string]any{"Actions": map[string]any{"HighAction": map[string]any{"EventAction": "BLOCK", "Notify": false}}}})
	call := func(ip string, headers ...map[string]string) error {
		if headers == nil {
			headers = []map[string]string{} // HttpHeaders is required (ContextDataType)
		}
		body := map[string]any{"UserPoolId": f.cfg.ID, "ClientId": f.client.ClientId, "AuthFlow": flowAdminUserPassword,
			"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": "Str0ng-and-unlisted"},
			"ContextData":    map[string]any{"IpAddress": ip, "ServerName": "app", "ServerPath": "/login", "HttpHeaders": headers}}
		_, err := f.op("AdminInitiateAuth", body)
		return err
	}
	if err := call("203.0.113.7"); err != nil {
		t.Fatalf("from an unblocked address: %v", err)
	}
	wantAPIError(t, call("192.0.2.99"), typeNotAuthorized, msgSecurityBlocked)
	wantAPIError(t, call("203.0.113.7", map[string]string{"headerName": "x-ccql-risk-level", "headerValue": "High"}), typeNotAuthorized, msgSecurityBlocked)
	evs := f.events("alice")
	if len(evs) != 3 || evs[0].EventRisk.RiskLevel != "High" || evs[1].EventContextData.IpAddress != "192.0.2.99" ||
		evs[2].EventResponse != responsePass || evs[2].EventContextData.IpAddress != "203.0.113.7" {
		t.Fatalf("events (newest first) = %+v", evs)
	}
}

// TestAuthEvents_OneEventAcrossChallenges: a sign-in with MFA is one event,
// InProgress after the password and Pass after the code; an
// account-takeover action MFA_REQUIRED asks a user with MFA for it even
// when the pool would not.
func TestAuthEvents_OneEventAcrossChallenges(t *testing.T) {
	f := newEventsFixture(t, securityEnforced, map[string]any{"MfaConfiguration": "OFF", "EnabledMfas": []string{chSoftwareToken}})
	u := f.addUser("alice", "Str0ng-and-unlisted", nil)
	u.MFA.SoftwareTokenEnabled, u.MFA.TOTPVerified, u.MFA.TOTPSecret = true, true, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	if err := saveUser(f.env, f.tx, f.cfg, u); err != nil {
		t.Fatal(err)
	}
	// No risk: the pool's MFA is off, tokens at once.
	m, err := f.signIn("alice", "Str0ng-and-unlisted")
	if err != nil {
		t.Fatal(err)
	}
	tokensOf(t, m)
	f.setRisk(map[string]any{"AccountTakeoverRiskConfiguration": map[string]any{"Actions": map[string]any{
		"MediumAction": map[string]any{"EventAction": "MFA_REQUIRED", "Notify": false}}}})
	f.from("192.0.2.10", "MEDIUM")
	m, err = f.signIn("alice", "Str0ng-and-unlisted")
	if err != nil {
		t.Fatal(err)
	}
	if m["ChallengeName"] != chSoftwareToken || m["AuthenticationResult"] != nil {
		t.Fatalf("want SOFTWARE_TOKEN_MFA for the risky sign-in: %v", m)
	}
	evs := f.events("alice")
	if len(evs) != 2 || evs[0].EventResponse != responseInProgress {
		t.Fatalf("after the password: %+v", evs)
	}
	key, _ := totp.DecodeSecret(u.MFA.TOTPSecret)
	// A wrong code, then the right one: the same event throughout.
	_, err = f.op("RespondToAuthChallenge", map[string]any{"ClientId": f.client.ClientId, "ChallengeName": chSoftwareToken,
		"Session": m["Session"], "ChallengeResponses": map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": "000000"}})
	if err == nil && totp.Code(key, f.env.Now) != "000000" {
		t.Fatal("a wrong code was accepted")
	}
	evs = f.events("alice")
	if len(evs) != 2 || evs[0].EventResponse != responseFail || challengeSummary(evs[0]) != "Password:Success,Mfa:Failure" {
		t.Fatalf("after a wrong code: %+v", evs)
	}
	m, err = f.signIn("alice", "Str0ng-and-unlisted")
	if err != nil {
		t.Fatal(err)
	}
	m, err = f.op("RespondToAuthChallenge", map[string]any{"ClientId": f.client.ClientId, "ChallengeName": chSoftwareToken,
		"Session": m["Session"], "ChallengeResponses": map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": totp.Code(key, f.env.Now)}})
	if err != nil {
		t.Fatal(err)
	}
	tokensOf(t, m)
	evs = f.events("alice")
	if len(evs) != 3 {
		t.Fatalf("want 3 events: %+v", evs)
	}
	e := evs[0]
	if e.EventResponse != responsePass || e.EventRisk.RiskDecision != decisionTakeover || e.EventRisk.RiskLevel != "Medium" ||
		challengeSummary(e) != "Password:Success,Mfa:Success" {
		t.Fatalf("completed risky sign-in: %+v", e)
	}
}

// TestAuthEvents_AccountFlows: SignUp, ResendConfirmationCode,
// ForgotPassword, ConfirmForgotPassword and ChangePassword each record
// their event, and a compromised password is refused where the
// configuration's EventFilter says.
func TestAuthEvents_AccountFlows(t *testing.T) {
	f := newEventsFixture(t, securityEnforced, map[string]any{"AutoVerifiedAttributes": []string{"email"}})
	f.setRisk(map[string]any{"CompromisedCredentialsRiskConfiguration": map[string]any{
		"EventFilter": []string{"SIGN_UP", "PASSWORD_CHANGE"}, "Actions": map[string]any{"EventAction": "BLOCK"}}})
	signUp := func(name, pw string) error {
		_, err := f.op("SignUp", map[string]any{"ClientId": f.client.ClientId, "Username": name, "Password": pw,
			"UserAttributes": []map[string]string{{"Name": "email", "Value": name + "@example.com"}}})
		return err
	}
	wantAPIError(t, signUp("bob", "Passw0rd!"), typeInvalidPassword, msgCompromisedPassword)
	if u, _ := findUser(f.tx, f.cfg, "bob"); u != nil {
		t.Fatal("a sign-up with a compromised password left its user")
	}
	if err := signUp("bob", "Str0ng-and-unlisted"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.op("ResendConfirmationCode", map[string]any{"ClientId": f.client.ClientId, "Username": "bob"}); err != nil {
		t.Fatal(err)
	}
	alice := f.addUser("alice", "Str0ng-and-unlisted", map[string]string{"email": "alice@example.com", "email_verified": "true"})
	if _, err := f.op("ForgotPassword", map[string]any{"ClientId": f.client.ClientId, "Username": "alice"}); err != nil {
		t.Fatal(err)
	}
	msgs, _ := ListMessages(f.tx, f.cfg.ID, "alice")
	code := msgs[len(msgs)-1].Code
	_, err := f.op("ConfirmForgotPassword", map[string]any{"ClientId": f.client.ClientId, "Username": "alice", "ConfirmationCode": code, "Password": "P@ssw0rd"})
	wantAPIError(t, err, typeInvalidPassword, msgCompromisedPassword)
	if _, err := f.op("ConfirmForgotPassword", map[string]any{"ClientId": f.client.ClientId, "Username": "alice", "ConfirmationCode": code, "Password": "An0ther-unlisted"}); err != nil {
		t.Fatalf("ConfirmForgotPassword after the refusal (the code must still be good): %v", err)
	}
	m, err := f.signIn("alice", "An0ther-unlisted")
	if err != nil {
		t.Fatal(err)
	}
	access, _, _ := tokensOf(t, m)
	_, err = f.op("ChangePassword", map[string]any{"AccessToken": access, "PreviousPassword": "An0ther-unlisted", "ProposedPassword": "Welcome1!"})
	wantAPIError(t, err, typeInvalidPassword, msgCompromisedPassword)
	if _, err := f.op("ChangePassword", map[string]any{"AccessToken": access, "PreviousPassword": "An0ther-unlisted", "ProposedPassword": "Th1rd-unlisted"}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range f.events("alice") {
		got = append(got, e.EventType+":"+e.EventResponse)
	}
	want := "PasswordChange:Pass PasswordChange:Fail SignIn:Pass PasswordChange:Pass PasswordChange:Fail ForgotPassword:Pass"
	if strings.Join(got, " ") != want {
		t.Errorf("alice's events = %v\nwant %s", got, want)
	}
	got = nil
	for _, e := range f.events("bob") {
		got = append(got, e.EventType+":"+e.EventResponse)
	}
	if strings.Join(got, " ") != "ResendCode:Pass SignUp:Pass" {
		t.Errorf("bob's events = %v", got)
	}
	// Events go with their user.
	if _, err := f.op("AdminDeleteUser", map[string]any{"UserPoolId": f.cfg.ID, "Username": "alice"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.tx.Count(typeAuthEvent, eventPrefix(f.cfg.ID, alice.Sub)); n != 0 {
		t.Errorf("%d events left after AdminDeleteUser", n)
	}
}

// TestAuthEvents_Off: without threat protection nothing is recorded and
// the operations refuse with UserPoolAddOnNotEnabledException.
func TestAuthEvents_Off(t *testing.T) {
	f := newEventsFixture(t, "", nil)
	f.addUser("alice", "Str0ng-and-unlisted", nil)
	if _, err := f.signIn("alice", "Str0ng-and-unlisted"); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.tx.Count(typeAuthEvent, ""); n != 0 {
		t.Errorf("%d events recorded without threat protection", n)
	}
	for _, op := range []struct {
		name string
		body map[string]any
	}{
		{"AdminListUserAuthEvents", map[string]any{}},
		{"AdminUpdateAuthEventFeedback", map[string]any{"EventId": "e1", "FeedbackValue": "Valid"}},
		{"UpdateAuthEventFeedback", map[string]any{"EventId": "e1", "FeedbackValue": "Valid", "FeedbackToken": "t"}},
	} {
		op.body["UserPoolId"], op.body["Username"] = f.cfg.ID, "alice"
		_, err := f.op(op.name, op.body)
		wantAPIError(t, err, "UserPoolAddOnNotEnabledException", msgAddOnNotEnabled)
	}
}

// TestAuthEvents_Validation: the event operations' request checks.
func TestAuthEvents_Validation(t *testing.T) {
	f := newEventsFixture(t, securityAudit, nil)
	f.addUser("alice", "Str0ng-and-unlisted", nil)
	tests := []struct {
		op   string
		body map[string]any
		typ  string
		msg  string
	}{
		{"AdminListUserAuthEvents", map[string]any{"Username": "alice", "MaxResults": 61}, typeInvalidParameter,
			"2 validation errors detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null; Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60"},
		{"AdminListUserAuthEvents", map[string]any{"UserPoolId": "us-east-1_TestPool1", "Username": "nobody"}, typeUserNotFound, "User does not exist."},
		{"AdminListUserAuthEvents", map[string]any{"UserPoolId": "us-east-1_Missing", "Username": "alice"}, typeResourceNotFound, "User pool us-east-1_Missing does not exist."},
		{"AdminListUserAuthEvents", map[string]any{"UserPoolId": "us-east-1_TestPool1", "Username": "alice", "NextToken": "bm9wZQ"}, typeInvalidParameter, "Invalid pagination token."},
		{"AdminUpdateAuthEventFeedback", map[string]any{"UserPoolId": "us-east-1_TestPool1", "Username": "alice", "EventId": "e 1", "FeedbackValue": "Maybe"}, typeInvalidParameter,
			"2 validation errors detected: Value 'e 1' at 'eventId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+-]+; Value 'Maybe' at 'feedbackValue' failed to satisfy constraint: Member must satisfy enum value set: [Valid, Invalid]"},
		{"AdminUpdateAuthEventFeedback", map[string]any{"UserPoolId": "us-east-1_TestPool1", "Username": "alice", "EventId": "nope", "FeedbackValue": "Valid"}, typeResourceNotFound, "Auth event nope does not exist."},
		{"UpdateAuthEventFeedback", map[string]any{"UserPoolId": "us-east-1_TestPool1", "Username": "alice", "EventId": "e1", "FeedbackValue": "Valid"}, typeInvalidParameter,
			"1 validation error detected: Value null at 'feedbackToken' failed to satisfy constraint: Member must not be null"},
	}
	for _, tc := range tests {
		t.Run(tc.op+" "+tc.msg, func(t *testing.T) {
			_, err := f.op(tc.op, tc.body)
			wantAPIError(t, err, tc.typ, tc.msg)
		})
	}
}

// TestAuthEvents_PagesAndFeedback: newest first, MaxResults pages with
// NextToken, and feedback from the administrator and from a notification's
// token, which names one event only.
func TestAuthEvents_PagesAndFeedback(t *testing.T) {
	f := newEventsFixture(t, securityEnforced, nil)
	f.addUser("alice", "Str0ng-and-unlisted", map[string]string{"email": "alice@example.com"})
	f.setRisk(map[string]any{"AccountTakeoverRiskConfiguration": map[string]any{
		"Actions":             map[string]any{"HighAction": map[string]any{"EventAction": "NO_ACTION", "Notify": true}},
		"NotifyConfiguration": map[string]any{"SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com", "NoActionEmail": map[string]any{"Subject": "Was this you, {username}?", "TextBody": "Sign-in from {ip-address}. Yes: {one-click-link-valid} No: {one-click-link-invalid}"}}}})
	for range 3 {
		if _, err := f.signIn("alice", "Str0ng-and-unlisted"); err != nil {
			t.Fatal(err)
		}
	}
	f.from("198.51.100.4", "HIGH")
	if _, err := f.signIn("alice", "Str0ng-and-unlisted"); err != nil {
		t.Fatal(err)
	}
	all := f.events("alice")
	if len(all) != 4 || all[0].EventRisk.RiskLevel != "High" {
		t.Fatalf("events = %+v", all)
	}
	var ids []string
	var token *string
	for {
		body := map[string]any{"UserPoolId": f.cfg.ID, "Username": "alice", "MaxResults": 3}
		if token != nil {
			body["NextToken"] = *token
		}
		m, err := f.op("AdminListUserAuthEvents", body)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range m["AuthEvents"].([]any) {
			ids = append(ids, e.(map[string]any)["EventId"].(string))
		}
		next, ok := m["NextToken"].(string)
		if !ok {
			break
		}
		token = &next
	}
	if len(ids) != 4 || ids[0] != all[0].EventId || ids[3] != all[3].EventId {
		t.Fatalf("paged ids = %v, want those of %+v", ids, all)
	}
	// The notification: subject and body rendered, the token in its links.
	msgs, _ := ListMessages(f.tx, f.cfg.ID, "alice")
	if len(msgs) != 1 || msgs[0].Kind != MessageRiskNotification || msgs[0].Subject != "Was this you, alice?" ||
		!strings.Contains(msgs[0].Message, "Sign-in from 198.51.100.4.") || !strings.Contains(msgs[0].Message, "feedback_token="+msgs[0].Code) {
		t.Fatalf("outbox = %+v", msgs)
	}
	risky, token2 := all[0], msgs[0].Code
	feedback := func(eventID, token, value string) error {
		_, err := f.op("UpdateAuthEventFeedback", map[string]any{"UserPoolId": f.cfg.ID, "Username": "alice",
			"EventId": eventID, "FeedbackToken": token, "FeedbackValue": value})
		return err
	}
	wantAPIError(t, feedback(all[1].EventId, token2, "Invalid"), typeNotAuthorized, "Invalid feedback token.")
	wantAPIError(t, feedback(risky.EventId, token2+"x", "Invalid"), typeNotAuthorized, "Invalid feedback token.")
	if err := feedback(risky.EventId, token2, "Invalid"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.op("AdminUpdateAuthEventFeedback", map[string]any{"UserPoolId": f.cfg.ID, "Username": "alice",
		"EventId": all[2].EventId, "FeedbackValue": "Valid"}); err != nil {
		t.Fatal(err)
	}
	all = f.events("alice")
	if fb := all[0].EventFeedback; fb == nil || fb.FeedbackValue != "Invalid" || fb.Provider != "User" {
		t.Errorf("token feedback = %+v", fb)
	}
	if fb := all[2].EventFeedback; fb == nil || fb.FeedbackValue != "Valid" || fb.Provider != "Admin" || fb.FeedbackDate != epochSeconds(f.env.Now) {
		t.Errorf("admin feedback = %+v", fb)
	}
	if all[1].EventFeedback != nil || all[3].EventFeedback != nil {
		t.Errorf("feedback on other events: %+v", all)
	}
	// Events go with the pool.
	if _, err := f.op("DeleteUserPool", map[string]any{"UserPoolId": f.cfg.ID}); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.tx.Count(typeAuthEvent, ""); n != 0 {
		t.Errorf("%d events left after DeleteUserPool", n)
	}
}

// TestAuthEvents_NotAttempts: malformed requests, a sign-up under a taken
// name and a forged access token leave no event on the user they name.
func TestAuthEvents_NotAttempts(t *testing.T) {
	f := newEventsFixture(t, securityEnforced, nil)
	f.addUser("alice", "Str0ng-and-unlisted", map[string]string{"email": "alice@example.com"})
	forged := "eyJhbGciOiJub25lIn0.eyJ1c2VybmFtZSI6ImFsaWNlIiwiaXNzIjoiaHR0cHM6Ly9jb2duaXRvLWlkcC51cy1lYXN0LTEuYW1hem9uYXdzLmNvbS91cy1lYXN0LTFfVGVzdFBvb2wxIn0.x"
	tests := []struct {
		name string
		op   string
		body map[string]any
		typ  string
	}{
		{"missing password", "InitiateAuth", map[string]any{"AuthFlow": flowUserPassword, "AuthParameters": map[string]string{"USERNAME": "alice"}}, typeInvalidParameter},
		{"taken name", "SignUp", map[string]any{"Username": "alice", "Password": "Str0ng-and-unlisted"}, typeUsernameExists},
		{"forged token", "ChangePassword", map[string]any{"AccessToken": forged, "PreviousPassword": "Str0ng-and-unlisted", "ProposedPassword": "An0ther-unlisted"}, typeNotAuthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.op != "ChangePassword" {
				tc.body["ClientId"] = f.client.ClientId
			}
			_, err := f.op(tc.op, tc.body)
			var ae *APIError
			if !errors.As(err, &ae) || ae.Type != tc.typ {
				t.Fatalf("error = %v, want %s", err, tc.typ)
			}
			if evs := f.events("alice"); len(evs) != 0 {
				t.Errorf("events = %+v", evs)
			}
		})
	}
}

// TestAuthEvents_CompromisedNewPassword: a compromised NEW_PASSWORD is a
// password change: refused with InvalidPasswordException, the temporary
// password still pending.
func TestAuthEvents_CompromisedNewPassword(t *testing.T) {
	f := newEventsFixture(t, securityEnforced, nil)
	f.setRisk(map[string]any{"CompromisedCredentialsRiskConfiguration": map[string]any{"Actions": map[string]any{"EventAction": "BLOCK"}}})
	u := f.addUser("alice", "Temp0rary-pw", nil)
	u.Status = statusForceChangePassword
	if err := saveUser(f.env, f.tx, f.cfg, u); err != nil {
		t.Fatal(err)
	}
	m, err := f.signIn("alice", "Temp0rary-pw")
	if err != nil || m["ChallengeName"] != chNewPassword {
		t.Fatalf("sign-in: %v %v", m, err)
	}
	_, err = f.op("RespondToAuthChallenge", map[string]any{"ClientId": f.client.ClientId, "ChallengeName": chNewPassword, "Session": m["Session"],
		"ChallengeResponses": map[string]string{"USERNAME": "alice", "NEW_PASSWORD": "Password123!"}})
	wantAPIError(t, err, typeInvalidPassword, msgCompromisedPassword)
	if got := f.reload(u).Status; got != statusForceChangePassword {
		t.Errorf("status = %s", got)
	}
	evs := f.events("alice")
	if len(evs) != 1 || evs[0].EventResponse != responseFail || !evs[0].EventRisk.CompromisedCredentialsDetected || challengeSummary(evs[0]) != "Password:Success" {
		t.Errorf("events = %+v", evs)
	}
}
