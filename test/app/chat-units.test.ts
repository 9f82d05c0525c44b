/**
 * The chat wiring's pure parts, without a server: the messages query rules, where
 * a handshake token comes from, the slow-consumer priorities of a WsPeer, and the
 * token lifecycle timers and auth events.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { AccessClaims, Auth, AuthEvents } from '../../src/auth/types.js';
import { encodeEvent } from '../../src/chat/protocol.js';
import { ApiError } from '../../src/errors.js';
import { parseMessageQuery } from '../../src/app/message-query.js';
import { findHandshakeToken, selectChatSubprotocol } from '../../src/app/ws-token.js';
import { EPHEMERAL_DROP_BYTES, WsPeer } from '../../src/app/ws-peer.js';
import { TokenLifecycle, CLOSE_ACCOUNT_DELETED, CLOSE_TOKEN_EXPIRED } from '../../src/app/token-lifecycle.js';
import type { WebSocketConnection } from '../../src/ws/index.js';

test('SPEC §7 rule 4: the messages query takes plain integers in range and defaults limit to 50', () => {
  assert.deepEqual(parseMessageQuery(new URLSearchParams('')), { query: { limit: 50 }, waitMs: 0 });
  assert.deepEqual(parseMessageQuery(new URLSearchParams('since=0&before=9&limit=100&wait=30')), { query: { limit: 100, since: 0, before: 9 }, waitMs: 30_000 });
  for (const bad of ['limit=0', 'limit=101', 'since=-1', 'since=+1', 'since=1e2', 'since=0x1', 'since= 1', 'before=0', 'wait=31', 'wait=1.0', 'limit=', `since=${'9'.repeat(16)}`]) {
    assert.throws(() => parseMessageQuery(new URLSearchParams(bad)), (error: ApiError) => error.status === 400 && error.code === 'bad_request', bad);
  }
});

const upgradeRequest = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

test('SPEC §4: handshake tokens come from the header, then a bearer. subprotocol, then ?token=, then the cookie', () => {
  const all = upgradeRequest({ authorization: 'Bearer h', cookie: 'sl_access=c' });
  assert.deepEqual(findHandshakeToken(all, ['socketlink.v1', 'bearer.p'], new URLSearchParams('token=q')), { token: 'h', source: 'header' });
  const noHeader = upgradeRequest({ cookie: 'sl_access=c' });
  assert.deepEqual(findHandshakeToken(noHeader, ['socketlink.v1', 'bearer.p'], new URLSearchParams('token=q')), { token: 'p', source: 'subprotocol' });
  assert.deepEqual(findHandshakeToken(noHeader, [], new URLSearchParams('token=q')), { token: 'q', source: 'query' });
  assert.deepEqual(findHandshakeToken(noHeader, [], new URLSearchParams()), { token: 'c', source: 'cookie' });
  assert.equal(findHandshakeToken(upgradeRequest({}), [], new URLSearchParams()), undefined);
  assert.deepEqual(findHandshakeToken(upgradeRequest({ authorization: 'Basic abc' }), [], new URLSearchParams()), { token: '', source: 'header' }, 'a malformed header is not a fallback to the cookie');
  assert.equal(selectChatSubprotocol(['bearer.x', 'socketlink.v1']), 'socketlink.v1');
  assert.equal(selectChatSubprotocol(['bearer.x']), undefined, 'the token is never echoed');
});

class StubConnection extends EventEmitter {
  readyState = 1;
  bufferedAmount = 0;
  sent: Buffer[] = [];
  closedWith: [number, string] | undefined;
  sendPrepared(frame: { bytes: Buffer }) {
    this.sent.push(frame.bytes);
    this.emit('sent');
  }
  close(code: number, reason: string) {
    this.closedWith = [code, reason];
    this.emit('closed');
  }
}

const claims = (exp: number, sub = 'u1', sid = 's1'): AccessClaims => ({ sub, name: 'ann', role: 'user', sid, jti: 'j', iat: 0, exp, iss: 'socketlink' });
const annUser = { id: 'u1', username: 'ann', role: 'user' as const, createdAt: '2026-01-01T00:00:00.000Z' };

function stubPeer(exp: number) {
  const connection = new StubConnection();
  let out = 0;
  const peer = new WsPeer('p1', annUser, connection as unknown as WebSocketConnection, claims(exp), () => out++);
  return { connection, peer, out: () => out };
}

test('issue 4 §7: past half the 1 MiB bound ephemeral events are dropped; chat messages never are', () => {
  const { connection, peer, out } = stubPeer(0);
  const typing = encodeEvent({ type: 'user_typing', room: 'r', username: 'x' });
  const message = encodeEvent({ type: 'new_message', message: { id: 'm', room: 'r', seq: 1, text: 't', sender: 'x', senderId: 'u', timestamp: 1 } });
  connection.bufferedAmount = EPHEMERAL_DROP_BYTES;
  peer.deliver(typing, 'ephemeral');
  assert.equal(connection.sent.length, 1, 'at exactly half, still sent');
  connection.bufferedAmount = EPHEMERAL_DROP_BYTES + 1;
  peer.deliver(typing, 'ephemeral');
  peer.deliver(message, 'essential');
  assert.equal(connection.sent.length, 2);
  assert.equal(JSON.parse(connection.sent[1]!.subarray(2).toString()).type, 'new_message');
  assert.equal(peer.dropped, 1);
  assert.equal(out(), 2, 'frames out are counted as sent');
});

test('a broadcast frame is encoded into wire bytes once for every peer', () => {
  const a = stubPeer(0);
  const b = stubPeer(0);
  const frame = encodeEvent({ type: 'presence', username: 'x', online: true });
  a.peer.deliver(frame, 'essential');
  b.peer.deliver(frame, 'essential');
  assert.equal(a.connection.sent[0], b.connection.sent[0]);
});

class StubAuth extends EventEmitter {
  tokens = new Map<string, AccessClaims>();
  async verifyAccessToken(token: string): Promise<AccessClaims> {
    const found = this.tokens.get(token);
    if (!found) throw new ApiError(401, 'unauthorized', 'bad token');
    return found;
  }
  override on<E extends keyof AuthEvents>(event: E, listener: AuthEvents[E]): this {
    return super.on(event, listener as (...args: any[]) => void);
  }
}

test('SPEC §7 rule 14: token_expiring at once with under 60 s left, then close 4001 at exp', async () => {
  const now = Date.now();
  const auth = new StubAuth();
  const lifecycle = new TokenLifecycle(auth as unknown as Auth, () => Date.now());
  const { connection, peer } = stubPeer(Math.floor(now / 1000) + 1);
  const warned = once(connection, 'sent');
  const closed = once(connection, 'closed');
  // The lifecycle's timers are unref'd (they must not hold a process open): this test holds it.
  const hold = setInterval(() => {}, 1000);
  try {
    lifecycle.track(peer);
    assert.equal(connection.sent.length, 0, 'not inside track(): the frame being answered goes first');
    await warned;
    assert.equal(JSON.parse(connection.sent[0]!.subarray(2).toString()).type, 'token_expiring');
    assert.equal(JSON.parse(connection.sent[0]!.subarray(2).toString()).expiresAt, peer.claims.exp * 1000);
    assert.equal(connection.closedWith, undefined);
    await closed;
    assert.deepEqual(connection.closedWith, [CLOSE_TOKEN_EXPIRED, 'token expired']);
    assert.ok(Date.now() >= peer.claims.exp * 1000);
  } finally {
    clearInterval(hold);
    lifecycle.untrack(peer);
  }
});

test('SPEC §4: auth replaces the token and its timers; another user\'s token is forbidden; session and account events close 4001 / 4003', async () => {
  const auth = new StubAuth();
  const lifecycle = new TokenLifecycle(auth as unknown as Auth, () => 1_000_000);
  const { connection, peer } = stubPeer(2000);
  lifecycle.track(peer);
  assert.equal(connection.sent.length, 0, 'nothing before 60 s remain');
  auth.tokens.set('other', claims(3000, 'u2'));
  auth.tokens.set('fresh', claims(5000, 'u1', 's2'));
  await assert.rejects(lifecycle.replace(peer, 'other'), { code: 'forbidden' });
  await assert.rejects(lifecycle.replace(peer, 'nope'), { code: 'unauthorized' });
  assert.deepEqual(await lifecycle.replace(peer, 'fresh'), { expiresAt: 5_000_000 });
  assert.equal(peer.claims.sid, 's2');
  auth.emit('sessionEnded', 's1', 'u1');
  assert.equal(connection.closedWith, undefined, 'the old session no longer holds this socket');
  auth.emit('sessionEnded', 's2', 'u1');
  assert.deepEqual(connection.closedWith, [CLOSE_TOKEN_EXPIRED, 'session ended']);
  auth.emit('userDeleted', 'u1');
  assert.deepEqual(connection.closedWith, [CLOSE_ACCOUNT_DELETED, 'account deleted']);
  lifecycle.close();
});
