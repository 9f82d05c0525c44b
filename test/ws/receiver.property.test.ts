import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Receiver } from '../../src/ws/receiver.js';
import { clientFrame, OP } from './helpers/frames.js';

interface Msg {
  binary: boolean;
  payload: Uint8Array;
  /** Fragment size (0 = one frame). */
  fragment: number;
  /** Insert a ping after the first fragment. */
  ping: boolean;
}

const message = fc.record({
  binary: fc.boolean(),
  payload: fc.uint8Array({ maxLength: 300 }),
  fragment: fc.integer({ min: 0, max: 64 }),
  ping: fc.boolean(),
});

/** Text payloads must be UTF-8: use the bytes of a string built from them. */
function payloadOf(m: Msg): Buffer {
  return m.binary ? Buffer.from(m.payload) : Buffer.from(Buffer.from(m.payload).toString('latin1'), 'utf8');
}

function encode(m: Msg): Buffer[] {
  const payload = payloadOf(m);
  const opcode = m.binary ? OP.BINARY : OP.TEXT;
  if (m.fragment === 0 || payload.length <= m.fragment) return [clientFrame({ opcode, payload })];
  const frames: Buffer[] = [];
  for (let at = 0; at < payload.length; at += m.fragment) {
    const end = Math.min(at + m.fragment, payload.length);
    frames.push(clientFrame({ opcode: at === 0 ? opcode : OP.CONT, payload: payload.subarray(at, end), fin: end === payload.length }));
    if (at === 0 && m.ping) frames.push(clientFrame({ opcode: OP.PING, payload: 'p' }));
  }
  return frames;
}

test('property: any sequence of messages, framed and cut into random chunks, is received as exactly the same messages', () => {
  fc.assert(
    fc.property(fc.array(message, { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }), (messages, cuts) => {
      const stream = Buffer.concat(messages.flatMap(encode));
      const received: { binary: boolean; payload: string }[] = [];
      let errors = 0;
      const receiver = new Receiver(
        { maxMessageSize: 1 << 20, maxFragments: 1000 },
        {
          onMessage: (data, binary) => received.push({ binary, payload: data.toString('hex') }),
          onPing: () => {},
          onPong: () => {},
          onClose: () => {},
          onError: () => errors++,
        },
      );
      let at = 0;
      for (let i = 0; at < stream.length; i++) {
        const size = cuts[i % cuts.length]!;
        receiver.write(Buffer.from(stream.subarray(at, at + size)));
        at += size;
      }
      assert.equal(errors, 0);
      assert.deepEqual(
        received,
        messages.map((m) => ({ binary: m.binary, payload: payloadOf(m).toString('hex') })),
      );
    }),
    { numRuns: 300 },
  );
});
