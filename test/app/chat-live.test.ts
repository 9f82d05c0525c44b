/**
 * Live-connection rules (SPEC §4, §7 rule 14, issue 4 §6–§7): the token on an open
 * socket expires and can be replaced, the connection cap, and shutdown's 1001.
 * Short-lived tokens are forged with node:crypto from a real token's claims (same
 * live session), so no test waits for a 15-minute TTL.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.js';
import { handshakeRequest, RawClient } from '../ws/helpers/raw-client.js';
import { decodePayload, forge } from './jwt-forge.js';
import { account, api, ChatClient, refusedHandshake, startWithAccounts, type Account } from './chat-client.js';

let server: RunningServer;
let ann: Account, bob: Account;

before(async () => {
  ({ server, accounts: [ann, bob] } = await startWithAccounts(['ann_live', 'bob_live'], { env: { MAX_CONNECTIONS: '3' } }));
});
after(() => server.stop());

const nowSeconds = () => Math.floor(Date.now() / 1000);
const shortToken = (token: string, secondsLeft: number, jti: string) => forge({ ...decodePayload(token), jti, exp: nowSeconds() + secondsLeft });

test('SPEC §7 rule 14: with under 60 s left, token_expiring (epoch ms) comes at once after welcome, and the socket closes 4001 at exp', async () => {
  const token = shortToken(ann.token, 2, 'short-1');
  const exp = decodePayload(token).exp as number;
  const client = await ChatClient.open(server, token);
  assert.deepEqual(await client.next('token_expiring'), { type: 'token_expiring', expiresAt: exp * 1000 });
  const { code } = await client.closed;
  assert.equal(code, 4001);
  assert.ok(Date.now() >= exp * 1000 - 50, 'not before exp');
});

test('SPEC §4: auth replaces the token before it expires, so the socket outlives the old exp; another user\'s token is forbidden', async () => {
  const token = shortToken(ann.token, 2, 'short-2');
  const replaced = await ChatClient.open(server, token);
  const doomed = await ChatClient.open(server, shortToken(ann.token, 2, 'short-3'));
  await replaced.next('token_expiring');
  const foreign = await replaced.call({ type: 'auth', token: bob.token });
  assert.equal(foreign.type, 'error');
  assert.equal(foreign.code, 'forbidden');
  const ack = await replaced.call({ type: 'auth', token: ann.token });
  assert.equal(ack.type, 'ack');
  assert.equal(ack.expiresAt, (decodePayload(ann.token).exp as number) * 1000);
  assert.equal((await doomed.closed).code, 4001);
  assert.equal((await replaced.call({ type: 'list_rooms' })).type, 'rooms_list', 'still open after the old exp');
  await replaced.close();
});

test('SPEC §1-§2: past MAX_CONNECTIONS (WebSocket and SSE together) an upgrade gets 503 overloaded with retry-after', async () => {
  await api(server, ann.token, 'POST', '/api/rooms', { name: 'live-cap' });
  const sockets = [await ChatClient.open(server, ann.token), await ChatClient.open(server, bob.token)];
  const stream = new AbortController();
  const sse = await fetch(`${server.url}/api/rooms/live-cap/events`, { headers: { authorization: `Bearer ${ann.token}` }, signal: stream.signal });
  assert.equal(sse.status, 200);
  const refused = await refusedHandshake(server, { authorization: `Bearer ${ann.token}` });
  assert.equal(refused.status, 503);
  assert.equal(refused.json.error, 'overloaded');
  assert.ok(Number(refused.headers['retry-after']) >= 1);
  const sseRefused = await api(server, ann.token, 'GET', '/api/rooms/live-cap/events');
  assert.equal(sseRefused.status, 503);
  stream.abort();
  await Promise.all(sockets.map((s) => s.close()));
});

test('SPEC §1: a socket that never answers its 1001 does not hold shutdown, nor does a second signal: the server still exits 0', async () => {
  const own = await startServer();
  const user = await account(own, 'mute_live');
  // A raw client that reads frames but never sends a Close back.
  const mute = await RawClient.open(own.port, handshakeRequest('/ws', { Authorization: `Bearer ${user.token}` }));
  assert.equal(mute.answer?.status, 101);
  await mute.framesAtLeast(1); // welcome
  const exit = own.stop('SIGTERM');
  const close = (await mute.framesAtLeast(2)).find((frame) => frame.opcode === 0x8);
  assert.equal(close?.payload.readUInt16BE(0), 1001);
  // Shutdown is under way (the 1001 is out); a second signal must not cut it short.
  assert.equal(await own.stop('SIGTERM'), 0);
  assert.equal(await exit, 0);
  await mute.untilClosed();
});

test('SPEC §1: shutdown sends 1001 to every socket and exits 0', async () => {
  const own = await startServer();
  const user = await account(own, 'shutdown_live');
  const client = await ChatClient.open(own, user.token);
  const exit = own.stop('SIGTERM');
  assert.equal((await client.closed).code, 1001);
  assert.equal(await exit, 0);
});
