package emulator_test

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ccql/ccql/emulator"
	"github.com/ccql/ccql/emulator/internal/srp"
	"github.com/ccql/ccql/internal/cloudcontrol"
)

// sdkDevice is a device's side of device SRP, written from
// amazon-cognito-identity-js (generateHashDevice, getDeviceResponse) apart
// from the emulator's code; it shares only the published group N.
type sdkDevice struct {
	groupKey, key, password string
	a, A                    *big.Int
}

func devPad(x *big.Int) []byte {
	h := x.Text(16)
	if len(h)%2 == 1 {
		h = "0" + h
	} else if h[0] >= '8' {
		h = "00" + h
	}
	b, _ := hex.DecodeString(h)
	return b
}

func devH(parts ...[]byte) *big.Int {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return new(big.Int).SetBytes(h.Sum(nil))
}

func (d *sdkDevice) x(salt []byte) *big.Int {
	inner := sha256.Sum256([]byte(d.groupKey + d.key + ":" + d.password))
	return devH(salt, inner[:])
}

// verifierConfig is the DeviceSecretVerifierConfig of ConfirmDevice.
func (d *sdkDevice) verifierConfig() *types.DeviceSecretVerifierConfigType {
	raw := make([]byte, 16)
	rand.Read(raw)
	salt := devPad(new(big.Int).SetBytes(raw))
	v := new(big.Int).Exp(big.NewInt(2), d.x(salt), srp.N())
	return &types.DeviceSecretVerifierConfigType{Salt: aws.String(base64.StdEncoding.EncodeToString(salt)),
		PasswordVerifier: aws.String(base64.StdEncoding.EncodeToString(devPad(v)))}
}

// srpA draws the client's a and returns A as hex.
func (d *sdkDevice) srpA() string {
	raw := make([]byte, 128)
	rand.Read(raw)
	d.a = new(big.Int).SetBytes(raw)
	d.A = new(big.Int).Exp(big.NewInt(2), d.a, srp.N())
	return d.A.Text(16)
}

// answer signs DEVICE_PASSWORD_VERIFIER's parameters.
func (d *sdkDevice) answer(username string, p map[string]string) map[string]string {
	N, g := srp.N(), big.NewInt(2)
	k := devH(devPad(N), devPad(g))
	B, _ := new(big.Int).SetString(p["SRP_B"], 16)
	salt, _ := new(big.Int).SetString(p["SALT"], 16)
	x := d.x(devPad(salt))
	u := devH(devPad(d.A), devPad(B))
	base := new(big.Int).Sub(B, new(big.Int).Mul(k, new(big.Int).Exp(g, x, N)))
	base.Mod(base, N)
	S := new(big.Int).Exp(base, new(big.Int).Add(d.a, new(big.Int).Mul(u, x)), N)
	prk := hmac.New(sha256.New, devPad(u))
	prk.Write(devPad(S))
	m := hmac.New(sha256.New, prk.Sum(nil))
	m.Write([]byte("Caldera Derived Key\x01"))
	ts := time.Now().UTC().Format("Mon Jan 2 15:04:05 UTC 2006")
	block, _ := base64.StdEncoding.DecodeString(p["SECRET_BLOCK"])
	sig := hmac.New(sha256.New, m.Sum(nil)[:16])
	sig.Write([]byte(d.groupKey + d.key))
	sig.Write(block)
	sig.Write([]byte(ts))
	return map[string]string{"USERNAME": username, "DEVICE_KEY": d.key, "TIMESTAMP": ts,
		"PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "PASSWORD_CLAIM_SIGNATURE": base64.StdEncoding.EncodeToString(sig.Sum(nil))}
}

func deviceKeyClaim(t *testing.T, token string) any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c["device_key"]
}

