/**
 * Conformance, Autobahn TestSuite family 5 (fragmentation, RFC 6455 §5.4) and 10
 * (arbitrary fragmentation of a large message), against the built echo server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeFrame, cont, clientFrame, fragmented, OP, ping, pong, text } from './helpers/frames.js';
import { exchange, outcome, tick, useEchoServer } from './helpers/echo.js';
import type { RawClient } from './helpers/raw-client.js';

const server = useEchoServer();
const port = () => server().port;

type Mode = 'one write' | 'frame-wise' | 'byte-wise';
const MODES: Mode[] = ['one write', 'frame-wise', 'byte-wise'];

async function sendAll(c: RawClient, frames: Buffer[], mode: Mode): Promise<void> {
  if (mode === 'one write') c.send(Buffer.concat(frames));
  else if (mode === 'byte-wise') await c.sendInPieces(Buffer.concat(frames), 1);
  else
    for (const frame of frames) {
      c.send(frame);
      await tick();
    }
}

test('Autobahn 5.1: RFC 6455 §5.5: a ping in two fragments fails with 1002', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(ping('fragment1', { fin: false }), cont('fragment2'))), ['close 1002']);
});
test('Autobahn 5.2: a pong in two fragments fails with 1002', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(pong('fragment1', { fin: false }), cont('fragment2'))), ['close 1002']);
});
for (const mode of MODES) {
  test(`Autobahn 5.3-5.5: a text message in two fragments (${mode}) is echoed whole`, async () => {
    const frames = await outcome(port(), (c) => sendAll(c, [text('fragment1', { fin: false }), cont('fragment2'), closeFrame(1000)], mode));
    assert.deepEqual(frames, ['text "fragment1fragment2"', 'close 1000']);
  });
  test(`Autobahn 5.6-5.8: a ping between two fragments (${mode}) is answered first, then the message`, async () => {
    const frames = await outcome(port(), (c) =>
      sendAll(c, [text('fragment1', { fin: false }), ping('pongme!'), cont('fragment2'), closeFrame(1000)], mode),
    );
    assert.deepEqual(frames, ['pong 7B', 'text "fragment1fragment2"', 'close 1000']);
  });
  test(`Autobahn 5.9-5.11: a continuation with FIN and nothing to continue (${mode}) fails with 1002`, async () => {
    const frames = await outcome(port(), (c) => sendAll(c, [cont('non-continuation payload'), text('Hello, world!')], mode));
    assert.deepEqual(frames, ['close 1002']);
  });
  test(`Autobahn 5.12-5.14: a continuation without FIN and nothing to continue (${mode}) fails with 1002`, async () => {
    const frames = await outcome(port(), (c) => sendAll(c, [cont('non-continuation payload', { fin: false }), text('Hello, world!')], mode));
    assert.deepEqual(frames, ['close 1002']);
  });
}
test('Autobahn 5.15: a message completed, then a continuation and a new text frame out of order, fails with 1002 after the echo', async () => {
  const frames = await outcome(port(), (c) =>
    c.send(text('fragment1', { fin: false }), cont('fragment2'), cont('fragment3', { fin: false }), text('fragment4')),
  );
  assert.deepEqual(frames, ['text "fragment1fragment2"', 'close 1002']);
});
test('Autobahn 5.16/5.17: a message starting with continuations fails with 1002', async () => {
  const frames = await outcome(port(), (c) => c.send(cont('fragment1', { fin: false }), cont('fragment2'), text('fragment3', { fin: false }), cont('fragment4')));
  assert.deepEqual(frames, ['close 1002']);
});
test('Autobahn 5.18: RFC 6455 §5.4: a text frame inside a fragmented text message fails with 1002', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(text('fragment1', { fin: false }), text('fragment2'))), ['close 1002']);
});
test('Autobahn 5.19/5.20: five fragments with pings between, sent with pauses, give the pongs then the whole message', async () => {
  const frames = await outcome(port(), async (c) => {
    c.send(text('fragment1', { fin: false }), cont('fragment2', { fin: false }), ping('pongme 1!'));
    await c.framesAtLeast(1);
    c.send(cont('fragment3', { fin: false }), cont('fragment4', { fin: false }), ping('pongme 2!'));
    await c.framesAtLeast(2);
    c.send(cont('fragment5'), closeFrame(1000));
  });
  assert.deepEqual(frames, ['pong 9B', 'pong 9B', 'text "fragment1fragment2fragment3fragment4fragment5"', 'close 1000']);
});
test('RFC 6455 §5.4: an empty first fragment and empty continuations make one message', async () => {
  const frames = await outcome(port(), (c) => c.send(text('', { fin: false }), cont('', { fin: false }), cont('x'), closeFrame(1000)));
  assert.deepEqual(frames, ['text "x"', 'close 1000']);
});
test('RFC 6455 §5.4: a binary message in fragments is echoed as binary', async () => {
  const payload = Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const frames = await exchange(port(), (c) => c.send(...fragmented(OP.BINARY, payload, 3), closeFrame(1000)));
  assert.equal(frames[0]!.opcode, OP.BINARY);
  assert.ok(frames[0]!.payload.equals(payload));
});

// Family 10: a message cut into arbitrary fragments comes back whole.
test('Autobahn 10.1.1: a 65536-byte text message in 1300-byte fragments is echoed whole', async () => {
  const payload = Buffer.alloc(65536, '*');
  const frames = await exchange(port(), (c) => c.send(...fragmented(OP.TEXT, payload, 1300), closeFrame(1000)));
  assert.equal(frames.length, 2);
  assert.equal(frames[0]!.opcode, OP.TEXT);
  assert.ok(frames[0]!.payload.equals(payload));
});
test('Autobahn 10: a fragmented message with the fragment headers themselves split across writes is echoed whole', async () => {
  const payload = Buffer.alloc(10000, 'z');
  const frames = await exchange(port(), async (c) => {
    await c.sendInPieces(Buffer.concat(fragmented(OP.TEXT, payload, 777)), 333);
    c.send(closeFrame(1000));
  });
  assert.ok(frames[0]!.payload.equals(payload));
});
test('RFC 6455 §5.2: a frame with a non-minimal 64-bit length is accepted (our lenient policy)', async () => {
  const frames = await outcome(port(), (c) => c.send(clientFrame({ opcode: OP.TEXT, payload: 'abc', lengthForm: 64 }), closeFrame(1000)));
  assert.deepEqual(frames, ['text "abc"', 'close 1000']);
});
