import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatService, type ChatServiceOptions } from '../../src/chat/service.js';
import { forbidden } from '../../src/errors.js';
import { MemoryStore } from '../../src/store/memory.js';
import { FakePeer, ManualClock, user } from './fakes.js';

function setup(options: Partial<ChatServiceOptions> = {}) {
  const clock = new ManualClock();
  const store = new MemoryStore({ now: clock.now });
  let ids = 0;
  const chat = new ChatService({ store, clock, newEpoch: () => 'epoch-1', newMessageId: () => `m${++ids}`, ...options });
  const connect = async (name: string, role: 'user' | 'admin' = 'user', peer = new FakePeer(user(name, role))) => {
    await chat.connect(peer);
    return peer;
  };
  const send = (peer: FakePeer, event: Record<string, unknown>) => chat.handle(peer, JSON.stringify(event));
  /** A room created over HTTP by `creator`, joined by the given peers; their inboxes emptied. */
  const roomWith = async (name: string, ...peers: FakePeer[]) => {
    await chat.createRoom(user('owner'), name);
    for (const peer of peers) await send(peer, { type: 'join_room', room: name });
    for (const peer of peers) peer.take();
  };
  return { store, clock, chat, connect, send, roomWith };
}

test('SPEC §4: welcome is the first frame, with user, rooms and heartbeatSeconds', async () => {
  const { chat, connect } = setup({ heartbeatSeconds: 25 });
  await chat.createRoom(user('owner'), 'general');
  const ann = await connect('ann');
  const [welcome, ...rest] = ann.take();
  assert.deepEqual(rest, []);
  assert.equal(welcome!.type, 'welcome');
  assert.deepEqual(welcome!.user, user('ann'));
  assert.equal(welcome!.heartbeatSeconds, 25);
  assert.deepEqual(welcome!.rooms.map((r: { name: string }) => r.name), ['general']);
  assert.deepEqual(Object.keys(welcome!.rooms[0]).sort(), ['createdAt', 'createdBy', 'epoch', 'members', 'name']);
});

test('SPEC §7 rule 12: presence goes to every other socket on a user\'s first open and last close only', async () => {
  const { chat, connect } = setup();
  const ann = await connect('ann');
  const bob1 = await connect('bob');
  assert.deepEqual(ann.take('presence'), [{ type: 'presence', username: 'bob', online: true }]);
  assert.deepEqual(bob1.take('presence'), [], 'not to the socket that came online');
  const bob2 = await connect('bob');
  assert.deepEqual(ann.take('presence'), [], 'a second socket is not news');
  chat.disconnect(bob1);
  assert.deepEqual(ann.take('presence'), []);
  assert.equal(chat.isOnline('u-bob'), true);
  chat.disconnect(bob2);
  assert.deepEqual(ann.take('presence'), [{ type: 'presence', username: 'bob', online: false }]);
  assert.equal(chat.isOnline('u-bob'), false);
  assert.equal(ann.received.length, 0);
});

test('presence events are ephemeral; chat messages are essential', async () => {
  const { connect, send, roomWith } = setup();
  const ann = await connect('ann');
  await connect('bob');
  const presence = ann.received.find((r) => r.event.type === 'presence')!;
  assert.equal(presence.priority, 'ephemeral');
  await roomWith('r', ann);
  await send(ann, { type: 'send_message', room: 'r', text: 'hi' });
  assert.equal(ann.received.find((r) => r.event.type === 'new_message')!.priority, 'essential');
});

test('SPEC §7 rule 10: list_rooms is answered by rooms_list with replyTo and no ack', async () => {
  const { chat, connect, send } = setup();
  await chat.createRoom(user('owner'), 'general');
  const ann = await connect('ann');
  ann.take();
  await send(ann, { type: 'list_rooms', id: 'q1' });
  const events = ann.take();
  assert.equal(events.length, 1);
  assert.equal(events[0]!.type, 'rooms_list');
  assert.equal(events[0]!.replyTo, 'q1');
  assert.deepEqual(events[0]!.rooms.map((r: { name: string }) => r.name), ['general']);
});

test('SPEC §7 rules 9-10: create_room joins the creator and sends room_created, a full Room, to every socket', async () => {
  const { connect, send } = setup();
  const ann = await connect('ann');
  const bob = await connect('bob');
  ann.take();
  bob.take();
  await send(ann, { type: 'create_room', room: 'lobby', id: 'c1' });
  const [mine, ...rest] = ann.take();
  assert.deepEqual(rest, [], 'no separate ack');
  assert.equal(mine!.type, 'room_created');
  assert.equal(mine!.replyTo, 'c1');
  assert.equal(mine!.room.name, 'lobby');
  assert.equal(mine!.room.createdBy, 'ann');
  assert.equal(mine!.room.members, 1);
  assert.equal(mine!.room.epoch, 'epoch-1');
  const [theirs] = bob.take();
  assert.equal(theirs!.type, 'room_created');
  assert.equal(theirs!.replyTo, undefined);
  assert.deepEqual(theirs!.room, mine!.room);
  await send(ann, { type: 'send_message', room: 'lobby', text: 'first', id: 's1' });
  assert.ok(ann.take('ack').length === 1, 'the creator is a member and may send');
});

test('SPEC §4: create_room with a taken name is room_exists', async () => {
  const { chat, connect, send } = setup();
  await chat.createRoom(user('owner'), 'lobby');
  const ann = await connect('ann');
  ann.take();
  await send(ann, { type: 'create_room', room: 'lobby', id: 'c2' });
  assert.deepEqual(ann.take(), [{ type: 'error', code: 'room_exists', message: 'A room named lobby exists', replyTo: 'c2' }]);
});

test('SPEC §4: join_room answers joined_room (replyTo) then message_history; others get user_joined', async () => {
  const { chat, connect, send } = setup();
  await chat.createRoom(user('owner'), 'r');
  await chat.postMessage(user('owner'), 'r', 'old');
  const ann = await connect('ann');
  const bob = await connect('bob');
  await send(ann, { type: 'join_room', room: 'r' });
  ann.take();
  bob.take();
  await send(bob, { type: 'join_room', room: 'r', id: 'j1' });
  const events = bob.take();
  assert.deepEqual(events.map((e) => e.type), ['joined_room', 'message_history']);
  assert.deepEqual(events[0], { type: 'joined_room', room: 'r', users: ['ann', 'bob'], replyTo: 'j1' });
  assert.equal(events[1]!.epoch, 'epoch-1');
  assert.equal(events[1]!.complete, true);
  assert.deepEqual(events[1]!.messages.map((m: { text: string }) => m.text), ['old']);
  assert.equal(events[1]!.replyTo, undefined, 'replyTo rides on joined_room only');
  assert.deepEqual(ann.take(), [{ type: 'user_joined', room: 'r', username: 'bob', userCount: 2 }]);
});

test('SPEC §7 rule 11: joining again is idempotent, and a second socket of a present user is no user_joined', async () => {
  const { connect, send, roomWith } = setup();
  const ann = await connect('ann');
  const bob1 = await connect('bob');
  const bob2 = await connect('bob');
  await roomWith('r', ann, bob1);
  await send(bob1, { type: 'join_room', room: 'r', id: 'again' });
  assert.deepEqual(bob1.take().map((e) => e.type), ['joined_room', 'message_history']);
  await send(bob2, { type: 'join_room', room: 'r' });
  assert.deepEqual(ann.take('user_joined'), []);
  await send(bob1, { type: 'leave_room', room: 'r' });
  assert.deepEqual(ann.take('user_left'), [], 'bob is still there on another socket');
  bob2.take();
  await send(bob2, { type: 'leave_room', room: 'r', id: 'l' });
  assert.deepEqual(bob2.take(), [{ type: 'ack', replyTo: 'l' }]);
  assert.deepEqual(ann.take(), [{ type: 'user_left', room: 'r', username: 'bob', userCount: 1 }]);
});

