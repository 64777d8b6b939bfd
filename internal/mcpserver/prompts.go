package mcpserver

import (
	"context"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Prompt names.
const (
	PromptCognitoAudit    = "cognito_audit"
	PromptCreateAppClient = "create_app_client"
	PromptDeployDrift     = "deploy_drift"
)

// promptRegion is the region a prompt uses when the user gives none.
const promptRegion = "us-east-1"

func (s *server) addPrompts(srv *mcp.Server) {
	srv.AddPrompt(&mcp.Prompt{Name: PromptCognitoAudit, Title: "Audit Cognito app clients and user pools",
		Description: "Find Cognito user pools and app clients with risky settings (implicit flow, password auth, no token revocation, user existence errors, http callbacks, MFA off), with the SQL to run.",
		Arguments:   []*mcp.PromptArgument{{Name: "region", Description: "the AWS region to audit (default us-east-1)"}}},
		s.cognitoAudit)
	srv.AddPrompt(&mcp.Prompt{Name: PromptCreateAppClient, Title: "Create a Cognito app client",
		Description: "Create an app client in a user pool step by step: describe the table, plan the INSERT, run it awaited, read it back.",
		Arguments: []*mcp.PromptArgument{
			{Name: "region", Description: "the AWS region (default us-east-1)"},
			{Name: "user_pool_id", Description: "the pool (e.g. us-east-1_AbCdEf123); empty to pick or create one"},
			{Name: "client_name", Description: "the new client's name"},
			{Name: "kind", Description: "spa (public, code flow with PKCE), web (confidential, with a secret) or m2m (client_credentials)"},
		}},
		s.createAppClient)
	srv.AddPrompt(&mcp.Prompt{Name: PromptDeployDrift, Title: "Drift between a deploy stack and what exists",
		Description: "Compare a ccql deploy (stackql-deploy) stack's manifest with the resources that exist, property by property, with read-only queries.",
		Arguments: []*mcp.PromptArgument{
			{Name: "manifest", Description: "the stackql_manifest.yml text (paste it)", Required: true},
			{Name: "env", Description: "the stack environment, e.g. dev", Required: true},
			{Name: "region", Description: "the AWS region (default us-east-1)"},
		}},
		s.deployDrift)
}

func arg(req *mcp.GetPromptRequest, name, def string) string {
	if v := strings.TrimSpace(req.Params.Arguments[name]); v != "" {
		return v
	}
	return def
}

func userPrompt(desc, text string) *mcp.GetPromptResult {
	return &mcp.GetPromptResult{Description: desc, Messages: []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: text}}}}
}

// CognitoAuditQueries are the read-only queries of the cognito_audit prompt
// for a region, each with what it finds. Tests run every one of them.
func CognitoAuditQueries(region string) [][2]string {
	r := sqlString(region)
	return [][2]string{
		{"Every pool and its MFA setting (MFA OFF is a finding for pools with human users):",
			"SELECT user_pool_id, user_pool_name, mfa_configuration, deletion_protection FROM awscc.cognito.user_pools WHERE region = " + r},
		{"Weak password policies (minimum length under 12, or no symbols):",
			"SELECT user_pool_id, user_pool_name, policies->'$.PasswordPolicy.MinimumLength' AS min_length, policies->'$.PasswordPolicy.RequireSymbols' AS symbols FROM awscc.cognito.user_pools WHERE region = " + r + " AND (coalesce(policies->>'$.PasswordPolicy.MinimumLength', 8) < 12 OR coalesce(policies->>'$.PasswordPolicy.RequireSymbols', 0) = 0)"},
		{"App clients that still allow the implicit grant (tokens in the URL fragment):",
			"SELECT c.user_pool_id, c.client_id, c.client_name FROM awscc.cognito.user_pool_clients c, json_each(c.allowed_oauth_flows) f WHERE c.region = " + r + " AND f.value = 'implicit'"},
		{"App clients that allow plain password sign-in (ALLOW_USER_PASSWORD_AUTH sends the password itself; prefer SRP):",
			"SELECT c.user_pool_id, c.client_id, c.client_name FROM awscc.cognito.user_pool_clients c, json_each(c.explicit_auth_flows) f WHERE c.region = " + r + " AND f.value IN ('ALLOW_USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH')"},
		{"App clients that reveal whether a user exists, or cannot revoke refresh tokens:",
			"SELECT user_pool_id, client_id, client_name, prevent_user_existence_errors, enable_token_revocation FROM awscc.cognito.user_pool_clients WHERE region = " + r + " AND (coalesce(prevent_user_existence_errors, 'LEGACY') <> 'ENABLED' OR enable_token_revocation = 0)"},
		{"Callback URLs that point at a developer's machine (localhost: a leftover outside development pools):",
			"SELECT c.user_pool_id, c.client_id, u.value AS callback_url FROM awscc.cognito.user_pool_clients c, json_each(c.callback_urls) u WHERE c.region = " + r + " AND (u.value LIKE 'http://localhost%' OR u.value LIKE 'http://127.0.0.1%')"},
		{"Refresh tokens valid for more than 30 days:",
			"SELECT user_pool_id, client_id, client_name, refresh_token_validity, token_validity_units->>'$.RefreshToken' AS unit FROM awscc.cognito.user_pool_clients WHERE region = " + r + " AND coalesce(token_validity_units->>'$.RefreshToken', 'days') = 'days' AND refresh_token_validity > 30"},
	}
}

