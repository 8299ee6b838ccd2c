#!/usr/bin/env node
// `make dev` as a user meets it, checked by `make test`.
//
// Starts scripts/dev.sh on free ports (its own dynalite, never a server from the environment),
// waits for the lines it prints, then runs them as printed: every curl line must answer the
// status its comment names (200 unless the comment ends in ": <status>"), a /me answer must be
// the user the comment names, a /users/me answer a JSON:API `users` document; every
// `cargo lambda invoke` line must answer 200. Then, against the same running API (scripts/checks/):
// a JSON:API client from npm (kitsu-core), hostile preflights over HTTP, schemathesis with every
// check, and headless Chromium on two origins of one site. Then Ctrl-C (SIGINT to the process
// group, as a terminal sends it): make dev must exit 0 within 30 s and leave nothing behind,
// neither a process nor a listening port.
//
// The curl lines are sent with fetch (a fresh machine need not have curl). The first request
// waits for `cargo lambda watch` to compile the function (minutes from a clean checkout);
// nothing else here depends on timing.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkBrowser } from './checks/browser.mjs';
import { BUILD_MS, assert, startDev } from './checks/dev-process.mjs';
import { checkJsonApiClient } from './checks/jsonapi-client.mjs';
import { checkPreflights } from './checks/preflights.mjs';
import { checkSchemathesis } from './checks/schemathesis.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
// cargo-lambda lives in the project's venv (make tools), as for make dev itself.
process.env.PATH = `${path.join(root, '.venv/bin')}${path.delimiter}${process.env.PATH}`;

/** Splits a printed shell line into words, as the shell would for these lines. */
function words(line) {
  const out = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const m of line.matchAll(pattern)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/**
 * The metric lines make dev printed (CloudWatch embedded metric format, as deployed): each
 * parses, is in the default namespace, has only the route, the status class and the code as
 * dimensions, and a number for each metric it declares. Returns how many there were.
 */
function checkMetricLines(lines) {
  const metricLines = lines.filter((l) => l.includes('{"_aws"')).map((l) => JSON.parse(l.slice(l.indexOf('{"_aws"'))));
  for (const line of metricLines) {
    for (const directive of line._aws.CloudWatchMetrics) {
      assert(directive.Namespace === 'CurrentUserApi', JSON.stringify(line));
      for (const key of directive.Dimensions.flat()) {
        assert(['Route', 'StatusClass', 'Code'].includes(key) && typeof line[key] === 'string', JSON.stringify(line));
      }
      for (const { Name } of directive.Metrics) assert(typeof line[Name] === 'number', JSON.stringify(line));
    }
    assert(['GET /me', 'GET /users/me'].includes(line.Route), JSON.stringify(line));
  }
  return metricLines.length;
}

/** [comment, argv] for each command line make dev printed, with the comment above it. */
function printedCommands(lines) {
  const commands = [];
  let comment = '';
  for (const line of lines) {
    const text = line.trim();
    if (text.startsWith('# ')) comment = text.slice(2);
    else if (text.startsWith('curl ') || text.startsWith('cargo lambda invoke ')) commands.push([comment, words(text)]);
  }
  return commands;
}

/** The request a printed `curl -i [--cookie C] [-H 'N: V']... URL` line sends. */
function curlRequest(argv) {
  const headers = {};
  let url;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-i') continue;
    if (arg === '--cookie') headers.Cookie = argv[++i];
    else if (arg === '-H') {
      const [name, ...value] = argv[++i].split(': ');
      headers[name] = value.join(': ');
    } else if (arg.startsWith('-')) throw new Error(`the check does not know curl's ${arg}`);
    else url = arg;
  }
  return { url, headers };
}

async function checkCurl(comment, argv) {
  const { url, headers } = curlRequest(argv);
  const answer = await fetch(url, { headers, signal: AbortSignal.timeout(BUILD_MS) });
  const body = await answer.text();
  const named = comment.match(/: (\d{3})$/);
  const expected = named ? Number(named[1]) : 200;
  assert(answer.status === expected, `${comment}: ${answer.status}, not ${expected}: ${body}`);
  if (answer.status !== 200) return String(answer.status);
  if (url.includes('/users/me')) {
    const type = answer.headers.get('content-type');
    assert(type === 'application/vnd.api+json', type);
    assert(JSON.parse(body).data.type === 'users', body);
  } else {
    const email = comment.match(/\(([^()]+@[^()]+)\)/);
    assert(email, `the comment of a 200 /me line names its user: ${comment}`);
    assert(JSON.parse(body).data.primary_email_address.email === email[1], body);
  }
  return '200';
}

function checkInvoke(argv) {
  const out = execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: BUILD_MS });
  const status = JSON.parse(out).statusCode;
  assert(status === 200, `${argv.join(' ')}: ${out}`);
  return '200';
}

async function main() {
  const dev = await startDev(root);
  const { apiPort, dynamoPort, lines } = dev;
  try {
    const commands = printedCommands(lines);
    const curls = commands.filter(([, argv]) => argv[0] === 'curl');
    const invokes = commands.filter(([, argv]) => argv[0] === 'cargo');
    assert(curls.length >= 5 && invokes.length >= 2, `make dev printed ${JSON.stringify(commands)}`);
    const results = [];
    for (const [comment, argv] of curls) results.push(await checkCurl(comment, argv));
    for (const [, argv] of invokes) checkInvoke(argv);
    const metricLines = checkMetricLines(lines);
    assert(metricLines >= curls.length, `make dev printed ${metricLines} metric lines for ${curls.length} requests`);
    const base = `http://127.0.0.1:${apiPort}`;
    const seed = JSON.parse(readFileSync(path.join(root, '.dev/seed.json'), 'utf8'));
    const checks = [
      await checkJsonApiClient(base, seed),
      await checkPreflights(base),
      await checkSchemathesis(root, base, seed),
      await checkBrowser(apiPort, seed),
    ];
    await dev.stop();
    console.log(`make dev: ${curls.length} curl lines (${results.join(', ')}), ${invokes.length} invoke lines (200), `
      + `${metricLines} metric lines, Ctrl-C: exit 0, ports ${apiPort} and ${dynamoPort} closed`);
    for (const line of checks) console.log(`make dev: ${line}`);
  } catch (error) {
    console.error(lines.slice(-60).join('\n'));
    throw error;
  } finally {
    dev.kill();
  }
}

// Exit at once: the timeouts raced above would otherwise keep the process alive.
main().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });
