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
seed() { node -p "require('./.dev/seed.json').$1"; }
tenant=$(seed tenant_id) ada=$(seed 'users[0].token') grace=$(seed 'users[1].token')
key=$(seed api_key.key) secret=$(seed api_key.secret)
curl -fsS -o /dev/null --cookie "__session=$ada" "$base/me" \
  || { echo "make load: $base/me does not answer 200; is 'make dev' running?" >&2; exit 1; }
# cargo lambda watch builds and starts a function on its first request: start both before the
# warm-up, so that the RSS measured before the run is both processes'.
curl -fsS -o /dev/null -H "X-Domain: $tenant" -H "X-API-KEY: $key" -H "X-API-SECRET: $secret" "$base/users/me" \
  || { echo "make load: $base/users/me does not answer 200" >&2; exit 1; }

rss_kb() {  # total VmRSS of the function processes cargo lambda watch runs
  local total=0
  for pid in $(pgrep -f 'target/[a-z]+/get-(users-)?me$' || true); do
    total=$((total + $(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# The five request kinds (both routes, every auth path), each driven by a wrk of its own with a
# fifth of the connections, all at once.
kinds=(
  "/me|Cookie: __session=$ada"
  "/me|Authorization: Bearer $grace"
  "/users/me|X-Domain: $tenant|Authorization: Bearer $ada"
  "/users/me|X-Domain: $tenant|X-API-KEY: $key|X-API-SECRET: $secret"
  "/users/me?include=profile|X-Domain: $tenant|X-API-KEY: $key|X-API-SECRET: $secret"
)
per_kind=$(( (connections + ${#kinds[@]} - 1) / ${#kinds[@]} ))
run_all() {  # $1: duration, $2: output folder
  local i=0 kind path args
  for kind in "${kinds[@]}"; do
    IFS='|' read -r path rest <<< "$kind"
    args=()
    IFS='|' read -ra headers <<< "$rest"
    for header in "${headers[@]}"; do args+=(-H "$header"); done
    wrk -t1 -c"$per_kind" -d"$1" --latency "${args[@]}" "$base$path" > "$2/$i.txt" &
    i=$((i + 1))
  done
  wait
}

out=$(mktemp -d)
echo "warming up (5 s)..."
run_all 5s "$out"
before=$(rss_kb)
echo "load: $duration at ${#kinds[@]}x$per_kind connections, ${#kinds[@]} request kinds over /me and /users/me"
run_all "$duration" "$out"
total=0 errors=0
for i in "${!kinds[@]}"; do
  echo "== ${kinds[$i]%%|*}"
  grep -E 'requests in|Latency|50%|99%|Non-2xx|Socket errors' "$out/$i.txt"
  total=$((total + $(awk '/requests in/ {print $1}' "$out/$i.txt")))
  if grep -qE 'Non-2xx|Socket errors' "$out/$i.txt"; then errors=$((errors + 1)); fi
done
after=$(rss_kb)
echo "requests: $total; functions' RSS: before ${before} kB, after ${after} kB, growth $((after - before)) kB"
[ "$errors" -eq 0 ] || { echo "make load: $errors request kinds had errors" >&2; exit 1; }
[ $((after - before)) -le "$max_growth_kb" ] || { echo "make load: RSS grew by more than $max_growth_kb kB" >&2; exit 1; }
echo "make load: 0 errors"
