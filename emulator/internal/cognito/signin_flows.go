package cognito

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/ccql/ccql/emulator/internal/srp"
	"github.com/ccql/ccql/emulator/internal/totp"
	"github.com/ccql/ccql/internal/handler"
)

// The sign-in flows: InitiateAuth, AdminInitiateAuth,
// RespondToAuthChallenge and AdminRespondToAuthChallenge (reference
// cognito-signin.md 4.1–4.4, 4.9–4.11). docs/signin.md describes them.

// Auth flows and challenge names.
const (
	flowUserSRP           = "USER_SRP_AUTH"
	flowUserPassword      = "USER_PASSWORD_AUTH"
	flowAdminUserPassword = "ADMIN_USER_PASSWORD_AUTH"
	flowAdminNoSRP        = "ADMIN_NO_SRP_AUTH"
	flowRefreshToken      = "REFRESH_TOKEN_AUTH"
	flowRefresh           = "REFRESH_TOKEN"
	flowCustom            = "CUSTOM_AUTH"
	flowUserAuth          = "USER_AUTH"

	chPasswordVerifier = "PASSWORD_VERIFIER"
	chNewPassword      = "NEW_PASSWORD_REQUIRED"
	chSoftwareToken    = "SOFTWARE_TOKEN_MFA"
	chSMSMFA           = "SMS_MFA"
	chEmailOTP         = "EMAIL_OTP"
	chSMSOTP           = "SMS_OTP"
	chMFASetup         = "MFA_SETUP"
	chSelectMFA        = "SELECT_MFA_TYPE"
	chSelectChallenge  = "SELECT_CHALLENGE"
	chPassword         = "PASSWORD"
	chPasswordSRP      = "PASSWORD_SRP"
)

var (
	initiateFlows = []string{flowUserSRP, flowRefreshToken, flowRefresh, flowCustom, flowAdminNoSRP,
		flowUserPassword, flowAdminUserPassword, flowUserAuth}
	challengeNames = []string{chSMSMFA, chEmailOTP, chSoftwareToken, chSelectMFA, chMFASetup, chPasswordVerifier,
		"CUSTOM_CHALLENGE", chSelectChallenge, "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER", "ADMIN_NO_SRP_AUTH",
		chNewPassword, chSMSOTP, chPassword, "WEB_AUTHN", chPasswordSRP}
)

// Messages of the sign-in flows.
const (
	msgIncorrect   = "Incorrect username or password."
	msgCustomAuth  = "Custom auth lambda trigger is not configured for the user pool."
	msgCodeInvalid = "Invalid code or auth state for the user."
)

// authRequest is the body of the four operations.
type authRequest struct {
	UserPoolId         *string           `json:"UserPoolId"`
	ClientId           *string           `json:"ClientId"`
	AuthFlow           *string           `json:"AuthFlow"`
	AuthParameters     map[string]string `json:"AuthParameters"`
	ChallengeName      *string           `json:"ChallengeName"`
	Session            *string           `json:"Session"`
	ChallengeResponses map[string]string `json:"ChallengeResponses"`
	ClientMetadata     map[string]string `json:"ClientMetadata"`
	AnalyticsMetadata  any               `json:"AnalyticsMetadata"`
	UserContextData    any               `json:"UserContextData"`
	ContextData        any               `json:"ContextData"`
}

// authResult is AuthenticationResultType.
type authResult struct {
	AccessToken  string `json:"AccessToken"`
	ExpiresIn    int    `json:"ExpiresIn"`
	IdToken      string `json:"IdToken,omitempty"`
	RefreshToken string `json:"RefreshToken,omitempty"`
	TokenType    string `json:"TokenType"`
	// NewDeviceMetadata is the new device of a pool that tracks devices.
	NewDeviceMetadata *newDeviceMetadata `json:"NewDeviceMetadata,omitempty"`
}

// authResponse is the answer of the four operations: a challenge or tokens.
type authResponse struct {
	ChallengeName        string            `json:"ChallengeName,omitempty"`
	Session              string            `json:"Session,omitempty"`
	ChallengeParameters  map[string]string `json:"ChallengeParameters"`
	AuthenticationResult *authResult       `json:"AuthenticationResult,omitempty"`
	AvailableChallenges  []string          `json:"AvailableChallenges,omitempty"`
}

// flow is one sign-in request in progress.
type flow struct {
	ri     requestInfo
	env    handler.Env
	tx     handler.Tx
	cfg    *poolConfig
	client *clientModel
	admin  bool
	dev    deviceState // the device the sign-in presents (devices.go)
}

func missingParameter(name string) *APIError {
	return invalidParameter("Missing required parameter %s", name)
}

