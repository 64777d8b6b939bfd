package cognito

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Auth events and threat protection of the hosted UI's sign-in
// (hostedui_users.go): the login page's password step and the challenge
// pages record the same SignIn event as the API's flows, and the same risk
// rules apply: a blocked address, a compromised password, an
// account-takeover action (BLOCK, or an MFA page for MFA_IF_CONFIGURED /
// MFA_REQUIRED). The pages' own transactions are not journaled, so the
// event and the refusal are written in a transaction of their own after
// the step.

// hostedAudit prepares the audit of a hosted UI sign-in step; nil when
// the pool's threat protection is off.
func (o *OAuth) hostedAudit(r *http.Request, a *authzRequest) (*audit, error) {
	var out *audit
	err := o.cfg.Store.View(r.Context(), func(scope Scope) error {
		tx, env := a.ref.tx(scope), o.envOf(a.ref)
		pool, err := loadPool(tx, a.ref.poolID)
		if err != nil {
			return err
		}
		mode := securityMode(pool)
		if mode == securityOff {
			return nil
		}
		conf, err := effectiveRisk(tx, a.ref.poolID, a.client.ClientId)
		if err != nil {
			return err
		}
		out = &audit{ctx: context.WithoutCancel(r.Context()), env: env, spec: eventSpec{typ: eventSignIn, filter: "SIGN_IN"},
			in: &eventRequest{}, cfg: poolConfigOf(pool), client: a.client,
			risk: newRiskContext(r, mode, conf, a.client, nil, nil)}
		return nil
	})
	return out, err
}

// inTx runs fn with the audit bound to a write transaction of the pool.
func (o *OAuth) inTx(r *http.Request, a *authzRequest, au *audit, fn func(u *user) error, username string) error {
	return o.update(r, func(scope Scope) error {
		au.tx, au.env = a.ref.tx(scope), o.envOf(a.ref)
		u, err := findUser(au.tx, au.cfg, username)
		if err != nil || u == nil {
			return err
		}
		return fn(u)
	})
}

// auditedPasswordSignIn is the login page's password step under threat
// protection.
func (o *OAuth) auditedPasswordSignIn(r *http.Request, a *authzRequest, username, password string) (*signInStep, error) {
	au, err := o.hostedAudit(r, a)
	if err != nil || au == nil {
		if err != nil {
			return nil, err
		}
		return o.passwordSignIn(r, a, username, password)
	}
	blockedIP := au.risk.blocked()
	if blockedIP && au.risk.enforced() {
		if err := o.inTx(r, a, au, func(u *user) error {
			return au.record(u, nil, responseFail, decisionBlock, false, nil, "")
		}, username); err != nil {
			return nil, err
		}
		return nil, apiErrorf(typeNotAuthorized, msgSecurityBlocked)
	}
	step, stepErr := o.passwordSignIn(r, a, username, password)
	var refusal error
	err = o.inTx(r, a, au, func(u *user) error {
		decision := ""
		if blockedIP {
			decision = decisionBlock
		}
		if stepErr != nil {
			var ae *APIError
			if !errors.As(stepErr, &ae) {
				return nil
			}
			var steps []challengeResponse
			if ae.Type == typeNotAuthorized && ae.Message == msgIncorrectPassword {
				steps = append(steps, challengeResponse{"Password", "Failure"})
			}
			return au.record(u, nil, responseFail, decision, false, steps, "")
		}
		steps := []challengeResponse{{"Password", "Success"}}
		compromised := false
		if checked, block := au.risk.compromisedAction("SIGN_IN"); checked && isCompromised(password) {
			compromised = true
			if block && au.risk.enforced() {
				u.Status = statusResetRequired
				if err := saveUser(au.env, au.tx, au.cfg, u); err != nil {
					return err
				}
				refusal = apiErrorf(typeNotAuthorized, msgSecurityBlocked)
				return au.record(u, nil, responseFail, decisionBlock, true, steps, "")
			}
		}
		if au.risk.level != "" {
			decision = decisionTakeover
		}
		act := au.risk.takeoverAction()
		if act != nil && au.risk.enforced() {
			action := deref(act.EventAction, "NO_ACTION")
			switch action {
			case "BLOCK":
				refusal = apiErrorf(typeNotAuthorized, msgSecurityBlocked)
				decision = decisionBlock
			case "MFA_IF_CONFIGURED", "MFA_REQUIRED":
				if step.user != nil {
					next, err := o.riskChallenge(au, a, u, action)
					if err != nil {
						var ae *APIError
						if !errors.As(err, &ae) {
							return err
						}
						refusal, decision = err, decisionBlock
					} else if next != nil {
						step = next
					}
				}
			}
		}
		response := responsePass
		if refusal != nil {
			response = responseFail
		} else if step.user == nil {
			response = responseInProgress
		}
		ev, err := au.recordEvent(u, nil, response, decision, compromised, steps, "")
		if err != nil {
			return err
		}
		if act != nil && au.risk.enforced() && deref(act.Notify, false) {
			return au.notify(u, ev, deref(act.EventAction, "NO_ACTION"))
		}
		return nil
	}, username)
	switch {
	case err != nil:
		return nil, err
	case stepErr != nil:
		return nil, stepErr
	case refusal != nil:
		return nil, refusal
	}
	return step, nil
}

