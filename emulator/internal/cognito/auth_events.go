package cognito

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// User auth events, recorded when the pool's threat protection is on
// (UserPoolAddOns.AdvancedSecurityMode AUDIT or ENFORCED): the sign-in
// flows, SignUp, ForgotPassword, the password changes and
// ResendConfirmationCode each leave an AuthEventType on the user, read with
// AdminListUserAuthEvents and annotated with AdminUpdateAuthEventFeedback
// or, with the token of a risk notification, UpdateAuthEventFeedback.
//
// The operations are not changed: withAuthEvents wraps them (Operations
// applies it), runs each in a journaled transaction so that a refused
// request's writes can be undone while its event is kept, and applies
// threat protection (risk.go) before and after. A sign-in that goes
// through challenges is one event, InProgress until it ends: each
// challenge's Session (or SRP secret block) is linked to the event.
//
// Events are stored under the private type "ccql::Cognito::AuthEvent",
// keyed "<poolId>|<sub>|<inverted sequence>" so that a user's events list
// newest first; they go with the user (removeUser) and the pool.

// The private types of auth events.
const (
	typeAuthEvent     = "ccql::Cognito::AuthEvent"
	typeAuthEventLink = "ccql::Cognito::AuthEventLink"
)

// MessageRiskNotification is the outbox kind of threat protection's
// notification e-mail (account-takeover risk with Notify).
const MessageRiskNotification = "RISK_NOTIFICATION"

// Event types, responses and risk decisions.
const (
	eventSignIn         = "SignIn"
	eventSignUp         = "SignUp"
	eventForgotPassword = "ForgotPassword"
	eventPasswordChange = "PasswordChange"
	eventResendCode     = "ResendCode"

	responsePass       = "Pass"
	responseFail       = "Fail"
	responseInProgress = "InProgress"

	decisionNoRisk   = "NoRisk"
	decisionTakeover = "AccountTakeover"
	decisionBlock    = "Block"
)

// msgAddOnNotEnabled answers the event operations on a pool without
// threat protection. Not a message Cognito is known to use.
const msgAddOnNotEnabled = "Advanced security features are not enabled for this user pool."

var (
	feedbackValues = []string{"Valid", "Invalid"}
	patEventID     = mustPattern(`[\w+-]+`)
)

// challengeResponse is ChallengeResponseType.
type challengeResponse struct {
	ChallengeName     string `json:"ChallengeName"`     // Password | Mfa (a passkey: see webAuthnSteps)
	ChallengeResponse string `json:"ChallengeResponse"` // Success | Failure
}

// eventRisk is EventRiskType.
type eventRisk struct {
	RiskDecision                   string `json:"RiskDecision,omitempty"`
	RiskLevel                      string `json:"RiskLevel,omitempty"`
	CompromisedCredentialsDetected bool   `json:"CompromisedCredentialsDetected"`
}

// eventContext is EventContextDataType.
type eventContext struct {
	IpAddress  string `json:"IpAddress,omitempty"`
	DeviceName string `json:"DeviceName,omitempty"`
	Timezone   string `json:"Timezone,omitempty"`
	City       string `json:"City,omitempty"`
	Country    string `json:"Country,omitempty"`
}

// eventFeedback is EventFeedbackType.
type eventFeedback struct {
	FeedbackValue string       `json:"FeedbackValue"`
	Provider      string       `json:"Provider"`
	FeedbackDate  epochSeconds `json:"FeedbackDate"`
}

// authEvent is AuthEventType as the API shows it.
type authEvent struct {
	EventId            string              `json:"EventId"`
	EventType          string              `json:"EventType"`
	CreationDate       epochSeconds        `json:"CreationDate"`
	EventResponse      string              `json:"EventResponse"`
	EventRisk          eventRisk           `json:"EventRisk"`
	ChallengeResponses []challengeResponse `json:"ChallengeResponses"`
	EventContextData   *eventContext       `json:"EventContextData,omitempty"`
	EventFeedback      *eventFeedback      `json:"EventFeedback,omitempty"`
}

// storedEvent is an event with what the emulator keeps beside it.
type storedEvent struct {
	authEvent
	Username string `json:"Username"`
	// Key is the stored identifier (not stored itself).
	Key string `json:"-"`
}

// eventPrefix is the key prefix of a user's events.
func eventPrefix(poolID, sub string) string { return poolID + "|" + sub + "|" }

// maxEventSeq inverts sequences so that the newest event sorts first.
const maxEventSeq = 999_999_999_999

