#!/usr/bin/env bash
# make dev: the API on this machine, on its own in-memory DynamoDB-compatible server.
#
#  1. starts dynalite on 127.0.0.1:${DEV_DYNAMO_PORT:-8000}, unless AWS_ENDPOINT_URL_DYNAMODB is
#     already set (then that server is used: DynamoDB Local, or AWS itself);
#  2. creates the table and seeds the demo data (admin CLI);
#  3. prints curl lines that work against that data;
#  4. runs `cargo lambda watch` on port ${DEV_API_PORT:-9000} with the routes at their production
#     paths (the watch router in the workspace Cargo.toml). It listens on ${DEV_API_ADDRESS:-::},
#     cargo-lambda's own default (IPv4 and IPv6, so both `curl http://127.0.0.1:9000` and
#     `cargo lambda invoke`, which calls [::1], reach it). DEV_API_ADDRESS=127.0.0.1 keeps it off
#     other interfaces; `cargo lambda invoke` then needs `--invoke-address 127.0.0.1`.
# Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

dynamo_port=${DEV_DYNAMO_PORT:-8000}
api_port=${DEV_API_PORT:-9000}
api_address=${DEV_API_ADDRESS:-::}
export TABLE_NAME=${TABLE_NAME:-current-user-dev}
mkdir -p .dev

port_free() {
  python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) else 1)' "$1"
}

if ! port_free "$api_port"; then
  echo "make dev: port $api_port is in use; stop what runs there or set DEV_API_PORT" >&2
  exit 1
fi

if [ -z "${AWS_ENDPOINT_URL_DYNAMODB:-}" ]; then
  if ! port_free "$dynamo_port"; then
    echo "make dev: port $dynamo_port is in use; set DEV_DYNAMO_PORT, or AWS_ENDPOINT_URL_DYNAMODB to use that server" >&2
    exit 1
  fi
  # dynalite reads its stdin from this script's fd 3: when the script ends, however it ends,
  # the pipe closes and dynalite exits with it.
  exec 3> >(exec node scripts/dynalite-server.js "$dynamo_port" > .dev/dynalite.log 2>&1)
  export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$dynamo_port"
  export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-local} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-local}
  export AWS_REGION=${AWS_REGION:-us-east-1}
  for _ in $(seq 1 100); do
    grep -q listening .dev/dynalite.log 2>/dev/null && break
    sleep 0.1
  done
  grep -q listening .dev/dynalite.log || { echo "make dev: dynalite did not start:" >&2; cat .dev/dynalite.log >&2; exit 1; }
  echo "dynalite (in memory) on $AWS_ENDPOINT_URL_DYNAMODB"
else
  echo "using the DynamoDB server at $AWS_ENDPOINT_URL_DYNAMODB"
  case "$AWS_ENDPOINT_URL_DYNAMODB" in
    http://127.*|http://localhost*|http://\[::1\]*)
      # A local server accepts any credentials; AWS itself gets the user's own.
      export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-local} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-local}
      export AWS_REGION=${AWS_REGION:-us-east-1} ;;
  esac
fi

echo "building (the first build from a clean checkout takes a few minutes)..."
cargo build -q -p admin -p get-me -p get-users-me
admin=target/debug/admin
"$admin" create-table --json > /dev/null
"$admin" seed --json > .dev/seed.json
echo "table $TABLE_NAME created and seeded (.dev/seed.json)"

python3 - "$api_port" <<'PY'
import json, sys
port = sys.argv[1]
seed = json.load(open(".dev/seed.json"))
ada, grace = seed["users"]
base = f"http://127.0.0.1:{port}"
print(f"""
The API is starting on {base}. Try:

  # GET /me with the session cookie ({ada['email']})
  curl -i --cookie "__session={ada['token']}" {base}/me

  # GET /me with a bearer token ({grace['email']})
  curl -i -H "Authorization: Bearer {grace['token']}" {base}/me

  # GET /me without a credential: 401
  curl -i {base}/me

  # GET /users/me with a bearer token (JSON:API)
  curl -i -H "X-Domain: {seed['tenant_id']}" -H "Authorization: Bearer {ada['token']}" {base}/users/me

  # GET /users/me with the demo API key, profile included
  curl -i -H "X-Domain: {seed['tenant_id']}" -H "X-API-KEY: {seed['api_key']['key']}" -H "X-API-SECRET: {seed['api_key']['secret']}" "{base}/users/me?include=profile"

  # the same through the Lambda event files
  cargo lambda invoke get-me --invoke-port {port} --data-file events/get-me.json
  cargo lambda invoke get-users-me --invoke-port {port} --data-file events/get-users-me-include-profile.json

Ctrl-C stops the API and the local DynamoDB server.
""")
PY

cargo lambda watch --invoke-address "$api_address" --invoke-port "$api_port" &
watch_pid=$!
# Ctrl-C is how this is meant to end: stop the watch, report success to make. (dynalite ends with
# this script, see above; nothing runs after `wait` while the watch lives, so no EXIT trap.)
trap 'kill "$watch_pid" 2>/dev/null || true; wait "$watch_pid" 2>/dev/null || true; exit 0' INT TERM HUP
wait "$watch_pid"
