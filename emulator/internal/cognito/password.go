package cognito

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/ccql/ccql/emulator/internal/srp"
	"github.com/ccql/ccql/internal/handler"
)

// passwordPolicy is a pool's Policies.PasswordPolicy.
type passwordPolicy struct {
	MinimumLength    int
	RequireUppercase bool
	RequireLowercase bool
	RequireNumbers   bool
	RequireSymbols   bool
}

// defaultPasswordPolicy is Cognito's policy for a pool created without one.
func defaultPasswordPolicy() passwordPolicy {
	return passwordPolicy{MinimumLength: 8, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true}
}

// passwordPolicyOf reads a stored PasswordPolicy; an omitted boolean is
// false, an omitted MinimumLength 8, as Cognito reads a given policy.
func passwordPolicyOf(pp map[string]any) passwordPolicy {
	p := passwordPolicy{MinimumLength: 8}
	if n, ok := numberOf(pp["MinimumLength"]); ok {
		p.MinimumLength = n
	}
	p.RequireUppercase, _ = pp["RequireUppercase"].(bool)
	p.RequireLowercase, _ = pp["RequireLowercase"].(bool)
	p.RequireNumbers, _ = pp["RequireNumbers"].(bool)
	p.RequireSymbols, _ = pp["RequireSymbols"].(bool)
	return p
}

// passwordSymbols are the characters Cognito counts as symbols
// (user-pool-settings-policies.html); a space inside the password counts
// too.
const passwordSymbols = "^$*.[]{}()?-\"!@#%&/\\,><':;|_~`+= "

// Lockout after repeated wrong passwords: from the fifth consecutive
// failure on, the user is locked out for 1 second, doubling with each
// further failure up to about 15 minutes (Cognito's documented temporary
// lockout); attempts during a lockout fail with "Password attempts
// exceeded" and are not counted.
const (
	lockoutThreshold = 5
	lockoutMax       = 15 * time.Minute
)

// Messages of the password checks (reference 4.9).
const (
	msgIncorrectPassword = "Incorrect username or password."
	msgAttemptsExceeded  = "Password attempts exceeded"
	msgUserDisabled      = "User is disabled."
	msgNotConfirmed      = "User is not confirmed."
	msgResetRequired     = "Password reset required for the user"
	msgTempExpired       = "Temporary password has expired and must be reset by an administrator."
	msgPolicyPrefix      = "Password did not conform with policy: "
)

// patPassword is the PasswordType member pattern of the cognito-idp model
// (botocore 1.43.11; earlier models had ^[\S]+.*[\S]+$).
var patPassword = mustPattern(`[\S]+`)

// checkPasswordShape validates a password member (at most 256 characters, the
// PasswordType pattern) as the service front end does, naming it path.
func checkPasswordShape(v *violations, path string, pw *string, required bool) {
	if pw == nil {
		if required {
			v.add("null", path, "Member must not be null")
		}
		return
	}
	// Coral never echoes a sensitive member's value.
	v.checkSensitive(path, pw, 0, 256, &patPassword, false)
}

// validatePassword applies the pool's policy, failing with
// InvalidPasswordException and the message of the first rule broken.
func validatePassword(p passwordPolicy, pw string) *APIError {
	var upper, lower, digit, symbol bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(passwordSymbols, r):
			symbol = true
		}
	}
	var rule string
	switch {
	case lengthOf(pw) < p.MinimumLength:
		rule = "Password not long enough"
	case p.RequireUppercase && !upper:
		rule = "Password must have uppercase characters"
	case p.RequireLowercase && !lower:
		rule = "Password must have lowercase characters"
	case p.RequireNumbers && !digit:
		rule = "Password must have numeric characters"
	case p.RequireSymbols && !symbol:
		rule = "Password must have symbol characters"
	default:
		return nil
	}
	return apiErrorf(typeInvalidPassword, "%s%s", msgPolicyPrefix, rule)
}

// setPassword checks password against the pool's policy and stores its
// SRP salt and verifier in u (never the password). permanent makes the
// user CONFIRMED; otherwise the password is temporary: status
// FORCE_CHANGE_PASSWORD, expiring after TemporaryPasswordValidityDays.
// The lockout counter is reset. The caller saves u (and may set another
// status, as SignUp does).
func setPassword(env handler.Env, cfg *poolConfig, u *user, password string, permanent bool) error {
	if err := validatePassword(cfg.Policy, password); err != nil {
		return err
	}
	salt, err := srp.NewSalt(randSource(env.Rand))
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	u.Salt = salt
	u.Verifier = srp.Verifier(cfg.Name, u.Username, password, salt)
	u.FailedAttempts, u.LockedUntil = 0, nil
	if permanent {
		u.Status = statusConfirmed
		u.TempPasswordExpires = nil
		return nil
	}
	u.Status = statusForceChangePassword
	exp := epochSeconds(env.Now.Add(time.Duration(cfg.TempPasswordDays) * 24 * time.Hour))
	u.TempPasswordExpires = &exp
	return nil
}

