/**
 * What only the durable store must do (issue 5): survive restarts, tell a torn tail
 * from corruption, compact, own DATA_DIR alone, and turn disk failures into 503s.
 */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, stat, truncate, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { ApiError } from '../../src/errors.js';
import { DurableStore, type DurableStoreOptions } from '../../src/store/durable.js';
import { DataDirLockedError, StoreCorruptError, openStore, MemoryStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { newMessage, newRoom, newSession, newUser } from './contract.js';
import { deadPid, FaultyFileSystem, frameOffsets, journals, memoryLog, removeDir, tempDir } from './helpers.js';

const open = (dir: string, options: DurableStoreOptions = {}) => DurableStore.open(dir, { log: memoryLog(), ...options });

let dir: string;
const opened: Store[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
  await removeDir(dir);
});
async function fresh(options: DurableStoreOptions = {}): Promise<DurableStore> {
  dir = await tempDir();
  return track(await open(dir, options));
}
function track<T extends Store>(store: T): T {
  opened.push(store);
  return store;
}

describe('DurableStore: restarts', () => {
  it('SPEC §7 rule 22: accounts, sessions, revocations, rooms with epoch and messages survive a clean restart', async () => {
    let store = await fresh();
    const admin = await store.createUser(newUser('Admin'));
    assert.ok(admin !== 'taken');
    await store.createSession(newSession(admin.id, 'sess-1'));
    await store.createSession(newSession(admin.id, 'sess-2'));
    await store.deleteSession('sess-2'); // logged out: must stay gone
    await store.revokeToken('jti-out', Date.now() + 3_600_000);
    const room = await store.createRoom(newRoom('lobby'));
    assert.ok(room !== 'exists');
    for (let i = 1; i <= 5; i++) await store.appendMessage('lobby', newMessage(`hello ${i}`));
    await store.close();

    store = track(await open(dir));
    assert.equal((await store.getUserByName('admin'))?.role, 'admin');
    assert.equal((await store.getSession('sess-1'))?.userId, admin.id);
    assert.equal(await store.getSession('sess-2'), undefined);
    assert.equal(await store.isTokenRevoked('jti-out'), true);
    assert.equal((await store.getRoom('lobby'))?.epoch, room.epoch);
    assert.deepEqual((await store.messagesAfter('lobby', 0, 10)).map((m) => m.text), [1, 2, 3, 4, 5].map((i) => `hello ${i}`));
    const next = await store.createUser(newUser('second'));
    assert.ok(next !== 'taken');
    assert.equal(next.role, 'user');
    assert.equal((await store.appendMessage('lobby', newMessage('after')))?.seq, 6);
  });

  it('snapshot + journal replay: after checkpoints, every message pages back from disk and memory, and seq continues', async () => {
    let store = await fresh({ checkpointBytes: 8 * 1024, recentMessages: 20 });
    for (const name of ['a', 'b', 'c']) await store.createRoom(newRoom(name));
    const writes = [];
    for (let i = 0; i < 600; i++) writes.push(store.appendMessage(['a', 'b', 'c'][i % 3]!, newMessage(`n${i}`)));
    await Promise.all(writes);
    await store.deleteRoom('c');
    await store.close();
    assert.ok((await readdir(dir)).includes('snapshot.bin'), 'a checkpoint wrote a snapshot');
    assert.ok((await journals(dir)).length <= 2, 'old journals were deleted after the snapshot');

    store = track(await open(dir, { checkpointBytes: 8 * 1024, recentMessages: 20 }));
    for (const name of ['a', 'b']) {
      const all = [];
      for (let before = Infinity; ; ) {
        const page = await store.messagesBefore(name, before, 50);
        if (page.length === 0) break;
        all.unshift(...page);
        before = page[0]!.seq;
      }
      assert.deepEqual(all.map((m) => m.seq), Array.from({ length: 200 }, (_, i) => i + 1));
      const offset = name === 'a' ? 0 : 1;
      assert.deepEqual(all.map((m) => m.text), Array.from({ length: 200 }, (_, i) => `n${i * 3 + offset}`));
      assert.deepEqual((await store.messagesAfter(name, 3, 2)).map((m) => m.seq), [4, 5]);
    }
    assert.equal(await store.getRoom('c'), undefined);
    assert.equal(await store.countMessages(), 400);
    assert.ok(!(await readdir(path.join(dir, 'rooms'))).some((f) => f.startsWith('c~')), "a deleted room's files are gone");
    assert.equal((await store.appendMessage('a', newMessage('next')))?.seq, 201);
  });
});

