#!/usr/bin/env bash
# ccql OAuth example: a pool with a domain, a web app client and a user,
# created in SQL; then an authorization code + PKCE sign-in through the
# hosted UI from the command line (examples/oauth/main.go), which prints the
# verified ID token's claims. Offline, against a `ccql serve` it starts.
#
#   examples/oauth/run.sh                 (ccql, aws and go on PATH; run from the repository)
#   CCQL=bin/ccql examples/oauth/run.sh
#   BROWSER=1 examples/oauth/run.sh       (sign in yourself in a browser)
set -euo pipefail

CCQL=${CCQL:-ccql}
ADDR=${ADDR:-127.0.0.1:4598}
CALLBACK=${CALLBACK:-127.0.0.1:8400}
EP="http://$ADDR"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""

data=$(mktemp -d)
"$CCQL" serve --addr "$ADDR" --data-dir "$data" --log-level warn &
serve=$!
trap 'kill "$serve" 2>/dev/null; wait "$serve" 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do
	(exec 3<>"/dev/tcp/${ADDR%:*}/${ADDR#*:}") 2>/dev/null && break
	sleep 0.1
done

sql() { "$CCQL" exec --endpoint "$EP" -o text --wait "$1"; }

# 1. The pool and its domain: the OAuth endpoints exist only with a domain.
pool=$(sql "INSERT INTO awscc.cognito.user_pools (UserPoolName, region)
SELECT 'oauth-example', 'us-east-1' RETURNING Identifier")
sql "INSERT INTO awscc.cognito.user_pool_domains (UserPoolId, Domain, region)
SELECT '$pool', 'oauth-example', 'us-east-1'" >/dev/null

# 2. A public web client for the code flow; its callback is the example's listener.
client=$(sql "INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, AllowedOAuthFlows,
  AllowedOAuthFlowsUserPoolClient, AllowedOAuthScopes, CallbackURLs, SupportedIdentityProviders, region)
SELECT '$pool', 'web', '[\"code\"]', true, '[\"openid\",\"email\"]', '[\"http://$CALLBACK/callback\"]', '[\"COGNITO\"]', 'us-east-1'
RETURNING Identifier")
client=${client#*|}

# 3. A user, and (AWS CLI) a permanent password for it.
sql "INSERT INTO awscc.cognito.user_pool_users (UserPoolId, Username, UserAttributes, MessageAction, region)
SELECT '$pool', 'alice', '[{\"Name\":\"email\",\"Value\":\"alice@example.com\"},{\"Name\":\"email_verified\",\"Value\":\"true\"}]', 'SUPPRESS', 'us-east-1'" >/dev/null
aws --endpoint-url "$EP" cognito-idp admin-set-user-password \
	--user-pool-id "$pool" --username alice --password 'Corr3ct-horse!' --permanent

# 4. The sign-in: code + PKCE, the ID token verified against the pool's JWKS.
if [ -n "${BROWSER:-}" ]; then
	go run ./examples/oauth -issuer "$EP/$pool" -client-id "$client" -listen "$CALLBACK"
else
	go run ./examples/oauth -issuer "$EP/$pool" -client-id "$client" -listen "$CALLBACK" \
		-username alice -password 'Corr3ct-horse!'
fi
