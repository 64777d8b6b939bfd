package cognito

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/ccql/ccql/internal/handler"
)

// APIError is a Cognito API error as the wire shows it: the JSON 1.1 body
// {"__type": Type, "message": Message} sent with HTTP Status.
type APIError struct {
	Type    string // e.g. "InvalidParameterException"
	Message string // Cognito's exact message
	Status  int    // HTTP status, 400 for every client error
	// Commit keeps the failing operation's writes: a wrong password is
	// refused, and the lockout counter it advanced must still be stored.
	Commit bool
}

func (e *APIError) Error() string { return e.Type + ": " + e.Message }

// The Cognito exception names this package raises.
const (
	typeInvalidParameter    = "InvalidParameterException"
	typeResourceNotFound    = "ResourceNotFoundException"
	typeLimitExceeded       = "LimitExceededException"
	typeScopeDoesNotExist   = "ScopeDoesNotExistException"
	typeInvalidOAuthFlow    = "InvalidOAuthFlowException"
	typeSerialization       = "SerializationException"
	typeDuplicateProvider   = "DuplicateProviderException"
	typeGroupExists         = "GroupExistsException"
	typeUnsupportedProvider = "UnsupportedIdentityProviderException"
	typeInternalError       = "InternalErrorException"
	typeConcurrentModified  = "ConcurrentModificationException"
	typeNotAuthorized       = "NotAuthorizedException"
	typeTooManyRequests     = "TooManyRequestsException"
	typeFeatureUnavailable  = "FeatureUnavailableInTierException"

	typeUserNotFound          = "UserNotFoundException"
	typeUsernameExists        = "UsernameExistsException"
	typeAliasExists           = "AliasExistsException"
	typeInvalidPassword       = "InvalidPasswordException"
	typeUserNotConfirmed      = "UserNotConfirmedException"
	typePasswordResetRequired = "PasswordResetRequiredException"
	typeCodeMismatch          = "CodeMismatchException"
	typeExpiredCode           = "ExpiredCodeException"
	typeUnsupportedUserState  = "UnsupportedUserStateException"
	typeInvalidPoolConfig     = "InvalidUserPoolConfigurationException"
)

func apiErrorf(typ, format string, args ...any) *APIError {
	return &APIError{Type: typ, Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

func invalidParameter(format string, args ...any) *APIError {
	return apiErrorf(typeInvalidParameter, format, args...)
}

func resourceNotFound(format string, args ...any) *APIError {
	return apiErrorf(typeResourceNotFound, format, args...)
}

// poolNotFound is Cognito's error for an operation on a missing user pool.
func poolNotFound(poolID string) *APIError {
	return resourceNotFound("User pool %s does not exist.", poolID)
}

// clientNotFound is Cognito's error for an operation on a missing app client.
func clientNotFound(clientID string) *APIError {
	return resourceNotFound("User pool client %s does not exist.", clientID)
}

// handlerCodes maps Cognito exceptions to Cloud Control HandlerErrorCodes,
// following reference C6 (inferred from the CloudFormation handlers'
// behaviour; AWS does not document it).
var handlerCodes = map[string]handler.Code{
	typeInvalidParameter:     handler.InvalidRequest,
	typeInvalidOAuthFlow:     handler.InvalidRequest,
	typeScopeDoesNotExist:    handler.InvalidRequest,
	typeSerialization:        handler.InvalidRequest,
	typeUnsupportedProvider:  handler.InvalidRequest,
	typeFeatureUnavailable:   handler.InvalidRequest,
	typeResourceNotFound:     handler.NotFound,
	typeLimitExceeded:        handler.ServiceLimitExceeded,
	typeTooManyRequests:      handler.Throttling,
	typeNotAuthorized:        handler.AccessDenied,
	typeInternalError:        handler.ServiceInternalError,
	typeConcurrentModified:   handler.ResourceConflict,
	typeDuplicateProvider:    handler.AlreadyExists,
	typeGroupExists:          handler.AlreadyExists,
	typeUserNotFound:         handler.NotFound,
	typeUsernameExists:       handler.AlreadyExists,
	typeAliasExists:          handler.AlreadyExists,
	typeInvalidPassword:      handler.InvalidRequest,
	typeInvalidPoolConfig:    handler.InvalidRequest,
	typeUnsupportedUserState: handler.InvalidRequest,
}

// toHandlerError turns an error from the shared rule code into what a Cloud
// Control handler returns. A Cognito *APIError becomes a *handler.Error whose
// message carries the suffix the CloudFormation handlers add to every
// service exception, "(Service: CognitoIdentityProvider, Status Code: 400,
// Request ID: <uuid>)". The request id is drawn from env.Rand, so a test
// that fixes Rand gets a reproducible message. Other errors pass through
// (the core reports them as internal failures).
func toHandlerError(env handler.Env, err error) error {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	code, ok := handlerCodes[apiErr.Type]
	if !ok {
		code = handler.GeneralServiceException
	}
	return &handler.Error{
		Code: code,
		Message: fmt.Sprintf("%s (Service: CognitoIdentityProvider, Status Code: %d, Request ID: %s)",
			apiErr.Message, apiErr.Status, requestID(env.Rand)),
	}
}

// notFoundError is the Cloud Control not-found failure the Java resource
// handlers report for a missing resource (reference C4).
func notFoundError(typeName, identifier string) *handler.Error {
	return handler.Errorf(handler.NotFound, "Resource of type '%s' with identifier '%s' was not found.", typeName, identifier)
}

// requestID returns a UUIDv4-formatted id drawn from r.
func requestID(r io.Reader) string {
	var b [16]byte
	if _, err := io.ReadFull(randSource(r), b[:]); err != nil {
		return "00000000-0000-4000-8000-000000000000"
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
