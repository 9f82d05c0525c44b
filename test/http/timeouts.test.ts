/**
 * Slow and malformed clients against createHttpServer, in-process, with short
 * timeouts so the slowloris test takes a second rather than SERVER_TIMEOUTS' 10 s.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createHttpServer, SERVER_TIMEOUTS } from '../../src/http/server.js';
import { rawRequest, rawStatus } from '../app/http-client.js';

const HEADERS_TIMEOUT_MS = 400;
let server: Server;
let port: number;

before(async () => {
  server = createHttpServer(
    (_req, res) => {
      res.end('ok');
    },
    { ...SERVER_TIMEOUTS, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: 800, connectionsCheckingInterval: 100 },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));

test('slowloris: headers trickled a line at a time are cut off with 408 soon after headersTimeout', async () => {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.setEncoding('latin1');
  let answer = '';
  socket.on('data', (chunk: string) => (answer += chunk));
  const started = Date.now();
  socket.write('GET / HTTP/1.1\r\nHost: t\r\n');
  const trickle = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 50);
  await once(socket, 'close');
  clearInterval(trickle);
  const elapsed = Date.now() - started;
  assert.ok(elapsed < HEADERS_TIMEOUT_MS + 1000, `held for ${elapsed} ms`);
  assert.equal(rawStatus(answer), 408);
  assert.equal(bodyOf(answer).error, 'bad_request');
});

test('a malformed request line gets a JSON 400 with the security headers, then the connection closes', async () => {
  const answer = await rawRequest(port, 'THIS IS NOT HTTP\r\n\r\n');
  assert.equal(rawStatus(answer), 400);
  assert.match(answer, /x-content-type-options: nosniff/);
  assert.match(answer, /content-type: application\/json; charset=utf-8/);
  assert.equal(bodyOf(answer).error, 'bad_request');
});

test('headers over 16 KiB get 431 as JSON', async () => {
  const answer = await rawRequest(port, `GET / HTTP/1.1\r\nHost: t\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
  assert.equal(rawStatus(answer), 431);
  assert.equal(bodyOf(answer).error, 'bad_request');
});
