package cognito

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"maps"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ccql/ccql/emulator/internal/srp"
)

// deviceTestClient is a device's side of device SRP, written from
// amazon-cognito-identity-js (AuthenticationHelper.generateHashDevice and
// CognitoUser.getDeviceResponse) apart from the server's code: the device
// group key takes the pool name's place and the device key the user id's.
type deviceTestClient struct {
	groupKey, key, password string
}

// verifierConfig is DeviceSecretVerifierConfig as the library sends it:
// base64 of the padded hex of a 16-byte salt and of g^x mod N.
func (d *deviceTestClient) verifierConfig() map[string]any {
	raw := make([]byte, 16)
	rand.Read(raw)
	salt := testPad(new(big.Int).SetBytes(raw))
	inner := sha256.Sum256([]byte(d.groupKey + d.key + ":" + d.password))
	x := testH(salt, inner[:])
	v := new(big.Int).Exp(big.NewInt(2), x, srp.N())
	return map[string]any{"Salt": base64.StdEncoding.EncodeToString(salt),
		"PasswordVerifier": base64.StdEncoding.EncodeToString(testPad(v))}
}

// answer signs the DEVICE_PASSWORD_VERIFIER challenge params with the
// SRP client c, as getDeviceResponse does.
func (d *deviceTestClient) answer(c *srpTestClient, username string, params map[string]any) map[string]string {
	N, g := srp.N(), big.NewInt(2)
	k := testH(testPad(N), testPad(g))
	B, _ := new(big.Int).SetString(params["SRP_B"].(string), 16)
	salt, _ := new(big.Int).SetString(params["SALT"].(string), 16)
	inner := sha256.Sum256([]byte(d.groupKey + d.key + ":" + d.password))
	x := testH(testPad(salt), inner[:])
	u := testH(testPad(c.A), testPad(B))
	base := new(big.Int).Sub(B, new(big.Int).Mul(k, new(big.Int).Exp(g, x, N)))
	base.Mod(base, N)
	S := new(big.Int).Exp(base, new(big.Int).Add(c.a, new(big.Int).Mul(u, x)), N)
	prk := hmac.New(sha256.New, testPad(u))
	prk.Write(testPad(S))
	m := hmac.New(sha256.New, prk.Sum(nil))
	m.Write([]byte("Caldera Derived Key\x01"))
	block, _ := base64.StdEncoding.DecodeString(params["SECRET_BLOCK"].(string))
	sig := hmac.New(sha256.New, m.Sum(nil)[:16])
	sig.Write([]byte(d.groupKey + d.key))
	sig.Write(block)
	sig.Write([]byte(goodTimestamp))
	return map[string]string{"USERNAME": username, "DEVICE_KEY": d.key, "TIMESTAMP": goodTimestamp,
		"PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"].(string),
		"PASSWORD_CLAIM_SIGNATURE":    base64.StdEncoding.EncodeToString(sig.Sum(nil))}
}

