/**
 * SPEC §7 rule 22, one clause the crash loop (crash-loop.test.ts) leaves implicit: a 201
 * for an account, a room and a message, an ack, and a logout's 204 are each durable the
 * moment they are answered — the server is killed with SIGKILL right after the last
 * answer, with no pause — and the room keeps its epoch (SPEC §2: the epoch changes only
 * if the history is lost).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../helpers/server.js';
import { request } from './http-client.js';
import { account, api, bearer, ChatClient, login } from './chat-client.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'socketlink-rule22-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

test('SPEC §7 rule 22: what was answered 201, 204 or ack just before kill -9 is there after the restart; the room keeps its epoch', async () => {
  const first = await startServer({ env: { DATA_DIR: dataDir } });
  let room: any;
  let kept: Awaited<ReturnType<typeof login>>;
  let loggedOut: Awaited<ReturnType<typeof login>>;
  try {
    kept = await account(first, 'durable_rules');
    loggedOut = await login(first, 'durable_rules');
    const created = await api(first, kept.token, 'POST', '/api/rooms', { name: 'rule22' });
    assert.equal(created.status, 201);
    room = created.json.room;
    assert.equal((await api(first, kept.token, 'POST', '/api/rooms/rule22/messages', { text: 'over http' })).status, 201);
    const client = await ChatClient.open(first, kept.token);
    await client.call({ type: 'join_room', room: 'rule22' });
    const ack = await client.call({ type: 'send_message', room: 'rule22', text: 'over ws' });
    assert.equal(ack.type, 'ack');
    assert.equal((await request(first.url, '/api/auth/logout', { method: 'POST', headers: bearer(loggedOut.token) })).status, 204);
  } finally {
    const exited = once(first.child, 'exit');
    first.child.kill('SIGKILL');
    await exited;
  }

  const second = await startServer({ env: { DATA_DIR: dataDir } });
  try {
    assert.equal((await api(second, kept!.token, 'GET', '/api/auth/me')).status, 200, 'the old access token works');
    const rooms = (await api(second, kept!.token, 'GET', '/api/rooms')).json.rooms;
    assert.deepEqual(rooms, [{ ...room, members: 0 }], 'the room, with its epoch');
    const messages = await api(second, kept!.token, 'GET', '/api/rooms/rule22/messages');
    assert.deepEqual(messages.json.messages.map((m: { seq: number; text: string }) => [m.seq, m.text]), [
      [1, 'over http'],
      [2, 'over ws'],
    ]);
    assert.equal((await api(second, loggedOut!.token, 'GET', '/api/auth/me')).status, 401, 'the logged-out session stays revoked');
    assert.equal((await request(second.url, '/api/auth/refresh', { method: 'POST', body: { refreshToken: loggedOut!.refreshToken } })).status, 401);
    assert.equal((await request(second.url, '/api/auth/refresh', { method: 'POST', body: { refreshToken: kept!.refreshToken } })).status, 200);
  } finally {
    await second.stop();
  }
});
