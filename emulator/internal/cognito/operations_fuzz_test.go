package cognito_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/emulator/internal/cognito/cognitotest"
	"github.com/ccql/ccql/internal/handler"
)

// FuzzOperations feeds arbitrary request bodies to every IdP operation over
// a store holding one pool and one client: no operation may panic, every
// failure must be a Cognito *APIError with a 4xx status, and every result
// must encode as JSON.
func FuzzOperations(f *testing.F) {
	names := cognito.OperationNames()
	for _, body := range []string{
		`{}`, `[`, `null`, `{"PoolName":"p"}`, `{"MaxResults":2}`, `{"MaxResults":2,"NextToken":"dXMtZWFzdC0xX3g"}`,
		`{"UserPoolId":"us-east-1_AAAAAAAAA","ClientName":"c","GenerateSecret":true,"AllowedOAuthFlows":["client_credentials"],"AllowedOAuthScopes":["a/b"]}`,
		`{"UserPoolId":"us-east-1_AAAAAAAAA","ClientName":"c","CallbackURLs":["http://[::1]:80/x"],"AllowedOAuthFlows":["code"],"DefaultRedirectURI":"http://[::1]:80/x"}`,
		`{"UserPoolId":"us-east-1_AAAAAAAAA","ClientId":"c","TokenValidityUnits":{"AccessToken":"days"},"AccessTokenValidity":1e9}`,
		`{"PoolName":"p","Schema":[{"Name":"tier"}],"UserPoolTags":{"a":"b"}}`,
		`{"UserPoolId":"us-east-1_AAAAAAAAA","ClientName":"c","RefreshTokenRotation":{}}`,
	} {
		for i := range names {
			f.Add(uint8(i), body)
		}
	}
	ops := cognito.Operations()
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		name := names[int(which)%len(names)]
		tx := cognitotest.NewTx()
		env := handler.Env{Account: "123456789012", Region: "us-east-1", Now: time.Unix(1e9, 0), Rand: rand.NewChaCha8([32]byte{})}
		if err := tx.Put("AWS::Cognito::UserPool", "us-east-1_AAAAAAAAA", json.RawMessage(`{"UserPoolId":"us-east-1_AAAAAAAAA","UserPoolName":"p"}`)); err != nil {
			t.Fatal(err)
		}
		out, err := ops[name](context.Background(), env, tx, []byte(body))
		if err != nil {
			var apiErr *cognito.APIError
			if !errors.As(err, &apiErr) || apiErr.Status < 400 || apiErr.Status >= 500 {
				t.Fatalf("%s(%q): %v is not a client *APIError", name, body, err)
			}
			return
		}
		if _, err := json.Marshal(out); err != nil {
			t.Fatalf("%s(%q): result does not encode: %v", name, body, err)
		}
	})
}
