/**
 * Issue 5 / SPEC §7 rule 22: "nothing acknowledged is ever lost, even to kill -9".
 *
 * A child process writes to one DATA_DIR as fast as acks come back and prints every
 * ack; we kill it with SIGKILL at a random moment (often in the middle of a write,
 * an fsync or a checkpoint), then open the directory ourselves and check that every
 * acknowledged record is there and each room's seq is gapless. Twenty rounds.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DurableStore } from '../../src/store/durable.js';
import type { MessageRecord } from '../../src/store/types.js';
import { memoryLog, removeDir, tempDir } from './helpers.js';

const WRITER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'crash-writer.mjs');
const ROUNDS = 20;
const MAX_RUN_MS = 250;

interface Acks {
  messages: Map<string, { room: string; seq: number }>;
  users: Map<string, string>;
  sessions: Map<string, string>;
}

async function runAndKill(dir: string, round: number, acks: Acks): Promise<void> {
  const child = spawn(process.execPath, [WRITER, dir, String(round)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout });
  let killTimer: NodeJS.Timeout | undefined;
  lines.on('line', (line) => {
    const [kind, a, b, c] = line.split(' ');
    if (kind === 'msg') acks.messages.set(c!, { room: a!, seq: Number(b) });
    else if (kind === 'user') acks.users.set(a!, b!);
    else if (kind === 'session') acks.sessions.set(a!, b!);
    else if (kind === 'ready') killTimer = setTimeout(() => child.kill('SIGKILL'), Math.random() * MAX_RUN_MS);
  });
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(killTimer);
  assert.equal(signal, 'SIGKILL', `round ${round}: writer exited by itself (code ${code}): ${stderr}`);
}

async function verify(dir: string, round: number, acks: Acks): Promise<void> {
  const store = await DurableStore.open(dir, { log: memoryLog() });
  try {
    const found = new Map<string, MessageRecord>();
    for (const room of ['r0', 'r1', 'r2', 'r3']) {
      const lastSeq = (await store.getRoom(room))!.lastSeq;
      let expected = 1;
      for (let since = 0; since < lastSeq; ) {
        const page = await store.messagesAfter(room, since, 500);
        for (const message of page) {
          assert.equal(message.seq, expected++, `round ${round}: room ${room} seq gapless`);
          found.set(message.id, message);
        }
        since = page.at(-1)!.seq;
      }
      assert.equal(expected - 1, lastSeq, `round ${round}: room ${room} holds 1..lastSeq`);
    }
    for (const [id, ack] of acks.messages) {
      const message = found.get(id);
      assert.ok(message, `round ${round}: acknowledged message ${id} is missing`);
      assert.equal(message.room, ack.room);
      assert.equal(message.seq, ack.seq);
    }
    for (const [id, username] of acks.users) assert.equal((await store.getUser(id))?.username, username);
    for (const [id, userId] of acks.sessions) assert.equal((await store.getSession(id))?.userId, userId);
  } finally {
    await store.close();
  }
}

it(`SPEC §7 rule 22: ${ROUNDS} rounds of kill -9 at a random moment lose no acknowledged record and leave seq gapless`, async () => {
  const dir = await tempDir();
  const acks: Acks = { messages: new Map(), users: new Map(), sessions: new Map() };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      await runAndKill(dir, round, acks);
      await verify(dir, round, acks);
    }
    assert.ok(acks.messages.size > ROUNDS, `the writers got acks (${acks.messages.size})`);
    assert.equal(acks.users.size, ROUNDS);
  } finally {
    await removeDir(dir);
  }
});
