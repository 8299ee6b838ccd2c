// Hostile preflights over HTTP against a running `make dev` (the same code answers deployed):
// odd methods, many or unknown requested headers, a `null` origin, a huge Origin header. Each
// is answered as tower-http's CORS layer answers (or with the HTTP server's own 431 for a
// header too large to read): never a 5xx, never an unlisted origin allowed or echoed back, and
// a listed origin never granted the method or headers it asked for.
const LISTED = 'http://app.example.test:3000';

function assert(condition, message) {
  if (!condition) throw new Error(`preflights: ${message}`);
}

/** Sends the hostile preflights to both routes of the API at `base`. */
export async function checkPreflights(base) {
  const unknownHeaders = Array.from({ length: 300 }, (_, i) => `x-h${i}`).join(',');
  const cases = [
    ['unlisted origin', 'https://evil.example', 'GET', null],
    ['null origin', 'null', 'GET', null],
    ['huge origin', `https://${'a'.repeat(60_000)}.example`, 'GET', null],
    ['listed origin as a prefix', `${LISTED}.evil.example`, 'GET', null],
    ['DELETE', LISTED, 'DELETE', null],
    ['odd method', LISTED, 'PROPFIND', null],
    ['lower-case get', LISTED, 'get', null],
    ['unknown header', LISTED, 'GET', 'x-custom'],
    ['300 unknown headers', LISTED, 'GET', unknownHeaders],
    ['wildcard header', LISTED, 'GET', '*'],
  ];
  let sent = 0;
  for (const route of ['/me', '/users/me']) {
    for (const [name, origin, method, requested] of cases) {
      const headers = { Origin: origin, 'Access-Control-Request-Method': method };
      if (requested) headers['Access-Control-Request-Headers'] = requested;
      const answer = await fetch(`${base}${route}`, { method: 'OPTIONS', headers });
      const body = await answer.text();
      sent += 1;
      assert(answer.status < 500, `${route} ${name}: ${answer.status} ${body}`);
      const allowedOrigin = answer.headers.get('access-control-allow-origin');
      assert(allowedOrigin === null || (origin === LISTED && allowedOrigin === LISTED),
        `${route} ${name}: ${allowedOrigin} allowed`);
      if (allowedOrigin !== null) {
        const list = (name) => (answer.headers.get(name) ?? '').toLowerCase().split(',').map((s) => s.trim());
        const methodGranted = list('access-control-allow-methods').includes(method.toLowerCase()) && method === method.toUpperCase();
        const headersGranted = !requested
          || requested.toLowerCase().split(',').every((h) => list('access-control-allow-headers').includes(h.trim()));
        assert(!(methodGranted && headersGranted), `${route} ${name}: what was asked is granted`);
      }
      assert(!body.includes('evil') && !body.includes('aaaa'), `${route} ${name}: the origin is echoed`);
    }
  }
  return `preflights: ${sent} hostile ones granted nothing they asked, none echoed`;
}
