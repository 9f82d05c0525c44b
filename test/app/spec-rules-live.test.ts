/**
 * SPEC §7 rules 13–16 ("Live connections"), black-box against the built server: the
 * clauses that chat-ws and chat-live did not assert — invalid, binary and control frames
 * count toward the flood limit, the 60 s warning and the skew on a live socket, the Origin
 * rule for every token transport, and a logout that closes only its own session's sockets.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../helpers/server.js';
import { request } from './http-client.js';
import { api, ChatClient, login, refusedHandshake, startWithAccounts, type Account } from './chat-client.js';
import { decodePayload, forge } from './jwt-forge.js';

const ALLOWED = 'https://app.example.com';
let server: RunningServer;
let ann: Account, bob: Account;

before(async () => {
  ({ server, accounts: [ann, bob] } = await startWithAccounts(['ann_live_rules', 'bob_live_rules'], { env: { CORS_ORIGINS: ALLOWED } }));
});
after(() => server.stop());

const nowSeconds = () => Math.floor(Date.now() / 1000);
const sameOrigin = () => `http://127.0.0.1:${server.port}`;

// --- Rule 13 ---

/** Sends `count` frames as fast as possible and returns what the socket got before its close. */
async function flood(client: ChatClient, count: number, frame: (i: number) => string | Buffer): Promise<{ code: number; errors: string[] }> {
  for (let i = 0; i < count; i++) client.ws.send(frame(i));
  const { code } = await client.closed;
  return { code, errors: client.inbox.filter((e) => e.type === 'error').map((e) => e.code) };
}

test('SPEC §7 rule 13: frames that are not JSON count toward the flood limit: bad_request, then rate_limited, then close 1008', async () => {
  const client = await ChatClient.open(server, ann.token);
  const { code, errors } = await flood(client, 150, (i) => `not json ${i}`);
  assert.equal(code, 1008);
  const badRequests = errors.filter((e) => e === 'bad_request').length;
  const limited = errors.filter((e) => e === 'rate_limited').length;
  assert.ok(badRequests >= 40 && badRequests <= 45, `the burst of 40 was answered (${badRequests} bad_request)`);
  assert.ok(limited > 0, 'then rate_limited');
  assert.ok(badRequests + limited <= 100, 'nothing is answered after the 100th frame in a second');
});

test('SPEC §7 rule 13: binary frames and requests that fail (typing outside a room) count too', async () => {
  const client = await ChatClient.open(server, bob.token);
  // Half the 150 frames are binary: were they not counted, 75 text frames would never reach the close at 101.
  const typing = JSON.stringify({ type: 'typing', room: 'nowhere-13' });
  const { code, errors } = await flood(client, 150, (i) => (i % 2 === 0 ? Buffer.from(typing) : typing));
  assert.equal(code, 1008);
  assert.ok(errors.includes('not_found'), 'the frames were handled');
  assert.ok(errors.includes('rate_limited'));
});

test('SPEC §7 rule 13: pings count too: 60 spend the burst of 40, so the next request is rate_limited; 150 close 1008', async () => {
  const spender = await ChatClient.open(server, ann.token);
  for (let i = 0; i < 60; i++) spender.ws.ping();
  // 20 over the burst: a second of refill before this request would be needed to pass.
  assert.equal((await spender.call({ type: 'list_rooms' })).code, 'rate_limited');
  await spender.close();
  const flooder = await ChatClient.open(server, ann.token);
  for (let i = 0; i < 150; i++) flooder.ws.ping();
  assert.equal((await flooder.closed).code, 1008);
  // The server keeps serving everyone else.
  const bystander = await ChatClient.open(server, bob.token);
  assert.equal((await bystander.call({ type: 'list_rooms' })).type, 'rooms_list');
  await bystander.close();
});

// --- Rule 14 ---

test('SPEC §7 rule 14: with more than 60 s left, token_expiring comes 60 s before exp, not at once', async () => {
  const exp = nowSeconds() + 62;
  const token = forge({ ...decodePayload(ann.token), jti: 'rule14-62s', exp });
  const client = await ChatClient.open(server, token);
  await client.sync();
  assert.deepEqual(client.drain('token_expiring'), [], 'not at connect');
  const warning = await client.next('token_expiring', 5000);
  assert.deepEqual(warning, { type: 'token_expiring', expiresAt: exp * 1000 });
  assert.ok(Date.now() >= exp * 1000 - 60_000 - 50, `warned ${exp * 1000 - Date.now()} ms before exp`);
  await client.close();
});

