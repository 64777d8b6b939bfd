package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The AWS CLI as a real client of the Cognito satellites on `ccql serve`:
// resource servers, domains, identity providers, groups and a
// client_credentials app client that depends on them, then SQL and the
// OAuth token endpoint over what the CLI made. It runs whatever `aws` is
// on PATH (v1 or v2).

// cogCLIEnv is the CLI's environment: dummy credentials, no user
// configuration, no pager, no instance metadata, one attempt per call.
// AWS_DEFAULT_REGION is what v1 reads; v2 reads AWS_REGION.
var cogCLIEnv = []string{
	"AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
	"AWS_SECRET_ACCESS_KEY=x",
	"AWS_CONFIG_FILE=" + os.DevNull,
	"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
	"AWS_PAGER=",
	"AWS_EC2_METADATA_DISABLED=true",
	"AWS_REGION=us-east-1",
	"AWS_DEFAULT_REGION=us-east-1",
	"AWS_MAX_ATTEMPTS=1",
}

// cogCLI runs `aws cognito-idp` against one endpoint.
type cogCLI struct {
	t        *testing.T
	endpoint string
}

func (c *cogCLI) run(args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	full := append([]string{"--endpoint-url", c.endpoint, "--output", "json", "cognito-idp"}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "aws", full...)
	cmd.Env = append(cleanEnv(), cogCLIEnv...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("aws cognito-idp %s: %v", args[0], err)
	}
	return out.String(), errOut.String(), code
}

// ok runs the CLI, requires success and decodes its JSON output (nil when
// it printed nothing).
func (c *cogCLI) ok(args ...string) map[string]any {
	c.t.Helper()
	stdout, stderr, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("aws cognito-idp %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	if strings.TrimSpace(stdout) == "" {
		return nil
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		c.t.Fatalf("aws cognito-idp %s: output is not JSON: %v\n%s", args[0], err, stdout)
	}
	return out
}

// fails runs the CLI and requires a service error: exit 254 (v2) or 255
// (v1) and "An error occurred (<exception>) when calling the <op>
// operation: <message…>" on stderr.
func (c *cogCLI) fails(exception, op, message string, args ...string) {
	c.t.Helper()
	stdout, stderr, code := c.run(args...)
	if code != 254 && code != 255 {
		c.t.Errorf("aws cognito-idp %s: exit %d, want 254 or 255\nstdout %s\nstderr %s", args[0], code, stdout, stderr)
		return
	}
	// v2 may put "(reached max retries: 0)" between the operation and the
	// message.
	want := regexp.MustCompile(`An error occurred \(` + exception + `\) when calling the ` + op + ` operation( \(reached max retries: \d+\))?: ` + regexp.QuoteMeta(message))
	if !want.MatchString(stderr) {
		c.t.Errorf("aws cognito-idp %s: stderr does not match /%s/:\n%s", args[0], want, stderr)
	}
}

// inputJSON renders a --cli-input-json document. URL-valued members go
// through it: CLI v1 would fetch a parameter that starts with https://.
func inputJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// jsonAt walks a decoded JSON document by object keys.
func jsonAt(doc any, path ...string) any {
	for _, k := range path {
		m, ok := doc.(map[string]any)
		if !ok {
			return nil
		}
		doc = m[k]
	}
	return doc
}

