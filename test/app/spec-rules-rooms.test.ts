/**
 * SPEC §7 rules 6–12 ("Rooms and messages"), black-box against the built server:
 * the clauses that chat-http and chat-ws did not assert over real sockets —
 * catch-up past 500, `complete`, distinct members, what `room` holds in each event,
 * named answers without `ack`, per-user join/leave, and who counts as online.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import type { RunningServer } from '../helpers/server.js';
import { request } from './http-client.js';
import { api, bearer, ChatClient, eventually, SseStream, startWithAccounts, type Account } from './chat-client.js';

let server: RunningServer;
let ann: Account, bob: Account, cat: Account;

before(async () => {
  ({ server, accounts: [ann, bob, cat] } = await startWithAccounts(['ann_rooms', 'bob_rooms', 'cat_rooms']));
});
after(() => server.stop());

const seqs = (messages: Array<{ seq: number }>) => messages.map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Posts `count` messages over one keep-alive connection. */
async function postMany(room: string, count: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 1; i <= count; i++) {
      const answer = await request(server.url, `/api/rooms/${room}/messages`, { method: 'POST', headers: bearer(ann.token), body: { text: `m${i}` }, agent });
      assert.equal(answer.status, 201, answer.text);
    }
  } finally {
    agent.destroy();
  }
}

const membersOf = async (name: string) => (await api(server, ann.token, 'GET', '/api/rooms')).json.rooms.find((r: { name: string }) => r.name === name).members;

// --- Rule 6 ---

test('SPEC §7 rule 6: lastSeq is the room\'s highest seq on every kind of page (before, since, latest, empty since)', async () => {
  await api(server, ann.token, 'POST', '/api/rooms', { name: 'r6' });
  await postMany('r6', 8);
  const get = (query: string) => api(server, ann.token, 'GET', `/api/rooms/r6/messages${query}`);
  const older = await get('?before=3&limit=5');
  assert.deepEqual([seqs(older.json.messages), older.json.lastSeq], [[1, 2], 8]);
  const catchUp = await get('?since=2&limit=3');
  assert.deepEqual([seqs(catchUp.json.messages), catchUp.json.lastSeq], [[3, 4, 5], 8], 'the oldest limit after since');
  const latest = await get('?limit=3');
  assert.deepEqual([seqs(latest.json.messages), latest.json.lastSeq], [[6, 7, 8], 8], 'the latest limit');
  const past = await get('?since=8');
  assert.deepEqual([past.json.messages, past.json.lastSeq], [[], 8]);
  await postMany('r6', 1);
  assert.equal((await get('?before=2')).json.lastSeq, 9, 'read when the answer is made');
});

// --- Rule 7 ---

test('SPEC §7 rule 7: join_room with more than 500 missed gets the oldest 500 after since, complete:false; continuing from the last seq completes it', async () => {
  await api(server, ann.token, 'POST', '/api/rooms', { name: 'r7' });
  await postMany('r7', 520);
  const client = await ChatClient.open(server, bob.token);
  const fresh = await client.call({ type: 'join_room', room: 'r7' });
  assert.equal(fresh.type, 'joined_room');
  const latest = await client.next('message_history');
  assert.deepEqual([seqs(latest.messages), latest.complete], [range(471, 520), false], 'without since: the last 50, older exist');
  const epoch = latest.epoch;

  await client.call({ type: 'join_room', room: 'r7', since: 10, epoch });
  const first = await client.next('message_history');
  assert.equal(first.messages.length, 500);
  assert.deepEqual([first.messages[0].seq, first.messages.at(-1).seq, first.complete], [11, 510, false]);
  await client.call({ type: 'join_room', room: 'r7', since: first.messages.at(-1).seq, epoch });
  const rest = await client.next('message_history');
  assert.deepEqual([seqs(rest.messages), rest.complete], [range(511, 520), true]);
  await client.call({ type: 'join_room', room: 'r7', since: 520, epoch });
  const none = await client.next('message_history');
  assert.deepEqual([none.messages, none.complete], [[], true]);
  await client.close();
});

test('SPEC §7 rule 7: history is complete:false while older messages exist beyond the page, true once it reaches seq 1', async () => {
  const client = await ChatClient.open(server, bob.token);
  const middle = await client.call({ type: 'history', room: 'r7', before: 100, limit: 5 });
  assert.deepEqual([seqs(middle.messages), middle.complete], [[95, 96, 97, 98, 99], false]);
  const start = await client.call({ type: 'history', room: 'r7', before: 6, limit: 5 });
  assert.deepEqual([seqs(start.messages), start.complete], [[1, 2, 3, 4, 5], true]);
  const short = await client.call({ type: 'history', room: 'r7', before: 3, limit: 5 });
  assert.deepEqual([seqs(short.messages), short.complete], [[1, 2], true]);
  await client.close();
});

