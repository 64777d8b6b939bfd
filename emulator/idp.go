package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/awsjson"
	"github.com/ccql/ccql/internal/store"
)

// maxCachedRequest is the largest request body whose answer is cached.
const maxCachedRequest = 2048

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
			c.log.Error("internal failure", "service", "cognito-idp", "error", err)
			return &awsjson.Error{Status: http.StatusInternalServerError, Type: "InternalErrorException", Message: "Internal error"}
		},
	}
	svc.Anonymous = map[string]bool{}
	for _, name := range cognito.AnonymousOperations() {
		svc.Anonymous[name] = true
	}
	for name, op := range ops {
		readOnly := strings.HasPrefix(name, "Describe") || strings.HasPrefix(name, "List")
		// A Describe answer depends on the stored state and the request
		// alone, so it is cached, encoded, until the next commit. (List
		// pages are not: their tokens need not be stable.)
		cached := strings.HasPrefix(name, "Describe")
		svc.Operations[name] = func(ctx context.Context, req *awsjson.Request) (any, error) {
			p := partitionOf(req)
			if req.AccessKeyID == "" && svc.Anonymous[name] {
				p = c.locateAnonymous(ctx, p, req.Body)
			}
			ctx = cognito.WithRequest(ctx, c.signin, req.HTTP)
			var out any
			// kept is a failure whose writes are committed (Commit set):
			// the transaction succeeds and the failure is answered after.
			var kept *cognito.APIError
			run := func(tx store.Tx) error {
				var err error
				out, err = op(ctx, c.env(p), store.Scope(tx, p), req.Body)
				var ae *cognito.APIError
				if errors.As(err, &ae) && ae.Commit {
					kept = ae
					return nil
				}
				return err
			}
			if cached && len(req.Body) <= maxCachedRequest {
				b, err := c.describe.read(ctx, cacheKey{p, name, string(req.Body)}, func() ([]byte, error) {
					if err := c.st.View(ctx, run); err != nil {
						return nil, err
					}
					return json.Marshal(out)
				})
				if err != nil {
					return nil, err
				}
				return json.RawMessage(b), nil
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
			if kept != nil {
				return nil, kept
			}
			return out, nil
		}
	}
	return svc
}