func TestAWSCLI_CognitoSatellites(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs the AWS CLI")
	}
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI (aws) is not on PATH: install it (apt-get install -y awscli) to run this test")
	}
	addr := startServe(t)
	cli := &cogCLI{t: t, endpoint: "http://" + addr}
	const (
		api    = "https://orders.example.com"
		read   = api + "/orders.read"
		write  = api + "/orders.write"
		prefix = "cli-orders"
	)

	pool, _ := jsonAt(cli.ok("create-user-pool", "--pool-name", "cli-m2m"), "UserPool", "Id").(string)
	if !regexp.MustCompile(`^us-east-1_[0-9A-Za-z]{9}$`).MatchString(pool) {
		t.Fatalf("pool id %q", pool)
	}

	// Resource server: create, describe, list.
	rsKey := map[string]any{"UserPoolId": pool, "Identifier": api}
	wantScopes := []any{
		map[string]any{"ScopeName": "orders.read", "ScopeDescription": "Read orders"},
		map[string]any{"ScopeName": "orders.write", "ScopeDescription": "Create and change orders"},
	}
	created := cli.ok("create-resource-server", "--cli-input-json", inputJSON(t, map[string]any{
		"UserPoolId": pool, "Identifier": api, "Name": "orders-api", "Scopes": wantScopes,
	}))
	described := cli.ok("describe-resource-server", "--cli-input-json", inputJSON(t, rsKey))
	for what, doc := range map[string]map[string]any{"create": created, "describe": described} {
		rs := jsonAt(doc, "ResourceServer")
		if jsonAt(rs, "UserPoolId") != pool || jsonAt(rs, "Identifier") != api || jsonAt(rs, "Name") != "orders-api" || !jsonEqual(jsonAt(rs, "Scopes"), wantScopes) {
			t.Errorf("%s-resource-server: %v", what, doc)
		}
	}
	listed, _ := jsonAt(cli.ok("list-resource-servers", "--user-pool-id", pool, "--max-results", "10"), "ResourceServers").([]any)
	if len(listed) != 1 || jsonAt(listed[0], "Identifier") != api || !jsonEqual(jsonAt(listed[0], "Scopes"), wantScopes) {
		t.Errorf("list-resource-servers: %v", listed)
	}

	// Domain: create, describe; an unknown one is an empty description.
	cli.ok("create-user-pool-domain", "--user-pool-id", pool, "--domain", prefix)
	dd := jsonAt(cli.ok("describe-user-pool-domain", "--domain", prefix), "DomainDescription")
	if jsonAt(dd, "UserPoolId") != pool || jsonAt(dd, "Domain") != prefix || jsonAt(dd, "Status") != "ACTIVE" || jsonAt(dd, "AWSAccountId") != "000000000000" {
		t.Errorf("describe-user-pool-domain: %v", dd)
	}
	if got := cli.ok("describe-user-pool-domain", "--domain", "nobody-here"); !jsonEqual(got, map[string]any{"DomainDescription": map[string]any{}}) {
		t.Errorf("describe-user-pool-domain of an unknown domain: %v", got)
	}
	if got := jsonAt(cli.ok("describe-user-pool", "--user-pool-id", pool), "UserPool", "Domain"); got != prefix {
		t.Errorf("describe-user-pool Domain = %v, want %s", got, prefix)
	}

	// Identity providers: an OIDC provider (with the details Cognito
	// requires) and a SAML one; Describe adds the derived keys.
	oidc := cli.ok("create-identity-provider", "--cli-input-json", inputJSON(t, map[string]any{
		"UserPoolId": pool, "ProviderName": "Corp", "ProviderType": "OIDC",
		"ProviderDetails": map[string]string{
			"client_id": "corp-client", "client_secret": "corp-secret", "authorize_scopes": "openid email",
			"oidc_issuer": "https://idp.example.com", "attributes_request_method": "GET",
		},
		"AttributeMapping": map[string]string{"email": "email"},
		"IdpIdentifiers":   []string{"corp.example.com"},
	}))
	if jsonAt(oidc, "IdentityProvider", "ProviderDetails", "attributes_url_add_attributes") != "false" || jsonAt(oidc, "IdentityProvider", "ProviderType") != "OIDC" {
		t.Errorf("create-identity-provider OIDC: %v", oidc)
	}
	cli.ok("create-identity-provider", "--user-pool-id", pool, "--provider-name", "CorpSaml", "--provider-type", "SAML",
		"--provider-details", `{"MetadataFile":"<EntityDescriptor/>"}`, "--idp-identifiers", "saml.example.com")
	providers, _ := jsonAt(cli.ok("list-identity-providers", "--user-pool-id", pool), "Providers").([]any)
	var names []string
	for _, p := range providers {
		names = append(names, jsonAt(p, "ProviderName").(string)+":"+jsonAt(p, "ProviderType").(string))
	}
	if got := strings.Join(names, ","); got != "Corp:OIDC,CorpSaml:SAML" {
		t.Errorf("list-identity-providers = %s", got)
	}
	if got := jsonAt(cli.ok("get-identity-provider-by-identifier", "--user-pool-id", pool, "--idp-identifier", "saml.example.com"), "IdentityProvider", "ProviderName"); got != "CorpSaml" {
		t.Errorf("get-identity-provider-by-identifier = %v", got)
	}

	// Groups.
	cli.ok("create-group", "--user-pool-id", pool, "--group-name", "operators", "--description", "Runs the workers", "--precedence", "1")
	g := jsonAt(cli.ok("get-group", "--user-pool-id", pool, "--group-name", "operators"), "Group")
	if jsonAt(g, "Description") != "Runs the workers" || jsonAt(g, "Precedence") != float64(1) || jsonAt(g, "UserPoolId") != pool {
		t.Errorf("get-group: %v", g)
	}
	groups, _ := jsonAt(cli.ok("list-groups", "--user-pool-id", pool), "Groups").([]any)
	if len(groups) != 1 || jsonAt(groups[0], "GroupName") != "operators" {
		t.Errorf("list-groups: %v", groups)
	}

	// The client_credentials client, with the resource server's scopes.
	m2m := func(name string, scopes ...string) string {
		return inputJSON(t, map[string]any{
			"UserPoolId": pool, "ClientName": name, "GenerateSecret": true,
			"AllowedOAuthFlows": []string{"client_credentials"}, "AllowedOAuthFlowsUserPoolClient": true,
			"AllowedOAuthScopes": scopes,
		})
	}
	c := jsonAt(cli.ok("create-user-pool-client", "--cli-input-json", m2m("worker", read, write)), "UserPoolClient")
	clientID, _ := jsonAt(c, "ClientId").(string)
	secret, _ := jsonAt(c, "ClientSecret").(string)
	if !regexp.MustCompile(`^[a-z0-9]{26}$`).MatchString(clientID) || !regexp.MustCompile(`^[a-z0-9]{52}$`).MatchString(secret) ||
		!jsonEqual(jsonAt(c, "AllowedOAuthScopes"), []any{read, write}) || jsonAt(c, "AllowedOAuthFlowsUserPoolClient") != true {
		t.Errorf("create-user-pool-client: %v", c)
	}

	// Failures, with Cognito's exceptions and messages.
	cli.fails("ScopeDoesNotExistException", "CreateUserPoolClient", "Invalid scope requested: "+api+"/orders.delete",
		"create-user-pool-client", "--cli-input-json", m2m("bad", read, api+"/orders.delete"))
	cli.fails("InvalidOAuthFlowException", "CreateUserPoolClient", "openid is not supported with client_credentials flow",
		"create-user-pool-client", "--cli-input-json", m2m("bad", "openid"))
	cli.fails("InvalidParameterException", "CreateUserPoolClient", "The provider Google does not exist for User Pool "+pool,
		"create-user-pool-client", "--user-pool-id", pool, "--client-name", "web", "--supported-identity-providers", "COGNITO", "Corp", "Google")
	cli.fails("DuplicateProviderException", "CreateIdentityProvider", "The identifier corp.example.com is already used by identity provider Corp.",
		"create-identity-provider", "--user-pool-id", pool, "--provider-name", "Other", "--provider-type", "SAML",
		"--provider-details", `{"MetadataFile":"<EntityDescriptor/>"}`, "--idp-identifiers", "corp.example.com")
	cli.fails("InvalidParameterException", "CreateIdentityProvider", "clientId, authorizeScopes, oidcIssuer and attributesRequestMethod are all required idp details.",
		"create-identity-provider", "--user-pool-id", pool, "--provider-name", "Half", "--provider-type", "OIDC", "--provider-details", `{"client_id":"x"}`)
	cli.fails("InvalidParameterException", "CreateUserPoolDomain", "Domain cannot contain reserved word: aws",
		"create-user-pool-domain", "--user-pool-id", pool, "--domain", "my-aws-login")
	cli.fails("GroupExistsException", "CreateGroup", "A group with the name already exists",
		"create-group", "--user-pool-id", pool, "--group-name", "operators")
	cli.fails("ResourceNotFoundException", "DescribeResourceServer", "",
		"describe-resource-server", "--user-pool-id", pool, "--identifier", "no-such-api")

	// What the CLI made is one state: SQL joins the client's scopes with
	// the resource server, and the domain's token endpoint issues a token.
	sqlEnv := append([]string{"CCQL_DATA_DIR=" + t.TempDir()}, cogCLIEnv...)
	out, errOut, code := ccqlBin(t, sqlEnv, "exec", "--endpoint", "http://"+addr, "-o", "csv", `SELECT c.client_name, s.value AS scope, rs.name
FROM awscc.cognito.user_pool_clients c
JOIN json_each(c.allowed_oauth_scopes) s
JOIN awscc.cognito.user_pool_resource_servers rs ON rs.user_pool_id = c.user_pool_id AND rs.region = c.region
JOIN json_each(rs.scopes) d ON rs._identifier || '/' || (d.value ->> 'ScopeName') = s.value
WHERE c.region = 'us-east-1' AND c.user_pool_id = '`+pool+`'
ORDER BY c.client_name, s.key`)
	if want := "client_name,scope,name\nworker," + read + ",orders-api\nworker," + write + ",orders-api\n"; code != 0 || out != want {
		t.Errorf("SQL over the CLI's resources: exit %d\n%s%s\nwant\n%s", code, out, errOut, want)
	}
	tokenURL := "http://" + addr + "/" + pool + "/oauth2/token"
	status, body := postClientCredentials(t, tokenURL, clientID, secret, read)
	if status != http.StatusOK {
		t.Fatalf("token: %d %s", status, body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tok); err != nil {
		t.Fatal(err)
	}
	if claims := verifyRS256(t, tok.AccessToken, "http://"+addr+"/"+pool+"/.well-known/jwks.json"); claims["scope"] != read || claims["client_id"] != clientID {
		t.Errorf("claims = %v", claims)
	}

	// Deleting the domain removes the pool's OAuth endpoints.
	cli.ok("delete-user-pool-domain", "--user-pool-id", pool, "--domain", prefix)
	if got := cli.ok("describe-user-pool-domain", "--domain", prefix); !jsonEqual(got, map[string]any{"DomainDescription": map[string]any{}}) {
		t.Errorf("describe-user-pool-domain after delete: %v", got)
	}
	if status, body := postClientCredentials(t, tokenURL, clientID, secret, ""); status != http.StatusNotFound {
		t.Errorf("token after the domain was deleted: %d %s, want 404", status, body)
	}
	cli.fails("InvalidParameterException", "DeleteUserPoolDomain", "No such domain",
		"delete-user-pool-domain", "--user-pool-id", pool, "--domain", prefix)
}

// jsonEqual compares two decoded JSON values.
func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}
