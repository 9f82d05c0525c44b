/**
 * SPEC §3 and §7 rules 2, 17, 18: forged and malformed access tokens are refused
 * with 401, over the HTTP API. Tokens are forged here with node:crypto from the
 * claims of a real one, so the test does not rely on the signer under test.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.js';
import { request, type Answer } from './http-client.js';
import { b64url, decodePayload, forge, TEST_SECRET } from './jwt-forge.js';

const SKEW_SECONDS = 30;
let server: RunningServer;
let claims: Record<string, unknown>;
let realToken: string;

before(async () => {
  server = await startServer({ env: { JWT_SECRET: TEST_SECRET } });
  const user = { username: 'token_tester', password: 'token-tester-pw' };
  assert.equal((await request(server.url, '/api/auth/register', { method: 'POST', body: user })).status, 201);
  const login = await request(server.url, '/api/auth/login', { method: 'POST', body: user });
  assert.equal(login.status, 200);
  realToken = login.json.accessToken;
  claims = decodePayload(realToken);
});
after(async () => {
  await server.stop();
});

const me = (token: string) => request(server.url, '/api/auth/me', { headers: { authorization: `Bearer ${token}` } });
const now = () => Math.floor(Date.now() / 1000);

function assertRefused(answer: Answer, code = 'unauthorized') {
  assert.equal(answer.status, 401, answer.text);
  assert.equal(answer.json.error, code);
}

test('control: the real token, and one forged here with the right key and claims, are accepted', async () => {
  assert.equal((await me(realToken)).status, 200);
  const answer = await me(forge({ ...claims, jti: 'forged-ok' }));
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.json.user.username, 'token_tester');
});

test('RFC 8725 §3.1: alg "none" with an empty signature is 401', async () => {
  const header = b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));
  assertRefused(await me(`${header}.${b64url(JSON.stringify(claims))}.`));
});

test('SPEC §3: HS512, even correctly signed with the right key, is 401 (the algorithm is pinned)', async () => {
  assertRefused(await me(forge(claims, { header: { alg: 'HS512', typ: 'JWT' }, hmac: 'sha512' })));
});

test('a tampered payload under the original signature is 401', async () => {
  const [header, , signature] = realToken.split('.');
  const tampered = b64url(JSON.stringify({ ...claims, role: claims.role === 'admin' ? 'user' : 'admin', name: 'mallory' }));
  assert.notEqual(tampered, realToken.split('.')[1]);
  assertRefused(await me(`${header}.${tampered}.${signature}`));
});

test('a token signed with another key is 401', async () => {
  assertRefused(await me(forge(claims, { secret: 'another-secret-another-secret-0123456789' })));
});

test('SPEC §7 rule 2: expired beyond the 30 s skew is 401 token_expired', async () => {
  assertRefused(await me(forge({ ...claims, iat: now() - 3600, exp: now() - SKEW_SECONDS - 15 })), 'token_expired');
});

test('SPEC §3: expired but inside the 30 s skew is accepted', async () => {
  const answer = await me(forge({ ...claims, iat: now() - 900, exp: now() - 10 }));
  assert.equal(answer.status, 200, answer.text);
});

test('SPEC §3: nbf beyond the skew in the future is 401', async () => {
  assertRefused(await me(forge({ ...claims, nbf: now() + 300 })));
});

test('SPEC §3: a crit header is 401', async () => {
  assertRefused(await me(forge(claims, { header: { alg: 'HS256', typ: 'JWT', crit: ['exp'] } })));
});

test('SPEC §3: a token over 8 KiB is 401', async () => {
  const token = forge({ ...claims, pad: 'x'.repeat(8 * 1024) });
  assert.ok(token.length > 8 * 1024);
  assertRefused(await me(token));
});

test('SPEC §7 rule 18: padded or non-canonical base64url segments are 401', async () => {
  const [header, payload, signature] = realToken.split('.') as [string, string, string];
  assertRefused(await me(`${header}.${payload}.${signature}=`));
  assertRefused(await me(`${header}=.${payload}.${signature}`));
  assertRefused(await me(`${header}.${payload.replace(/-/g, '+').replace(/_/g, '/')}x.${signature}`));
  // The last character of a 43-character HS256 signature carries 2 unused bits; setting them is non-canonical.
  const last = signature.at(-1)!;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const index = alphabet.indexOf(last);
  const sibling = alphabet[(index & ~3) | ((index & 3) ^ 1)]!;
  assertRefused(await me(`${header}.${payload}.${signature.slice(0, -1)}${sibling}`));
});

test('SPEC §3, §7 rule 17: wrong iss, missing exp, a wrongly typed claim or an unknown sid is 401', async () => {
  assertRefused(await me(forge({ ...claims, iss: 'someone-else' })));
  const { exp: _exp, ...noExp } = claims;
  assertRefused(await me(forge(noExp)));
  assertRefused(await me(forge({ ...claims, exp: String(claims.exp) })));
  assertRefused(await me(forge({ ...claims, sid: 'no-such-session' })));
});

test('a forged token is refused from the sl_access cookie too', async () => {
  const header = b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));
  const answer = await request(server.url, '/api/auth/me', { headers: { cookie: `sl_access=${header}.${b64url(JSON.stringify(claims))}.` } });
  assertRefused(answer);
});