test('SPEC §7 rule 14: a token inside the 30 s skew is accepted at the handshake, but the socket closes 4001 at once (exp has passed)', async () => {
  const exp = nowSeconds() - 5;
  const token = forge({ ...decodePayload(ann.token), jti: 'rule14-skew', exp });
  const client = await ChatClient.open(server, token);
  assert.equal(client.welcome.user.username, 'ann_live_rules');
  assert.deepEqual(await client.next('token_expiring'), { type: 'token_expiring', expiresAt: exp * 1000 });
  assert.equal((await client.closed).code, 4001);
  // Control: the same token is still good for HTTP, where the skew applies.
  assert.equal((await api(server, token, 'GET', '/api/auth/me')).status, 200);
});

test('SPEC §4 and §7 rule 14: an auth whose token is inside the skew is acked first, then token_expiring, then the 4001 its passed exp brings', async () => {
  const client = await ChatClient.open(server, ann.token);
  const exp = nowSeconds() - 5;
  const token = forge({ ...decodePayload(ann.token), jti: 'rule14-auth-skew', exp });
  client.send({ type: 'auth', token, id: 'renew' });
  assert.equal((await client.closed).code, 4001);
  const answered = client.inbox.filter((e) => e.type !== 'presence');
  assert.deepEqual(answered, [
    { type: 'ack', replyTo: 'renew', expiresAt: exp * 1000 },
    { type: 'token_expiring', expiresAt: exp * 1000 },
  ]);
});

// --- Rule 15 ---

test('SPEC §7 rule 15: without Origin, a token by ?token= or by subprotocol is accepted; by cookie it is 403', async () => {
  const byQuery = await ChatClient.open(server, undefined, { path: `/ws?token=${encodeURIComponent(ann.token)}` });
  const byProtocol = await ChatClient.open(server, undefined, { protocols: ['socketlink.v1', `bearer.${ann.token}`] });
  assert.equal(byQuery.welcome.user.username, 'ann_live_rules');
  assert.equal(byProtocol.welcome.user.username, 'ann_live_rules');
  const byCookie = await refusedHandshake(server, { cookie: `sl_access=${ann.token}` });
  assert.deepEqual([byCookie.status, byCookie.json.error], [403, 'forbidden']);
  await Promise.all([byQuery.close(), byProtocol.close()]);
});

test('SPEC §7 rule 15: a cookie handshake from an origin in CORS_ORIGINS is accepted, from any other origin 403', async () => {
  const listed = await ChatClient.open(server, undefined, { headers: { cookie: `sl_access=${ann.token}`, origin: ALLOWED } });
  assert.equal(listed.welcome.user.username, 'ann_live_rules');
  const other = await refusedHandshake(server, { cookie: `sl_access=${ann.token}`, origin: 'https://app.example.com.evil.example' });
  assert.deepEqual([other.status, other.json.error], [403, 'forbidden']);
  await listed.close();
});

test('SPEC §7 rule 15: refresh by the sl_refresh cookie from an origin in CORS_ORIGINS is 200; a refresh token in the body needs no Origin', async () => {
  const cookieSession = await login(server, 'bob_live_rules');
  const byCookie = await request(server.url, '/api/auth/refresh', { method: 'POST', headers: { cookie: `sl_refresh=${cookieSession.refreshToken}`, origin: ALLOWED } });
  assert.equal(byCookie.status, 200, byCookie.text);
  const bodySession = await login(server, 'bob_live_rules');
  const byBody = await request(server.url, '/api/auth/refresh', { method: 'POST', body: { refreshToken: bodySession.refreshToken } });
  assert.equal(byBody.status, 200, byBody.text);
});

// --- Rule 16 ---

test('SPEC §7 rule 16: a cookie logout closes every socket of that session with 4001, and only those', async () => {
  const doomed = await login(server, 'ann_live_rules');
  const kept = await login(server, 'ann_live_rules');
  const s1 = await ChatClient.open(server, doomed.token);
  const s2 = await ChatClient.open(server, undefined, { path: `/ws?token=${encodeURIComponent(doomed.token)}` });
  const other = await ChatClient.open(server, kept.token);
  const out = await request(server.url, '/api/auth/logout', { method: 'POST', headers: { cookie: `sl_access=${doomed.token}`, origin: sameOrigin() } });
  assert.equal(out.status, 204, out.text);
  assert.equal((await s1.closed).code, 4001);
  assert.equal((await s2.closed).code, 4001);
  assert.equal((await other.call({ type: 'list_rooms' })).type, 'rooms_list', 'the other session\'s socket stays open');
  await other.close();
});
