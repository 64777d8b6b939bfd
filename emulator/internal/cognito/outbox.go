package cognito

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/ccql/ccql/internal/handler"
)

// The outbox: every e-mail and SMS message Cognito would send is recorded
// instead, under the private type "ccql::Cognito::Message" keyed
// "<poolId>|<sequence>", so that tests and developers read the codes and
// temporary passwords a real pool would have delivered.

const typeMessage = "ccql::Cognito::Message"

// Kinds of outbox messages.
const (
	MessageSignUp          = "SIGN_UP"             // SignUp's confirmation code
	MessageResendCode      = "RESEND_CONFIRMATION" // ResendConfirmationCode
	MessageInvitation      = "INVITATION"          // AdminCreateUser's temporary password
	MessageForgotPassword  = "FORGOT_PASSWORD"     // ForgotPassword / AdminResetUserPassword
	MessageVerifyAttribute = "VERIFY_ATTRIBUTE"    // attribute verification code
	MessageAuthentication  = "AUTHENTICATION"      // SMS MFA, e-mail and SMS one-time codes
)

// Delivery media.
const (
	MediumEmail = "EMAIL"
	MediumSMS   = "SMS"
)

// Message is one message the emulator would have sent, as the outbox
// reports it over HTTP (GET /_ccql/cognito/messages) and from Go.
type Message struct {
	UserPoolId string `json:"UserPoolId"`
	Username   string `json:"Username"`
	// Sequence orders a pool's messages, from 1.
	Sequence       int    `json:"Sequence"`
	Kind           string `json:"Kind"`
	DeliveryMedium string `json:"DeliveryMedium"` // EMAIL | SMS
	AttributeName  string `json:"AttributeName"`  // email | phone_number
	// Destination is the full address; CodeDeliveryDetails shows
	// MaskedDestination.
	Destination       string `json:"Destination"`
	MaskedDestination string `json:"MaskedDestination"`
	Subject           string `json:"Subject,omitempty"`
	Message           string `json:"Message"`
	// Code is what the template's {####} stood for: a verification code,
	// or the temporary password of an invitation.
	Code   string    `json:"Code,omitempty"`
	SentAt time.Time `json:"SentAt"`
	// Region is the region that sent the message: the pool's, or its
	// replica's when the request reached a replica region.
	Region string `json:"Region,omitempty"`
	// The sender the sending region's configuration names (empty for
	// Cognito's default): an e-mail's From and SES SourceArn, an SMS's
	// SnsCallerArn and SnsRegion (replica_regional.go).
	From         string `json:"From,omitempty"`
	SourceArn    string `json:"SourceArn,omitempty"`
	SnsCallerArn string `json:"SnsCallerArn,omitempty"`
	SnsRegion    string `json:"SnsRegion,omitempty"`
}

// codeDeliveryDetails is CodeDeliveryDetailsType.
type codeDeliveryDetails struct {
	Destination    string `json:"Destination"`
	DeliveryMedium string `json:"DeliveryMedium"`
	AttributeName  string `json:"AttributeName"`
}

// deliveryDetails is what a response says about m.
func deliveryDetails(m *Message) *codeDeliveryDetails {
	return &codeDeliveryDetails{Destination: m.MaskedDestination, DeliveryMedium: m.DeliveryMedium, AttributeName: m.AttributeName}
}

// recordMessage appends m to its pool's outbox, filling Sequence, SentAt
// (env.Now) and MaskedDestination.
func recordMessage(env handler.Env, tx handler.Tx, m *Message) error {
	n, err := tx.Count(typeMessage, m.UserPoolId+"|")
	if err != nil {
		return fmt.Errorf("count messages of %s: %w", m.UserPoolId, err)
	}
	m.Sequence = n + 1
	m.SentAt = env.Now.UTC()
	if err := stampSender(env, tx, m); err != nil {
		return err
	}
	m.MaskedDestination = maskDestination(m.DeliveryMedium, m.Destination)
	return putJSON(tx, typeMessage, fmt.Sprintf("%s|%012d", m.UserPoolId, m.Sequence), m)
}

