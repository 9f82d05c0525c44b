import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Receiver, ReceiverState, type ReceiverOptions } from '../../src/ws/receiver.js';
import { WebSocketError } from '../../src/ws/errors.js';
import { binary, closeFrame, clientFrame, cont, OP, ping, pong, text } from './helpers/frames.js';

type Event =
  | { type: 'message'; data: string; binary: boolean }
  | { type: 'ping' | 'pong'; data: string }
  | { type: 'close'; code: number; reason: string }
  | { type: 'error'; code: string; closeCode: number };

const LIMITS: ReceiverOptions = { maxMessageSize: 1 << 20, maxFragments: 16 };

/** Feeds `chunks` (copies: the receiver unmasks in place) and records every event. */
function run(chunks: Buffer[], options: ReceiverOptions = LIMITS): { events: Event[]; receiver: Receiver } {
  const events: Event[] = [];
  const receiver = new Receiver(options, {
    onMessage: (data, isBinary) => events.push({ type: 'message', data: isBinary ? data.toString('hex') : data.toString('utf8'), binary: isBinary }),
    onPing: (p) => events.push({ type: 'ping', data: p.toString('hex') }),
    onPong: (p) => events.push({ type: 'pong', data: p.toString('hex') }),
    onClose: (code, reason) => events.push({ type: 'close', code, reason }),
    onError: (e: WebSocketError) => events.push({ type: 'error', code: e.code, closeCode: e.closeCode }),
  });
  for (const chunk of chunks) receiver.write(Buffer.from(chunk));
  return { events, receiver };
}

const hex = (s: string) => Buffer.from(s).toString('hex');

/** A stream that visits every state: 7-bit, 16-bit and 64-bit lengths, masks, fragments, controls. */
const STREAM: { name: string; bytes: Buffer; expected: Event[] }[] = [
  { name: '7-bit text', bytes: text('Hello'), expected: [{ type: 'message', data: 'Hello', binary: false }] },
  { name: 'empty text', bytes: text(''), expected: [{ type: 'message', data: '', binary: false }] },
  {
    name: '16-bit binary (200 bytes)',
    bytes: binary(Buffer.alloc(200, 0xab)),
    expected: [{ type: 'message', data: Buffer.alloc(200, 0xab).toString('hex'), binary: true }],
  },
  {
    name: '64-bit length form (non-minimal, 10 bytes)',
    bytes: text('0123456789', { lengthForm: 64 }),
    expected: [{ type: 'message', data: '0123456789', binary: false }],
  },
  {
    name: 'fragmented text with a ping in the middle, é cut between fragments',
    bytes: Buffer.concat([
      text(Buffer.from([0x63, 0x61, 0x66, 0xc3]), { fin: false }),
      ping('hi'),
      cont(Buffer.from([0xa9, 0x21])),
    ]),
    expected: [
      { type: 'ping', data: hex('hi') },
      { type: 'message', data: 'café!', binary: false },
    ],
  },
  { name: 'unsolicited pong', bytes: pong('x'), expected: [{ type: 'pong', data: hex('x') }] },
  { name: 'close 1000 "bye"', bytes: closeFrame(1000, 'bye'), expected: [{ type: 'close', code: 1000, reason: 'bye' }] },
];

for (const { name, bytes, expected } of STREAM) {
  test(`RFC 6455 §5.2: ${name} is received identically when split at every byte offset`, () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { events } = run([bytes.subarray(0, cut), bytes.subarray(cut)]);
      assert.deepEqual(events, expected, `split at ${cut}`);
    }
  });
  test(`RFC 6455 §5.2: ${name} is received identically one byte at a time`, () => {
    const bytes1 = [...bytes].map((b) => Buffer.from([b]));
    assert.deepEqual(run(bytes1).events, expected);
  });
}

test('RFC 6455 §5.2: the whole stream in one chunk yields every event in order', () => {
  const all = Buffer.concat(STREAM.map((s) => s.bytes));
  assert.deepEqual(run([all]).events, STREAM.flatMap((s) => s.expected));
});

