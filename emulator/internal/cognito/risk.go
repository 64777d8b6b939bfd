package cognito

import (
	"bufio"
	_ "embed" // the compromised-password sample
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/ccql/ccql/internal/handler"
)

// Threat protection (advanced security) applied: the pool's
// UserPoolAddOns.AdvancedSecurityMode and its risk configuration
// (api_settings.go stores it; this file reads it, never changes its
// format) decide what happens to a sign-in, sign-up or password change.
//
//   - RiskExceptionConfiguration: a request from an address in
//     BlockedIPRangeList is refused; one from SkippedIPRangeList skips
//     risk detection (no compromised-credentials check, no account-takeover
//     risk).
//   - CompromisedCredentialsRiskConfiguration: the password presented (the
//     emulator never stores one) is looked up in compromised_passwords.txt,
//     for the events of EventFilter (all three when it is empty).
//   - AccountTakeoverRiskConfiguration: the emulator detects no risk by
//     itself. A request raises one with the emulator-only header
//     X-Ccql-Risk-Level: LOW | MEDIUM | HIGH (on the HTTP request, or among
//     ContextData.HttpHeaders of a server-side flow); the action of that
//     level is applied and, with Notify, a notification goes to the outbox.
//
// AUDIT records what would have happened and never blocks; ENFORCED acts.
// docs/signin.md ("Auth events and risk") describes it.

// riskLevelHeader is the emulator-only header that raises an
// account-takeover risk.
const riskLevelHeader = "X-Ccql-Risk-Level"

// Advanced security modes.
const (
	securityOff      = "OFF"
	securityAudit    = "AUDIT"
	securityEnforced = "ENFORCED"
)

// Messages of threat protection. Cognito answers a sign-in its threat
// protection blocks with this NotAuthorizedException.
const msgSecurityBlocked = "Unable to login because of security reasons."

// msgCompromisedPassword refuses a compromised password at sign-up or a
// password change. Not a message Cognito is known to use.
const msgCompromisedPassword = "The password given has been found in a data breach; choose another password."

//go:embed compromised_passwords.txt
var compromisedText string

// compromisedPasswords is the embedded sample of breached passwords.
var compromisedPasswords = func() map[string]bool {
	out := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(compromisedText))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out[line] = true
	}
	return out
}()

// isCompromised reports whether password is in the embedded sample.
func isCompromised(password string) bool { return password != "" && compromisedPasswords[password] }

// securityMode is the pool's AdvancedSecurityMode: OFF, AUDIT or ENFORCED.
func securityMode(pool map[string]any) string {
	if addOns, ok := pool["UserPoolAddOns"].(map[string]any); ok {
		if m, _ := addOns["AdvancedSecurityMode"].(string); m == securityAudit || m == securityEnforced {
			return m
		}
	}
	return securityOff
}

// effectiveRisk is the risk configuration that applies to clientID: its
// own, else the pool's, else none.
func effectiveRisk(tx handler.Tx, poolID, clientID string) (*riskConfiguration, error) {
	for _, c := range []string{clientID, allClients} {
		if c == "" {
			continue
		}
		var rc riskConfiguration
		found, err := getJSON(tx, typePoolSettings, settingKey(poolID, "risk", c), &rc)
		if err != nil {
			return nil, err
		}
		if found {
			return &rc, nil
		}
	}
	return &riskConfiguration{UserPoolId: poolID}, nil
}

// contextData is the ContextData of the server-side operations
// (ContextDataType) merged with the UserContextData of the public ones.
type contextData struct {
	IpAddress   string `json:"IpAddress"`
	ServerName  string `json:"ServerName"`
	ServerPath  string `json:"ServerPath"`
	EncodedData string `json:"EncodedData"`
	HttpHeaders []struct {
		HeaderName  string `json:"headerName"`
		HeaderValue string `json:"headerValue"`
	} `json:"HttpHeaders"`
}

// header returns the value of a header of ContextData.HttpHeaders.
func (c *contextData) header(name string) string {
	if c == nil {
		return ""
	}
	for _, h := range c.HttpHeaders {
		if strings.EqualFold(h.HeaderName, name) {
			return h.HeaderValue
		}
	}
	return ""
}

// riskContext is what threat protection knows of a request.
type riskContext struct {
	mode   string
	conf   *riskConfiguration
	ip     string // "" when unknown
	device string
	level  string // account-takeover risk raised by the test hook: Low | Medium | High, "" for none
}

// newRiskContext reads a request's address, device and risk hook: the
// IP is ContextData.IpAddress of a server-side flow, else
// UserContextData.IpAddress when the client propagates user context
// data, else the HTTP request's remote address.
func newRiskContext(r *http.Request, mode string, conf *riskConfiguration, client *clientModel, server, user *contextData) *riskContext {
	rc := &riskContext{mode: mode, conf: conf}
	switch {
	case server != nil && server.IpAddress != "":
		rc.ip = server.IpAddress
	case user != nil && user.IpAddress != "" && client != nil && client.EnablePropagateAdditionalUserContextData:
		rc.ip = user.IpAddress
	case r != nil:
		rc.ip = remoteIP(r)
	}
	level := server.header(riskLevelHeader)
	rc.device = server.header("User-Agent")
	if r != nil {
		if level == "" {
			level = r.Header.Get(riskLevelHeader)
		}
		if rc.device == "" {
			rc.device = r.Header.Get("User-Agent")
		}
	}
	rc.level = riskLevelOf(level)
	return rc
}

