/**
 * Interop with clients we did not write: the `ws` package and Node 20's built-in WebSocket
 * (undici, behind --experimental-websocket), against the built echo server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { ROOT } from '../helpers/server.js';
import { useEchoServer } from './helpers/echo.js';

const server = useEchoServer();
const SIZES = [0, 1, 125, 126, 65535, 65536, 1024 * 1024];

async function open(protocols?: string[]): Promise<WebSocket> {
  const ws = new WebSocket(`${server().wsUrl}/interop`, protocols);
  await once(ws, 'open');
  return ws;
}

async function roundTrip(ws: WebSocket, data: string | Buffer): Promise<{ data: Buffer; isBinary: boolean }> {
  const reply = once(ws, 'message') as Promise<[Buffer, boolean]>;
  ws.send(data);
  const [got, isBinary] = await reply;
  return { data: got, isBinary };
}

test('interop (ws): text and binary messages of 0 B to 1 MiB come back identical and with their type', async () => {
  const ws = await open();
  for (const size of SIZES) {
    const text = 'é'.repeat(Math.floor(size / 2)) + (size % 2 ? 'x' : '');
    const t = await roundTrip(ws, text);
    assert.equal(t.isBinary, false);
    assert.equal(t.data.toString('utf8'), text, `text ${size}`);
    const bin = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bin[i] = (i * 13) & 0xff;
    const b = await roundTrip(ws, bin);
    assert.equal(b.isBinary, true);
    assert.ok(b.data.equals(bin), `binary ${size}`);
  }
  ws.close();
  await once(ws, 'close');
});

test('interop (ws): a ping is answered with a pong carrying the same payload', async () => {
  const ws = await open();
  const pong = once(ws, 'pong');
  ws.ping(Buffer.from('heartbeat-42'));
  const [payload] = (await pong) as [Buffer];
  assert.equal(payload.toString(), 'heartbeat-42');
  ws.close();
  await once(ws, 'close');
});

for (const code of [1000, 1001, 3000, 4001, 4999]) {
  test(`interop (ws): a client close with ${code} is echoed and the close is clean`, async () => {
    const ws = await open();
    const closed = once(ws, 'close') as Promise<[number, Buffer]>;
    ws.close(code, 'bye');
    const [got] = await closed;
    assert.equal(got, code);
  });
}

test('interop (ws): a subprotocol offered by the client is selected by the echo server', async () => {
  const ws = await open(['socketlink.v1', 'other']);
  assert.equal(ws.protocol, 'socketlink.v1');
  ws.close();
  await once(ws, 'close');
});

test('interop (Node 20 built-in WebSocket): 0 B to 1 MiB text and binary round trips, clean close 4000', async () => {
  const script = path.join(ROOT, 'test/ws/fixtures/native-client.mjs');
  const { stdout } = await promisify(execFile)(process.execPath, ['--experimental-websocket', '--no-warnings', script, `${server().wsUrl}/native`], {
    timeout: 20_000,
  });
  const report = JSON.parse(stdout.trim().split('\n').at(-1)!);
  assert.deepEqual(
    report.results,
    SIZES.map((size) => ({ size, text: true, binary: true })),
  );
  assert.deepEqual(report.close, { code: 4000, reason: '', wasClean: true });
});
