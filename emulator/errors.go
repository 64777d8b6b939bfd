package emulator

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	"github.com/aws/smithy-go"
	"github.com/google/uuid"

	"github.com/ccql/ccql/internal/awsjson"
	"github.com/ccql/ccql/internal/handler"
)

// The emulator returns the SDK's own error types, so that code using it in
// process sees exactly what it would see over HTTP through the SDK
// (errors.As(err, &*types.ResourceNotFoundException) works either way).
// Errors the Cloud Control model does not declare, ValidationException
// first, are *smithy.GenericAPIError values with the AWS code.

func errValidation(format string, args ...any) error {
	return &smithy.GenericAPIError{Code: "ValidationException", Message: fmt.Sprintf(format, args...), Fault: smithy.FaultClient}
}

func errTypeNotFound(typeName string) error {
	return &types.TypeNotFoundException{Message: aws.String(fmt.Sprintf("The type '%s' cannot be found.", typeName))}
}

func errUnsupported(typeName, action string) error {
	return &types.UnsupportedActionException{Message: aws.String(fmt.Sprintf("Resource type %s does not support %s action", typeName, action))}
}

func errInvalidRequest(format string, args ...any) error {
	return &types.InvalidRequestException{Message: aws.String(fmt.Sprintf(format, args...))}
}

func errClientTokenConflict(token string) error {
	return &types.ClientTokenConflictException{Message: aws.String(fmt.Sprintf(
		"ClientToken %s has already been used in another resource request within the last 36 hours", token))}
}

func errConcurrentOperation(typeName, identifier, token string) error {
	return &types.ConcurrentOperationException{Message: aws.String(fmt.Sprintf(
		"Another resource operation request (RequestToken: %s) is in progress for resource of type '%s' with identifier '%s'",
		token, typeName, identifier))}
}

func errRequestTokenNotFound(token string) error {
	return &types.RequestTokenNotFoundException{Message: aws.String(fmt.Sprintf("Request with token %s was not found", token))}
}

func errConcurrentModification(token, status string) error {
	return &types.ConcurrentModificationException{Message: aws.String(fmt.Sprintf(
		"Request with token %s cannot be canceled: its status is %s", token, status))}
}

func errNotUpdatable(msg string) error {
	return &types.NotUpdatableException{Message: aws.String(msg)}
}

// handlerFailure is handlerFailure with a fresh request token, logging the
// cause of an internal failure (an error that is not a handler's
// *handler.Error: a store failure, a damaged model) at error level: the
// caller only sees "Internal Failure". Causes name types and identifiers,
// never model contents, so no secret reaches the log.
func (c *core) handlerFailure(typeName string, err error) error {
	token := uuid.NewString()
	var he *handler.Error
	if !errors.As(err, &he) {
		c.log.Error("internal failure", "typeName", typeName, "requestToken", token, "error", err)
	}
	return handlerFailure(typeName, token, err)
}

// handlerFailure is the synchronous form of a handler failure (GetResource,
// ListResources, the read before an update), in Cloud Control's words:
// "<Type> Handler returned status FAILED: <message> (HandlerErrorCode: <code>, RequestToken: <uuid>)".
func handlerFailure(typeName, token string, err error) error {
	code, msg := handler.InternalFailure, "Internal Failure"
	var he *handler.Error
	if errors.As(err, &he) {
		code, msg = he.Code, he.Message
	}
	m := aws.String(fmt.Sprintf("%s Handler returned status FAILED: %s (HandlerErrorCode: %s, RequestToken: %s)", typeName, msg, code, token))
	switch code {
	case handler.NotFound:
		return &types.ResourceNotFoundException{Message: m}
	case handler.AlreadyExists:
		return &types.AlreadyExistsException{Message: m}
	case handler.InvalidRequest:
		return &types.InvalidRequestException{Message: m}
	case handler.AccessDenied, handler.InvalidCredentials, handler.UnauthorizedTaggingOperation:
		return &types.InvalidCredentialsException{Message: m}
	case handler.ResourceConflict:
		return &types.ResourceConflictException{Message: m}
	case handler.Throttling:
		return &types.ThrottlingException{Message: m}
	case handler.ServiceLimitExceeded:
		return &types.ServiceLimitExceededException{Message: m}
	case handler.NotStabilized:
		return &types.NotStabilizedException{Message: m}
	case handler.NotUpdatable:
		return &types.NotUpdatableException{Message: m}
	case handler.GeneralServiceException:
		return &types.GeneralServiceException{Message: m}
	case handler.ServiceInternalError, handler.ServiceTimeout:
		return &types.ServiceInternalErrorException{Message: m}
	case handler.NetworkFailure:
		return &types.NetworkFailureException{Message: m}
	}
	return &types.HandlerInternalFailureException{Message: m}
}

// httpStatus is the HTTP status of each Cloud Control error (the Smithy
// model's httpError), except ResourceNotFoundException, which real AWS
// sends with 400 rather than the modelled 404.
var httpStatus = map[string]int{
	"AlreadyExistsException":          400,
	"ClientTokenConflictException":    409,
	"ConcurrentModificationException": 500,
	"ConcurrentOperationException":    409,
	"GeneralServiceException":         400,
	"HandlerFailureException":         502,
	"HandlerInternalFailureException": 502,
	"InvalidCredentialsException":     401,
	"InvalidRequestException":         400,
	"NetworkFailureException":         502,
	"NotStabilizedException":          400,
	"NotUpdatableException":           400,
	"PrivateTypeException":            400,
	"RequestTokenNotFoundException":   404,
	"ResourceConflictException":       409,
	"ResourceNotFoundException":       400,
	"ServiceInternalErrorException":   502,
	"ServiceLimitExceededException":   400,
	"ThrottlingException":             429,
	"TypeNotFoundException":           404,
	"UnsupportedActionException":      405,
	"ValidationException":             400,
}

// wireError maps an error of the in-process API to the wire.
func wireError(err error) *awsjson.Error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return nil
	}
	status, ok := httpStatus[ae.ErrorCode()]
	if !ok {
		status = http.StatusBadRequest
		if ae.ErrorFault() == smithy.FaultServer {
			status = http.StatusInternalServerError
		}
	}
	return &awsjson.Error{Status: status, Type: ae.ErrorCode(), Message: ae.ErrorMessage()}
}