// newFlow validates the common members and loads the client and pool.
func newFlow(ctx context.Context, env handler.Env, tx handler.Tx, in *authRequest, admin, initiate bool) (*flow, error) {
	var v violations
	if admin {
		v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, nil)
	}
	v.checkRequiredString("clientId", in.ClientId, 1, 128, nil)
	if initiate {
		if in.AuthFlow == nil {
			v.add("null", "authFlow", "Member must not be null")
		} else {
			v.checkEnum("authFlow", in.AuthFlow, initiateFlows)
		}
	} else {
		if in.ChallengeName == nil {
			v.add("null", "challengeName", "Member must not be null")
		} else {
			v.checkEnum("challengeName", in.ChallengeName, challengeNames)
		}
		v.checkString("session", in.Session, 20, 2048, nil)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	ri := requestOf(ctx)
	f := &flow{ri: ri, env: env, tx: tx, admin: admin}
	var poolID string
	if admin {
		poolID = *in.UserPoolId
		if _, err := loadPool(tx, poolID); err != nil {
			return nil, err
		}
		c, err := loadClient(tx, poolID, *in.ClientId)
		if err != nil {
			return nil, err
		}
		f.client = c
	} else {
		p, c, err := ri.findClient(tx, *in.ClientId)
		if err != nil {
			return nil, err
		}
		poolID, f.client = p, c
	}
	cfg, err := loadPoolConfig(tx, poolID)
	if err != nil {
		return nil, err
	}
	f.cfg = cfg
	return f, nil
}

// allowedFlows is the set of ALLOW_ flows a client enables: its
// ExplicitAuthFlows, with the legacy names mapped (legacy clients also
// keep SRP and refresh), or SRP, refresh and custom when unset.
func allowedFlows(c *clientModel) map[string]bool {
	out := map[string]bool{}
	if len(c.ExplicitAuthFlows) == 0 {
		for _, f := range []string{flowUserSRP, flowRefreshToken, flowCustom} {
			out[f] = true
		}
		return out
	}
	for _, f := range c.ExplicitAuthFlows {
		switch f {
		case "ADMIN_NO_SRP_AUTH":
			out[flowAdminUserPassword], out[flowUserSRP], out[flowRefreshToken] = true, true, true
		case "USER_PASSWORD_AUTH":
			out[flowUserPassword], out[flowUserSRP], out[flowRefreshToken] = true, true, true
		case "CUSTOM_AUTH_FLOW_ONLY":
			out[flowCustom], out[flowRefreshToken] = true, true
		default:
			out[strings.TrimPrefix(f, "ALLOW_")] = true
		}
	}
	return out
}

// checkFlow refuses a flow the client does not enable, with Cognito's
// message naming the flow as sent.
func (f *flow) checkFlow(name string) error {
	key := name
	switch name {
	case flowAdminNoSRP:
		key = flowAdminUserPassword
	case flowRefresh:
		key = flowRefreshToken
	}
	if !allowedFlows(f.client)[key] {
		return invalidParameter("%s flow not enabled for this client", name)
	}
	return nil
}

// checkSecret checks SECRET_HASH for a client with a secret: the HMAC of
// one of names (the user name as sent, or the user's user name) and the
// client id (reference 4.5).
func (f *flow) checkSecret(given string, names ...string) error {
	c := f.client
	if c.ClientSecret == "" {
		return nil
	}
	if given == "" {
		return apiErrorf(typeNotAuthorized, "Client %s is configured with secret but SECRET_HASH was not received", c.ClientId)
	}
	for _, n := range names {
		if n == "" {
			continue
		}
		// Either active secret of a rotating client is accepted.
		for _, secret := range c.secretValues() {
			m := hmac.New(sha256.New, []byte(secret))
			m.Write([]byte(n + c.ClientId))
			if hmac.Equal([]byte(base64.StdEncoding.EncodeToString(m.Sum(nil))), []byte(given)) {
				return nil
			}
		}
	}
	return apiErrorf(typeNotAuthorized, "Unable to verify secret hash for client %s", c.ClientId)
}

// preventExistence reports whether the client hides unknown users.
func (f *flow) preventExistence() bool { return f.client.PreventUserExistenceErrors == "ENABLED" }

// unknownUser is the answer for a user name that matches nobody.
func (f *flow) unknownUser() error {
	if f.preventExistence() {
		return apiErrorf(typeNotAuthorized, msgIncorrect)
	}
	return userNotFound()
}

func opInitiateAuth(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	return initiateAuth(ctx, env, tx, body, false)
}

func opAdminInitiateAuth(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	return initiateAuth(ctx, env, tx, body, true)
}

func initiateAuth(ctx context.Context, env handler.Env, tx handler.Tx, body []byte, admin bool) (any, error) {
	var in authRequest
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	f, err := newFlow(ctx, env, tx, &in, admin, true)
	if err != nil {
		return nil, err
	}
	name := *in.AuthFlow
	params := in.AuthParameters
	f.dev.key = params["DEVICE_KEY"]
	switch name {
	case flowAdminUserPassword, flowAdminNoSRP:
		if !admin {
			return nil, invalidParameter("Initiate Auth method not supported.")
		}
	case flowUserPassword:
		if admin {
			return nil, invalidParameter("Initiate Auth method not supported.")
		}
	}
	if err := f.checkFlow(name); err != nil {
		return nil, err
	}
	switch name {
	case flowUserPassword, flowAdminUserPassword, flowAdminNoSRP:
		return f.passwordAuth(params)
	case flowUserSRP:
		return f.srpStart(params, params["USERNAME"])
	case flowRefreshToken, flowRefresh:
		return f.refreshAuth(params)
	case flowUserAuth:
		return f.userAuth(params)
	default: // CUSTOM_AUTH
		return nil, invalidParameter(msgCustomAuth)
	}
}

// passwordAuth is USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH.
func (f *flow) passwordAuth(params map[string]string) (any, error) {
	name, password := params["USERNAME"], params["PASSWORD"]
	if name == "" {
		return nil, missingParameter("USERNAME")
	}
	if password == "" {
		return nil, missingParameter("PASSWORD")
	}
	u, err := findUser(f.tx, f.cfg, name)
	if err != nil {
		return nil, err
	}
	if err := f.checkSecret(params["SECRET_HASH"], name, userNameOf(u)); err != nil {
		return nil, err
	}
	if u == nil {
		return nil, f.unknownUser()
	}
	if err := checkPassword(f.env, f.tx, f.cfg, u, password); err != nil {
		return nil, err
	}
	return f.afterFirstFactor(u, f.env.Now.Unix())
}

func userNameOf(u *user) string {
	if u == nil {
		return ""
	}
	return u.Username
}

// srpStart is the first step of USER_SRP_AUTH (and of PASSWORD_SRP):
// the PASSWORD_VERIFIER challenge with B, the salt and a secret block.
func (f *flow) srpStart(params map[string]string, name string) (any, error) {
	if name == "" {
		return nil, missingParameter("USERNAME")
	}
	if params["SRP_A"] == "" {
		return nil, missingParameter("SRP_A")
	}
	A, err := srp.ParseA(params["SRP_A"])
	if err != nil {
		return nil, invalidParameter("Invalid SRP_A value.")
	}
	u, err := findUser(f.tx, f.cfg, name)
	if err != nil {
		return nil, err
	}
	if err := f.checkSecret(params["SECRET_HASH"], name, userNameOf(u)); err != nil {
		return nil, err
	}
	s := &authSession{Challenge: chPasswordVerifier, SRPA: A.Text(16), Admin: f.admin, DeviceKey: f.dev.key}
	var salt, verifier []byte
	userID := ""
	switch {
	case u == nil && !f.preventExistence():
		return nil, userNotFound()
	case u == nil:
		// A simulated first step: the same salt and user id for the same
		// name every time, as Cognito answers (reference 4.4), derived
		// from the pool's secret signing key so nobody else can tell.
		keys, err := f.ri.poolKeys(f.env, f.tx, f.cfg.ID)
		if err != nil {
			return nil, err
		}
		mac := hmac.New(sha256.New, keys.id.priv.D.Bytes())
		mac.Write([]byte("simulated|" + f.cfg.key(name)))
		sum := mac.Sum(nil)
		salt = append([]byte{sum[0]&0x7f | 1}, sum[1:16]...)
		id, _ := uuid.FromBytes(sum[16:32])
		userID = id.String()
		verifier = sum
		s.Simulated = true
	default:
		if err := checkSignInAllowed(f.env, u); err != nil {
			return nil, err
		}
		salt, verifier, userID = u.Salt, u.Verifier, u.Username
		if len(verifier) == 0 {
			verifier = []byte{1} // no password: nothing can verify
		}
		s.Username = u.Username
	}
	srv, err := srp.NewServer(verifier, randSource(f.env.Rand))
	if err != nil {
		return nil, err
	}
	s.SRPSecret, s.SRPPublic = srv.Secret, srv.Public
	block, err := newSession(f.env, f.tx, f.cfg.ID, f.client, s)
	if err != nil {
		return nil, err
	}
	return &authResponse{
		ChallengeName: chPasswordVerifier,
		ChallengeParameters: map[string]string{
			"SALT":            hex.EncodeToString(salt),
			"SECRET_BLOCK":    block,
			"SRP_B":           srv.PublicHex(),
			"USERNAME":        userID,
			"USER_ID_FOR_SRP": userID,
		},
	}, nil
}

