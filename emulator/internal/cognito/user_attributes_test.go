package cognito

import (
	"testing"
)

func sp(s string) *string { return &s }

func TestApplyAttributes(t *testing.T) {
	tx := newMemTx()
	cfg := newUserPool(t, tx, map[string]any{"Schema": []any{
		map[string]any{"Name": "tier", "AttributeDataType": "Number", "NumberAttributeConstraints": map[string]any{"MinValue": "1", "MaxValue": "5"}},
		map[string]any{"Name": "code", "AttributeDataType": "String", "Mutable": false, "StringAttributeConstraints": map[string]any{"MinLength": "2", "MaxLength": "4"}},
		map[string]any{"Name": "flag", "AttributeDataType": "Boolean"},
	}})
	cases := []struct {
		desc     string
		name     string
		value    string
		creating bool
		msg      string // "" = accepted
	}{
		{"number in range", "custom:tier", "5", false, ""},
		{"number too big", "custom:tier", "6", false, "Attributes did not conform to the schema: custom:tier: Number must be less than or equal to 5"},
		{"number too small", "custom:tier", "0", false, "Attributes did not conform to the schema: custom:tier: Number must be greater than or equal to 1"},
		{"not a number", "custom:tier", "x", false, "Attributes did not conform to the schema: custom:tier: Number must be a valid number"},
		{"string too long", "custom:code", "abcde", true, "Attributes did not conform to the schema: custom:code: String must be no longer than 4 characters"},
		{"string too short", "custom:code", "a", true, "Attributes did not conform to the schema: custom:code: String must be no shorter than 2 characters"},
		{"immutable at creation", "custom:code", "abc", true, ""},
		{"immutable after creation", "custom:code", "abc", false, "Attributes did not conform to the schema: Cannot modify the non-mutable attribute custom:code"},
		{"boolean", "custom:flag", "true", false, ""},
		{"bad boolean", "custom:flag", "yes", false, "Attributes did not conform to the schema: custom:flag: Value must be either true or false"},
		{"unknown", "custom:none", "x", false, "Attributes did not conform to the schema: Type for attribute {custom:none} could not be determined"},
		{"sub", "sub", "x", true, "Attributes did not conform to the schema: Cannot modify the non-mutable attribute sub"},
		{"email", "email", "a@b.c", false, ""},
		{"bad email", "email", "a@", false, "Invalid email address format."},
		{"phone", "phone_number", "+15555550100", false, ""},
		{"bad phone", "phone_number", "555-0100", false, "Invalid phone number format."},
		{"standard string too long", "name", string(make([]rune, 2049)), false, "Attributes did not conform to the schema: name: String must be no longer than 2048 characters"},
		{"updated_at number", "updated_at", "-1", false, "Attributes did not conform to the schema: updated_at: Number must be greater than or equal to 0"},
	}
	for _, c := range cases {
		t.Run(c.desc, func(t *testing.T) {
			u, err := newUser(userEnv(), cfg, "u")
			if err != nil {
				t.Fatal(err)
			}
			err = applyAttributes(cfg, u, []attributeType{{Name: sp(c.name), Value: sp(c.value)}}, c.creating)
			if c.msg == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				if got, _ := u.attr(c.name); got != c.value {
					t.Errorf("%s = %q", c.name, got)
				}
				return
			}
			wantAPIError(t, err, typeInvalidParameter, c.msg)
		})
	}
	// An empty value deletes.
	u, _ := newUser(userEnv(), cfg, "u")
	u.setAttr("given_name", "x")
	if err := applyAttributes(cfg, u, []attributeType{{Name: sp("given_name"), Value: sp("")}}, false); err != nil {
		t.Fatal(err)
	}
	if _, ok := u.attr("given_name"); ok {
		t.Error("empty value did not delete")
	}
}

