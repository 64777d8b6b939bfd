package emulator

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/ccql/ccql/emulator/cognito"
	"github.com/ccql/ccql/internal/awsjson"
	"github.com/ccql/ccql/internal/store"
)

// cognitoService serves the Cognito Identity Provider API (JSON 1.1) over
// the same store as Cloud Control: each operation runs in one store
// transaction scoped to the caller's account and region, so a failing
// operation leaves nothing behind. Describe and List operations run in a
// read-only snapshot.
func (c *core) cognitoService(ops map[string]cognito.Operation) *awsjson.Service {
	svc := &awsjson.Service{
		TargetPrefix: "AWSCognitoIdentityProviderService",
		ContentType:  awsjson.ContentType11,
		MessageKey:   "message",
		Operations:   map[string]awsjson.Operation{},
		MapError: func(err error) *awsjson.Error {
			var ae *cognito.APIError
			if errors.As(err, &ae) {
				status := ae.Status
				if status == 0 {
					status = http.StatusBadRequest
				}
				return &awsjson.Error{Status: status, Type: ae.Type, Message: ae.Message}
			}
			return &awsjson.Error{Status: http.StatusInternalServerError, Type: "InternalErrorException", Message: "Internal error"}
		},
	}
	for name, op := range ops {
		readOnly := strings.HasPrefix(name, "Describe") || strings.HasPrefix(name, "List")
		svc.Operations[name] = func(ctx context.Context, req *awsjson.Request) (any, error) {
			p := partitionOf(req)
			var out any
			run := func(tx store.Tx) error {
				var err error
				out, err = op(ctx, c.env(p), store.Scope(tx, p), req.Body)
				return err
			}
			var err error
			if readOnly {
				err = c.st.View(ctx, run)
			} else {
				err = c.st.Update(ctx, run)
			}
			if err != nil {
				return nil, err
			}
			return out, nil
		}
	}
	return svc
}
