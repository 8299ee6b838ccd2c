// A standard JSON:API client over real /users/me answers of a running `make dev`, as an
// integrator's code meets them: kitsu-core (pinned in package-lock.json) deserialises the
// document with and without `include=profile`, and its error helper reads a refusal. Requests
// carry the headers kitsu sends on every request.
import { deserialise, error as kitsuError } from 'kitsu-core';

const JSON_API = 'application/vnd.api+json';

function assert(condition, message) {
  if (!condition) throw new Error(`JSON:API client: ${message}`);
}

/** What kitsu does with an answer: deserialise a success, or hand the body to its error helper. */
async function kitsuGet(url, headers) {
  const answer = await fetch(url, { headers: { Accept: JSON_API, 'Content-Type': JSON_API, ...headers } });
  const body = await answer.json();
  if (answer.ok) return { status: answer.status, document: deserialise(body) };
  try {
    kitsuError({ response: { status: answer.status, data: body } });
  } catch (caught) {
    return { status: answer.status, errors: caught.errors };
  }
  throw new Error('kitsu-core error() did not throw');
}

/** Runs the client against the API at `base` with the demo data of `seed` (admin seed --json). */
export async function checkJsonApiClient(base, seed) {
  const [ada] = seed.users;
  const key = { 'X-Domain': seed.tenant_id, 'X-API-KEY': seed.api_key.key, 'X-API-SECRET': seed.api_key.secret };

  const plain = await kitsuGet(`${base}/users/me`, key);
  assert(plain.status === 200, `status ${plain.status}`);
  const user = plain.document.data;
  assert(user.type === 'users' && user.id === ada.id, JSON.stringify(user));
  assert(user.email === ada.email, `email ${user.email}`);
  assert(user.profile.data.type === 'users_profile' && user.first_name === undefined, JSON.stringify(user.profile));

  const included = await kitsuGet(`${base}/users/me?include=profile`, key);
  assert(included.status === 200, `include: status ${included.status}`);
  const profile = included.document.data.profile.data;
  assert(profile.first_name === 'Ada', `include: the profile's attributes: ${JSON.stringify(profile)}`);
  assert(typeof profile.created_at === 'string', JSON.stringify(profile));

  const wrongSecret = await kitsuGet(`${base}/users/me`, { ...key, 'X-API-SECRET': `cus_${'0'.repeat(64)}` });
  assert(wrongSecret.status === 401, `wrong secret: status ${wrongSecret.status}`);
  const [refused] = wrongSecret.errors ?? [];
  assert(refused, 'kitsu read no errors from a 401');
  assert(refused.status === '401' && refused.code === '4016', JSON.stringify(refused));
  assert(refused.detail === 'The API key or secret is not valid.', `detail ${refused.detail}`);

  const badDomain = await kitsuGet(`${base}/users/me`, { ...key, 'X-Domain': 'acme' });
  const [malformed] = badDomain.errors ?? [];
  assert(badDomain.status === 400 && malformed?.source?.header === 'X-Domain', JSON.stringify(badDomain));
  return 'kitsu-core: document, include=profile, 401 and 400 errors read';
}
