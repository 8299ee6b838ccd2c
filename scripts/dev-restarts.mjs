#!/usr/bin/env node
// `make dev-restarts`: starts and stops `make dev` N times in a row (default 30), as a developer
// does all day. Every start must come up (dynalite, table, seed, `cargo lambda watch`), answer
// GET /me with the demo session cookie (200, the demo user), and on Ctrl-C exit 0 with no
// process and no port left. Stops at the first start that fails, with its output.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert, startDev } from './checks/dev-process.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
process.env.PATH = `${path.join(root, '.venv/bin')}${path.delimiter}${process.env.PATH}`;
const rounds = Number(process.argv[2] ?? 30);

async function main() {
  const started = Date.now();
  for (let round = 1; round <= rounds; round++) {
    const t0 = Date.now();
    const dev = await startDev(root);
    try {
      const seed = JSON.parse(readFileSync(path.join(root, '.dev/seed.json'), 'utf8'));
      const [ada] = seed.users;
      const answer = await fetch(`http://127.0.0.1:${dev.apiPort}/me`, {
        headers: { Cookie: `__session=${ada.token}` },
        signal: AbortSignal.timeout(120_000),
      });
      const body = await answer.text();
      assert(answer.status === 200, `round ${round}: GET /me ${answer.status}: ${body}`);
      assert(JSON.parse(body).data.primary_email_address.email === ada.email, body);
      await dev.stop();
    } catch (error) {
      console.error(dev.lines.slice(-40).join('\n'));
      throw new Error(`round ${round} of ${rounds}: ${error.message}`);
    } finally {
      dev.kill();
    }
    console.log(`make dev start ${round}/${rounds}: up, GET /me 200, Ctrl-C clean (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  console.log(`make dev: ${rounds} starts and stops in a row, all clean, in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });
