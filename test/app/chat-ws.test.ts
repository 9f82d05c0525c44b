/**
 * SPEC §4 over real sockets: the `/ws` handshake and its four token transports,
 * every client event and its answers, errors that keep the socket open, limits
 * that close it, presence, typing, catch-up with `since`, and cleanup.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { RunningServer } from '../helpers/server.js';
import { request } from './http-client.js';
import { account, api, ChatClient, eventually, login, refusedHandshake, startWithAccounts, type Account } from './chat-client.js';

let server: RunningServer;
let ann: Account, bob: Account, cat: Account;

before(async () => {
  ({ server, accounts: [ann, bob, cat] } = await startWithAccounts(['ann_ws', 'bob_ws', 'cat_ws']));
});
after(() => server.stop());

test('SPEC §4: with a Bearer header the first frame is welcome with user, rooms and heartbeatSeconds', async () => {
  const client = await ChatClient.open(server, ann.token);
  assert.equal(client.welcome.user.username, 'ann_ws');
  assert.equal(client.welcome.user.id, ann.id);
  assert.ok(Array.isArray(client.welcome.rooms));
  assert.equal(client.welcome.heartbeatSeconds, 30);
  await client.close();
});

test('SPEC §4: the token may come as ?token=, as a bearer.<token> subprotocol (socketlink.v1 selected), or as the cookie with an allowed Origin', async () => {
  const byQuery = await ChatClient.open(server, undefined, { path: `/ws?token=${encodeURIComponent(ann.token)}` });
  assert.equal(byQuery.welcome.user.username, 'ann_ws');
  const byProtocol = await ChatClient.open(server, undefined, { protocols: ['socketlink.v1', `bearer.${ann.token}`] });
  assert.equal(byProtocol.ws.protocol, 'socketlink.v1');
  const byCookie = await ChatClient.open(server, undefined, { headers: { cookie: `sl_access=${ann.token}`, origin: server.url } });
  assert.equal(byCookie.welcome.user.username, 'ann_ws');
  await Promise.all([byQuery.close(), byProtocol.close(), byCookie.close()]);
  assert.ok(!server.lines.some((line) => line.includes(ann.token)), 'the token is never logged');
});

test('SPEC §4: a missing or bad token is a plain 401 JSON answer instead of 101', async () => {
  const none = await refusedHandshake(server, {});
  assert.equal(none.status, 401);
  assert.equal(none.json.error, 'unauthorized');
  assert.match(String(none.headers['content-type']), /^application\/json/);
  const bad = await refusedHandshake(server, { authorization: 'Bearer not.a.token' });
  assert.equal(bad.status, 401);
  assert.equal(bad.json.error, 'unauthorized');
});

test('SPEC §4, §7 rule 15: a disallowed Origin is 403; a cookie token without Origin is 403; a Bearer token without Origin is fine', async () => {
  const foreign = await refusedHandshake(server, { authorization: `Bearer ${ann.token}`, origin: 'https://evil.example' });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.json.error, 'forbidden');
  const cookieNoOrigin = await refusedHandshake(server, { cookie: `sl_access=${ann.token}` });
  assert.equal(cookieNoOrigin.status, 403);
  const plain = await ChatClient.open(server, ann.token);
  await plain.close();
});

test('issue 2 §2: every handshake answer, 101 or refusal, carries a request id; refusals carry the API security headers', async () => {
  const client = ChatClient.connect(server, ann.token);
  const [upgrade] = await once(client.ws, 'upgrade');
  const accepted = upgrade as IncomingMessage;
  assert.equal(accepted.statusCode, 101);
  assert.match(String(accepted.headers['x-request-id']), /^\S+$/);
  await client.opened();
  await client.close();
  const refused = await refusedHandshake(server, {});
  assert.equal(refused.status, 401);
  assert.match(String(refused.headers['x-request-id']), /^\S+$/);
  assert.notEqual(refused.headers['x-request-id'], accepted.headers['x-request-id']);
  assert.equal(refused.headers['x-content-type-options'], 'nosniff');
  assert.match(String(refused.headers['content-security-policy']), /default-src 'none'/);
});

test('a plain GET /ws (no upgrade) is 426 with Upgrade: websocket, as a ws server answers; other methods 405', async () => {
  const plain = await request(server.url, '/ws');
  assert.equal(plain.status, 426);
  assert.equal(plain.json.error, 'bad_request');
  assert.equal(plain.headers['upgrade'], 'websocket');
  assert.equal(plain.headers['sec-websocket-version'], '13');
  const post = await request(server.url, '/ws', { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers['allow'], 'GET, HEAD, OPTIONS');
});

test('an upgrade anywhere but /ws is 404', async () => {
  const answer = await refusedHandshake(server, { authorization: `Bearer ${ann.token}` }, '/elsewhere');
  assert.equal(answer.status, 404);
});

test('SPEC §4, §7 rules 9-11: create, join, user_joined, send with ack, new_message to all members, HTTP post arriving over WebSocket', async () => {
  const a = await ChatClient.open(server, ann.token);
  const b = await ChatClient.open(server, bob.token);
  const created = await a.call({ type: 'create_room', room: 'ws-lobby' });
  assert.equal(created.type, 'room_created');
  assert.deepEqual(Object.keys(created.room).sort(), ['createdAt', 'createdBy', 'epoch', 'members', 'name']);
  assert.equal(created.room.createdBy, 'ann_ws');
  assert.equal(created.room.members, 1);
  const seenByBob = await b.next('room_created');
  assert.equal(seenByBob.replyTo, undefined);
  assert.equal(seenByBob.room.name, 'ws-lobby');

  const joined = await b.call({ type: 'join_room', room: 'ws-lobby' });
  assert.equal(joined.type, 'joined_room');
  assert.deepEqual(joined.users.sort(), ['ann_ws', 'bob_ws']);
  const history = await b.next('message_history');
  assert.deepEqual([history.room, history.messages, history.complete], ['ws-lobby', [], true]);
  assert.equal(history.epoch, created.room.epoch);
  assert.deepEqual(await a.next('user_joined'), { type: 'user_joined', room: 'ws-lobby', username: 'bob_ws', userCount: 2 });

  const ack = await a.call({ type: 'send_message', room: 'ws-lobby', text: '  hello  ' });
  assert.equal(ack.type, 'ack');
  assert.equal(ack.message.text, 'hello');
  assert.equal(ack.message.seq, 1);
  assert.equal(ack.message.sender, 'ann_ws');
  assert.equal(ack.message.senderId, ann.id);
  assert.equal(typeof ack.message.timestamp, 'number');
  assert.deepEqual((await a.next('new_message')).message, ack.message);
  assert.deepEqual((await b.next('new_message')).message, ack.message);

  const posted = await api(server, cat.token, 'POST', '/api/rooms/ws-lobby/messages', { text: 'from http' });
  assert.equal(posted.status, 201);
  assert.deepEqual((await b.next('new_message')).message, posted.json.message);
  assert.deepEqual((await a.next('new_message')).message, posted.json.message);

  const rooms = await a.call({ type: 'list_rooms' });
  assert.equal(rooms.type, 'rooms_list');
  assert.equal(rooms.rooms.find((r: { name: string }) => r.name === 'ws-lobby').members, 2);
  await a.sync();
  assert.deepEqual(a.drain('ack'), [], 'named answers get no separate ack');
  await Promise.all([a.close(), b.close()]);
});

test('SPEC §2: seq is strictly increasing per room as every member sees it', async () => {
  const a = await ChatClient.open(server, ann.token);
  const b = await ChatClient.open(server, bob.token);
  await a.call({ type: 'create_room', room: 'ws-order' });
  await b.call({ type: 'join_room', room: 'ws-order' });
  for (let i = 0; i < 10; i++) {
    a.send({ type: 'send_message', room: 'ws-order', text: `a${i}` });
    b.send({ type: 'send_message', room: 'ws-order', text: `b${i}` });
  }
  for (const client of [a, b]) {
    const seqs: number[] = [];
    for (let i = 0; i < 20; i++) seqs.push((await client.next('new_message')).message.seq);
    assert.deepEqual(seqs, Array.from({ length: 20 }, (_, i) => i + 1));
  }
  await Promise.all([a.close(), b.close()]);
});

test('SPEC §4: bad requests get error events with their codes and never close the socket', async () => {
  const a = await ChatClient.open(server, ann.token);
  await a.call({ type: 'create_room', room: 'ws-errors' });
  a.send('this is not json');
  assert.deepEqual(Object.keys(await a.next('error')).sort(), ['code', 'message', 'type']);
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ type: 'fly' }, 'bad_request'],
    [{ type: 'join_room', room: 'NOT valid' }, 'bad_request'],
    [{ type: 'join_room', room: 'ws-nowhere' }, 'not_found'],
    [{ type: 'create_room', room: 'ws-errors' }, 'room_exists'],
    [{ type: 'send_message', room: 'ws-errors', text: 'x'.repeat(1001) }, 'message_too_long'],
    [{ type: 'send_message', room: 'ws-errors', text: '   ' }, 'bad_request'],
    [{ type: 'history', room: 'ws-errors', limit: 0 }, 'bad_request'],
  ];
  for (const [event, code] of cases) {
    const answer = await a.call(event);
    assert.equal(answer.type, 'error', JSON.stringify(event));
    assert.equal(answer.code, code, JSON.stringify(event));
  }
  const b = await ChatClient.open(server, bob.token);
  assert.equal((await b.call({ type: 'send_message', room: 'ws-errors', text: 'hi' })).code, 'not_in_room');
  assert.equal((await b.call({ type: 'leave_room', room: 'ws-errors' })).code, 'not_in_room');
  assert.equal((await a.call({ type: 'list_rooms' })).type, 'rooms_list', 'still open');
  await Promise.all([a.close(), b.close()]);
});

test('SPEC §7 rule 5: a message of exactly 65536 bytes is processed; 65537 bytes closes 1009', async () => {
  const a = await ChatClient.open(server, ann.token);
  const frame = (size: number) => {
    const head = '{"type":"send_message","room":"x","text":"';
    return head + 'y'.repeat(size - head.length - 2) + '"}';
  };
  assert.equal(Buffer.byteLength(frame(65536)), 65536);
  a.send(frame(65536));
  assert.equal((await a.next('error')).code, 'message_too_long');
  a.send(frame(65537));
  assert.equal((await a.closed).code, 1009);
});

test('SPEC §4, §7 rule 13: a flood gets rate_limited errors, then close 1008', async () => {
  const c = await ChatClient.open(server, cat.token);
  for (let i = 0; i < 150; i++) c.send({ type: 'list_rooms', id: `f${i}` });
  const { code } = await c.closed;
  assert.equal(code, 1008);
  const limited = c.inbox.filter((e) => e.type === 'error' && e.code === 'rate_limited');
  assert.ok(limited.length > 0, 'rate_limited errors came before the close');
  assert.ok(limited.length <= 60, 'the burst of 40 was not refused');
});

test('SPEC §7 rule 12: presence goes to other sockets on first open and last close', async () => {
  const b = await ChatClient.open(server, bob.token);
  const c1 = await ChatClient.open(server, cat.token);
  assert.deepEqual(await b.next((e) => e.type === 'presence' && e.username === 'cat_ws'), { type: 'presence', username: 'cat_ws', online: true });
  const users = await api(server, bob.token, 'GET', '/api/auth/users');
  assert.equal(users.json.users.find((u: { username: string }) => u.username === 'cat_ws').online, true);
  const c2 = await ChatClient.open(server, cat.token);
  await c1.close();
  await c2.sync();
  await b.sync();
  assert.deepEqual(b.drain('presence'), [], 'cat is still online on another socket');
  await c2.close();
  assert.deepEqual(await b.next((e) => e.type === 'presence' && e.username === 'cat_ws'), { type: 'presence', username: 'cat_ws', online: false });
  await b.close();
});

test('SPEC §4: typing and stop_typing reach the others; the server stops typing after 5 s of silence', async () => {
  const a = await ChatClient.open(server, ann.token);
  const b = await ChatClient.open(server, bob.token);
  await a.call({ type: 'create_room', room: 'ws-typing' });
  await b.call({ type: 'join_room', room: 'ws-typing' });
  assert.equal((await a.call({ type: 'typing', room: 'ws-typing' })).type, 'ack');
  assert.deepEqual(await b.next('user_typing'), { type: 'user_typing', room: 'ws-typing', username: 'ann_ws' });
  a.send({ type: 'stop_typing', room: 'ws-typing' });
  assert.deepEqual(await b.next('user_stop_typing'), { type: 'user_stop_typing', room: 'ws-typing', username: 'ann_ws' });
  const started = Date.now();
  a.send({ type: 'typing', room: 'ws-typing' });
  await b.next('user_typing');
  await b.next('user_stop_typing', 7000);
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 4900 && elapsed < 6500, `auto-stop after ${elapsed} ms`);
  await a.sync();
  assert.deepEqual(a.drain('user_typing'), [], 'the typist is not told about themself');
  await Promise.all([a.close(), b.close()]);
});

test('SPEC §4, §7 rule 7: a client that reconnects with since and epoch receives exactly the missed messages', async () => {
  const a = await ChatClient.open(server, ann.token);
  await a.call({ type: 'create_room', room: 'ws-resume' });
  await a.call({ type: 'send_message', room: 'ws-resume', text: 'seen' });
  let b = await ChatClient.open(server, bob.token);
  await b.call({ type: 'join_room', room: 'ws-resume' });
  const first = await b.next('message_history');
  const lastSeq = first.messages.at(-1).seq;
  await b.close();
  for (const text of ['m1', 'm2', 'm3']) await a.call({ type: 'send_message', room: 'ws-resume', text });
  b = await ChatClient.open(server, bob.token);
  await b.call({ type: 'join_room', room: 'ws-resume', since: lastSeq, epoch: first.epoch });
  const missed = await b.next('message_history');
  assert.deepEqual(missed.messages.map((m: { text: string }) => m.text), ['m1', 'm2', 'm3']);
  assert.equal(missed.complete, true);
  await b.call({ type: 'join_room', room: 'ws-resume', since: lastSeq, epoch: 'another-epoch' });
  const other = await b.next('message_history');
  assert.deepEqual(other.messages.map((m: { text: string }) => m.text), ['seen', 'm1', 'm2', 'm3']);
  assert.equal(other.complete, false);
  const page = await b.call({ type: 'history', room: 'ws-resume', before: 4, limit: 2 });
  assert.equal(page.type, 'message_history');
  assert.deepEqual(page.messages.map((m: { seq: number }) => m.seq), [2, 3]);
  assert.equal(page.complete, false);
  await Promise.all([a.close(), b.close()]);
});

test('SPEC §4, §7 rule 11: leave_room acks and others get user_left; joining twice sends no second user_joined', async () => {
  const a = await ChatClient.open(server, ann.token);
  const b = await ChatClient.open(server, bob.token);
  await a.call({ type: 'create_room', room: 'ws-leave' });
  await b.call({ type: 'join_room', room: 'ws-leave' });
  await a.next('user_joined');
  const again = await b.call({ type: 'join_room', room: 'ws-leave' });
  assert.equal(again.type, 'joined_room');
  await b.next('message_history');
  await b.next('message_history');
  await a.sync();
  assert.deepEqual(a.drain('user_joined'), []);
  assert.deepEqual(await b.call({ type: 'leave_room', room: 'ws-leave' }), { type: 'ack', replyTo: 'c3' });
  assert.deepEqual(await a.next('user_left'), { type: 'user_left', room: 'ws-leave', username: 'bob_ws', userCount: 1 });
  await Promise.all([a.close(), b.close()]);
});

test('issue 4 §2: after every socket closes no membership or presence is left', async () => {
  const a = await ChatClient.open(server, ann.token);
  const b = await ChatClient.open(server, bob.token);
  await a.call({ type: 'create_room', room: 'ws-cleanup' });
  await b.call({ type: 'join_room', room: 'ws-cleanup' });
  await b.call({ type: 'typing', room: 'ws-cleanup' });
  await Promise.all([a.close(), b.close()]);
  await eventually(async () => {
    const stats = await request(server.url, '/api/stats');
    return stats.json.onlineUsers === 0 && stats.json.connections === 0;
  }, 'no one online');
  const rooms = await api(server, ann.token, 'GET', '/api/rooms');
  assert.ok(rooms.json.rooms.every((r: { members: number }) => r.members === 0), JSON.stringify(rooms.json.rooms));
});

test('SPEC §7 rule 16 and §2: logout and device sign-out close that session\'s sockets with 4001', async () => {
  const session = await account(server, 'dan_ws');
  const other = await login(server, 'dan_ws');
  const s1 = await ChatClient.open(server, session.token);
  const s2 = await ChatClient.open(server, other.token);
  const logout = await api(server, session.token, 'POST', '/api/auth/logout');
  assert.equal(logout.status, 204);
  assert.equal((await s1.closed).code, 4001);
  const sessions = await api(server, other.token, 'GET', '/api/auth/sessions');
  const current = sessions.json.sessions.find((s: { current: boolean }) => s.current);
  const third = await login(server, 'dan_ws');
  assert.equal((await api(server, third.token, 'DELETE', `/api/auth/sessions/${current.id}`)).status, 204);
  assert.equal((await s2.closed).code, 4001);
});

test('SPEC §2: deleting an account closes its sockets with 4003', async () => {
  const eve = await account(server, 'eve_ws');
  const socket = await ChatClient.open(server, eve.token);
  assert.equal((await api(server, ann.token, 'DELETE', `/api/users/${eve.id}`)).status, 204);
  assert.equal((await socket.closed).code, 4003);
});