// checkSignInAllowed applies the checks Cognito makes before it looks at
// a password: disabled users, lockouts, unconfirmed users and users whose
// password an administrator reset. The SRP flow calls it before its first
// step; checkPassword calls it first.
func checkSignInAllowed(env handler.Env, u *user) error {
	switch {
	case !u.Enabled:
		return apiErrorf(typeNotAuthorized, msgUserDisabled)
	case u.LockedUntil != nil && time.Time(*u.LockedUntil).After(env.Now):
		return apiErrorf(typeNotAuthorized, msgAttemptsExceeded)
	case u.Status == statusUnconfirmed:
		return apiErrorf(typeUserNotConfirmed, msgNotConfirmed)
	case u.Status == statusResetRequired:
		return apiErrorf(typePasswordResetRequired, msgResetRequired)
	}
	return nil
}

// checkPassword is the password flows' check of a user's password, with
// Cognito's messages: checkSignInAllowed, then the password (a wrong one
// counts towards the lockout), then an expired temporary password. A
// failure's bookkeeping is saved and the returned *APIError is marked
// Commit, so the failing operation keeps it.
func checkPassword(env handler.Env, tx handler.Tx, cfg *poolConfig, u *user, password string) error {
	if err := checkSignInAllowed(env, u); err != nil {
		return err
	}
	if !u.hasPassword() || !srp.CheckPassword(cfg.Name, u.Username, password, u.Salt, u.Verifier) {
		return recordSignInFailure(env, tx, cfg, u)
	}
	if u.Status == statusForceChangePassword && expired(u.TempPasswordExpires, env.Now) {
		return apiErrorf(typeNotAuthorized, msgTempExpired)
	}
	return recordSignInSuccess(env, tx, cfg, u)
}

// recordSignInFailure counts a wrong password, starting or extending the
// lockout from the fifth consecutive one, saves u, and returns the
// NotAuthorizedException "Incorrect username or password." to answer with,
// marked Commit. An error other than *APIError is a storage failure.
func recordSignInFailure(env handler.Env, tx handler.Tx, cfg *poolConfig, u *user) error {
	u.FailedAttempts++
	if n := u.FailedAttempts - lockoutThreshold; n >= 0 {
		d := lockoutMax
		if n < 20 {
			d = min(time.Second<<n, lockoutMax)
		}
		until := epochSeconds(env.Now.Add(d))
		u.LockedUntil = &until
	}
	if err := putJSON(tx, typeUser, cfg.userKey(u.Username), u); err != nil {
		return err
	}
	e := apiErrorf(typeNotAuthorized, msgIncorrectPassword)
	e.Commit = true
	return e
}

// recordSignInSuccess clears the failure count of a user who gave the
// right password, saving u only when there was something to clear.
func recordSignInSuccess(_ handler.Env, tx handler.Tx, cfg *poolConfig, u *user) error {
	if u.FailedAttempts == 0 && u.LockedUntil == nil {
		return nil
	}
	u.FailedAttempts, u.LockedUntil = 0, nil
	return putJSON(tx, typeUser, cfg.userKey(u.Username), u)
}

// generateTemporaryPassword draws a password that meets the policy: at
// least max(MinimumLength, 8) characters with one of each class, so it
// meets any policy whatever its rules.
func generateTemporaryPassword(r io.Reader, p passwordPolicy) (string, error) {
	const (
		uppers  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		lowers  = "abcdefghijkmnopqrstuvwxyz"
		digits  = "23456789"
		symbols = "!#%&*-_.^$"
	)
	n := max(p.MinimumLength, 8)
	var b strings.Builder
	for _, set := range []string{uppers, lowers, digits, symbols} {
		s, err := randomString(r, set, 1)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	rest, err := randomString(r, uppers+lowers+digits+symbols, n-4)
	if err != nil {
		return "", err
	}
	// Interleave so the classes are not always in the same place.
	out := []byte(b.String() + rest)
	perm, err := randomString(r, "0123456789abcdef", len(out))
	if err != nil {
		return "", err
	}
	for i := len(out) - 1; i > 0; i-- {
		j := int(perm[i]) % (i + 1)
		out[i], out[j] = out[j], out[i]
	}
	return string(out), nil
}
