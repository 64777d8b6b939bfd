package pgwire

import (
	"context"
	"errors"
	"fmt"

	"github.com/ccql/ccql"
	"github.com/jackc/pgx/v5/pgproto3"
)

// SQLSTATE codes the server sends. This file is the one place where engine
// errors become PostgreSQL errors.
const (
	CodeSyntax              = "42601" // syntax_error
	CodeUndefinedTable      = "42P01" // undefined_table: unknown resource
	CodeUndefinedColumn     = "42703" // undefined_column
	CodeUndefinedParameter  = "42P02" // undefined_parameter: a required key (region, Identifier) is not bound
	CodeInvalidParameter    = "22023" // invalid_parameter_value
	CodeFeatureNotSupported = "0A000" // feature_not_supported
	CodeReadOnly            = "25006" // read_only_sql_transaction
	CodeQueryCanceled       = "57014" // query_canceled: cancel request or await timeout
	CodeAdminShutdown       = "57P01" // admin_shutdown
	CodeIdleSessionTimeout  = "57P05" // idle_session_timeout
	CodeInvalidText         = "22P02" // invalid_text_representation: a value that does not fit its column
	CodeInvalidPassword     = "28P01" // invalid_password
	CodeInvalidAuthSpec     = "28000" // invalid_authorization_specification
	CodeTooManyConnections  = "53300" // too_many_connections
	CodeProtocolViolation   = "08P01" // protocol_violation
	CodeDuplicateStatement  = "42P05" // duplicate_prepared_statement
	CodeUndefinedStatement  = "26000" // invalid_sql_statement_name
	CodeUndefinedPortal     = "34000" // invalid_cursor_name
	CodeDuplicateObject     = "42710" // duplicate_object
	CodeUndefinedObject     = "42704" // undefined_object
	CodeInsufficientPriv    = "42501" // insufficient_privilege
	CodeConfigLimit         = "53400" // configuration_limit_exceeded: throttling, service limits
	CodeSystemError         = "58000" // system_error: any other Cloud Control error
	CodeInternal            = "XX000" // internal_error
)

// Error is an error with its SQLSTATE, as the server sends it. Errors that
// pgwire makes itself are *Error; engine errors are mapped by code.
type Error struct {
	Code    string
	Message string
	Detail  string
	Hint    string
	Fatal   bool // the connection ends after it
}

// Error implements error.
func (e *Error) Error() string { return e.Message }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// serviceCodes maps the Cloud Control and Cognito error codes with a close
// PostgreSQL meaning; every other service error is 58000 with the AWS code
// in the message.
var serviceCodes = map[string]string{
	"ValidationException":             CodeInvalidParameter,
	"InvalidRequestException":         CodeInvalidParameter,
	"InvalidParameterException":       CodeInvalidParameter,
	"NotUpdatableException":           CodeInvalidParameter,
	"ResourceNotFoundException":       CodeUndefinedObject,
	"RequestTokenNotFoundException":   CodeUndefinedObject,
	"TypeNotFoundException":           CodeUndefinedTable,
	"AlreadyExistsException":          CodeDuplicateObject,
	"ResourceConflictException":       CodeDuplicateObject,
	"ClientTokenConflictException":    CodeDuplicateObject,
	"AccessDeniedException":           CodeInsufficientPriv,
	"UnauthorizedOperation":           CodeInsufficientPriv,
	"ThrottlingException":             CodeConfigLimit,
	"ServiceLimitExceededException":   CodeConfigLimit,
	"LimitExceededException":          CodeConfigLimit,
	"ConcurrentOperationException":    "55006", // object_in_use
	"ConcurrentModificationException": "55006",
	"HandlerInternalFailureException": CodeSystemError,
	"GeneralServiceException":         CodeSystemError,
	"NetworkFailureException":         CodeSystemError,
	"ServiceInternalErrorException":   CodeSystemError,
	"NotStabilizedException":          CodeSystemError,
	"PrivateTypeException":            CodeUndefinedTable,
	"UnsupportedActionException":      CodeFeatureNotSupported,
	"InvalidCredentialsException":     CodeInsufficientPriv,
}

// handlerCodes maps the ErrorCode of a request that ended FAILED (Cloud
// Control's HandlerErrorCode) to a SQLSTATE.
var handlerCodes = map[string]string{
	"InvalidRequest":       CodeInvalidParameter,
	"NotUpdatable":         CodeInvalidParameter,
	"NotFound":             CodeUndefinedObject,
	"AlreadyExists":        CodeDuplicateObject,
	"ResourceConflict":     CodeDuplicateObject,
	"AccessDenied":         CodeInsufficientPriv,
	"InvalidCredentials":   CodeInsufficientPriv,
	"Throttling":           CodeConfigLimit,
	"ServiceLimitExceeded": CodeConfigLimit,
	"ServiceInternalError": CodeSystemError,
}

// toWire maps any error to an ErrorResponse.
func toWire(err error) *pgproto3.ErrorResponse {
	e := classify(err)
	sev := "ERROR"
	if e.Fatal {
		sev = "FATAL"
	}
	return &pgproto3.ErrorResponse{Severity: sev, SeverityUnlocalized: sev, Code: e.Code,
		Message: e.Message, Detail: e.Detail, Hint: e.Hint}
}

// classify gives err its SQLSTATE; the message is the error's own text,
// which names the statement's resource, column or key.
func classify(err error) *Error {
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	switch {
	case errors.Is(err, context.Canceled):
		return &Error{Code: CodeQueryCanceled, Message: "canceling statement due to user request"}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Code: CodeQueryCanceled, Message: "canceling statement due to statement timeout"}
	}
	var re *ccql.RequestError
	if errors.As(err, &re) && errors.Is(re, ccql.ErrRequestFailed) {
		code, ok := handlerCodes[re.Code]
		if !ok {
			code = CodeSystemError
		}
		return &Error{Code: code, Message: err.Error()}
	}
	var se *ccql.ServiceError
	if errors.As(err, &se) {
		code, ok := serviceCodes[se.Code]
		if !ok {
			code = CodeSystemError
		}
		return &Error{Code: code, Message: err.Error()}
	}
	code := CodeInternal
	switch {
	case errors.Is(err, ccql.ErrSyntax):
		code = CodeSyntax
	case errors.Is(err, ccql.ErrUnknownResource):
		code = CodeUndefinedTable
	case errors.Is(err, ccql.ErrUnknownColumn):
		code = CodeUndefinedColumn
	case errors.Is(err, ccql.ErrInvalidValue):
		code = CodeInvalidText
	case errors.Is(err, ccql.ErrReadOnly):
		code = CodeInsufficientPriv
	case errors.Is(err, ccql.ErrMissingKey):
		code = CodeUndefinedParameter
	case errors.Is(err, ccql.ErrTemplate):
		code = CodeInvalidParameter
	case errors.Is(err, ccql.ErrUnsupported):
		code = CodeFeatureNotSupported
	case errors.Is(err, ccql.ErrTimeout):
		code = CodeQueryCanceled
	case errors.Is(err, ccql.ErrRequestFailed):
		code = CodeSystemError
	case errors.Is(err, context.Canceled):
		return &Error{Code: CodeQueryCanceled, Message: "canceling statement due to user request"}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Code: CodeQueryCanceled, Message: "canceling statement due to statement timeout"}
	}
	return &Error{Code: code, Message: err.Error()}
}
