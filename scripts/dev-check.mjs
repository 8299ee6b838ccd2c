#!/usr/bin/env node
// `make dev` as a user meets it, checked by `make test`.
//
// Starts scripts/dev.sh on free ports (its own dynalite, never a server from the environment),
// waits for the lines it prints, then runs them as printed: every curl line must answer the
// status its comment names (200 unless the comment ends in ": <status>"), a /me answer must be
// the user the comment names, a /users/me answer a JSON:API `users` document; every
// `cargo lambda invoke` line must answer 200. Then Ctrl-C (SIGINT to the process group, as a
// terminal sends it): make dev must exit 0 within 30 s and leave nothing behind, neither a
// process nor a listening port.
//
// The curl lines are sent with fetch (a fresh machine need not have curl). The first request
// waits for `cargo lambda watch` to compile the function (minutes from a clean checkout);
// nothing else here depends on timing.
import { spawn, execFileSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const READY = 'Ctrl-C stops';
const BUILD_MS = 900_000;
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
// cargo-lambda lives in the project's venv (make tools), as for make dev itself.
process.env.PATH = `${path.join(root, '.venv/bin')}${path.delimiter}${process.env.PATH}`;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function listening(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

function groupAlive(pid) {
  try { process.kill(-pid, 0); return true; } catch { return false; }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Splits a printed shell line into words, as the shell would for these lines. */
function words(line) {
  const out = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const m of line.matchAll(pattern)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
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
  const apiPort = await freePort();
  const dynamoPort = await freePort();
  const env = { ...process.env, DEV_API_PORT: String(apiPort), DEV_DYNAMO_PORT: String(dynamoPort) };
  delete env.AWS_ENDPOINT_URL_DYNAMODB;
  const dev = spawn('./scripts/dev.sh', [], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  let exitCode = null;
  const exited = new Promise((resolve) => dev.on('exit', (code) => { exitCode = code; resolve(code); }));
  let ready;
  const started = new Promise((resolve) => { ready = resolve; });
  let pending = '';
  const collect = (chunk) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop();
    for (const line of parts) {
      lines.push(line);
      if (line.includes(READY)) ready();
    }
  };
  dev.stdout.setEncoding('utf8').on('data', collect);
  dev.stderr.setEncoding('utf8').on('data', collect);
  exited.then(() => ready());
  try {
    await Promise.race([started, sleep(BUILD_MS)]);
    assert(exitCode === null && lines.some((l) => l.includes(READY)), 'make dev did not start');
    // The lines are printed just before `cargo lambda watch` starts; wait for it to listen.
    const deadline = Date.now() + 60_000;
    while (!(await listening(apiPort)) && exitCode === null && Date.now() < deadline) await sleep(100);
    assert(await listening(apiPort), `nothing listens on port ${apiPort}`);
    const commands = printedCommands(lines);
    const curls = commands.filter(([, argv]) => argv[0] === 'curl');
    const invokes = commands.filter(([, argv]) => argv[0] === 'cargo');
    assert(curls.length >= 5 && invokes.length >= 2, `make dev printed ${JSON.stringify(commands)}`);
    const results = [];
    for (const [comment, argv] of curls) results.push(await checkCurl(comment, argv));
    for (const [, argv] of invokes) checkInvoke(argv);

    process.kill(-dev.pid, 'SIGINT');
    const code = await Promise.race([exited, sleep(30_000).then(() => 'timeout')]);
    assert(code === 0, `make dev exited ${code} on Ctrl-C`);
    const closedBy = Date.now() + 10_000;
    const leftovers = async () => groupAlive(dev.pid) || (await listening(apiPort)) || (await listening(dynamoPort));
    while ((await leftovers()) && Date.now() < closedBy) await sleep(100);
    assert(!groupAlive(dev.pid), 'a process make dev started outlived Ctrl-C');
    assert(!(await listening(apiPort)) && !(await listening(dynamoPort)), 'a port is still open');
    console.log(`make dev: ${curls.length} curl lines (${results.join(', ')}), ${invokes.length} invoke lines (200), `
      + `Ctrl-C: exit 0, ports ${apiPort} and ${dynamoPort} closed`);
  } catch (error) {
    console.error(lines.slice(-60).join('\n'));
    throw error;
  } finally {
    if (groupAlive(dev.pid)) process.kill(-dev.pid, 'SIGKILL');
  }
}

// Exit at once: the timeouts raced above would otherwise keep the process alive.
main().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });
