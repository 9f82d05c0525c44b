/**
 * The behaviour every Store must have (src/store/types.ts, SPEC §2 and §7), written
 * once and run against each implementation: the MemoryStore and the DurableStore.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { NewMessage, SessionRecord, Store } from '../../src/store/types.js';

export interface StoreFactory {
  /** A fresh, empty store; `clock.now` is the time it sees. */
  open(clock: { now: number }): Promise<Store>;
}

let counter = 0;
export const newUser = (username: string) => ({
  id: `u-${++counter}`,
  username,
  passwordHash: '$scrypt$ln=17,r=8,p=1$c2FsdA$aGFzaA',
  createdAt: 1_700_000_000_000,
});
export const newMessage = (text: string, sender = 'alice'): NewMessage => ({
  id: `m-${++counter}`,
  text,
  sender,
  senderId: `id-${sender}`,
  timestamp: 1_700_000_000_000 + counter,
});
export const newSession = (userId: string, id = `s-${++counter}`): SessionRecord => ({
  id,
  userId,
  refreshHash: `hash-${id}`,
  previousRefreshHashes: [],
  createdAt: 1,
  lastUsedAt: 1,
  expiresAt: 10_000_000_000_000,
  userAgent: 'test',
  ip: '127.0.0.1',
});
export const newRoom = (name: string) => ({
  name,
  createdBy: 'alice',
  createdById: 'id-alice',
  createdAt: 1_700_000_000_000,
  epoch: `epoch-${name}-${++counter}`,
});