test('SPEC §4: join_room of an unknown room is not_found; leave_room of a room not joined is not_in_room', async () => {
  const { chat, connect, send } = setup();
  const ann = await connect('ann');
  ann.take();
  await send(ann, { type: 'join_room', room: 'nowhere', id: 'a' });
  await send(ann, { type: 'leave_room', room: 'nowhere', id: 'b' });
  await chat.createRoom(user('owner'), 'r');
  await send(ann, { type: 'leave_room', room: 'r', id: 'c' });
  assert.deepEqual(ann.take('error').map((e) => [e.type, e.code, e.replyTo]), [
    ['error', 'not_found', 'a'],
    ['error', 'not_found', 'b'],
    ['error', 'not_in_room', 'c'],
  ]);
});

test('SPEC §4: send_message acks with the message and every member, sender included, gets new_message', async () => {
  const { clock, connect, send, roomWith } = setup();
  const ann = await connect('ann');
  const bob = await connect('bob');
  const eve = await connect('eve');
  await roomWith('r', ann, bob);
  eve.take();
  await send(ann, { type: 'send_message', room: 'r', text: '  hello  ', id: 's1' });
  const [ack, news] = ann.take();
  assert.equal(ack!.type, 'ack');
  assert.equal(ack!.replyTo, 's1');
  assert.deepEqual(ack!.message, { id: 'm1', room: 'r', seq: 1, text: 'hello', sender: 'ann', senderId: 'u-ann', timestamp: clock.time });
  assert.deepEqual(news, { type: 'new_message', message: ack!.message });
  assert.deepEqual(bob.take(), [{ type: 'new_message', message: ack!.message }]);
  assert.deepEqual(eve.take(), [], 'not a member');
});

test('a broadcast is serialized once: every recipient gets the same frame object', async () => {
  const { connect, send, roomWith } = setup();
  const peers = [await connect('ann'), await connect('bob'), await connect('cat')];
  await roomWith('r', ...peers);
  await send(peers[0]!, { type: 'send_message', room: 'r', text: 'x' });
  const frames = peers.map((p) => p.received.find((r) => r.event.type === 'new_message')!.frame);
  assert.equal(frames[0], frames[1]);
  assert.equal(frames[1], frames[2]);
});

test('SPEC §4: send_message needs membership (not_in_room) and an existing room (not_found)', async () => {
  const { chat, connect, send } = setup();
  await chat.createRoom(user('owner'), 'r');
  const ann = await connect('ann');
  ann.take();
  await send(ann, { type: 'send_message', room: 'r', text: 'x', id: '1' });
  await send(ann, { type: 'send_message', room: 'zz', text: 'x', id: '2' });
  assert.deepEqual(ann.take().map((e) => [e.code, e.replyTo]), [['not_in_room', '1'], ['not_found', '2']]);
});

test('SPEC §7 rule 1: over WebSocket, text over 1000 characters is message_too_long and the socket stays open', async () => {
  const { connect, send, roomWith } = setup();
  const ann = await connect('ann');
  await roomWith('r', ann);
  await send(ann, { type: 'send_message', room: 'r', text: 'x'.repeat(1001), id: 'long' });
  await send(ann, { type: 'send_message', room: 'r', text: 'ok', id: 'short' });
  const events = ann.take();
  assert.equal(events[0]!.code, 'message_too_long');
  assert.equal(events[0]!.replyTo, 'long');
  assert.equal(events[1]!.type, 'ack');
  assert.equal(ann.closedWith, undefined);
});

test('SPEC §4: a bad request never closes the connection; no id means no replyTo', async () => {
  const { connect, send } = setup();
  const ann = await connect('ann');
  ann.take();
  await send(ann, { type: 'wat' });
  await send(ann, { type: 'list_rooms', id: 'ok' });
  const [error, list] = ann.take();
  assert.deepEqual(Object.keys(error!).sort(), ['code', 'message', 'type']);
  assert.equal(error!.code, 'bad_request');
  assert.equal(list!.type, 'rooms_list');
  assert.equal(ann.closedWith, undefined);
});

test('SPEC §7 rule 6: seq counts from 1 and is strictly increasing as every member sees it', async () => {
  const { chat, connect, send, roomWith } = setup();
  const ann = await connect('ann');
  const bob = await connect('bob');
  await roomWith('r', ann, bob);
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < 10; i++) {
    sends.push(send(ann, { type: 'send_message', room: 'r', text: `a${i}` }));
    sends.push(send(bob, { type: 'send_message', room: 'r', text: `b${i}` }));
    sends.push(chat.postMessage(user('http'), 'r', `h${i}`));
  }
  await Promise.all(sends);
  for (const peer of [ann, bob]) {
    const seqs = peer.take('new_message').map((e) => e.message.seq);
    assert.deepEqual(seqs, Array.from({ length: 30 }, (_, i) => i + 1));
  }
});

test('SPEC §4: typing and stop_typing reach the others (ephemeral), with acks; the server auto-stops after 5 s', async () => {
  const { clock, connect, send, roomWith } = setup();
  const ann = await connect('ann');
  const bob = await connect('bob');
  await roomWith('r', ann, bob);
  await send(ann, { type: 'typing', room: 'r', id: 't1' });
  assert.deepEqual(ann.take(), [{ type: 'ack', replyTo: 't1' }]);
  const typing = bob.received.splice(0);
  assert.deepEqual(typing.map((r) => r.event), [{ type: 'user_typing', room: 'r', username: 'ann' }]);
  assert.equal(typing[0]!.priority, 'ephemeral');
  await send(ann, { type: 'stop_typing', room: 'r' });
  assert.deepEqual(bob.take(), [{ type: 'user_stop_typing', room: 'r', username: 'ann' }]);
  await send(ann, { type: 'typing', room: 'r' });
  bob.take();
  clock.advance(4999);
  assert.deepEqual(bob.take(), []);
  clock.advance(1);
  assert.deepEqual(bob.take(), [{ type: 'user_stop_typing', room: 'r', username: 'ann' }]);
  assert.deepEqual(ann.take(), [], 'not echoed to the typist');
});

test('issue 4 §7: a typing flood is not re-broadcast to the room', async () => {
  const { clock, connect, send, roomWith } = setup();
  const ann = await connect('ann');
  const bob = await connect('bob');
  await roomWith('r', ann, bob);
  for (let i = 0; i < 30; i++) {
    await send(ann, { type: 'typing', room: 'r' });
    clock.advance(50);
  }
  assert.equal(bob.take('user_typing').length, 1);
});

test('SPEC §4: typing in a room not joined is not_in_room', async () => {
  const { chat, connect, send } = setup();
  await chat.createRoom(user('owner'), 'r');
  const ann = await connect('ann');
  ann.take();
  await send(ann, { type: 'typing', room: 'r', id: 'x' });
  await send(ann, { type: 'stop_typing', room: 'r', id: 'y' });
  assert.deepEqual(ann.take().map((e) => e.code), ['not_in_room', 'not_in_room']);
});

test('SPEC §4, §7 rule 7: history pages backwards with before/limit; complete says whether older exist', async () => {
  const { chat, connect, send } = setup();
  await chat.createRoom(user('owner'), 'r');
  for (let i = 1; i <= 12; i++) await chat.postMessage(user('owner'), 'r', `m${i}`);
  const ann = await connect('ann');
  ann.take();
  await send(ann, { type: 'history', room: 'r', before: 11, limit: 5, id: 'h1' });
  await send(ann, { type: 'history', room: 'r', before: 6, limit: 5, id: 'h2' });
  await send(ann, { type: 'history', room: 'r', limit: 3 });
  const [first, second, latest] = ann.take();
  assert.equal(first!.type, 'message_history');
  assert.equal(first!.replyTo, 'h1');
  assert.deepEqual(first!.messages.map((m: { seq: number }) => m.seq), [6, 7, 8, 9, 10]);
  assert.equal(first!.complete, false);
  assert.deepEqual(second!.messages.map((m: { seq: number }) => m.seq), [1, 2, 3, 4, 5]);
  assert.equal(second!.complete, true);
  assert.deepEqual(latest!.messages.map((m: { seq: number }) => m.seq), [10, 11, 12]);
  assert.equal(latest!.epoch, 'epoch-1');
});

test('SPEC §4: join_room without since returns the last 50, incomplete when older exist', async () => {
  const { chat, connect, send } = setup();
  await chat.createRoom(user('owner'), 'r');
  for (let i = 1; i <= 60; i++) await chat.postMessage(user('owner'), 'r', `m${i}`);
  const ann = await connect('ann');
  await send(ann, { type: 'join_room', room: 'r' });
  const [history] = ann.take('message_history');
  assert.deepEqual(history!.messages.map((m: { seq: number }) => m.seq), Array.from({ length: 50 }, (_, i) => i + 11));
  assert.equal(history!.complete, false);
});

test('SPEC §4: join_room with since and the matching epoch returns exactly the missed messages', async () => {
  const { chat, connect, send } = setup();
  await chat.createRoom(user('owner'), 'r');
  for (let i = 1; i <= 8; i++) await chat.postMessage(user('owner'), 'r', `m${i}`);
  const ann = await connect('ann');
  await send(ann, { type: 'join_room', room: 'r', since: 5, epoch: 'epoch-1' });
  await send(ann, { type: 'join_room', room: 'r', since: 8, epoch: 'epoch-1' });
  const [missed, none] = ann.take('message_history');
  assert.deepEqual(missed!.messages.map((m: { seq: number }) => m.seq), [6, 7, 8]);
  assert.equal(missed!.complete, true);
  assert.deepEqual(none!.messages, []);
  assert.equal(none!.complete, true);
});

test('SPEC §7 rule 7: more than 500 missed returns the oldest 500 after since with complete:false', async () => {
  const { chat, connect, send } = setup();
  await chat.createRoom(user('owner'), 'r');
  for (let i = 1; i <= 620; i++) await chat.postMessage(user('owner'), 'r', `m${i}`);
  const ann = await connect('ann');
  await send(ann, { type: 'join_room', room: 'r', since: 10, epoch: 'epoch-1' });
  const [first] = ann.take('message_history');
  assert.equal(first!.messages.length, 500);
  assert.equal(first!.messages[0].seq, 11);
  assert.equal(first!.messages[499].seq, 510);
  assert.equal(first!.complete, false);
  await send(ann, { type: 'join_room', room: 'r', since: 510, epoch: 'epoch-1' });
  const [rest] = ann.take('message_history');
  assert.equal(rest!.messages.length, 110);
  assert.equal(rest!.complete, true);
});

test('SPEC §7 rule 7: a since without an epoch catches up from since, as with the matching epoch', async () => {
  const { chat, connect, send } = setup();
  await chat.createRoom(user('owner'), 'r');
  for (let i = 1; i <= 5; i++) await chat.postMessage(user('owner'), 'r', `m${i}`);
  const ann = await connect('ann');
  await send(ann, { type: 'join_room', room: 'r', since: 3 });
  const [missed] = ann.take('message_history');
  assert.deepEqual(missed!.messages.map((m: { seq: number }) => m.seq), [4, 5]);
  assert.equal(missed!.complete, true);
});

test('SPEC §4: a since with another epoch is answered as if no since was given, with complete:false', async () => {
  const { chat, connect, send } = setup();
  await chat.createRoom(user('owner'), 'r');
  for (let i = 1; i <= 3; i++) await chat.postMessage(user('owner'), 'r', `m${i}`);
  const ann = await connect('ann');
  await send(ann, { type: 'join_room', room: 'r', since: 2, epoch: 'old-epoch' });
  const [history] = ann.take('message_history');
  assert.deepEqual(history!.messages.map((m: { seq: number }) => m.seq), [1, 2, 3]);
  assert.equal(history!.complete, false);
  assert.equal(history!.epoch, 'epoch-1');
});

test('a message sent while a join reads history arrives after message_history, once, in seq order', async () => {
  const { store, chat, connect, send } = setup();
  await chat.createRoom(user('owner'), 'r');
  await chat.postMessage(user('owner'), 'r', 'before');
  const ann = await connect('ann');
  // Hold the history read open until a message has been posted.
  const original = store.messagesBefore.bind(store);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  store.messagesBefore = async (...args) => {
    const result = await original(...args);
    await gate;
    return result;
  };
  const joining = send(ann, { type: 'join_room', room: 'r' });
  await new Promise((resolve) => setImmediate(resolve));
  await chat.postMessage(user('owner'), 'r', 'during');
  assert.deepEqual(ann.take().map((e) => e.type).filter((t) => t !== 'welcome'), ['joined_room']);
  release();
  await joining;
  const events = ann.take();
  assert.deepEqual(events.map((e) => e.type), ['message_history', 'new_message']);
  assert.deepEqual(events[0]!.messages.map((m: { text: string }) => m.text), ['before']);
  assert.equal(events[1]!.message.text, 'during');
});

