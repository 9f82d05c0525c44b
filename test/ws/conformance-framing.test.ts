/**
 * Conformance, Autobahn TestSuite families 1 (framing), 2 (pings/pongs), 3 (reserved bits)
 * and 4 (opcodes), over raw sockets against the built echo server. Each case asserts the
 * exact sequence of frames the server sends before it closes the TCP connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binary, clientFrame, closeFrame, OP, ping, pong, text } from './helpers/frames.js';
import { exchange, outcome, tick, useEchoServer } from './helpers/echo.js';

const server = useEchoServer();
const port = () => server().port;

// Family 1: text and binary messages of every length form boundary.
for (const size of [0, 125, 126, 127, 128, 65535, 65536]) {
  test(`Autobahn 1.1: a ${size}-byte text message is echoed as text, byte for byte`, async () => {
    const payload = Buffer.alloc(size, '*');
    const frames = await exchange(port(), (c) => c.send(text(payload), closeFrame(1000)));
    assert.equal(frames.length, 2);
    assert.equal(frames[0]!.opcode, OP.TEXT);
    assert.equal(frames[0]!.fin, true);
    assert.equal(frames[0]!.masked, false, 'RFC 6455 §5.1: a server MUST NOT mask');
    assert.ok(frames[0]!.payload.equals(payload));
    assert.deepEqual([frames[1]!.opcode, frames[1]!.payload.readUInt16BE(0)], [OP.CLOSE, 1000]);
  });
  test(`Autobahn 1.2: a ${size}-byte binary message is echoed as binary, byte for byte`, async () => {
    const payload = Buffer.alloc(size, 0xfe);
    const frames = await exchange(port(), (c) => c.send(binary(payload), closeFrame(1000)));
    assert.equal(frames[0]!.opcode, OP.BINARY);
    assert.ok(frames[0]!.payload.equals(payload));
    assert.equal(frames.length, 2);
  });
}

test('Autobahn 1.1.8: a 65536-byte text message sent in 997-byte chops is echoed', async () => {
  const payload = Buffer.alloc(65536, 'x');
  const frames = await exchange(port(), async (c) => {
    await c.sendInPieces(text(payload), 997);
    c.send(closeFrame(1000));
  });
  assert.ok(frames[0]!.payload.equals(payload));
});

// Family 2: pings and pongs (RFC 6455 §5.5.2, §5.5.3).
test('Autobahn 2.1: an empty ping is answered by an empty pong', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(ping(), closeFrame(1000))), ['pong 0B', 'close 1000']);
});
test('Autobahn 2.2/2.3: a ping with text or binary payload is answered by a pong with the same payload', async () => {
  const frames = await exchange(port(), (c) => c.send(ping('Hello, world!'), ping(Buffer.from([0, 0xff, 0xfe, 0xfd])), closeFrame(1000)));
  assert.equal(frames[0]!.opcode, OP.PONG);
  assert.equal(frames[0]!.payload.toString(), 'Hello, world!');
  assert.deepEqual([...frames[1]!.payload], [0, 0xff, 0xfe, 0xfd]);
  assert.equal(frames.length, 3);
});
test('Autobahn 2.4: a ping with a 125-byte payload is answered', async () => {
  const frames = await exchange(port(), (c) => c.send(ping(Buffer.alloc(125, 0xfe)), closeFrame(1000)));
  assert.ok(frames[0]!.payload.equals(Buffer.alloc(125, 0xfe)));
});
test('Autobahn 2.5: RFC 6455 §5.5: a 126-byte ping fails the connection with 1002', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(ping(Buffer.alloc(126, 0xfe)))), ['close 1002']);
});
test('Autobahn 2.6: a 125-byte ping sent one byte at a time is answered', async () => {
  const frames = await exchange(port(), async (c) => {
    await c.sendInPieces(ping(Buffer.alloc(125, 0xfe)), 1);
    c.send(closeFrame(1000));
  });
  assert.equal(frames[0]!.payload.length, 125);
  assert.equal(frames.length, 2);
});
test('Autobahn 2.7/2.8: an unsolicited pong is ignored', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(pong(), pong('unsolicited pong payload'), closeFrame(1000))), ['close 1000']);
});
test('Autobahn 2.9: an unsolicited pong then a ping gets exactly one pong', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(pong('unsolicited'), ping('ping payload'), closeFrame(1000))), ['pong 12B', 'close 1000']);
});
test('Autobahn 2.10/2.11: ten pings, in one write and byte-wise, get ten pongs in order', async () => {
  const pings = Array.from({ length: 10 }, (_, i) => ping(`payload-${i}`));
  for (const bytewise of [false, true]) {
    const frames = await exchange(port(), async (c) => {
      if (bytewise) await c.sendInPieces(Buffer.concat(pings), 1);
      else c.send(Buffer.concat(pings));
      c.send(closeFrame(1000));
    });
    assert.deepEqual(frames.slice(0, 10).map((f) => f.payload.toString()), pings.map((_, i) => `payload-${i}`));
    assert.equal(frames.length, 11);
  }
});

// Family 3: reserved bits (RFC 6455 §5.2: MUST be 0 without an extension).
test('Autobahn 3.1: a text frame with RSV1 fails with 1002', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(text('Hello', { rsv: 4 }))), ['close 1002']);
});
test('Autobahn 3.2: text echoed, then a text frame with RSV2 fails with 1002 and the ping after it is not answered', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(text('Hello'), text('Hello', { rsv: 2 }), ping())), ['text "Hello"', 'close 1002']);
});
test('Autobahn 3.3: the same with RSV3, frame by frame', async () => {
  const frames = await outcome(port(), async (c) => {
    c.send(text('Hello'));
    await c.framesAtLeast(1);
    c.send(text('Hello', { rsv: 1 }));
    c.send(ping());
  });
  assert.deepEqual(frames, ['text "Hello"', 'close 1002']);
});
test('Autobahn 3.4: RSV1+RSV2 sent byte-wise fails with 1002 after the echo', async () => {
  const frames = await outcome(port(), async (c) => {
    await c.sendInPieces(Buffer.concat([text('Hello'), text('Hello', { rsv: 6 }), ping()]), 1);
  });
  assert.deepEqual(frames, ['text "Hello"', 'close 1002']);
});
test('Autobahn 3.5-3.7: RSV bits on binary, ping and close frames fail with 1002', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(binary(Buffer.from([0, 1, 2]), { rsv: 5 }))), ['close 1002']);
  assert.deepEqual(await outcome(port(), (c) => c.send(ping('Hello', { rsv: 3 }))), ['close 1002']);
  assert.deepEqual(await outcome(port(), (c) => c.send(clientFrame({ opcode: OP.CLOSE, payload: Buffer.from([3, 0xe8]), rsv: 7 }))), ['close 1002']);
});

// Family 4: reserved opcodes (RFC 6455 §5.2: "MUST _Fail the WebSocket Connection_").
for (const opcode of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
  const family = opcode < 8 ? '4.1' : '4.2';
  test(`Autobahn ${family}: reserved opcode 0x${opcode.toString(16)} fails with 1002 after earlier frames were handled`, async () => {
    assert.deepEqual(await outcome(port(), (c) => c.send(clientFrame({ opcode }))), ['close 1002']);
    const frames = await outcome(port(), async (c) => {
      c.send(text('Hello'));
      await tick();
      c.send(clientFrame({ opcode, payload: 'reserved opcode payload' }), ping());
    });
    assert.deepEqual(frames, ['text "Hello"', 'close 1002']);
  });
}
