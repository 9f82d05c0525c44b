/**
 * SPEC §7 rules 17–21 ("Tokens, sessions, login"), black-box against the built server:
 * the clauses that tokens.test and auth-routes.test did not assert over HTTP — a
 * missing `iss`, a `sid` of someone else's live session, non-canonical base64url that is
 * correctly signed (so only the canonical check can refuse it), register without a
 * session, the throttle cleared by a success and holding under concurrent guesses, and
 * preflights from a disallowed origin on any path.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { RunningServer } from '../helpers/server.js';
import { rawRequest, rawStatus, request, type Answer } from './http-client.js';
import { bearer, login, startWithAccounts, type Account } from './chat-client.js';
import { b64url, decodePayload, forge, TEST_SECRET } from './jwt-forge.js';

const ALLOWED = 'https://app.example.com';
let server: RunningServer;
let ann: Account, bob: Account;

before(async () => {
  ({ server, accounts: [ann, bob] } = await startWithAccounts(['ann_tokens', 'bob_tokens'], { env: { CORS_ORIGINS: ALLOWED } }));
});
after(() => server.stop());

const me = (token: string) => request(server.url, '/api/auth/me', { headers: bearer(token) });
const post = (path: string, body?: unknown) => request(server.url, path, { method: 'POST', body });

function assertError(answer: Answer, status: number, code: string) {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.json?.error, code, answer.text);
}

/** Signs the exact text `header.payload` as given (RFC 7515 §5.1), however it is spelled. */
function signExactly(header: string, payload: string): string {
  return `${header}.${payload}.${createHmac('sha256', TEST_SECRET).update(`${header}.${payload}`).digest('base64url')}`;
}

// --- Rule 17 ---

test('SPEC §7 rule 17: a token without iss is 401 unauthorized', async () => {
  const { iss: _iss, ...claims } = decodePayload(ann.token);
  assertError(await me(forge({ ...claims, jti: 'rule17-no-iss' })), 401, 'unauthorized');
});

test('SPEC §7 rule 17: a sid naming another user\'s live session is 401, though both the user and the session exist', async () => {
  const claims = decodePayload(ann.token);
  const bobsSid = decodePayload(bob.token).sid;
  assertError(await me(forge({ ...claims, jti: 'rule17-other-sid', sid: bobsSid })), 401, 'unauthorized');
  // Control: the same forgery with ann's own sid is accepted.
  assert.equal((await me(forge({ ...claims, jti: 'rule17-own-sid' }))).status, 200);
});

test('SPEC §7 rule 17: a sid of an ended session is 401 even with a fresh jti', async () => {
  const ended = await login(server, 'ann_tokens');
  assert.equal((await request(server.url, '/api/auth/logout', { method: 'POST', headers: bearer(ended.token) })).status, 204);
  assertError(await me(forge({ ...decodePayload(ended.token), jti: 'rule17-ended' })), 401, 'unauthorized');
});

// --- Rule 18 ---

test('SPEC §7 rule 18: correctly signed tokens whose header or payload is not canonical base64url are 401', async () => {
  // '???' encodes to "Pz8_" in base64url, so the payload has a '_' to respell as '/'.
  let claims: Record<string, unknown> = { ...decodePayload(ann.token), jti: 'rule18', x: '???' };
  // A payload whose length is not a multiple of 4 has spare bits and could carry padding.
  for (let pad = ''; b64url(JSON.stringify(claims)).length % 4 !== 2; pad += 'p') claims = { ...claims, pad };
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify(claims));
  assert.ok(payload.includes('_'));
  // Control: the canonical spelling, signed the same way, is accepted.
  assert.equal((await me(signExactly(header, payload))).status, 200);

  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(payload.at(-1)!);
  // Two final characters carry 12 bits for one byte: the low 4 bits of the last are unused.
  const trailingBits = payload.slice(0, -1) + alphabet[last | 1];
  assert.deepEqual(Buffer.from(trailingBits, 'base64url'), Buffer.from(payload, 'base64url'), 'same bytes, other spelling');
  const respellings = [
    [header, `${payload}==`],
    [`${header}=`, payload],
    [header, payload.replace(/_/g, '/').replace(/-/g, '+')],
    [header, trailingBits],
  ];
  for (const [h, p] of respellings) assertError(await me(signExactly(h!, p!)), 401, 'unauthorized');
});

// --- Rule 19 ---

test('SPEC §7 rule 19: register answers only {user}, sets no cookie, and leaves no session: the first login is the only device', async () => {
  const credentials = { username: 'eve_tokens', password: 'eve-tokens-password' };
  const registered = await post('/api/auth/register', credentials);
  assert.equal(registered.status, 201, registered.text);
  assert.deepEqual(Object.keys(registered.json), ['user']);
  assert.equal(registered.headers['set-cookie'], undefined);
  const session = await login(server, credentials.username, credentials.password);
  const sessions = await request(server.url, '/api/auth/sessions', { headers: bearer(session.token) });
  assert.equal(sessions.status, 200);
  assert.equal(sessions.json.sessions.length, 1);
  assert.equal(sessions.json.sessions[0].current, true);
});

// --- Rule 20 ---

test('SPEC §7 rule 20: a success clears the count: 4 failures, a success, then 5 more failures are all 401; the 6th is 429', async () => {
  const wrong = (n: number) => post('/api/auth/login', { username: 'bob_tokens', password: `wrong-password-${n}` });
  for (let n = 1; n <= 4; n++) assertError(await wrong(n), 401, 'invalid_credentials');
  await login(server, 'bob_tokens');
  for (let n = 5; n <= 9; n++) assertError(await wrong(n), 401, 'invalid_credentials');
  const sixth = await post('/api/auth/login', { username: 'bob_tokens', password: 'bob_tokens-password' });
  assertError(sixth, 429, 'rate_limited');
  assert.ok(Number(sixth.headers['retry-after']) >= 1);
});

test('SPEC §7 rule 20: eight concurrent wrong guesses get five 401s and three 429s; then the right password is 429 too', async () => {
  const credentials = { username: 'fay_tokens', password: 'fay-tokens-password' };
  assert.equal((await post('/api/auth/register', credentials)).status, 201);
  const answers = await Promise.all(Array.from({ length: 8 }, (_, n) => post('/api/auth/login', { username: credentials.username, password: `guess-number-${n}` })));
  const statuses = answers.map((a) => a.status).sort();
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
  for (const answer of answers) assert.equal(answer.json.error, answer.status === 401 ? 'invalid_credentials' : 'rate_limited');
  assertError(await post('/api/auth/login', credentials), 429, 'rate_limited');
});

// --- Rule 21 ---

test('SPEC §7 rule 21: a preflight from a disallowed origin is 204 with no CORS header, on any path', async () => {
  for (const path of ['/api/rooms', '/api/rooms/x/messages', '/ws', '/no/such/path']) {
    const answer = await request(server.url, path, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(answer.status, 204, path);
    assert.deepEqual(Object.keys(answer.headers).filter((name) => name.startsWith('access-control-')), [], path);
    // Control: the listed origin gets them.
    const allowed = await request(server.url, path, { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'POST' } });
    assert.equal(allowed.headers['access-control-allow-origin'], ALLOWED, path);
  }
  const star = await rawRequest(server.port, 'OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\nConnection: close\r\n\r\n');
  assert.equal(rawStatus(star), 204);
  assert.doesNotMatch(star, /access-control-/i);
});