test('SPEC §4, §7 rule 13: every frame counts; the 41st in a burst is rate_limited, the 101st in a second closes 1008', async () => {
  const { clock, connect, send } = setup();
  const ann = await connect('ann');
  ann.take();
  for (let i = 0; i < 40; i++) await send(ann, { type: 'nonsense' });
  await send(ann, { type: 'list_rooms', id: 'late' });
  const events = ann.take();
  assert.equal(events.filter((e) => e.code === 'bad_request').length, 40, 'invalid frames count too');
  assert.deepEqual(events.at(-1), { type: 'error', code: 'rate_limited', message: 'Too many frames, slow down', replyTo: 'late' });
  for (let i = 0; i < 59; i++) await send(ann, { type: 'list_rooms' });
  assert.equal(ann.closedWith, undefined, '100 frames inside a second are not yet a close');
  clock.advance(1);
  await send(ann, { type: 'list_rooms' });
  assert.deepEqual(ann.closedWith, { code: 1008, reason: 'flooding' });
  await send(ann, { type: 'list_rooms', id: 'after' });
  assert.equal(ann.take().filter((e) => e.replyTo === 'after').length, 0, 'nothing is processed after the close');
});

test('issue 4 §2: disconnect leaves every room and cleans up; the others see user_stop_typing, user_left, presence', async () => {
  const { chat, connect, send, roomWith } = setup();
  const ann = await connect('ann');
  const bob = await connect('bob');
  await roomWith('a', ann, bob);
  await roomWith('b', ann, bob);
  await send(bob, { type: 'typing', room: 'a' });
  ann.take();
  chat.disconnect(bob);
  assert.deepEqual(ann.take(), [
    { type: 'user_stop_typing', room: 'a', username: 'bob' },
    { type: 'user_left', room: 'a', username: 'bob', userCount: 1 },
    { type: 'user_left', room: 'b', username: 'bob', userCount: 1 },
    { type: 'presence', username: 'bob', online: false },
  ]);
  chat.disconnect(ann);
  assert.deepEqual(chat.retained, { peers: 0, rooms: 0, roomPeers: 0, onlineUsers: 0, typing: 0, subscribedRooms: 0 });
  assert.deepEqual((await chat.listRooms()).map((r) => r.members), [0, 0]);
});

test('SPEC §7 rule 8: Room.members counts distinct users with a joined socket', async () => {
  const { chat, connect, roomWith } = setup();
  const ann1 = await connect('ann');
  const ann2 = await connect('ann');
  const bob = await connect('bob');
  await roomWith('r', ann1, ann2, bob);
  assert.equal((await chat.getRoom('r'))!.members, 2);
});

test('SPEC §4 auth: without a hook it is forbidden; the hook result rides on the ack; its ApiError is the error', async () => {
  const plain = setup();
  const ann = await plain.connect('ann');
  ann.take();
  await plain.send(ann, { type: 'auth', token: 't', id: 'a1' });
  assert.deepEqual(ann.take().map((e) => [e.type, e.code, e.replyTo]), [['error', 'forbidden', 'a1']]);

  const tokens: string[] = [];
  const hooked = setup({
    onAuth: async (_peer, token) => {
      tokens.push(token);
      if (token === 'other-user') throw forbidden('That token belongs to another user');
      return { expiresAt: 123 };
    },
  });
  const bob = await hooked.connect('bob');
  bob.take();
  await hooked.send(bob, { type: 'auth', token: 'fresh', id: 'a2' });
  await hooked.send(bob, { type: 'auth', token: 'other-user', id: 'a3' });
  assert.deepEqual(tokens, ['fresh', 'other-user']);
  const [ack, error] = bob.take();
  assert.deepEqual(ack, { expiresAt: 123, type: 'ack', replyTo: 'a2' });
  assert.equal(error!.code, 'forbidden');
  assert.equal(error!.replyTo, 'a3');
});

