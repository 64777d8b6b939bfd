package emulator

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
)

// FuzzPatch drives PatchDocument handling (parse, path normalisation,
// read-only / create-only detection, application) with arbitrary input:
// it must never panic, must refuse with an AWS error, and must never let
// a patch that touches a read-only path through.
func FuzzPatch(f *testing.F) {
	for _, seed := range []string{
		`[{"op":"replace","path":"/ClientName","value":"x"}]`,
		`[{"op":"replace","path":"ClientName","value":"x"}]`,
		`[{"op":"add","path":"/ExplicitAuthFlows/-","value":"ALLOW_USER_SRP_AUTH"}]`,
		`[{"op":"move","from":"/ClientId","path":"/ClientName"}]`,
		`[{"op":"copy","from":"ClientName","path":"/Name"}]`,
		`[{"op":"test","path":"/UserPoolId","value":"p"},{"op":"remove","path":"/UserPoolId"}]`,
		`[{"op":"remove","path":"/TokenValidityUnits/AccessToken"}]`,
		`[{"op":"add","path":"/Client~1Id","value":1}]`,
		`[{"op":"replace","path":"","value":{}}]`,
		`[{"op":"replace","path":"/","value":{}}]`,
		`[]`, `{}`, `null`, `[null]`, `[{"op":"add"}]`,
		`[{"op":"add","pAth":"000000000000000000","value":1}]`,
		`[{"op":"replace","path":"/ExplicitAuthFlows/00","value":"x"}]`,
		`[{"op":"add","path":"/ExplicitAuthFlows/-1","value":"x"}]`,
		`[{"op":"remove","path":"/a~2b"}]`,
	} {
		f.Add(seed)
	}
	reg := testRegistry(f)
	res, err := reg.Lookup("AWS::Cognito::UserPoolClient")
	if err != nil {
		f.Fatal(err)
	}
	ti, err := newTypeInfo(res)
	if err != nil {
		f.Fatal(err)
	}
	model := map[string]any{
		"UserPoolId": "us-east-1_abcdefghi", "ClientId": "c", "ClientName": "app", "Name": "app",
		"ExplicitAuthFlows": []any{"ALLOW_REFRESH_TOKEN_AUTH"}, "TokenValidityUnits": map[string]any{"AccessToken": "hours"},
	}
	f.Fuzz(func(t *testing.T, doc string) {
		ops, err := parsePatch(doc)
		if err != nil {
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" {
				t.Fatalf("parsePatch error %v is not a ValidationException", err)
			}
			return
		}
		for _, op := range ops {
			if !strings.HasPrefix(op.Path, "/") || (op.From != "" && !strings.HasPrefix(op.From, "/")) {
				t.Fatalf("not an RFC 6901 pointer accepted: %+v", op)
			}
		}
		if !rfc6902Names(doc) {
			t.Fatalf("accepted %s, whose operations name op or path in another case only", doc)
		}
		ro := touched(ops, ti.readOnly, true)
		_ = touched(ops, ti.createOnly, true)
		patched, err := applyPatch(deepCopy(model).(map[string]any), ops)
		if err != nil {
			return
		}
		if len(ro) == 0 {
			// No read-only path was named: read-only values are as they were
			// (a whole-document replace names every path, so it is refused).
			for _, p := range ti.readOnly {
				if valueAt(model, p) != valueAt(patched, p) {
					b, _ := json.Marshal(ops)
					t.Fatalf("%s changed by %s without being detected", joinPath(p), b)
				}
			}
		}
	})
}

// rfc6902Names reports whether every operation of doc has "op" and "path"
// members spelled exactly.
func rfc6902Names(doc string) bool {
	var raw []map[string]json.RawMessage
	if json.Unmarshal([]byte(doc), &raw) != nil {
		return false
	}
	for _, m := range raw {
		if _, ok := m["op"]; !ok {
			return false
		}
		if _, ok := m["path"]; !ok {
			return false
		}
	}
	return true
}
