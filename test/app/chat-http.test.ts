/**
 * SPEC §2 rooms and messages routes over real HTTP: rooms CRUD, history paging and
 * its query rules, long polling, Server-Sent Events with Last-Event-ID, and the
 * counters — with messages crossing between HTTP, SSE and WebSocket.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../helpers/server.js';
import { request } from './http-client.js';
import { api, ChatClient, eventually, SseStream, startWithAccounts, type Account } from './chat-client.js';

let server: RunningServer;
let admin: Account, bob: Account, cat: Account;

before(async () => {
  ({ server, accounts: [admin, bob, cat] } = await startWithAccounts(['admin_http', 'bob_http', 'cat_http']));
});
after(() => server.stop());

const post = (who: Account, room: string, text: unknown) => api(server, who.token, 'POST', `/api/rooms/${room}/messages`, { text });
const messages = (who: Account, room: string, query = '') => api(server, who.token, 'GET', `/api/rooms/${room}/messages${query}`);

test('SPEC §2: POST /api/rooms creates a Room (201), a taken name is 409 room_exists, a bad one 400; GET lists it', async () => {
  const created = await api(server, bob.token, 'POST', '/api/rooms', { name: 'http-news' });
  assert.equal(created.status, 201);
  assert.deepEqual(Object.keys(created.json.room).sort(), ['createdAt', 'createdBy', 'epoch', 'members', 'name']);
  assert.equal(created.json.room.createdBy, 'bob_http');
  assert.equal(created.json.room.members, 0);
  assert.ok(!Number.isNaN(Date.parse(created.json.room.createdAt)));
  assert.equal(typeof created.json.room.epoch, 'string');
  const again = await api(server, cat.token, 'POST', '/api/rooms', { name: 'http-news' });
  assert.deepEqual([again.status, again.json.error], [409, 'room_exists']);
  for (const name of ['', 'UPPER', 'a'.repeat(33), 'sp ace', 7]) {
    const bad = await api(server, bob.token, 'POST', '/api/rooms', { name });
    assert.deepEqual([bad.status, bad.json.error], [400, 'bad_request'], String(name));
  }
  const list = await api(server, cat.token, 'GET', '/api/rooms');
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.rooms.find((r: { name: string }) => r.name === 'http-news'), created.json.room);
  assert.equal((await request(server.url, '/api/rooms')).status, 401);
});

test('SPEC §2: DELETE /api/rooms/:name is for the creator or an admin (403 otherwise, 404 if none); members get room_deleted', async () => {
  await api(server, bob.token, 'POST', '/api/rooms', { name: 'http-doomed' });
  const member = await ChatClient.open(server, cat.token);
  await member.call({ type: 'join_room', room: 'http-doomed' });
  const refused = await api(server, cat.token, 'DELETE', '/api/rooms/http-doomed');
  assert.deepEqual([refused.status, refused.json.error], [403, 'forbidden']);
  assert.equal((await api(server, admin.token, 'DELETE', '/api/rooms/http-doomed')).status, 204);
  assert.deepEqual(await member.next('room_deleted'), { type: 'room_deleted', room: 'http-doomed' });
  assert.equal((await api(server, bob.token, 'DELETE', '/api/rooms/http-doomed')).status, 404);
  assert.equal((await messages(bob, 'http-doomed')).status, 404);
  await api(server, bob.token, 'POST', '/api/rooms', { name: 'http-own' });
  assert.equal((await api(server, bob.token, 'DELETE', '/api/rooms/http-own')).status, 204);
  await member.close();
});

test('SPEC §2, §7 rules 1 and 5: POST messages stores trimmed text with seq from 1; over 1000 code points is message_too_long', async () => {
  await api(server, bob.token, 'POST', '/api/rooms', { name: 'http-post' });
  const first = await post(cat, 'http-post', '  hi there \n');
  assert.equal(first.status, 201);
  assert.deepEqual(Object.keys(first.json.message).sort(), ['id', 'room', 'sender', 'senderId', 'seq', 'text', 'timestamp']);
  assert.deepEqual([first.json.message.text, first.json.message.seq, first.json.message.sender, first.json.message.senderId], ['hi there', 1, 'cat_http', cat.id]);
  assert.equal((await post(cat, 'http-post', '😀'.repeat(1000))).status, 201, '1000 astral characters fit');
  const long = await post(cat, 'http-post', 'x'.repeat(1001));
  assert.deepEqual([long.status, long.json.error], [400, 'message_too_long']);
  for (const text of ['', '   ', 5, null]) assert.equal((await post(cat, 'http-post', text)).json.error, 'bad_request');
  assert.equal((await post(cat, 'http-nowhere', 'x')).status, 404);
});

test('SPEC §2, §7 rule 6: GET messages pages with since (oldest first), before, and latest; lastSeq is the highest seq', async () => {
  await api(server, bob.token, 'POST', '/api/rooms', { name: 'http-pages' });
  const empty = await messages(bob, 'http-pages');
  assert.deepEqual(empty.json, { messages: [], lastSeq: 0 });
  for (let i = 1; i <= 12; i++) await post(bob, 'http-pages', `m${i}`);
  const seqs = (answer: { json: { messages: Array<{ seq: number }> } }) => answer.json.messages.map((m) => m.seq);
  const latest = await messages(bob, 'http-pages', '?limit=3');
  assert.deepEqual(seqs(latest), [10, 11, 12]);
  assert.equal(latest.json.lastSeq, 12);
  assert.deepEqual(seqs(await messages(bob, 'http-pages', '?since=4&limit=3')), [5, 6, 7]);
  assert.deepEqual(seqs(await messages(bob, 'http-pages', '?before=4')), [1, 2, 3]);
  assert.equal((await messages(bob, 'http-pages')).json.messages.length, 12, 'default limit 50');
  assert.deepEqual((await messages(bob, 'http-pages', '?since=12')).json, { messages: [], lastSeq: 12 });
});

test('SPEC §7 rule 4: since, before, limit and wait that are not integers in range are 400', async () => {
  await api(server, bob.token, 'POST', '/api/rooms', { name: 'http-query' });
  for (const query of ['?limit=0', '?limit=101', '?limit=abc', '?since=-1', '?since=1.5', '?since=', '?before=x', '?wait=31', '?wait=-1', '?wait=2.5', '?limit=1e1']) {
    const answer = await messages(bob, 'http-query', query);
    assert.deepEqual([answer.status, answer.json.error], [400, 'bad_request'], query);
  }
  assert.equal((await messages(bob, 'http-query', '?limit=100&since=0&wait=0')).status, 200);
});

test('SPEC §2: a long poll answers as soon as a message after since exists, and empty after wait seconds otherwise', async () => {
  await api(server, bob.token, 'POST', '/api/rooms', { name: 'http-poll' });
  await post(bob, 'http-poll', 'old');
  const started = Date.now();
  const polling = messages(cat, 'http-poll', '?since=1&wait=10');
  const sender = await ChatClient.open(server, bob.token);
  await sender.call({ type: 'join_room', room: 'http-poll' });
  await sender.call({ type: 'send_message', room: 'http-poll', text: 'new' });
  const answer = await polling;
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.json.messages.map((m: { text: string }) => m.text), ['new']);
  assert.equal(answer.json.lastSeq, 2);
  assert.ok(Date.now() - started < 5000, 'answered well before wait ran out');
  const immediate = await messages(cat, 'http-poll', '?since=0&wait=10');
  assert.equal(immediate.json.messages.length, 2, 'messages already there: no wait');
  const idleStart = Date.now();
  const idle = await messages(cat, 'http-poll', '?since=2&wait=1');
  assert.deepEqual(idle.json, { messages: [], lastSeq: 2 });
  assert.ok(Date.now() - idleStart >= 950, 'waited the full second');
  await sender.close();
});

test('SPEC §2: a long poll on a room deleted while it waits answers 404 not_found at once', async () => {
  await api(server, bob.token, 'POST', '/api/rooms', { name: 'http-doomed' });
  const started = Date.now();
  const polling = messages(cat, 'http-doomed', '?since=0&wait=20');
  assert.equal((await api(server, bob.token, 'GET', '/api/rooms')).status, 200); // the poll is in by now
  assert.equal((await api(server, bob.token, 'DELETE', '/api/rooms/http-doomed')).status, 204);
  const answer = await polling;
  assert.equal(answer.status, 404);
  assert.equal(answer.json.error, 'not_found');
  assert.ok(Date.now() - started < 10_000, 'answered at the deletion, not after wait');
});

test('SPEC §2: SSE delivers each message as id: seq, event: message, data: Message — from HTTP and WebSocket senders alike', async () => {
  await api(server, bob.token, 'POST', '/api/rooms', { name: 'http-sse' });
  const stream = await SseStream.open(server, cat.token, 'http-sse');
  assert.equal(stream.status, 200);
  assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
  const fromHttp = await post(bob, 'http-sse', 'over http');
  const ws = await ChatClient.open(server, bob.token);
  await ws.call({ type: 'join_room', room: 'http-sse' });
  const fromWs = await ws.call({ type: 'send_message', room: 'http-sse', text: 'over ws' });
  const events = await stream.waitFor(2);
  assert.deepEqual(events.map((e) => [e.id, e.event]), [['1', 'message'], ['2', 'message']]);
  assert.deepEqual(JSON.parse(events[0]!.data), fromHttp.json.message);
  assert.deepEqual(JSON.parse(events[1]!.data), fromWs.message);
  stream.close();
  await ws.close();
});

test('SPEC §2: SSE honours Last-Event-ID: a reconnecting stream first gets every message after it', async () => {
  await api(server, bob.token, 'POST', '/api/rooms', { name: 'http-resume' });
  for (let i = 1; i <= 5; i++) await post(bob, 'http-resume', `m${i}`);
  const stream = await SseStream.open(server, cat.token, 'http-resume', '2');
  const replayed = await stream.waitFor(3);
  assert.deepEqual(replayed.map((e) => e.id), ['3', '4', '5']);
  await post(bob, 'http-resume', 'm6');
  const [, , , live] = await stream.waitFor(4);
  assert.equal(live!.id, '6');
  assert.equal(JSON.parse(live!.data).text, 'm6');
  stream.close();
  const unknown = await SseStream.open(server, cat.token, 'http-nowhere');
  assert.equal(unknown.status, 404);
});

test('SSE: a Last-Event-ID beyond the room\'s history (the room was re-created) replays the new history from its start', async () => {
  await api(server, bob.token, 'POST', '/api/rooms', { name: 'http-reborn' });
  for (let i = 1; i <= 5; i++) await post(bob, 'http-reborn', `old ${i}`);
  assert.equal((await api(server, bob.token, 'DELETE', '/api/rooms/http-reborn')).status, 204);
  await api(server, bob.token, 'POST', '/api/rooms', { name: 'http-reborn' });
  await post(bob, 'http-reborn', 'new 1');
  // A client that saw id 5 of the old room reconnects: it must not miss the new seq 1.
  const stream = await SseStream.open(server, cat.token, 'http-reborn', '5');
  const [first] = await stream.waitFor(1);
  assert.equal(first!.id, '1');
  assert.equal(JSON.parse(first!.data).text, 'new 1');
  await post(bob, 'http-reborn', 'new 2');
  const [, live] = await stream.waitFor(2);
  assert.equal(live!.id, '2');
  stream.close();
});

test('SPEC §2 metrics: an SSE stream the client leaves is counted in socketlink_http_requests_total (an answer cut short)', async () => {
  await api(server, bob.token, 'POST', '/api/rooms', { name: 'http-counted' });
  const sseCount = async () => {
    const text = (await request(server.url, '/metrics')).text;
    const line = text.split('\n').find((l) => l.startsWith('socketlink_http_requests_total{route="/api/rooms/:name/events",status="200"}'));
    return line === undefined ? 0 : Number(line.split(' ').at(-1));
  };
  const before = await sseCount();
  const stream = await SseStream.open(server, cat.token, 'http-counted');
  assert.equal(stream.status, 200);
  stream.close();
  await eventually(async () => (await sseCount()) === before + 1, 'the left stream is counted');
});

test('SPEC §2: an idle SSE stream gets a comment line every 15 s, so proxies keep it open', { timeout: 30_000 }, async () => {
  await api(server, bob.token, 'POST', '/api/rooms', { name: 'http-keepalive' });
  const opened = Date.now();
  const stream = await SseStream.open(server, cat.token, 'http-keepalive');
  assert.equal(stream.status, 200);
  // Our stream opens with one comment at once (headers flushed); the keep-alive is the next.
  await stream.waitForComments(1, 4000);
  const comments = await stream.waitForComments(2, 20_000);
  assert.ok(Date.now() - opened >= 14_000, `the keep-alive came after ${Date.now() - opened} ms, not about 15 s`);
  assert.match(comments[1]!, /^:/);
  assert.equal(stream.events.length, 0, 'a keep-alive is a comment, not an event');
  stream.close();
});

test('SPEC §2 issue 4 §8: /api/stats and /metrics count connections, rooms, messages and frames', async () => {
  const before = (await request(server.url, '/api/stats')).json;
  const client = await ChatClient.open(server, cat.token);
  await api(server, bob.token, 'POST', '/api/rooms', { name: 'http-stats' });
  await client.call({ type: 'join_room', room: 'http-stats' });
  await client.call({ type: 'send_message', room: 'http-stats', text: 'counted' });
  const stats = (await request(server.url, '/api/stats')).json;
  assert.equal(stats.connections, before.connections + 1);
  assert.equal(stats.onlineUsers, before.onlineUsers + 1);
  assert.equal(stats.rooms, before.rooms + 1);
  assert.equal(stats.messages, before.messages + 1);
  const metrics = (await request(server.url, '/metrics')).text;
  const value = (pattern: RegExp) => Number(pattern.exec(metrics)?.[1]);
  assert.ok(value(/^socketlink_connections (\d+)/m) >= 1);
  assert.ok(value(/^socketlink_messages_total (\d+)/m) >= stats.messages);
  assert.ok(value(/^socketlink_ws_frames_total\{direction="in"\} (\d+)/m) >= 2);
  assert.ok(value(/^socketlink_ws_frames_total\{direction="out"\} (\d+)/m) >= 4);
  await client.close();
});