// passwordVerifier checks the PASSWORD_VERIFIER response.
func (f *flow) passwordVerifier(resp map[string]string) (any, error) {
	for _, k := range []string{"USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"} {
		if resp[k] == "" {
			return nil, missingParameter(k)
		}
	}
	block := resp["PASSWORD_CLAIM_SECRET_BLOCK"]
	s, err := takeSession(f.env, f.tx, f.cfg.ID, f.client.ClientId, block)
	if err != nil {
		return nil, err
	}
	if s.Challenge != chPasswordVerifier || s.Admin != f.admin {
		return nil, errSessionInvalid
	}
	if err := f.checkSecret(resp["SECRET_HASH"], resp["USERNAME"], s.Username); err != nil {
		return nil, err
	}
	if k, ok := resp["DEVICE_KEY"]; ok {
		s.DeviceKey = k // amazon-cognito-identity-js presents its device here
	}
	f.presentDevice(s.DeviceKey, resp)
	incorrect := apiErrorf(typeNotAuthorized, msgIncorrect)
	incorrect.Commit = true // the session is spent
	if s.Simulated {
		return nil, incorrect
	}
	u, err := findUser(f.tx, f.cfg, s.Username)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, f.unknownUser()
	}
	if resp["USERNAME"] != s.Username {
		if v, _ := findUser(f.tx, f.cfg, resp["USERNAME"]); v == nil || v.Username != u.Username {
			return nil, incorrect
		}
	}
	if _, err := srp.CheckTimestamp(resp["TIMESTAMP"]); err != nil {
		return nil, incorrect
	}
	if err := checkSignInAllowed(f.env, u); err != nil {
		return nil, err
	}
	A, _ := srp.ParseA(s.SRPA)
	srv := &srp.Server{Secret: s.SRPSecret, Public: s.SRPPublic}
	key, err := srv.SessionKey(A, u.Verifier)
	if err != nil || len(u.Verifier) == 0 {
		return nil, recordSignInFailure(f.env, f.tx, f.cfg, u)
	}
	secretBlock, err := base64.StdEncoding.DecodeString(block)
	if err != nil || !srp.VerifySignature(key, f.cfg.Name, u.Username, secretBlock, resp["TIMESTAMP"], resp["PASSWORD_CLAIM_SIGNATURE"]) {
		return nil, recordSignInFailure(f.env, f.tx, f.cfg, u)
	}
	if u.Status == statusForceChangePassword && expired(u.TempPasswordExpires, f.env.Now) {
		return nil, apiErrorf(typeNotAuthorized, msgTempExpired)
	}
	if err := recordSignInSuccess(f.env, f.tx, f.cfg, u); err != nil {
		return nil, err
	}
	return f.afterFirstFactor(u, f.env.Now.Unix())
}

// afterFirstFactor continues a sign-in whose password (or first factor)
// is verified: a new password when the password is temporary, then MFA,
// then tokens.
func (f *flow) afterFirstFactor(u *user, authTime int64) (any, error) {
	if u.Status == statusForceChangePassword {
		attrs := map[string]string{}
		for k, v := range u.Attributes {
			if k != "sub" {
				attrs[k] = v
			}
		}
		ua, _ := json.Marshal(attrs)
		ra, _ := json.Marshal(f.missingRequired(u, nil))
		return f.challenge(u, chNewPassword, &authSession{AuthTime: authTime}, map[string]string{
			"USER_ID_FOR_SRP":    u.Username,
			"requiredAttributes": string(ra),
			"userAttributes":     string(ua),
		})
	}
	return f.mfaOrTokens(u, authTime)
}

// missingRequired lists, as "userAttributes.<name>", the pool's required
// attributes that u lacks and given does not supply.
func (f *flow) missingRequired(u *user, given map[string]string) []string {
	out := []string{}
	schema, _ := f.cfg.Model["Schema"].([]any)
	for _, a := range schema {
		m, _ := a.(map[string]any)
		name, _ := m["Name"].(string)
		if req, _ := m["Required"].(bool); !req || name == "" {
			continue
		}
		if v, ok := u.attr(name); ok && v != "" {
			continue
		}
		if given[name] != "" {
			continue
		}
		out = append(out, "userAttributes."+name)
	}
	return out
}

// challenge starts a challenge session and answers with it.
func (f *flow) challenge(u *user, name string, s *authSession, params map[string]string) (any, error) {
	s.Challenge, s.Username, s.Admin, s.DeviceKey = name, u.Username, f.admin, f.dev.key
	token, err := newSession(f.env, f.tx, f.cfg.ID, f.client, s)
	if err != nil {
		return nil, err
	}
	if params == nil {
		params = map[string]string{}
	}
	return &authResponse{ChallengeName: name, Session: token, ChallengeParameters: params}, nil
}

// enabledMFAs are the pool's enabled MFA methods (EnabledMfas; SMS when
// the pool requires MFA and names none).
func (f *flow) enabledMFAs() []string {
	list := stringList(f.cfg.Model["EnabledMfas"])
	if len(list) == 0 && f.cfg.MfaConfiguration != "OFF" {
		list = []string{chSMSMFA}
	}
	return list
}

// userMFAs are the MFA methods u has set up and the pool allows.
func (f *flow) userMFAs(u *user) []string {
	pool := f.enabledMFAs()
	var out []string
	if u.MFA.SMSEnabled && contains(pool, chSMSMFA) {
		if p, _ := u.attr("phone_number"); p != "" {
			out = append(out, chSMSMFA)
		}
	}
	if u.MFA.SoftwareTokenEnabled && u.MFA.TOTPVerified && contains(pool, chSoftwareToken) {
		out = append(out, chSoftwareToken)
	}
	if u.MFA.EmailEnabled && contains(pool, chEmailOTP) {
		if e, _ := u.attr("email"); e != "" {
			out = append(out, chEmailOTP)
		}
	}
	return out
}