/** A closed DATA_DIR whose only journal holds a room and ten messages; where its frames start. */
async function journalWithTenMessages(): Promise<{ file: string; offsets: number[] }> {
  const store = await fresh();
  await store.createRoom(newRoom('r'));
  for (let i = 1; i <= 10; i++) await store.appendMessage('r', newMessage(`m${i}`));
  await store.close();
  const [journal] = await journals(dir);
  const file = path.join(dir, journal!);
  return { file, offsets: await frameOffsets(file) };
}

describe('DurableStore: recovery', () => {
  it('a torn last record (journal cut inside it) is truncated with a warning; everything before it is kept', async () => {
    const { file, offsets } = await journalWithTenMessages();
    const size = (await stat(file)).size;
    await truncate(file, offsets.at(-1)! + Math.floor((size - offsets.at(-1)!) / 2)); // inside the last record

    const log = memoryLog();
    let store = track(await open(dir, { log }));
    assert.equal(log.warnings.length, 1);
    assert.match(log.warnings[0]!, /torn record at byte \d+/);
    assert.ok(log.warnings[0]!.includes(file));
    assert.deepEqual((await store.messagesAfter('r', 0, 20)).map((m) => m.text), [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `m${i}`));
    assert.equal((await stat(file)).size, offsets.at(-1));
    assert.equal((await store.appendMessage('r', newMessage('again')))?.seq, 10);
    await store.close();
    store = track(await open(dir));
    assert.equal((await store.getRoom('r'))?.lastSeq, 10);
  });

  it('a flipped byte in a middle record refuses to start, naming the file and the byte offset', async () => {
    const { file, offsets } = await journalWithTenMessages();
    const target = offsets[4]!;
    const data = await readFile(file);
    data[target + 8 + 3] ^= 0x01; // one bit of the fifth record's payload
    await writeFile(file, data);

    await assert.rejects(open(dir), (error: unknown) => {
      assert.ok(error instanceof StoreCorruptError);
      assert.ok(error.message.includes(file), error.message);
      assert.ok(error.message.includes(`byte ${target}`), error.message);
      assert.ok(!error.message.includes('\n'));
      return true;
    });
    // Refusing must not have "repaired" anything.
    assert.deepEqual(await readFile(file), data);
  });
  it('a middle record whose length field was damaged to run past the end is corruption, not a torn tail', async () => {
    const { file, offsets } = await journalWithTenMessages();
    const target = offsets[4]!;
    const data = await readFile(file);
    data.writeUInt32BE(data.length - target, target); // 8 bytes too long: "runs past the end"
    await writeFile(file, data);

    await assert.rejects(open(dir), (error: unknown) => {
      assert.ok(error instanceof StoreCorruptError);
      assert.ok(error.message.includes(`byte ${target}`), error.message);
      assert.ok(error.message.includes(`a whole record follows at byte ${offsets[5]}`), error.message);
      return true;
    });
    // The acknowledged records after it were not cut off.
    assert.deepEqual(await readFile(file), data);
  });
});

