package cognito_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/emulator/internal/cognito/cognitotest"
)

// TestListTokens_bound: a list's NextToken continues that list only; a
// forged token (base64 of anything), one of another pool's list or of
// another operation is InvalidParameterException, never an empty page.
func TestListTokens_bound(t *testing.T) {
	ops := cognito.Operations()
	env := newFixture(t).env
	tx := cognitotest.NewTx()
	ctx := context.Background()
	call := func(op, body string) (map[string]any, error) {
		t.Helper()
		out, err := ops[op](ctx, env, tx, []byte(body))
		if err != nil {
			return nil, err
		}
		b, _ := json.Marshal(out)
		var m map[string]any
		return m, json.Unmarshal(b, &m)
	}
	var pools []string
	for i := range 3 {
		out, err := call("CreateUserPool", fmt.Sprintf(`{"PoolName":"p%d"}`, i))
		if err != nil {
			t.Fatal(err)
		}
		pools = append(pools, out["UserPool"].(map[string]any)["Id"].(string))
		for j := range 3 {
			if _, err := call("CreateUserPoolClient", fmt.Sprintf(`{"UserPoolId":%q,"ClientName":"c%d"}`, pools[i], j)); err != nil {
				t.Fatal(err)
			}
		}
	}
	first, err := call("ListUserPools", `{"MaxResults":1}`)
	if err != nil {
		t.Fatal(err)
	}
	poolsToken, _ := first["NextToken"].(string)
	clients, err := call("ListUserPoolClients", fmt.Sprintf(`{"UserPoolId":%q,"MaxResults":1}`, pools[0]))
	if err != nil {
		t.Fatal(err)
	}
	clientsToken, _ := clients["NextToken"].(string)
	if poolsToken == "" || clientsToken == "" {
		t.Fatalf("no NextToken: %v %v", first, clients)
	}
	// The honest continuation works.
	if next, err := call("ListUserPools", fmt.Sprintf(`{"MaxResults":1,"NextToken":%q}`, poolsToken)); err != nil || len(next["UserPools"].([]any)) != 1 {
		t.Fatalf("continuing ListUserPools: %v %v", next, err)
	}
	if next, err := call("ListUserPoolClients", fmt.Sprintf(`{"UserPoolId":%q,"MaxResults":1,"NextToken":%q}`, pools[0], clientsToken)); err != nil || len(next["UserPoolClients"].([]any)) != 1 {
		t.Fatalf("continuing ListUserPoolClients: %v %v", next, err)
	}
	forged := base64.RawURLEncoding.EncodeToString([]byte(pools[1]))
	for _, tc := range []struct{ name, op, body string }{
		{"forged on ListUserPools", "ListUserPools", fmt.Sprintf(`{"MaxResults":1,"NextToken":%q}`, forged)},
		{"garbage on ListUserPools", "ListUserPools", `{"MaxResults":1,"NextToken":"dXMtZWFzdC0xX3g"}`},
		{"clients token on ListUserPools", "ListUserPools", fmt.Sprintf(`{"MaxResults":1,"NextToken":%q}`, clientsToken)},
		{"pools token on ListUserPoolClients", "ListUserPoolClients", fmt.Sprintf(`{"UserPoolId":%q,"MaxResults":1,"NextToken":%q}`, pools[0], poolsToken)},
		{"another pool's token", "ListUserPoolClients", fmt.Sprintf(`{"UserPoolId":%q,"MaxResults":1,"NextToken":%q}`, pools[1], clientsToken)},
		{"clients token on ListResourceServers", "ListResourceServers", fmt.Sprintf(`{"UserPoolId":%q,"MaxResults":1,"NextToken":%q}`, pools[0], clientsToken)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := call(tc.op, tc.body)
			var apiErr *cognito.APIError
			if !errors.As(err, &apiErr) || apiErr.Type != "InvalidParameterException" || apiErr.Message != "Invalid pagination token." {
				t.Errorf("got %v %v, want InvalidParameterException: Invalid pagination token.", out, err)
			}
		})
	}
}
