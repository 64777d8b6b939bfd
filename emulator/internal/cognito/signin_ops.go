package cognito

import (
	"context"
	"strings"

	"github.com/ccql/ccql/emulator/internal/totp"
	"github.com/ccql/ccql/internal/handler"
)

// The operations a signed-in user calls with an access token (no AWS
// signature, as on AWS), and the token operations: GetUser, ChangePassword,
// DeleteUser, GlobalSignOut, AdminUserGlobalSignOut, RevokeToken,
// GetTokensFromRefreshToken, AssociateSoftwareToken, VerifySoftwareToken,
// SetUserMFAPreference.

// signinOperations are the operations of this part, merged by Operations.
func signinOperations() map[string]Operation {
	return map[string]Operation{
		"InitiateAuth":                opInitiateAuth,
		"AdminInitiateAuth":           opAdminInitiateAuth,
		"RespondToAuthChallenge":      opRespondToAuthChallenge,
		"AdminRespondToAuthChallenge": opAdminRespondToAuthChallenge,
		"GetUser":                     opGetUser,
		"ChangePassword":              opChangePassword,
		"DeleteUser":                  opDeleteUser,
		"GlobalSignOut":               opGlobalSignOut,
		"AdminUserGlobalSignOut":      opAdminUserGlobalSignOut,
		"RevokeToken":                 opRevokeToken,
		"GetTokensFromRefreshToken":   opGetTokensFromRefreshToken,
		"AssociateSoftwareToken":      opAssociateSoftwareToken,
		"VerifySoftwareToken":         opVerifySoftwareToken,
		"SetUserMFAPreference":        opSetUserMFAPreference,

		"UpdateUserAttributes":             opUpdateUserAttributes,
		"DeleteUserAttributes":             opDeleteUserAttributes,
		"GetUserAttributeVerificationCode": opGetUserAttributeVerificationCode,
		"VerifyUserAttribute":              opVerifyUserAttribute,
	}
}

// tokenCall is an operation authenticated by an access token.
type tokenCall struct {
	ri   requestInfo
	env  handler.Env
	tx   handler.Tx
	at   *accessToken
	cfg  *poolConfig
	user *user
}

// withAccessToken verifies token (it must carry the admin scope) and loads
// its user: a deleted user is UserNotFoundException, a disabled one
// NotAuthorizedException "User is disabled.".
func withAccessToken(ctx context.Context, env handler.Env, tx handler.Tx, token *string) (*tokenCall, error) {
	if token == nil || *token == "" {
		var v violations
		v.add("null", "accessToken", "Member must not be null")
		return nil, v.err()
	}
	ri := requestOf(ctx)
	at, err := verifyAccessToken(ri, env, tx, *token, adminScope)
	if err != nil {
		return nil, err
	}
	cfg, err := loadPoolConfig(tx, at.poolID)
	if err != nil {
		return nil, err
	}
	u, err := findUser(tx, cfg, at.claims.Username)
	if err != nil {
		return nil, err
	}
	if u == nil || u.Sub != at.claims.Sub {
		return nil, userNotFound()
	}
	if !u.Enabled {
		return nil, apiErrorf(typeNotAuthorized, msgUserDisabled)
	}
	return &tokenCall{ri: ri, env: env, tx: tx, at: at, cfg: cfg, user: u}, nil
}

type accessTokenRequest struct {
	AccessToken *string `json:"AccessToken"`
}

