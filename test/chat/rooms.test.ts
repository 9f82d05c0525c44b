import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoomRegistry } from '../../src/chat/rooms.js';
import { PresenceTracker } from '../../src/chat/presence.js';

const peer = (id: string, userId: string) => ({ id, user: { id: userId, username: userId.toUpperCase() } });

test('SPEC §7 rule 8: members counts distinct users, not sockets', () => {
  const registry = new RoomRegistry();
  const a1 = peer('a1', 'a');
  const a2 = peer('a2', 'a');
  const b1 = peer('b1', 'b');
  assert.deepEqual(registry.join('r', a1), { peerWasIn: false, userWasPresent: false });
  assert.deepEqual(registry.join('r', a2), { peerWasIn: false, userWasPresent: true });
  assert.deepEqual(registry.join('r', b1), { peerWasIn: false, userWasPresent: false });
  assert.equal(registry.memberCount('r'), 2);
  assert.deepEqual(registry.usernames('r'), ['A', 'B']);
  assert.deepEqual([...registry.peersIn('r')].map((p) => p.id), ['a1', 'a2', 'b1']);
});

test('SPEC §7 rule 11: re-joining is idempotent; leaving one of two sockets keeps the user present', () => {
  const registry = new RoomRegistry();
  const a1 = peer('a1', 'a');
  const a2 = peer('a2', 'a');
  registry.join('r', a1);
  assert.deepEqual(registry.join('r', a1), { peerWasIn: true, userWasPresent: true });
  registry.join('r', a2);
  assert.deepEqual(registry.leave('r', a1), { peerWasIn: true, userStillPresent: true });
  assert.deepEqual(registry.leave('r', a2), { peerWasIn: true, userStillPresent: false });
  assert.deepEqual(registry.leave('r', a2), { peerWasIn: false, userStillPresent: false });
});

test('issue 4 §2: a socket in many rooms leaves them all and no entry is left behind', () => {
  const registry = new RoomRegistry();
  const a1 = peer('a1', 'a');
  for (const room of ['x', 'y', 'z']) registry.join(room, a1);
  assert.deepEqual(registry.roomsOf(a1).sort(), ['x', 'y', 'z']);
  for (const room of registry.roomsOf(a1)) registry.leave(room, a1);
  assert.deepEqual(registry.size, { rooms: 0, peers: 0 });
});

test('dropRoom returns its peers and forgets it', () => {
  const registry = new RoomRegistry();
  registry.join('r', peer('a1', 'a'));
  registry.join('r', peer('b1', 'b'));
  registry.join('s', peer('b1', 'b'));
  assert.deepEqual(registry.dropRoom('r').map((p) => p.id), ['a1', 'b1']);
  assert.equal(registry.memberCount('r'), 0);
  assert.deepEqual(registry.size, { rooms: 1, peers: 1 });
});

test('SPEC §7 rule 12: online from the first socket to the last; counts return to zero', () => {
  const presence = new PresenceTracker();
  assert.equal(presence.open('a', 'a1'), true);
  assert.equal(presence.open('a', 'a2'), false);
  assert.equal(presence.isOnline('a'), true);
  assert.equal(presence.connections, 2);
  assert.equal(presence.close('a', 'a1'), false);
  assert.equal(presence.close('a', 'a2'), true);
  assert.equal(presence.close('a', 'a2'), false);
  assert.equal(presence.isOnline('a'), false);
  assert.equal(presence.onlineUsers, 0);
  assert.equal(presence.connections, 0);
});