// riskChallenge is the MFA page an account-takeover action asks for, for
// a user with MFA; nil when the user has none and the action lets the
// sign-in through, and the security refusal when it does not.
func (o *OAuth) riskChallenge(au *audit, a *authzRequest, u *user, action string) (*signInStep, error) {
	f := &flow{env: au.env, tx: au.tx, cfg: au.cfg, client: a.client}
	methods := f.userMFAs(u)
	if len(methods) == 0 {
		if action == "MFA_REQUIRED" {
			return nil, apiErrorf(typeNotAuthorized, msgSecurityBlocked)
		}
		return nil, nil
	}
	m := methods[0]
	if contains(methods, u.MFA.Preferred) {
		m = u.MFA.Preferred
	}
	p := &pendingChallenge{ref: a.ref, clientID: a.client.ClientId, username: u.Username, challenge: m}
	if m == chSMSMFA || m == chEmailOTP {
		var s authSession
		if _, err := f.sendOTP(u, &s, m); err != nil {
			return nil, err
		}
		p.codeHash = s.CodeHash
	}
	validity := time.Duration(max(a.client.AuthSessionValidity, DefaultAuthSessionValidity)) * time.Minute
	id, err := o.putChallenge(p, validity)
	if err != nil {
		return nil, err
	}
	return &signInStep{challenge: m, session: id, username: u.Username}, nil
}

// auditedRespondChallenge is a challenge page's answer under threat
// protection: it continues the user's sign-in event in progress.
func (o *OAuth) auditedRespondChallenge(r *http.Request, a *authzRequest, challenge, session, username string, answers map[string]string) (*signInStep, error) {
	au, err := o.hostedAudit(r, a)
	if err != nil {
		return nil, err
	}
	step, stepErr := o.respondChallenge(r, a, challenge, session, username, answers)
	if au == nil {
		return step, stepErr
	}
	err = o.inTx(r, a, au, func(u *user) error {
		ev, err := latestInProgress(au, u)
		if err != nil {
			return err
		}
		mfa := challenge == challengeTOTP || challenge == challengeMFASetup || challenge == chSMSMFA || challenge == chEmailOTP
		var steps []challengeResponse
		response := responsePass
		switch {
		case stepErr != nil:
			var ae *APIError
			if !errors.As(stepErr, &ae) {
				return nil
			}
			response = responseFail
			if mfa && ae.Type == typeCodeMismatch {
				steps = append(steps, challengeResponse{"Mfa", "Failure"})
				response = responseInProgress // the page stays open for another try
			}
		case step.user == nil:
			response = responseInProgress
		}
		if stepErr == nil && mfa {
			steps = append(steps, challengeResponse{"Mfa", "Success"})
		}
		return au.record(u, ev, response, "", false, steps, "")
	}, username)
	if err != nil {
		return nil, err
	}
	return step, stepErr
}

// latestInProgress is u's newest event when it is a sign-in in progress.
func latestInProgress(au *audit, u *user) (*storedEvent, error) {
	recs, err := au.tx.List(typeAuthEvent, eventPrefix(au.cfg.ID, u.Sub))
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	var e storedEvent
	if err := decodeRaw(recs[0].Model, &e); err != nil {
		return nil, err
	}
	if e.EventType != eventSignIn || e.EventResponse != responseInProgress {
		return nil, nil
	}
	e.Key = recs[0].Identifier
	return &e, nil
}