describe('DurableStore: one owner per DATA_DIR', () => {
  it('a second open of a DATA_DIR in use fails with "DATA_DIR in use by pid N"; it succeeds once the first closes', async () => {
    await fresh();
    await assert.rejects(open(dir), (error: unknown) => {
      assert.ok(error instanceof DataDirLockedError);
      assert.equal(error.message, `DATA_DIR in use by pid ${process.pid}`);
      return true;
    });
    await opened.pop()!.close();
    track(await open(dir));
  });

  it('a lock left by a dead process is stale and taken over', async () => {
    dir = await tempDir();
    const dead = deadPid();
    await writeFile(path.join(dir, 'LOCK'), `${dead}\n`);
    const store = track(await open(dir));
    assert.equal((await readFile(path.join(dir, 'LOCK'), 'utf8')).trim(), `${process.pid} ${hostname()}`);
    await store.close();
  });

  it('a lock with our own pid that this process does not hold is stale (a container restarted after kill -9 is pid 1 again)', async () => {
    dir = await tempDir();
    await writeFile(path.join(dir, 'LOCK'), `${process.pid} ${hostname()}\n`);
    const store = track(await open(dir));
    await assert.rejects(open(dir), (error: unknown) => error instanceof DataDirLockedError && error.pid === process.pid);
    await store.close();
  });

  it('a lock from another host is never judged stale from here: its pid means nothing on this machine', async () => {
    dir = await tempDir();
    const dead = deadPid();
    await writeFile(path.join(dir, 'LOCK'), `${dead} other-host.example\n`);
    await assert.rejects(open(dir), (error: unknown) => {
      assert.ok(error instanceof DataDirLockedError);
      assert.match(error.message, new RegExp(`^DATA_DIR in use by pid ${dead} on host other-host\\.example \\(remove its LOCK file if that host is gone\\)$`));
      return true;
    });
  });
});

describe('DurableStore: disk trouble', () => {
  it('ENOSPC: the failing and later writes are 503 overloaded while reads work; writes recover with gapless seq when the disk does', async () => {
    const fs = new FaultyFileSystem();
    const log = memoryLog();
    let store = await fresh({ fs, log });
    await store.createRoom(newRoom('r'));
    await store.appendMessage('r', newMessage('before'));

    fs.failing = 'ENOSPC';
    const results = await Promise.allSettled([1, 2, 3].map((i) => store.appendMessage('r', newMessage(`lost ${i}`))));
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      const reason = (result as PromiseRejectedResult).reason as ApiError;
      assert.ok(reason instanceof ApiError);
      assert.equal(reason.status, 503);
      assert.equal(reason.code, 'overloaded');
    }
    await assert.rejects(store.createUser(newUser('nobody')), (e: unknown) => e instanceof ApiError && e.status === 503);
    assert.ok(fs.failures > 0);
    // Reads keep working and show only what was acknowledged.
    assert.equal((await store.getRoom('r'))?.lastSeq, 1);
    assert.deepEqual((await store.messagesBefore('r', Infinity, 10)).map((m) => m.text), ['before']);
    assert.equal(await store.getUserByName('nobody'), undefined);
    assert.ok(log.warnings.some((w) => w.includes('ENOSPC')));

    fs.failing = undefined;
    assert.equal((await store.appendMessage('r', newMessage('after')))?.seq, 2);
    assert.notEqual(await store.createUser(newUser('nobody')), 'taken');
    await store.close();
    store = track(await open(dir));
    assert.deepEqual((await store.messagesAfter('r', 0, 10)).map((m) => m.text), ['before', 'after']);
  });
});

describe('openStore', () => {
  it('SPEC §1: DATA_DIR=:memory: is a MemoryStore, a path is a DurableStore there', async () => {
    const memory = await openStore(':memory:', memoryLog());
    assert.ok(memory instanceof MemoryStore);
    dir = await tempDir();
    const durable = track(await openStore(path.join(dir, 'nested', 'data'), memoryLog()));
    assert.ok(durable instanceof DurableStore);
    assert.ok((await readdir(path.join(dir, 'nested', 'data'))).includes('LOCK'));
  });
});