func (s *server) cognitoAudit(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	region := arg(req, "region", promptRegion)
	var b strings.Builder
	fmt.Fprintf(&b, "Audit the Cognito user pools and app clients in %s with the ccql tools. Use only the query tool (read-only); change nothing.\n\n", region)
	b.WriteString("Run each query below with the query tool, then report every finding as: pool, client, what is wrong, why it matters, and the fix ")
	b.WriteString("(as an UPDATE … SET PatchDocument statement the user could run later through plan_mutation and run_mutation). ")
	b.WriteString("awscc.cognito.user_pool_clients lists every pool's clients itself when user_pool_id is not bound. ")
	b.WriteString("Look up columns with describe_resource or the resource ccql://awscc/cognito/user_pool_clients.\n")
	for _, q := range CognitoAuditQueries(region) {
		fmt.Fprintf(&b, "\n%s\n```sql\n%s\n```\n", q[0], q[1])
	}
	b.WriteString("\nEnd with a short table: finding, count, severity (high for implicit flow and password auth on public clients, medium otherwise).\n")
	return userPrompt("Cognito audit of "+region, b.String()), nil
}

func (s *server) createAppClient(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	region := arg(req, "region", promptRegion)
	pool := arg(req, "user_pool_id", "")
	name := arg(req, "client_name", "my-app")
	kind := strings.ToLower(arg(req, "kind", "spa"))
	var cols, vals string
	switch kind {
	case "m2m":
		cols = "ClientName, UserPoolId, GenerateSecret, AllowedOAuthFlows, AllowedOAuthFlowsUserPoolClient, AllowedOAuthScopes, region"
		vals = sqlString(name) + ", " + sqlString(orDots(pool)) + ", true, '[\"client_credentials\"]', true, '[\"<resource-server-id>/<scope>\"]', " + sqlString(region)
	case "web":
		cols = "ClientName, UserPoolId, GenerateSecret, ExplicitAuthFlows, AllowedOAuthFlows, AllowedOAuthFlowsUserPoolClient, AllowedOAuthScopes, CallbackURLs, LogoutURLs, SupportedIdentityProviders, PreventUserExistenceErrors, EnableTokenRevocation, region"
		vals = sqlString(name) + ", " + sqlString(orDots(pool)) + ", true, '[\"ALLOW_USER_SRP_AUTH\", \"ALLOW_REFRESH_TOKEN_AUTH\"]', '[\"code\"]', true, '[\"openid\", \"email\"]', '[\"https://app.example.com/callback\"]', '[\"https://app.example.com/\"]', '[\"COGNITO\"]', 'ENABLED', true, " + sqlString(region)
	default:
		kind = "spa"
		cols = "ClientName, UserPoolId, GenerateSecret, ExplicitAuthFlows, AllowedOAuthFlows, AllowedOAuthFlowsUserPoolClient, AllowedOAuthScopes, CallbackURLs, SupportedIdentityProviders, PreventUserExistenceErrors, EnableTokenRevocation, region"
		vals = sqlString(name) + ", " + sqlString(orDots(pool)) + ", false, '[\"ALLOW_USER_SRP_AUTH\", \"ALLOW_REFRESH_TOKEN_AUTH\"]', '[\"code\"]', true, '[\"openid\", \"email\"]', '[\"http://localhost:3000/callback\"]', '[\"COGNITO\"]', 'ENABLED', true, " + sqlString(region)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Create a Cognito app client named %q (%s) in %s with the ccql tools.\n\n", name, kind, region)
	if pool == "" {
		fmt.Fprintf(&b, "1. Find the user pool: query `SELECT user_pool_id, user_pool_name FROM awscc.cognito.user_pools_list_only WHERE region = %s` (or the full table for names) and ask me which one; if there is none, offer `INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'my-pool', %s RETURNING Identifier`.\n", sqlString(region), sqlString(region))
	} else {
		fmt.Fprintf(&b, "1. Check the pool exists: `SELECT user_pool_id, user_pool_name FROM awscc.cognito.user_pools WHERE region = %s AND Identifier = %s`.\n", sqlString(region), sqlString(pool))
	}
	b.WriteString("2. Call describe_resource for awscc.cognito.user_pool_clients: columns marked required must be given, read-only ones cannot, create-only ones cannot change later.\n")
	fmt.Fprintf(&b, "3. Call plan_mutation with this statement and show me the request it would send:\n```sql\nINSERT INTO awscc.cognito.user_pool_clients (%s)\nSELECT %s\nRETURNING Identifier\n```\n", cols, vals)
	b.WriteString("4. When I agree, call run_mutation with the same statement (it is awaited). Report the final status, the client id (the second part of the identifier) and any AWS error.\n")
	fmt.Fprintf(&b, "5. Read it back: `SELECT client_id, client_name, allowed_oauth_flows, explicit_auth_flows FROM awscc.cognito.user_pool_clients WHERE region = %s AND Identifier = '<pool id>|<client id>'`. Never print client_secret in full.\n", sqlString(region))
	return userPrompt("Create a Cognito app client", b.String()), nil
}

func orDots(s string) string {
	if s == "" {
		return "<user pool id>"
	}
	return s
}

func (s *server) deployDrift(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	region := arg(req, "region", promptRegion)
	env := arg(req, "env", "dev")
	manifest := arg(req, "manifest", "")
	var b strings.Builder
	fmt.Fprintf(&b, "Find drift between this ccql deploy stack (environment %s, region %s) and what exists, with the ccql tools. Use only read-only tools; change nothing.\n\n", env, region)
	b.WriteString("The manifest (stackql-deploy format: globals, then resources with props; a prop's `values` map gives per-environment values; `{{ stack_name }}` and `{{ stack_env }}` are the manifest's name and the environment):\n```yaml\n")
	b.WriteString(manifest)
	b.WriteString("\n```\n\nFor each resource, in order:\n")
	b.WriteString("1. Work out its table (the resource's .iql file targets awscc.<service>.<resource>; for Cognito: user_pools, user_pool_clients) and its desired properties for this environment, rendering the templates.\n")
	b.WriteString("2. Find the live resource by its name or identifier, e.g.\n")
	fmt.Fprintf(&b, "```sql\nSELECT user_pool_id, user_pool_name FROM awscc.cognito.user_pools WHERE region = %s AND user_pool_name = '<stack>-%s-pool'\n```\n", sqlString(region), env)
	b.WriteString("   (prop names are snake_case columns; compare arrays and objects as JSON, ignoring order where the service does).\n")
	b.WriteString("3. Report a table: resource, property, desired, actual — only the differences; a resource that does not exist is drift too; properties the manifest does not set are not drift.\n")
	b.WriteString("4. Suggest the fix: `ccql deploy build <stack dir> " + env + "` re-applies the stack; or, for one property, an UPDATE … SET PatchDocument statement to run through plan_mutation and run_mutation.\n")
	return userPrompt("Drift of the "+env+" stack", b.String()), nil
}