test('an unexpected failure closes the socket 1011 and is reported', async () => {
  const reported: unknown[] = [];
  const { store, connect, send } = setup({ onInternalError: (error) => reported.push(error) });
  const ann = await connect('ann');
  store.listRooms = () => Promise.reject(new Error('disk on fire'));
  await send(ann, { type: 'list_rooms' });
  assert.equal(ann.closedWith?.code, 1011);
  assert.equal((reported[0] as Error).message, 'disk on fire');
});

test('issue 4 §5: a message posted over HTTP reaches sockets in the room and subscribers', async () => {
  const { chat, connect, roomWith } = setup();
  const ann = await connect('ann');
  await roomWith('r', ann);
  const seen: number[] = [];
  const unsubscribe = chat.subscribe('r', { message: (m) => seen.push(m.seq), roomDeleted: () => {} });
  const message = await chat.postMessage(user('http'), 'r', ' via http ');
  assert.equal(message.text, 'via http');
  assert.deepEqual(ann.take(), [{ type: 'new_message', message }]);
  assert.deepEqual(seen, [1]);
  unsubscribe();
  assert.equal(chat.retained.subscribedRooms, 0);
  await assert.rejects(chat.postMessage(user('http'), 'zz', 'x'), { code: 'not_found' });
  await assert.rejects(chat.postMessage(user('http'), 'r', ''), { code: 'bad_request' });
  await assert.rejects(chat.postMessage(user('http'), 'r', 'y'.repeat(1001)), { code: 'message_too_long' });
});

test('SPEC §2 POST /api/rooms: bad names are bad_request, taken ones room_exists; every socket hears room_created', async () => {
  const { chat, connect } = setup();
  const ann = await connect('ann');
  ann.take();
  const room = await chat.createRoom(user('bob'), 'news');
  assert.deepEqual(room, { name: 'news', createdBy: 'bob', createdAt: new Date(1_700_000_000_000).toISOString(), members: 0, epoch: 'epoch-1' });
  assert.deepEqual(ann.take(), [{ type: 'room_created', room }]);
  await assert.rejects(chat.createRoom(user('bob'), 'news'), { code: 'room_exists', status: 409 });
  await assert.rejects(chat.createRoom(user('bob'), 'Bad Name'), { code: 'bad_request', status: 400 });
});

test('SPEC §2 DELETE /api/rooms/:name: creator or admin only; sockets get room_deleted; streams end; state is dropped', async () => {
  const { chat, connect, send } = setup();
  const ann = await connect('ann');
  const bob = await connect('bob');
  await send(ann, { type: 'create_room', room: 'r' });
  await send(bob, { type: 'join_room', room: 'r' });
  await send(bob, { type: 'typing', room: 'r' });
  let ended = 0;
  chat.subscribe('r', { message: () => {}, roomDeleted: () => ended++ });
  await assert.rejects(chat.deleteRoom(user('bob'), 'r'), { code: 'forbidden', status: 403 });
  await assert.rejects(chat.deleteRoom(user('bob'), 'nope'), { code: 'not_found' });
  ann.take();
  bob.take();
  await chat.deleteRoom(user('root', 'admin'), 'r');
  assert.deepEqual(ann.take(), [{ type: 'room_deleted', room: 'r' }]);
  assert.deepEqual(bob.take(), [{ type: 'room_deleted', room: 'r' }]);
  assert.equal(ended, 1);
  assert.deepEqual(chat.retained, { peers: 2, rooms: 0, roomPeers: 0, onlineUsers: 2, typing: 0, subscribedRooms: 0 });
  await send(ann, { type: 'create_room', room: 'r' });
  await chat.deleteRoom(user('ann'), 'r');
  assert.equal((await chat.listRooms()).length, 0);
});

