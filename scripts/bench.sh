#!/usr/bin/env bash
# make bench: builds the release bootstraps, measures them as Lambda runs them (tools/bench),
# measures in-process costs (criterion, tools/bench/benches), and prints one markdown report,
# also written to BENCHMARKS.md with the machine's description and the date.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
out=$(mktemp -d)

# Two profiles are measured: `release` (opt-level "s", what ships) and `release-o3`
# (opt-level 3), so the choice between them rests on init, latency and size together.
profiles="${BENCH_PROFILES:-release release-o3}"
for profile in $profiles; do
  lambda_dir=target/lambda
  [ "$profile" = release ] || lambda_dir="target/lambda-$profile"
  echo "building $profile bootstraps (x86_64, then arm64)..." >&2
  cargo build --profile "$profile" -q -p get-me -p get-users-me
  cargo lambda build --profile "$profile" --arm64 --output-format zip --lambda-dir "$lambda_dir" \
    -p get-me -p get-users-me >&2
  echo "measuring the $profile bootstraps under a local Runtime API..." >&2
  cargo run -q --release -p bench -- "target/$profile" > "$out/harness-$profile.md"
done

echo "measuring in-process costs (criterion)..." >&2
cargo bench -q -p bench --bench in_process -- --noplot 2>/dev/null > "$out/criterion.txt" || \
  cargo bench -q -p bench --bench in_process > "$out/criterion.txt"

python3 - "$out" $profiles <<'PY' > "$out/report.md"
import os, re, subprocess, sys, zipfile, datetime, platform
out, profiles = sys.argv[1], sys.argv[2:]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
mem_kb = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")))
print(f"# Benchmarks\n\nMeasured {datetime.date.today()} on {os.cpu_count()} cores ({cpu}), "
      f"{mem_kb / 1048576:.0f} GiB, {platform.system()} {platform.release()}; `make bench` regenerates this file.\n")
print("## Sizes (stripped)\n")
print("| profile | function | x86_64 bootstrap | arm64 bootstrap | arm64 zip |")
print("|---|---|---|---|---|")
for p in profiles:
    lambda_dir = "target/lambda" if p == "release" else f"target/lambda-{p}"
    for f in ["get-me", "get-users-me"]:
        x86 = os.path.getsize(f"target/{p}/{f}")
        z = f"{lambda_dir}/{f}/bootstrap.zip"
        arm = zipfile.ZipFile(z).getinfo("bootstrap").file_size
        print(f"| `{p}` | {f} | {x86/1e6:.2f} MB | {arm/1e6:.2f} MB | {os.path.getsize(z)/1e6:.2f} MB |")
print("\n## The bootstraps under a local Runtime API\n")
print("Init is process start to the first poll of the Runtime API; latencies are from handing out the "
      "event to receiving the response, against dynalite on loopback (straight, no proxy in between); keys "
      "come from a JWKS endpoint on loopback (fetched during the first invocation).\n")
for p in profiles:
    print(f"### `{p}` profile (x86_64)\n")
    print(open(f"{out}/harness-{p}.md").read())
print("## In-process cost (criterion, no I/O)\n")
print("| benchmark | time (median estimate) |")
print("|---|---|")
text = open(f"{out}/criterion.txt").read()
for name, mid, unit in re.findall(r"^(\S.*?)\s+time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", text, re.M):
    print(f"| {name.strip()} | {mid} {unit} |")
PY
# The reading of the figures (targets, what dominates, what was tried) is kept by hand.
cat tools/bench/ANALYSIS.md >> "$out/report.md"
cat "$out/report.md"
cp "$out/report.md" BENCHMARKS.md
echo "written to BENCHMARKS.md" >&2
