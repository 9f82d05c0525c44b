/**
 * SPEC §1: on SIGINT/SIGTERM the server stops accepting, closes its connections
 * and exits 0 within 5 s.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { startServer } from '../helpers/server.js';
import { request } from './http-client.js';

const DEADLINE_MS = 5000;

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`SPEC §1: ${signal} exits 0 within 5 s, even with an idle keep-alive connection open`, async () => {
    const server = await startServer();
    // A keep-alive connection left idle after one answer: it must not hold the exit.
    const socket = connect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await once(socket, 'data');
    const closed = once(socket, 'close');
    const started = Date.now();
    const code = await server.stop(signal);
    assert.equal(code, 0);
    assert.ok(Date.now() - started < DEADLINE_MS, `took ${Date.now() - started} ms`);
    await closed;
    assert.ok(server.lines.some((line) => JSON.parse(line).msg === 'shutting down'));
  });
}

test('after shutdown nothing is listening on the port', async () => {
  const server = await startServer();
  assert.equal((await request(server.url, '/api/health')).status, 200);
  await server.stop();
  await assert.rejects(request(server.url, '/api/health'), /ECONNREFUSED/);
});