// TestSDK_Devices drives the nine device operations and device SRP with
// aws-sdk-go-v2 (the token operations unsigned, as AWS serves them; the
// admin ones signed, with SigV4 checked).
func TestSDK_Devices(t *testing.T) {
	fullTransports(t, emulator.Options{Credentials: map[string]string{"AKIDEXAMPLE": "secret"}}, func(t *testing.T, s *emulator.Server, hc *http.Client) {
		ctx := context.Background()
		e := newUsersEnv(t, s, hc, nil)
		anon := cip.NewFromConfig(aws.Config{Region: "us-east-1", HTTPClient: cloudcontrol.BufferBodies(hc), RetryMaxAttempts: 1, Credentials: aws.AnonymousCredentials{}},
			func(o *cip.Options) { o.BaseEndpoint = aws.String(s.URL()) })
		pool := e.pool(&cip.CreateUserPoolInput{DeviceConfiguration: &types.DeviceConfigurationType{ChallengeRequiredOnNewDevice: true}})
		c, err := e.idp.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &pool, ClientName: aws.String("app"),
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
		if err != nil {
			t.Fatal(err)
		}
		clientID := c.UserPoolClient.ClientId
		alice := aws.String("alice")
		if _, err := e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &pool, Username: alice, MessageAction: types.MessageActionTypeSuppress}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.idp.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &pool, Username: alice,
			Password: aws.String("Passw0rd!"), Permanent: true}); err != nil {
			t.Fatal(err)
		}
		signIn := func(params map[string]string) *cip.InitiateAuthOutput {
			t.Helper()
			p := map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}
			for k, v := range params {
				p[k] = v
			}
			out, err := anon.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: p})
			if err != nil {
				t.Fatalf("InitiateAuth: %v", err)
			}
			return out
		}
		newDevice := func() (*sdkDevice, *types.AuthenticationResultType) {
			t.Helper()
			r := signIn(nil).AuthenticationResult
			meta := r.NewDeviceMetadata
			if meta == nil {
				t.Fatal("no NewDeviceMetadata")
			}
			d := &sdkDevice{groupKey: aws.ToString(meta.DeviceGroupKey), key: aws.ToString(meta.DeviceKey), password: "secret of " + aws.ToString(meta.DeviceKey)}
			conf, err := anon.ConfirmDevice(ctx, &cip.ConfirmDeviceInput{AccessToken: r.AccessToken, DeviceKey: meta.DeviceKey,
				DeviceName: aws.String("laptop"), DeviceSecretVerifierConfig: d.verifierConfig()})
			if err != nil || conf.UserConfirmationNecessary {
				t.Fatalf("ConfirmDevice: %v %v", conf, err)
			}
			return d, r
		}
		d, first := newDevice()
		got, err := anon.GetDevice(ctx, &cip.GetDeviceInput{AccessToken: first.AccessToken, DeviceKey: &d.key})
		if err != nil || aws.ToString(got.Device.DeviceKey) != d.key || got.Device.DeviceCreateDate == nil {
			t.Fatalf("GetDevice: %v %v", got, err)
		}
		if name, _ := attrValue(got.Device.DeviceAttributes, "device_name"); name != "laptop" {
			t.Errorf("device_name %q", name)
		}

		// Device SRP: the remembered device signs in without a new device.
		ch := signIn(map[string]string{"DEVICE_KEY": d.key})
		if ch.ChallengeName != types.ChallengeNameTypeDeviceSrpAuth {
			t.Fatalf("want DEVICE_SRP_AUTH: %+v", ch)
		}
		ch2, err := anon.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: clientID, Session: ch.Session,
			ChallengeName:      types.ChallengeNameTypeDeviceSrpAuth,
			ChallengeResponses: map[string]string{"USERNAME": "alice", "DEVICE_KEY": d.key, "SRP_A": d.srpA()}})
		if err != nil || ch2.ChallengeName != types.ChallengeNameTypeDevicePasswordVerifier {
			t.Fatalf("DEVICE_SRP_AUTH: %+v %v", ch2, err)
		}
		done, err := anon.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: clientID, Session: ch2.Session,
			ChallengeName: types.ChallengeNameTypeDevicePasswordVerifier, ChallengeResponses: d.answer("alice", ch2.ChallengeParameters)})
		if err != nil {
			t.Fatalf("DEVICE_PASSWORD_VERIFIER: %v", err)
		}
		r := done.AuthenticationResult
		if r.NewDeviceMetadata != nil || deviceKeyClaim(t, aws.ToString(r.AccessToken)) != d.key {
			t.Fatalf("device sign-in tokens %+v", r)
		}

		// Refresh: with the device's key only.
		_, err = anon.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(r.RefreshToken)}})
		wantAPIError(t, err, "NotAuthorizedException", "Invalid Refresh Token")
		ref, err := anon.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(r.RefreshToken), "DEVICE_KEY": d.key}})
		if err != nil || deviceKeyClaim(t, aws.ToString(ref.AuthenticationResult.AccessToken)) != d.key {
			t.Fatalf("refresh with DEVICE_KEY: %v", err)
		}
		if _, err := anon.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: clientID, RefreshToken: r.RefreshToken, DeviceKey: &d.key}); err != nil {
			t.Fatalf("GetTokensFromRefreshToken with DeviceKey: %v", err)
		}

		// Not remembered: the user no longer lists it; the admin does.
		if _, err := anon.UpdateDeviceStatus(ctx, &cip.UpdateDeviceStatusInput{AccessToken: r.AccessToken, DeviceKey: &d.key,
			DeviceRememberedStatus: types.DeviceRememberedStatusTypeNotRemembered}); err != nil {
			t.Fatal(err)
		}
		ul, err := anon.ListDevices(ctx, &cip.ListDevicesInput{AccessToken: r.AccessToken})
		if err != nil || len(ul.Devices) != 0 {
			t.Fatalf("ListDevices: %v %v", ul, err)
		}
		d2, _ := newDevice()
		al, err := e.idp.AdminListDevices(ctx, &cip.AdminListDevicesInput{UserPoolId: &pool, Username: alice, Limit: aws.Int32(1)})
		if err != nil || len(al.Devices) != 1 || al.PaginationToken == nil {
			t.Fatalf("AdminListDevices page 1: %v %v", al, err)
		}
		al2, err := e.idp.AdminListDevices(ctx, &cip.AdminListDevicesInput{UserPoolId: &pool, Username: alice, Limit: aws.Int32(1), PaginationToken: al.PaginationToken})
		if err != nil || len(al2.Devices) != 1 || al2.PaginationToken != nil || aws.ToString(al2.Devices[0].DeviceKey) == aws.ToString(al.Devices[0].DeviceKey) {
			t.Fatalf("AdminListDevices page 2: %v %v", al2, err)
		}
		if _, err := e.idp.AdminUpdateDeviceStatus(ctx, &cip.AdminUpdateDeviceStatusInput{UserPoolId: &pool, Username: alice, DeviceKey: &d.key,
			DeviceRememberedStatus: types.DeviceRememberedStatusTypeRemembered}); err != nil {
			t.Fatal(err)
		}
		ag, err := e.idp.AdminGetDevice(ctx, &cip.AdminGetDeviceInput{UserPoolId: &pool, Username: alice, DeviceKey: &d.key})
		if st, _ := attrValue(ag.Device.DeviceAttributes, "dev:device_remembered_status"); err != nil || st != "remembered" {
			t.Fatalf("AdminGetDevice: %v %v", ag, err)
		}

		// Forgotten, by the user and by the admin.
		if _, err := anon.ForgetDevice(ctx, &cip.ForgetDeviceInput{AccessToken: r.AccessToken, DeviceKey: &d.key}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.idp.AdminForgetDevice(ctx, &cip.AdminForgetDeviceInput{UserPoolId: &pool, Username: alice, DeviceKey: &d2.key}); err != nil {
			t.Fatal(err)
		}
		_, err = e.idp.AdminGetDevice(ctx, &cip.AdminGetDeviceInput{UserPoolId: &pool, Username: alice, DeviceKey: &d2.key})
		wantAPIError(t, err, "ResourceNotFoundException", "Device does not exist.")
		_, err = anon.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!", "DEVICE_KEY": d.key}})
		wantAPIError(t, err, "ResourceNotFoundException", "Device does not exist.")
		// Admin operations need a signature.
		_, err = anon.AdminListDevices(ctx, &cip.AdminListDevicesInput{UserPoolId: &pool, Username: alice})
		if err == nil {
			t.Fatal("an unsigned AdminListDevices was accepted")
		}
	})
}
