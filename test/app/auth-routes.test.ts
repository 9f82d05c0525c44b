/**
 * The account and session routes of SPEC §2, black-box against the built server.
 * scrypt at N=2^17 costs ~0.3 s per hash, so this file creates three accounts and
 * logs in sparingly.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.js';
import { request, setCookies, type Answer } from './http-client.js';
import { decodePayload } from './jwt-forge.js';

const ALLOWED = 'https://app.example.com';
const ADMIN = { username: 'abc', password: '12345678' }; // 3 characters, 8 bytes: both lower bounds
const LONG = { username: 'u'.repeat(19) + 'Z', password: 'p'.repeat(1024) }; // 20 characters, 1024 bytes
const THIRD = { username: 'carol_3', password: 'correct horse' };
const UA = 'auth-routes-test/1.0';
let server: RunningServer;

before(async () => {
  server = await startServer({ env: { CORS_ORIGINS: ALLOWED } });
});
after(async () => {
  await server.stop();
});

const post = (path: string, body?: unknown, headers: Record<string, string> = {}) => request(server.url, path, { method: 'POST', body, headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const sameOrigin = () => `http://127.0.0.1:${server.port}`;

function assertError(answer: Answer, status: number, code: string) {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.json?.error, code, answer.text);
}

function assertUser(user: any, username: string, role: 'admin' | 'user') {
  assert.deepEqual(Object.keys(user).sort(), ['createdAt', 'id', 'role', 'username']);
  assert.equal(user.username, username);
  assert.equal(user.role, role);
  assert.equal(typeof user.id, 'string');
  assert.equal(new Date(user.createdAt).toISOString(), user.createdAt);
}

async function login(credentials: { username: string; password: string }) {
  const answer = await post('/api/auth/login', credentials, { 'user-agent': UA });
  assert.equal(answer.status, 200, answer.text);
  return { tokens: answer.json, cookies: setCookies(answer.headers), answer };
}

let adminUser: any;
let longUser: any;
let thirdUser: any;

test('register validates username length 3–20: 2 and 21 characters are 400', async () => {
  assertError(await post('/api/auth/register', { username: 'ab', password: '12345678' }), 400, 'bad_request');
  assertError(await post('/api/auth/register', { username: 'u'.repeat(21), password: '12345678' }), 400, 'bad_request');
  assertError(await post('/api/auth/register', { username: 'bad name', password: '12345678' }), 400, 'bad_request');
});

test('register validates password 8–1024 UTF-8 bytes: 7 and 1025 bytes are 400', async () => {
  assertError(await post('/api/auth/register', { username: 'pwcheck', password: '1234567' }), 400, 'bad_request');
  assertError(await post('/api/auth/register', { username: 'pwcheck', password: 'p'.repeat(1025) }), 400, 'bad_request');
  // 3 two-byte characters are 6 bytes: too short, though bytes are what count.
  assertError(await post('/api/auth/register', { username: 'pwcheck', password: 'ééé' }), 400, 'bad_request');
  assertError(await post('/api/auth/register', { username: 'pwcheck', password: 12345678 }), 400, 'bad_request');
  assertError(await post('/api/auth/register', { username: 'pwcheck' }), 400, 'bad_request');
});

test('SPEC §2: the first account is admin (3-char name, 8-byte password), 201 {user}', async () => {
  const answer = await post('/api/auth/register', ADMIN);
  assert.equal(answer.status, 201, answer.text);
  assertUser(answer.json.user, ADMIN.username, 'admin');
  adminUser = answer.json.user;
  assert.equal(answer.headers['set-cookie'], undefined, 'register creates no session (rule 19)');
});

test('SPEC §2: later accounts are user (20-char name, 1024-byte password)', async () => {
  const answer = await post('/api/auth/register', LONG);
  assert.equal(answer.status, 201, answer.text);
  assertUser(answer.json.user, LONG.username, 'user');
  longUser = answer.json.user;
  const third = await post('/api/auth/register', THIRD);
  assert.equal(third.status, 201, third.text);
  thirdUser = third.json.user;
});

test('409 username_taken, ignoring case', async () => {
  assertError(await post('/api/auth/register', { username: 'ABC', password: 'another-password' }), 409, 'username_taken');
});

test('login: 200 Tokens with both cookies exactly as SPEC §2', async () => {
  const { tokens, cookies } = await login(ADMIN);
  assert.deepEqual(Object.keys(tokens).sort(), ['accessToken', 'expiresIn', 'refreshToken', 'tokenType', 'user']);
  assert.equal(tokens.tokenType, 'Bearer');
  assert.equal(tokens.expiresIn, 900);
  assert.equal(tokens.accessToken.split('.').length, 3);
  assertUser(tokens.user, ADMIN.username, 'admin');
  assert.equal(cookies.get('sl_access')?.line, `sl_access=${tokens.accessToken}; HttpOnly; SameSite=Strict; Path=/; Max-Age=900`);
  assert.equal(cookies.get('sl_refresh')?.line, `sl_refresh=${tokens.refreshToken}; HttpOnly; SameSite=Strict; Path=/api/auth; Max-Age=604800`);
});

test('login: 401 invalid_credentials for a wrong password and an unknown user alike', async () => {
  const wrong = await post('/api/auth/login', { username: LONG.username, password: 'wrong-password' });
  const unknown = await post('/api/auth/login', { username: 'nobody_here', password: 'wrong-password' });
  assertError(wrong, 401, 'invalid_credentials');
  assertError(unknown, 401, 'invalid_credentials');
  assert.equal(wrong.json.message, unknown.json.message);
});

test('me: 200 {user} by Bearer, and by the sl_access cookie on a GET without Origin', async () => {
  const { tokens } = await login(LONG);
  const byBearer = await request(server.url, '/api/auth/me', { headers: bearer(tokens.accessToken) });
  assert.equal(byBearer.status, 200);
  assertUser(byBearer.json.user, LONG.username, 'user');
  const byCookie = await request(server.url, '/api/auth/me', { headers: { cookie: `sl_access=${tokens.accessToken}` } });
  assert.equal(byCookie.status, 200);
  assert.equal(byCookie.json.user.id, longUser.id);
});

test('401 unauthorized with no token, a non-Bearer scheme, and garbage', async () => {
  for (const path of ['/api/auth/me', '/api/auth/sessions', '/api/auth/users']) {
    const answer = await request(server.url, path);
    assertError(answer, 401, 'unauthorized');
    assert.match(String(answer.headers['www-authenticate']), /^Bearer/);
  }
  assertError(await request(server.url, '/api/auth/me', { headers: { authorization: 'Basic YTpi' } }), 401, 'unauthorized');
  assertError(await request(server.url, '/api/auth/me', { headers: bearer('not.a.jwt') }), 401, 'unauthorized');
  assertError(await post('/api/auth/logout'), 401, 'unauthorized');
});

test('sessions: 200 {sessions} with the SPEC §2 shape, the current one marked', async () => {
  const { tokens } = await login(THIRD);
  const answer = await request(server.url, '/api/auth/sessions', { headers: { ...bearer(tokens.accessToken), 'user-agent': 'ignored' } });
  assert.equal(answer.status, 200);
  const sessions = answer.json.sessions;
  assert.equal(sessions.length, 1);
  const [session] = sessions;
  assert.deepEqual(Object.keys(session).sort(), ['createdAt', 'current', 'id', 'ip', 'lastUsedAt', 'userAgent']);
  assert.equal(session.current, true);
  assert.equal(session.userAgent, UA);
  assert.equal(session.ip, '127.0.0.1');
});

test('SPEC §2 rule 15: a cookie-authenticated POST needs an allowed Origin (403 without, or cross-site)', async () => {
  const { tokens } = await login(THIRD);
  const cookie = `sl_access=${tokens.accessToken}`;
  assertError(await post('/api/auth/logout', undefined, { cookie }), 403, 'forbidden');
  assertError(await post('/api/auth/logout', undefined, { cookie, origin: 'https://evil.example.com' }), 403, 'forbidden');
  // A session DELETE by cookie obeys the same rule.
  assertError(await request(server.url, '/api/auth/sessions/x', { method: 'DELETE', headers: { cookie } }), 403, 'forbidden');
  // Same-origin works, and ends the session with cleared cookies.
  const ok = await post('/api/auth/logout', undefined, { cookie, origin: sameOrigin() });
  assert.equal(ok.status, 204, ok.text);
  const cleared = setCookies(ok.headers);
  assert.equal(cleared.get('sl_access')?.line, 'sl_access=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
  assert.equal(cleared.get('sl_refresh')?.line, 'sl_refresh=; HttpOnly; SameSite=Strict; Path=/api/auth; Max-Age=0');
});

test('a cookie POST from an origin in CORS_ORIGINS is allowed', async () => {
  const { tokens } = await login(THIRD);
  const answer = await post('/api/auth/logout', undefined, { cookie: `sl_access=${tokens.accessToken}`, origin: ALLOWED });
  assert.equal(answer.status, 204, answer.text);
  assert.equal(answer.headers['access-control-allow-origin'], ALLOWED);
});

test('logout by Bearer: 204, then that access token and that refresh token are dead', async () => {
  const { tokens } = await login(LONG);
  const out = await post('/api/auth/logout', undefined, bearer(tokens.accessToken));
  assert.equal(out.status, 204);
  assert.equal(out.text, '');
  assertError(await request(server.url, '/api/auth/me', { headers: bearer(tokens.accessToken) }), 401, 'unauthorized');
  assertError(await post('/api/auth/refresh', { refreshToken: tokens.refreshToken }), 401, 'unauthorized');
});

test('refresh: rotates; the old token stops working and its reuse revokes the whole session', async () => {
  const { tokens } = await login(LONG);
  const first = await post('/api/auth/refresh', { refreshToken: tokens.refreshToken });
  assert.equal(first.status, 200, first.text);
  assert.notEqual(first.json.refreshToken, tokens.refreshToken);
  assert.equal(first.json.tokenType, 'Bearer');
  assert.equal(setCookies(first.headers).get('sl_refresh')?.value, first.json.refreshToken, 'refresh sets the cookies too');
  const fresh = first.json;
  assert.equal((await request(server.url, '/api/auth/me', { headers: bearer(fresh.accessToken) })).status, 200);
  // Reuse of the rotated-out token: 401, and the session is gone.
  assertError(await post('/api/auth/refresh', { refreshToken: tokens.refreshToken }), 401, 'unauthorized');
  assertError(await post('/api/auth/refresh', { refreshToken: fresh.refreshToken }), 401, 'unauthorized');
  assertError(await request(server.url, '/api/auth/me', { headers: bearer(fresh.accessToken) }), 401, 'unauthorized');
});

test('refresh by the sl_refresh cookie follows the Origin rule (SPEC §7 rule 15)', async () => {
  const { tokens } = await login(THIRD);
  const cookie = `sl_refresh=${tokens.refreshToken}`;
  assertError(await post('/api/auth/refresh', undefined, { cookie }), 403, 'forbidden');
  assertError(await post('/api/auth/refresh', undefined, { cookie, origin: 'https://evil.example.com' }), 403, 'forbidden');
  const ok = await post('/api/auth/refresh', undefined, { cookie, origin: sameOrigin() });
  assert.equal(ok.status, 200, ok.text);
  assert.notEqual(ok.json.refreshToken, tokens.refreshToken);
});

test('refresh: no token is 401, a wrongly typed one 400, an unknown one 401', async () => {
  assertError(await post('/api/auth/refresh'), 401, 'unauthorized');
  assertError(await post('/api/auth/refresh', { refreshToken: 42 }), 400, 'bad_request');
  assertError(await post('/api/auth/refresh', { refreshToken: 'x'.repeat(43) }), 401, 'unauthorized');
});

test('DELETE /api/auth/sessions/:id signs one device out; 404 for another user\'s or an unknown session', async () => {
  const phone = await login(THIRD);
  const laptop = await login(THIRD);
  const list = await request(server.url, '/api/auth/sessions', { headers: bearer(laptop.tokens.accessToken) });
  const phoneSid = decodePayload(phone.tokens.accessToken).sid;
  const phoneSession = list.json.sessions.find((s: any) => s.id === phoneSid);
  assert.ok(phoneSession, 'the other device is listed');
  assert.equal(phoneSession.current, false);
  assert.equal(list.json.sessions.filter((s: any) => s.current).length, 1);
  // Another user cannot end it.
  const other = await login(ADMIN);
  assertError(await request(server.url, `/api/auth/sessions/${phoneSession.id}`, { method: 'DELETE', headers: bearer(other.tokens.accessToken) }), 404, 'not_found');
  assertError(await request(server.url, '/api/auth/sessions/no-such-session', { method: 'DELETE', headers: bearer(laptop.tokens.accessToken) }), 404, 'not_found');
  const gone = await request(server.url, `/api/auth/sessions/${phoneSession.id}`, { method: 'DELETE', headers: bearer(laptop.tokens.accessToken) });
  assert.equal(gone.status, 204);
  assertError(await request(server.url, '/api/auth/me', { headers: bearer(phone.tokens.accessToken) }), 401, 'unauthorized');
  assert.equal((await request(server.url, '/api/auth/me', { headers: bearer(laptop.tokens.accessToken) })).status, 200);
});

test('GET /api/auth/users lists every user with online:false (no sockets yet)', async () => {
  const { tokens } = await login(THIRD);
  const answer = await request(server.url, '/api/auth/users', { headers: bearer(tokens.accessToken) });
  assert.equal(answer.status, 200);
  const names = answer.json.users.map((u: any) => u.username).sort();
  assert.deepEqual(names, [ADMIN.username, THIRD.username, LONG.username].sort());
  for (const user of answer.json.users) assert.equal(user.online, false);
});

test('DELETE /api/users/:id: 403 for a non-admin, 404 unknown, 204 for the admin; the account\'s tokens die', async () => {
  const victim = await login(THIRD);
  const admin = await login(ADMIN);
  assertError(await request(server.url, `/api/users/${adminUser.id}`, { method: 'DELETE', headers: bearer(victim.tokens.accessToken) }), 403, 'forbidden');
  assertError(await request(server.url, '/api/users/no-such-user', { method: 'DELETE', headers: bearer(admin.tokens.accessToken) }), 404, 'not_found');
  const answer = await request(server.url, `/api/users/${thirdUser.id}`, { method: 'DELETE', headers: bearer(admin.tokens.accessToken) });
  assert.equal(answer.status, 204);
  assertError(await request(server.url, '/api/auth/me', { headers: bearer(victim.tokens.accessToken) }), 401, 'unauthorized');
  assertError(await post('/api/auth/refresh', { refreshToken: victim.tokens.refreshToken }), 401, 'unauthorized');
  const stats = await request(server.url, '/api/stats');
  assert.equal(stats.json.users, 2);
});

test('SPEC §7 rule 20: the 6th login attempt in the window is 429 with retry-after, even with the right password', async () => {
  for (let attempt = 1; attempt <= 5; attempt++) {
    assertError(await post('/api/auth/login', { username: LONG.username, password: `wrong-${attempt}-pw` }), 401, 'invalid_credentials');
  }
  const sixth = await post('/api/auth/login', LONG);
  assertError(sixth, 429, 'rate_limited');
  assert.ok(Number(sixth.headers['retry-after']) >= 1, 'retry-after in seconds');
});