// remoteIP is the address of r's peer, without the port.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// riskLevelOf reads the hook's value (any case) as a RiskLevelType.
func riskLevelOf(s string) string {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "LOW":
		return "Low"
	case "MEDIUM":
		return "Medium"
	case "HIGH":
		return "High"
	}
	return ""
}

// inRanges reports whether ip falls in one of the CIDR blocks.
func inRanges(ip string, ranges []string) bool {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, cidr := range ranges {
		p, err := netip.ParsePrefix(cidr)
		if err == nil && p.Contains(addr) {
			return true
		}
	}
	return false
}

// blocked reports whether the request's address is in BlockedIPRangeList.
func (rc *riskContext) blocked() bool {
	re := rc.conf.RiskExceptionConfiguration
	return re != nil && rc.ip != "" && inRanges(rc.ip, re.BlockedIPRangeList)
}

// skipped reports whether the request's address is in SkippedIPRangeList.
func (rc *riskContext) skipped() bool {
	re := rc.conf.RiskExceptionConfiguration
	return re != nil && rc.ip != "" && inRanges(rc.ip, re.SkippedIPRangeList)
}

// enforced reports whether the pool acts on risk (ENFORCED) rather than
// only recording it (AUDIT).
func (rc *riskContext) enforced() bool { return rc.mode == securityEnforced }

// compromisedAction reports whether the compromised-credentials check
// covers filter (SIGN_IN, SIGN_UP, PASSWORD_CHANGE), and whether it blocks.
func (rc *riskContext) compromisedAction(filter string) (checked, block bool) {
	cc := rc.conf.CompromisedCredentialsRiskConfiguration
	if cc == nil || rc.skipped() {
		return false, false
	}
	if len(cc.EventFilter) > 0 && !contains(cc.EventFilter, filter) {
		return false, false
	}
	return true, cc.Actions != nil && deref(cc.Actions.EventAction, "") == "BLOCK"
}

// takeoverAction is the configured action for the request's risk level,
// nil when no risk was raised or no action is configured for it.
func (rc *riskContext) takeoverAction() *takeoverAction {
	at := rc.conf.AccountTakeoverRiskConfiguration
	if rc.level == "" || at == nil || at.Actions == nil || rc.skipped() {
		return nil
	}
	switch rc.level {
	case "Low":
		return at.Actions.LowAction
	case "Medium":
		return at.Actions.MediumAction
	default:
		return at.Actions.HighAction
	}
}

// notifyTemplate is a NotifyEmailType.
type notifyTemplate struct {
	Subject  string `json:"Subject"`
	HtmlBody string `json:"HtmlBody"`
	TextBody string `json:"TextBody"`
}

// Default notification e-mails, by the action taken. The placeholders are
// the ones Cognito documents for its notification templates.
var defaultNotifications = map[string]notifyTemplate{
	"BLOCK": {Subject: "Blocked sign-in attempt",
		TextBody: "We blocked an unrecognized sign-in to your account with this information:\n" +
			"Time: {login-time}\nDevice: {device-name}\nLocation: {city}, {country} ({ip-address})\n" +
			"If this was you, you can report it: {one-click-link-valid}\n" +
			"If this was not you, report it: {one-click-link-invalid}"},
	"MFA": {Subject: "New sign-in attempt",
		TextBody: "We observed an unrecognized sign-in to your account with this information:\n" +
			"Time: {login-time}\nDevice: {device-name}\nLocation: {city}, {country} ({ip-address})\n" +
			"If this was you, you can report it: {one-click-link-valid}\n" +
			"If this was not you, report it: {one-click-link-invalid}"},
	"NO_ACTION": {Subject: "New sign-in attempt",
		TextBody: "We observed an unrecognized sign-in to your account with this information:\n" +
			"Time: {login-time}\nDevice: {device-name}\nLocation: {city}, {country} ({ip-address})\n" +
			"If this was you, you can report it: {one-click-link-valid}\n" +
			"If this was not you, report it: {one-click-link-invalid}"},
}

// notificationTemplate is the pool's template for action (BLOCK,
// MFA_IF_CONFIGURED/MFA_REQUIRED, NO_ACTION), or the default.
func (rc *riskContext) notificationTemplate(action string) notifyTemplate {
	kind, member := "NO_ACTION", "NoActionEmail"
	switch action {
	case "BLOCK":
		kind, member = "BLOCK", "BlockEmail"
	case "MFA_IF_CONFIGURED", "MFA_REQUIRED":
		kind, member = "MFA", "MfaEmail"
	}
	t := defaultNotifications[kind]
	if at := rc.conf.AccountTakeoverRiskConfiguration; at != nil {
		if m, ok := at.NotifyConfiguration[member].(map[string]any); ok {
			if s, _ := m["Subject"].(string); s != "" {
				t.Subject = s
			}
			if s, _ := m["TextBody"].(string); s != "" {
				t.TextBody = s
			}
			if s, _ := m["HtmlBody"].(string); s != "" {
				t.HtmlBody = s
			}
		}
	}
	return t
}