// ListMessages returns the outbox of a pool, oldest first; username, when
// not empty, keeps the messages of that user only (matched by user name,
// or by the address they went to).
func ListMessages(tx handler.Tx, poolID, username string) ([]Message, error) {
	recs, err := tx.List(typeMessage, poolID+"|")
	if err != nil {
		return nil, fmt.Errorf("list messages of %s: %w", poolID, err)
	}
	out := make([]Message, 0, len(recs))
	for _, r := range recs {
		var m Message
		if err := decodeRaw(r.Model, &m); err != nil {
			return nil, err
		}
		if username != "" && m.Username != username && m.Destination != username {
			continue
		}
		out = append(out, m)
	}
	return out, nil
}

// maskDestination hides an address as CodeDeliveryDetails does:
// "j***@e***" for an e-mail, "+*******6789" for a phone number.
func maskDestination(medium, dest string) string {
	if medium == MediumEmail {
		local, domain, ok := strings.Cut(dest, "@")
		if !ok || local == "" || domain == "" {
			return "***"
		}
		return firstRune(local) + "***@" + firstRune(domain) + "***"
	}
	r := []rune(dest)
	for i := range r {
		if i < len(r)-4 && r[i] != '+' {
			r[i] = '*'
		}
	}
	return string(r)
}

func firstRune(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}

// Default message texts of a pool without templates.
const (
	defaultVerificationSubject = "Your verification code"
	defaultVerificationMessage = "Your verification code is {####}. "
	defaultInviteSubject       = "Your temporary password"
	defaultInviteMessage       = "Your username is {username} and temporary password is {####}. "
	// DefaultAuthenticationMessage is the SMS MFA text of a pool without
	// SmsAuthenticationMessage.
	DefaultAuthenticationMessage = "Your authentication code is {####}. "
)

// linkPlaceholder is the {##Click here##} of link templates: the link text.
var linkPlaceholder = regexp.MustCompile(`\{##(.*?)##\}`)

// renderTemplate substitutes {####} (code) and {username}; a link
// template's {##text##} becomes its text (the emulator serves no
// confirmation links; the code is in the message's Code).
func renderTemplate(tmpl, code, username string) string {
	s := strings.ReplaceAll(tmpl, "{####}", code)
	s = strings.ReplaceAll(s, "{username}", username)
	return linkPlaceholder.ReplaceAllString(s, "$1")
}

// verificationText returns the subject and text template of a
// verification or password-reset code for medium, from the pool's
// VerificationMessageTemplate, then its legacy Email/SmsVerification*
// members, then Cognito's defaults.
func verificationText(cfg *poolConfig, medium string) (subject, text string) {
	vmt, _ := cfg.Model["VerificationMessageTemplate"].(map[string]any)
	pick := func(keys ...string) string {
		for _, k := range keys {
			if s, _ := vmt[k].(string); s != "" {
				return s
			}
			if s, _ := cfg.Model[k].(string); s != "" {
				return s
			}
		}
		return ""
	}
	if medium == MediumSMS {
		text = pick("SmsMessage", "SmsVerificationMessage")
		if text == "" {
			text = defaultVerificationMessage
		}
		return "", text
	}
	if s, _ := vmt["DefaultEmailOption"].(string); s == "CONFIRM_WITH_LINK" {
		subject, text = pick("EmailSubjectByLink"), pick("EmailMessageByLink")
	} else {
		subject, text = pick("EmailSubject", "EmailVerificationSubject"), pick("EmailMessage", "EmailVerificationMessage")
	}
	if subject == "" {
		subject = defaultVerificationSubject
	}
	if text == "" {
		text = defaultVerificationMessage
	}
	return subject, text
}

// inviteText returns AdminCreateUser's invitation subject and template.
func inviteText(cfg *poolConfig, medium string) (subject, text string) {
	ac, _ := cfg.Model["AdminCreateUserConfig"].(map[string]any)
	imt, _ := ac["InviteMessageTemplate"].(map[string]any)
	if medium == MediumSMS {
		if s, _ := imt["SMSMessage"].(string); s != "" {
			return "", s
		}
		return "", defaultInviteMessage
	}
	subject, _ = imt["EmailSubject"].(string)
	text, _ = imt["EmailMessage"].(string)
	if subject == "" {
		subject = defaultInviteSubject
	}
	if text == "" {
		text = defaultInviteMessage
	}
	return subject, text
}

