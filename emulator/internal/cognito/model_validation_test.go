package cognito_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"
	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/emulator/internal/cognito/cognitotest"
	"github.com/google/go-cmp/cmp"
)

// notInModel are the SDK operations the constraint table does not describe:
// botocore's model (which the table is generated from) predates the
// replica operations, whose inputs the operations check by hand
// (replicas.go).
var notInModel = []string{"CreateUserPoolReplica", "DeleteUserPoolReplica", "ListUserPoolReplicas", "UpdateUserPoolReplica"}

// TestModelValidation_CoversSDKModel: every operation the SDK models has
// an entry in the constraint table or is one of notInModel, and every
// entry is an operation the emulator serves.
func TestModelValidation_CoversSDKModel(t *testing.T) {
	inTable := map[string]bool{}
	for _, name := range cognito.ModelOperations() {
		inTable[name] = true
	}
	excepted := map[string]bool{}
	for _, name := range notInModel {
		excepted[name] = true
		if inTable[name] {
			t.Errorf("%s has constraints in the table now: remove it from notInModel", name)
		}
	}
	sdk := sdkOperations()
	inSDK := map[string]bool{}
	for _, name := range sdk {
		inSDK[name] = true
		if !inTable[name] && !excepted[name] {
			t.Errorf("SDK operation %s has no constraint entry and is not in notInModel", name)
		}
	}
	served := map[string]bool{}
	for _, name := range cognito.OperationNames() {
		served[name] = true
	}
	for name := range inTable {
		if !served[name] || !inSDK[name] {
			t.Errorf("the table describes %s, which the emulator does not serve or the SDK does not model", name)
		}
	}
	if len(inTable)+len(notInModel) != len(sdk) {
		t.Errorf("%d table entries + %d exceptions != %d SDK operations", len(inTable), len(notInModel), len(sdk))
	}
}

// sdkRequired returns the top-level members the SDK's client-side
// validation requires of op, by calling it with an empty input.
func sdkRequired(t *testing.T, client *cip.Client, op string) []string {
	t.Helper()
	m := reflect.ValueOf(client).MethodByName(op)
	in := reflect.New(m.Type().In(1).Elem())
	res := m.Call([]reflect.Value{reflect.ValueOf(context.Background()), in})
	err, _ := res[1].Interface().(error)
	var params smithy.InvalidParamsError
	if !errors.As(err, &params) {
		return nil
	}
	var out []string
	for _, e := range params.Errs() {
		if f, ok := e.(interface{ Field() string }); ok {
			out = append(out, strings.TrimPrefix(f.Field(), op+"Input."))
		}
	}
	sort.Strings(out)
	return out
}

// TestModelValidation_RequiredMembersMatchSDK cross-checks the generated
// table against the SDK in go.mod, generated from the same service model
// by another tool: both require the same top-level members.
func TestModelValidation_RequiredMembersMatchSDK(t *testing.T) {
	client := cip.New(cip.Options{Region: "us-east-1", Credentials: aws.AnonymousCredentials{},
		BaseEndpoint: aws.String("http://127.0.0.1:1"), HTTPClient: failingHTTPClient{}})
	for _, op := range cognito.ModelOperations() {
		var want []string
		for _, m := range cognito.ModelRequired(op) {
			want = append(want, m.Name)
		}
		sort.Strings(want)
		if diff := cmp.Diff(want, sdkRequired(t, client, op)); diff != "" {
			t.Errorf("%s: required members of the table (-) and the SDK (+):\n%s", op, diff)
		}
	}
}

// failingHTTPClient fails every request: the SDK must fail before sending.
type failingHTTPClient struct{}

func (failingHTTPClient) Do(*http.Request) (*http.Response, error) {
	return nil, errors.New("no request may be sent")
}

// modelCall posts body to op on an in-process IdP server, as raw JSON 1.1.
func modelCall(t *testing.T, srv http.Handler, op string, body []byte) (int, string, string) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("X-Amz-Target", cognitotest.TargetPrefix+op)
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(w.Body.Bytes(), &e)
	return w.Code, e.Type, e.Message
}