// mfaOrTokens asks for the second factor the pool and user call for, or
// issues tokens.
func (f *flow) mfaOrTokens(u *user, authTime int64) (any, error) {
	if skip, err := f.deviceSkipsMFA(u); err != nil || skip {
		if err != nil {
			return nil, err
		}
		return f.tokens(u, authTime) // a remembered device replaces MFA
	}
	if f.cfg.MfaConfiguration == "OFF" || f.cfg.MfaConfiguration == "" {
		return f.tokens(u, authTime)
	}
	methods := f.userMFAs(u)
	if len(methods) == 0 {
		if f.cfg.MfaConfiguration != "ON" {
			return f.tokens(u, authTime)
		}
		// MFA is required and the user has none: SMS to a phone number
		// when the pool sends SMS, else set up an authenticator app.
		if p, _ := u.attr("phone_number"); p != "" && contains(f.enabledMFAs(), chSMSMFA) {
			return f.mfaChallenge(u, chSMSMFA, authTime)
		}
		can, _ := json.Marshal([]string{chSoftwareToken})
		return f.challenge(u, chMFASetup, &authSession{AuthTime: authTime, Choices: []string{chSoftwareToken}},
			map[string]string{"MFAS_CAN_SETUP": string(can)})
	}
	if contains(methods, u.MFA.Preferred) {
		return f.mfaChallenge(u, u.MFA.Preferred, authTime)
	}
	if len(methods) == 1 {
		return f.mfaChallenge(u, methods[0], authTime)
	}
	can, _ := json.Marshal(methods)
	return f.challenge(u, chSelectMFA, &authSession{AuthTime: authTime, Choices: methods},
		map[string]string{"MFAS_CAN_CHOOSE": string(can), "USER_ID_FOR_SRP": u.Username})
}

// mfaChallenge asks for one second factor, sending a code for SMS and
// e-mail through the outbox.
func (f *flow) mfaChallenge(u *user, name string, authTime int64) (any, error) {
	s := &authSession{AuthTime: authTime}
	params := map[string]string{"USER_ID_FOR_SRP": u.Username}
	switch name {
	case chSMSMFA, chEmailOTP, chSMSOTP:
		m, err := f.sendOTP(u, s, name)
		if err != nil {
			return nil, err
		}
		params["CODE_DELIVERY_DELIVERY_MEDIUM"] = m.DeliveryMedium
		params["CODE_DELIVERY_DESTINATION"] = m.MaskedDestination
	case chSoftwareToken:
		if u.MFA.TOTPFriendlyName != "" {
			params["FRIENDLY_DEVICE_NAME"] = u.MFA.TOTPFriendlyName
		}
	}
	return f.challenge(u, name, s, params)
}

