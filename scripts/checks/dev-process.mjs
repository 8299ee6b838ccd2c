// `make dev` (scripts/dev.sh) as a child process group: started on free ports with its own
// dynalite, waited for until its API listens, and stopped with Ctrl-C (SIGINT to the group, as
// a terminal sends it), which must end it with exit 0 and leave no process and no port behind.
// Used by scripts/dev-check.mjs (make test) and scripts/dev-restarts.mjs (make dev-restarts).
import { spawn } from 'node:child_process';
import net from 'node:net';

const READY = 'Ctrl-C stops';
/** The first start from a clean checkout compiles everything; minutes on a small machine. */
export const BUILD_MS = 900_000;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export function listening(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

function groupAlive(pid) {
  try { process.kill(-pid, 0); return true; } catch { return false; }
}

/**
 * Starts make dev in `root` on free ports and waits until its API listens. Returns the ports,
 * the lines printed so far (and on), `stop()` (Ctrl-C and the checks above) and `kill()`.
 */
export async function startDev(root) {
  const apiPort = await freePort();
  const dynamoPort = await freePort();
  const env = { ...process.env, DEV_API_PORT: String(apiPort), DEV_DYNAMO_PORT: String(dynamoPort) };
  delete env.AWS_ENDPOINT_URL_DYNAMODB;
  const dev = spawn('./scripts/dev.sh', [], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
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
  const kill = () => { if (groupAlive(dev.pid)) process.kill(-dev.pid, 'SIGKILL'); };
  const stop = async () => {
    process.kill(-dev.pid, 'SIGINT');
    const code = await Promise.race([exited, sleep(30_000).then(() => 'timeout')]);
    assert(code === 0, `make dev exited ${code} on Ctrl-C`);
    const closedBy = Date.now() + 10_000;
    const leftovers = async () => groupAlive(dev.pid) || (await listening(apiPort)) || (await listening(dynamoPort));
    while ((await leftovers()) && Date.now() < closedBy) await sleep(100);
    assert(!groupAlive(dev.pid), 'a process make dev started outlived Ctrl-C');
    assert(!(await listening(apiPort)) && !(await listening(dynamoPort)), 'a port is still open');
  };
  try {
    await Promise.race([started, sleep(BUILD_MS)]);
    assert(exitCode === null && lines.some((l) => l.includes(READY)), 'make dev did not start');
    // The lines are printed just before `cargo lambda watch` starts; wait for it to listen.
    const deadline = Date.now() + 60_000;
    while (!(await listening(apiPort)) && exitCode === null && Date.now() < deadline) await sleep(100);
    assert(await listening(apiPort), `nothing listens on port ${apiPort}`);
  } catch (error) {
    console.error(lines.slice(-60).join('\n'));
    kill();
    throw error;
  }
  return { apiPort, dynamoPort, lines, stop, kill };
}
