package cognito

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ccql/ccql/internal/awsjson"
	"github.com/ccql/ccql/internal/handler"
)

// Operation is one Cognito Identity Provider API operation (JSON 1.1 body in,
// response value out, JSON-marshalled by the caller). Cognito failures are
// returned as *APIError; any other error is an internal failure.
type Operation func(ctx context.Context, env handler.Env, tx handler.Tx, body []byte) (any, error)

// Operations returns the IdP API operations keyed by name, e.g.
// "CreateUserPoolClient" (the X-Amz-Target suffix after
// "AWSCognitoIdentityProviderService.").
func Operations() map[string]Operation {
	ops := map[string]Operation{
		"CreateUserPool":         opCreateUserPool,
		"DescribeUserPool":       opDescribeUserPool,
		"ListUserPools":          opListUserPools,
		"DeleteUserPool":         opDeleteUserPool,
		"CreateUserPoolClient":   opCreateUserPoolClient,
		"DescribeUserPoolClient": opDescribeUserPoolClient,
		"UpdateUserPoolClient":   opUpdateUserPoolClient,
		"DeleteUserPoolClient":   opDeleteUserPoolClient,
		"ListUserPoolClients":    opListUserPoolClients,

		"CreateResourceServer":   opCreateResourceServer,
		"DescribeResourceServer": opDescribeResourceServer,
		"UpdateResourceServer":   opUpdateResourceServer,
		"DeleteResourceServer":   opDeleteResourceServer,
		"ListResourceServers":    opListResourceServers,

		"CreateIdentityProvider":          opCreateIdentityProvider,
		"DescribeIdentityProvider":        opDescribeIdentityProvider,
		"UpdateIdentityProvider":          opUpdateIdentityProvider,
		"DeleteIdentityProvider":          opDeleteIdentityProvider,
		"ListIdentityProviders":           opListIdentityProviders,
		"GetIdentityProviderByIdentifier": opGetIdentityProviderByIdentifier,

		"CreateGroup": opCreateGroup,
		"GetGroup":    opGetGroup,
		"UpdateGroup": opUpdateGroup,
		"DeleteGroup": opDeleteGroup,
		"ListGroups":  opListGroups,

		"CreateUserPoolDomain":   opCreateUserPoolDomain,
		"DescribeUserPoolDomain": opDescribeUserPoolDomain,
		"UpdateUserPoolDomain":   opUpdateUserPoolDomain,
		"DeleteUserPoolDomain":   opDeleteUserPoolDomain,
	}
	// Each part of the user and sign-in work registers its operations in
	// its own function, so their maps merge without conflicts.
	for _, part := range []map[string]Operation{userOperations(), signinOperations(), moreOperations(), devicesOperations(), passkeyOperations(), eventsOperations(), replicaOperations()} {
		for name, op := range part {
			ops[name] = op
		}
	}
	withAuthEvents(ops) // auth_events.go: threat protection and auth events around the flows
	// Outermost: a call that reached a replica region is gated before the
	// auth events see it.
	gateReplicas(ops) // a call that reached a replica region (replica_route.go)
	// Before all: the model's input constraints, as Coral checks them
	// (model_validation.go).
	validateInputs(ops)
	return ops
}

// OperationNames returns the names of Operations, sorted.
func OperationNames() []string {
	ops := Operations()
	out := make([]string, 0, len(ops))
	for k := range ops {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// decodeBody decodes a JSON 1.1 request body into v. An empty body is an
// empty object; anything that is not a JSON object of the right member
// types is a SerializationException, as the service front end reports it.
func decodeBody(body []byte, v any) *APIError {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	// AWS matches member names exactly; encoding/json alone would take
	// "userpoolid" for UserPoolId.
	dec := json.NewDecoder(bytes.NewReader(awsjson.ExactMembers(body, v)))
	if err := dec.Decode(v); err != nil {
		return apiErrorf(typeSerialization, "%s", serializationMessage(err))
	}
	// More is false before a stray '}' or ']', so ask for the end itself.
	if _, err := dec.Token(); err != io.EOF {
		return apiErrorf(typeSerialization, "Unexpected content after the request body")
	}
	return nil
}

// peekBody reads the members of a request body that routing and auditing
// need before the operation runs, matching names exactly as decodeBody
// (and AWS) does, so they see what the operation will act on.
func peekBody(body []byte, v any) error {
	return json.Unmarshal(awsjson.ExactMembers(body, v), v)
}

func serializationMessage(err error) string {
	switch e := err.(type) {
	case *json.UnmarshalTypeError:
		if e.Field != "" {
			return fmt.Sprintf("Unexpected %s value for member %s", e.Value, e.Field)
		}
		return fmt.Sprintf("Unexpected %s value", e.Value)
	default:
		return "Malformed request body"
	}
}

// A page is one page of a listing and the token of the next.
type page struct {
	recs []handler.Record
	next string
}

// paginate cuts recs (ordered by identifier) at the position token names.
// Tokens are opaque to callers: the base64url of the list's scope (the
// operation and its parent, e.g. "ListUserPoolClients|us-east-1_x"), the
// next identifier and a checksum of both, so that a forged token, or one
// of another list, is refused instead of silently starting anywhere.
func paginate(recs []handler.Record, max int, token *string, scope string) (page, *APIError) {
	start := 0
	if token != nil {
		after, ok := decodePageToken(*token, scope)
		if !ok {
			return page{}, invalidParameter("Invalid pagination token.")
		}
		start = sort.Search(len(recs), func(i int) bool { return recs[i].Identifier >= after })
	}
	end := min(start+max, len(recs))
	p := page{recs: recs[start:end]}
	if end < len(recs) {
		p.next = encodePageToken(scope, recs[end].Identifier)
	}
	return p, nil
}

func pageTokenSum(scope, id string) string {
	sum := sha256.Sum256([]byte("ccql page token\x00" + scope + "\x00" + id))
	return hex.EncodeToString(sum[:8])
}

func encodePageToken(scope, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(scope + "\x00" + id + "\x00" + pageTokenSum(scope, id)))
}

func decodePageToken(token, scope string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", false
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 || parts[0] != scope || parts[1] == "" || parts[2] != pageTokenSum(parts[0], parts[1]) {
		return "", false
	}
	return parts[1], true
}

// checkPaging validates MaxResults (1…60; required when required is set)
// and NextToken, returning the page size.
func checkPaging(v *violations, maxResults *int, required bool, nextToken *string) int {
	v.checkString("nextToken", nextToken, 1, 131072, &patNextToken)
	if maxResults == nil {
		if required {
			v.add("null", "maxResults", "Member must not be null")
		}
		return 60
	}
	v.checkInt("maxResults", maxResults, 1, 60)
	return *maxResults
}
