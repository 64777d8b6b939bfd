package benchmark

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/ccql/ccql/internal/awsjson"
)

// Cognito IdP (JSON 1.1) loads, run the same way against the emulator
// and cognito-local.

const (
	idpPrefix      = "AWSCognitoIdentityProviderService"
	idpContentType = awsjson.ContentType11
	// clientsPerPool stays under Cognito's 1,000 clients per pool (the
	// emulator enforces it): a create load moves to a fresh pool first.
	clientsPerPool = 900
)

// errSkip marks a call that did set-up work instead of the measured
// operation; load neither counts nor times it.
var errSkip = errors.New("skip")

type idpPool struct {
	UserPool struct{ Id string } //nolint:revive // the wire name
}

type idpClient struct {
	UserPoolClient struct{ ClientId string } //nolint:revive // the wire name
}

func createPool(ctx context.Context, t *jsonTarget, name string) (string, error) {
	var p idpPool
	if err := t.call(ctx, "CreateUserPool", map[string]any{"PoolName": name}, &p); err != nil {
		return "", err
	}
	if p.UserPool.Id == "" {
		return "", errors.New("CreateUserPool: no pool id in the response")
	}
	return p.UserPool.Id, nil
}

// cognitoLoads measures DescribeUserPoolClient and CreateUserPoolClient on
// the Cognito IdP endpoint at url.
func cognitoLoads(ctx context.Context, cfg Config, target, url string) ([]Result, error) {
	t := newJSONTarget(url, idpContentType, idpPrefix, cfg.Clients)
	defer t.close()
	pool, err := createPool(ctx, t, "bench")
	if err != nil {
		return nil, err
	}
	var c idpClient
	if err := t.call(ctx, "CreateUserPoolClient", map[string]any{"UserPoolId": pool, "ClientName": "bench", "GenerateSecret": true}, &c); err != nil {
		return nil, err
	}
	describe, err := json.Marshal(map[string]string{"UserPoolId": pool, "ClientId": c.UserPoolClient.ClientId})
	if err != nil {
		return nil, err
	}
	out := []Result{httpLoad(ctx, cfg, "DescribeUserPoolClient", httpSide{target, url, idpPrefix, idpContentType, func(int) []byte { return describe }})}

	// Each creating client fills a pool of its own, then moves on.
	type slot struct {
		body []byte
		n    int
		h    http.Header
	}
	slots := make([]slot, cfg.Clients)
	newPool := func(ctx context.Context, w int) error {
		p, err := createPool(ctx, t, fmt.Sprintf("bench-%d", w))
		if err != nil {
			return err
		}
		b, err := json.Marshal(map[string]string{"UserPoolId": p, "ClientName": "bench-client"})
		if err != nil {
			return err
		}
		slots[w] = slot{body: b, h: t.header("CreateUserPoolClient")}
		return nil
	}
	for w := range slots {
		if err := newPool(ctx, w); err != nil {
			return nil, err
		}
	}
	out = append(out, load(ctx, "CreateUserPoolClient", target, cfg.Clients, cfg.Warmup, cfg.Duration, func(ctx context.Context, w, _ int) error {
		s := &slots[w]
		if s.n >= clientsPerPool {
			if err := newPool(ctx, w); err != nil {
				return err
			}
			return errSkip
		}
		s.n++
		return t.do(ctx, s.h, s.body)
	}))
	return out, nil
}

// decodeJSON reads a request body as JSON (the bare handler's side).
func decodeJSON(r *http.Request, v any) error {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// writeJSON encodes v as a JSON 200 response (the bare handler's side).
func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", awsjson.ContentType10)
	w.Write(b) //nolint:errcheck // the client went away
}
