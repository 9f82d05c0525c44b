/**
 * WebSocketConnection in-process: the closing handshake from our side, close events,
 * the slow-consumer policy, heartbeats, fragmentation on send and prepared frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { prepareFrame, WebSocketServer, type ConnectionOptions, type WebSocketConnection, type WebSocketError } from '../../src/ws/index.js';
import { closeFrame, OP, ping, pong } from './helpers/frames.js';
import { RawClient, summarize } from './helpers/raw-client.js';

async function withServer(
  options: ConnectionOptions,
  body: (ctx: { port: number; next: () => Promise<WebSocketConnection>; wss: WebSocketServer }) => Promise<void>,
): Promise<void> {
  const http: Server = createServer();
  const wss = new WebSocketServer(http, { connection: options });
  const queue: WebSocketConnection[] = [];
  const waiting: ((c: WebSocketConnection) => void)[] = [];
  wss.on('connection', (c) => (waiting.length ? waiting.shift()!(c) : queue.push(c)));
  const next = () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise<WebSocketConnection>((r) => waiting.push(r)));
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  try {
    await body({ port: (http.address() as AddressInfo).port, next, wss });
  } finally {
    for (const c of wss.connections) c.terminate();
    http.close();
  }
}

test('RFC 6455 §7.1.2: close() sends the code and reason; the peer\'s answer ends with close(code) on our side', async () => {
  await withServer({}, async ({ port, next }) => {
    const client = await RawClient.open(port);
    const conn = await next();
    const closed = once(conn, 'close');
    conn.close(4000, 'done');
    await client.framesAtLeast(1);
    assert.equal(client.frames[0]!.payload.readUInt16BE(0), 4000);
    assert.equal(client.frames[0]!.payload.subarray(2).toString(), 'done');
    assert.equal(conn.readyState, 2, 'CLOSING until TCP is gone');
    client.send(closeFrame(4000, 'ok'));
    assert.deepEqual(await closed, [4000, 'ok']);
    assert.equal(conn.readyState, 3);
    await client.untilClosed();
  });
});

test('RFC 6455 §5.5.2: a ping that arrives after our Close, before the peer\'s, is still answered with its pong', async () => {
  await withServer({}, async ({ port, next }) => {
    const client = await RawClient.open(port);
    const conn = await next();
    conn.close(1000);
    await client.framesAtLeast(1);
    client.send(ping('still there?'));
    const frames = await client.framesAtLeast(2);
    assert.equal(frames[1]!.opcode, OP.PONG);
    assert.equal(frames[1]!.payload.toString(), 'still there?');
    client.send(closeFrame(1000));
    await client.untilClosed();
  });
});

test('RFC 6455 §7.1.5: a Close frame without a code is reported as 1005; a vanished peer as 1006', async () => {
  await withServer({}, async ({ port, next }) => {
    const a = await RawClient.open(port);
    const connA = await next();
    const closedA = once(connA, 'close');
    a.send(closeFrame());
    assert.deepEqual(await closedA, [1005, '']);
    const b = await RawClient.open(port);
    const connB = await next();
    const closedB = once(connB, 'close');
    b.destroy();
    assert.deepEqual(await closedB, [1006, '']);
  });
});

test('RFC 6455 §7.1.1: if the peer never answers our Close, TCP is torn down after closeTimeoutMs', async () => {
  await withServer({ closeTimeoutMs: 150 }, async ({ port, next }) => {
    const client = await RawClient.open(port);
    const conn = await next();
    const closed = once(conn, 'close');
    const started = performance.now();
    conn.close(1000);
    assert.deepEqual(await closed, [1006, '']);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 140 && elapsed < 2000, `${elapsed} ms`);
    await client.untilClosed();
  });
});

test('slow consumer: unsent data past maxBufferedAmount closes with 1008 and stops sending', async () => {
  await withServer({ maxBufferedAmount: 64 * 1024, closeTimeoutMs: 200 }, async ({ port, next }) => {
    const client = await RawClient.open(port);
    client.socket.pause(); // a reader that never reads
    const conn = await next();
    const errors: WebSocketError[] = [];
    conn.on('error', (e) => errors.push(e));
    const chunk = Buffer.alloc(16 * 1024);
    let sent = 0;
    while (conn.readyState === 1 && sent < 10_000) {
      conn.send(chunk);
      if (++sent % 8 === 0) await new Promise((resolve) => setImmediate(resolve)); // the check runs once per batch
    }
    assert.equal(conn.readyState, 2, 'closing after the bound was passed');
    assert.deepEqual(errors.map((e) => [e.code, e.closeCode]), [['slow_consumer', 1008]]);
    assert.ok(conn.bufferedAmount > 64 * 1024);
    const buffered = conn.bufferedAmount;
    conn.send(chunk); // ignored once closing
    assert.equal(conn.bufferedAmount, buffered);
    await once(conn, 'close');
    client.destroy();
  });
});

test('heartbeat: a peer that answers pings stays; one that does not is dropped by the next ping', async () => {
  await withServer({ heartbeatIntervalMs: 60 }, async ({ port, next }) => {
    const silent = await RawClient.open(port);
    const silentConn = await next();
    const answering = await RawClient.open(port);
    const answeringConn = await next();
    let pongs = 0;
    answering.socket.on('data', () => {
      for (const f of answering.frames.splice(0)) if (f.opcode === OP.PING) answering.send(pong(f.payload)), pongs++;
    });
    const [code] = await once(silentConn, 'close');
    assert.equal(code, 1006);
    assert.ok(summarize(silent.frames).includes('ping 0B'));
    await answering.waitFor(() => pongs >= 3, 2000, 'three pings answered');
    assert.equal(answeringConn.readyState, 1);
    silent.destroy();
    answering.destroy();
  });
});

test('RFC 6455 §5.4: send with fragmentSize splits a message into continuation frames', async () => {
  await withServer({}, async ({ port, next }) => {
    const client = await RawClient.open(port);
    const conn = await next();
    conn.send('abcdefghij', { fragmentSize: 4 });
    await client.framesAtLeast(3);
    assert.deepEqual(
      client.frames.map((f) => [f.opcode, f.fin, f.payload.toString()]),
      [
        [OP.TEXT, false, 'abcd'],
        [OP.CONT, false, 'efgh'],
        [OP.CONT, true, 'ij'],
      ],
    );
    client.destroy();
  });
});

test('broadcast: one prepared frame written to many connections arrives intact at each', async () => {
  await withServer({}, async ({ port, next }) => {
    const clients = await Promise.all(Array.from({ length: 5 }, () => RawClient.open(port)));
    const conns = await Promise.all(clients.map(() => next()));
    const frame = prepareFrame('{"type":"new_message"}');
    for (const conn of conns) conn.sendPrepared(frame);
    for (const client of clients) {
      await client.framesAtLeast(1);
      assert.deepEqual(summarize(client.frames), ['text "{\\"type\\":\\"new_message\\"}"']);
      client.destroy();
    }
  });
});

test('ping(): a ping with payload reaches the peer, and more than 125 bytes is refused', async () => {
  await withServer({}, async ({ port, next }) => {
    const client = await RawClient.open(port);
    const conn = await next();
    conn.ping('are you there');
    await client.framesAtLeast(1);
    assert.deepEqual(summarize(client.frames), ['ping 13B']);
    assert.throws(() => conn.ping(Buffer.alloc(126)), RangeError);
    assert.throws(() => conn.close(1005), RangeError);
    client.destroy();
  });
});

test('rejectUpgrade: the application refuses before 101 with a complete HTTP response (401 JSON) and the connection ends', async () => {
  const http = createServer();
  const body = JSON.stringify({ error: 'unauthorized', message: 'Authentication required' });
  new WebSocketServer(http, {
    verify: () => ({ status: 401, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body }),
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  try {
    const client = await RawClient.open((http.address() as AddressInfo).port);
    assert.equal(client.answer!.status, 401);
    assert.equal(client.answer!.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(client.answer!.headers['content-length'], String(Buffer.byteLength(body)));
    await client.untilClosed();
    assert.equal(client.answer!.body, body);
  } finally {
    http.close();
  }
});

test('a connection accepted on a socket that already vanished still emits close (1006) exactly once', async () => {
  const { acceptUpgrade } = await import('../../src/ws/upgrade.js');
  const { checkUpgrade } = await import('../../src/ws/handshake.js');
  const http = createServer();
  http.on('upgrade', (req, socket, head) => {
    socket.destroy(); // the client is gone while "auth" was running
    socket.once('close', () => {
      const check = checkUpgrade(req);
      assert.ok(check.ok);
      const conn = acceptUpgrade(socket, head, check);
      const codes: number[] = [];
      conn.on('close', (code) => codes.push(code));
      setTimeout(() => http.emit('done', codes), 50);
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  try {
    const client = await RawClient.open((http.address() as AddressInfo).port).catch(() => undefined);
    const [codes] = await once(http, 'done');
    assert.deepEqual(codes, [1006]);
    client?.destroy();
  } finally {
    http.close();
  }
});