// --- Rules 8 and 11 ---

test('SPEC §7 rules 8 and 11: members counts distinct users with a joined socket now; user_joined/user_left are per user, not per socket', async () => {
  const created = await api(server, cat.token, 'POST', '/api/rooms', { name: 'r8' });
  assert.equal(created.json.room.createdBy, 'cat_rooms', 'createdBy is the creator\'s username');
  const a1 = await ChatClient.open(server, ann.token);
  const a2 = await ChatClient.open(server, ann.token);
  const b = await ChatClient.open(server, bob.token);
  await b.call({ type: 'join_room', room: 'r8' });
  await a1.call({ type: 'join_room', room: 'r8' });
  assert.deepEqual(await b.next('user_joined'), { type: 'user_joined', room: 'r8', username: 'ann_rooms', userCount: 2 });
  await a2.call({ type: 'join_room', room: 'r8' });
  await b.sync();
  assert.deepEqual(b.drain('user_joined'), [], 'ann\'s second socket is not a new user');
  assert.equal(await membersOf('r8'), 2, 'two users on three sockets');
  assert.equal((await b.call({ type: 'list_rooms' })).rooms.find((r: { name: string }) => r.name === 'r8').members, 2);

  await a1.call({ type: 'leave_room', room: 'r8' });
  await b.sync();
  assert.deepEqual(b.drain('user_left'), [], 'ann is still in the room on another socket');
  assert.equal(await membersOf('r8'), 2);
  await a2.close();
  assert.deepEqual(await b.next('user_left'), { type: 'user_left', room: 'r8', username: 'ann_rooms', userCount: 1 });
  assert.equal(await membersOf('r8'), 1);
  await Promise.all([a1.close(), b.close()]);
  await eventually(async () => (await membersOf('r8')) === 0, 'no member once every socket is gone');
});

test('SPEC §7 rule 11: joining a room the socket is already in answers joined_room and message_history again, and nobody gets user_joined', async () => {
  await api(server, ann.token, 'POST', '/api/rooms', { name: 'r11' });
  const a = await ChatClient.open(server, ann.token);
  const b = await ChatClient.open(server, bob.token);
  await a.call({ type: 'join_room', room: 'r11' });
  await a.next('message_history');
  await b.call({ type: 'join_room', room: 'r11' });
  await b.next('message_history');
  await a.next('user_joined');
  const again = await b.call({ type: 'join_room', room: 'r11' });
  assert.deepEqual(again.users.sort(), ['ann_rooms', 'bob_rooms']);
  assert.equal((await b.next('message_history')).room, 'r11');
  await a.sync();
  await b.sync();
  assert.deepEqual([...a.drain('user_joined'), ...b.drain('user_joined')], []);
  assert.equal(await membersOf('r11'), 2);
  await Promise.all([a.close(), b.close()]);
});

// --- Rules 9 and 10 ---

test('SPEC §7 rule 9: a room created over HTTP reaches every socket, the creator\'s included, as room_created with a whole Room', async () => {
  const mine = await ChatClient.open(server, ann.token);
  const theirs = await ChatClient.open(server, bob.token);
  const created = await api(server, ann.token, 'POST', '/api/rooms', { name: 'r9-http' });
  assert.equal(created.status, 201);
  for (const client of [mine, theirs]) {
    const event = await client.next('room_created');
    assert.deepEqual(event, { type: 'room_created', room: created.json.room });
  }
  await Promise.all([mine.close(), theirs.close()]);
});

test('SPEC §7 rule 9: in every event but room_created, room is the room\'s name (a string)', async () => {
  const a = await ChatClient.open(server, ann.token);
  const b = await ChatClient.open(server, bob.token);
  const created = await a.call({ type: 'create_room', room: 'r9' });
  assert.equal(typeof created.room, 'object');
  assert.equal(created.room.name, 'r9');
  // Events taken by call() and next() are kept here; the rest stay in the inboxes.
  const answers: Array<Record<string, any>> = [];
  for (const event of [
    { type: 'join_room', room: 'r9' },
    { type: 'typing', room: 'r9' },
    { type: 'stop_typing', room: 'r9' },
    { type: 'send_message', room: 'r9', text: 'hi' },
    { type: 'history', room: 'r9' },
    { type: 'leave_room', room: 'r9' },
  ]) {
    answers.push(await b.call(event));
  }
  answers.push(await a.next('user_left'));
  assert.equal((await api(server, ann.token, 'DELETE', '/api/rooms/r9')).status, 204);
  answers.push(await a.next('room_deleted'), await b.next('room_deleted'));
  const seen = new Set<string>();
  for (const event of [...a.inbox, ...b.inbox, ...answers]) {
    if (event.type === 'room_created') continue;
    if ('room' in event) {
      assert.equal(event.room, 'r9', `${event.type}.room is the name`);
      seen.add(event.type);
    }
    if (event.type === 'new_message') assert.equal(event.message.room, 'r9');
  }
  for (const type of ['joined_room', 'message_history', 'user_joined', 'user_typing', 'user_stop_typing', 'user_left', 'room_deleted']) {
    assert.ok(seen.has(type), `saw ${type}`);
  }
  await Promise.all([a.close(), b.close()]);
});

