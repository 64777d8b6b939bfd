package cognito

import (
	"context"
	"fmt"

	"github.com/ccql/ccql/internal/handler"
)

// userOperations returns the IdP operations on users that this part of the
// package serves (Admin*, SignUp and its confirmation, ForgotPassword,
// ListUsers, the pool MFA configuration, UpdateUserPool,
// AddCustomAttributes). Operations() merges them.
func userOperations() map[string]Operation {
	return map[string]Operation{
		"AdminCreateUser":           opAdminCreateUser,
		"AdminGetUser":              opAdminGetUser,
		"AdminDeleteUser":           opAdminDeleteUser,
		"AdminUpdateUserAttributes": opAdminUpdateUserAttributes,
		"AdminDeleteUserAttributes": opAdminDeleteUserAttributes,
		"AdminSetUserPassword":      opAdminSetUserPassword,
		"AdminResetUserPassword":    opAdminResetUserPassword,
		"AdminConfirmSignUp":        opAdminConfirmSignUp,
		"AdminDisableUser":          opAdminDisableUser,
		"AdminEnableUser":           opAdminEnableUser,
		"AdminAddUserToGroup":       opAdminAddUserToGroup,
		"AdminRemoveUserFromGroup":  opAdminRemoveUserFromGroup,
		"AdminListGroupsForUser":    opAdminListGroupsForUser,
		"ListUsersInGroup":          opListUsersInGroup,
		"ListUsers":                 opListUsers,
		"AdminSetUserMFAPreference": opAdminSetUserMFAPreference,
		"GetUserPoolMfaConfig":      opGetUserPoolMfaConfig,
		"SetUserPoolMfaConfig":      opSetUserPoolMfaConfig,
		"SignUp":                    opSignUp,
		"ConfirmSignUp":             opConfirmSignUp,
		"ResendConfirmationCode":    opResendConfirmationCode,
		"ForgotPassword":            opForgotPassword,
		"ConfirmForgotPassword":     opConfirmForgotPassword,
		"UpdateUserPool":            opUpdateUserPool,
		"AddCustomAttributes":       opAddCustomAttributes,
	}
}

// adminUserInput is the UserPoolId + Username of the Admin* operations.
type adminUserInput struct {
	UserPoolId *string `json:"UserPoolId"`
	Username   *string `json:"Username"`
}

func (in *adminUserInput) check(v *violations) {
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	v.checkSensitive("username", in.Username, 1, 128, &patUsername, true)
}

// adminUser decodes an Admin* request into in (which embeds
// adminUserInput), validates it with extra, and loads the pool and user.
func adminUser(tx handler.Tx, body []byte, in any, base *adminUserInput, extra func(*violations)) (*poolConfig, *user, error) {
	if err := decodeBody(body, in); err != nil {
		return nil, nil, err
	}
	var v violations
	base.check(&v)
	if extra != nil {
		extra(&v)
	}
	if err := v.err(); err != nil {
		return nil, nil, err
	}
	cfg, err := loadPoolConfig(tx, *base.UserPoolId)
	if err != nil {
		return nil, nil, err
	}
	u, err := getUser(tx, cfg, *base.Username)
	if err != nil {
		return nil, nil, err
	}
	return cfg, u, nil
}

var (
	messageActionValues  = []string{"RESEND", "SUPPRESS"}
	deliveryMediumValues = []string{"SMS", "EMAIL"}
)

func opAdminCreateUser(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in adminCreateUserInput
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	u, err := adminCreateUser(env, tx, &in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"User": userTypeOut(u, nil)}, nil
}

// adminCreateUserInput is AdminCreateUser's request, also the Cloud
// Control model of AWS::Cognito::UserPoolUser.
type adminCreateUserInput struct {
	adminUserInput
	UserAttributes         []attributeType   `json:"UserAttributes"`
	ValidationData         []attributeType   `json:"ValidationData"`
	TemporaryPassword      *string           `json:"TemporaryPassword"`
	ForceAliasCreation     *bool             `json:"ForceAliasCreation"`
	MessageAction          *string           `json:"MessageAction"`
	DesiredDeliveryMediums []string          `json:"DesiredDeliveryMediums"`
	ClientMetadata         map[string]string `json:"ClientMetadata"`
}

