/** The echo server as an operator runs it (SPEC §1): first line, trace mode, graceful shutdown. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { refusedStart, startServer } from '../helpers/server.js';
import { clientFrame, closeFrame, text } from './helpers/frames.js';
import { RawClient, summarize } from './helpers/raw-client.js';

test('SPEC §1: the echo server prints "listening on ws://HOST:PORT/" first and honours --port/--host', async () => {
  const server = await startServer({ entry: 'echo-server.js', args: ['--port', '0', '--host', '127.0.0.1'] });
  try {
    assert.ok(server.port > 0);
    const client = await RawClient.open(server.port);
    assert.equal(client.answer!.status, 101);
    client.destroy();
  } finally {
    await server.stop();
  }
});

test('SPEC §1: on SIGTERM every open socket gets close 1001 and the process exits 0 within 5 s', async () => {
  const server = await startServer({ entry: 'echo-server.js' });
  const clients = await Promise.all([RawClient.open(server.port), RawClient.open(server.port), RawClient.open(server.port)]);
  const started = performance.now();
  const exit = once(server.child, 'exit');
  server.child.kill('SIGTERM');
  for (const client of clients) {
    await client.framesAtLeast(1);
    assert.deepEqual(summarize(client.frames), ['close 1001']);
    client.send(closeFrame(1001)); // a well-behaved client finishes the handshake
  }
  const [code] = (await exit) as [number];
  assert.equal(code, 0);
  assert.ok(performance.now() - started < 5000);
  for (const client of clients) client.destroy();
});

test('SPEC §1: on SIGINT with a client that never answers, the server still exits 0 within 5 s', async () => {
  const server = await startServer({ entry: 'echo-server.js' });
  const client = await RawClient.open(server.port);
  const started = performance.now();
  const exit = once(server.child, 'exit');
  server.child.kill('SIGINT');
  const [code] = (await exit) as [number];
  assert.equal(code, 0);
  assert.ok(performance.now() - started < 5000);
  assert.deepEqual(summarize(client.frames), ['close 1001']);
  client.destroy();
});

test('SPEC §1: --trace prints each frame in and out with its RFC 6455 §5.2 fields as JSON lines', async () => {
  const server = await startServer({ entry: 'echo-server.js', args: ['--trace'] });
  try {
    const client = await RawClient.open(server.port);
    client.send(text('Hello', { key: Buffer.from([0x37, 0xfa, 0x21, 0x3d]) }), closeFrame(1000));
    await client.untilClosed();
    const inbound = JSON.parse(await server.waitForLine((l) => l.includes('"direction":"in"') && l.includes('"text"')));
    assert.deepEqual(
      [inbound.FIN, inbound.RSV1, inbound.RSV2, inbound.RSV3, inbound.opcode, inbound.MASK, inbound.payloadLength, inbound.maskingKey, inbound.payloadHead],
      [1, 0, 0, 0, '0x1', 1, 5, '37fa213d', Buffer.from('Hello').toString('hex')],
    );
    const outbound = JSON.parse(await server.waitForLine((l) => l.includes('"direction":"out"') && l.includes('"text"')));
    assert.deepEqual([outbound.MASK, outbound.maskingKey, outbound.payloadLength], [0, null, 5]);
    for (const line of server.lines) JSON.parse(line); // SPEC §1: every later stdout line is JSON
  } finally {
    await server.stop();
  }
});

test('SPEC §1: --trace also prints the frame the server refuses, before its close frame', async () => {
  const server = await startServer({ entry: 'echo-server.js', args: ['--trace'] });
  try {
    const cases = [
      { frame: text('plain', { mask: false }), expect: { MASK: 0, opcode: '0x1', payloadLength: 5, maskingKey: null }, close: 1002 },
      { frame: clientFrame({ opcode: 0x3, payload: 'x', key: Buffer.from([1, 2, 3, 4]) }), expect: { MASK: 1, opcode: '0x3', payloadLength: 1 }, close: 1002 },
      { frame: text('ok', { rsv: 4 }), expect: { RSV1: 1, opcode: '0x1' }, close: 1002 },
      { frame: text(Buffer.from([0x61, 0xc0, 0x80])), expect: { opcode: '0x1', payloadLength: 3, payloadHead: '61c080' }, close: 1007 },
    ];
    for (const [i, { frame, expect, close }] of cases.entries()) {
      const client = await RawClient.open(server.port);
      client.send(frame);
      assert.deepEqual(summarize(await client.untilClosed()), [`close ${close}`], `case ${i}`);
      const ofThisConnection = (line: string) => line.includes(`"connection":${i + 1},`) && line.includes('"direction"');
      await server.waitForLine((line) => ofThisConnection(line) && line.includes('"direction":"out"'));
      const lines = server.lines.filter(ofThisConnection).map((line) => JSON.parse(line));
      assert.deepEqual(lines.map((l) => l.direction), ['in', 'out'], `case ${i}`);
      for (const [field, value] of Object.entries(expect)) assert.equal(lines[0][field], value, `case ${i}: ${field}`);
      assert.equal(lines[1].opcode, '0x8');
    }
  } finally {
    await server.stop();
  }
});

test('SPEC §1: a bad --port exits 1 with a one-line message', async () => {
  // Decimal only, as PORT: no hex, signs or exponents.
  for (const bad of ['abc', '0x10', '-1', '1e3', '70000']) {
    assert.match(refusedStart({}, { entry: 'echo-server.js', args: ['--port', bad] }), /^echo-server: .*--port/, bad);
  }
});