var (
	reDeviceKey      = regexp.MustCompile(`^us-east-1_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	reDeviceGroupKey = regexp.MustCompile(`^-[0-9A-Za-z]{8}$`)
)

// newDevice signs alice in with USER_PASSWORD_AUTH (answering SMS MFA when
// asked), takes NewDeviceMetadata and confirms the device as the library
// does; it returns the device, the access token and ConfirmDevice's answer.
func (f *signinFixture) newDevice(name string) (*deviceTestClient, string, map[string]any) {
	f.t.Helper()
	m, err := f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	if err != nil {
		f.t.Fatal(err)
	}
	if m["ChallengeName"] == chSMSMFA {
		m = f.answerSMS(m, nil)
	}
	access, _, _ := tokensOf(f.t, m)
	meta, ok := m["AuthenticationResult"].(map[string]any)["NewDeviceMetadata"].(map[string]any)
	if !ok {
		f.t.Fatalf("no NewDeviceMetadata: %v", m)
	}
	d := &deviceTestClient{groupKey: meta["DeviceGroupKey"].(string), key: meta["DeviceKey"].(string), password: "device-secret-" + name}
	if !reDeviceKey.MatchString(d.key) || !reDeviceGroupKey.MatchString(d.groupKey) {
		f.t.Fatalf("NewDeviceMetadata %v", meta)
	}
	if _, claims := f.verify(access); claims["device_key"] != d.key {
		f.t.Fatalf("access token device_key %v, want %s", claims["device_key"], d.key)
	}
	out := f.mustCall(opConfirmDevice, map[string]any{"AccessToken": access, "DeviceKey": d.key,
		"DeviceName": name, "DeviceSecretVerifierConfig": d.verifierConfig()})
	return d, access, out
}

// answerSMS answers an SMS_MFA challenge with the code in the outbox.
func (f *signinFixture) answerSMS(m map[string]any, extra map[string]string) map[string]any {
	f.t.Helper()
	msgs, err := ListMessages(f.tx, f.cfg.ID, "alice")
	if err != nil || len(msgs) == 0 {
		f.t.Fatalf("outbox: %v", err)
	}
	resp := map[string]string{"USERNAME": "alice", "SMS_MFA_CODE": msgs[len(msgs)-1].Code}
	for k, v := range extra {
		resp[k] = v
	}
	out, err := f.respond(chSMSMFA, m["Session"].(string), resp)
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// deviceSignIn signs alice in presenting d and returns the challenges met
// on the way and the final answer.
func (f *signinFixture) deviceSignIn(d *deviceTestClient) ([]string, map[string]any, error) {
	f.t.Helper()
	m, err := f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!", "DEVICE_KEY": d.key})
	var seen []string
	for err == nil && m["ChallengeName"] != nil {
		name := m["ChallengeName"].(string)
		seen = append(seen, name)
		switch name {
		case chSMSMFA:
			m = f.answerSMS(m, nil)
		case chDeviceSRP:
			c := newSRPTestClient()
			m, err = f.respond(chDeviceSRP, m["Session"].(string), map[string]string{"USERNAME": "alice", "DEVICE_KEY": d.key, "SRP_A": c.A.Text(16)})
			if err != nil {
				return seen, nil, err
			}
			if m["ChallengeName"] != chDevicePasswordVerifier {
				f.t.Fatalf("after DEVICE_SRP_AUTH: %v", m)
			}
			seen = append(seen, chDevicePasswordVerifier)
			m, err = f.respond(chDevicePasswordVerifier, m["Session"].(string), d.answer(c, "alice", m["ChallengeParameters"].(map[string]any)))
		default:
			f.t.Fatalf("unexpected challenge %v", m)
		}
	}
	return seen, m, err
}

// TestDevices_SignIn: for each DeviceConfiguration and MFA setting, a new
// device gets NewDeviceMetadata, ConfirmDevice remembers it or not, and
// the next sign-in presenting it meets the challenges AWS asks for.
func TestDevices_SignIn(t *testing.T) {
	smsOn := map[string]any{"MfaConfiguration": "ON", "EnabledMfas": []any{"SMS_MFA"}}
	withDevices := func(pool map[string]any, challenge, prompt bool) map[string]any {
		out := map[string]any{"DeviceConfiguration": map[string]any{"ChallengeRequiredOnNewDevice": challenge, "DeviceOnlyRememberedOnUserPrompt": prompt}}
		for k, v := range pool {
			out[k] = v
		}
		return out
	}
	for _, tc := range []struct {
		name           string
		pool           map[string]any
		confirmNeeded  bool
		remember       bool     // UpdateDeviceStatus remembered after ConfirmDevice
		wantChallenges []string // the sign-in presenting the device
	}{
		{"always remembered, no MFA", withDevices(nil, false, false), false, false, []string{chDeviceSRP, chDevicePasswordVerifier}},
		{"always remembered, MFA replaced", withDevices(smsOn, true, false), false, false, []string{chDeviceSRP, chDevicePasswordVerifier}},
		{"always remembered, MFA kept", withDevices(smsOn, false, false), false, false, []string{chSMSMFA, chDeviceSRP, chDevicePasswordVerifier}},
		{"opt-in, not remembered: MFA", withDevices(smsOn, true, true), true, false, []string{chSMSMFA}},
		{"opt-in, remembered on prompt", withDevices(smsOn, true, true), true, true, []string{chDeviceSRP, chDevicePasswordVerifier}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newSigninFixture(t, tc.pool, clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
			f.addUser("alice", "Passw0rd!", map[string]string{"phone_number": "+15555550100", "phone_number_verified": "true"})
			d, access, out := f.newDevice("phone")
			if out["UserConfirmationNecessary"] != tc.confirmNeeded {
				t.Fatalf("UserConfirmationNecessary %v, want %v", out["UserConfirmationNecessary"], tc.confirmNeeded)
			}
			listed := len(f.mustCall(opListDevices, map[string]any{"AccessToken": access})["Devices"].([]any))
			if want := map[bool]int{true: 0, false: 1}[tc.confirmNeeded]; listed != want {
				t.Fatalf("ListDevices lists %d, want %d", listed, want)
			}
			if tc.remember {
				f.mustCall(opUpdateDeviceStatus, map[string]any{"AccessToken": access, "DeviceKey": d.key, "DeviceRememberedStatus": "remembered"})
			}
			seen, m, err := f.deviceSignIn(d)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(seen, ",") != strings.Join(tc.wantChallenges, ",") {
				t.Fatalf("challenges %v, want %v", seen, tc.wantChallenges)
			}
			access2, _, _ := tokensOf(t, m)
			if _, ok := m["AuthenticationResult"].(map[string]any)["NewDeviceMetadata"]; ok {
				t.Fatalf("NewDeviceMetadata for a known device: %v", m)
			}
			if _, claims := f.verify(access2); claims["device_key"] != d.key {
				t.Fatalf("device_key %v", claims["device_key"])
			}
			got := f.mustCall(opAdminGetDevice, map[string]any{"UserPoolId": f.cfg.ID, "Username": "alice", "DeviceKey": d.key})["Device"].(map[string]any)
			if got["DeviceLastAuthenticatedDate"] != float64(f.env.Now.Unix()) {
				t.Errorf("DeviceLastAuthenticatedDate %v", got["DeviceLastAuthenticatedDate"])
			}
		})
	}
}

func TestDevices_NoConfigurationNoMetadata(t *testing.T) {
	f := newSigninFixture(t, nil, clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
	f.addUser("alice", "Passw0rd!", nil)
	m, err := f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	if err != nil {
		t.Fatal(err)
	}
	access, _, _ := tokensOf(t, m)
	if _, ok := m["AuthenticationResult"].(map[string]any)["NewDeviceMetadata"]; ok {
		t.Fatalf("NewDeviceMetadata without DeviceConfiguration: %v", m)
	}
	if _, claims := f.verify(access); claims["device_key"] != nil {
		t.Fatalf("device_key %v", claims["device_key"])
	}
	_, err = f.call(opConfirmDevice, map[string]any{"AccessToken": access, "DeviceKey": "us-east-1_00000000-0000-4000-8000-000000000000"})
	wantAPIError(t, err, typeResourceNotFound, "Device does not exist.")
}

// TestDevices_SRPFailures: an unknown device, a wrong device secret, a
// device key other than the session's.
func TestDevices_SRPFailures(t *testing.T) {
	f := newSigninFixture(t, map[string]any{"DeviceConfiguration": map[string]any{"ChallengeRequiredOnNewDevice": true}},
		clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
	f.addUser("alice", "Passw0rd!", nil)
	d, _, _ := f.newDevice("phone")

	_, _, err := f.deviceSignIn(&deviceTestClient{key: "us-east-1_11111111-1111-4111-8111-111111111111"})
	wantAPIError(t, err, typeResourceNotFound, "Device does not exist.")

	wrong := *d
	wrong.password = "not-the-device-secret"
	_, _, err = f.deviceSignIn(&wrong)
	wantAPIError(t, err, typeNotAuthorized, msgIncorrect)
	if err.(*APIError).Commit != true {
		t.Error("a failed DEVICE_PASSWORD_VERIFIER must spend its session")
	}

	m, _ := f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!", "DEVICE_KEY": d.key})
	_, err = f.respond(chDeviceSRP, m["Session"].(string), map[string]string{"USERNAME": "alice", "DEVICE_KEY": "us-east-1_2", "SRP_A": "2"})
	wantAPIError(t, err, typeNotAuthorized, errSessionInvalid.Message)
	m, _ = f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!", "DEVICE_KEY": d.key})
	_, err = f.respond(chDeviceSRP, m["Session"].(string), map[string]string{"USERNAME": "alice", "DEVICE_KEY": d.key})
	wantAPIError(t, err, typeInvalidParameter, "Missing required parameter SRP_A")
}

// TestDevices_SRPWithPasswordVerifier: USER_SRP_AUTH presenting the device
// in PASSWORD_VERIFIER (where amazon-cognito-identity-js sends it) leads
// to DEVICE_SRP_AUTH; presenting an unknown one fails there and leaves the
// session usable for the library's retry without it.
func TestDevices_SRPWithPasswordVerifier(t *testing.T) {
	f := newSigninFixture(t, map[string]any{"DeviceConfiguration": map[string]any{}}, clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"}})
	f.addUser("alice", "Passw0rd!", nil)
	d, _, _ := f.newDevice("phone")
	c := newSRPTestClient()
	first, err := f.initiate(flowUserSRP, map[string]string{"USERNAME": "alice", "SRP_A": c.A.Text(16)})
	if err != nil {
		t.Fatal(err)
	}
	resp := c.sign(f.cfg.ID, "Passw0rd!", goodTimestamp, first["ChallengeParameters"].(map[string]any))
	resp["DEVICE_KEY"] = d.key
	m, err := f.respond(chPasswordVerifier, "", resp)
	if err != nil || m["ChallengeName"] != chDeviceSRP {
		t.Fatalf("want DEVICE_SRP_AUTH: %v %v", m, err)
	}

	first, _ = f.initiate(flowUserSRP, map[string]string{"USERNAME": "alice", "SRP_A": c.A.Text(16)})
	resp = c.sign(f.cfg.ID, "Passw0rd!", goodTimestamp, first["ChallengeParameters"].(map[string]any))
	resp["DEVICE_KEY"] = "us-east-1_11111111-1111-4111-8111-111111111111"
	before := maps.Clone(f.tx)
	_, err = f.respond(chPasswordVerifier, "", resp)
	wantAPIError(t, err, typeResourceNotFound, "Device does not exist.")
	// The IdP server rolls back a failure without Commit.
	clear(f.tx)
	maps.Copy(f.tx, before)
	resp["DEVICE_KEY"] = ""
	m, err = f.respond(chPasswordVerifier, "", resp)
	if err != nil {
		t.Fatalf("retry without the device: %v", err)
	}
	if _, ok := m["AuthenticationResult"].(map[string]any)["NewDeviceMetadata"]; !ok {
		t.Fatalf("no NewDeviceMetadata on the retry: %v", m)
	}
}

// TestDevices_Operations: each operation's validation and answers, the
// user's view (remembered devices) against the admin's (all of them).
func TestDevices_Operations(t *testing.T) {
	f := newSigninFixture(t, map[string]any{"DeviceConfiguration": map[string]any{"DeviceOnlyRememberedOnUserPrompt": true}},
		clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
	f.addUser("alice", "Passw0rd!", nil)
	d, access, _ := f.newDevice("phone")
	admin := func(extra map[string]any) map[string]any {
		out := map[string]any{"UserPoolId": f.cfg.ID, "Username": "alice"}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	const missing = "us-east-1_00000000-0000-4000-8000-000000000000"
	for _, tc := range []struct {
		name    string
		op      Operation
		body    map[string]any
		typ     string
		message string
	}{
		{"GetDevice not remembered", opGetDevice, map[string]any{"AccessToken": access, "DeviceKey": d.key}, typeResourceNotFound, "Device does not exist."},
		{"GetDevice no key", opGetDevice, map[string]any{"AccessToken": access}, typeInvalidParameter,
			"1 validation error detected: Value null at 'deviceKey' failed to satisfy constraint: Member must not be null"},
		{"GetDevice bad key", opGetDevice, map[string]any{"AccessToken": access, "DeviceKey": "nokey"}, typeInvalidParameter,
			"1 validation error detected: Value 'nokey' at 'deviceKey' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-f-]+"},
		{"GetDevice no token", opGetDevice, map[string]any{"DeviceKey": d.key}, typeInvalidParameter,
			"1 validation error detected: Value null at 'accessToken' failed to satisfy constraint: Member must not be null"},
		{"GetDevice bad token", opGetDevice, map[string]any{"AccessToken": "x.y.z", "DeviceKey": d.key}, typeNotAuthorized, "Invalid Access Token"},
		{"ConfirmDevice other key", opConfirmDevice, map[string]any{"AccessToken": access, "DeviceKey": missing}, typeResourceNotFound, "Device does not exist."},
		{"ConfirmDevice bad verifier", opConfirmDevice, map[string]any{"AccessToken": access, "DeviceKey": d.key,
			"DeviceSecretVerifierConfig": map[string]any{"PasswordVerifier": "AA==", "Salt": "AA=="}}, typeInvalidParameter,
			"Invalid DeviceSecretVerifierConfig: password verifier is not a number in (0, N)."},
		{"ConfirmDevice long name", opConfirmDevice, map[string]any{"AccessToken": access, "DeviceKey": d.key, "DeviceName": strings.Repeat("n", 1025)}, typeInvalidParameter,
			"1 validation error detected: Value '" + strings.Repeat("n", 1025) + "' at 'deviceName' failed to satisfy constraint: Member must have length less than or equal to 1024"},
		{"UpdateDeviceStatus bad status", opUpdateDeviceStatus, map[string]any{"AccessToken": access, "DeviceKey": d.key, "DeviceRememberedStatus": "forever"}, typeInvalidParameter,
			"1 validation error detected: Value 'forever' at 'deviceRememberedStatus' failed to satisfy constraint: Member must satisfy enum value set: [remembered, not_remembered]"},
		{"UpdateDeviceStatus missing", opUpdateDeviceStatus, map[string]any{"AccessToken": access, "DeviceKey": missing, "DeviceRememberedStatus": "remembered"}, typeResourceNotFound, "Device does not exist."},
		{"ForgetDevice missing", opForgetDevice, map[string]any{"AccessToken": access, "DeviceKey": missing}, typeResourceNotFound, "Device does not exist."},
		{"ListDevices limit", opListDevices, map[string]any{"AccessToken": access, "Limit": 61}, typeInvalidParameter,
			"1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"},
		{"ListDevices forged token", opListDevices, map[string]any{"AccessToken": access, "PaginationToken": "dXMtZWFzdC0x"}, typeInvalidParameter, "Invalid pagination token."},
		{"AdminGetDevice missing", opAdminGetDevice, admin(map[string]any{"DeviceKey": missing}), typeResourceNotFound, "Device does not exist."},
		{"AdminGetDevice no user", opAdminGetDevice, map[string]any{"UserPoolId": f.cfg.ID, "Username": "bob", "DeviceKey": d.key}, typeUserNotFound, "User does not exist."},
		{"AdminGetDevice no pool", opAdminGetDevice, map[string]any{"UserPoolId": "us-east-1_nopool", "Username": "alice", "DeviceKey": d.key}, typeResourceNotFound, "User pool us-east-1_nopool does not exist."},
		{"AdminListDevices shape", opAdminListDevices, map[string]any{"Limit": -1}, typeInvalidParameter,
			"3 validation errors detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null; Value null at 'username' failed to satisfy constraint: Member must not be null; Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{"AdminForgetDevice missing", opAdminForgetDevice, admin(map[string]any{"DeviceKey": missing}), typeResourceNotFound, "Device does not exist."},
		{"AdminUpdateDeviceStatus bad", opAdminUpdateDeviceStatus, admin(map[string]any{"DeviceKey": d.key, "DeviceRememberedStatus": "REMEMBERED"}), typeInvalidParameter,
			"1 validation error detected: Value 'REMEMBERED' at 'deviceRememberedStatus' failed to satisfy constraint: Member must satisfy enum value set: [remembered, not_remembered]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.call(tc.op, tc.body)
			wantAPIError(t, err, tc.typ, tc.message)
		})
	}

	// The admin sees the not-remembered device, with AWS's attributes.
	got := f.mustCall(opAdminGetDevice, admin(map[string]any{"DeviceKey": d.key}))["Device"].(map[string]any)
	attrs := map[string]string{}
	var names []string
	for _, a := range got["DeviceAttributes"].([]any) {
		m := a.(map[string]any)
		attrs[m["Name"].(string)] = m["Value"].(string)
		names = append(names, m["Name"].(string))
	}
	owner := "alice." + f.cfg.ID
	if strings.Join(names, ",") != "device_status,device_name,dev:device_arn,dev:device_owner,dev:device_remembered_status" ||
		attrs["device_name"] != "phone" || attrs["dev:device_remembered_status"] != "not_remembered" || attrs["dev:device_owner"] != owner ||
		attrs["dev:device_arn"] != "arn:aws:cognito-idp:us-east-1:"+f.env.Account+":owner/"+owner+"/device/"+d.key {
		t.Fatalf("device %v", got)
	}
	if n := len(f.mustCall(opAdminListDevices, admin(nil))["Devices"].([]any)); n != 1 {
		t.Fatalf("AdminListDevices lists %d", n)
	}
	// Remembered: the user sees it too.
	f.mustCall(opAdminUpdateDeviceStatus, admin(map[string]any{"DeviceKey": d.key, "DeviceRememberedStatus": "remembered"}))
	user := f.mustCall(opGetDevice, map[string]any{"AccessToken": access, "DeviceKey": d.key})["Device"].(map[string]any)
	if user["DeviceKey"] != d.key {
		t.Fatalf("GetDevice %v", user)
	}
	// Forgotten: gone for both, and the device cannot sign in.
	f.mustCall(opForgetDevice, map[string]any{"AccessToken": access, "DeviceKey": d.key})
	_, err := f.call(opAdminGetDevice, admin(map[string]any{"DeviceKey": d.key}))
	wantAPIError(t, err, typeResourceNotFound, "Device does not exist.")
	_, _, err = f.deviceSignIn(d)
	wantAPIError(t, err, typeResourceNotFound, "Device does not exist.")
}

// TestDevices_ListPages: Limit and PaginationToken walk every device
// once; a token of another list or user is refused.
func TestDevices_ListPages(t *testing.T) {
	f := newSigninFixture(t, map[string]any{"DeviceConfiguration": map[string]any{}}, clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
	f.addUser("alice", "Passw0rd!", nil)
	var access string
	want := map[string]bool{}
	for i := range 5 {
		d, a, _ := f.newDevice("d" + string(rune('0'+i)))
		want[d.key], access = true, a
	}
	for _, tc := range []struct {
		op   Operation
		body map[string]any
	}{
		{opListDevices, map[string]any{"AccessToken": access}},
		{opAdminListDevices, map[string]any{"UserPoolId": f.cfg.ID, "Username": "alice"}},
	} {
		seen := map[string]bool{}
		var token any
		pages := 0
		for {
			body := map[string]any{"Limit": 2}
			for k, v := range tc.body {
				body[k] = v
			}
			if token != nil {
				body["PaginationToken"] = token
			}
			page := f.mustCall(tc.op, body)
			pages++
			for _, d := range page["Devices"].([]any) {
				key := d.(map[string]any)["DeviceKey"].(string)
				if seen[key] || !want[key] {
					t.Fatalf("page lists %s again or unknown", key)
				}
				seen[key] = true
			}
			if token = page["PaginationToken"]; token == nil {
				break
			}
		}
		if len(seen) != 5 || pages != 3 {
			t.Fatalf("listed %d devices in %d pages", len(seen), pages)
		}
	}
	first := f.mustCall(opListDevices, map[string]any{"AccessToken": access, "Limit": 2})
	_, err := f.call(opAdminListDevices, map[string]any{"UserPoolId": f.cfg.ID, "Username": "alice", "PaginationToken": first["PaginationToken"]})
	wantAPIError(t, err, typeInvalidParameter, "Invalid pagination token.")
}

// TestDevices_GoWithUserAndPool: deleting the user, or the pool, deletes
// its devices.
func TestDevices_GoWithUserAndPool(t *testing.T) {
	for _, del := range []string{"AdminDeleteUser", "DeleteUser", "DeleteUserPool"} {
		t.Run(del, func(t *testing.T) {
			f := newSigninFixture(t, map[string]any{"DeviceConfiguration": map[string]any{}}, clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
			f.addUser("alice", "Passw0rd!", nil)
			_, access, _ := f.newDevice("phone")
			if n, _ := f.tx.Count(typeDevice, ""); n != 1 {
				t.Fatalf("%d devices stored", n)
			}
			ops := Operations()
			switch del {
			case "DeleteUser":
				f.mustCall(ops[del], map[string]any{"AccessToken": access})
			case "AdminDeleteUser":
				f.mustCall(ops[del], map[string]any{"UserPoolId": f.cfg.ID, "Username": "alice"})
			default:
				f.mustCall(ops[del], map[string]any{"UserPoolId": f.cfg.ID})
			}
			if n, _ := f.tx.Count(typeDevice, ""); n != 0 {
				t.Fatalf("%d devices left after %s", n, del)
			}
		})
	}
}

// TestDevices_Refresh: the tokens of a device's sign-in refresh with its
// DEVICE_KEY (and keep device_key); without it, or with another, once the
// device is confirmed, the refresh token is invalid.
func TestDevices_Refresh(t *testing.T) {
	f := newSigninFixture(t, map[string]any{"DeviceConfiguration": map[string]any{}}, clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	f.addUser("alice", "Passw0rd!", nil)
	m, _ := f.initiate(flowUserPassword, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	access, _, refresh := tokensOf(t, m)
	key := m["AuthenticationResult"].(map[string]any)["NewDeviceMetadata"].(map[string]any)["DeviceKey"].(string)
	// Not confirmed yet: no DEVICE_KEY needed.
	if _, err := f.initiate(flowRefreshToken, map[string]string{"REFRESH_TOKEN": refresh}); err != nil {
		t.Fatalf("refresh before ConfirmDevice: %v", err)
	}
	d := &deviceTestClient{key: key, groupKey: deviceGroupKey(f.cfg.ID, f.reload(&user{Username: "alice"}).Sub), password: "s"}
	f.mustCall(opConfirmDevice, map[string]any{"AccessToken": access, "DeviceKey": key, "DeviceSecretVerifierConfig": d.verifierConfig()})
	for _, tc := range []struct {
		name, deviceKey string
		ok              bool
	}{
		{"with the device", key, true},
		{"without", "", false},
		{"another device", "us-east-1_00000000-0000-4000-8000-000000000000", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			params := map[string]string{"REFRESH_TOKEN": refresh}
			if tc.deviceKey != "" {
				params["DEVICE_KEY"] = tc.deviceKey
			}
			m, err := f.initiate(flowRefreshToken, params)
			if !tc.ok {
				wantAPIError(t, err, typeNotAuthorized, "Invalid Refresh Token")
				_, err = f.call(opGetTokensFromRefreshToken, map[string]any{"ClientId": f.client.ClientId, "RefreshToken": refresh, "DeviceKey": tc.deviceKey})
				wantAPIError(t, err, typeNotAuthorized, "Invalid Refresh Token")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			a, _, _ := tokensOf(t, m)
			if _, claims := f.verify(a); claims["device_key"] != key {
				t.Fatalf("refreshed device_key %v", claims["device_key"])
			}
			if _, ok := m["AuthenticationResult"].(map[string]any)["NewDeviceMetadata"]; ok {
				t.Fatal("NewDeviceMetadata on refresh")
			}
		})
	}
}

func FuzzDecodeVerifierConfig(f *testing.F) {
	d := &deviceTestClient{groupKey: "-abcdefgh", key: "us-east-1_x", password: "p"}
	c := d.verifierConfig()
	f.Add(c["Salt"].(string), c["PasswordVerifier"].(string))
	for _, s := range []string{"", "AA==", "====", "AP////8=", "not base64", base64.StdEncoding.EncodeToString(srp.N().Bytes())} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, salt, verifier string) {
		s, v, err := decodeVerifierConfig(salt, verifier)
		if err != nil {
			return
		}
		n := new(big.Int).SetBytes(v)
		if n.Sign() <= 0 || n.Cmp(srp.N()) >= 0 {
			t.Fatalf("accepted verifier %x outside (0, N)", v)
		}
		if back := base64.StdEncoding.EncodeToString(s); back != salt {
			dec, _ := base64.StdEncoding.DecodeString(salt)
			if string(dec) != string(s) {
				t.Fatalf("salt %q decoded to %x", salt, s)
			}
		}
		// A decoded verifier serves an SRP exchange.
		if _, err := srp.NewServer(v, rand.Reader); err != nil {
			t.Fatalf("NewServer: %v", err)
		}
	})
}

// TestDevices_ConfirmAnyIssuedKey: ConfirmDevice takes any key the user
// was given, with any of the user's access tokens, and no other key.
func TestDevices_ConfirmAnyIssuedKey(t *testing.T) {
	f := newSigninFixture(t, map[string]any{"DeviceConfiguration": map[string]any{}}, clientSpec{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
	f.addUser("alice", "Passw0rd!", nil)
	f.addUser("bob", "Passw0rd!", nil)
	signIn := func(name string) (access, key string) {
		m, err := f.initiate(flowUserPassword, map[string]string{"USERNAME": name, "PASSWORD": "Passw0rd!"})
		if err != nil {
			t.Fatal(err)
		}
		access, _, _ = tokensOf(t, m)
		return access, m["AuthenticationResult"].(map[string]any)["NewDeviceMetadata"].(map[string]any)["DeviceKey"].(string)
	}
	_, firstKey := signIn("alice")
	access, _ := signIn("alice")
	_, bobKey := signIn("bob")
	forged := firstKey[:len(firstKey)-1] + map[bool]string{true: "1", false: "0"}[strings.HasSuffix(firstKey, "0")]
	for _, tc := range []struct {
		name, key string
		ok        bool
	}{
		{"bob's key", bobKey, false},
		{"a forged key", forged, false},
		{"another region", strings.Replace(firstKey, "us-east-1_", "eu-west-1_", 1), false},
		{"upper case", strings.ToUpper(firstKey[:10]) + firstKey[10:], false},
		{"an earlier sign-in's key", firstKey, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.call(opConfirmDevice, map[string]any{"AccessToken": access, "DeviceKey": tc.key})
			if !tc.ok {
				wantAPIError(t, err, typeResourceNotFound, "Device does not exist.")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func FuzzIssuedDeviceKey(f *testing.F) {
	keys, err := newStoredKeys(time.Unix(0, 0))
	if err != nil {
		f.Fatal(err)
	}
	k, err := keys.parse()
	if err != nil {
		f.Fatal(err)
	}
	good := newDeviceKey(k, "us-east-1", "us-east-1_p", "sub", [8]byte{1, 2, 3})
	for _, s := range []string{good, "us-east-1_", "us-east-1_x", strings.ToUpper(good), good + "0", ""} {
		f.Add(s, "sub")
	}
	f.Fuzz(func(t *testing.T, key, sub string) {
		ok := issuedDeviceKey(k, "us-east-1", "us-east-1_p", sub, key)
		if ok {
			// An accepted key is one newDeviceKey makes for sub.
			id, err := uuid.Parse(strings.TrimPrefix(key, "us-east-1_"))
			if err != nil {
				t.Fatalf("accepted %q: %v", key, err)
			}
			var random [8]byte
			copy(random[:], id[:8])
			if newDeviceKey(k, "us-east-1", "us-east-1_p", sub, random) != key {
				t.Fatalf("accepted %q for %q", key, sub)
			}
		}
		if key == good && sub == "sub" && !ok {
			t.Fatal("refused an issued key")
		}
	})
}
