package cognito

import (
	"context"

	"github.com/ccql/ccql/internal/handler"
)

// opGetUserAuthFactors answers, for the user of an access token, the MFA
// settings and ConfiguredUserAuthFactors: the first factors of USER_AUTH
// sign-in the user can use, as the sign-in flow computes them
// (flow.firstFactors; the SRP and plain password challenges are both
// PASSWORD; WEB_AUTHN once the user has a passkey for the pool's relying
// party).
func opGetUserAuthFactors(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		AccessToken *string `json:"AccessToken"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	tc, err := withAccessToken(ctx, env, tx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	u := tc.user
	factors := []string{}
	for _, f := range (&flow{env: tc.env, tx: tc.tx, cfg: tc.cfg}).firstFactors(u) {
		if f == chPasswordSRP {
			f = chPassword
		}
		if !contains(factors, f) {
			factors = append(factors, f)
		}
	}
	out := map[string]any{"Username": u.Username, "ConfiguredUserAuthFactors": factors}
	if l := mfaSettingList(u); l != nil {
		out["UserMFASettingList"] = l
	}
	if u.MFA.Preferred != "" {
		out["PreferredMfaSetting"] = u.MFA.Preferred
	}
	return out, nil
}
