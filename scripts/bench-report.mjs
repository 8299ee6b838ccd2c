#!/usr/bin/env node
// `make bench`'s report: sizes, the harness's tables and criterion's medians, as markdown on
// stdout. Usage: bench-report.mjs <output folder of scripts/bench.sh> <profile>...
import { readFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';

const [out, ...profiles] = process.argv.slice(2);
const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m) || [])[1] || os.arch();
const gib = Math.round(os.totalmem() / 2 ** 30);
const today = new Date().toISOString().slice(0, 10);
const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;
/** The uncompressed size of `bootstrap` in a zip (unzip -l lists it). */
const bootstrapSize = (zip) => Number(execFileSync('unzip', ['-l', zip], { encoding: 'utf8' })
  .split('\n').find((l) => / bootstrap$/.test(l)).trim().split(/\s+/)[0]);

const lines = [
  '# Benchmarks', '',
  `Measured ${today} on ${os.cpus().length} cores (${cpu}), ${gib} GiB, ${os.type()} ${os.release()}; \`make bench\` regenerates this file.`, '',
  '## Sizes (stripped)', '',
  '| profile | function | x86_64 bootstrap | arm64 bootstrap | arm64 zip |',
  '|---|---|---|---|---|',
];
for (const p of profiles) {
  const lambdaDir = p === 'release' ? 'target/lambda' : `target/lambda-${p}`;
  for (const f of ['get-me', 'get-users-me']) {
    const zip = `${lambdaDir}/${f}/bootstrap.zip`;
    lines.push(`| \`${p}\` | ${f} | ${mb(statSync(`target/${p}/${f}`).size)} | ${mb(bootstrapSize(zip))} | ${mb(statSync(zip).size)} |`);
  }
}
lines.push('', '## The bootstraps under a local Runtime API', '',
  'Init is process start to the first poll of the Runtime API; latencies are from handing out the '
  + 'event to receiving the response, against dynalite on loopback (straight, no proxy in between); keys '
  + 'come from a JWKS endpoint on loopback (fetched during the first invocation).', '');
for (const p of profiles) {
  lines.push(`### \`${p}\` profile (x86_64)`, '', readFileSync(`${out}/harness-${p}.md`, 'utf8'));
}
lines.push('### Instructions per warm invocation (`release`, callgrind)', '',
  'User-space instructions counted by valgrind: they move by a fraction of a percent between runs, '
  + 'where CPU time on this shared machine moves by 5-10 %, so a lever of a few percent shows here. '
  + 'The kernel\'s share (system calls, loopback TCP) is not counted; under valgrind SHA-256 runs its '
  + 'portable code (valgrind hides SHA-NI), so signing weighs more here than on the CPU.', '',
  readFileSync(`${out}/instructions.md`, 'utf8'));
lines.push('## Key heat (one tenant, 1,000 users)', '',
  "Each route's `tests/key_heat.rs`: the partition key of every item each request read, as the counting "
  + "proxy saw it. The ceiling is the tenant's requests a second before its hottest partition key meets "
  + "DynamoDB's 3,000 strongly consistent reads a second. Before the partition per user, session and key, "
  + "every request read the tenant's one partition `TENANT#<id>` three times (tenant, session, user): about "
  + '1,000 requests a second per tenant. The ceiling counts the partition limit only: an on-demand '
  + "table's default of 40,000 read units a second, and the account's Lambda concurrency, come first.", '');
for (const line of readFileSync(`${out}/heat.txt`, 'utf8').split('\n').filter(Boolean)) lines.push(`- ${line.trim()}`);
lines.push('');
lines.push('## In-process cost (criterion, no I/O)', '', '| benchmark | time (median estimate) |', '|---|---|');
const criterion = readFileSync(`${out}/criterion.txt`, 'utf8');
for (const m of criterion.matchAll(/^(\S.*?)\s+time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]/gm)) {
  lines.push(`| ${m[1].trim()} | ${m[2]} ${m[3]} |`);
}
console.log(lines.join('\n'));