func TestCheckUsernameFormat(t *testing.T) {
	cases := []struct {
		settings map[string]any
		name     string
		msg      string
	}{
		{nil, "alice", ""},
		{nil, "alice@example.com", ""},
		{map[string]any{"UsernameAttributes": []any{"email"}}, "alice@example.com", ""},
		{map[string]any{"UsernameAttributes": []any{"email"}}, "alice", "Username should be an email."},
		{map[string]any{"UsernameAttributes": []any{"phone_number"}}, "+15555550100", ""},
		{map[string]any{"UsernameAttributes": []any{"phone_number"}}, "alice@example.com", "Username should be a phone number."},
		{map[string]any{"UsernameAttributes": []any{"email", "phone_number"}}, "alice", "Username should be either an email or a phone number."},
		{map[string]any{"AliasAttributes": []any{"email"}}, "alice@example.com", "Username cannot be of email format, since user pool is configured for email alias."},
		{map[string]any{"AliasAttributes": []any{"phone_number"}}, "+15555550100", "Username cannot be of phone number format, since user pool is configured for phone number alias."},
		{map[string]any{"AliasAttributes": []any{"preferred_username"}}, "alice@example.com", ""},
	}
	for _, c := range cases {
		cfg := poolConfigOf(mergeMaps(map[string]any{"UserPoolId": "us-east-1_x"}, c.settings))
		err := checkUsernameFormat(cfg, c.name)
		if c.msg == "" {
			if err != nil {
				t.Errorf("%v %q: %v", c.settings, c.name, err)
			}
			continue
		}
		wantAPIError(t, err, typeInvalidParameter, c.msg)
	}
}

func mergeMaps(a, b map[string]any) map[string]any {
	for k, v := range b {
		a[k] = v
	}
	return a
}

func TestMaskDestination(t *testing.T) {
	for _, c := range []struct{ medium, in, want string }{
		{MediumEmail, "alice@example.com", "a***@e***"},
		{MediumEmail, "ü@ß.de", "ü***@ß***"},
		{MediumEmail, "broken", "***"},
		{MediumSMS, "+15555550100", "+*******0100"},
		{MediumSMS, "+1234", "+1234"},
	} {
		if got := maskDestination(c.medium, c.in); got != c.want {
			t.Errorf("maskDestination(%s, %q) = %q, want %q", c.medium, c.in, got, c.want)
		}
	}
}

func TestRecoveryMedium(t *testing.T) {
	both := map[string]string{"email": "a@b.c", "email_verified": "true", "phone_number": "+15555550100", "phone_number_verified": "true"}
	emailOnly := map[string]string{"email": "a@b.c", "email_verified": "true"}
	unverified := map[string]string{"email": "a@b.c", "email_verified": "false"}
	phoneFirst := map[string]any{"AccountRecoverySetting": map[string]any{"RecoveryMechanisms": []any{
		map[string]any{"Priority": 2.0, "Name": "verified_email"}, map[string]any{"Priority": 1.0, "Name": "verified_phone_number"}}}}
	adminOnly := map[string]any{"AccountRecoverySetting": map[string]any{"RecoveryMechanisms": []any{map[string]any{"Priority": 1.0, "Name": "admin_only"}}}}
	cases := []struct {
		settings map[string]any
		attrs    map[string]string
		want     string
		typ, msg string
	}{
		{nil, both, MediumEmail, "", ""},
		{phoneFirst, both, MediumSMS, "", ""},
		{phoneFirst, emailOnly, MediumEmail, "", ""},
		{nil, unverified, "", typeInvalidParameter, "Cannot reset password for the user as there is no registered/verified email or phone_number"},
		{adminOnly, both, "", typeNotAuthorized, "Cannot reset password for the user as there is no registered/verified email or phone_number"},
	}
	for _, c := range cases {
		cfg := poolConfigOf(mergeMaps(map[string]any{"UserPoolId": "us-east-1_x"}, c.settings))
		u := &user{Attributes: c.attrs}
		got, err := recoveryMedium(cfg, u)
		if c.msg != "" {
			wantAPIError(t, err, c.typ, c.msg)
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("recoveryMedium = %q, %v; want %q", got, err, c.want)
		}
	}
}

