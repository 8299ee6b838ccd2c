#!/usr/bin/env bash
# make load: 60 s at 32 connections over both routes and every auth path, against `make dev`
# (run it in another terminal first). Prints wrk's figures, the error count, and the
# functions' resident memory before and after. Exits non-zero on any error or RSS growth over
# LOAD_MAX_RSS_GROWTH_KB (default 512).
set -euo pipefail
cd "$(dirname "$0")/.."
base=${LOAD_URL:-http://127.0.0.1:${DEV_API_PORT:-9000}}
duration=${LOAD_DURATION:-60s}
connections=${LOAD_CONNECTIONS:-32}
max_growth_kb=${LOAD_MAX_RSS_GROWTH_KB:-512}

[ -f .dev/seed.json ] || { echo "make load: run 'make dev' first (no .dev/seed.json)" >&2; exit 1; }
curl -fsS -o /dev/null --cookie "__session=$(python3 -c 'import json;print(json.load(open(".dev/seed.json"))["users"][0]["token"])')" "$base/me" \
  || { echo "make load: $base/me does not answer 200; is 'make dev' running?" >&2; exit 1; }
eval "$(python3 - <<'PY'
import json, shlex
s = json.load(open(".dev/seed.json"))
for name, value in [("LOAD_TENANT", s["tenant_id"]), ("LOAD_TOKEN_ADA", s["users"][0]["token"]),
                    ("LOAD_TOKEN_GRACE", s["users"][1]["token"]), ("LOAD_API_KEY", s["api_key"]["key"]),
                    ("LOAD_API_SECRET", s["api_key"]["secret"])]:
    print(f"export {name}={shlex.quote(value)}")
PY
)"
# cargo lambda watch builds and starts a function on its first request: start both before the
# warm-up, so that the RSS measured before the run is both processes'.
curl -fsS -o /dev/null -H "X-Domain: $LOAD_TENANT" -H "X-API-KEY: $LOAD_API_KEY" \
  -H "X-API-SECRET: $LOAD_API_SECRET" "$base/users/me" \
  || { echo "make load: $base/users/me does not answer 200" >&2; exit 1; }

rss_kb() {  # total VmRSS of the function processes cargo lambda watch runs
  local total=0
  for pid in $(pgrep -f 'target/[a-z]+/get-(users-)?me$' || true); do
    total=$((total + $(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

echo "warming up (5 s)..."
wrk -t2 -c"$connections" -d5s -s scripts/load.lua "$base" > /dev/null
before=$(rss_kb)
echo "load: $duration at $connections connections, 5 request kinds over /me and /users/me"
out=$(wrk -t2 -c"$connections" -d"$duration" --latency -s scripts/load.lua "$base")
echo "$out"
after=$(rss_kb)
echo "functions' RSS: before ${before} kB, after ${after} kB, growth $((after - before)) kB"
errors=$(echo "$out" | awk '/^requests:/ {gsub(",", ""); print $4 + $7}')
[ "${errors:-1}" -eq 0 ] || { echo "make load: $errors errors" >&2; exit 1; }
[ $((after - before)) -le "$max_growth_kb" ] || { echo "make load: RSS grew by more than $max_growth_kb kB" >&2; exit 1; }
echo "make load: 0 errors"
