package cognito

import (
	"context"
	"fmt"

	"github.com/ccql/ccql/internal/handler"
)

// SetUserSettings and AdminSetUserSettings, the legacy MFAOptions form of
// SMS MFA: an SMS option on phone_number turns the user's SMS MFA on, an
// empty list turns it off (AdminGetUser's MFAOptions and
// UserMFASettingList show the result). AWS documents that these operations
// configure only SMS MFA.

var mfaOptionMediums = []string{"SMS", "EMAIL"}

type mfaOption struct {
	DeliveryMedium *string `json:"DeliveryMedium"`
	AttributeName  *string `json:"AttributeName"`
}

func checkMFAOptions(v *violations, opts []mfaOption) {
	if opts == nil {
		v.add("null", "mFAOptions", "Member must not be null")
		return
	}
	for i, o := range opts {
		p := fmt.Sprintf("mFAOptions.%d.member.", i+1)
		v.checkEnum(p+"deliveryMedium", o.DeliveryMedium, mfaOptionMediums)
		v.checkString(p+"attributeName", o.AttributeName, 1, 32, &patAttributeName)
	}
}

// applyMFAOptions sets the user's SMS MFA from MFAOptions.
func applyMFAOptions(u *user, opts []mfaOption) *APIError {
	sms := false
	for _, o := range opts {
		if deref(o.DeliveryMedium, "") != "SMS" || deref(o.AttributeName, "") != "phone_number" {
			// Not a message Cognito is known to use; the rule is AWS's.
			return invalidParameter("Only SMS MFA on phone_number can be set with MFAOptions.")
		}
		sms = true
	}
	if sms {
		if _, ok := u.attr("phone_number"); !ok {
			// Not a message Cognito is known to use for a user without a phone.
			return invalidParameter("The user has no phone_number for SMS MFA.")
		}
	}
	u.MFA.SMSEnabled = sms
	if !sms && u.MFA.Preferred == "SMS_MFA" {
		u.MFA.Preferred = ""
	}
	return nil
}

func opAdminSetUserSettings(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		adminUserInput
		MFAOptions []mfaOption `json:"MFAOptions"`
	}
	cfg, u, err := adminUser(tx, body, &in, &in.adminUserInput, func(v *violations) { checkMFAOptions(v, in.MFAOptions) })
	if err != nil {
		return nil, err
	}
	if err := applyMFAOptions(u, in.MFAOptions); err != nil {
		return nil, err
	}
	if err := saveUser(env, tx, cfg, u); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opSetUserSettings(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		AccessToken *string     `json:"AccessToken"`
		MFAOptions  []mfaOption `json:"MFAOptions"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	checkMFAOptions(&v, in.MFAOptions)
	if err := v.err(); err != nil {
		return nil, err
	}
	tc, err := withAccessToken(ctx, env, tx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	if err := applyMFAOptions(tc.user, in.MFAOptions); err != nil {
		return nil, err
	}
	if err := saveUser(env, tx, tc.cfg, tc.user); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
