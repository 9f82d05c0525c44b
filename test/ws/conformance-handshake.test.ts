/**
 * The opening handshake (RFC 6455 §4.2) over raw sockets against the built echo server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeFrame, text } from './helpers/frames.js';
import { handshakeRequest, RawClient, summarize } from './helpers/raw-client.js';
import { useEchoServer } from './helpers/echo.js';

const server = useEchoServer();
const port = () => server().port;
const expectedAccept = (key: string) => createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');

async function answer(request: string) {
  const client = await RawClient.open(port(), request);
  try {
    return client.answer!;
  } finally {
    client.destroy();
  }
}

test('RFC 6455 §4.2.2: a valid handshake on any path gets 101 with the right Sec-WebSocket-Accept', async () => {
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  const a = await answer(handshakeRequest('/any/path?x=1', {}, key));
  assert.equal(a.status, 101);
  assert.equal(a.headers['upgrade']!.toLowerCase(), 'websocket');
  assert.equal(a.headers['connection']!.toLowerCase(), 'upgrade');
  assert.equal(a.headers['sec-websocket-accept'], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  assert.equal(a.headers['sec-websocket-accept'], expectedAccept(key));
  assert.equal(a.headers['sec-websocket-protocol'], undefined, 'no protocol selected when none offered');
});

test('RFC 6455 §4.2.1: Upgrade and Connection tokens are matched case-insensitively inside lists', async () => {
  const a = await answer(handshakeRequest('/', { Upgrade: 'WebSocket', Connection: 'keep-alive, Upgrade' }));
  assert.equal(a.status, 101);
});

test('RFC 6455 §4.2.2: the echo server selects the first offered subprotocol', async () => {
  const a = await answer(handshakeRequest('/', { 'Sec-WebSocket-Protocol': 'chat, superchat' }));
  assert.equal(a.headers['sec-websocket-protocol'], 'chat');
});

test('RFC 6455 §4.2.1 step 6 / §4.4: version 8 gets 426 with Sec-WebSocket-Version: 13', async () => {
  const a = await answer(handshakeRequest('/', { 'Sec-WebSocket-Version': '8' }));
  assert.equal(a.status, 426);
  assert.equal(a.headers['sec-websocket-version'], '13');
});

test('RFC 6455 §4.2.1 step 5: a missing or short Sec-WebSocket-Key gets 400', async () => {
  assert.equal((await answer(handshakeRequest('/', { 'Sec-WebSocket-Key': '' }))).status, 400);
  assert.equal((await answer(handshakeRequest('/', { 'Sec-WebSocket-Key': 'c2hvcnQ=' }))).status, 400);
});

test('RFC 6455 §4.2.1 step 1: a POST upgrade gets 405', async () => {
  const a = await answer(handshakeRequest('/').replace(/^GET/, 'POST'));
  assert.equal(a.status, 405);
});

test('RFC 6455 §4.2.1 step 4: Connection without "upgrade" gets 400', async () => {
  assert.equal((await answer(handshakeRequest('/', { Connection: 'keep-alive' }))).status, 400);
});

test('RFC 7231 §6.5.15: a plain GET without Upgrade gets 426 naming websocket', async () => {
  const a = await answer('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
  assert.equal(a.status, 426);
  assert.equal(a.headers['upgrade'], 'websocket');
});

test('RFC 6455 §4.2.2: frames sent in the same packet as the handshake are not lost', async () => {
  const request = Buffer.concat([Buffer.from(handshakeRequest('/')), text('early'), closeFrame(1000)]);
  const client = await RawClient.open(port(), request);
  try {
    assert.equal(client.answer!.status, 101);
    assert.deepEqual(summarize(await client.untilClosed()), ['text "early"', 'close 1000']);
  } finally {
    client.destroy();
  }
});
