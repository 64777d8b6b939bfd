package cognito_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ccql/ccql/emulator/internal/cognito"
)

// TestHostedUI_AuthEvents: the hosted UI's login records SignIn events
// like the API's flows, and a client's own risk configuration (here a
// blocked address range that holds the test's loopback address) refuses
// its sign-ins while the pool's other clients go on.
func TestHostedUI_AuthEvents(t *testing.T) {
	st := newMemStore()
	p := newIdP(t, st, cognito.DefaultAccount)
	pool, ids := p.webPool()
	p.call("UpdateUserPool", `{"UserPoolId":"`+pool+`","UserPoolAddOns":{"AdvancedSecurityMode":"ENFORCED"}}`)
	p.call("SetRiskConfiguration", `{"UserPoolId":"`+pool+`","ClientId":"`+ids["implicit"]+`","RiskExceptionConfiguration":{"BlockedIPRangeList":["127.0.0.0/8","::1/128"]}}`)
	p.call("AdminCreateUser", `{"UserPoolId":"`+pool+`","Username":"alice","MessageAction":"SUPPRESS"}`)
	p.call("AdminSetUserPassword", `{"UserPoolId":"`+pool+`","Username":"alice","Password":"`+alicePassword+`","Permanent":true}`)
	b := newPageClient(t, newOAuth(st))
	authorize := func(client, responseType string) string {
		q := url.Values{"client_id": {ids[client]}, "response_type": {responseType}, "redirect_uri": {cbURL}, "scope": {"openid"}}
		return b.base + "/" + pool + "/oauth2/authorize?" + q.Encode()
	}
	login := b.get(authorize("code", "code"))
	bad := b.submit(login, map[string]string{"username": "alice", "password": "wrong"})
	if bad.status != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", bad.status)
	}
	callback(t, b.submit(bad, map[string]string{"username": "alice", "password": alicePassword}), cbURL)
	b.get(b.base + "/" + pool + "/logout?client_id=" + ids["code"] + "&logout_uri=" + url.QueryEscape(logoutURL))
	refused := b.submit(b.get(authorize("implicit", "token")), map[string]string{"username": "alice", "password": alicePassword})
	if refused.status != http.StatusUnauthorized || !strings.Contains(refused.body, "Unable to login because of security reasons.") {
		t.Fatalf("sign-in from a blocked range: %d\n%s", refused.status, refused.body)
	}
	evs := p.call("AdminListUserAuthEvents", `{"UserPoolId":"`+pool+`","Username":"alice"}`)["AuthEvents"].([]any)
	var got []string
	for _, e := range evs {
		m := e.(map[string]any)
		risk := m["EventRisk"].(map[string]any)
		var steps []string
		for _, c := range m["ChallengeResponses"].([]any) {
			steps = append(steps, c.(map[string]any)["ChallengeName"].(string)+":"+c.(map[string]any)["ChallengeResponse"].(string))
		}
		got = append(got, m["EventType"].(string)+"/"+m["EventResponse"].(string)+"/"+risk["RiskDecision"].(string)+"/"+strings.Join(steps, ","))
		if ctx, _ := m["EventContextData"].(map[string]any); ctx == nil || !strings.HasPrefix(ctx["IpAddress"].(string), "127.") && ctx["IpAddress"] != "::1" {
			t.Errorf("event context %v", m["EventContextData"])
		}
	}
	want := "SignIn/Fail/Block/ SignIn/Pass/NoRisk/Password:Success SignIn/Fail/NoRisk/Password:Failure"
	if strings.Join(got, " ") != want {
		t.Errorf("events = %v\nwant %s", got, want)
	}

	// A breached password, with the pool's compromised-credentials BLOCK:
	// refused, and the user must reset it.
	p.call("SetRiskConfiguration", `{"UserPoolId":"`+pool+`","CompromisedCredentialsRiskConfiguration":{"Actions":{"EventAction":"BLOCK"}}}`)
	p.call("AdminCreateUser", `{"UserPoolId":"`+pool+`","Username":"bob","MessageAction":"SUPPRESS"}`)
	p.call("AdminSetUserPassword", `{"UserPoolId":"`+pool+`","Username":"bob","Password":"Passw0rd!","Permanent":true}`)
	breached := b.submit(b.get(authorize("code", "code")), map[string]string{"username": "bob", "password": "Passw0rd!"})
	if breached.status != http.StatusUnauthorized || !strings.Contains(breached.body, "Unable to login because of security reasons.") {
		t.Fatalf("breached password: %d\n%s", breached.status, breached.body)
	}
	if st := p.call("AdminGetUser", `{"UserPoolId":"`+pool+`","Username":"bob"}`)["UserStatus"]; st != "RESET_REQUIRED" {
		t.Errorf("bob's status = %v", st)
	}
	ev := p.call("AdminListUserAuthEvents", `{"UserPoolId":"`+pool+`","Username":"bob"}`)["AuthEvents"].([]any)
	if len(ev) != 1 || ev[0].(map[string]any)["EventRisk"].(map[string]any)["CompromisedCredentialsDetected"] != true {
		t.Errorf("bob's events = %v", ev)
	}
}

