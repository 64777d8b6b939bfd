package cognito

// Passkeys as MFA. AWS documents it in three places (API reference,
// 2026-04):
//
//   - WebAuthnConfigurationType.FactorConfiguration: with
//     MULTI_FACTOR_WITH_USER_VERIFICATION "passkey authentication with user
//     verification satisfies MFA requirements"; with SINGLE_FACTOR or unset
//     "passkeys are a single authentication factor".
//   - SetUserMFAPreference / AdminSetUserMFAPreference WebAuthnMfaSettings:
//     "Activates or deactivates passkey MFA for the user. ... To activate
//     this setting, the FactorConfiguration of your user pool
//     WebAuthnConfiguration must be MULTI_FACTOR_WITH_USER_VERIFICATION."
//   - WebAuthnMfaSettingsType: "Turns passkey MFA on and off for the user.
//     ... this type doesn't include a PreferredMfa option because passkey
//     MFA applies only when passkey is the first authentication factor."
//     Enabled: "When activated, the user's passkey authentication requires
//     user verification, and passkey sign-in is available when MFA is
//     required. The user must also have at least one other MFA method such
//     as SMS, TOTP, or email activated to prevent account lockout."
//
// So passkey MFA is in force for a user when the pool's FactorConfiguration
// is MULTI_FACTOR_WITH_USER_VERIFICATION and the user has turned it on (the
// per-user switch is what "turns passkey MFA on and off for the user"; the
// pool setting is its precondition). Then the WEB_AUTHN challenge asks for
// user verification, an assertion without it is refused, and one with it
// completes the sign-in without a further MFA challenge. Otherwise a passkey
// is a first factor like any other and MFA follows it as the pool and user
// call for. A passkey is never offered as the second step after a password:
// there is no such challenge (ChallengeNameType has only WEB_AUTHN, the
// first factor) and the docs say passkey MFA applies only to passkey
// first-factor sign-in.
//
// Where it shows: nowhere in the read operations. GetUser, AdminGetUser and
// GetUserAuthFactors document UserMFASettingList as "SMS_MFA, EMAIL_OTP,
// and SOFTWARE_TOKEN_MFA" and PreferredMfaSetting as SMS, email or TOTP;
// WebAuthnMfaSettings has no preferred flag; ConfiguredUserAuthFactors
// already lists WEB_AUTHN for a user with a passkey.

const factorMultiWithUV = "MULTI_FACTOR_WITH_USER_VERIFICATION"

// webAuthnMfaSettingsInput is WebAuthnMfaSettingsType. Enabled is a
// primitive boolean in the model (default false): the Go SDK leaves it out
// when false, so a present object without it turns passkey MFA off.
type webAuthnMfaSettingsInput struct {
	Enabled *bool `json:"Enabled"`
}

// passkeyMFAPool reports whether cfg lets passkeys count as MFA.
func passkeyMFAPool(cfg *poolConfig) bool {
	s, _ := cfg.Model["WebAuthnFactorConfiguration"].(string)
	return s == factorMultiWithUV
}

// passkeyMFA reports whether passkey MFA is in force for u in cfg.
func passkeyMFA(cfg *poolConfig, u *user) bool {
	return u.MFA.WebAuthnEnabled && passkeyMFAPool(cfg)
}

// otherMFA reports whether u has an MFA method other than passkeys
// activated (SMS, TOTP or e-mail).
func otherMFA(u *user) bool {
	return u.MFA.SMSEnabled || u.MFA.SoftwareTokenEnabled || u.MFA.EmailEnabled
}

// Messages of applyWebAuthnMFAPreference. AWS documents both rules but not
// the text of their errors; these are ccql's.
const (
	msgPasskeyMFAPool    = "Passkey MFA requires the user pool's WebAuthnConfiguration FactorConfiguration to be MULTI_FACTOR_WITH_USER_VERIFICATION."
	msgPasskeyMFALockout = "Passkey MFA requires at least one other MFA method (SMS, TOTP or email) to be activated for the user."
)

// applyWebAuthnMFAPreference applies the WebAuthnMfaSettings of
// (Admin)SetUserMFAPreference to u, after the request's other settings: it
// turns passkey MFA on (only in a pool with FactorConfiguration
// MULTI_FACTOR_WITH_USER_VERIFICATION) or off, and refuses a result where
// passkey MFA is on with no other MFA method, which AWS requires "to
// prevent account lockout" — whether this request turns passkey MFA on or
// turns the user's last other method off.
func applyWebAuthnMFAPreference(cfg *poolConfig, u *user, in *webAuthnMfaSettingsInput) error {
	if in != nil {
		on := deref(in.Enabled, false)
		if on && !passkeyMFAPool(cfg) {
			return invalidParameter(msgPasskeyMFAPool)
		}
		u.MFA.WebAuthnEnabled = on
	}
	if u.MFA.WebAuthnEnabled && !otherMFA(u) {
		return invalidParameter(msgPasskeyMFALockout)
	}
	return nil
}

// passkeyMFAComplete ends a sign-in whose passkey, with user verification,
// satisfied MFA: tokens (after a device challenge, as any sign-in). A user
// whose password must change still gets NEW_PASSWORD_REQUIRED first, and
// the sign-in goes on from there as after a password.
func (f *flow) passkeyMFAComplete(u *user, authTime int64) (any, error) {
	if u.Status == statusForceChangePassword {
		return f.afterFirstFactor(u, authTime)
	}
	return f.tokens(u, authTime)
}