// newEvent starts an event of u, with the next key of its list.
func newEvent(env handler.Env, tx handler.Tx, poolID string, u *user, typ string) (*storedEvent, error) {
	n, err := tx.Count(typeAuthEvent, eventPrefix(poolID, u.Sub))
	if err != nil {
		return nil, fmt.Errorf("count auth events: %w", err)
	}
	seq := int64(n) + 1
	id, err := newUUID(env.Rand)
	if err != nil {
		return nil, err
	}
	if id, err = eventIDWithSeq(id, seq); err != nil { // event_ids.go
		return nil, err
	}
	return &storedEvent{
		authEvent: authEvent{EventId: id, EventType: typ, CreationDate: epochSeconds(env.Now),
			EventRisk: eventRisk{RiskDecision: decisionNoRisk, RiskLevel: "Low"}, ChallengeResponses: []challengeResponse{}},
		Username: u.Username,
		Key:      eventKey(poolID, u.Sub, seq),
	}, nil
}

func (e *storedEvent) save(tx handler.Tx) error { return putJSON(tx, typeAuthEvent, e.Key, e) }

// hadMFA reports whether the sign-in passed a second factor.
func (e *storedEvent) hadMFA() bool { return hadMFA(e.ChallengeResponses) }

// hadMFA reports whether steps include a second factor passed.
func hadMFA(steps []challengeResponse) bool {
	for _, c := range steps {
		if c.ChallengeName == "Mfa" && c.ChallengeResponse == "Success" {
			return true
		}
	}
	return false
}

// loadEvent reads the stored event under key.
func loadEvent(tx handler.Tx, key string) (*storedEvent, error) {
	var e storedEvent
	found, err := getJSON(tx, typeAuthEvent, key, &e)
	if err != nil || !found {
		return nil, err
	}
	e.Key = key
	return &e, nil
}

// deleteUserEvents removes a user's events (its deletion).
func deleteUserEvents(tx handler.Tx, poolID, sub string) error {
	if sub == "" {
		return nil
	}
	recs, err := tx.List(typeAuthEvent, eventPrefix(poolID, sub))
	if err != nil {
		return fmt.Errorf("list auth events: %w", err)
	}
	for _, r := range recs {
		if err := deleteIfPresent(tx, typeAuthEvent, r.Identifier); err != nil {
			return err
		}
	}
	return nil
}

// eventLinkKey is the identifier of the link from a challenge session to its
// sign-in event: the session's hash, never the session itself.
func eventLinkKey(poolID, session string) string {
	sum := sha256.Sum256([]byte(session))
	return poolID + "|" + hex.EncodeToString(sum[:])
}

// ---- The wrapper ----

// eventSpec says what event an operation records.
type eventSpec struct {
	typ     string
	admin   bool
	respond bool   // RespondToAuthChallenge
	filter  string // compromised-credentials EventFilter of its password
}

var eventedOperations = map[string]eventSpec{
	"InitiateAuth":                {typ: eventSignIn, filter: "SIGN_IN"},
	"AdminInitiateAuth":           {typ: eventSignIn, admin: true, filter: "SIGN_IN"},
	"RespondToAuthChallenge":      {typ: eventSignIn, respond: true, filter: "SIGN_IN"},
	"AdminRespondToAuthChallenge": {typ: eventSignIn, admin: true, respond: true, filter: "SIGN_IN"},
	"SignUp":                      {typ: eventSignUp, filter: "SIGN_UP"},
	"ForgotPassword":              {typ: eventForgotPassword},
	"ConfirmForgotPassword":       {typ: eventPasswordChange, filter: "PASSWORD_CHANGE"},
	"ChangePassword":              {typ: eventPasswordChange, filter: "PASSWORD_CHANGE"},
	"ResendConfirmationCode":      {typ: eventResendCode},
}

// withAuthEvents wraps the operations that record auth events.
func withAuthEvents(ops map[string]Operation) {
	for name, spec := range eventedOperations {
		if op, ok := ops[name]; ok {
			ops[name] = auditedOperation(spec, op)
		}
	}
}

// eventRequest is what the wrapper reads of a request.
type eventRequest struct {
	UserPoolId         string            `json:"UserPoolId"`
	ClientId           string            `json:"ClientId"`
	Username           string            `json:"Username"`
	AccessToken        string            `json:"AccessToken"`
	Session            string            `json:"Session"`
	AuthFlow           string            `json:"AuthFlow"`
	ChallengeName      string            `json:"ChallengeName"`
	Password           string            `json:"Password"`
	ProposedPassword   string            `json:"ProposedPassword"`
	AuthParameters     map[string]string `json:"AuthParameters"`
	ChallengeResponses map[string]string `json:"ChallengeResponses"`
	ContextData        *contextData      `json:"ContextData"`
	UserContextData    *contextData      `json:"UserContextData"`
}

