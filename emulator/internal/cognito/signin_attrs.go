package cognito

import (
	"context"

	"github.com/ccql/ccql/internal/handler"
)

// The attribute operations a signed-in user calls with an access token:
// UpdateUserAttributes and DeleteUserAttributes (gated by the client's
// WriteAttributes), GetUserAttributeVerificationCode and
// VerifyUserAttribute. They share the attribute rules of the admin
// operations (user_attributes.go).

// errUnauthorizedAttribute is Cognito's answer to a write the client's
// WriteAttributes does not allow.
var errUnauthorizedAttribute = apiErrorf(typeNotAuthorized, "A client attempted to write unauthorized attribute")

// tokenClient is the app client an access token was issued to.
func (tc *tokenCall) tokenClient() (*clientModel, error) {
	c, err := loadClient(tc.tx, tc.cfg.ID, tc.at.claims.ClientID)
	if isNotFound(err) {
		return nil, errInvalidAccess
	}
	return c, err
}

// checkWritable refuses attributes the client may not write (an empty
// WriteAttributes lets it write every writable attribute).
func checkWritable(c *clientModel, names []string) error {
	if len(c.WriteAttributes) == 0 {
		return nil
	}
	for _, n := range names {
		if !contains(c.WriteAttributes, n) {
			return errUnauthorizedAttribute
		}
	}
	return nil
}

// sendVerification sends a verification code for attr (email or
// phone_number) to u through the outbox.
func sendVerification(env handler.Env, tx handler.Tx, cfg *poolConfig, u *user, attr string) (*codeDeliveryDetails, error) {
	code, err := newCode(env, u, codePurposeVerify+attr, verifyCodeValidity)
	if err != nil {
		return nil, err
	}
	medium := MediumEmail
	if attr == "phone_number" {
		medium = MediumSMS
	}
	m, err := sendCode(env, tx, cfg, u, MessageVerifyAttribute, medium, code)
	if err != nil {
		return nil, err
	}
	return deliveryDetails(m), nil
}

func opUpdateUserAttributes(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		AccessToken    *string           `json:"AccessToken"`
		UserAttributes []attributeType   `json:"UserAttributes"`
		ClientMetadata map[string]string `json:"ClientMetadata"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	if in.UserAttributes == nil {
		v.add("null", "userAttributes", "Member must not be null")
	}
	checkAttributeList(&v, "userAttributes", in.UserAttributes)
	if err := v.err(); err != nil {
		return nil, err
	}
	tc, err := withAccessToken(ctx, env, tx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	c, err := tc.tokenClient()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(in.UserAttributes))
	for _, a := range in.UserAttributes {
		names = append(names, deref(a.Name, ""))
	}
	if err := checkWritable(c, names); err != nil {
		return nil, err
	}
	u, cfg := tc.user, tc.cfg
	before := copyStrings(u.Attributes)
	if err := applyAttributes(cfg, u, in.UserAttributes, false); err != nil {
		return nil, err
	}
	var details []*codeDeliveryDetails
	if err := reverifyChangedContacts(cfg, u, before, in.UserAttributes, func(attr string) error {
		d, err := sendVerification(env, tx, cfg, u, attr)
		if err != nil {
			return err
		}
		details = append(details, d)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := claimAliases(env, tx, cfg, u, false); err != nil {
		return nil, err
	}
	if err := saveUser(env, tx, cfg, u); err != nil {
		return nil, err
	}
	out := map[string]any{}
	if len(details) > 0 {
		out["CodeDeliveryDetailsList"] = details
	}
	return out, nil
}

func opDeleteUserAttributes(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		AccessToken        *string  `json:"AccessToken"`
		UserAttributeNames []string `json:"UserAttributeNames"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	if in.UserAttributeNames == nil {
		v.add("null", "userAttributeNames", "Member must not be null")
	}
	m, mc := stringMember(1, 32, &patAttributeName)
	v.checkList("userAttributeNames", in.UserAttributeNames, 0, m, mc)
	if err := v.err(); err != nil {
		return nil, err
	}
	tc, err := withAccessToken(ctx, env, tx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	c, err := tc.tokenClient()
	if err != nil {
		return nil, err
	}
	if err := checkWritable(c, in.UserAttributeNames); err != nil {
		return nil, err
	}
	u := tc.user
	if err := deleteUserAttributes(tc.cfg, u, in.UserAttributeNames); err != nil {
		return nil, err
	}
	if err := saveUser(env, tx, tc.cfg, u); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// verifiableAttribute checks AttributeName for the verification
// operations: email or phone_number, which the user must have.
func verifiableAttribute(u *user, name *string) (string, error) {
	var v violations
	v.checkRequiredString("attributeName", name, 1, 32, &patAttributeName)
	if err := v.err(); err != nil {
		return "", err
	}
	if *name != "email" && *name != "phone_number" {
		return "", invalidParameter("Invalid attribute name %s: only email and phone_number can be verified", *name)
	}
	if val, ok := u.attr(*name); !ok || val == "" {
		return "", invalidParameter("User does not have the attribute %s", *name)
	}
	return *name, nil
}

func opGetUserAttributeVerificationCode(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		AccessToken    *string           `json:"AccessToken"`
		AttributeName  *string           `json:"AttributeName"`
		ClientMetadata map[string]string `json:"ClientMetadata"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	tc, err := withAccessToken(ctx, env, tx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	attr, err := verifiableAttribute(tc.user, in.AttributeName)
	if err != nil {
		return nil, err
	}
	d, err := sendVerification(env, tx, tc.cfg, tc.user, attr)
	if err != nil {
		return nil, err
	}
	if err := saveUser(env, tx, tc.cfg, tc.user); err != nil {
		return nil, err
	}
	return map[string]any{"CodeDeliveryDetails": d}, nil
}

func opVerifyUserAttribute(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		AccessToken   *string `json:"AccessToken"`
		AttributeName *string `json:"AttributeName"`
		Code          *string `json:"Code"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("code", in.Code, 1, 2048, nil)
	if err := v.err(); err != nil {
		return nil, err
	}
	tc, err := withAccessToken(ctx, env, tx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	attr, err := verifiableAttribute(tc.user, in.AttributeName)
	if err != nil {
		return nil, err
	}
	if err := consumeCode(env, tx, tc.cfg, tc.user, codePurposeVerify+attr, *in.Code); err != nil {
		return nil, err
	}
	tc.user.setAttr(attr+"_verified", "true")
	if err := claimAliases(env, tx, tc.cfg, tc.user, false); err != nil {
		return nil, err
	}
	if err := saveUser(env, tx, tc.cfg, tc.user); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