const seqs = (messages: readonly { seq: number }[]) => messages.map((m) => m.seq);

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`${name}: the Store contract`, () => {
    let store: Store;
    const clock = { now: 1_700_000_000_000 };
    beforeEach(async () => {
      clock.now = 1_700_000_000_000;
      store = await factory.open(clock);
    });
    afterEach(async () => {
      await store.close();
    });

    it('SPEC §2: usernames are unique ignoring case, also when registered in the same tick', async () => {
      const first = await store.createUser(newUser('Alice'));
      assert.notEqual(first, 'taken');
      assert.equal(await store.createUser(newUser('ALICE')), 'taken');
      const [a, b] = await Promise.all([store.createUser(newUser('bob_1')), store.createUser(newUser('BOB_1'))]);
      assert.deepEqual([a === 'taken', b === 'taken'].sort(), [false, true]);
      assert.equal((await store.getUserByName('aLiCe'))?.username, 'Alice');
      assert.equal(await store.countUsers(), 2);
    });

    it('SPEC §2: the first account ever created is admin, later ones user, even after deleting every account', async () => {
      const [one, two] = await Promise.all([store.createUser(newUser('first')), store.createUser(newUser('second'))]);
      assert.ok(one !== 'taken' && two !== 'taken');
      assert.equal(one.role, 'admin');
      assert.equal(two.role, 'user');
      assert.equal(await store.deleteUser(one.id), true);
      assert.equal(await store.deleteUser(two.id), true);
      assert.equal(await store.countUsers(), 0);
      const three = await store.createUser(newUser('third'));
      assert.ok(three !== 'taken');
      assert.equal(three.role, 'user');
    });

    it('a deleted username can be registered again; deleting twice is false', async () => {
      const user = await store.createUser(newUser('carol'));
      assert.ok(user !== 'taken');
      assert.equal(await store.deleteUser(user.id), true);
      assert.equal(await store.deleteUser(user.id), false);
      assert.equal(await store.getUser(user.id), undefined);
      assert.notEqual(await store.createUser(newUser('Carol')), 'taken');
    });

    it('deleteUser removes every session of that user and no one else’s', async () => {
      const alice = await store.createUser(newUser('alice'));
      const bob = await store.createUser(newUser('bob'));
      assert.ok(alice !== 'taken' && bob !== 'taken');
      await store.createSession(newSession(alice.id, 'sa1'));
      await store.createSession(newSession(alice.id, 'sa2'));
      await store.createSession(newSession(bob.id, 'sb1'));
      assert.equal((await store.listSessions(alice.id)).length, 2);
      await store.deleteUser(alice.id);
      assert.equal(await store.getSession('sa1'), undefined);
      assert.equal(await store.getSession('sa2'), undefined);
      assert.deepEqual(await store.listSessions(alice.id), []);
      assert.equal((await store.getSession('sb1'))?.userId, bob.id);
    });

    it('sessions: update replaces a live session only; delete ends it', async () => {
      await store.createSession(newSession('u', 's1'));
      const rotated = { ...newSession('u', 's1'), refreshHash: 'new', previousRefreshHashes: ['hash-s1'] };
      assert.equal(await store.updateSession(rotated), true);
      assert.equal((await store.getSession('s1'))?.refreshHash, 'new');
      assert.deepEqual((await store.getSession('s1'))?.previousRefreshHashes, ['hash-s1']);
      assert.equal(await store.deleteSession('s1'), true);
      assert.equal(await store.deleteSession('s1'), false);
      assert.equal(await store.updateSession(rotated), false);
      assert.equal(await store.getSession('s1'), undefined);
    });

    it('expired sessions are forgotten once the table has grown; live ones stay', async () => {
      // 1023 sessions that expire in a second, then one live one: the 1024th insert sweeps.
      const old = Array.from({ length: 1023 }, (_, i) => ({ ...newSession('u-old', `old-${i}`), expiresAt: clock.now + 1000 }));
      await Promise.all(old.map((session) => store.createSession(session)));
      assert.equal((await store.getSession('old-0'))?.userId, 'u-old');
      clock.now += 1001;
      await store.createSession(newSession('u-new', 'live'));
      assert.equal(await store.getSession('old-0'), undefined);
      assert.equal(await store.getSession('old-1022'), undefined);
      assert.deepEqual(await store.listSessions('u-old'), []);
      assert.equal((await store.getSession('live'))?.userId, 'u-new');
    });

    it('a revoked jti is revoked until its expiry and forgotten after it', async () => {
      await store.revokeToken('jti-1', clock.now + 60_000);
      assert.equal(await store.isTokenRevoked('jti-1'), true);
      assert.equal(await store.isTokenRevoked('jti-2'), false);
      clock.now += 60_001;
      assert.equal(await store.isTokenRevoked('jti-1'), false);
    });

    it('rooms: a taken name is exists, also in the same tick; the record starts with lastSeq 0', async () => {
      const [a, b] = await Promise.all([store.createRoom(newRoom('general')), store.createRoom(newRoom('general'))]);
      assert.deepEqual([a === 'exists', b === 'exists'].sort(), [false, true]);
      const room = await store.getRoom('general');
      assert.equal(room?.lastSeq, 0);
      assert.equal(room?.createdBy, 'alice');
      assert.deepEqual((await store.listRooms()).map((r) => r.name), ['general']);
    });

    it('SPEC §2: seq counts up by one per room from 1 with no gaps, under concurrent appends to several rooms', async () => {
      await store.createRoom(newRoom('a'));
      await store.createRoom(newRoom('b'));
      const appended = await Promise.all(
        Array.from({ length: 60 }, (_, i) => store.appendMessage(i % 3 === 0 ? 'b' : 'a', newMessage(`m${i}`))),
      );
      const inA = appended.filter((m) => m?.room === 'a').map((m) => m!.seq).sort((x, y) => x - y);
      const inB = appended.filter((m) => m?.room === 'b').map((m) => m!.seq).sort((x, y) => x - y);
      assert.deepEqual(inA, Array.from({ length: 40 }, (_, i) => i + 1));
      assert.deepEqual(inB, Array.from({ length: 20 }, (_, i) => i + 1));
      assert.equal((await store.getRoom('a'))?.lastSeq, 40);
      assert.equal(await store.countMessages(), 60);
      assert.equal(await store.appendMessage('nowhere', newMessage('x')), undefined);
    });

    it('SPEC §7 rule 6: messagesAfter pages oldest first with since exclusive; messagesBefore gives the last limit below before', async () => {
      await store.createRoom(newRoom('r'));
      for (let i = 1; i <= 25; i++) await store.appendMessage('r', newMessage(`text ${i}`));
      assert.deepEqual(seqs(await store.messagesAfter('r', 0, 10)), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.deepEqual(seqs(await store.messagesAfter('r', 20, 10)), [21, 22, 23, 24, 25]);
      assert.deepEqual(seqs(await store.messagesAfter('r', 25, 10)), []);
      assert.deepEqual(seqs(await store.messagesBefore('r', Infinity, 3)), [23, 24, 25]);
      assert.deepEqual(seqs(await store.messagesBefore('r', 5, 10)), [1, 2, 3, 4]);
      assert.deepEqual(seqs(await store.messagesBefore('r', 1, 10)), []);
      assert.deepEqual(seqs(await store.messagesBefore('r', 100, 2)), [24, 25]);
      const [m] = await store.messagesAfter('r', 6, 1);
      assert.equal(m!.text, 'text 7');
      assert.equal(m!.room, 'r');
      assert.deepEqual(await store.messagesAfter('missing', 0, 10), []);
    });

    it('deleting a room drops its history; a room recreated under the same name starts again at seq 1', async () => {
      await store.createRoom(newRoom('gone'));
      for (let i = 0; i < 5; i++) await store.appendMessage('gone', newMessage('old'));
      assert.equal(await store.deleteRoom('gone'), true);
      assert.equal(await store.deleteRoom('gone'), false);
      assert.equal(await store.getRoom('gone'), undefined);
      assert.equal(await store.countMessages(), 0);
      assert.deepEqual(await store.messagesBefore('gone', Infinity, 50), []);
      await store.createRoom(newRoom('gone'));
      const m = await store.appendMessage('gone', newMessage('new'));
      assert.equal(m?.seq, 1);
      assert.deepEqual((await store.messagesBefore('gone', Infinity, 50)).map((x) => x.text), ['new']);
    });

    it('an append racing the deletion of its room is not stored in the room recreated after it', async () => {
      await store.createRoom(newRoom('race'));
      const pending = store.appendMessage('race', newMessage('lost'));
      const deleted = store.deleteRoom('race');
      await Promise.all([pending, deleted]);
      assert.notEqual(await store.createRoom(newRoom('race')), 'exists');
      assert.deepEqual(await store.messagesBefore('race', Infinity, 50), []);
      assert.equal((await store.appendMessage('race', newMessage('first')))?.seq, 1);
    });
  });
}
