package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/ccql/ccql/emulator/cognito"
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
		Anonymous:    anonymousIdPOperations(),
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
	for name, op := range ops {
		readOnly := strings.HasPrefix(name, "Describe") || strings.HasPrefix(name, "List")
		// A Describe answer depends on the stored state and the request
		// alone, so it is cached, encoded, until the next commit. (List
		// pages are not: their tokens need not be stable.)
		cached := strings.HasPrefix(name, "Describe")
		svc.Operations[name] = func(ctx context.Context, req *awsjson.Request) (any, error) {
			p := partitionOf(req)
			var out any
			run := func(tx store.Tx) error {
				var err error
				out, err = op(ctx, c.env(p), store.Scope(tx, p), req.Body)
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
			return out, nil
		}
	}
	return svc
}

// anonymousIdPOperations are the Cognito IdP operations AWS serves without
// a SigV4 signature: the calls an app's end users make, authorised by a
// client id, a session or an access token instead (the AWS SDK for Go's
// service/cognitoidentityprovider/auth.go gives each of them the anonymous
// auth scheme). Unsigned requests to them are accepted even when
// credentials are configured. The list is kept whole, names not yet
// implemented included, so that adding an operation needs no change here.
func anonymousIdPOperations() map[string]bool {
	names := []string{
		"AssociateSoftwareToken", "ChangePassword", "CompleteWebAuthnRegistration", "ConfirmDevice",
		"ConfirmForgotPassword", "ConfirmSignUp", "DeleteUser", "DeleteUserAttributes",
		"DeleteWebAuthnCredential", "ForgetDevice", "ForgotPassword", "GetDevice",
		"GetTokensFromRefreshToken", "GetUser", "GetUserAttributeVerificationCode", "GetUserAuthFactors",
		"GlobalSignOut", "InitiateAuth", "ListDevices", "ListWebAuthnCredentials",
		"ResendConfirmationCode", "RespondToAuthChallenge", "RevokeToken", "SetUserMFAPreference",
		"SetUserSettings", "SignUp", "StartWebAuthnRegistration", "UpdateAuthEventFeedback",
		"UpdateDeviceStatus", "UpdateUserAttributes", "VerifySoftwareToken", "VerifyUserAttribute",
	}
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
