// Package awsjson is the server side of the AWS JSON 1.0 and 1.1
// protocols: one adapter that checks a request (method, content type,
// size, X-Amz-Target, SigV4), hands its body to the operation named by the
// target, encodes the operation's result and maps its error to the AWS
// error envelope. Every response carries x-amzn-RequestId.
//
// Protocol failures use the Coral names real AWS answers with
// (UnknownOperationException, SerializationException,
// MissingAuthenticationTokenException, UnrecognizedClientException,
// InvalidSignatureException); service errors use the service's own
// __type prefix and message key.
package awsjson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/google/uuid"
)

// Content types of the two protocol versions.
const (
	ContentType10 = "application/x-amz-json-1.0"
	ContentType11 = "application/x-amz-json-1.1"
)

// MaxBodySize is the largest request body accepted (1 MiB).
const MaxBodySize = 1 << 20

// coralPrefix is the __type namespace of protocol-level errors.
const coralPrefix = "com.amazon.coral.service#"

// Error is an error as it goes on the wire.
type Error struct {
	Status  int    // HTTP status
	Type    string // the error's shape name, e.g. "ValidationException"
	Message string
	coral   bool // a protocol error: Coral namespace and "message" key
}

// Error implements error.
func (e *Error) Error() string { return e.Type + ": " + e.Message }

// Errorf returns a service *Error.
func Errorf(status int, typ, format string, args ...any) *Error {
	return &Error{Status: status, Type: typ, Message: fmt.Sprintf(format, args...)}
}

func protocolError(status int, typ, msg string) *Error {
	return &Error{Status: status, Type: typ, Message: msg, coral: true}
}

// Request is one decoded call.
type Request struct {
	Operation string // the part of X-Amz-Target after the dot
	Body      []byte // the JSON body ("{}" when empty)
	Identity         // who signed it, and where to
	RequestID string // the x-amzn-RequestId of the response
	HTTP      *http.Request
}

// Decode unmarshals the body into v; a body that does not fit v is a
// SerializationException. Member names are matched exactly, as AWS
// matches them (encoding/json alone would take "typename" for TypeName);
// members v has no field for are ignored.
func (r *Request) Decode(v any) error {
	dec := json.NewDecoder(bytes.NewReader(ExactMembers(r.Body, v)))
	if err := dec.Decode(v); err != nil {
		return protocolError(http.StatusBadRequest, "SerializationException", serializationMessage(err))
	}
	// More is false before a stray '}' or ']', so ask for the end itself.
	if _, err := dec.Token(); err != io.EOF {
		return protocolError(http.StatusBadRequest, "SerializationException", "trailing data after the JSON body")
	}
	return nil
}

func serializationMessage(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Sprintf("Unexpected value type for member %s: expected %s, found JSON %s", te.Field, te.Type, te.Value)
		}
		return fmt.Sprintf("Expected a JSON object, found JSON %s", te.Value)
	}
	return "Malformed JSON body: " + err.Error()
}

// Operation serves one target: it returns the value to encode as the
// response body, or an error. A json.RawMessage is written as it is.
type Operation func(ctx context.Context, req *Request) (any, error)

// Service is one X-Amz-Target prefix and its operations.
type Service struct {
	TargetPrefix string // e.g. "CloudApiService"
	ContentType  string // ContentType10 or ContentType11, used for responses
	ErrorPrefix  string // __type prefix of service errors, e.g. "com.amazon.cloudapiservice#"
	MessageKey   string // "Message" (Cloud Control) or "message" (Cognito)
	Operations   map[string]Operation
	// Anonymous names the operations AWS serves without a signature (the
	// Cognito IdP's user-facing calls: InitiateAuth, SignUp, …). An
	// unsigned request to one is accepted even when the Verifier has
	// credentials; a signed one is verified like any other. Names of
	// operations not in Operations are allowed (and unused).
	Anonymous map[string]bool
	// MapError turns an operation's error into a wire error; nil or a nil
	// result means 500 InternalFailure. *Error values pass through as is.
	MapError func(error) *Error
}

