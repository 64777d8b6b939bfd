#!/usr/bin/env bash
# ccql sign-in example: a user pool, an app client and a user created in SQL,
# then a sign-in with the AWS CLI against `ccql serve`, offline.
#
#   examples/signin/signin.sh            (ccql and aws on PATH)
#   CCQL=bin/ccql examples/signin/signin.sh
#
# It starts its own `ccql serve` on a fresh data dir and stops it at the end.
set -euo pipefail

CCQL=${CCQL:-ccql}
ADDR=${ADDR:-127.0.0.1:4599}
EP="http://$ADDR"
# The emulator accepts any credentials unless it was given an auth file.
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

# 1. The pool, in SQL.
pool=$(sql "INSERT INTO awscc.cognito.user_pools (UserPoolName, region)
SELECT 'signin-example', 'us-east-1' RETURNING Identifier")

# 2. An app client that allows the password flow (the default allows SRP,
#    refresh and custom auth only). Its identifier is "<pool>|<client id>".
client=$(sql "INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, ExplicitAuthFlows, region)
SELECT '$pool', 'cli', '[\"ALLOW_USER_PASSWORD_AUTH\",\"ALLOW_REFRESH_TOKEN_AUTH\"]', 'us-east-1'
RETURNING Identifier")
client=${client#*|}

# 3. A user, as AdminCreateUser makes one: FORCE_CHANGE_PASSWORD with a
#    generated temporary password (SUPPRESS: no invitation in the outbox).
sql "INSERT INTO awscc.cognito.user_pool_users (UserPoolId, Username, UserAttributes, MessageAction, region)
SELECT '$pool', 'alice', '[{\"Name\":\"email\",\"Value\":\"alice@example.com\"},{\"Name\":\"email_verified\",\"Value\":\"true\"}]', 'SUPPRESS', 'us-east-1'" >/dev/null

# 4. Give alice a permanent password, then sign in with the AWS CLI.
aws --endpoint-url "$EP" cognito-idp admin-set-user-password \
	--user-pool-id "$pool" --username alice --password 'Corr3ct-horse!' --permanent
access=$(aws --endpoint-url "$EP" cognito-idp initiate-auth --client-id "$client" \
	--auth-flow USER_PASSWORD_AUTH --auth-parameters 'USERNAME=alice,PASSWORD=Corr3ct-horse!' \
	--query AuthenticationResult.AccessToken --output text)

# 5. The access token works with the user's own operations.
aws --endpoint-url "$EP" cognito-idp get-user --access-token "$access" \
	--query '[Username, UserAttributes[?Name==`email`].Value | [0]]' --output text

# 6. The pool's keys, for any JWT library: $EP/$pool/.well-known/jwks.json
echo "issuer: $EP/$pool"