test('RFC 6455 §5.2: two frames split at every pair of offsets', () => {
  const bytes = Buffer.concat([text('ab', { fin: false }), cont('cd')]);
  for (let i = 0; i <= bytes.length; i++) {
    for (let j = i; j <= bytes.length; j++) {
      const { events } = run([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]);
      assert.deepEqual(events, [{ type: 'message', data: 'abcd', binary: false }], `cuts ${i},${j}`);
    }
  }
});

const FAILURES: { name: string; bytes: Buffer[]; code: string; closeCode: number; before?: Event[] }[] = [
  { name: '§5.1: an unmasked client frame fails with 1002', bytes: [text('x', { mask: false })], code: 'unmasked_frame', closeCode: 1002 },
  { name: '§5.2: RSV1 without an extension fails with 1002', bytes: [text('x', { rsv: 4 })], code: 'reserved_bits', closeCode: 1002 },
  { name: '§5.2: RSV3 on a ping fails with 1002', bytes: [ping('', { rsv: 1 })], code: 'reserved_bits', closeCode: 1002 },
  { name: '§5.2: reserved opcode 0x3 fails with 1002', bytes: [clientFrame({ opcode: 3 })], code: 'reserved_opcode', closeCode: 1002 },
  { name: '§5.2: reserved opcode 0xB fails with 1002', bytes: [clientFrame({ opcode: 0xb })], code: 'reserved_opcode', closeCode: 1002 },
  { name: '§5.5: a 126-byte ping fails with 1002', bytes: [ping(Buffer.alloc(126))], code: 'control_frame_too_long', closeCode: 1002 },
  { name: '§5.5: a fragmented ping fails with 1002', bytes: [ping('a', { fin: false })], code: 'fragmented_control_frame', closeCode: 1002 },
  { name: '§5.4: a continuation without a start fails with 1002', bytes: [cont('x')], code: 'unexpected_continuation', closeCode: 1002 },
  {
    name: '§5.4: a new text frame inside a fragmented message fails with 1002',
    bytes: [text('a', { fin: false }), text('b')],
    code: 'expected_continuation',
    closeCode: 1002,
  },
  {
    name: '§5.2: a 64-bit length with its most significant bit set fails with 1002',
    bytes: [clientFrame({ opcode: OP.BINARY, claimedLength: 1n << 63n, lengthForm: 64 }).subarray(0, 10)],
    code: 'length_high_bit',
    closeCode: 1002,
  },
  { name: '§8.1: invalid UTF-8 in a text message fails with 1007', bytes: [text(Buffer.from([0x61, 0xff]))], code: 'invalid_utf8', closeCode: 1007 },
  {
    name: '§8.1: a text message ending inside a code point fails with 1007',
    bytes: [text(Buffer.from([0xe2, 0x82]))],
    code: 'invalid_utf8',
    closeCode: 1007,
  },
  { name: '§5.5.1: a 1-byte close payload fails with 1002', bytes: [clientFrame({ opcode: OP.CLOSE, payload: Buffer.from([3]) })], code: 'invalid_close_payload', closeCode: 1002 },
  { name: '§7.4: close code 1005 on the wire fails with 1002', bytes: [closeFrame(1005)], code: 'invalid_close_code', closeCode: 1002 },
  { name: '§7.4: close code 999 fails with 1002', bytes: [closeFrame(999)], code: 'invalid_close_code', closeCode: 1002 },
  { name: '§7.4: close code 5000 fails with 1002', bytes: [closeFrame(5000)], code: 'invalid_close_code', closeCode: 1002 },
  {
    name: '§5.5.1: invalid UTF-8 in a close reason fails with 1007',
    bytes: [closeFrame(1000, Buffer.from([0xce, 0xba, 0xe1, 0xbd]))],
    code: 'invalid_utf8',
    closeCode: 1007,
  },
];