// mediumAttribute is the attribute a medium delivers to.
func mediumAttribute(medium string) string {
	if medium == MediumSMS {
		return "phone_number"
	}
	return "email"
}

// sendCode records a verification-type message (sign-up, resend,
// forgot-password, attribute verification) of code to u over medium.
func sendCode(env handler.Env, tx handler.Tx, cfg *poolConfig, u *user, kind, medium, code string) (*Message, error) {
	attr := mediumAttribute(medium)
	dest, _ := u.attr(attr)
	subject, text := verificationText(cfg, medium)
	m := &Message{
		UserPoolId: cfg.ID, Username: u.Username, Kind: kind,
		DeliveryMedium: medium, AttributeName: attr, Destination: dest,
		Subject: subject, Message: renderTemplate(text, code, u.Username), Code: code,
	}
	if err := recordMessage(env, tx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// newCode draws a 6-digit code and records it as pending for purpose,
// valid for validity.
func newCode(env handler.Env, u *user, purpose string, validity time.Duration) (string, error) {
	code, err := randomString(env.Rand, "0123456789", 6)
	if err != nil {
		return "", err
	}
	if u.Codes == nil {
		u.Codes = map[string]*pendingCode{}
	}
	u.Codes[purpose] = &pendingCode{Code: code, Expires: epochSeconds(env.Now.Add(validity))}
	return code, nil
}

// Code validities.
const (
	signUpCodeValidity = 24 * time.Hour
	forgotCodeValidity = time.Hour
	verifyCodeValidity = 24 * time.Hour
	maxCodeFailures    = 5
)

// Messages of the code checks.
const (
	msgCodeMismatch  = "Invalid verification code provided, please try again."
	msgCodeExpired   = "Invalid code provided, please request a code again."
	msgAttemptsLimit = "Attempt limit exceeded, please try after some time."
)

// consumeCode checks code against the pending code of purpose: a wrong
// code is CodeMismatchException (counted: after 5 the code is spent), an
// expired or missing one ExpiredCodeException. A matching code is removed.
// Failures are marked Commit so the count is kept; the caller saves u on
// success, consumeCode saves it on failure.
func consumeCode(env handler.Env, tx handler.Tx, cfg *poolConfig, u *user, purpose, code string) error {
	pc := u.Codes[purpose]
	if pc == nil {
		return apiErrorf(typeCodeMismatch, msgCodeMismatch)
	}
	if !time.Time(pc.Expires).After(env.Now) {
		return apiErrorf(typeExpiredCode, msgCodeExpired)
	}
	if pc.Failures >= maxCodeFailures {
		return apiErrorf(typeLimitExceeded, msgAttemptsLimit)
	}
	if pc.Code != code {
		pc.Failures++
		if err := putJSON(tx, typeUser, cfg.userKey(u.Username), u); err != nil {
			return err
		}
		e := apiErrorf(typeCodeMismatch, msgCodeMismatch)
		e.Commit = true
		return e
	}
	delete(u.Codes, purpose)
	return nil
}

// sendVerificationCode draws a code for verifying attr ("email" or
// "phone_number"), keeps it pending on u (purpose codePurposeVerify+attr,
// 24 hours) and records the message; the caller saves u. It serves
// AdminUpdateUserAttributes on auto-verified attributes and the signin
// part's GetUserAttributeVerificationCode / UpdateUserAttributes.
func sendVerificationCode(env handler.Env, tx handler.Tx, cfg *poolConfig, u *user, attr string) (*Message, error) {
	medium := MediumEmail
	if attr == "phone_number" {
		medium = MediumSMS
	}
	code, err := newCode(env, u, codePurposeVerify+attr, verifyCodeValidity)
	if err != nil {
		return nil, err
	}
	return sendCode(env, tx, cfg, u, MessageVerifyAttribute, medium, code)
}
