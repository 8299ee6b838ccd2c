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

port_free() {  # nothing accepts connections on 127.0.0.1:$1
  ! (exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
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
  # the pipe closes and dynalite exits with it. The log of an earlier run goes first, so the
  # wait below cannot read its `listening` line.
  rm -f .dev/dynalite.log
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

node scripts/dev-lines.mjs "$api_port" .dev/seed.json

cargo lambda watch --invoke-address "$api_address" --invoke-port "$api_port" &
watch_pid=$!
# Ctrl-C is how this is meant to end: stop the watch, report success to make. (dynalite ends with
# this script, see above; nothing runs after `wait` while the watch lives, so no EXIT trap.)
trap 'kill "$watch_pid" 2>/dev/null || true; wait "$watch_pid" 2>/dev/null || true; exit 0' INT TERM HUP
wait "$watch_pid"