for (const { name, bytes, code, closeCode } of FAILURES) {
  test(`RFC 6455 ${name}`, () => {
    const { events, receiver } = run(bytes);
    assert.deepEqual(events.at(-1), { type: 'error', code, closeCode });
    assert.equal(events.filter((e) => e.type === 'error').length, 1);
    assert.equal(receiver.state, ReceiverState.CLOSED);
  });
}

test('RFC 6455 §8.1: invalid UTF-8 fails on the chunk that holds it, before the frame is complete', () => {
  const frame = text(Buffer.concat([Buffer.from('valid'), Buffer.from([0xc0, 0xaf]), Buffer.alloc(1000, 0x61)]));
  const headerAndBad = frame.subarray(0, 2 + 2 + 4 + 7); // 16-bit header, key, "valid", the two bad bytes
  const { events } = run([headerAndBad]);
  assert.deepEqual(events, [{ type: 'error', code: 'invalid_utf8', closeCode: 1007 }]);
});

test('limits: a frame announcing more than maxMessageSize fails with 1009 before any payload arrives', () => {
  const header = clientFrame({ opcode: OP.BINARY, claimedLength: 1025, lengthForm: 16 }).subarray(0, 4);
  const { events } = run([header], { maxMessageSize: 1024, maxFragments: 16 });
  assert.deepEqual(events, [{ type: 'error', code: 'message_too_big', closeCode: 1009 }]);
});

test('limits: fragments adding up past maxMessageSize fail with 1009 at the fragment that crosses it', () => {
  const { events } = run([text('a'.repeat(600), { fin: false }), cont('b'.repeat(600))], { maxMessageSize: 1024, maxFragments: 16 });
  assert.deepEqual(events, [{ type: 'error', code: 'message_too_big', closeCode: 1009 }]);
});

test('limits: a message of exactly maxMessageSize is accepted', () => {
  const { events } = run([binary(Buffer.alloc(1024))], { maxMessageSize: 1024, maxFragments: 16 });
  assert.equal(events.length, 1);
  assert.equal(events[0]!.type, 'message');
});

test('limits: more than maxFragments frames in one message fail with 1008', () => {
  const frames = [text('a', { fin: false }), cont('b', { fin: false }), cont('c', { fin: false }), cont('d')];
  assert.deepEqual(run(frames, { maxMessageSize: 1024, maxFragments: 3 }).events, [{ type: 'error', code: 'too_many_fragments', closeCode: 1008 }]);
  assert.deepEqual(run([frames[0]!, frames[1]!, cont("x")], { maxMessageSize: 1024, maxFragments: 3 }).events, [
    { type: 'message', data: 'abx', binary: false },
  ]);
});

test('RFC 6455 §7.1.5: a close frame with no body reports 1005', () => {
  assert.deepEqual(run([closeFrame()]).events, [{ type: 'close', code: 1005, reason: '' }]);
});

test('RFC 6455 §5.5.1: nothing is read after a close frame', () => {
  assert.deepEqual(run([Buffer.concat([closeFrame(1000), text('late'), ping('late')])]).events, [{ type: 'close', code: 1000, reason: '' }]);
});

test('memory: announcing 16 MiB and trickling bytes reserves about what arrived, not 16 MiB', () => {
  const announced = 16 * 1024 * 1024;
  const header = clientFrame({ opcode: OP.BINARY, claimedLength: announced, payload: Buffer.alloc(0) });
  const before = process.memoryUsage().arrayBuffers;
  const { events, receiver } = run([header, ...Array.from({ length: 200 }, () => Buffer.from([0x61]))], { maxMessageSize: announced, maxFragments: 1 });
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.deepEqual(events, []);
  assert.equal(receiver.state, ReceiverState.READ_PAYLOAD);
  assert.ok(grown < 1024 * 1024, `grew by ${grown} bytes for 200 received`);
});

test('memory: a large payload arriving one byte at a time is reassembled correctly', () => {
  const payload = Buffer.alloc(5000);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
  const frame = binary(payload);
  const { events } = run([...frame].map((b) => Buffer.from([b])));
  assert.deepEqual(events, [{ type: 'message', data: payload.toString('hex'), binary: true }]);
});