// sendOTP draws a one-time code, keeps its hash in s and records the
// message in the outbox.
func (f *flow) sendOTP(u *user, s *authSession, challenge string) (*Message, error) {
	code, err := randomString(f.env.Rand, "0123456789", 6)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(code))
	s.CodeHash = hex.EncodeToString(sum[:])
	medium, attr, tmpl := MediumSMS, "phone_number", "Your authentication code is {####}. "
	if challenge == chEmailOTP {
		medium, attr, tmpl = MediumEmail, "email", "Your one-time sign-in code is {####}."
	} else if t, ok := f.cfg.Model["SmsAuthenticationMessage"].(string); ok && t != "" {
		tmpl = t
	}
	dest, _ := u.attr(attr)
	m := &Message{
		UserPoolId: f.cfg.ID, Username: u.Username, Kind: MessageAuthentication,
		DeliveryMedium: medium, AttributeName: attr, Destination: dest,
		Message: renderTemplate(tmpl, code, u.Username), Code: code,
	}
	if medium == MediumEmail {
		m.Subject = "Your sign-in code"
	}
	if err := recordMessage(f.env, f.tx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// tokens issues the tokens of a completed API sign-in.
func (f *flow) tokens(u *user, authTime int64) (any, error) {
	if ch, err := f.deviceChallenge(u, authTime); ch != nil || err != nil {
		return ch, err
	}
	g := tokenGrant{AuthTime: authTime, Refresh: true}
	meta, err := f.deviceForGrant(u, &g)
	if err != nil {
		return nil, err
	}
	res, err := f.issueGrant(u, g)
	if err != nil {
		return nil, err
	}
	res.NewDeviceMetadata = meta
	return &authResponse{ChallengeParameters: map[string]string{}, AuthenticationResult: res}, nil
}

// issue signs tokens for u; family continues a refresh.
func (f *flow) issue(u *user, authTime int64, family *tokenFamily, refresh bool) (*authResult, error) {
	return f.issueGrant(u, tokenGrant{AuthTime: authTime, Family: family, Refresh: refresh})
}

// issueRefresh signs the tokens of a refresh of fam; rotate issues a new
// refresh token, retry says the rotated-out token was presented.
func (f *flow) issueRefresh(u *user, fam *tokenFamily, rotate, retry bool) (*authResult, error) {
	return f.issueGrant(u, tokenGrant{AuthTime: fam.AuthTime, Family: fam, Refresh: rotate, Retry: retry})
}

// issueGrant fills g's pool, client, issuer and user and signs it.
func (f *flow) issueGrant(u *user, g tokenGrant) (*authResult, error) {
	keys, err := f.ri.poolKeys(f.env, f.tx, f.cfg.ID)
	if err != nil {
		return nil, err
	}
	tu, err := tokenUserOf(f.tx, f.cfg.ID, u)
	if err != nil {
		return nil, err
	}
	g.PoolID, g.Region, g.Issuer = f.cfg.ID, f.env.Region, f.ri.issuer(f.env.Region, f.cfg.ID)
	g.Client, g.User, g.IDToken = f.client, tu, true
	out, err := issueTokens(f.env, f.tx, keys, g)
	if err != nil {
		return nil, err
	}
	return &authResult{AccessToken: out.AccessToken, ExpiresIn: out.ExpiresIn, IdToken: out.IDToken,
		RefreshToken: out.RefreshToken, TokenType: "Bearer"}, nil
}

// tokenUserOf reads what tokens say about u: attributes and groups in
// precedence order.
func tokenUserOf(tx handler.Tx, poolID string, u *user) (tokenUser, error) {
	prec := map[string]*int{}
	for _, g := range u.Groups {
		var m struct {
			Precedence *int `json:"Precedence"`
		}
		if _, err := getJSON(tx, typeGroup, poolID+"|"+g, &m); err != nil {
			return tokenUser{}, err
		}
		prec[g] = m.Precedence
	}
	return tokenUser{Sub: u.Sub, Username: u.Username, Attributes: u.Attributes, Groups: sortedGroups(u.Groups, prec)}, nil
}

// refreshAuth is REFRESH_TOKEN_AUTH: new ID and access tokens, the same
// refresh token (reference 4.7).
func (f *flow) refreshAuth(params map[string]string) (any, error) {
	token := params["REFRESH_TOKEN"]
	if token == "" {
		return nil, missingParameter("REFRESH_TOKEN")
	}
	if rotationEnabled(f.client) {
		// With rotation, refreshing goes through GetTokensFromRefreshToken
		// (reference 4.7; AWS's exact message is not recorded).
		return nil, invalidParameter("Refresh token rotation is enabled for this client; use GetTokensFromRefreshToken.")
	}
	res, err := f.refresh(token, params["SECRET_HASH"], params["USERNAME"], false)
	if err != nil {
		return nil, err
	}
	return &authResponse{ChallengeParameters: map[string]string{}, AuthenticationResult: res}, nil
}

// refresh checks a refresh token and issues new tokens; rotate also
// issues a new refresh token (GetTokensFromRefreshToken with rotation).
// secretHash is the SECRET_HASH a confidential client must send.
func (f *flow) refresh(token, secretHash, username string, rotate bool) (*authResult, error) {
	fam, _, err := findRefresh(f.env, f.tx, f.cfg.ID, f.client.ClientId, token)
	if err != nil {
		return nil, err
	}
	if err := f.checkSecret(secretHash, username, fam.Username, fam.Sub); err != nil {
		return nil, err
	}
	if err := checkRefreshDevice(f.tx, f.cfg.ID, fam, f.dev.key); err != nil {
		return nil, err
	}
	u, err := findUser(f.tx, f.cfg, fam.Username)
	if err != nil {
		return nil, err
	}
	if u == nil || u.Sub != fam.Sub {
		return nil, errRevokedRefresh
	}
	if !u.Enabled {
		return nil, apiErrorf(typeNotAuthorized, msgUserDisabled)
	}
	return f.issue(u, fam.AuthTime, fam, rotate)
}

// userAuth is USER_AUTH, choice-based sign-in: the first factors the pool
// allows (Policies.SignInPolicy.AllowedFirstAuthFactors, PASSWORD by
// default) that the user can use; PREFERRED_CHALLENGE picks one at once,
// otherwise SELECT_CHALLENGE offers them.
func (f *flow) userAuth(params map[string]string) (any, error) {
	name := params["USERNAME"]
	if name == "" {
		return nil, missingParameter("USERNAME")
	}
	u, err := findUser(f.tx, f.cfg, name)
	if err != nil {
		return nil, err
	}
	if err := f.checkSecret(params["SECRET_HASH"], name, userNameOf(u)); err != nil {
		return nil, err
	}
	if u == nil {
		return nil, f.unknownUser()
	}
	if err := checkSignInAllowed(f.env, u); err != nil {
		return nil, err
	}
	available := f.firstFactors(u)
	if pref := params["PREFERRED_CHALLENGE"]; pref != "" && contains(available, pref) {
		return f.startFactor(u, pref, params)
	}
	if len(available) == 0 {
		return nil, apiErrorf(typeNotAuthorized, msgIncorrect)
	}
	resp, err := f.challenge(u, chSelectChallenge, &authSession{Choices: available}, map[string]string{})
	if err != nil {
		return nil, err
	}
	r := resp.(*authResponse)
	r.AvailableChallenges = available
	return r, nil
}

// firstFactors are the USER_AUTH challenges u may choose.
func (f *flow) firstFactors(u *user) []string {
	allowed := []string{chPassword}
	if pol, ok := f.cfg.Model["Policies"].(map[string]any); ok {
		if sp, ok := pol["SignInPolicy"].(map[string]any); ok {
			if l := stringList(sp["AllowedFirstAuthFactors"]); len(l) > 0 {
				allowed = l
			}
		}
	}
	var out []string
	for _, a := range allowed {
		switch a {
		case chPassword:
			if u.hasPassword() {
				out = append(out, chPasswordSRP, chPassword)
			}
		case chEmailOTP:
			if e, _ := u.attr("email"); e != "" {
				out = append(out, chEmailOTP)
			}
		case chSMSOTP:
			if p, _ := u.attr("phone_number"); p != "" {
				out = append(out, chSMSOTP)
			}
		case chWebAuthn:
			if f.hasPasskey(u) {
				out = append(out, chWebAuthn)
			}
		}
	}
	return out
}

// startFactor starts the first factor a USER_AUTH sign-in chose.
func (f *flow) startFactor(u *user, factor string, params map[string]string) (any, error) {
	switch factor {
	case chPassword:
		if params["PASSWORD"] == "" {
			return nil, missingParameter("PASSWORD")
		}
		if err := checkPassword(f.env, f.tx, f.cfg, u, params["PASSWORD"]); err != nil {
			return nil, err
		}
		return f.afterFirstFactor(u, f.env.Now.Unix())
	case chPasswordSRP:
		return f.srpStart(params, u.Username)
	case chWebAuthn:
		return f.webAuthnStart(u)
	default: // EMAIL_OTP, SMS_OTP: a one-time code is the first factor
		s := &authSession{}
		m, err := f.sendOTP(u, s, factor)
		if err != nil {
			return nil, err
		}
		return f.challenge(u, factor, s, map[string]string{
			"CODE_DELIVERY_DELIVERY_MEDIUM": m.DeliveryMedium,
			"CODE_DELIVERY_DESTINATION":     m.MaskedDestination,
		})
	}
}

func opRespondToAuthChallenge(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	return respondToAuthChallenge(ctx, env, tx, body, false)
}

func opAdminRespondToAuthChallenge(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	return respondToAuthChallenge(ctx, env, tx, body, true)
}

func respondToAuthChallenge(ctx context.Context, env handler.Env, tx handler.Tx, body []byte, admin bool) (any, error) {
	var in authRequest
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	f, err := newFlow(ctx, env, tx, &in, admin, false)
	if err != nil {
		return nil, err
	}
	name := *in.ChallengeName
	resp := in.ChallengeResponses
	if resp == nil {
		resp = map[string]string{}
	}
	if name == chPasswordVerifier {
		return f.passwordVerifier(resp)
	}
	if resp["USERNAME"] == "" {
		return nil, missingParameter("USERNAME")
	}
	s, err := takeSession(env, tx, f.cfg.ID, f.client.ClientId, deref(in.Session, ""))
	if err != nil {
		return nil, err
	}
	if s.Admin != admin {
		return nil, errSessionInvalid
	}
	if s.Challenge != name {
		return nil, invalidParameter("Incorrect challenge name: expected %s.", s.Challenge)
	}
	u, err := findUser(tx, f.cfg, resp["USERNAME"])
	if err != nil {
		return nil, err
	}
	if u == nil || u.Username != s.Username {
		return nil, errSessionInvalid
	}
	if err := f.checkSecret(resp["SECRET_HASH"], resp["USERNAME"], u.Username); err != nil {
		return nil, err
	}
	f.presentDevice(s.DeviceKey, resp)
	if !u.Enabled {
		return nil, apiErrorf(typeNotAuthorized, msgUserDisabled)
	}
	switch name {
	case chNewPassword:
		return f.newPassword(u, s, resp)
	case chSMSMFA, chEmailOTP, chSMSOTP:
		key := map[string]string{chSMSMFA: "SMS_MFA_CODE", chEmailOTP: "EMAIL_OTP_CODE", chSMSOTP: "SMS_OTP_CODE"}[name]
		code := resp[key]
		if code == "" {
			return nil, missingParameter(key)
		}
		sum := sha256.Sum256([]byte(code))
		if !hmac.Equal([]byte(hex.EncodeToString(sum[:])), []byte(s.CodeHash)) {
			return nil, apiErrorf(typeCodeMismatch, msgCodeInvalid)
		}
		if s.AuthTime == 0 { // a one-time code was the first factor
			return f.afterFirstFactor(u, env.Now.Unix())
		}
		return f.tokens(u, s.AuthTime)
	case chSoftwareToken:
		code := resp["SOFTWARE_TOKEN_MFA_CODE"]
		if code == "" {
			return nil, missingParameter("SOFTWARE_TOKEN_MFA_CODE")
		}
		key, err := totp.DecodeSecret(u.MFA.TOTPSecret)
		if err != nil {
			return nil, apiErrorf(typeCodeMismatch, msgCodeInvalid)
		}
		if _, ok := totp.Validate(key, code, env.Now); !ok {
			return nil, apiErrorf(typeCodeMismatch, msgCodeInvalid)
		}
		return f.tokens(u, s.AuthTime)
	case chMFASetup:
		if !s.Verified || s.TOTPSecret == "" {
			return nil, invalidParameter("Software token MFA has not been set up for the user; call AssociateSoftwareToken and VerifySoftwareToken with the session first.")
		}
		u.MFA.TOTPSecret, u.MFA.TOTPVerified, u.MFA.SoftwareTokenEnabled = s.TOTPSecret, true, true
		if u.MFA.Preferred == "" {
			u.MFA.Preferred = chSoftwareToken
		}
		if err := saveUser(env, tx, f.cfg, u); err != nil {
			return nil, err
		}
		return f.tokens(u, s.AuthTime)
	case chSelectMFA:
		answer := resp["ANSWER"]
		if !contains(s.Choices, answer) {
			return nil, invalidParameter("Invalid ANSWER: %s", answer)
		}
		return f.mfaChallenge(u, answer, s.AuthTime)
	case chSelectChallenge:
		answer := resp["ANSWER"]
		if !contains(s.Choices, answer) {
			return nil, invalidParameter("Invalid ANSWER: %s", answer)
		}
		return f.startFactor(u, answer, resp)
	case chDeviceSRP:
		return f.deviceSRP(u, s, resp)
	case chDevicePasswordVerifier:
		return f.devicePasswordVerifier(u, s, resp, deref(in.Session, ""))
	case chWebAuthn:
		return f.webAuthnAnswer(u, s, resp)
	}
	return nil, invalidParameter("%s is not supported by ccql.", name)
}

// newPassword answers NEW_PASSWORD_REQUIRED: the new password (checked
// against the policy), the required attributes the user lacks, and any
// other userAttributes.* the client may write.
func (f *flow) newPassword(u *user, s *authSession, resp map[string]string) (any, error) {
	pw := resp["NEW_PASSWORD"]
	if pw == "" {
		return nil, missingParameter("NEW_PASSWORD")
	}
	given := map[string]string{}
	for k, v := range resp {
		if name, ok := strings.CutPrefix(k, "userAttributes."); ok {
			given[name] = v
		}
	}
	if missing := f.missingRequired(u, given); len(missing) > 0 {
		return nil, invalidParameter("Invalid attributes given, %s is missing", strings.TrimPrefix(missing[0], "userAttributes."))
	}
	names := make([]string, 0, len(given))
	for k := range given {
		names = append(names, k)
	}
	sort.Strings(names)
	if err := checkWritable(f.client, names); err != nil {
		return nil, err
	}
	for _, k := range names {
		// An attribute the user lacks may be set even when immutable, as
		// at creation; the schema's other rules apply.
		_, has := u.attr(k)
		attr := attributeType{Name: &k, Value: ptr(given[k])}
		if err := applyAttributes(f.cfg, u, []attributeType{attr}, !has); err != nil {
			return nil, err
		}
	}
	if err := setPassword(f.env, f.cfg, u, pw, true); err != nil {
		return nil, err
	}
	if err := saveUser(f.env, f.tx, f.cfg, u); err != nil {
		return nil, err
	}
	return f.mfaOrTokens(u, s.AuthTime)
}

// mfaSetupSession finds the MFA_SETUP session of AssociateSoftwareToken
// and VerifySoftwareToken called with a Session, without spending it.
func mfaSetupSession(env handler.Env, tx handler.Tx, token string) (string, *authSession, error) {
	poolID := sessionPool(token)
	if poolID == "" {
		return "", nil, errSessionInvalid
	}
	var s authSession
	found, err := getJSON(tx, typeAuthSession, sessionKey(poolID, token), &s)
	switch {
	case err != nil:
		return "", nil, err
	case !found:
		return "", nil, errSessionInvalid
	case s.Used:
		return "", nil, errSessionUsed
	case env.Now.Unix() >= s.Expires:
		return "", nil, errSessionExpired
	case s.Challenge != chMFASetup:
		return "", nil, errSessionInvalid
	}
	return poolID, &s, nil
}

// putSession stores s again under token (MFA setup progress).
func putSession(tx handler.Tx, poolID, token string, s *authSession) error {
	return putJSON(tx, typeAuthSession, sessionKey(poolID, token), s)
}
