package cognito

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

// FuzzAuthEvents feeds arbitrary bodies to the operations that record auth
// events, on a pool whose threat protection is ENFORCED with every kind of
// risk rule: none may panic, every failure is a client *APIError, and the
// journal never leaves an event without its user.
func FuzzAuthEvents(f *testing.F) {
	// In a fixed order, so that a corpus entry's index names one operation.
	names := []string{"InitiateAuth", "AdminInitiateAuth", "RespondToAuthChallenge", "AdminRespondToAuthChallenge",
		"SignUp", "ForgotPassword", "ConfirmForgotPassword", "ChangePassword", "ResendConfirmationCode"}
	var (
		ef               *eventsFixture
		base             memTx
		clientID, poolID string
	)
	// setup builds the pool once, with the first input's *testing.T; a
	// sign-in stores the pool's signing keys, so that every input reuses
	// them instead of making new ones.
	setup := func(t *testing.T) {
		ef = newEventsFixture(t, securityEnforced, nil)
		ef.addUser("alice", "Str0ng-and-unlisted", map[string]string{"email": "alice@example.com"})
		ef.setRisk(map[string]any{
			"RiskExceptionConfiguration":              map[string]any{"BlockedIPRangeList": []string{"10.0.0.0/8"}, "SkippedIPRangeList": []string{"192.0.2.128/25"}},
			"CompromisedCredentialsRiskConfiguration": map[string]any{"Actions": map[string]any{"EventAction": "BLOCK"}},
			"AccountTakeoverRiskConfiguration": map[string]any{"Actions": map[string]any{
				"HighAction":   map[string]any{"EventAction": "BLOCK", "Notify": true},
				"MediumAction": map[string]any{"EventAction": "MFA_REQUIRED", "Notify": true},
				"LowAction":    map[string]any{"EventAction": "MFA_IF_CONFIGURED", "Notify": false}}},
		})
		if _, err := ef.signIn("alice", "Str0ng-and-unlisted"); err != nil {
			t.Fatal(err)
		}
		base, clientID, poolID = ef.tx, ef.client.ClientId, ef.cfg.ID
	}
	const client, pool = "CLIENT", "POOL"
	for _, body := range []string{
		`{}`, `[`, `{"ClientId":"` + client + `","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"alice","PASSWORD":"Str0ng-and-unlisted"}}`,
		`{"UserPoolId":"` + pool + `","ClientId":"` + client + `","AuthFlow":"ADMIN_USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"alice","PASSWORD":"Passw0rd!"},"ContextData":{"IpAddress":"10.1.2.3","HttpHeaders":[{"headerName":"X-Ccql-Risk-Level","headerValue":"medium"}]}}`,
		`{"ClientId":"` + client + `","ChallengeName":"SMS_MFA","Session":"xxxxxxxxxxxxxxxxxxxxxxxx","ChallengeResponses":{"USERNAME":"alice"}}`,
		`{"ClientId":"` + client + `","Username":"bob","Password":"Welcome1!","UserContextData":{"IpAddress":"10.0.0.1"}}`,
	} {
		for i := range names {
			f.Add(uint8(i), body, "HIGH")
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body, level string) {
		if ef == nil {
			setup(t)
		}
		name := names[int(which)%len(names)]
		body = strings.ReplaceAll(strings.ReplaceAll(body, client, clientID), pool, poolID)
		ef.tx = maps.Clone(base)
		ef.from("192.0.2.10", level)
		_, err := ef.ops[name](ef.ctx, ef.env, ef.tx, []byte(body))
		if err != nil {
			var ae *APIError
			if !errors.As(err, &ae) || ae.Status < 400 || ae.Status >= 500 {
				t.Fatalf("%s(%q): %v is not a client *APIError", name, body, err)
			}
		}
		users, err := listUsers(ef.tx, poolID)
		if err != nil {
			t.Fatal(err)
		}
		subs := map[string]bool{}
		for _, u := range users {
			subs[u.Sub] = true
		}
		recs, _ := ef.tx.List(typeAuthEvent, "")
		for _, rec := range recs {
			var e storedEvent
			if err := decodeRaw(rec.Model, &e); err != nil {
				t.Fatal(err)
			}
			sub := rec.Identifier[len(poolID)+1:]
			if !subs[sub[:len(sub)-13]] {
				t.Fatalf("%s(%q): event %s has no user", name, body, rec.Identifier)
			}
		}
	})
}
