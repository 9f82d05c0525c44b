/**
 * Issue 5 recovery rules, through the BUILT server (dist/server.js) rather than the
 * store alone: what an operator sees when the journal in DATA_DIR was cut by a crash
 * mid-write, or damaged in the middle.
 *
 *  - a torn last record (the journal ends inside it) is a crash mid-write: the server
 *    starts, prints a warning naming the file and byte offset, and keeps everything
 *    before it;
 *  - a flipped byte in a middle record is corruption: the server refuses to start,
 *    exit 1, with one line naming the file and the byte offset (never a silent drop).
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { refusedStart, startServer } from '../helpers/server.js';
import { frameOffsets, journals } from '../store/helpers.js';
import { bearer } from './chat-client.js';
import { request } from './http-client.js';

const JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';
const MESSAGES = 6;
const ROOM = 'journal-room';
/** Frame header: u32 length + u32 CRC-32 (docs/storage.md). */
const FRAME_HEADER_BYTES = 8;

let dataDir: string;
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/**
 * A DATA_DIR left by a clean stop whose last journal record is the last of MESSAGES
 * posted messages. Returns that journal, where its frames start, and a token to read with.
 */
async function journalEndingWithAMessage(): Promise<{ file: string; offsets: number[]; token: string }> {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'socketlink-recovery-'));
  const server = await startServer({ env: { DATA_DIR: dataDir } });
  let token: string;
  try {
    const user = { username: 'journal_jo', password: 'journal-jo-password' };
    assert.equal((await request(server.url, '/api/auth/register', { method: 'POST', body: user })).status, 201);
    token = (await request(server.url, '/api/auth/login', { method: 'POST', body: user })).json.accessToken;
    assert.equal((await request(server.url, '/api/rooms', { method: 'POST', headers: bearer(token), body: { name: ROOM } })).status, 201);
    for (let i = 1; i <= MESSAGES; i++) {
      const posted = await request(server.url, `/api/rooms/${ROOM}/messages`, { method: 'POST', headers: bearer(token), body: { text: `m${i}` } });
      assert.equal(posted.status, 201, posted.text);
    }
  } finally {
    assert.equal(await server.stop(), 0);
  }
  const file = path.join(dataDir, (await journals(dataDir)).at(-1)!);
  const offsets = await frameOffsets(file);
  // Precondition: the last record really is the last message (nothing was written after it).
  const last = readFileSync(file).subarray(offsets.at(-1)! + FRAME_HEADER_BYTES).toString('utf8');
  assert.ok(last.includes(`"m${MESSAGES}"`), `last journal record: ${last}`);
  return { file, offsets, token: token! };
}

test('issue 5: a journal torn inside its last record starts with a warning naming the file and offset, keeping every earlier record', async () => {
  const { file, offsets, token } = await journalEndingWithAMessage();
  const lastFrame = offsets.at(-1)!;
  truncateSync(file, lastFrame + Math.floor((statSync(file).size - lastFrame) / 2));

  const server = await startServer({ env: { DATA_DIR: dataDir } });
  try {
    const warnings = server.stderr().split('\n').filter((line) => /warning/i.test(line));
    assert.equal(warnings.length, 1, server.stderr());
    assert.ok(warnings[0]!.includes(file), warnings[0]);
    assert.ok(warnings[0]!.includes(`byte ${lastFrame}`), warnings[0]);

    const page = await request(server.url, `/api/rooms/${ROOM}/messages?since=0&limit=100`, { headers: bearer(token) });
    assert.equal(page.status, 200, page.text);
    assert.deepEqual(page.json.messages.map((m: any) => [m.seq, m.text]), Array.from({ length: MESSAGES - 1 }, (_, i) => [i + 1, `m${i + 1}`]));
    assert.equal(page.json.lastSeq, MESSAGES - 1);
    // The torn bytes were cut off: the next message continues the sequence in a clean journal.
    const next = await request(server.url, `/api/rooms/${ROOM}/messages`, { method: 'POST', headers: bearer(token), body: { text: 'after' } });
    assert.equal(next.status, 201, next.text);
    assert.equal(next.json.message.seq, MESSAGES);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('issue 5: a flipped byte in a middle journal record makes the server exit 1 with one line naming the file and byte offset', async () => {
  const { file, offsets } = await journalEndingWithAMessage();
  const target = offsets[Math.floor(offsets.length / 2)]!;
  const data = readFileSync(file);
  data[target + FRAME_HEADER_BYTES + 2]! ^= 0x04; // one bit of that record's payload
  writeFileSync(file, data);

  const line = refusedStart({ HOST: '127.0.0.1', DATA_DIR: dataDir, JWT_SECRET });
  assert.ok(line.includes(file), line);
  assert.ok(line.includes(`byte ${target}`), line);
  // Refusing to start must not have "repaired" (dropped) anything.
  assert.deepEqual(readFileSync(file), data);
});