test('SPEC §7 rule 10: list_rooms, create_room, join_room and history carry replyTo on their named event and get no ack', async () => {
  await api(server, ann.token, 'POST', '/api/rooms', { name: 'r10' });
  const client = await ChatClient.open(server, cat.token);
  client.send({ type: 'list_rooms', id: 'q-list' });
  client.send({ type: 'create_room', room: 'r10-new', id: 'q-create' });
  client.send({ type: 'join_room', room: 'r10', id: 'q-join' });
  client.send({ type: 'history', room: 'r10', id: 'q-history' });
  client.send({ type: 'send_message', room: 'r10', text: 'acked', id: 'q-send' });
  assert.equal((await client.next((e) => e.replyTo === 'q-list')).type, 'rooms_list');
  assert.equal((await client.next((e) => e.replyTo === 'q-create')).type, 'room_created');
  assert.equal((await client.next((e) => e.replyTo === 'q-join')).type, 'joined_room');
  const joinHistory = await client.next('message_history');
  assert.equal(joinHistory.replyTo, undefined, 'a join carries replyTo on joined_room');
  assert.equal((await client.next((e) => e.replyTo === 'q-history')).type, 'message_history');
  const sent = await client.next((e) => e.replyTo === 'q-send');
  assert.deepEqual([sent.type, sent.message.text], ['ack', 'acked'], 'a request without a named answer is acked');
  await client.sync();
  assert.deepEqual(client.inbox.filter((e) => e.replyTo !== undefined), [], 'no second answer to any request');
  await client.close();
});

// --- Rule 12 ---

test('SPEC §7 rule 12: presence goes to every other socket (all of another user\'s sockets), not to the socket that came online', async () => {
  const b1 = await ChatClient.open(server, bob.token);
  const b2 = await ChatClient.open(server, bob.token);
  const c = await ChatClient.open(server, cat.token);
  for (const client of [b1, b2]) {
    assert.deepEqual(await client.next((e) => e.type === 'presence' && e.username === 'cat_rooms'), { type: 'presence', username: 'cat_rooms', online: true });
  }
  await c.sync();
  assert.deepEqual(c.drain('presence'), [], 'not told about itself');
  await c.close();
  for (const client of [b1, b2]) {
    assert.deepEqual(await client.next((e) => e.type === 'presence' && e.username === 'cat_rooms'), { type: 'presence', username: 'cat_rooms', online: false });
  }
  await Promise.all([b1.close(), b2.close()]);
});

test('SPEC §7 rule 12: an SSE stream or a long poll does not make a user online; an open WebSocket does', async () => {
  await api(server, ann.token, 'POST', '/api/rooms', { name: 'r12' });
  await eventually(async () => (await request(server.url, '/api/stats')).json.onlineUsers === 0, 'nobody online to begin with');
  const watcher = await ChatClient.open(server, bob.token);
  const stream = await SseStream.open(server, cat.token, 'r12');
  assert.equal(stream.status, 200);
  const poll = api(server, cat.token, 'GET', '/api/rooms/r12/messages?since=0&wait=1');
  const catOnline = async () => (await api(server, bob.token, 'GET', '/api/auth/users')).json.users.find((u: { username: string }) => u.username === 'cat_rooms').online;
  assert.equal(await catOnline(), false);
  const stats = (await request(server.url, '/api/stats')).json;
  assert.equal(stats.onlineUsers, 1, 'only bob, on his WebSocket');
  assert.equal(stats.connections, 2, 'the SSE stream is a connection, not a presence');
  await watcher.sync();
  assert.deepEqual(watcher.drain('presence'), [], 'no presence for a stream or a poll');
  assert.deepEqual((await poll).json.messages, []);
  const socket = await ChatClient.open(server, cat.token);
  assert.equal((await watcher.next('presence')).online, true);
  assert.equal(await catOnline(), true);
  stream.close();
  await Promise.all([socket.close(), watcher.close()]);
});