// adminCreateUser creates (or, with MessageAction RESEND, re-invites) a
// user as AdminCreateUser does: status FORCE_CHANGE_PASSWORD with the
// given or a generated temporary password, and an invitation in the
// outbox unless MessageAction is SUPPRESS.
func adminCreateUser(env handler.Env, tx handler.Tx, in *adminCreateUserInput) (*user, error) {
	var v violations
	in.check(&v)
	checkAttributeList(&v, "userAttributes", in.UserAttributes)
	checkPasswordShape(&v, "temporaryPassword", in.TemporaryPassword, false)
	v.checkEnum("messageAction", in.MessageAction, messageActionValues)
	m, mc := enumMember(deliveryMediumValues)
	v.checkList("desiredDeliveryMediums", in.DesiredDeliveryMediums, 0, m, mc)
	if err := v.err(); err != nil {
		return nil, err
	}
	cfg, err := loadPoolConfig(tx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	action := deref(in.MessageAction, "")
	var u *user
	if action == "RESEND" {
		if u, err = getUser(tx, cfg, *in.Username); err != nil {
			return nil, err
		}
		if u.Status != statusForceChangePassword {
			return nil, apiErrorf(typeUnsupportedUserState, "Resend not possible. %s status is not FORCE_CHANGE_PASSWORD", u.Username)
		}
	} else {
		if err := checkUsernameFormat(cfg, *in.Username); err != nil {
			return nil, err
		}
		if existing, err := loadUserByKey(tx, cfg.userKey(*in.Username)); err != nil {
			return nil, err
		} else if existing != nil {
			return nil, apiErrorf(typeUsernameExists, "User account already exists")
		}
		if u, err = newUser(env, cfg, *in.Username); err != nil {
			return nil, err
		}
		if attr := usernameAttributeOf(cfg, *in.Username); attr != "" {
			u.setAttr(attr, *in.Username)
		}
		if err := applyAttributes(cfg, u, in.UserAttributes, true); err != nil {
			return nil, err
		}
		if err := checkRequiredAttributes(cfg, u); err != nil {
			return nil, err
		}
		if err := claimAliases(env, tx, cfg, u, deref(in.ForceAliasCreation, false)); err != nil {
			return nil, err
		}
	}
	password := deref(in.TemporaryPassword, "")
	if password == "" {
		if password, err = generateTemporaryPassword(env.Rand, cfg.Policy); err != nil {
			return nil, err
		}
	}
	if err := setPassword(env, cfg, u, password, false); err != nil {
		return nil, err
	}
	if action != "SUPPRESS" {
		mediums := in.DesiredDeliveryMediums
		if len(mediums) == 0 {
			mediums = []string{MediumSMS} // Cognito's default
		}
		display := u.Username
		if attr := usernameAttributeOf(cfg, *in.Username); attr != "" {
			display = *in.Username
		}
		for _, medium := range mediums {
			attr := mediumAttribute(medium)
			dest, ok := u.attr(attr)
			if !ok || dest == "" {
				continue
			}
			subject, text := inviteText(cfg, medium)
			msg := &Message{
				UserPoolId: cfg.ID, Username: u.Username, Kind: MessageInvitation,
				DeliveryMedium: medium, AttributeName: attr, Destination: dest,
				Subject: subject, Message: renderTemplate(text, password, display), Code: password,
			}
			if err := recordMessage(env, tx, msg); err != nil {
				return nil, err
			}
		}
	}
	if err := saveUser(env, tx, cfg, u); err != nil {
		return nil, err
	}
	return u, nil
}

// adminGetUserOut renders AdminGetUser's response.
func adminGetUserOut(u *user) map[string]any {
	out := map[string]any{
		"Username":             u.Username,
		"UserAttributes":       userAttributesOut(u, nil),
		"UserCreateDate":       u.Created,
		"UserLastModifiedDate": u.Modified,
		"Enabled":              u.Enabled,
		"UserStatus":           u.Status,
	}
	if o := mfaOptionsOut(u); o != nil {
		out["MFAOptions"] = o
	}
	if l := mfaSettingList(u); l != nil {
		out["UserMFASettingList"] = l
	}
	if u.MFA.Preferred != "" {
		out["PreferredMfaSetting"] = u.MFA.Preferred
	}
	return out
}

func opAdminGetUser(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in adminUserInput
	_, u, err := adminUser(tx, body, &in, &in, nil)
	if err != nil {
		return nil, err
	}
	return adminGetUserOut(u), nil
}

func opAdminDeleteUser(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in adminUserInput
	cfg, u, err := adminUser(tx, body, &in, &in, nil)
	if err != nil {
		return nil, err
	}
	if err := removeUser(tx, cfg, u); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opAdminUpdateUserAttributes(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		adminUserInput
		UserAttributes []attributeType   `json:"UserAttributes"`
		ClientMetadata map[string]string `json:"ClientMetadata"`
	}
	cfg, u, err := adminUser(tx, body, &in, &in.adminUserInput, func(v *violations) {
		if in.UserAttributes == nil {
			v.add("null", "userAttributes", "Member must not be null")
		}
		checkAttributeList(v, "userAttributes", in.UserAttributes)
	})
	if err != nil {
		return nil, err
	}
	before := copyStrings(u.Attributes)
	if err := applyAttributes(cfg, u, in.UserAttributes, false); err != nil {
		return nil, err
	}
	if err := reverifyChangedContacts(cfg, u, before, in.UserAttributes, func(attr string) error {
		_, err := sendVerificationCode(env, tx, cfg, u, attr)
		return err
	}); err != nil {
		return nil, err
	}
	if err := claimAliases(env, tx, cfg, u, false); err != nil {
		return nil, err
	}
	if err := saveUser(env, tx, cfg, u); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// reverifyChangedContacts follows an attribute update of u (before holds
// its attributes beforehand, given the request's): a changed e-mail or
// phone number is unverified again, unless the request sets its verified
// flag too, and a removed one loses the flag; when the pool auto-verifies
// the attribute, send delivers a verification code to the new address.
// It serves AdminUpdateUserAttributes and UpdateUserAttributes.
func reverifyChangedContacts(cfg *poolConfig, u *user, before map[string]string, given []attributeType, send func(attr string) error) error {
	for _, attr := range []string{"email", "phone_number"} {
		if before[attr] == u.Attributes[attr] || givenAttribute(given, attr+"_verified") {
			continue
		}
		if _, has := u.attr(attr); !has {
			u.deleteAttr(attr + "_verified")
			continue
		}
		u.setAttr(attr+"_verified", "false")
		if contains(cfg.AutoVerified, attr) {
			if err := send(attr); err != nil {
				return err
			}
		}
	}
	return nil
}

func givenAttribute(attrs []attributeType, name string) bool {
	for _, a := range attrs {
		if deref(a.Name, "") == name {
			return true
		}
	}
	return false
}

func copyStrings(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func opAdminDeleteUserAttributes(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		adminUserInput
		UserAttributeNames []string `json:"UserAttributeNames"`
	}
	cfg, u, err := adminUser(tx, body, &in, &in.adminUserInput, func(v *violations) {
		if in.UserAttributeNames == nil {
			v.add("null", "userAttributeNames", "Member must not be null")
		}
		m, mc := stringMember(1, 32, &patAttributeName)
		v.checkList("userAttributeNames", in.UserAttributeNames, 0, m, mc)
	})
	if err != nil {
		return nil, err
	}
	if err := deleteUserAttributes(cfg, u, in.UserAttributeNames); err != nil {
		return nil, err
	}
	if err := saveUser(env, tx, cfg, u); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opAdminSetUserPassword(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		adminUserInput
		Password  *string `json:"Password"`
		Permanent *bool   `json:"Permanent"`
	}
	cfg, u, err := adminUser(tx, body, &in, &in.adminUserInput, func(v *violations) {
		checkPasswordShape(v, "password", in.Password, true)
	})
	if err != nil {
		return nil, err
	}
	if err := setPassword(env, cfg, u, *in.Password, deref(in.Permanent, false)); err != nil {
		return nil, err
	}
	if err := saveUser(env, tx, cfg, u); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opAdminResetUserPassword(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		adminUserInput
		ClientMetadata map[string]string `json:"ClientMetadata"`
	}
	cfg, u, err := adminUser(tx, body, &in, &in.adminUserInput, nil)
	if err != nil {
		return nil, err
	}
	if !u.Enabled {
		return nil, apiErrorf(typeNotAuthorized, msgUserDisabled)
	}
	medium, err := recoveryMedium(cfg, u)
	if err != nil {
		return nil, err
	}
	code, err := newCode(env, u, codePurposeForgot, forgotCodeValidity)
	if err != nil {
		return nil, err
	}
	if _, err := sendCode(env, tx, cfg, u, MessageForgotPassword, medium, code); err != nil {
		return nil, err
	}
	if u.Status != statusUnconfirmed {
		u.Status = statusResetRequired
	}
	u.Salt, u.Verifier = nil, nil
	if err := saveUser(env, tx, cfg, u); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// recoveryMedium picks the medium of a password-reset code from the pool's
// AccountRecoverySetting (default: verified e-mail, then verified phone).
func recoveryMedium(cfg *poolConfig, u *user) (string, error) {
	mechanisms := []string{"verified_email", "verified_phone_number"}
	if ars, ok := cfg.Model["AccountRecoverySetting"].(map[string]any); ok {
		list, _ := ars["RecoveryMechanisms"].([]any)
		type mech struct {
			prio int
			name string
		}
		var ms []mech
		for _, it := range list {
			m, _ := it.(map[string]any)
			p, _ := numberOf(m["Priority"])
			n, _ := m["Name"].(string)
			ms = append(ms, mech{p, n})
		}
		for i := 1; i < len(ms); i++ {
			for j := i; j > 0 && ms[j].prio < ms[j-1].prio; j-- {
				ms[j], ms[j-1] = ms[j-1], ms[j]
			}
		}
		if len(ms) > 0 {
			mechanisms = mechanisms[:0]
			for _, m := range ms {
				mechanisms = append(mechanisms, m.name)
			}
		}
	}
	for _, m := range mechanisms {
		switch m {
		case "admin_only":
			return "", apiErrorf(typeNotAuthorized, "Cannot reset password for the user as there is no registered/verified email or phone_number")
		case "verified_email":
			if u.verified("email") {
				return MediumEmail, nil
			}
		case "verified_phone_number":
			if u.verified("phone_number") {
				return MediumSMS, nil
			}
		}
	}
	return "", invalidParameter("Cannot reset password for the user as there is no registered/verified email or phone_number")
}

func opAdminConfirmSignUp(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		adminUserInput
		ClientMetadata map[string]string `json:"ClientMetadata"`
	}
	cfg, u, err := adminUser(tx, body, &in, &in.adminUserInput, nil)
	if err != nil {
		return nil, err
	}
	if u.Status != statusUnconfirmed {
		return nil, apiErrorf(typeNotAuthorized, "User cannot be confirmed. Current status is %s", u.Status)
	}
	u.Status = statusConfirmed
	delete(u.Codes, codePurposeSignUp)
	if err := saveUser(env, tx, cfg, u); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func setEnabled(env handler.Env, tx handler.Tx, body []byte, enabled bool) (any, error) {
	var in adminUserInput
	cfg, u, err := adminUser(tx, body, &in, &in, nil)
	if err != nil {
		return nil, err
	}
	u.Enabled = enabled
	if err := saveUser(env, tx, cfg, u); err != nil {
		return nil, err
	}
	if !enabled {
		// AdminDisableUser "revokes all access tokens for the user" (API
		// reference): as a global sign-out, so they stay refused after
		// AdminEnableUser.
		if err := signOutUser(tx, cfg.ID, u.Username); err != nil {
			return nil, fmt.Errorf("revoke the tokens of %s: %w", u.Username, err)
		}
	}
	return struct{}{}, nil
}

func opAdminDisableUser(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	return setEnabled(env, tx, body, false)
}

func opAdminEnableUser(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	return setEnabled(env, tx, body, true)
}

type groupMemberInput struct {
	adminUserInput
	GroupName *string `json:"GroupName"`
}

func (in *groupMemberInput) checkGroup(v *violations) {
	v.checkRequiredString("groupName", in.GroupName, 1, 128, &patGroupName)
}

// loadGroupModel returns a group or "Group not found.".
func loadGroupModel(tx handler.Tx, poolID, name string) (map[string]any, error) {
	m, found, err := loadSatellite(tx, typeGroup, poolID, name)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, groupNotFound(name)
	}
	return m, nil
}

// addUserToGroup puts u in group (AdminAddUserToGroup; idempotent).
func addUserToGroup(env handler.Env, tx handler.Tx, cfg *poolConfig, u *user, group string) error {
	if _, err := loadGroupModel(tx, cfg.ID, group); err != nil {
		return err
	}
	u.Groups = addString(u.Groups, group)
	return saveUser(env, tx, cfg, u)
}

func opAdminAddUserToGroup(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in groupMemberInput
	cfg, u, err := adminUser(tx, body, &in, &in.adminUserInput, in.checkGroup)
	if err != nil {
		return nil, err
	}
	if err := addUserToGroup(env, tx, cfg, u, *in.GroupName); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opAdminRemoveUserFromGroup(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in groupMemberInput
	cfg, u, err := adminUser(tx, body, &in, &in.adminUserInput, in.checkGroup)
	if err != nil {
		return nil, err
	}
	if _, err := loadGroupModel(tx, cfg.ID, *in.GroupName); err != nil {
		return nil, err
	}
	u.Groups = removeString(u.Groups, *in.GroupName)
	if err := saveUser(env, tx, cfg, u); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// pageOf cuts names (sorted) at token, Limit items a page.
func pageOf(names []string, limit int, token *string, scope string) ([]string, string, *APIError) {
	recs := make([]handler.Record, len(names))
	for i, n := range names {
		recs[i] = handler.Record{Identifier: n}
	}
	p, err := paginate(recs, limit, token, scope)
	if err != nil {
		return nil, "", err
	}
	out := make([]string, len(p.recs))
	for i, r := range p.recs {
		out[i] = r.Identifier
	}
	return out, p.next, nil
}

// checkLimit validates Limit (0…60, default 60).
func checkLimit(v *violations, limit *int) int {
	if limit == nil || *limit == 0 {
		v.checkInt("limit", limit, 0, 60)
		return 60
	}
	v.checkInt("limit", limit, 0, 60)
	return *limit
}

func opAdminListGroupsForUser(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		adminUserInput
		Limit     *int    `json:"Limit"`
		NextToken *string `json:"NextToken"`
	}
	var limit int
	cfg, u, err := adminUser(tx, body, &in, &in.adminUserInput, func(v *violations) {
		limit = checkLimit(v, in.Limit)
		v.checkString("nextToken", in.NextToken, 1, 131072, &patNextToken)
	})
	if err != nil {
		return nil, err
	}
	names, next, apiErr := pageOf(u.Groups, limit, in.NextToken, "AdminListGroupsForUser|"+cfg.ID+"|"+u.Username)
	if apiErr != nil {
		return nil, apiErr
	}
	groupsOut := make([]map[string]any, 0, len(names))
	for _, n := range names {
		m, found, err := loadSatellite(tx, typeGroup, cfg.ID, n)
		if err != nil {
			return nil, err
		}
		if !found {
			continue
		}
		g, err := groupToAPI(tx, m)
		if err != nil {
			return nil, err
		}
		groupsOut = append(groupsOut, g)
	}
	out := map[string]any{"Groups": groupsOut}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

func opListUsersInGroup(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		UserPoolId *string `json:"UserPoolId"`
		GroupName  *string `json:"GroupName"`
		Limit      *int    `json:"Limit"`
		NextToken  *string `json:"NextToken"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	v.checkRequiredString("groupName", in.GroupName, 1, 128, &patGroupName)
	limit := checkLimit(&v, in.Limit)
	v.checkString("nextToken", in.NextToken, 1, 131072, &patNextToken)
	if err := v.err(); err != nil {
		return nil, err
	}
	if _, err := loadPool(tx, *in.UserPoolId); err != nil {
		return nil, err
	}
	if _, err := loadGroupModel(tx, *in.UserPoolId, *in.GroupName); err != nil {
		return nil, err
	}
	// Membership is kept on the user: a page scans the pool's users from
	// the cursor in name order for the group's members.
	byKey := map[string]*user{}
	member := func(r handler.Record) (bool, error) {
		var u user
		if err := decodeRaw(r.Model, &u); err != nil {
			return false, err
		}
		if !u.inGroup(*in.GroupName) {
			return false, nil
		}
		byKey[r.Identifier] = &u
		return true, nil
	}
	p, err := keyPage(tx, typeUser, *in.UserPoolId+"|", limit, in.NextToken, "ListUsersInGroup|"+*in.UserPoolId+"|"+*in.GroupName, member)
	if err != nil {
		return nil, err
	}
	list := make([]map[string]any, 0, len(p.recs))
	for _, r := range p.recs {
		list = append(list, userTypeOut(byKey[r.Identifier], nil))
	}
	out := map[string]any{"Users": list}
	if p.next != "" {
		out["NextToken"] = p.next
	}
	return out, nil
}

func opListUsers(_ context.Context, _ handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		UserPoolId      *string  `json:"UserPoolId"`
		AttributesToGet []string `json:"AttributesToGet"`
		Limit           *int     `json:"Limit"`
		PaginationToken *string  `json:"PaginationToken"`
		Filter          *string  `json:"Filter"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.checkRequiredString("userPoolId", in.UserPoolId, 1, 55, &patUserPoolID)
	limit := checkLimit(&v, in.Limit)
	v.checkString("paginationToken", in.PaginationToken, 1, 131072, &patNextToken)
	v.checkString("filter", in.Filter, 0, 256, nil)
	m, mc := stringMember(1, 32, &patAttributeName)
	v.checkList("attributesToGet", in.AttributesToGet, 0, m, mc)
	if err := v.err(); err != nil {
		return nil, err
	}
	cfg, err := loadPoolConfig(tx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	f, err := parseUserFilter(deref(in.Filter, ""))
	if err != nil {
		return nil, err
	}
	var keep func(string) bool
	if in.AttributesToGet != nil {
		schema := schemaIndex(cfg)
		for _, a := range in.AttributesToGet {
			if _, ok := schema[a]; !ok {
				return nil, invalidParameter("One or more requested attributes do not exist.")
			}
		}
		keep = func(n string) bool { return contains(in.AttributesToGet, n) }
	}
	// Users are stored under their name as the pool compares names, so a
	// page is read from the index in that order; with a Filter it scans
	// from the cursor until the page (and the next match) is found.
	users := map[string]*user{}
	matches := func(r handler.Record) (bool, error) {
		var u user
		if err := decodeRaw(r.Model, &u); err != nil {
			return false, err
		}
		if !f.matches(&u) {
			return false, nil
		}
		users[r.Identifier] = &u
		return true, nil
	}
	p, err := keyPage(tx, typeUser, cfg.ID+"|", limit, in.PaginationToken, "ListUsers|"+cfg.ID+"|"+deref(in.Filter, ""), matches)
	if err != nil {
		return nil, err
	}
	list := make([]map[string]any, 0, len(p.recs))
	for _, r := range p.recs {
		list = append(list, userTypeOut(users[r.Identifier], keep))
	}
	out := map[string]any{"Users": list}
	if p.next != "" {
		out["PaginationToken"] = p.next
	}
	return out, nil
}

// mfaSettingsInput is SMSMfaSettings / SoftwareTokenMfaSettings /
// EmailMfaSettings. Enabled and PreferredMfa are primitive booleans in the
// model (default false), which the Go SDK leaves out when false: a settings
// object without Enabled turns the method off.
type mfaSettingsInput struct {
	Enabled      *bool `json:"Enabled"`
	PreferredMfa *bool `json:"PreferredMfa"`
}

// applyMFAPreference applies (Admin)SetUserMFAPreference to u.
func applyMFAPreference(u *user, sms, totp, email *mfaSettingsInput) error {
	if totp != nil && deref(totp.Enabled, false) && !u.MFA.TOTPVerified {
		return invalidParameter("User has not verified software token mfa")
	}
	if sms != nil && deref(sms.Enabled, false) {
		if _, ok := u.attr("phone_number"); !ok {
			return invalidParameter("User does not have a phone number set up")
		}
	}
	set := func(s *mfaSettingsInput, enabled *bool, name string) {
		if s == nil {
			return
		}
		*enabled = deref(s.Enabled, false)
		switch {
		case deref(s.PreferredMfa, false) && *enabled:
			u.MFA.Preferred = name
		case u.MFA.Preferred == name && (!*enabled || (s.PreferredMfa != nil && !*s.PreferredMfa)):
			u.MFA.Preferred = ""
		}
	}
	set(sms, &u.MFA.SMSEnabled, "SMS_MFA")
	set(totp, &u.MFA.SoftwareTokenEnabled, "SOFTWARE_TOKEN_MFA")
	set(email, &u.MFA.EmailEnabled, "EMAIL_OTP")
	return nil
}

func opAdminSetUserMFAPreference(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		adminUserInput
		SMSMfaSettings           *mfaSettingsInput         `json:"SMSMfaSettings"`
		SoftwareTokenMfaSettings *mfaSettingsInput         `json:"SoftwareTokenMfaSettings"`
		EmailMfaSettings         *mfaSettingsInput         `json:"EmailMfaSettings"`
		WebAuthnMfaSettings      *webAuthnMfaSettingsInput `json:"WebAuthnMfaSettings"`
	}
	cfg, u, err := adminUser(tx, body, &in, &in.adminUserInput, nil)
	if err != nil {
		return nil, err
	}
	if err := applyMFAPreference(u, in.SMSMfaSettings, in.SoftwareTokenMfaSettings, in.EmailMfaSettings); err != nil {
		return nil, err
	}
	if err := applyWebAuthnMFAPreference(cfg, u, in.WebAuthnMfaSettings); err != nil {
		return nil, err
	}
	if err := saveUser(env, tx, cfg, u); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// clientInput is the ClientId + Username + SecretHash of the unsigned
// user operations.
type clientInput struct {
	ClientId   *string `json:"ClientId"`
	Username   *string `json:"Username"`
	SecretHash *string `json:"SecretHash"`
}

func (in *clientInput) check(v *violations) {
	v.checkSensitive("clientId", in.ClientId, 1, 128, &patClientID, true)
	v.checkSensitive("secretHash", in.SecretHash, 1, 128, &patSecretHash, false)
	v.checkSensitive("username", in.Username, 1, 128, &patUsername, true)
}

// findClientByID returns the app client with id clientID in the caller's
// account and region, or "User pool client <id> does not exist.". The
// unsigned operations (SignUp, InitiateAuth, …) name only the client.
func findClientByID(tx handler.Tx, clientID string) (*clientModel, error) {
	_, c, err := lookupClient(tx, clientID) // one index seek (client_index.go)
	return c, err
}

// clientUser decodes an unsigned client operation, checks its shape,
// client and secret hash, and returns the pool and the client.
func clientUser(tx handler.Tx, body []byte, in any, base *clientInput, extra func(*violations)) (*poolConfig, *clientModel, error) {
	if err := decodeBody(body, in); err != nil {
		return nil, nil, err
	}
	var v violations
	base.check(&v)
	if extra != nil {
		extra(&v)
	}
	if err := v.err(); err != nil {
		return nil, nil, err
	}
	c, err := findClientByID(tx, *base.ClientId)
	if err != nil {
		return nil, nil, err
	}
	if err := checkSecretHash(c, *base.Username, base.SecretHash); err != nil {
		return nil, nil, err
	}
	cfg, err := loadPoolConfig(tx, c.UserPoolId)
	if err != nil {
		return nil, nil, err
	}
	return cfg, c, nil
}

// preventsExistenceErrors reports a client with PreventUserExistenceErrors
// ENABLED.
func preventsExistenceErrors(c *clientModel) bool { return c.PreventUserExistenceErrors == "ENABLED" }

// signUpMedium is where a sign-up code goes: the auto-verified phone
// number first, then the auto-verified e-mail; "" when the pool verifies
// neither (or the user has neither).
func signUpMedium(cfg *poolConfig, u *user) string {
	if contains(cfg.AutoVerified, "phone_number") {
		if v, ok := u.attr("phone_number"); ok && v != "" {
			return MediumSMS
		}
	}
	if contains(cfg.AutoVerified, "email") {
		if v, ok := u.attr("email"); ok && v != "" {
			return MediumEmail
		}
	}
	return ""
}

func opSignUp(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		clientInput
		Password          *string           `json:"Password"`
		UserAttributes    []attributeType   `json:"UserAttributes"`
		ValidationData    []attributeType   `json:"ValidationData"`
		ClientMetadata    map[string]string `json:"ClientMetadata"`
		AnalyticsMetadata map[string]any    `json:"AnalyticsMetadata"`
		UserContextData   map[string]any    `json:"UserContextData"`
	}
	cfg, _, err := clientUser(tx, body, &in, &in.clientInput, func(v *violations) {
		checkPasswordShape(v, "password", in.Password, false)
		checkAttributeList(v, "userAttributes", in.UserAttributes)
	})
	if err != nil {
		return nil, err
	}
	if cfg.AdminCreateOnly {
		return nil, apiErrorf(typeNotAuthorized, "SignUp is not permitted for this user pool")
	}
	name := *in.Username
	if err := checkUsernameFormat(cfg, name); err != nil {
		return nil, err
	}
	if existing, err := findUser(tx, cfg, name); err != nil {
		return nil, err
	} else if existing != nil && (existing.Username == name || cfg.key(existing.Username) == cfg.key(name)) {
		return nil, apiErrorf(typeUsernameExists, "User already exists")
	}
	u, err := newUser(env, cfg, name)
	if err != nil {
		return nil, err
	}
	if attr := usernameAttributeOf(cfg, name); attr != "" {
		u.setAttr(attr, name)
	}
	// Users may not verify their own attributes.
	for _, a := range in.UserAttributes {
		if n := deref(a.Name, ""); n == "email_verified" || n == "phone_number_verified" {
			return nil, invalidParameter("%sCannot modify the non-mutable attribute %s", schemaPrefix, n)
		}
	}
	if err := applyAttributes(cfg, u, in.UserAttributes, true); err != nil {
		return nil, err
	}
	if err := checkRequiredAttributes(cfg, u); err != nil {
		return nil, err
	}
	if err := claimAliases(env, tx, cfg, u, false); err != nil {
		return nil, err
	}
	if in.Password == nil {
		return nil, invalidParameter("1 validation error detected: Value at 'password' failed to satisfy constraint: Member must not be null")
	}
	if err := setPassword(env, cfg, u, *in.Password, true); err != nil {
		return nil, err
	}
	u.Status = statusUnconfirmed
	out := map[string]any{"UserConfirmed": false, "UserSub": u.Sub}
	if medium := signUpMedium(cfg, u); medium != "" {
		code, err := newCode(env, u, codePurposeSignUp, signUpCodeValidity)
		if err != nil {
			return nil, err
		}
		m, err := sendCode(env, tx, cfg, u, MessageSignUp, medium, code)
		if err != nil {
			return nil, err
		}
		out["CodeDeliveryDetails"] = deliveryDetails(m)
	}
	if err := saveUser(env, tx, cfg, u); err != nil {
		return nil, err
	}
	return out, nil
}

func opConfirmSignUp(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		clientInput
		ConfirmationCode   *string           `json:"ConfirmationCode"`
		ForceAliasCreation *bool             `json:"ForceAliasCreation"`
		ClientMetadata     map[string]string `json:"ClientMetadata"`
		Session            *string           `json:"Session"`
	}
	cfg, c, err := clientUser(tx, body, &in, &in.clientInput, func(v *violations) {
		v.checkRequiredString("confirmationCode", in.ConfirmationCode, 1, 2048, &patCode)
	})
	if err != nil {
		return nil, err
	}
	u, err := findUser(tx, cfg, *in.Username)
	if err != nil {
		return nil, err
	}
	if u == nil {
		if preventsExistenceErrors(c) {
			return nil, apiErrorf(typeCodeMismatch, msgCodeMismatch)
		}
		return nil, userNotFound()
	}
	if u.Status != statusUnconfirmed {
		return nil, apiErrorf(typeNotAuthorized, "User cannot be confirmed. Current status is %s", u.Status)
	}
	if err := consumeCode(env, tx, cfg, u, codePurposeSignUp, *in.ConfirmationCode); err != nil {
		return nil, err
	}
	u.Status = statusConfirmed
	// The code went to the medium it verifies.
	if medium := signUpMedium(cfg, u); medium != "" {
		u.setAttr(mediumAttribute(medium)+"_verified", "true")
	}
	if err := claimAliases(env, tx, cfg, u, deref(in.ForceAliasCreation, false)); err != nil {
		return nil, err
	}
	if err := saveUser(env, tx, cfg, u); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func opResendConfirmationCode(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		clientInput
		ClientMetadata map[string]string `json:"ClientMetadata"`
	}
	cfg, c, err := clientUser(tx, body, &in, &in.clientInput, nil)
	if err != nil {
		return nil, err
	}
	u, err := findUser(tx, cfg, *in.Username)
	if err != nil {
		return nil, err
	}
	if u == nil {
		if preventsExistenceErrors(c) {
			return simulatedDelivery(cfg, *in.Username), nil
		}
		return nil, userNotFound()
	}
	if u.Status != statusUnconfirmed {
		return nil, invalidParameter("User is already confirmed.")
	}
	medium := signUpMedium(cfg, u)
	if medium == "" {
		return nil, invalidParameter("Auto verification not turned on.")
	}
	code, err := newCode(env, u, codePurposeSignUp, signUpCodeValidity)
	if err != nil {
		return nil, err
	}
	m, err := sendCode(env, tx, cfg, u, MessageResendCode, medium, code)
	if err != nil {
		return nil, err
	}
	if err := saveUser(env, tx, cfg, u); err != nil {
		return nil, err
	}
	return map[string]any{"CodeDeliveryDetails": deliveryDetails(m)}, nil
}

// simulatedDelivery is the CodeDeliveryDetails a client with
// PreventUserExistenceErrors answers for an unknown user (reference 4.10):
// the medium the pool would use, to a masked address derived from the
// name.
func simulatedDelivery(cfg *poolConfig, name string) map[string]any {
	medium := MediumEmail
	if contains(cfg.AutoVerified, "phone_number") && !contains(cfg.AutoVerified, "email") || rePhone.MatchString(name) {
		medium = MediumSMS
	}
	dest := name
	if medium == MediumEmail && !reEmail.MatchString(dest) {
		dest = name + "@" + name
	}
	return map[string]any{"CodeDeliveryDetails": &codeDeliveryDetails{
		Destination: maskDestination(medium, dest), DeliveryMedium: medium, AttributeName: mediumAttribute(medium),
	}}
}

// resetUserNotFound is the UserNotFoundException of ForgotPassword and
// ConfirmForgotPassword for an unknown user (a client that does not
// prevent user-existence errors): AWS words it apart from the sign-in's
// "User does not exist.".
func resetUserNotFound() *APIError {
	return apiErrorf(typeUserNotFound, "Username/client id combination not found.")
}

func opForgotPassword(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		clientInput
		ClientMetadata    map[string]string `json:"ClientMetadata"`
		AnalyticsMetadata map[string]any    `json:"AnalyticsMetadata"`
		UserContextData   map[string]any    `json:"UserContextData"`
	}
	cfg, c, err := clientUser(tx, body, &in, &in.clientInput, nil)
	if err != nil {
		return nil, err
	}
	u, err := findUser(tx, cfg, *in.Username)
	if err != nil {
		return nil, err
	}
	if u == nil {
		if preventsExistenceErrors(c) {
			return simulatedDelivery(cfg, *in.Username), nil
		}
		return nil, resetUserNotFound()
	}
	if !u.Enabled {
		return nil, apiErrorf(typeNotAuthorized, msgUserDisabled)
	}
	medium, err := recoveryMedium(cfg, u)
	if err != nil {
		return nil, err
	}
	code, err := newCode(env, u, codePurposeForgot, forgotCodeValidity)
	if err != nil {
		return nil, err
	}
	m, err := sendCode(env, tx, cfg, u, MessageForgotPassword, medium, code)
	if err != nil {
		return nil, err
	}
	if err := saveUser(env, tx, cfg, u); err != nil {
		return nil, err
	}
	return map[string]any{"CodeDeliveryDetails": deliveryDetails(m)}, nil
}

func opConfirmForgotPassword(_ context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error) {
	var in struct {
		clientInput
		ConfirmationCode  *string           `json:"ConfirmationCode"`
		Password          *string           `json:"Password"`
		ClientMetadata    map[string]string `json:"ClientMetadata"`
		AnalyticsMetadata map[string]any    `json:"AnalyticsMetadata"`
		UserContextData   map[string]any    `json:"UserContextData"`
	}
	cfg, c, err := clientUser(tx, body, &in, &in.clientInput, func(v *violations) {
		v.checkRequiredString("confirmationCode", in.ConfirmationCode, 1, 2048, &patCode)
		checkPasswordShape(v, "password", in.Password, true)
	})
	if err != nil {
		return nil, err
	}
	u, err := findUser(tx, cfg, *in.Username)
	if err != nil {
		return nil, err
	}
	if u == nil || (!u.Enabled && preventsExistenceErrors(c)) {
		if preventsExistenceErrors(c) {
			return nil, apiErrorf(typeCodeMismatch, msgCodeMismatch)
		}
		return nil, resetUserNotFound()
	}
	if !u.Enabled {
		return nil, apiErrorf(typeNotAuthorized, msgUserDisabled)
	}
	if err := consumeCode(env, tx, cfg, u, codePurposeForgot, *in.ConfirmationCode); err != nil {
		return nil, err
	}
	wasUnconfirmed := u.Status == statusUnconfirmed
	if err := setPassword(env, cfg, u, *in.Password, true); err != nil {
		return nil, err
	}
	if wasUnconfirmed {
		u.Status = statusUnconfirmed
	}
	if err := saveUser(env, tx, cfg, u); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// deleteUserAttributes removes names from u (AdminDeleteUserAttributes and
// DeleteUserAttributes). The first name the pool's schema does not know,
// requires or makes immutable is refused with InvalidParameterException;
// callers then drop u unsaved. Removing email or phone_number also removes
// its _verified flag.
func deleteUserAttributes(cfg *poolConfig, u *user, names []string) error {
	schema := schemaIndex(cfg)
	for _, name := range names {
		entry, ok := schema[name]
		if !ok {
			return invalidParameter("%sType for attribute {%s} could not be determined", schemaPrefix, name)
		}
		if req, _ := entry["Required"].(bool); req {
			return invalidParameter("%s%s: The attribute is required", schemaPrefix, name)
		}
		if mutable, _ := entry["Mutable"].(bool); !mutable {
			return invalidParameter("%sCannot modify the non-mutable attribute %s", schemaPrefix, name)
		}
		u.deleteAttr(name)
		if name == "email" || name == "phone_number" {
			u.deleteAttr(name + "_verified")
		}
	}
	return nil
}
