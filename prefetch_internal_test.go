package ccql

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/ccql/ccql/internal/iql"
)

func TestEngine_prefetchFor(t *testing.T) {
	e, err := Open(context.Background(), Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	str := func(vs ...string) []iql.Value {
		var out []iql.Value
		for _, v := range vs {
			out = append(out, iql.Value{Kind: iql.ValueString, Text: v})
		}
		return out
	}
	pools := []string{"awscc.cognito.user_pools"}
	clients := []string{"awscc.cognito.user_pool_clients"}
	many := make([]string, 300)
	for i := range many {
		many[i] = fmt.Sprintf("r%d", i)
	}
	tests := []struct {
		name     string
		tables   []string
		bindings []iql.Binding
		want     int // key sets, 0 for no prefetch
	}{
		{"one region: nothing to fan out", pools, []iql.Binding{{Column: "region", Values: str("a")}}, 0},
		{"region IN", pools, []iql.Binding{{Column: "region", Values: str("a", "b")}}, 2},
		{"cross product of keys", clients, []iql.Binding{{Column: "region", Values: str("a", "b")}, {Column: "user_pool_id", Values: str("p", "q", "r")}}, 6},
		{"non-key columns ignored", pools, []iql.Binding{{Column: "region", Values: str("a", "b")}, {Column: "user_pool_name", Values: str("x", "y")}}, 2},
		{"bound twice", pools, []iql.Binding{{Column: "region", Values: str("a", "b")}, {Column: "REGION", Values: str("c")}}, 0},
		{"a numbered parameter bound to a string", pools, []iql.Binding{{Column: "region", Values: []iql.Value{{Kind: iql.ValueParam, Text: "?1"}, {Kind: iql.ValueString, Text: "b"}}}}, 2},
		{"a numbered parameter bound to a number", pools, []iql.Binding{{Column: "region", Values: []iql.Value{{Kind: iql.ValueParam, Text: "?2"}, {Kind: iql.ValueString, Text: "b"}}}}, 0},
		{"an unnumbered parameter", pools, []iql.Binding{{Column: "region", Values: []iql.Value{{Kind: iql.ValueParam, Text: "$1"}, {Kind: iql.ValueString, Text: "b"}}}}, 0},
		{"over the cap", pools, []iql.Binding{{Column: "region", Values: str(many...)}}, 0},
		{"two tables", append(pools, clients...), []iql.Binding{{Column: "region", Values: str("a", "b")}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pre := e.prefetchFor(tt.tables, tt.bindings, []any{"a", int64(2)})
			got := 0
			if len(pre) == 1 {
				got = len(pre[0].Keys)
			}
			if got != tt.want {
				t.Errorf("key sets = %d (%+v), want %d", got, pre, tt.want)
			}
		})
	}
}

// TestOperationOf: the operation comes from the SDK's typed
// *smithy.OperationError, not from its message.
func TestOperationOf(t *testing.T) {
	api := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "slow down"}
	err := fmt.Errorf("scan: %w", &smithy.OperationError{ServiceID: "CloudControl", OperationName: "ListResources", Err: api})
	se, ok := serviceError("", err).(*ServiceError)
	if !ok || se.Operation != "ListResources" || se.Code != "ThrottlingException" {
		t.Errorf("serviceError = %#v", serviceError("", err))
	}
	if got := operationOf(errors.New("operation GetResource failed")); got != "CloudControl" {
		t.Errorf("operationOf(plain text) = %q, want CloudControl", got)
	}
}