test('SPEC §7 rule 6: readMessages pages with since (oldest first), without it the latest, and lastSeq', async () => {
  const { chat } = setup();
  await chat.createRoom(user('owner'), 'r');
  assert.deepEqual(await chat.readMessages('r', { limit: 50 }), { messages: [], lastSeq: 0 });
  for (let i = 1; i <= 10; i++) await chat.postMessage(user('owner'), 'r', `m${i}`);
  const since = await chat.readMessages('r', { since: 2, limit: 3 });
  assert.deepEqual(since.messages.map((m) => m.seq), [3, 4, 5]);
  assert.equal(since.lastSeq, 10);
  const latest = await chat.readMessages('r', { limit: 3 });
  assert.deepEqual(latest.messages.map((m) => m.seq), [8, 9, 10]);
  const before = await chat.readMessages('r', { before: 3, limit: 5 });
  assert.deepEqual(before.messages.map((m) => m.seq), [1, 2]);
  await assert.rejects(chat.readMessages('nope', { limit: 5 }), { code: 'not_found' });
});

test('SPEC §2 wait: a long poll answers as soon as a message after since exists', async () => {
  const { chat } = setup();
  await chat.createRoom(user('owner'), 'r');
  await chat.postMessage(user('owner'), 'r', 'm1');
  const polling = chat.readMessages('r', { since: 1, limit: 50 }, 30_000);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(chat.retained.subscribedRooms, 1);
  await chat.postMessage(user('owner'), 'r', 'm2');
  const answer = await polling;
  assert.deepEqual(answer.messages.map((m) => m.text), ['m2']);
  assert.equal(answer.lastSeq, 2);
  assert.equal(chat.retained.subscribedRooms, 0);
});

test('SPEC §2 wait: a long poll with nothing new answers empty after wait seconds, or at once on abort', async () => {
  const { chat, clock } = setup();
  await chat.createRoom(user('owner'), 'r');
  const polling = chat.readMessages('r', { since: 0, limit: 50 }, 2000);
  await new Promise((resolve) => setImmediate(resolve));
  clock.advance(2000);
  assert.deepEqual(await polling, { messages: [], lastSeq: 0 });
  const controller = new AbortController();
  const aborted = chat.readMessages('r', { since: 0, limit: 50 }, 30_000, controller.signal);
  await new Promise((resolve) => setImmediate(resolve));
  controller.abort();
  assert.deepEqual(await aborted, { messages: [], lastSeq: 0 });
  assert.equal(chat.retained.subscribedRooms, 0);
  assert.equal(clock.pending, 0);
});

test('onMessage hears every stored message, over WebSocket and HTTP alike', async () => {
  const heard: string[] = [];
  const { chat, connect, send, roomWith } = setup({ onMessage: (m) => heard.push(m.text) });
  const ann = await connect('ann');
  await roomWith('r', ann);
  await send(ann, { type: 'send_message', room: 'r', text: 'ws' });
  await chat.postMessage(user('h'), 'r', 'http');
  assert.deepEqual(heard, ['ws', 'http']);
});

test('stats counts online users, WebSocket connections, rooms and messages', async () => {
  const { chat, connect } = setup();
  await connect('ann');
  await connect('ann');
  await connect('bob');
  await chat.createRoom(user('owner'), 'r');
  await chat.postMessage(user('owner'), 'r', 'x');
  assert.deepEqual(await chat.stats(), { onlineUsers: 2, connections: 3, rooms: 1, messages: 1 });
});

test('SPEC §4: a frame sent before welcome is out is answered after it', async () => {
  const { chat, store } = setup();
  const ann = new FakePeer(user('ann'));
  const original = store.listRooms.bind(store);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  store.listRooms = async () => {
    await gate;
    return original();
  };
  const connecting = chat.connect(ann);
  const early = chat.handle(ann, JSON.stringify({ type: 'history', room: 'nope', id: 'early' }));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(ann.types(), []);
  release();
  await Promise.all([connecting, early]);
  assert.deepEqual(ann.types(), ['welcome', 'error']);
});

test('a socket that closes while connecting is never registered nor announced', async () => {
  const { chat } = setup();
  const ann = new FakePeer(user('ann'));
  const connecting = chat.connect(ann);
  chat.disconnect(ann);
  await connecting;
  assert.deepEqual(ann.take(), []);
  assert.deepEqual(chat.retained, { peers: 0, rooms: 0, roomPeers: 0, onlineUsers: 0, typing: 0, subscribedRooms: 0 });
});
