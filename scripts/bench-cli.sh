#!/usr/bin/env bash
# Benchmarks of the ccql command as a user runs it (issue 3): process cold
# start for SHOW SERVICES and DESCRIBE, one SELECT by Identifier on the
# embedded backend (median wall time and peak RSS over repeated runs), and
# SELECT count(*) over 10,000 clients in 10 pools.
# Needs hyperfine (apt-get install hyperfine) and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-30}
bin=bin/ccql
CGO_ENABLED=0 go build -trimpath -o "$bin" ./cmd/ccql
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export CCQL_DATA_DIR=$dir

pool=$($bin exec -o text --wait "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'bench', 'us-east-1' RETURNING Identifier")
id=$($bin exec -o text --wait "INSERT INTO awscc.cognito.user_pool_clients (UserPoolId, ClientName, region) SELECT '$pool', 'c', 'us-east-1' RETURNING Identifier" | cut -f1)

peak_rss() { # median peak RSS in MB over 5 runs
	for _ in 1 2 3 4 5; do /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; done | sort -n | sed -n 3p | awk '{printf "%.1f MB", $1/1024}'
}
measure() { # name, statement
	local json; json=$(mktemp)
	hyperfine -N --warmup 3 --runs "$runs" --export-json "$json" "$bin exec \"$2\"" >/dev/null 2>&1
	local median; median=$(python3 -c "import json,sys; r=json.load(open('$json'))['results'][0]; print('%.1f ms' % (r['median']*1000))")
	printf '| %s | %s | %s |\n' "$1" "$median" "$(peak_rss $bin exec "$2")"
	rm -f "$json"
}
echo "| what | median wall | peak RSS |"
echo "|---|---|---|"
measure "SHOW SERVICES IN awscc" "SHOW SERVICES IN awscc"
measure "DESCRIBE awscc.cognito.user_pool_clients" "DESCRIBE awscc.cognito.user_pool_clients"
measure "DESCRIBE awscc.quicksight.analyses (largest schema)" "DESCRIBE awscc.quicksight.analyses"
measure "SELECT by Identifier (embedded)" "SELECT client_name FROM awscc.cognito.user_pool_clients WHERE region = 'us-east-1' AND Identifier = '$id'"
echo
echo "10,000 clients in 10 pools (go test -bench CountClients):"
go test -run '^$' -bench 'CountClients' -benchtime 3x . | grep -E '^Benchmark'