// accessTokenOnly decodes a request whose only member is AccessToken
// (GetUser, DeleteUser, GlobalSignOut) and resolves it as withAccessToken
// does.
func accessTokenOnly(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (*tokenCall, error) {
	var in accessTokenRequest
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	return withAccessToken(ctx, env, tx, in.AccessToken)
}

func opGetUser(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	tc, err := accessTokenOnly(ctx, env, tx, body)
	if err != nil {
		return nil, err
	}
	out := map[string]any{
		"Username":       tc.user.Username,
		"UserAttributes": userAttributesOut(tc.user, nil),
	}
	if o := mfaOptionsOut(tc.user); o != nil {
		out["MFAOptions"] = o // the legacy SMS setting of SetUserSettings
	}
	if l := mfaSettingList(tc.user); len(l) > 0 {
		out["UserMFASettingList"] = l
	}
	if tc.user.MFA.Preferred != "" {
		out["PreferredMfaSetting"] = tc.user.MFA.Preferred
	}
	return out, nil
}

func opChangePassword(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		AccessToken      *string `json:"AccessToken"`
		PreviousPassword *string `json:"PreviousPassword"`
		ProposedPassword *string `json:"ProposedPassword"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	checkPasswordShape(&v, "proposedPassword", in.ProposedPassword, true)
	checkPasswordShape(&v, "previousPassword", in.PreviousPassword, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	tc, err := withAccessToken(ctx, env, tx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	u := tc.user
	if u.hasPassword() {
		if err := checkPassword(env, tx, tc.cfg, u, deref(in.PreviousPassword, "")); err != nil {
			return nil, err
		}
	}
	if err := setPassword(env, tc.cfg, u, *in.ProposedPassword, true); err != nil {
		return nil, err
	}
	if err := saveUser(env, tx, tc.cfg, u); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opDeleteUser(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	tc, err := accessTokenOnly(ctx, env, tx, body)
	if err != nil {
		return nil, err
	}
	if err := signOutUser(tx, tc.cfg.ID, tc.user.Username); err != nil {
		return nil, err
	}
	if err := removeUser(tx, tc.cfg, tc.user); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opGlobalSignOut(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	tc, err := accessTokenOnly(ctx, env, tx, body)
	if err != nil {
		return nil, err
	}
	if err := signOutUser(tx, tc.cfg.ID, tc.user.Username); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opAdminUserGlobalSignOut(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		UserPoolId *string `json:"UserPoolId"`
		Username   *string `json:"Username"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, nil)
	v.checkRequiredString("username", in.Username, 1, 128, nil)
	if err := v.err(); err != nil {
		return nil, err
	}
	cfg, err := loadPoolConfig(tx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	u, err := getUser(tx, cfg, *in.Username)
	if err != nil {
		return nil, err
	}
	if err := signOutUser(tx, cfg.ID, u.Username); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// checkClientSecret checks the ClientSecret member of the token
// operations against a confidential client's secret.
func checkClientSecret(c *clientModel, given *string) error {
	if c.ClientSecret == "" {
		return nil
	}
	if given == nil || !c.matchesSecret(*given) {
		return apiErrorf(typeNotAuthorized, "Client secret is not valid for client %s", c.ClientId)
	}
	return nil
}

func opRevokeToken(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		Token        *string `json:"Token"`
		ClientId     *string `json:"ClientId"`
		ClientSecret *string `json:"ClientSecret"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("token", in.Token, 1, 131072, nil)
	v.checkRequiredString("clientId", in.ClientId, 1, 128, nil)
	if err := v.err(); err != nil {
		return nil, err
	}
	ri := requestOf(ctx)
	poolID, c, err := ri.findClient(tx, *in.ClientId)
	if err != nil {
		return nil, err
	}
	if err := checkClientSecret(c, in.ClientSecret); err != nil {
		return nil, err
	}
	if !c.EnableTokenRevocation {
		return nil, apiErrorf("UnsupportedOperationException", "Token revocation is not enabled for this client.")
	}
	eventID, _, ok := parseRefreshToken(*in.Token)
	if !ok {
		if strings.Count(*in.Token, ".") == 2 {
			return nil, apiErrorf("UnsupportedTokenTypeException", "Unsupported token type.")
		}
		return struct{}{}, nil // unknown tokens revoke nothing, silently
	}
	fam, _, err := findRefresh(env, tx, poolID, c.ClientId, *in.Token)
	if err != nil {
		// Already revoked, expired, reused or unknown: nothing to do.
		return struct{}{}, nil //nolint:nilerr // RevokeToken answers 200 for these
	}
	fam.Revoked = true
	if err := putJSON(tx, typeTokenFamily, familyKey(poolID, eventID), fam); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opGetTokensFromRefreshToken(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		RefreshToken   *string           `json:"RefreshToken"`
		ClientId       *string           `json:"ClientId"`
		ClientSecret   *string           `json:"ClientSecret"`
		DeviceKey      *string           `json:"DeviceKey"`
		ClientMetadata map[string]string `json:"ClientMetadata"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("refreshToken", in.RefreshToken, 1, 131072, nil)
	v.checkRequiredString("clientId", in.ClientId, 1, 128, nil)
	if err := v.err(); err != nil {
		return nil, err
	}
	ri := requestOf(ctx)
	poolID, c, err := ri.findClient(tx, *in.ClientId)
	if err != nil {
		return nil, err
	}
	cfg, err := loadPoolConfig(tx, poolID)
	if err != nil {
		return nil, err
	}
	f := &flow{ri: ri, env: env, tx: tx, cfg: cfg, client: c}
	if err := f.checkFlow(flowRefreshToken); err != nil {
		return nil, err
	}
	if err := checkClientSecret(c, in.ClientSecret); err != nil {
		return nil, err
	}
	fam, current, err := findRefresh(env, tx, poolID, c.ClientId, *in.RefreshToken)
	if err != nil {
		return nil, err
	}
	if err := checkRefreshDevice(tx, poolID, fam, deref(in.DeviceKey, "")); err != nil {
		return nil, err
	}
	u, err := findUser(tx, cfg, fam.Username)
	if err != nil {
		return nil, err
	}
	if u == nil || u.Sub != fam.Sub {
		return nil, errRevokedRefresh
	}
	if !u.Enabled {
		return nil, apiErrorf(typeNotAuthorized, msgUserDisabled)
	}
	res, err := f.issueRefresh(u, fam, rotationEnabled(c), !current)
	if err != nil {
		return nil, err
	}
	return map[string]any{"AuthenticationResult": res}, nil
}

type softwareTokenRequest struct {
	AccessToken        *string `json:"AccessToken"`
	Session            *string `json:"Session"`
	UserCode           *string `json:"UserCode"`
	FriendlyDeviceName *string `json:"FriendlyDeviceName"`
}

func opAssociateSoftwareToken(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in softwareTokenRequest
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	secret, err := totp.NewSecret(randSource(env.Rand))
	if err != nil {
		return nil, err
	}
	if in.AccessToken == nil && in.Session != nil {
		poolID, s, err := mfaSetupSession(env, tx, *in.Session)
		if err != nil {
			return nil, err
		}
		s.TOTPSecret, s.Verified = secret, false
		if err := putSession(tx, poolID, *in.Session, s); err != nil {
			return nil, err
		}
		return map[string]string{"SecretCode": secret, "Session": *in.Session}, nil
	}
	tc, err := withAccessToken(ctx, env, tx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	tc.user.MFA.TOTPSecret, tc.user.MFA.TOTPVerified = secret, false
	if err := saveUser(env, tx, tc.cfg, tc.user); err != nil {
		return nil, err
	}
	return map[string]string{"SecretCode": secret}, nil
}

// errSoftwareTokenMismatch is Cognito's answer to a wrong first code.
var errSoftwareTokenMismatch = apiErrorf("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")

func opVerifySoftwareToken(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in softwareTokenRequest
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("userCode", in.UserCode, 6, 6, nil)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.AccessToken == nil && in.Session != nil {
		poolID, s, err := mfaSetupSession(env, tx, *in.Session)
		if err != nil {
			return nil, err
		}
		key, err := totp.DecodeSecret(s.TOTPSecret)
		if err != nil {
			return nil, invalidParameter("Software token has not been associated with the session; call AssociateSoftwareToken first.")
		}
		if _, ok := totp.Validate(key, *in.UserCode, env.Now); !ok {
			return nil, errSoftwareTokenMismatch
		}
		s.Verified = true
		if err := putSession(tx, poolID, *in.Session, s); err != nil {
			return nil, err
		}
		return map[string]string{"Status": "SUCCESS", "Session": *in.Session}, nil
	}
	tc, err := withAccessToken(ctx, env, tx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	u := tc.user
	key, err := totp.DecodeSecret(u.MFA.TOTPSecret)
	if err != nil {
		return nil, invalidParameter("User has not associated a software token; call AssociateSoftwareToken first.")
	}
	if _, ok := totp.Validate(key, *in.UserCode, env.Now); !ok {
		return nil, errSoftwareTokenMismatch
	}
	u.MFA.TOTPVerified, u.MFA.SoftwareTokenEnabled = true, true
	if in.FriendlyDeviceName != nil {
		u.MFA.TOTPFriendlyName = *in.FriendlyDeviceName
	}
	if err := saveUser(env, tx, tc.cfg, u); err != nil {
		return nil, err
	}
	return map[string]string{"Status": "SUCCESS"}, nil
}

func opSetUserMFAPreference(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		AccessToken              *string                   `json:"AccessToken"`
		SMSMfaSettings           *mfaSettingsInput         `json:"SMSMfaSettings"`
		SoftwareTokenMfaSettings *mfaSettingsInput         `json:"SoftwareTokenMfaSettings"`
		EmailMfaSettings         *mfaSettingsInput         `json:"EmailMfaSettings"`
		WebAuthnMfaSettings      *webAuthnMfaSettingsInput `json:"WebAuthnMfaSettings"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	tc, err := withAccessToken(ctx, env, tx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	if err := applyMFAPreference(tc.user, in.SMSMfaSettings, in.SoftwareTokenMfaSettings, in.EmailMfaSettings); err != nil {
		return nil, err
	}
	if err := applyWebAuthnMFAPreference(tc.cfg, tc.user, in.WebAuthnMfaSettings); err != nil {
		return nil, err
	}
	if err := saveUser(env, tx, tc.cfg, tc.user); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
