package cognito_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/emulator/internal/cognito/cognitotest"
	"github.com/ccql/ccql/internal/handler"
)

const (
	poolTypeName   = "AWS::Cognito::UserPool"
	clientTypeName = "AWS::Cognito::UserPoolClient"
	testRegion     = "us-east-1"
)

var (
	rePoolID   = regexp.MustCompile(`^us-east-1_[0-9A-Za-z]{9}$`)
	reClientID = regexp.MustCompile(`^[a-z0-9]{26}$`)
	reSecret   = regexp.MustCompile(`^[a-z0-9]{52}$`)
	reSuffix   = regexp.MustCompile(` \(Service: CognitoIdentityProvider, Status Code: 400, Request ID: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\)$`)
)

// fixture drives the Cloud Control handlers the way the core does: Prepare,
// then Create/Read/Update/Delete/List on one in-memory Tx.
type fixture struct {
	t      *testing.T
	tx     *cognitotest.Tx
	env    handler.Env
	pool   handler.Handler
	client handler.Handler
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{
		t:  t,
		tx: cognitotest.NewTx(),
		env: handler.Env{
			Account: "123456789012",
			Region:  testRegion,
			Now:     time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC),
			Rand:    rand.NewChaCha8([32]byte{1, 2, 3}),
		},
	}
	for _, h := range cognito.Handlers(nil) {
		switch h.TypeName() {
		case poolTypeName:
			f.pool = h
		case clientTypeName:
			f.client = h
		}
	}
	if f.pool == nil || f.client == nil {
		t.Fatalf("Handlers() lacks the pool or client handler")
	}
	return f
}

func (f *fixture) create(h handler.Handler, desired map[string]any) (map[string]any, error) {
	f.t.Helper()
	prepared, err := h.Prepare(f.env, desired)
	if err != nil {
		f.t.Fatalf("Prepare: %v", err)
	}
	return h.Create(context.Background(), f.env, f.tx, prepared)
}

// mustPool creates a pool and returns its id.
func (f *fixture) mustPool(desired map[string]any) string {
	f.t.Helper()
	if desired == nil {
		desired = map[string]any{}
	}
	m, err := f.create(f.pool, desired)
	if err != nil {
		f.t.Fatalf("create pool: %v", err)
	}
	return m["UserPoolId"].(string)
}

func (f *fixture) mustClient(desired map[string]any) map[string]any {
	f.t.Helper()
	m, err := f.create(f.client, desired)
	if err != nil {
		f.t.Fatalf("create client: %v", err)
	}
	return m
}

// handlerError splits a handler failure into its code and its message
// without the service suffix (which it checks).
func handlerError(t *testing.T, err error) (handler.Code, string) {
	t.Helper()
	var he *handler.Error
	if !errors.As(err, &he) {
		t.Fatalf("error %v (%T) is not a *handler.Error", err, err)
	}
	msg := he.Message
	if loc := reSuffix.FindStringIndex(msg); loc != nil {
		msg = msg[:loc[0]]
	} else if !strings.HasPrefix(msg, "Resource of type") {
		t.Errorf("message %q lacks the CognitoIdentityProvider suffix", he.Message)
	}
	return he.Code, msg
}

// roundTrip passes v through JSON into a map.
func roundTrip(v any) (map[string]any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	err = json.Unmarshal(raw, &out)
	return out, err
}
