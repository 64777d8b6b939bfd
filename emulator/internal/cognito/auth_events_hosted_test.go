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
