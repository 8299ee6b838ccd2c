// schemathesis (pinned in requirements-schemathesis.txt) against a running `make dev`: every
// check of schemathesis over openapi.yaml, with the demo credentials for each security scheme
// (scripts/checks/schemathesis.toml), a bounded number of examples per operation and a fixed
// seed. It runs in a scratch directory, so its example database never lands in the repository
// (where `cargo lambda watch` would take it for a change and restart the functions). It runs
// asynchronously: the caller keeps reading make dev's output meanwhile, or make dev would block
// on a full pipe.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const MAX_EXAMPLES = 50;

/** Runs `command` with `args` and `options`; its exit status and output. */
function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('error', reject);
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
}

/** Runs schemathesis against the API at `base` with the demo data of `seed`. */
export async function checkSchemathesis(root, base, seed) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'current-user-schemathesis-'));
  try {
    const result = await run(path.join(root, '.venv-schemathesis/bin/schemathesis'), [
      '--config-file', path.join(root, 'scripts/checks/schemathesis.toml'),
      'run', path.join(root, 'openapi.yaml'),
      '--url', base,
      '--checks', 'all',
      '--max-examples', String(MAX_EXAMPLES),
      '--seed', '1',
      '--workers', '1',
      '--generation-database', 'none',
      '--no-color',
    ], {
      cwd: scratch,
      env: {
        ...process.env,
        ST_SESSION_TOKEN: seed.users[0].token,
        ST_API_KEY: seed.api_key.key,
        ST_API_SECRET: seed.api_key.secret,
      },
    });
    const summary = (result.stdout.match(/^\s*(\d+ generated, .*)$/m) ?? [])[1];
    if (result.status !== 0 || !summary) {
      throw new Error(`schemathesis failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
    }
    return `schemathesis -c all, ${MAX_EXAMPLES} examples per operation: ${summary}`;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