// audit is one evented request in progress.
type audit struct {
	ctx    context.Context
	env    handler.Env
	tx     handler.Tx
	spec   eventSpec
	in     *eventRequest
	cfg    *poolConfig
	client *clientModel
	risk   *riskContext
}

func auditedOperation(spec eventSpec, op Operation) Operation {
	return func(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
		var in eventRequest
		if peekBody(body, &in) != nil {
			return op(ctx, env, tx, body)
		}
		if spec.typ == eventSignIn && !spec.respond {
			switch in.AuthFlow {
			case flowRefreshToken, flowRefresh, "":
				return op(ctx, env, tx, body) // refreshing is not an auth event
			}
		}
		a, err := newAudit(ctx, env, tx, spec, &in)
		if err != nil {
			return nil, err
		}
		if a == nil {
			return op(ctx, env, tx, body)
		}
		return a.run(op, body)
	}
}

// newAudit resolves the pool of a request; nil when the pool cannot be
// told (the operation then answers the request alone) or its threat
// protection is off.
func newAudit(ctx context.Context, env handler.Env, tx handler.Tx, spec eventSpec, in *eventRequest) (*audit, error) {
	var poolID string
	var client *clientModel
	switch {
	case in.UserPoolId != "":
		poolID = in.UserPoolId
		if in.ClientId != "" {
			c, err := loadClient(tx, poolID, in.ClientId)
			if err == nil {
				client = c
			}
		}
	case in.ClientId != "":
		p, c, err := requestOf(ctx).findClient(tx, in.ClientId)
		if err != nil {
			return nil, nil
		}
		poolID, client = p, c
	case in.AccessToken != "":
		p, _, ok := tokenPool(in.AccessToken)
		if !ok {
			return nil, nil
		}
		poolID = p
	default:
		return nil, nil
	}
	pool, err := loadPool(tx, poolID)
	if err != nil {
		return nil, nil //nolint:nilerr // the operation reports a missing pool
	}
	mode := securityMode(pool)
	if mode == securityOff {
		return nil, nil
	}
	clientID := ""
	if client != nil {
		clientID = client.ClientId
	}
	conf, err := effectiveRisk(tx, poolID, clientID)
	if err != nil {
		return nil, err
	}
	return &audit{ctx: ctx, env: env, tx: tx, spec: spec, in: in, cfg: poolConfigOf(pool), client: client,
		risk: newRiskContext(requestOf(ctx).r, mode, conf, client, in.ContextData, in.UserContextData)}, nil
}

// username is the user a request names before it runs.
func (a *audit) username() string {
	switch {
	case a.spec.typ == eventSignIn && a.spec.respond:
		return a.in.ChallengeResponses["USERNAME"]
	case a.spec.typ == eventSignIn:
		return a.in.AuthParameters["USERNAME"]
	}
	return a.in.Username
}

// findUser resolves the request's user; nil when there is none.
func (a *audit) findUser() *user {
	if a.in.AccessToken != "" {
		// Only a verified token names its user: a forged one must not
		// leave events on someone else.
		tc, err := withAccessToken(a.ctx, a.env, a.tx, &a.in.AccessToken)
		if err != nil {
			return nil
		}
		return tc.user
	}
	name := a.username()
	if name == "" {
		return nil
	}
	u, err := findUser(a.tx, a.cfg, name)
	if err != nil {
		return nil
	}
	return u
}

// sessionIn is the session string a RespondToAuthChallenge continues.
func (a *audit) sessionIn() string {
	if a.in.ChallengeName == chPasswordVerifier {
		return a.in.ChallengeResponses["PASSWORD_CLAIM_SECRET_BLOCK"]
	}
	return a.in.Session
}

// password is the password a request presents, "" for none.
func (a *audit) password() string {
	switch {
	case a.spec.typ == eventSignIn && a.spec.respond:
		if a.in.ChallengeName == chNewPassword {
			return a.in.ChallengeResponses["NEW_PASSWORD"]
		}
		return a.in.ChallengeResponses["PASSWORD"]
	case a.spec.typ == eventSignIn:
		return a.in.AuthParameters["PASSWORD"]
	case a.in.ProposedPassword != "":
		return a.in.ProposedPassword
	}
	return a.in.Password
}

// passwordStep reports whether the request answers the password factor.
func (a *audit) passwordStep() bool {
	return a.password() != "" && a.in.ChallengeName != chNewPassword || a.in.ChallengeName == chPasswordVerifier
}

// webAuthnStep reports whether the request answers the WEB_AUTHN
// challenge of USER_AUTH: a passkey as the first factor.
func (a *audit) webAuthnStep() bool {
	return a.spec.typ == eventSignIn && a.spec.respond && a.in.ChallengeName == chWebAuthn
}

// webAuthnSteps are the ChallengeResponses of a passkey assertion with
// outcome (Success | Failure). ChallengeResponseType.ChallengeName is the
// enum ChallengeName, whose only values are Password and Mfa: it has no
// WebAuthn or passkey value, and AWS does not document what an event
// records for a passkey. So the emulator records the passkey under the
// first-factor value, Password, and, when the accepted passkey also
// satisfied MFA (passkey MFA with user verification, passkeys_mfa.go),
// Mfa: Success as well — the emulator's rule, within what the enum allows.
// A refused passkey is a failed first factor only.
func (a *audit) webAuthnSteps(u *user, outcome string) []challengeResponse {
	steps := []challengeResponse{{"Password", outcome}}
	if outcome == "Success" && u != nil && passkeyMFA(a.cfg, u) {
		// webAuthnAnswer accepts no assertion without user verification
		// while passkey MFA is in force, so acceptance means MFA.
		steps = append(steps, challengeResponse{"Mfa", "Success"})
	}
	return steps
}

// mfaStep reports whether the request answers a second factor.
func (a *audit) mfaStep() bool {
	switch a.in.ChallengeName {
	case chSMSMFA, chSoftwareToken, chEmailOTP, chSMSOTP, chMFASetup:
		return true
	}
	return false
}

// notAnAttempt reports a refusal of a malformed request, which records
// no event.
func notAnAttempt(ae *APIError) bool {
	switch ae.Type {
	case typeInvalidParameter, typeSerialization, typeResourceNotFound:
		return true
	}
	return false
}

// blockedError is threat protection's refusal, marked Commit so that the
// event recording it is kept.
func blockedError(typ, msg string) *APIError {
	e := apiErrorf(typ, "%s", msg)
	e.Commit = true
	return e
}

// run runs op for the audited request.
func (a *audit) run(op Operation, body []byte) (any, error) {
	var u *user
	if a.spec.typ != eventSignUp { // a user of that name is someone else
		u = a.findUser()
	}
	var ev *storedEvent
	if a.spec.respond {
		if s := a.sessionIn(); s != "" {
			var link struct{ Key string }
			found, err := getJSON(a.tx, typeAuthEventLink, eventLinkKey(a.cfg.ID, s), &link)
			if err != nil {
				return nil, err
			}
			if found {
				if ev, err = loadEvent(a.tx, link.Key); err != nil {
					return nil, err
				}
			}
		}
	}
	if ev != nil && ev.EventRisk.RiskDecision == decisionTakeover {
		a.risk.level = ev.EventRisk.RiskLevel // the sign-in's risk, decided once
	}
	blockedIP := a.risk.blocked()
	if blockedIP && a.risk.enforced() {
		if u != nil {
			if err := a.record(u, ev, responseFail, decisionBlock, false, nil, ""); err != nil {
				return nil, err
			}
		}
		return nil, blockedError(typeNotAuthorized, msgSecurityBlocked)
	}
	jt := &journalTx{Tx: a.tx}
	out, err := op(a.ctx, a.env, jt, body)
	if err != nil {
		var ae *APIError
		if !errors.As(err, &ae) || u == nil || notAnAttempt(ae) {
			return out, err
		}
		if !ae.Commit {
			if uerr := jt.rollback(); uerr != nil {
				return nil, uerr
			}
		}
		var steps []challengeResponse
		switch {
		case a.passwordStep() && ae.Type == typeNotAuthorized && ae.Message == msgIncorrectPassword:
			steps = append(steps, challengeResponse{"Password", "Failure"})
		case a.mfaStep() && ae.Type == typeCodeMismatch:
			steps = append(steps, challengeResponse{"Mfa", "Failure"})
		case a.webAuthnStep() && ae.Type == typeNotAuthorized && ae.Message == msgIncorrect:
			steps = a.webAuthnSteps(u, "Failure")
		}
		decision := ""
		if blockedIP {
			decision = decisionBlock
		}
		if err := a.record(u, ev, responseFail, decision, false, steps, ""); err != nil {
			return nil, err
		}
		kept := *ae
		kept.Commit = true
		return nil, &kept
	}
	if u == nil {
		if u = a.findUser(); u == nil { // SignUp made it
			return out, nil
		}
	}
	resp, _ := out.(*authResponse)
	if resp != nil && resp.ChallengeName == chPasswordVerifier && ev == nil {
		return out, nil // the SRP first step: the event starts with the password's proof
	}
	return a.afterSuccess(u, ev, jt, out, resp, blockedIP)
}

// afterSuccess applies threat protection to a request the operation
// accepted, and records its event.
func (a *audit) afterSuccess(u *user, ev *storedEvent, jt *journalTx, out any, resp *authResponse, blockedIP bool) (any, error) {
	var steps []challengeResponse
	if a.passwordStep() {
		steps = append(steps, challengeResponse{"Password", "Success"})
	}
	if a.mfaStep() {
		steps = append(steps, challengeResponse{"Mfa", "Success"})
	}
	if a.webAuthnStep() {
		steps = append(steps, a.webAuthnSteps(u, "Success")...)
	}
	decision := ""
	if blockedIP {
		decision = decisionBlock // AUDIT: recorded, not applied
	}
	compromised := false
	if pw := a.password(); pw != "" && a.spec.filter != "" {
		filter := a.spec.filter
		if a.in.ChallengeName == chNewPassword {
			filter = "PASSWORD_CHANGE"
		}
		if checked, block := a.risk.compromisedAction(filter); checked && isCompromised(pw) {
			compromised = true
			if block && a.risk.enforced() {
				return nil, a.refuseCompromised(u, ev, jt, steps)
			}
		}
	}
	if a.spec.typ != eventSignIn {
		return out, a.record(u, ev, responsePass, decision, compromised, steps, "")
	}
	response := responsePass
	if resp != nil && resp.AuthenticationResult == nil {
		response = responseInProgress
	}
	if act := a.risk.takeoverAction(); act != nil && a.risk.enforced() {
		action := deref(act.EventAction, "NO_ACTION")
		notify := deref(act.Notify, false)
		switch action {
		case "BLOCK":
			if err := jt.rollback(); err != nil {
				return nil, err
			}
			e, err := a.recordEvent(u, ev, responseFail, decisionBlock, compromised, steps, "")
			if err != nil {
				return nil, err
			}
			if notify {
				if err := a.notify(u, e, action); err != nil {
					return nil, err
				}
			}
			return nil, blockedError(typeNotAuthorized, msgSecurityBlocked)
		case "MFA_IF_CONFIGURED", "MFA_REQUIRED":
			// The action asks for MFA; a sign-in that has already passed
			// an MFA-grade step (a code, or a passkey that satisfied MFA)
			// is not asked again. AWS: adaptive authentication adds MFA
			// "when Amazon Cognito detects risk in a user's session, and
			// the user hasn't yet chosen an MFA method", and a passkey
			// with user verification under MULTI_FACTOR_WITH_USER_VERIFICATION
			// "satisfies MFA requirements"; that the two combine so is the
			// emulator's reading (AWS does not document the case).
			if response == responsePass && (ev == nil || !ev.hadMFA()) && !hadMFA(steps) {
				next, err := a.requireMFA(u, jt, action)
				if err != nil {
					var ae *APIError
					if errors.As(err, &ae) {
						if _, rerr := a.recordEvent(u, ev, responseFail, decisionBlock, compromised, steps, ""); rerr != nil {
							return nil, rerr
						}
					}
					return nil, err
				}
				if next != nil {
					out, resp, response = next, next, responseInProgress
				}
			}
		}
		session := ""
		if resp != nil {
			session = resp.Session
		}
		e, err := a.recordEvent(u, ev, response, decisionTakeover, compromised, steps, session)
		if err != nil {
			return nil, err
		}
		if notify && (ev == nil) {
			if err := a.notify(u, e, action); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	if a.risk.level != "" {
		decision = decisionTakeover
	}
	session := ""
	if resp != nil {
		session = resp.Session
		if resp.ChallengeName == chPasswordVerifier {
			session = resp.ChallengeParameters["SECRET_BLOCK"]
		}
	}
	return out, a.record(u, ev, response, decision, compromised, steps, session)
}

// refuseCompromised undoes a request that presented a compromised
// password, records it, and answers: a blocked sign-in also makes the user
// reset their password (status RESET_REQUIRED), as Cognito does.
func (a *audit) refuseCompromised(u *user, ev *storedEvent, jt *journalTx, steps []challengeResponse) error {
	if err := jt.rollback(); err != nil {
		return err
	}
	if a.spec.typ == eventSignIn && a.in.ChallengeName != chNewPassword {
		fresh, err := findUser(a.tx, a.cfg, u.Username)
		if err != nil {
			return err
		}
		if fresh != nil {
			fresh.Status = statusResetRequired
			if err := saveUser(a.env, a.tx, a.cfg, fresh); err != nil {
				return err
			}
		}
		if err := a.record(u, ev, responseFail, decisionBlock, true, steps, ""); err != nil {
			return err
		}
		return blockedError(typeNotAuthorized, msgSecurityBlocked)
	}
	if a.spec.typ == eventSignUp {
		return blockedError(typeInvalidPassword, msgCompromisedPassword) // the user is gone with the rollback
	}
	if err := a.record(u, ev, responseFail, decisionBlock, true, steps, ""); err != nil {
		return err
	}
	return blockedError(typeInvalidPassword, msgCompromisedPassword)
}

// requireMFA turns a completed sign-in into the MFA challenge an
// account-takeover action asks for. The tokens already drawn are dropped
// unseen. Without an MFA method, MFA_IF_CONFIGURED lets the sign-in
// through (nil) and MFA_REQUIRED blocks it.
func (a *audit) requireMFA(u *user, jt *journalTx, action string) (*authResponse, error) {
	f := &flow{ri: requestOf(a.ctx), env: a.env, tx: a.tx, cfg: a.cfg, client: a.client, admin: a.spec.admin}
	if f.client == nil {
		return nil, nil
	}
	methods := f.userMFAs(u)
	if len(methods) == 0 {
		if action == "MFA_REQUIRED" {
			if err := jt.rollback(); err != nil {
				return nil, err
			}
			return nil, blockedError(typeNotAuthorized, msgSecurityBlocked)
		}
		return nil, nil
	}
	m := methods[0]
	if contains(methods, u.MFA.Preferred) {
		m = u.MFA.Preferred
	}
	out, err := f.mfaChallenge(u, m, a.env.Now.Unix())
	if err != nil {
		return nil, err
	}
	resp, _ := out.(*authResponse)
	return resp, nil
}

// record stores the request's event (see recordEvent).
func (a *audit) record(u *user, ev *storedEvent, response, decision string, compromised bool, steps []challengeResponse, session string) error {
	_, err := a.recordEvent(u, ev, response, decision, compromised, steps, session)
	return err
}

// recordEvent creates or continues the event of u: response, the risk
// decision ("" keeps the one made), the challenge outcomes of this step,
// and a link from session (a challenge's) to the event.
func (a *audit) recordEvent(u *user, ev *storedEvent, response, decision string, compromised bool, steps []challengeResponse, session string) (*storedEvent, error) {
	if ev == nil {
		var err error
		if ev, err = newEvent(a.env, a.tx, a.cfg.ID, u, a.spec.typ); err != nil {
			return nil, err
		}
		ctx := &eventContext{IpAddress: a.risk.ip, DeviceName: a.risk.device}
		if ctx.IpAddress != "" || ctx.DeviceName != "" {
			ev.EventContextData = ctx
		}
		if a.risk.level != "" && !a.risk.skipped() {
			ev.EventRisk.RiskLevel = a.risk.level
			ev.EventRisk.RiskDecision = decisionTakeover
		}
	}
	ev.EventResponse = response
	if decision != "" && ev.EventRisk.RiskDecision != decisionBlock {
		ev.EventRisk.RiskDecision = decision
	}
	ev.EventRisk.CompromisedCredentialsDetected = ev.EventRisk.CompromisedCredentialsDetected || compromised
	ev.ChallengeResponses = append(ev.ChallengeResponses, steps...)
	if err := ev.save(a.tx); err != nil {
		return nil, err
	}
	clientID := ""
	if a.client != nil {
		clientID = a.client.ClientId
	}
	if err := logAuthEvent(a.env, a.tx, a.cfg.ID, clientID, u, ev); err != nil {
		return nil, err
	}
	if response == responseInProgress && session != "" {
		if err := putJSON(a.tx, typeAuthEventLink, eventLinkKey(a.cfg.ID, session), map[string]string{"Key": ev.Key}); err != nil {
			return nil, err
		}
	}
	return ev, nil
}

// ---- Risk notifications and feedback tokens ----

// feedbackToken is the token of the links of a risk notification: an
// HMAC of the pool, user and event under the pool's secret ID-token key,
// so it names one event and nobody else can make one.
func feedbackToken(ctx context.Context, env handler.Env, tx handler.Tx, poolID, username, eventID string) (string, error) {
	keys, err := requestOf(ctx).poolKeys(env, tx, poolID)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, keys.id.priv.D.Bytes())
	mac.Write([]byte("ccql auth event feedback\x00" + poolID + "\x00" + username + "\x00" + eventID))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
}

// notify writes threat protection's notification e-mail to the outbox,
// with its two feedback links (Valid, Invalid). A user without an e-mail
// address gets none, as Cognito notifies by e-mail only.
func (a *audit) notify(u *user, ev *storedEvent, action string) error {
	email, _ := u.attr("email")
	if email == "" {
		return nil
	}
	token, err := feedbackToken(a.ctx, a.env, a.tx, a.cfg.ID, u.Username, ev.EventId)
	if err != nil {
		return err
	}
	link := func(value string) string {
		q := url.Values{"user_pool_id": {a.cfg.ID}, "username": {u.Username}, "event_id": {ev.EventId},
			"feedback_token": {token}, "feedback_value": {value}}
		return fmt.Sprintf("https://cognito-idp.%s.amazonaws.com/feedback?%s", a.env.Region, q.Encode())
	}
	t := a.risk.notificationTemplate(action)
	city, country := "Unknown", "Unknown"
	repl := strings.NewReplacer("{username}", u.Username, "{ip-address}", a.risk.ip, "{city}", city,
		"{country}", country, "{login-time}", a.env.Now.UTC().Format("2006-01-02 15:04:05 UTC"),
		"{device-name}", a.risk.device, "{one-click-link-valid}", link("Valid"), "{one-click-link-invalid}", link("Invalid"))
	body := t.TextBody
	if body == "" {
		body = t.HtmlBody
	}
	return recordMessage(a.env, a.tx, &Message{
		UserPoolId: a.cfg.ID, Username: u.Username, Kind: MessageRiskNotification,
		DeliveryMedium: MediumEmail, AttributeName: "email", Destination: email,
		Subject: repl.Replace(t.Subject), Message: repl.Replace(body), Code: token,
	})
}

// ---- The operations ----

// eventsOperations are the auth-event operations of issue 17.
func eventsOperations() map[string]Operation {
	return map[string]Operation{
		"AdminListUserAuthEvents":      opAdminListUserAuthEvents,
		"AdminUpdateAuthEventFeedback": opAdminUpdateAuthEventFeedback,
		"UpdateAuthEventFeedback":      opUpdateAuthEventFeedback,
	}
}

// eventsUser loads the pool and user of an event operation, refusing a
// pool without threat protection.
func eventsUser(tx handler.Tx, poolID, username string) (*poolConfig, *user, error) {
	pool, err := loadPool(tx, poolID)
	if err != nil {
		return nil, nil, err
	}
	if securityMode(pool) == securityOff {
		return nil, nil, apiErrorf("UserPoolAddOnNotEnabledException", msgAddOnNotEnabled)
	}
	cfg := poolConfigOf(pool)
	u, err := getUser(tx, cfg, username)
	if err != nil {
		return nil, nil, err
	}
	return cfg, u, nil
}

func opAdminListUserAuthEvents(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		adminUserInput
		MaxResults *int    `json:"MaxResults"`
		NextToken  *string `json:"NextToken"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	in.check(&v)
	v.checkInt("maxResults", in.MaxResults, 0, 60)
	v.checkString("nextToken", in.NextToken, 1, 131072, &patNextToken)
	if err := v.err(); err != nil {
		return nil, err
	}
	cfg, u, err := eventsUser(tx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	size := 60
	if in.MaxResults != nil && *in.MaxResults > 0 {
		size = *in.MaxResults
	}
	// Events are stored newest first (an inverted sequence), AWS's order.
	p, err := keyPage(tx, typeAuthEvent, eventPrefix(cfg.ID, u.Sub), size, in.NextToken, "AdminListUserAuthEvents|"+cfg.ID+"|"+u.Sub, nil)
	if err != nil {
		return nil, err
	}
	events := make([]authEvent, 0, len(p.recs))
	for _, r := range p.recs {
		var e storedEvent
		if err := decodeRaw(r.Model, &e); err != nil {
			return nil, err
		}
		events = append(events, e.authEvent)
	}
	out := map[string]any{"AuthEvents": events}
	if p.next != "" {
		out["NextToken"] = p.next
	}
	return out, nil
}

// feedbackInput is the request of the two feedback operations.
type feedbackInput struct {
	adminUserInput
	EventId       *string `json:"EventId"`
	FeedbackValue *string `json:"FeedbackValue"`
	FeedbackToken *string `json:"FeedbackToken"`
}

func (in *feedbackInput) check(v *violations, withToken bool) {
	in.adminUserInput.check(v)
	v.checkRequiredString("eventId", in.EventId, 1, 50, &patEventID)
	if withToken {
		v.checkSensitive("feedbackToken", in.FeedbackToken, 1, 0, nil, true)
	}
	if in.FeedbackValue == nil {
		v.add("null", "feedbackValue", "Member must not be null")
	}
	v.checkEnum("feedbackValue", in.FeedbackValue, feedbackValues)
}

// setFeedback finds the event of a feedback request and stores the
// feedback; verify, when set, checks the request first.
func setFeedback(env handler.Env, tx handler.Tx, in *feedbackInput, provider string, verify func(*poolConfig, *user) error) error {
	cfg, u, err := eventsUser(tx, *in.UserPoolId, *in.Username)
	if err != nil {
		return err
	}
	if verify != nil {
		if err := verify(cfg, u); err != nil {
			return err
		}
	}
	ev, err := findEvent(tx, cfg.ID, u, *in.EventId)
	if err != nil {
		return err
	}
	if ev == nil {
		// Not a message Cognito is known to use for an unknown event.
		return resourceNotFound("Auth event %s does not exist.", *in.EventId)
	}
	ev.EventFeedback = &eventFeedback{FeedbackValue: *in.FeedbackValue, Provider: provider, FeedbackDate: epochSeconds(env.Now)}
	return ev.save(tx)
}

func opAdminUpdateAuthEventFeedback(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in feedbackInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	in.check(&v, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := setFeedback(env, tx, &in, "Admin", nil); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opUpdateAuthEventFeedback(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in feedbackInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	in.check(&v, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	verify := func(cfg *poolConfig, u *user) error {
		want, err := feedbackToken(ctx, env, tx, cfg.ID, u.Username, *in.EventId)
		if err != nil {
			return err
		}
		if !hmac.Equal([]byte(want), []byte(*in.FeedbackToken)) {
			// Not a message Cognito is known to use for a wrong token.
			return apiErrorf(typeNotAuthorized, "Invalid feedback token.")
		}
		return nil
	}
	if err := setFeedback(env, tx, &in, "User", verify); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// ---- A transaction that can undo ----

// journalTx passes through to Tx and remembers how to undo each write, so
// that a request refused after its operation ran leaves nothing but what
// the refusal records.
type journalTx struct {
	handler.Tx
	undo []func() error
}

func (j *journalTx) remember(typeName, identifier string) error {
	prev, err := j.Tx.Get(typeName, identifier)
	switch {
	case errors.Is(err, handler.ErrNotFound):
		j.undo = append(j.undo, func() error {
			if err := j.Tx.Delete(typeName, identifier); err != nil && !errors.Is(err, handler.ErrNotFound) {
				return fmt.Errorf("undo put %s %s: %w", typeName, identifier, err)
			}
			return nil
		})
	case err != nil:
		return fmt.Errorf("journal %s %s: %w", typeName, identifier, err)
	default:
		j.undo = append(j.undo, func() error {
			if err := j.Tx.Put(typeName, identifier, prev); err != nil {
				return fmt.Errorf("undo %s %s: %w", typeName, identifier, err)
			}
			return nil
		})
	}
	return nil
}

// Put stores model, remembering what was there.
func (j *journalTx) Put(typeName, identifier string, model json.RawMessage) error {
	if err := j.remember(typeName, identifier); err != nil {
		return err
	}
	return j.Tx.Put(typeName, identifier, model)
}

// Delete removes a model, remembering it.
func (j *journalTx) Delete(typeName, identifier string) error {
	if err := j.remember(typeName, identifier); err != nil {
		return err
	}
	return j.Tx.Delete(typeName, identifier)
}

// rollback undoes the writes made through j, newest first.
func (j *journalTx) rollback() error {
	for i := len(j.undo) - 1; i >= 0; i-- {
		if err := j.undo[i](); err != nil {
			return err
		}
	}
	j.undo = nil
	return nil
}
