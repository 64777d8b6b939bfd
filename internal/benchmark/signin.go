package benchmark

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"time"
)

// Sign-in loads: USER_PASSWORD_AUTH (one InitiateAuth per sign-in, RS256
// signatures of an ID and an access token) on the emulator and on
// cognito-local, and USER_SRP_AUTH (InitiateAuth then
// RespondToAuthChallenge, with the 3072-bit exponentiations of both
// sides) on the emulator, which cognito-local does not implement.

// Names of the sign-in loads.
const (
	LoadPasswordSignIn = "sign-in USER_PASSWORD_AUTH"
	LoadSRPSignIn      = "sign-in USER_SRP_AUTH"
	// AimSignInRatio is issue 10's aim: ccql signs users in at least
	// twice as fast as cognito-local.
	AimSignInRatio = 2.0
)

const (
	benchUser     = "bench@example.com" // cognito-local's pools take e-mail user names
	benchPassword = "Bench-Passw0rd!"
)

// signInSetup creates a pool, a client that allows the password and SRP
// flows, and a confirmed user with benchPassword.
func signInSetup(ctx context.Context, t *jsonTarget) (poolID, clientID string, err error) {
	if poolID, err = createPool(ctx, t, "bench-signin"); err != nil {
		return "", "", err
	}
	var c idpClient
	if err := t.call(ctx, "CreateUserPoolClient", map[string]any{"UserPoolId": poolID, "ClientName": "bench-signin",
		"ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}, &c); err != nil {
		return "", "", err
	}
	if err := t.call(ctx, "AdminCreateUser", map[string]any{"UserPoolId": poolID, "Username": benchUser,
		"MessageAction": "SUPPRESS", "TemporaryPassword": benchPassword}, nil); err != nil {
		return "", "", err
	}
	if err := t.call(ctx, "AdminSetUserPassword", map[string]any{"UserPoolId": poolID, "Username": benchUser,
		"Password": benchPassword, "Permanent": true}, nil); err != nil {
		return "", "", err
	}
	return poolID, c.UserPoolClient.ClientId, nil
}

// passwordSignIns measures USER_PASSWORD_AUTH sign-ins on the IdP
// endpoint at url.
func passwordSignIns(ctx context.Context, cfg Config, target, url string) (Result, error) {
	t := newJSONTarget(url, idpContentType, idpPrefix, cfg.Clients)
	defer t.close()
	_, clientID, err := signInSetup(ctx, t)
	if err != nil {
		return Result{}, fmt.Errorf("sign-in set-up: %w", err)
	}
	body, err := json.Marshal(map[string]any{"ClientId": clientID, "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": benchUser, "PASSWORD": benchPassword}})
	if err != nil {
		return Result{}, err
	}
	h := t.header("InitiateAuth")
	return load(ctx, LoadPasswordSignIn, target, cfg.Clients, cfg.Warmup, cfg.Duration, func(ctx context.Context, _, _ int) error {
		var out struct {
			AuthenticationResult struct{ AccessToken string }
		}
		if err := t.doJSON(ctx, h, body, &out); err != nil {
			return err
		}
		if out.AuthenticationResult.AccessToken == "" {
			return errors.New("InitiateAuth: no access token")
		}
		return nil
	}), nil
}

