// A real browser against a running `make dev`, as a web app meets the API in production.
//
// Headless Chromium (Debian's package; `make test` installs it when missing) maps three names
// to loopback: http://app.example.test:3000 (a dev origin in ALLOWED_ORIGINS) serves the app,
// http://api.example.test:<port> is `make dev`, http://evil.example.test:<port> is an origin that
// is not listed. app and api are two origins of one site, as app.example.com and
// api.example.com are. The app's sign-in answer sets the `__session` cookie for the parent
// domain with the attributes the README gives for production (Secure over http only because
// Chromium is told to treat these two test origins as secure). Checked, each failing the run:
//
//  a. the cookie reaches /me with credentials: 'include' and the user comes back (and page
//     JavaScript cannot read the cookie: HttpOnly);
//  b. a bearer token from the page works on /me and /users/me with Content-Type and Accept set
//     as kitsu sets them (a preflight the policy grants);
//  c. X-Request-Id (and WWW-Authenticate on a 401) is readable from JavaScript;
//  d. a page on the unlisted origin is blocked by CORS, with and without credentials;
//  e. preflights the policy does not grant (DELETE, an unknown header) are refused.
//
// Nothing is left behind: the browser, its profile directory and both page servers go.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const APP_PORT = 3000;
const JSON_API = 'application/vnd.api+json';

function assert(condition, message) {
  if (!condition) throw new Error(`browser: ${message}`);
}

/** A page server: `/sign-in` sets the session cookie as an app's sign-in would, `/` is a page. */
function pageServer(port, sessionToken) {
  const server = http.createServer((request, response) => {
    const headers = { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' };
    if (request.url === '/sign-in' && sessionToken) {
      headers['Set-Cookie'] = `__session=${sessionToken}; Domain=example.test; Path=/; Secure; HttpOnly; SameSite=Lax`;
    }
    response.writeHead(200, headers);
    response.end('<!doctype html><title>app</title><p>app</p>');
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`browser: cannot serve ${port} (${error.code}); the dev origin http://app.example.test:${APP_PORT} needs it`)));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Runs `fetch(url, init)` in the page; the outcome as data (a CORS block is `blocked`). */
function pageFetch(page, url, init) {
  return page.evaluate(async (url, init) => {
    try {
      const answer = await fetch(url, init);
      const body = await answer.text();
      const read = (name) => answer.headers.get(name);
      return { status: answer.status, body, requestId: read('x-request-id'), challenge: read('www-authenticate') };
    } catch (error) {
      return { blocked: String(error) };
    }
  }, url, init);
}

/** The browser checks against the API on `apiPort`, with the demo data of `seed`. */
export async function checkBrowser(apiPort, seed) {
  const [ada, grace] = seed.users;
  const appOrigin = `http://app.example.test:${APP_PORT}`;
  const api = `http://api.example.test:${apiPort}`;
  const app = await pageServer(APP_PORT, ada.token);
  const evil = await pageServer(0, null);
  const evilOrigin = `http://evil.example.test:${evil.address().port}`;
  const profile = mkdtempSync(path.join(os.tmpdir(), 'current-user-chromium-'));
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      userDataDir: profile,
      args: [
        '--no-sandbox',
        '--no-first-run',
        '--no-proxy-server',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--host-resolver-rules=MAP app.example.test 127.0.0.1, MAP api.example.test 127.0.0.1, MAP evil.example.test 127.0.0.1',
        `--unsafely-treat-insecure-origin-as-secure=${appOrigin},${api}`,
      ],
    });
    const page = await browser.newPage();

    // a. The cookie of the parent domain, set by the app's sign-in, reaches /me.
    await page.goto(`${appOrigin}/sign-in`);
    const cookies = await browser.cookies();
    const session = cookies.find((c) => c.name === '__session');
    assert(session?.domain === '.example.test' && session.httpOnly && session.secure && session.sameSite === 'Lax',
      `the sign-in cookie: ${JSON.stringify(session)}`);
    assert(!(await page.evaluate(() => document.cookie)).includes('__session'), 'page JavaScript reads the HttpOnly cookie');
    const byCookie = await pageFetch(page, `${api}/me`, { credentials: 'include' });
    assert(byCookie.status === 200, `cookie /me: ${JSON.stringify(byCookie)}`);
    assert(JSON.parse(byCookie.body).data.primary_email_address.email === ada.email, byCookie.body);
    // c. X-Request-Id is readable.
    assert(byCookie.requestId, 'X-Request-Id is not readable from JavaScript');

    // b. A bearer token with the headers kitsu sends, on both routes.
    const kitsuHeaders = { Accept: JSON_API, 'Content-Type': JSON_API };
    const bearerMe = await pageFetch(page, `${api}/me`, { headers: { ...kitsuHeaders, Authorization: `Bearer ${grace.token}` } });
    assert(bearerMe.status === 200 && JSON.parse(bearerMe.body).data.primary_email_address.email === grace.email,
      `bearer /me: ${JSON.stringify(bearerMe)}`);
    const bearerUsers = await pageFetch(page, `${api}/users/me?include=profile`, {
      headers: { ...kitsuHeaders, Authorization: `Bearer ${grace.token}`, 'X-Domain': seed.tenant_id },
    });
    assert(bearerUsers.status === 200 && JSON.parse(bearerUsers.body).data.id === grace.id, `bearer /users/me: ${JSON.stringify(bearerUsers)}`);
    assert(bearerUsers.requestId, 'X-Request-Id is not readable on /users/me');
    const expired = await pageFetch(page, `${api}/me`, { headers: { Authorization: 'Bearer not.a.token' } });
    assert(expired.status === 401 && expired.challenge?.includes('invalid_token'), `WWW-Authenticate is not readable: ${JSON.stringify(expired)}`);

    // d. A page on an origin that is not listed is blocked, with and without credentials.
    const evilPage = await browser.newPage();
    await evilPage.goto(`${evilOrigin}/`);
    for (const init of [{ credentials: 'include' }, {}, { headers: { Authorization: `Bearer ${grace.token}` } }]) {
      const outcome = await pageFetch(evilPage, `${api}/me`, init);
      assert(outcome.blocked, `${evilOrigin} read /me with ${JSON.stringify(init)}: ${JSON.stringify(outcome)}`);
    }

    // e. Preflights the policy does not grant are refused.
    for (const init of [
      { method: 'DELETE', credentials: 'include' },
      { headers: { 'X-Custom': '1' }, credentials: 'include' },
      { method: 'PUT', headers: kitsuHeaders },
    ]) {
      const outcome = await pageFetch(page, `${api}/me`, init);
      assert(outcome.blocked, `a preflight for ${JSON.stringify(init)} was granted: ${JSON.stringify(outcome)}`);
    }
    const pid = browser.process()?.pid;
    await browser.close();
    browser = null;
    assert(pid && !alive(pid), 'Chromium outlived browser.close()');
    return 'chromium: cookie on the parent domain, bearer with kitsu headers, X-Request-Id readable, unlisted origin blocked, refused preflights';
  } finally {
    if (browser) await browser.close().catch(() => browser.process()?.kill('SIGKILL'));
    await Promise.all([app, evil].map((server) => new Promise((resolve) => server.close(resolve))));
    rmSync(profile, { recursive: true, force: true });
  }
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}
