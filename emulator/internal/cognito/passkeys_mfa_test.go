package cognito

import (
	"encoding/json"
	"testing"

	"github.com/ccql/ccql/emulator/internal/totp"
)

// passkeyMFAPoolSettings is a pool for passkey MFA tests: TOTP and e-mail
// MFA enabled, user verification only preferred (so that the user's
// passkey MFA is what asks for it), the given FactorConfiguration and
// MfaConfiguration.
func passkeyMFAPoolSettings(factor, mfa string) map[string]any {
	m := map[string]any{"MfaConfiguration": mfa, "EnabledMfas": []any{"SOFTWARE_TOKEN_MFA", "EMAIL_OTP"},
		"WebAuthnUserVerification": "preferred"}
	if factor != "" {
		m["WebAuthnFactorConfiguration"] = factor
	}
	return m
}

// setTOTP gives alice a verified, enabled TOTP authenticator (or takes it
// away) directly in the store.
func (f *passkeyFixture) setTOTP(on bool) {
	f.t.Helper()
	u := f.reload(&user{Username: "alice"})
	u.MFA.SoftwareTokenEnabled, u.MFA.TOTPVerified, u.MFA.TOTPSecret = on, on, "JBSWY3DPEHPK3PXP"
	if err := saveUser(f.env, f.tx, f.cfg, u); err != nil {
		f.t.Fatal(err)
	}
}

// setPasskeyMFA stores alice's passkey MFA switch directly, bypassing the
// operation's checks (a pool whose FactorConfiguration changed later).
func (f *passkeyFixture) setPasskeyMFA(on bool) {
	f.t.Helper()
	u := f.reload(&user{Username: "alice"})
	u.MFA.WebAuthnEnabled = on
	if err := saveUser(f.env, f.tx, f.cfg, u); err != nil {
		f.t.Fatal(err)
	}
}

func TestPasskeyMFA_Preference(t *testing.T) {
	for _, tc := range []struct {
		name   string
		factor string
		totp   bool // alice has TOTP MFA before the call
		before bool // alice has passkey MFA before the call
		body   string
		want   string // error message, "" for success
		after  bool   // alice's passkey MFA after a successful call
	}{
		{"on", factorMultiWithUV, true, false, `{"WebAuthnMfaSettings":{"Enabled":true}}`, "", true},
		{"on in a single-factor pool", "SINGLE_FACTOR", true, false, `{"WebAuthnMfaSettings":{"Enabled":true}}`, msgPasskeyMFAPool, false},
		{"on in a pool without FactorConfiguration", "", true, false, `{"WebAuthnMfaSettings":{"Enabled":true}}`, msgPasskeyMFAPool, false},
		{"on without another method", factorMultiWithUV, false, false, `{"WebAuthnMfaSettings":{"Enabled":true}}`, msgPasskeyMFALockout, false},
		{"on with e-mail MFA in the same call", factorMultiWithUV, false, false,
			`{"EmailMfaSettings":{"Enabled":true},"WebAuthnMfaSettings":{"Enabled":true}}`, "", true},
		{"last other method off", factorMultiWithUV, true, true, `{"SoftwareTokenMfaSettings":{"Enabled":false}}`, msgPasskeyMFALockout, true},
		{"both off", factorMultiWithUV, true, true,
			`{"SoftwareTokenMfaSettings":{"Enabled":false},"WebAuthnMfaSettings":{"Enabled":false}}`, "", false},
		// The Go SDK leaves a false Enabled out: the object alone turns it off.
		{"off by an empty object", factorMultiWithUV, true, true, `{"WebAuthnMfaSettings":{}}`, "", false},
		{"off in a single-factor pool", "SINGLE_FACTOR", true, true, `{"WebAuthnMfaSettings":{"Enabled":false}}`, "", false},
		{"absent leaves it", factorMultiWithUV, true, true, `{"EmailMfaSettings":{"Enabled":true}}`, "", true},
	} {
		for _, admin := range []bool{false, true} {
			name := tc.name
			if admin {
				name = "admin " + name
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				f := newPasskeyFixture(t, passkeyMFAPoolSettings(tc.factor, "OPTIONAL"))
				f.setTOTP(tc.totp)
				f.setPasskeyMFA(tc.before)
				var body map[string]any
				if err := json.Unmarshal([]byte(tc.body), &body); err != nil {
					t.Fatal(err)
				}
				op := opSetUserMFAPreference
				if admin {
					op, body["UserPoolId"], body["Username"] = opAdminSetUserMFAPreference, f.cfg.ID, "alice"
				} else {
					body["AccessToken"] = f.access
				}
				_, err := f.call(op, body)
				switch {
				case tc.want == "" && err != nil:
					t.Fatalf("want success, got %v", err)
				case tc.want != "":
					if apiType(err) != typeInvalidParameter || err.(*APIError).Message != tc.want {
						t.Fatalf("want InvalidParameterException %q, got %v", tc.want, err)
					}
					return
				}
				if got := f.reload(&user{Username: "alice"}).MFA.WebAuthnEnabled; got != tc.after {
					t.Fatalf("passkey MFA = %v, want %v", got, tc.after)
				}
			})
		}
	}
}

// TestPasskeyMFA_NotListed: the read operations document their MFA lists
// as SMS_MFA, EMAIL_OTP and SOFTWARE_TOKEN_MFA; passkey MFA is not among
// them and is never the preferred method.
func TestPasskeyMFA_NotListed(t *testing.T) {
	f := newPasskeyFixture(t, passkeyMFAPoolSettings(factorMultiWithUV, "OPTIONAL"))
	f.register(newSoftAuthenticator(t, -7))
	f.setTOTP(true)
	f.mustCall(opSetUserMFAPreference, map[string]any{"AccessToken": f.access, "WebAuthnMfaSettings": map[string]any{"Enabled": true}})
	for name, m := range map[string]map[string]any{
		"GetUser":            f.mustCall(opGetUser, map[string]any{"AccessToken": f.access}),
		"AdminGetUser":       f.mustCall(opAdminGetUser, map[string]any{"UserPoolId": f.cfg.ID, "Username": "alice"}),
		"GetUserAuthFactors": f.mustCall(opGetUserAuthFactors, map[string]any{"AccessToken": f.access}),
	} {
		if l, _ := json.Marshal(m["UserMFASettingList"]); string(l) != `["SOFTWARE_TOKEN_MFA"]` {
			t.Errorf("%s UserMFASettingList = %s", name, l)
		}
		if m["PreferredMfaSetting"] != nil {
			t.Errorf("%s PreferredMfaSetting = %v", name, m["PreferredMfaSetting"])
		}
	}
	m := f.mustCall(opGetUserAuthFactors, map[string]any{"AccessToken": f.access})
	if l, _ := json.Marshal(m["ConfiguredUserAuthFactors"]); string(l) != `["PASSWORD","WEB_AUTHN"]` {
		t.Errorf("ConfiguredUserAuthFactors = %s", l)
	}
}

func TestPasskeyMFA_SignIn(t *testing.T) {
	for _, tc := range []struct {
		name       string
		factor     string
		mfa        string // pool MfaConfiguration
		passkeyMFA bool   // alice's WebAuthnMfaSettings
		flags      byte   // authenticator data flags of the assertion
		wantUV     string // userVerification of the request options
		want       string // challenge after the passkey, "" for tokens, "refused"
	}{
		{"single factor", "SINGLE_FACTOR", "OPTIONAL", false, flagUP | flagUV, "preferred", chSoftwareToken},
		{"single factor, MFA on", "SINGLE_FACTOR", "ON", false, flagUP | flagUV, "preferred", chSoftwareToken},
		{"pool allows, user has not turned it on", factorMultiWithUV, "OPTIONAL", false, flagUP | flagUV, "preferred", chSoftwareToken},
		{"pool allows, user has not turned it on, no UV", factorMultiWithUV, "OPTIONAL", false, flagUP, "preferred", chSoftwareToken},
		{"passkey MFA with UV", factorMultiWithUV, "OPTIONAL", true, flagUP | flagUV, "required", ""},
		{"passkey MFA with UV, MFA on", factorMultiWithUV, "ON", true, flagUP | flagUV, "required", ""},
		{"passkey MFA without UV", factorMultiWithUV, "OPTIONAL", true, flagUP, "required", "refused"},
		{"passkey MFA without UV, MFA on", factorMultiWithUV, "ON", true, flagUP, "required", "refused"},
		// The pool went back to SINGLE_FACTOR after the user turned it on.
		{"user on, pool single factor", "SINGLE_FACTOR", "ON", true, flagUP | flagUV, "preferred", chSoftwareToken},
		{"user on, MFA off", factorMultiWithUV, "OFF", true, flagUP | flagUV, "required", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newPasskeyFixture(t, passkeyMFAPoolSettings(tc.factor, "OPTIONAL"))
			a := newSoftAuthenticator(t, -7)
			f.register(a)
			f.setTOTP(true)
			f.setPasskeyMFA(tc.passkeyMFA)
			if tc.mfa != "OPTIONAL" {
				f.mustCall(opSetUserPoolMfaConfig, map[string]any{"UserPoolId": f.cfg.ID, "MfaConfiguration": tc.mfa,
					"SoftwareTokenMfaConfiguration": map[string]any{"Enabled": tc.mfa != "OFF"}})
			}
			session, options := f.challenge()
			var opts map[string]any
			if err := json.Unmarshal([]byte(options), &opts); err != nil {
				t.Fatal(err)
			}
			if opts["userVerification"] != tc.wantUV {
				t.Errorf("userVerification = %v, want %s", opts["userVerification"], tc.wantUV)
			}
			m, err := f.answer(session, a.get(options, passkeyOrigin, ceremony{flags: tc.flags}))
			if tc.want == "refused" {
				if apiType(err) != typeNotAuthorized {
					t.Fatalf("want NotAuthorizedException, got %v %v", m, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := m["ChallengeName"].(string); got != tc.want {
				t.Fatalf("after the passkey: %q, want %q (%v)", got, tc.want, m)
			}
			if tc.want == "" {
				tokensOf(t, m)
			}
		})
	}
}

// TestPasskeyMFA_NotASecondStep: passkey MFA applies only when the passkey
// is the first factor; a password sign-in of a user with passkey MFA still
// asks for the user's other method, never for a passkey.
func TestPasskeyMFA_NotASecondStep(t *testing.T) {
	for _, flow := range []string{flowUserPassword, flowUserAuth} {
		t.Run(flow, func(t *testing.T) {
			f := newPasskeyFixture(t, passkeyMFAPoolSettings(factorMultiWithUV, "OPTIONAL"))
			f.register(newSoftAuthenticator(t, -7))
			f.setTOTP(true)
			f.mustCall(opSetUserMFAPreference, map[string]any{"AccessToken": f.access, "WebAuthnMfaSettings": map[string]any{"Enabled": true}})
			params := map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}
			if flow == flowUserAuth {
				params["PREFERRED_CHALLENGE"] = "PASSWORD"
			}
			m, err := f.initiate(flow, params)
			if err != nil {
				t.Fatal(err)
			}
			if m["ChallengeName"] != chSoftwareToken {
				t.Fatalf("after the password: %v, want SOFTWARE_TOKEN_MFA", m)
			}
		})
	}
}

// TestPasskeyMFA_AuthEventsAndRisk: under threat protection a passkey
// sign-in records its step in the auth event (Password for the passkey,
// plus Mfa when it satisfied passkey MFA: ChallengeName has no passkey
// value), and an account-takeover action that asks for MFA does not ask a
// sign-in whose passkey already satisfied MFA, while a single-factor
// passkey is still asked. The pool's own MFA is OFF, so any MFA challenge
// comes from the risk action.
func TestPasskeyMFA_AuthEventsAndRisk(t *testing.T) {
	for _, tc := range []struct {
		name       string
		mode       string
		factor     string
		passkeyMFA bool   // alice's WebAuthnMfaSettings
		flags      byte   // authenticator data flags of the assertion
		level      string // the risk hook, "" for none
		action     string // the action configured for MediumAction and HighAction
		want       string // challenge after the passkey, "" for tokens, "refused"
		decision   string
		challenges string // the event's ChallengeResponses after the passkey (and the code)
	}{
		{"passkey MFA, no risk", securityEnforced, factorMultiWithUV, true, flagUP | flagUV, "", "MFA_REQUIRED", "", decisionNoRisk, "Password:Success,Mfa:Success"},
		{"passkey MFA, medium risk, MFA if configured", securityEnforced, factorMultiWithUV, true, flagUP | flagUV, "MEDIUM", "MFA_IF_CONFIGURED", "", decisionTakeover, "Password:Success,Mfa:Success"},
		{"passkey MFA, high risk, MFA required", securityEnforced, factorMultiWithUV, true, flagUP | flagUV, "HIGH", "MFA_REQUIRED", "", decisionTakeover, "Password:Success,Mfa:Success"},
		{"passkey MFA, high risk in audit", securityAudit, factorMultiWithUV, true, flagUP | flagUV, "HIGH", "MFA_REQUIRED", "", decisionTakeover, "Password:Success,Mfa:Success"},
		{"passkey MFA without UV", securityEnforced, factorMultiWithUV, true, flagUP, "HIGH", "MFA_REQUIRED", "refused", decisionTakeover, "Password:Failure"},
		{"single factor, no risk", securityEnforced, "SINGLE_FACTOR", false, flagUP | flagUV, "", "MFA_REQUIRED", "", decisionNoRisk, "Password:Success"},
		{"single factor, medium risk, MFA if configured", securityEnforced, "SINGLE_FACTOR", false, flagUP | flagUV, "MEDIUM", "MFA_IF_CONFIGURED", chSoftwareToken, decisionTakeover, "Password:Success,Mfa:Success"},
		{"user has not turned it on, high risk, MFA required", securityEnforced, factorMultiWithUV, false, flagUP | flagUV, "HIGH", "MFA_REQUIRED", chSoftwareToken, decisionTakeover, "Password:Success,Mfa:Success"},
		{"pool single factor, user on, high risk", securityEnforced, "SINGLE_FACTOR", true, flagUP | flagUV, "HIGH", "MFA_REQUIRED", chSoftwareToken, decisionTakeover, "Password:Success,Mfa:Success"},
	} {
		for _, admin := range []bool{false, true} {
			name := tc.name
			if admin {
				name = "admin " + name
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				settings := passkeyMFAPoolSettings(tc.factor, "OFF")
				settings["EnabledMfas"] = []any{"SOFTWARE_TOKEN_MFA"}
				settings["UserPoolTier"] = "PLUS"
				settings["UserPoolAddOns"] = map[string]any{"AdvancedSecurityMode": tc.mode}
				pf := newPasskeyFixture(t, settings)
				a := newSoftAuthenticator(t, -7)
				pf.register(a)
				pf.setTOTP(true)
				pf.setPasskeyMFA(tc.passkeyMFA)
				f := &eventsFixture{signinFixture: pf.signinFixture, ops: Operations()}
				f.setRisk(map[string]any{"AccountTakeoverRiskConfiguration": map[string]any{"Actions": map[string]any{
					"MediumAction": map[string]any{"EventAction": tc.action, "Notify": false},
					"HighAction":   map[string]any{"EventAction": tc.action, "Notify": false}}}})
				f.from("192.0.2.10", tc.level)
				prefix, pool := "", map[string]any{}
				if admin { // the risk hook is the HTTP request's header: no ContextData
					prefix, pool = "Admin", map[string]any{"UserPoolId": f.cfg.ID}
				}
				call := func(op string, body map[string]any) (map[string]any, error) {
					body["ClientId"] = f.client.ClientId
					for k, v := range pool {
						body[k] = v
					}
					return f.op(prefix+op, body)
				}
				respond := func(name string, session any, resp map[string]string) (map[string]any, error) {
					resp["USERNAME"] = "alice"
					return call("RespondToAuthChallenge", map[string]any{"ChallengeName": name, "Session": session, "ChallengeResponses": resp})
				}
				m, err := call("InitiateAuth", map[string]any{"AuthFlow": flowUserAuth,
					"AuthParameters": map[string]string{"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"}})
				if err != nil || m["ChallengeName"] != chWebAuthn {
					t.Fatalf("want WEB_AUTHN: %v %v", m, err)
				}
				options := m["ChallengeParameters"].(map[string]any)["CREDENTIAL_REQUEST_OPTIONS"].(string)
				m, err = respond(chWebAuthn, m["Session"], map[string]string{"CREDENTIAL": a.get(options, passkeyOrigin, ceremony{flags: tc.flags})})
				response := responsePass
				switch {
				case tc.want == "refused":
					wantAPIError(t, err, typeNotAuthorized, msgIncorrect)
					response = responseFail
				case err != nil:
					t.Fatal(err)
				default:
					if got, _ := m["ChallengeName"].(string); got != tc.want {
						t.Fatalf("after the passkey: %q, want %q (%v)", got, tc.want, m)
					}
				}
				if tc.want == chSoftwareToken {
					if evs := f.events("alice"); len(evs) != 1 || evs[0].EventResponse != responseInProgress || challengeSummary(evs[0]) != "Password:Success" {
						t.Fatalf("after the passkey, before the code: %+v", evs)
					}
					key, _ := totp.DecodeSecret("JBSWY3DPEHPK3PXP")
					if m, err = respond(chSoftwareToken, m["Session"], map[string]string{"SOFTWARE_TOKEN_MFA_CODE": totp.Code(key, f.env.Now)}); err != nil {
						t.Fatal(err)
					}
				}
				if response == responsePass {
					tokensOf(t, m)
				}
				evs := f.events("alice")
				if len(evs) != 1 {
					t.Fatalf("%d events, want 1: %+v", len(evs), evs)
				}
				e := evs[0]
				riskLevel := "Low"
				if tc.level != "" {
					riskLevel = riskLevelOf(tc.level)
				}
				if e.EventType != eventSignIn || e.EventResponse != response || e.EventRisk.RiskDecision != tc.decision || e.EventRisk.RiskLevel != riskLevel {
					t.Errorf("event = %+v, want %s %s %s", e, response, tc.decision, riskLevel)
				}
				if got := challengeSummary(e); got != tc.challenges {
					t.Errorf("challenges = %q, want %q", got, tc.challenges)
				}
			})
		}
	}
}
