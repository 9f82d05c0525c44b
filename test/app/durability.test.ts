/**
 * SPEC §7 rule 22 through the HTTP API: with a DATA_DIR and the same JWT_SECRET,
 * accounts, sessions and revocations survive a restart; and SPEC §1: a DATA_DIR in
 * use by another server is refused at start.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { refusedStart, startServer } from '../helpers/server.js';
import { request } from './http-client.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'socketlink-http-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

const user = { username: 'durable_dan', password: 'durable-password' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

test('SPEC §7 rule 22: after a clean restart (SIGTERM), old tokens still work and a logged-out session stays revoked', async () => {
  const first = await startServer({ env: { DATA_DIR: dataDir } });
  let kept: any;
  let loggedOut: any;
  try {
    assert.equal((await request(first.url, '/api/auth/register', { method: 'POST', body: user })).status, 201);
    kept = (await request(first.url, '/api/auth/login', { method: 'POST', body: user })).json;
    loggedOut = (await request(first.url, '/api/auth/login', { method: 'POST', body: user })).json;
    assert.equal((await request(first.url, '/api/auth/logout', { method: 'POST', headers: bearer(loggedOut.accessToken) })).status, 204);
  } finally {
    assert.equal(await first.stop(), 0);
  }

  const second = await startServer({ env: { DATA_DIR: dataDir } });
  try {
    const me = await request(second.url, '/api/auth/me', { headers: bearer(kept.accessToken) });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.user.username, user.username);
    assert.equal(me.json.user.role, 'admin');
    assert.equal((await request(second.url, '/api/auth/me', { headers: bearer(loggedOut.accessToken) })).status, 401);
    assert.equal((await request(second.url, '/api/auth/refresh', { method: 'POST', body: { refreshToken: loggedOut.refreshToken } })).status, 401);
    const refreshed = await request(second.url, '/api/auth/refresh', { method: 'POST', body: { refreshToken: kept.refreshToken } });
    assert.equal(refreshed.status, 200, refreshed.text);
  } finally {
    await second.stop();
  }
});

test('issue 5: a second server on a DATA_DIR in use exits 1 with "DATA_DIR in use by pid N", N the first server\'s pid', async () => {
  const first = await startServer({ env: { DATA_DIR: dataDir } });
  try {
    const line = refusedStart({ DATA_DIR: dataDir, JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789' });
    assert.ok(line.includes(`DATA_DIR in use by pid ${first.child.pid}`), line);
  } finally {
    await first.stop();
  }
});