// headerTransport adds a header to every request, as a test of the risk
// hook needs on the hosted UI's pages.
type headerTransport struct {
	name, value string
	next        http.RoundTripper
}

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(h.name, h.value)
	return h.next.RoundTrip(r)
}

// TestHostedUI_AccountTakeover: a high-risk login (the emulator-only
// X-Ccql-Risk-Level header on the page request) with the action BLOCK and
// Notify is refused on the page, and the notification e-mail with its
// feedback token lands in the outbox.
func TestHostedUI_AccountTakeover(t *testing.T) {
	st := newMemStore()
	p := newIdP(t, st, cognito.DefaultAccount)
	pool, ids := p.webPool()
	p.call("UpdateUserPool", `{"UserPoolId":"`+pool+`","UserPoolAddOns":{"AdvancedSecurityMode":"ENFORCED"}}`)
	p.call("SetRiskConfiguration", `{"UserPoolId":"`+pool+`","AccountTakeoverRiskConfiguration":{"Actions":{"HighAction":{"EventAction":"BLOCK","Notify":true}},"NotifyConfiguration":{"SourceArn":"arn:aws:ses:us-east-1:000000000000:identity/example.com"}}}`)
	p.call("AdminCreateUser", `{"UserPoolId":"`+pool+`","Username":"alice","MessageAction":"SUPPRESS","UserAttributes":[{"Name":"email","Value":"alice@example.com"}]}`)
	p.call("AdminSetUserPassword", `{"UserPoolId":"`+pool+`","Username":"alice","Password":"`+alicePassword+`","Permanent":true}`)
	b := newPageClient(t, newOAuth(st))
	b.c.Transport = headerTransport{name: "X-Ccql-Risk-Level", value: "HIGH", next: http.DefaultTransport}
	q := url.Values{"client_id": {ids["code"]}, "response_type": {"code"}, "redirect_uri": {cbURL}, "scope": {"openid"}}
	refused := b.submit(b.get(b.base+"/"+pool+"/oauth2/authorize?"+q.Encode()), map[string]string{"username": "alice", "password": alicePassword})
	if refused.status != http.StatusUnauthorized || !strings.Contains(refused.body, "Unable to login because of security reasons.") {
		t.Fatalf("high-risk login: %d\n%s", refused.status, refused.body)
	}
	ev := p.call("AdminListUserAuthEvents", `{"UserPoolId":"`+pool+`","Username":"alice"}`)["AuthEvents"].([]any)
	if len(ev) != 1 {
		t.Fatalf("events = %v", ev)
	}
	risk := ev[0].(map[string]any)["EventRisk"].(map[string]any)
	if risk["RiskDecision"] != "Block" || risk["RiskLevel"] != "High" {
		t.Errorf("risk = %v", risk)
	}
	var token string
	p.st.mu.Lock()
	msgs, err := cognito.ListMessages(p.st.scope(p.account, testRegion), pool, "alice")
	p.st.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Kind == cognito.MessageRiskNotification && m.Destination == "alice@example.com" {
			token = m.Code
		}
	}
	if token == "" {
		t.Fatal("no risk notification in the outbox")
	}
	eventID := ev[0].(map[string]any)["EventId"].(string)
	p.call("UpdateAuthEventFeedback", `{"UserPoolId":"`+pool+`","Username":"alice","EventId":"`+eventID+`","FeedbackToken":"`+token+`","FeedbackValue":"Valid"}`)
	ev = p.call("AdminListUserAuthEvents", `{"UserPoolId":"`+pool+`","Username":"alice"}`)["AuthEvents"].([]any)
	if fb, _ := ev[0].(map[string]any)["EventFeedback"].(map[string]any); fb["FeedbackValue"] != "Valid" {
		t.Errorf("feedback = %v", fb)
	}
}
