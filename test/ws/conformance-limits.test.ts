/**
 * Conformance, Autobahn TestSuite family 9 (large messages, within a time budget) and the
 * echo server's 16 MiB limit (SPEC §1), against the built echo server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binary, clientFrame, closeFrame, fragmented, OP, text } from './helpers/frames.js';
import { exchange, outcome, useEchoServer } from './helpers/echo.js';

const server = useEchoServer();
const port = () => server().port;
const MiB = 1024 * 1024;
/** Each case must finish in this time on a shared two-core machine. */
const BUDGET_MS = 10_000;

function pattern(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i += 4096) b.fill(0x41 + ((i / 4096) % 26), i, Math.min(i + 4096, size));
  return b;
}

async function timed<T>(run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await run();
  const elapsed = performance.now() - start;
  assert.ok(elapsed < BUDGET_MS, `took ${elapsed.toFixed(0)} ms, budget ${BUDGET_MS} ms`);
  return result;
}

for (const [family, op, size] of [
  ['9.1.1', OP.TEXT, 64 * 1024],
  ['9.1.3', OP.TEXT, MiB],
  ['9.1.6', OP.TEXT, 16 * MiB],
  ['9.2.1', OP.BINARY, 64 * 1024],
  ['9.2.3', OP.BINARY, MiB],
  ['9.2.6', OP.BINARY, 16 * MiB],
] as const) {
  test(`Autobahn ${family}: a ${size / 1024} KiB ${op === OP.TEXT ? 'text' : 'binary'} message is echoed within the time budget`, async () => {
    const payload = pattern(size);
    const frames = await timed(() => exchange(port(), (c) => c.send(clientFrame({ opcode: op, payload }), closeFrame(1000)), BUDGET_MS));
    assert.equal(frames.length, 2);
    assert.equal(frames[0]!.opcode, op);
    assert.ok(frames[0]!.payload.equals(payload));
  });
}

for (const [family, op, fragment] of [
  ['9.3.1', OP.TEXT, 64],
  ['9.3.5', OP.TEXT, 4096],
  ['9.3.9', OP.TEXT, 4 * MiB],
  ['9.4.1', OP.BINARY, 64],
  ['9.4.7', OP.BINARY, 256 * 1024],
] as const) {
  test(`Autobahn ${family}: a 4 MiB ${op === OP.TEXT ? 'text' : 'binary'} message in ${fragment}-byte fragments is echoed whole`, async () => {
    const payload = pattern(4 * MiB);
    const frames = await timed(() => exchange(port(), (c) => c.send(Buffer.concat(fragmented(op, payload, fragment)), closeFrame(1000)), BUDGET_MS));
    assert.equal(frames.length, 2);
    assert.ok(frames[0]!.payload.equals(payload));
  });
}

test('Autobahn 9.5/9.6: a 1 MiB message written in 1 KiB chops is echoed', async () => {
  const payload = pattern(MiB);
  const frames = await timed(() =>
    exchange(
      port(),
      async (c) => {
        await c.sendInPieces(binary(payload), 1024);
        c.send(closeFrame(1000));
      },
      BUDGET_MS,
    ),
  );
  assert.ok(frames[0]!.payload.equals(payload));
});

test('Autobahn 9.7: 1000 sequential round trips of a small text message', async () => {
  const frames = await timed(() =>
    exchange(
      port(),
      async (c) => {
        for (let i = 0; i < 1000; i++) {
          c.send(text(`Hello ${i}`));
          await c.framesAtLeast(i + 1);
        }
        c.send(closeFrame(1000));
      },
      BUDGET_MS,
    ),
  );
  assert.equal(frames.length, 1001);
  assert.equal(frames[999]!.payload.toString(), 'Hello 999');
});

test('SPEC §1: a message of 16 MiB + 1 byte is refused with 1009 as soon as its length is known', async () => {
  const header = clientFrame({ opcode: OP.BINARY, claimedLength: 16 * MiB + 1 }).subarray(0, 14);
  assert.deepEqual(await outcome(port(), (c) => c.send(header)), ['close 1009']);
});

test('SPEC §1: fragments adding up to 16 MiB + 1 byte are refused with 1009 at the crossing fragment', async () => {
  const first = clientFrame({ opcode: OP.BINARY, payload: Buffer.alloc(8 * MiB), fin: false });
  const second = clientFrame({ opcode: OP.CONT, claimedLength: 8 * MiB + 1 }).subarray(0, 14);
  assert.deepEqual(await outcome(port(), (c) => c.send(first, second), BUDGET_MS), ['close 1009']);
});

test('parser hardening: more than 65536 fragments in one message are refused with 1008', async () => {
  const tiny = clientFrame({ opcode: OP.CONT, payload: 'a', fin: false });
  const frames = [clientFrame({ opcode: OP.TEXT, payload: 'a', fin: false }), ...Array.from({ length: 65536 }, () => tiny)];
  assert.deepEqual(await outcome(port(), (c) => c.send(Buffer.concat(frames)), BUDGET_MS), ['close 1008']);
});