func notNull(path string) string {
	return fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", path)
}

// TestModelValidation_MissingRequiredMember sends every operation of the
// table a body that satisfies the model but for one required member, for
// each required member, and the empty body, over raw JSON (the SDKs would
// refuse such requests client-side).
func TestModelValidation_MissingRequiredMember(t *testing.T) {
	srv := cognitotest.NewServer(testRegion)
	checked := 0
	for _, op := range cognito.ModelOperations() {
		body, err := cognito.ModelValidBody(op)
		if err != nil {
			t.Fatal(err)
		}
		valid, _ := json.Marshal(body)
		if err := cognito.ValidateModelInput(op, valid); err != nil {
			t.Errorf("%s %s: a body that satisfies the model fails its validation: %v", op, valid, err)
		}
		required := cognito.ModelRequired(op)
		var all []string
		for _, m := range required {
			all = append(all, notNull(m.Path))
			without := map[string]any{}
			for k, v := range body {
				if k != m.Name {
					without[k] = v
				}
			}
			raw, _ := json.Marshal(without)
			want := "1 validation error detected: " + notNull(m.Path)
			if code, typ, msg := modelCall(t, srv, op, raw); code != 400 || typ != "InvalidParameterException" || msg != want {
				t.Errorf("%s %s: got %d %s %q\nwant 400 InvalidParameterException %q", op, raw, code, typ, msg, want)
			}
			checked++
		}
		if len(required) == 0 {
			continue
		}
		noun := "errors"
		if len(all) == 1 {
			noun = "error"
		}
		want := fmt.Sprintf("%d validation %s detected: %s", len(all), noun, strings.Join(all, "; "))
		if code, typ, msg := modelCall(t, srv, op, []byte(`{}`)); code != 400 || typ != "InvalidParameterException" || msg != want {
			t.Errorf("%s {}: got %d %s %q\nwant 400 InvalidParameterException %q", op, code, typ, msg, want)
		}
	}
	t.Logf("%d operations, %d required members checked", len(cognito.ModelOperations()), checked)
}

