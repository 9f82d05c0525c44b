/**
 * Conformance, Autobahn TestSuite family 7 (the closing handshake, RFC 6455 §5.5.1, §7),
 * against the built echo server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientFrame, closeFrame, cont, OP, ping, text } from './helpers/frames.js';
import { exchange, outcome, useEchoServer } from './helpers/echo.js';

const server = useEchoServer();
const port = () => server().port;

test('Autobahn 7.1.1: text then close: the echo, then the close is echoed and the server closes TCP', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(text('Hello World!'), closeFrame(1000))), ['text "Hello World!"', 'close 1000']);
});
test('Autobahn 7.1.2: two close frames get one close back', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(closeFrame(1000), closeFrame(1000))), ['close 1000']);
});
test('Autobahn 7.1.3: RFC 6455 §5.5.1: a ping after a close is not answered', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(closeFrame(1000), ping('Hello World!'))), ['close 1000']);
});
test('Autobahn 7.1.4: a text message after a close is not echoed', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(closeFrame(1000), text('Hello World!'))), ['close 1000']);
});
test('Autobahn 7.1.5: a close between two fragments ends the connection without an echo', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(text('fragment1', { fin: false }), closeFrame(1000), cont('fragment2'))), ['close 1000']);
});
test('Autobahn 7.1.6: a large message, a small one and a close: both echoed, then the close', async () => {
  const big = Buffer.alloc(256 * 1024, 'B');
  const frames = await exchange(port(), (c) => c.send(text(big), text('Hello World!'), closeFrame(1000)));
  assert.deepEqual(frames.map((f) => f.opcode), [OP.TEXT, OP.TEXT, OP.CLOSE]);
  assert.ok(frames[0]!.payload.equals(big));
});
test('Autobahn 7.3.1: RFC 6455 §5.5.1: a close without a body is answered by a close without a body', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(closeFrame())), ['close']);
});
test('Autobahn 7.3.2: a close with a 1-byte body fails with 1002', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(clientFrame({ opcode: OP.CLOSE, payload: Buffer.from([0x03]) }))), ['close 1002']);
});
test('Autobahn 7.3.3/7.3.4: close 1000 without and with a reason is echoed as 1000', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(closeFrame(1000))), ['close 1000']);
  assert.deepEqual(await outcome(port(), (c) => c.send(closeFrame(1000, 'Hello World!'))), ['close 1000']);
});
test('Autobahn 7.3.5: a close with a 123-byte reason (125-byte body) is echoed', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(closeFrame(1000, '*'.repeat(123)))), ['close 1000']);
});
test('Autobahn 7.3.6: RFC 6455 §5.5: a close with a 124-byte reason (126-byte body) fails with 1002', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(closeFrame(1000, '*'.repeat(124)))), ['close 1002']);
});
test('Autobahn 7.5.1: invalid UTF-8 in the close reason fails with 1007', async () => {
  const reason = Buffer.from('cebae1bdb9cf83cebcceb5eda080656469746564', 'hex');
  assert.deepEqual(await outcome(port(), (c) => c.send(closeFrame(1000, reason))), ['close 1007']);
});
for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4001, 4003, 4999]) {
  test(`Autobahn 7.7: RFC 6455 §7.4: valid close code ${code} is echoed`, async () => {
    assert.deepEqual(await outcome(port(), (c) => c.send(closeFrame(code))), [`close ${code}`]);
  });
}
for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
  test(`Autobahn 7.9/7.13: RFC 6455 §7.4: invalid close code ${code} fails with 1002`, async () => {
    assert.deepEqual(await outcome(port(), (c) => c.send(closeFrame(code))), ['close 1002']);
  });
}
test('RFC 6455 §7.1.1: after the closing handshake the server closes TCP even if the client keeps it open', async () => {
  const frames = await exchange(port(), (c) => c.send(closeFrame(1000)), 2000);
  assert.equal(frames.length, 1);
});