// srpSignIns measures complete USER_SRP_AUTH sign-ins (two calls each)
// on the emulator at url, computing the client's side as
// amazon-cognito-identity-js does.
func srpSignIns(ctx context.Context, cfg Config, target, url string) (Result, error) {
	t := newJSONTarget(url, idpContentType, idpPrefix, cfg.Clients)
	defer t.close()
	poolID, clientID, err := signInSetup(ctx, t)
	if err != nil {
		return Result{}, fmt.Errorf("sign-in set-up: %w", err)
	}
	clients := make([]*srpClient, cfg.Clients)
	for i := range clients {
		if clients[i], err = newSRPClient(); err != nil {
			return Result{}, err
		}
	}
	initH, respH := t.header("InitiateAuth"), t.header("RespondToAuthChallenge")
	return load(ctx, LoadSRPSignIn, target, cfg.Clients, cfg.Warmup, cfg.Duration, func(ctx context.Context, w, _ int) error {
		c := clients[w]
		body, err := json.Marshal(map[string]any{"ClientId": clientID, "AuthFlow": "USER_SRP_AUTH",
			"AuthParameters": map[string]string{"USERNAME": benchUser, "SRP_A": c.A.Text(16)}})
		if err != nil {
			return err
		}
		var ch struct {
			ChallengeParameters map[string]string
		}
		if err := t.doJSON(ctx, initH, body, &ch); err != nil {
			return err
		}
		resp, err := c.respond(poolID, benchPassword, ch.ChallengeParameters, time.Now())
		if err != nil {
			return err
		}
		body, err = json.Marshal(map[string]any{"ClientId": clientID, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": resp})
		if err != nil {
			return err
		}
		var out struct {
			AuthenticationResult struct{ AccessToken string }
		}
		if err := t.doJSON(ctx, respH, body, &out); err != nil {
			return err
		}
		if out.AuthenticationResult.AccessToken == "" {
			return errors.New("RespondToAuthChallenge: no access token")
		}
		return nil
	}), nil
}

// srpGroupHex is the 3072-bit group of RFC 5054 that Cognito uses.
const srpGroupHex = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
	"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
	"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

// srpClient is one bench client's SRP state: a, and A = g^a, reused
// across sign-ins (a client library draws a new a each time; the server's
// work, which is what is measured, is the same).
type srpClient struct {
	n, g, k *big.Int
	a, A    *big.Int
}

func newSRPClient() (*srpClient, error) {
	n, _ := new(big.Int).SetString(srpGroupHex, 16)
	g := big.NewInt(2)
	raw := make([]byte, 128)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("srp client: %w", err)
	}
	a := new(big.Int).SetBytes(raw)
	return &srpClient{n: n, g: g, k: srpHash(srpPad(n), srpPad(g)), a: a, A: new(big.Int).Exp(g, a, n)}, nil
}

func srpPad(x *big.Int) []byte {
	h := x.Text(16)
	if len(h)%2 == 1 {
		h = "0" + h
	} else if strings.IndexByte("89abcdef", h[0]) >= 0 {
		h = "00" + h
	}
	b, _ := hex.DecodeString(h)
	return b
}

func srpHash(parts ...[]byte) *big.Int {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return new(big.Int).SetBytes(h.Sum(nil))
}

// respond computes the PASSWORD_VERIFIER response to params.
func (c *srpClient) respond(poolID, password string, params map[string]string, now time.Time) (map[string]string, error) {
	B, ok1 := new(big.Int).SetString(params["SRP_B"], 16)
	salt, ok2 := new(big.Int).SetString(params["SALT"], 16)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("srp: bad challenge %v", params)
	}
	user := params["USER_ID_FOR_SRP"]
	_, poolName, _ := strings.Cut(poolID, "_")
	inner := sha256.Sum256([]byte(poolName + user + ":" + password))
	x := srpHash(srpPad(salt), inner[:])
	u := srpHash(srpPad(c.A), srpPad(B))
	base := new(big.Int).Exp(c.g, x, c.n)
	base.Mul(base, c.k).Sub(B, base).Mod(base, c.n)
	S := base.Exp(base, new(big.Int).Add(c.a, new(big.Int).Mul(u, x)), c.n)
	prk := hmac.New(sha256.New, srpPad(u))
	prk.Write(srpPad(S))
	m := hmac.New(sha256.New, prk.Sum(nil))
	m.Write([]byte("Caldera Derived Key\x01"))
	key := m.Sum(nil)[:16]
	block, err := base64.StdEncoding.DecodeString(params["SECRET_BLOCK"])
	if err != nil {
		return nil, fmt.Errorf("srp: SECRET_BLOCK: %w", err)
	}
	ts := now.UTC().Format("Mon Jan 2 15:04:05 UTC 2006")
	sig := hmac.New(sha256.New, key)
	sig.Write([]byte(poolName + user))
	sig.Write(block)
	sig.Write([]byte(ts))
	return map[string]string{
		"USERNAME":                    user,
		"PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
		"PASSWORD_CLAIM_SIGNATURE":    base64.StdEncoding.EncodeToString(sig.Sum(nil)),
		"TIMESTAMP":                   ts,
	}, nil
}

// doJSON posts body with header h and decodes the 200 response into out.
func (t *jsonTarget) doJSON(ctx context.Context, h http.Header, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = h
	resp, err := t.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(b[:min(len(b), 512)]))
	}
	return json.Unmarshal(b, out)
}

// signInLoads measures sign-ins on the emulator at ccqlURL and, when
// cognitoLocalURL is set, USER_PASSWORD_AUTH on cognito-local too.
func signInLoads(ctx context.Context, cfg Config, ccqlURL, cognitoLocalURL string) ([]Result, error) {
	var out []Result
	r, err := passwordSignIns(ctx, cfg, TargetHTTP, ccqlURL)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", TargetHTTP, err)
	}
	out = append(out, r)
	if cognitoLocalURL != "" {
		r, err := passwordSignIns(ctx, cfg, TargetCognitoLocal, cognitoLocalURL)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", TargetCognitoLocal, err)
		}
		out = append(out, r)
	}
	r, err = srpSignIns(ctx, cfg, TargetHTTP, ccqlURL)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", TargetHTTP, err)
	}
	return append(out, r), nil
}