// TestModelValidation_Constraints pins the messages of length, pattern,
// range and enum violations, of nested members and lists, and the order of
// several violations, on a sample of operations over raw JSON.
func TestModelValidation_Constraints(t *testing.T) {
	srv := cognitotest.NewServer(testRegion)
	long := func(n int) string { return strings.Repeat("a", n) }
	cases := []struct {
		name, op, body, typ, msg string
	}{
		{"pattern", "DeleteGroup", `{"UserPoolId":"us-east-1_abc","GroupName":"a b"}`, "InvalidParameterException",
			"1 validation error detected: Value 'a b' at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"},
		{"too long and pattern, in Coral's order", "DeleteGroup", `{"UserPoolId":"us-east-1_abc","GroupName":"` + long(128) + ` "}`, "InvalidParameterException",
			"2 validation errors detected: Value '" + long(128) + " ' at 'groupName' failed to satisfy constraint: Member must have length less than or equal to 128; " +
				"Value '" + long(128) + " ' at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"},
		{"too short", "AdminGetUser", `{"UserPoolId":"","Username":"x"}`, "InvalidParameterException",
			"2 validation errors detected: Value '' at 'userPoolId' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"},
		{"sensitive value not printed", "AdminGetUser", `{"UserPoolId":"us-east-1_abc","Username":"a b"}`, "InvalidParameterException",
			"1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"},
		{"sensitive password too long", "AdminSetUserPassword", `{"UserPoolId":"us-east-1_abc","Username":"u","Password":"` + long(257) + `"}`, "InvalidParameterException",
			"1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"range high", "ListGroups", `{"UserPoolId":"us-east-1_abc","Limit":61}`, "InvalidParameterException",
			"1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"},
		{"range low", "ListResourceServers", `{"UserPoolId":"us-east-1_abc","MaxResults":0}`, "InvalidParameterException",
			"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"enum", "AdminSetUserSettings", `{"UserPoolId":"us-east-1_abc","Username":"u","MFAOptions":[{"DeliveryMedium":"FAX"}]}`, "InvalidParameterException",
			"1 validation error detected: Value 'FAX' at 'mFAOptions.1.member.deliveryMedium' failed to satisfy constraint: Member must satisfy enum value set: [SMS, EMAIL]"},
		{"enum top level", "UpdateDeviceStatus", `{"AccessToken":"t","DeviceKey":"us-east-1_0a","DeviceRememberedStatus":"forgotten"}`, "InvalidParameterException",
			"1 validation error detected: Value 'forgotten' at 'deviceRememberedStatus' failed to satisfy constraint: Member must satisfy enum value set: [remembered, not_remembered]"},
		{"nested range", "CreateUserPool", `{"PoolName":"p","Policies":{"PasswordPolicy":{"MinimumLength":5}}}`, "InvalidParameterException",
			"1 validation error detected: Value '5' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value greater than or equal to 6"},
		{"nested required", "CreateUserPool", `{"PoolName":"p","UserPoolAddOns":{}}`, "InvalidParameterException",
			"1 validation error detected: " + notNull("userPoolAddOns.advancedSecurityMode")},
		{"list of structures: 1-based member paths", "CreateResourceServer", `{"UserPoolId":"us-east-1_abc","Identifier":"api","Name":"n","Scopes":[{"ScopeName":"ok","ScopeDescription":"d"},{"ScopeName":"read all"}]}`, "InvalidParameterException",
			"2 validation errors detected: Value 'read all' at 'scopes.2.member.scopeName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]+; " + notNull("scopes.2.member.scopeDescription")},
		{"list of strings: one violation for the list", "CreateUserPoolClient", `{"UserPoolId":"us-east-1_abc","ClientName":"c","AllowedOAuthScopes":["ok","bad scope"]}`, "InvalidParameterException",
			"1 validation error detected: Value '[ok, bad scope]' at 'allowedOAuthScopes' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\\x21\\x23-\\x5B\\x5D-\\x7E]+]"},
		{"list of enums", "CreateUserPoolClient", `{"UserPoolId":"us-east-1_abc","ClientName":"c","AllowedOAuthFlows":["code","password"]}`, "InvalidParameterException",
			"1 validation error detected: Value '[code, password]' at 'allowedOAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [code, implicit, client_credentials]]"},
		{"list too long", "CreateUserPoolClient", `{"UserPoolId":"us-east-1_abc","ClientName":"c","AllowedOAuthFlows":["code","code","code","code"]}`, "InvalidParameterException",
			"1 validation error detected: Value '[code, code, code, code]' at 'allowedOAuthFlows' failed to satisfy constraint: Member must have length less than or equal to 3"},
		{"list too short", "CreateUserPool", `{"PoolName":"p","AccountRecoverySetting":{"RecoveryMechanisms":[]}}`, "InvalidParameterException",
			"1 validation error detected: Value '[]' at 'accountRecoverySetting.recoveryMechanisms' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"list of structures printed as Java does", "CreateUserPool", `{"PoolName":"p","AccountRecoverySetting":{"RecoveryMechanisms":[{"Priority":1,"Name":"admin_only"},{"Priority":2,"Name":"verified_email"},{"Priority":2,"Name":"verified_phone_number"}]}}`, "InvalidParameterException",
			"1 validation error detected: Value '[RecoveryOptionType(priority=1, name=admin_only), RecoveryOptionType(priority=2, name=verified_email), RecoveryOptionType(priority=2, name=verified_phone_number)]' at 'accountRecoverySetting.recoveryMechanisms' failed to satisfy constraint: Member must have length less than or equal to 2"},
		{"map key and value", "CreateUserPool", `{"PoolName":"p","UserPoolTags":{"":"v","k":"` + long(257) + `"}}`, "InvalidParameterException",
			"2 validation errors detected: Value '' at 'userPoolTags..member.key' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '" + long(257) + "' at 'userPoolTags.k.member.value' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"sensitive map", "InitiateAuth", `{"ClientId":"c","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"` + long(131073) + `"}}`, "InvalidParameterException",
			"1 validation error detected: Value at 'authParameters.USERNAME.member.value' failed to satisfy constraint: Member must have length less than or equal to 131072"},
		{"sensitive member printed: clientId (AWS-observed)", "InitiateAuth", `{"ClientId":"org-name","AuthFlow":"USER_AUTH"}`, "InvalidParameterException",
			"1 validation error detected: Value 'org-name' at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+]+"},
		{"several members, in the model's order", "AdminListDevices", `{"Limit":-1}`, "InvalidParameterException",
			"3 validation errors detected: " + notNull("userPoolId") + "; " + notNull("username") + "; Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{"wrong type is a SerializationException", "ListGroups", `{"UserPoolId":"us-east-1_abc","Limit":"5"}`, "SerializationException", ""},
		{"wrong type wins over violations", "ListUserPools", `{"MaxResults":"5","NextToken":""}`, "SerializationException", ""},
		{"a second value after the body", "ListUserPools", `{} {}`, "SerializationException", "Unexpected content after the request body"},
		{"a stray brace after the body", "ListUserPools", `{"MaxResults":5} }`, "SerializationException", "Unexpected content after the request body"},
		{"a stray bracket after the body", "ListUserPools", `{"MaxResults":5}]`, "SerializationException", "Unexpected content after the request body"},
		{"unknown members are ignored", "ListUserPools", `{"MaxResults":5,"maxResults":"x","Extra":[1]}`, "", ""},
		{"null is absent", "DeleteUserPool", `{"UserPoolId":null}`, "InvalidParameterException", "1 validation error detected: " + notNull("userPoolId")},
		{"Java's \\s includes \\v", "CreateUserPool", `{"PoolName":"a\u000bb"}`, "", ""},
		{"attribute names may hold spaces (AttributeNameType)", "AdminDeleteUserAttributes", `{"UserPoolId":"us-east-1_abc","Username":"u","UserAttributeNames":["my attr"]}`, "", ""},
		{"password of one character", "AdminSetUserPassword", `{"UserPoolId":"us-east-1_abc","Username":"u","Password":"x"}`, "", ""},
		{"enum of an inner structure", "CreateUserPool", `{"PoolName":"p","UserPoolAddOns":{"AdvancedSecurityMode":"ON"}}`, "InvalidParameterException",
			"1 validation error detected: Value 'ON' at 'userPoolAddOns.advancedSecurityMode' failed to satisfy constraint: Member must satisfy enum value set: [OFF, AUDIT, ENFORCED]"},
		{"password pattern of the model", "AdminSetUserPassword", `{"UserPoolId":"us-east-1_abc","Username":"u","Password":"has space"}`, "InvalidParameterException",
			"1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+"},
		{"code points, not bytes", "CreateGroup", `{"UserPoolId":"us-east-1_abc","GroupName":"` + strings.Repeat("あ", 128) + `"}`, "", ""},
		{"range of another operation's limit", "AdminListUserAuthEvents", `{"UserPoolId":"us-east-1_abc","Username":"u","MaxResults":61}`, "InvalidParameterException",
			"1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, typ, msg := modelCall(t, srv, tc.op, []byte(tc.body))
			if tc.typ == "" {
				if typ == "InvalidParameterException" && strings.Contains(msg, "validation error") {
					t.Fatalf("%s %s: want no validation error, got %q", tc.op, tc.body, msg)
				}
				return
			}
			if code != 400 || typ != tc.typ || (tc.msg != "" && msg != tc.msg) {
				t.Errorf("%s %s:\n got %d %s %q\nwant 400 %s %q", tc.op, tc.body, code, typ, msg, tc.typ, tc.msg)
			}
		})
	}
}