func TestConsumeCode(t *testing.T) {
	tx := newMemTx()
	env := userEnv()
	cfg := newUserPool(t, tx, nil)
	u := mustSaveUser(t, env, tx, cfg, "gina", nil)
	code, err := newCode(env, u, codePurposeSignUp, signUpCodeValidity)
	if err != nil || len(code) != 6 {
		t.Fatalf("newCode = %q, %v", code, err)
	}
	for i := 0; i < maxCodeFailures; i++ {
		wantAPIError(t, consumeCode(env, tx, cfg, u, codePurposeSignUp, "x"), typeCodeMismatch, msgCodeMismatch)
	}
	wantAPIError(t, consumeCode(env, tx, cfg, u, codePurposeSignUp, code), typeLimitExceeded, msgAttemptsLimit)
	code, _ = newCode(env, u, codePurposeSignUp, signUpCodeValidity)
	if err := consumeCode(env, tx, cfg, u, codePurposeSignUp, code); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, consumeCode(env, tx, cfg, u, codePurposeSignUp, code), typeCodeMismatch, msgCodeMismatch)
	code, _ = newCode(env, u, codePurposeForgot, forgotCodeValidity)
	env.Now = env.Now.Add(forgotCodeValidity)
	wantAPIError(t, consumeCode(env, tx, cfg, u, codePurposeForgot, code), typeExpiredCode, msgCodeExpired)
}

func TestValidatePoolUserSettings(t *testing.T) {
	custom := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"Name": "c" + string(rune('A'+i%26)) + string(rune('a'+i/26))}
		}
		return out
	}
	cases := []struct {
		model map[string]any
		typ   string
		msg   string
	}{
		{map[string]any{"Policies": map[string]any{"PasswordPolicy": map[string]any{"MinimumLength": 6.0}}}, "", ""},
		{map[string]any{"Policies": map[string]any{"PasswordPolicy": map[string]any{"MinimumLength": 99.0}}}, "", ""},
		{map[string]any{"Policies": map[string]any{"PasswordPolicy": map[string]any{"MinimumLength": 5.0}}}, typeInvalidParameter,
			"1 validation error detected: Value '5' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value greater than or equal to 6"},
		{map[string]any{"Policies": map[string]any{"PasswordPolicy": map[string]any{"TemporaryPasswordValidityDays": 366.0}}}, typeInvalidParameter,
			"1 validation error detected: Value '366' at 'policies.passwordPolicy.temporaryPasswordValidityDays' failed to satisfy constraint: Member must have value less than or equal to 365"},
		{map[string]any{"Schema": []any{map[string]any{"Name": "x", "AttributeDataType": "Text"}}}, typeInvalidParameter,
			"1 validation error detected: Value 'Text' at 'schema.1.member.attributeDataType' failed to satisfy constraint: Member must satisfy enum value set: [String, Number, DateTime, Boolean]"},
		{map[string]any{"Schema": []any{map[string]any{"Name": "email", "AttributeDataType": "Number"}}}, typeInvalidParameter,
			"The data type of standard attribute email cannot be changed from String."},
		{map[string]any{"Schema": []any{map[string]any{"Name": "x", "Required": true}}}, typeInvalidParameter,
			"Required custom attributes are not supported currently."},
		{map[string]any{"Schema": custom(50)}, "", ""},
		{map[string]any{"Schema": custom(51)}, typeInvalidParameter,
			"1 validation error detected: Value '51 items' at 'schema' failed to satisfy constraint: Member must have length less than or equal to 50"},
	}
	for i, c := range cases {
		var v violations
		err := validatePoolUserSettings(&v, c.model)
		if c.msg == "" {
			if err != nil {
				t.Errorf("case %d: %v", i, err)
			}
			continue
		}
		wantAPIError(t, err, c.typ, c.msg)
	}
}