// Server dispatches AWS JSON requests to services.
type Server struct {
	Services []*Service
	Verifier *Verifier    // nil accepts any request, signed or not
	Logger   *slog.Logger // nil = no logs
	// Fallback serves requests that carry no X-Amz-Target (nil = 404).
	Fallback http.Handler
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := uuid.NewString()
	w.Header().Set("x-amzn-RequestId", reqID)
	target := r.Header.Get("X-Amz-Target")
	// Without a target, plain-HTTP endpoints get the request — but not one
	// that is plainly an AWS JSON call missing its target, nor a request
	// for "/": those get an AWS-shaped UnknownOperationException below.
	if target == "" && s.Fallback != nil && r.URL.Path != "/" && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json") {
		s.Fallback.ServeHTTP(w, r)
		return
	}
	svc, op, opName := s.lookup(target)
	respType := ContentType11
	if svc != nil {
		respType = svc.ContentType
	}
	fail := func(e *Error) {
		s.log(r.Context(), slog.LevelInfo, "request failed", "requestId", reqID, "target", target, "status", e.Status, "error", e.Type)
		writeError(w, svc, respType, e)
	}
	if r.Method != http.MethodPost {
		fail(protocolError(http.StatusMethodNotAllowed, "UnknownOperationException", "Only POST is supported"))
		return
	}
	if !knownContentType(r.Header.Get("Content-Type")) {
		fail(protocolError(http.StatusBadRequest, "UnknownOperationException", "Unsupported content type"))
		return
	}
	if op == nil {
		fail(protocolError(http.StatusBadRequest, "UnknownOperationException", "Unknown operation "+target))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodySize))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			fail(protocolError(http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException",
				fmt.Sprintf("Request body is larger than %d bytes", MaxBodySize)))
			return
		}
		fail(protocolError(http.StatusBadRequest, "SerializationException", "Cannot read the request body"))
		return
	}
	id := Identity{Account: DefaultAccount, Region: DefaultRegion}
	if r.Header.Get("Authorization") != "" || !svc.Anonymous[opName] {
		var aerr *Error
		if id, aerr = s.Verifier.Verify(r, body); aerr != nil {
			fail(aerr)
			return
		}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if !json.Valid(body) {
		fail(protocolError(http.StatusBadRequest, "SerializationException", "Malformed JSON body"))
		return
	}
	req := &Request{Operation: opName, Body: body, Identity: id, RequestID: reqID, HTTP: r}
	out, err := callOp(r.Context(), op, req)
	if err != nil {
		e := mapError(svc, err)
		if e.Status >= http.StatusInternalServerError {
			// The caller sees AWS's bare "Internal Failure"; the cause is
			// for the operator.
			s.log(r.Context(), slog.LevelError, "internal failure", "requestId", reqID, "target", target, "error", err)
		}
		fail(e)
		return
	}
	var b []byte
	if raw, ok := out.(json.RawMessage); ok {
		b = raw // already encoded (a cached answer): written as is
	} else {
		b, err = json.Marshal(out)
	}
	if err != nil {
		fail(protocolError(http.StatusInternalServerError, "InternalFailure", "cannot encode the response"))
		return
	}
	s.log(r.Context(), slog.LevelDebug, "request", "requestId", reqID, "target", target, "account", id.Account, "region", id.Region)
	w.Header().Set("Content-Type", respType)
	w.WriteHeader(http.StatusOK)
	w.Write(b) //nolint:errcheck // the client went away; nothing to do
}

// callOp runs an operation, turning a panic into an InternalFailure so a
// bad request can never take the server down.
func callOp(ctx context.Context, op Operation, req *Request) (out any, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, protocolError(http.StatusInternalServerError, "InternalFailure", fmt.Sprintf("internal error: %v", v))
		}
	}()
	return op(ctx, req)
}

func (s *Server) lookup(target string) (*Service, Operation, string) {
	prefix, name, ok := strings.Cut(target, ".")
	if !ok {
		return nil, nil, ""
	}
	for _, svc := range s.Services {
		if svc.TargetPrefix == prefix {
			return svc, svc.Operations[name], name
		}
	}
	return nil, nil, ""
}

func (s *Server) log(ctx context.Context, level slog.Level, msg string, args ...any) {
	if s.Logger != nil {
		s.Logger.Log(ctx, level, msg, args...)
	}
}

func knownContentType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == ContentType10 || mt == ContentType11
}

func mapError(svc *Service, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if svc != nil && svc.MapError != nil {
		if e := svc.MapError(err); e != nil {
			return e
		}
	}
	return protocolError(http.StatusInternalServerError, "InternalFailure", "Internal Failure")
}

// writeError writes the AWS JSON error envelope.
func writeError(w http.ResponseWriter, svc *Service, contentType string, e *Error) {
	typ, key := coralPrefix+e.Type, "message"
	if !e.coral && svc != nil {
		typ, key = svc.ErrorPrefix+e.Type, svc.MessageKey
	}
	b, _ := json.Marshal(map[string]string{"__type": typ, key: e.Message})
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-ErrorType", e.Type)
	w.WriteHeader(e.Status)
	w.Write(b) //nolint:errcheck // the client went away; nothing to do
}
