package coveragedoc_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/schema"
)

var update = flag.Bool("update", false, "rewrite docs/cognito-coverage.md")

// docPath is the document, relative to the repository's root.
const docPath = "docs/cognito-coverage.md"

// TestCoverageDoc fails when docs/cognito-coverage.md is not what the
// code says; -update rewrites it.
func TestCoverageDoc(t *testing.T) {
	root := repoRoot(t)
	want := generate(t, root)
	file := filepath.Join(root, filepath.FromSlash(docPath))
	if *update {
		if err := os.WriteFile(file, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (regenerate: go generate ./emulator/internal/cognito/coveragedoc)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: regenerate it with go generate ./emulator/internal/cognito/coveragedoc\n%s", docPath, firstDiff(got, want))
	}
}

// TestGroups_CoverSDKModel checks that every operation of the SDK's model
// has a group, and that the groups name only operations of the model.
func TestGroups_CoverSDKModel(t *testing.T) {
	inSDK := map[string]bool{}
	for _, op := range sdkOperations() {
		inSDK[op] = true
		if groupOf(op) == "" {
			t.Errorf("%s has no group in groups", op)
		}
	}
	seen := map[string]string{}
	for _, g := range groups {
		for _, op := range g.ops {
			if !inSDK[op] {
				t.Errorf("group %s names %s, which the SDK does not model", g.name, op)
			}
			if other, dup := seen[op]; dup {
				t.Errorf("%s is in groups %s and %s", op, other, g.name)
			}
			seen[op] = g.name
		}
	}
}

// TestScanners checks the real-client scanners against the repository:
// each finds what a known test exercises.
func TestScanners(t *testing.T) {
	tests := scanTests(t, repoRoot(t))
	for _, c := range []struct {
		client, op, file string
	}{
		{clientGo, "AdminCreateUser", "emulator/users_sdk_test.go"},
		{clientJS, "SignUp", "e2e/sdkjs/groups/users.cjs"},
		{clientIdentityJS, "GlobalSignOut", "e2e/signin/signin.cjs"},
		{clientIdentityJS, "ConfirmDevice", "e2e/signin/devices.cjs"},
		{clientBrowser, "CreateUserPool", "cmd/ccql/hostedui_browser_test.go"},
	} {
		if !contains(tests[c.client][c.op], c.file) {
			t.Errorf("%s tests of %s: %v, want %s among them", c.client, c.op, tests[c.client][c.op], c.file)
		}
	}
	if got := tests[clientGo]["CreateUserPool"]; contains(got, "cmd/ccql/hostedui_browser_test.go") {
		t.Errorf("a browser test is counted as a Go SDK test: %v", got)
	}
}

// sdkOperations enumerates the operations of the aws-sdk-go-v2 client by
// reflection: every exported method of *Client but Options.
func sdkOperations() []string {
	ty := reflect.TypeOf(&cip.Client{})
	var out []string
	for i := range ty.NumMethod() {
		if name := ty.Method(i).Name; name != "Options" {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// A group is a set of operations the document lists together, after
// issue 17's groups where it names them.
type group struct {
	name string
	ops  []string
}

var groups = []group{
	{"Pools", []string{"CreateUserPool", "DescribeUserPool", "ListUserPools", "UpdateUserPool", "DeleteUserPool",
		"AddCustomAttributes", "GetUserPoolMfaConfig", "SetUserPoolMfaConfig"}},
	{"App clients", []string{"CreateUserPoolClient", "DescribeUserPoolClient", "ListUserPoolClients",
		"UpdateUserPoolClient", "DeleteUserPoolClient"}},
	{"Client secrets", []string{"AddUserPoolClientSecret", "ListUserPoolClientSecrets", "DeleteUserPoolClientSecret"}},
	{"Resource servers", []string{"CreateResourceServer", "DescribeResourceServer", "ListResourceServers",
		"UpdateResourceServer", "DeleteResourceServer"}},
	{"Identity providers", []string{"CreateIdentityProvider", "DescribeIdentityProvider", "ListIdentityProviders",
		"UpdateIdentityProvider", "DeleteIdentityProvider", "GetIdentityProviderByIdentifier"}},
	{"Domains", []string{"CreateUserPoolDomain", "DescribeUserPoolDomain", "UpdateUserPoolDomain", "DeleteUserPoolDomain"}},
	{"Groups", []string{"CreateGroup", "GetGroup", "ListGroups", "UpdateGroup", "DeleteGroup", "AdminAddUserToGroup",
		"AdminRemoveUserFromGroup", "AdminListGroupsForUser", "ListUsersInGroup"}},
	{"Users", []string{"AdminCreateUser", "AdminGetUser", "ListUsers", "AdminUpdateUserAttributes",
		"AdminDeleteUserAttributes", "AdminSetUserPassword", "AdminResetUserPassword", "AdminConfirmSignUp",
		"AdminDisableUser", "AdminEnableUser", "AdminDeleteUser", "SignUp", "ConfirmSignUp", "ResendConfirmationCode",
		"ForgotPassword", "ConfirmForgotPassword"}},
	{"Sign-in and tokens", []string{"InitiateAuth", "RespondToAuthChallenge", "AdminInitiateAuth",
		"AdminRespondToAuthChallenge", "GetTokensFromRefreshToken", "RevokeToken", "GlobalSignOut", "AdminUserGlobalSignOut"}},
	{"Signed-in user", []string{"GetUser", "UpdateUserAttributes", "DeleteUserAttributes",
		"GetUserAttributeVerificationCode", "VerifyUserAttribute", "ChangePassword", "DeleteUser"}},
	{"MFA", []string{"AssociateSoftwareToken", "VerifySoftwareToken", "SetUserMFAPreference", "AdminSetUserMFAPreference"}},
	{"Devices", []string{"ConfirmDevice", "GetDevice", "ListDevices", "ForgetDevice", "UpdateDeviceStatus",
		"AdminGetDevice", "AdminListDevices", "AdminForgetDevice", "AdminUpdateDeviceStatus"}},
	{"Passkeys", []string{"StartWebAuthnRegistration", "CompleteWebAuthnRegistration", "ListWebAuthnCredentials",
		"DeleteWebAuthnCredential", "GetUserAuthFactors"}},
	{"Settings and events", []string{"SetUserSettings", "AdminSetUserSettings", "AdminListUserAuthEvents",
		"AdminUpdateAuthEventFeedback", "UpdateAuthEventFeedback", "DescribeRiskConfiguration", "SetRiskConfiguration"}},
	{"Branding", []string{"GetUICustomization", "SetUICustomization", "CreateManagedLoginBranding",
		"DescribeManagedLoginBranding", "DescribeManagedLoginBrandingByClient", "UpdateManagedLoginBranding",
		"DeleteManagedLoginBranding", "CreateTerms", "DescribeTerms", "ListTerms", "UpdateTerms", "DeleteTerms"}},
	{"User import", []string{"GetCSVHeader", "CreateUserImportJob", "StartUserImportJob", "StopUserImportJob",
		"DescribeUserImportJob", "ListUserImportJobs"}},
	{"Federation links", []string{"AdminLinkProviderForUser", "AdminDisableProviderForUser", "GetSigningCertificate"}},
	{"Tags", []string{"TagResource", "UntagResource", "ListTagsForResource"}},
	{"Log delivery", []string{"GetLogDeliveryConfiguration", "SetLogDeliveryConfiguration"}},
	{"Replicas", []string{"CreateUserPoolReplica", "ListUserPoolReplicas", "UpdateUserPoolReplica", "DeleteUserPoolReplica"}},
}

func groupOf(op string) string {
	for _, g := range groups {
		if contains(g.ops, op) {
			return g.name
		}
	}
	return ""
}

// notEmulated is what the emulator does not do, each with the document
// that says so (relative to docs/), if any.
var notEmulated = []struct{ what, source string }{
	{"No e-mail or SMS is sent. Every message Cognito would send (codes, temporary passwords, invitations, " +
		"risk notifications) is kept in the pool's outbox instead: `GET /_ccql/cognito/messages?userPoolId=…`, or " +
		"`SELECT * FROM awscc.cognito_outbox.messages`.", "signin.md"},
	{"No Lambda trigger runs (pre sign-up, custom message, user migration, pre token generation, …); " +
		"`CUSTOM_AUTH`, which needs the auth-challenge triggers, is refused.", "signin.md"},
	{"Password history (`PasswordHistorySize`), `UserAttributeUpdateSettings` (a changed attribute takes " +
		"effect at once) and developer-only attributes.", "signin.md"},
	{"The clock skew of the SRP `TIMESTAMP`.", "signin.md"},
	{"Real risk detection (new devices, locations, impossible travel, a breach corpus): threat protection " +
		"applies its configuration to the emulator's test hooks (the `X-Ccql-Risk-Level` header, a small list of " +
		"breached passwords) and knows no city, country or time zone of an address.", "signin.md"},
	{"Passkeys: attestation trust (no FIDO metadata service), the Essentials-tier check of passkey MFA and the " +
		"hosted UI's passkey pages.", "signin.md"},
	{"Log delivery: nothing reaches CloudWatch Logs, S3 or Firehose; `userAuthEvents` records are served as " +
		"JSON lines at `GET /_ccql/cognito/logs?userPoolId=…` instead.", "../README.md"},
	{"Managed login branding: the hosted UI renders a style's colors, background and logo assets, not its other " +
		"settings (fonts, spacing, header and footer, inputs, links, hover states, language selector) or assets.", "oauth.md"},
	{"The hosted UI's `SELECT_MFA_TYPE` choice page (the first method is used), translated page texts, and the " +
		"`prompt` and `resource` parameters (ignored).", "oauth.md"},
	{"Signing in at SAML, social (Google, Facebook, Login with Amazon, Sign in with Apple) and outside OIDC " +
		"identity providers: the hosted UI answers HTTP 501. OIDC federation with another pool of the emulator works.", "oauth.md"},
	{"Replicas: the regional `EmailConfiguration`, `LambdaConfig` and `SmsConfiguration` are stored, not applied; " +
		"a replica region has no domain (the hosted UI and OAuth endpoints are the primary's); the KMS and " +
		"multi-Region issuer prerequisites are not checked.", "replicas.md"},
	{"User import jobs finish within `StartUserImportJob`, so `StopUserImportJob` never finds one running; a " +
		"row's error is kept in the job rather than logged to CloudWatch.", "../README.md"},
	{"Presigned (query-string) SigV4 requests.", "../README.md"},
	{"The Cognito Identity API (identity pools): their `awscc.cognito.identity_pool*` types are stored by the " +
		"generic handler, and no operation of the identity-pool service is served.", ""},
	{"Prefix domains are unique within one account and region (on AWS, across all accounts of the region).",
		"../emulator/internal/cognito/doc.go"},
}

// The real clients whose tests the document lists.
const (
	clientGo         = "Go SDK"
	clientJS         = "JS v3"
	clientIdentityJS = "identity-js"
	clientBrowser    = "browser"
)

var clients = []string{clientGo, clientJS, clientIdentityJS, clientBrowser}

// identityJSMethods maps the methods of amazon-cognito-identity-js
// (CognitoUser, CognitoUserPool; lib/*.js of 6.3.21) to the operations
// each always sends. ConfirmDevice, which authenticateUser sends only when
// the pool tracks devices, is counted for a file that also calls one of
// identityJSDeviceMethods: the library has no other way to get a device.
var identityJSMethods = map[string][]string{
	"authenticateUser":             {"InitiateAuth", "RespondToAuthChallenge"},
	"initiateAuth":                 {"InitiateAuth"},
	"refreshSession":               {"InitiateAuth"},
	"sendCustomChallengeAnswer":    {"RespondToAuthChallenge"},
	"sendMFACode":                  {"RespondToAuthChallenge"},
	"sendMFASelectionAnswer":       {"RespondToAuthChallenge"},
	"completeNewPasswordChallenge": {"RespondToAuthChallenge"},
	"confirmRegistration":          {"ConfirmSignUp"},
	"resendConfirmationCode":       {"ResendConfirmationCode"},
	"signUp":                       {"SignUp"},
	"changePassword":               {"ChangePassword"},
	"forgotPassword":               {"ForgotPassword"},
	"confirmPassword":              {"ConfirmForgotPassword"},
	"enableMFA":                    {"SetUserSettings"},
	"disableMFA":                   {"SetUserSettings"},
	"setUserMfaPreference":         {"SetUserMFAPreference"},
	"deleteUser":                   {"DeleteUser"},
	"updateAttributes":             {"UpdateUserAttributes"},
	"deleteAttributes":             {"DeleteUserAttributes"},
	"getUserAttributes":            {"GetUser"},
	"getMFAOptions":                {"GetUser"},
	"getAttributeVerificationCode": {"GetUserAttributeVerificationCode"},
	"verifyAttribute":              {"VerifyUserAttribute"},
	"getDevice":                    {"GetDevice"},
	"forgetDevice":                 {"ForgetDevice"},
	"forgetSpecificDevice":         {"ForgetDevice"},
	"setDeviceStatusRemembered":    {"UpdateDeviceStatus"},
	"setDeviceStatusNotRemembered": {"UpdateDeviceStatus"},
	"listDevices":                  {"ListDevices"},
	"globalSignOut":                {"GlobalSignOut"},
	"revokeTokens":                 {"RevokeToken"},
	"associateSoftwareToken":       {"AssociateSoftwareToken"},
	"verifySoftwareToken":          {"VerifySoftwareToken"},
}

// identityJSDeviceMethods are the library's methods on a remembered device.
var identityJSDeviceMethods = []string{"getDevice", "listDevices", "forgetDevice", "forgetSpecificDevice",
	"setDeviceStatusRemembered", "setDeviceStatusNotRemembered"}

const (
	sdkImport      = "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	chromedpImport = "github.com/chromedp/chromedp"
	browserHelper  = "newBrowser" // cmd/ccql's tests start Chromium with it
)

var (
	jsCommand   = regexp.MustCompile(`\b([A-Z]\w+)Command\b`)
	jsMethod    = regexp.MustCompile(`\.([a-zA-Z]+)\(`)
	targetRef   = regexp.MustCompile(`AWSCognitoIdentityProviderService\.([A-Z]\w+)`)
	requiresSDK = regexp.MustCompile(`["']@aws-sdk/client-cognito-identity-provider["']`)
	requiresIJS = regexp.MustCompile(`["']amazon-cognito-identity-js["']`)
)

// clientTests is, per client and operation, the repository's test files
// (slash paths from the root) that call the operation through the client.
type clientTests map[string]map[string][]string

func (c clientTests) add(client, op, file string) {
	if c[client] == nil {
		c[client] = map[string][]string{}
	}
	if !contains(c[client][op], file) {
		c[client][op] = append(c[client][op], file)
	}
}

// scanTests reads the repository's real-client tests:
//   - Go SDK: Go test files that build an aws-sdk-go-v2 cognitoidentityprovider
//     <Operation>Input, except the browser tests;
//   - browser: Go test files that drive Chromium (import chromedp, or start
//     it with cmd/ccql's newBrowser helper) and build an
//     <Operation>Input or name AWSCognitoIdentityProviderService.<Operation>;
//   - JS v3: JavaScript files under e2e/ that use
//     @aws-sdk/client-cognito-identity-provider and name <Operation>Command;
//   - identity-js: JavaScript files under e2e/ that use
//     amazon-cognito-identity-js, by the library methods they call.
func scanTests(t *testing.T, root string) clientTests {
	t.Helper()
	ops := map[string]bool{}
	for _, op := range sdkOperations() {
		ops[op] = true
	}
	out := clientTests{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case strings.HasSuffix(name, "_test.go"):
			return scanGo(p, rel, ops, out)
		case strings.HasPrefix(rel, "e2e/") && (strings.HasSuffix(name, ".cjs") || strings.HasSuffix(name, ".mjs") || strings.HasSuffix(name, ".js")):
			return scanJS(p, rel, ops, out)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, byOp := range out {
		for op := range byOp {
			sort.Strings(byOp[op])
		}
	}
	return out
}

func scanGo(p, rel string, ops map[string]bool, out clientTests) error {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
	if err != nil {
		return fmt.Errorf("parse %s: %w", rel, err)
	}
	alias, browser := "", false
	for _, imp := range f.Imports {
		switch path, _ := strconv.Unquote(imp.Path.Value); path {
		case sdkImport:
			alias = "cognitoidentityprovider"
			if imp.Name != nil {
				alias = imp.Name.Name
			}
		case chromedpImport:
			browser = true
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if id, ok := call.Fun.(*ast.Ident); ok && id.Name == browserHelper {
				browser = true
			}
		}
		return !browser
	})
	client := clientGo
	if browser {
		client = clientBrowser
	}
	if alias != "" {
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			sel, ok := lit.Type.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == alias {
				if op, ok := strings.CutSuffix(sel.Sel.Name, "Input"); ok && ops[op] {
					out.add(client, op, rel)
				}
			}
			return true
		})
	}
	if browser {
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range targetRef.FindAllStringSubmatch(string(src), -1) {
			if ops[m[1]] {
				out.add(clientBrowser, m[1], rel)
			}
		}
	}
	return nil
}

// scanJS reads a JavaScript file of e2e/<topic>/: the client libraries
// are those it requires, or those its topic's package.json depends on (a
// group of e2e/sdkjs gets the SDK from its runner).
func scanJS(p, rel string, ops map[string]bool, out clientTests) error {
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	src := string(b)
	topic := strings.SplitN(rel, "/", 3)[1]
	pkg, err := os.ReadFile(filepath.Join(strings.TrimSuffix(p, filepath.FromSlash(rel)), "e2e", topic, "package.json"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if requiresSDK.MatchString(src) || requiresSDK.Match(pkg) {
		for _, m := range jsCommand.FindAllStringSubmatch(src, -1) {
			if ops[m[1]] {
				out.add(clientJS, m[1], rel)
			}
		}
	}
	if requiresIJS.MatchString(src) || requiresIJS.Match(pkg) {
		called := map[string]bool{}
		for _, m := range jsMethod.FindAllStringSubmatch(src, -1) {
			called[m[1]] = true
			for _, op := range identityJSMethods[m[1]] {
				out.add(clientIdentityJS, op, rel)
			}
		}
		for _, m := range identityJSDeviceMethods {
			if called[m] && called["authenticateUser"] {
				out.add(clientIdentityJS, "ConfirmDevice", rel)
			}
		}
	}
	return nil
}

// generate renders the document.
func generate(t *testing.T, root string) []byte {
	t.Helper()
	served := map[string]bool{}
	for _, op := range cognito.OperationNames() {
		served[op] = true
	}
	sdk := sdkOperations()
	tests := scanTests(t, root)
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	w("# Cognito user pools in the emulator: coverage\n\n")
	w("<!-- Generated by emulator/internal/cognito/coveragedoc (go generate ./emulator/internal/cognito/coveragedoc); do not edit. -->\n\n")
	nServed := 0
	for _, op := range sdk {
		if served[op] {
			nServed++
		}
	}
	w("The emulator (`ccql serve`, and the embedded backend of `ccql exec`) serves %d of the %d operations that\n", nServed, len(sdk))
	w("the AWS SDK's model of the Cognito Identity Provider API has (aws-sdk-go-v2 `cognitoidentityprovider`, the\n")
	w("version in go.mod). `TestOperations_CoverSDKModel` (emulator/internal/cognito) lists the ones not served\n")
	w("yet; `TestSDKForJavaScriptV3` (e2e/sdkjs) fails when a served operation is exercised by no group of\n")
	w("[e2e/sdkjs/groups](../e2e/sdkjs/groups).\n\n")

	w("## Operations\n\n")
	w("Real-client tests are the repository's test files that call the operation through that client:\n")
	w("**Go SDK**, aws-sdk-go-v2 (a Go test that builds the operation's `Input`); **JS v3**, the AWS SDK for\n")
	w("JavaScript v3 (a file under e2e/ that names the operation's `Command`); **identity-js**,\n")
	w("amazon-cognito-identity-js (a file under e2e/ that calls a library method which always sends the operation,\n")
	w("and ConfirmDevice for one that signs in and then uses the remembered device);\n")
	w("**browser**, a Go test that drives Chromium and calls the operation (setup included).\n\n")
	w("| Group | Served |\n|---|---:|\n")
	for _, g := range groups {
		n := 0
		for _, op := range g.ops {
			if served[op] {
				n++
			}
		}
		w("| %s | %d of %d |\n", g.name, n, len(g.ops))
	}
	w("\n| Operation | Group | Status | %s |\n|---|---|---|%s\n", strings.Join(clients, " | "), strings.Repeat("---|", len(clients)))
	for _, g := range groups {
		ops := append([]string(nil), g.ops...)
		sort.Strings(ops)
		for _, op := range ops {
			status := "not yet"
			if served[op] {
				status = "served"
			}
			w("| %s | %s | %s |", op, g.name, status)
			for _, c := range clients {
				w(" %s |", fileLinks(tests[c][op]))
			}
			w("\n")
		}
	}

	w("\n## Cloud Control types\n\n")
	w("Every `awscc.cognito` resource (`AWS::Cognito::*`) works through Cloud Control and SQL. A hand-written\n")
	w("handler applies Cognito's own rules and messages over the same state as the IdP API; the generic,\n")
	w("schema-driven handler validates against the CloudFormation schema and stores the model.\n\n")
	w("| SQL name | CloudFormation type | Handler |\n|---|---|---|\n")
	reg := schema.NewFullRegistry()
	hand := map[string]string{}
	for _, h := range cognito.Handlers(reg) {
		hand[h.TypeName()] = fmt.Sprintf("%T", h)
	}
	refs, err := catalog.New(reg).Resources(catalog.ProviderName, "cognito")
	if err != nil {
		t.Fatal(err)
	}
	seenTypes := map[string]bool{}
	for _, r := range refs {
		if r.Kind != catalog.KindResource {
			continue
		}
		seenTypes[r.TypeName] = true
		h := "generic"
		if impl, ok := hand[r.TypeName]; ok {
			h = "hand-written (`" + strings.TrimPrefix(impl, "cognito.") + "`)"
		}
		w("| `%s` | `%s` | %s |\n", r.ID, r.TypeName, h)
	}
	for typeName := range hand {
		if !seenTypes[typeName] && strings.HasPrefix(typeName, "AWS::Cognito::") {
			t.Errorf("a handler is registered for %s, which awscc.cognito does not list", typeName)
		}
	}

	w("\n## Not emulated\n\n")
	for _, n := range notEmulated {
		if n.source == "" {
			w("- %s\n", n.what)
			continue
		}
		w("- %s (%s)\n", n.what, docLink(n.source))
	}
	return b.Bytes()
}

// maxLinks is how many test files a cell links; it counts the rest.
const maxLinks = 3

// fileLinks renders test files as links from docs/: a Go file by its
// name, a file of e2e/ by its path there (sdkjs/groups/devices.cjs and
// signin/devices.cjs are different tests).
func fileLinks(files []string) string {
	var links []string
	for i, f := range files {
		if i == maxLinks {
			links = append(links, fmt.Sprintf("%d more", len(files)-maxLinks))
			break
		}
		name := path.Base(f)
		if rest, ok := strings.CutPrefix(f, "e2e/"); ok && !strings.HasSuffix(f, ".go") {
			name = rest
		}
		links = append(links, "["+name+"](../"+f+")")
	}
	return strings.Join(links, ", ")
}

// docLink links a document named relative to docs/.
func docLink(rel string) string {
	return "[" + path.Base(rel) + "](" + rel + ")"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// repoRoot is the directory of go.mod above the test's directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// firstDiff describes the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n  file: %s\n  want: %s", i+1, gl, wl)
		}
	}
	return ""
}
