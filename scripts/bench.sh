#!/usr/bin/env bash
# make bench: builds the release bootstraps, measures them as Lambda runs them (tools/bench),
# measures in-process costs (criterion: shared/auth/benches, functions/*/benches), and prints one markdown report,
# also written to BENCHMARKS.md with the machine's description and the date.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
out=$(mktemp -d)

# Two profiles are measured: `release` (opt-level "s", what ships) and `release-o3`
# (opt-level 3), so the choice between them rests on init, latency and size together.
profiles="${BENCH_PROFILES:-release release-o3}"
# The variant (BENCH_VARIANT=none skips it): the release bootstraps of another commit,
# BENCH_BASELINE (default 76b8d93, the last commit before the HTTP layers, the one
# configuration and the typed documents), built in a worktree of their own and measured in the
# same interleaved rounds as what ships: a paired comparison, the fair test on a shared machine.
# Their arm64 sizes go beside the current ones at the end of the report.
baseline=${BENCH_BASELINE:-76b8d93}
first_variant=${BENCH_VARIANT-before-$baseline}
[ "$first_variant" = none ] && first_variant=
if [ -n "$first_variant" ]; then
  echo "building the release bootstraps of $baseline (x86_64, then arm64)..." >&2
  source_dir="$out/baseline-source"
  git worktree add --quiet --detach "$source_dir" "$baseline"
  (cd "$source_dir" && CARGO_TARGET_DIR="$PWD/../baseline-target" cargo build --profile release -q -p get-me -p get-users-me \
    && CARGO_TARGET_DIR="$PWD/../baseline-target" cargo lambda build --release --arm64 --output-format zip \
      --lambda-dir "$out/baseline-lambda" -p get-me -p get-users-me >&2)
  mkdir -p "$out/variant-$first_variant" "$out/arm64-$first_variant"
  cp "$out/baseline-target/release/get-me" "$out/baseline-target/release/get-users-me" "$out/variant-$first_variant/"
  for f in get-me get-users-me; do
    unzip -p "$out/baseline-lambda/$f/bootstrap.zip" bootstrap > "$out/arm64-$first_variant/$f"
  done
  git worktree remove --force "$source_dir"
fi

# The floor (tools/bench-floor) is built with the same profile. The peer is measured when
# BENCH_PEER names its bootstrap (tools/bench/src/side_by_side.rs says why it is not built here),
# from a copy, as the functions are.
if [ -n "${BENCH_PEER:-}" ]; then
  mkdir -p "$out/peer"
  cp "$BENCH_PEER" "$out/peer/bootstrap"
  export BENCH_PEER="$out/peer/bootstrap"
fi
for profile in $profiles; do
  lambda_dir=target/lambda
  [ "$profile" = release ] || lambda_dir="target/lambda-$profile"
  echo "building $profile bootstraps (x86_64, then arm64)..." >&2
  cargo build --profile "$profile" -q -p get-me -p get-users-me -p bench-floor
  cargo lambda build --profile "$profile" --arm64 --output-format zip --lambda-dir "$lambda_dir" \
    -p get-me -p get-users-me -p bench-floor >&2
  mkdir -p "$out/arm64-$profile"
  for f in get-me get-users-me bench-floor; do
    unzip -p "$lambda_dir/$f/bootstrap.zip" bootstrap > "$out/arm64-$profile/$f"
  done
  # Measured from copies, as the variant's and the peer's are: the file cargo wrote (and
  # hard-linked) is mapped with more page faults than a copy of it, which showed as init.
  mkdir -p "$out/x86_64-$profile"
  cp "target/$profile/get-me" "target/$profile/get-users-me" "target/$profile/bench-floor" "$out/x86_64-$profile/"
  echo "measuring the $profile bootstraps under a local Runtime API..." >&2
  variant_env=()
  if [ "$profile" = release ] && [ -n "$first_variant" ]; then
    variant_env=(BENCH_VARIANT="$first_variant" BENCH_VARIANT_DIR="$out/variant-$first_variant")
  fi
  env "${variant_env[@]}" BENCH_ARM64_DIR="$out/arm64-$profile" \
    cargo run -q --release -p bench -- "$out/x86_64-$profile" > "$out/harness-$profile.md"
done

# Instructions per warm invocation under callgrind: what the CPU-time medians cannot resolve on
# a shared machine (tools/bench/src/instructions.rs). The release bootstraps, the floor, the peer.
echo "counting instructions per warm invocation (callgrind)..." >&2
variant_env=()
[ -n "$first_variant" ] && variant_env=(BENCH_VARIANT="$first_variant" BENCH_VARIANT_DIR="$out/variant-$first_variant")
env "${variant_env[@]}" cargo run -q --release -p bench -- --instructions "$out/x86_64-release" > "$out/instructions.md"

echo "measuring in-process costs (criterion)..." >&2
# The benches live beside what they time: auth (token verification, the secret check) and each
# function (rendering, request parsing, the whole handler over the in-memory demo store).
cargo bench -q -p auth -p get-me -p get-users-me --bench verify --bench handler -- --noplot 2>/dev/null > "$out/criterion.txt"

echo "measuring key heat (10,000 requests of 1,000 users per route, through the counting proxy)..." >&2
cargo test -q -p get-me -p get-users-me --test key_heat -- --nocapture 2>&1 | grep 'requests in' > "$out/heat.txt"

node scripts/bench-report.mjs "$out" $profiles > "$out/report.md"
# The reading of the figures (targets, what dominates, what was tried) is kept by hand.
if [ -n "$first_variant" ]; then
  {
    echo
    echo "#### arm64 sizes beside $first_variant"
    echo
    echo "| function | $first_variant (bytes) | now (bytes) | now ÷ $first_variant |"
    echo "|---|---|---|---|"
    for f in get-me get-users-me; do
      before=$(stat -c %s "$out/arm64-$first_variant/$f") now=$(stat -c %s "$out/arm64-release/$f")
      echo "| $f | $before | $now | $(awk -v a="$now" -v b="$before" 'BEGIN { printf "%.3f", a / b }') |"
    done
  } >> "$out/report.md"
fi
cat tools/bench/ANALYSIS.md >> "$out/report.md"
cat "$out/report.md"
cp "$out/report.md" BENCHMARKS.md
echo "written to BENCHMARKS.md" >&2
