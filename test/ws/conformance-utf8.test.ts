/**
 * Conformance, Autobahn TestSuite family 6 (UTF-8 handling, RFC 6455 §8.1), against the
 * built echo server: valid text is echoed however it is cut; invalid text fails with 1007,
 * as soon as the first invalid byte arrives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeFrame, cont, fragmented, OP, text } from './helpers/frames.js';
import { exchange, outcome, useEchoServer } from './helpers/echo.js';

const server = useEchoServer();
const port = () => server().port;

/** After Markus Kuhn's stress test, as Autobahn 6.x uses it. */
const VALID: [string, string][] = [
  ['6.2: Hello-µ@ßöäüàá-UTF-8!!', Buffer.from('Hello-µ@ßöäüàá-UTF-8!!').toString('hex')],
  ['6.5: κόσμε', 'cebae1bdb9cf83cebcceb5'],
  ['6.7: first code point of each length', '00c280e0a080f0908080'],
  ['6.8: last code point of each length', '7fdfbfefbfbff48fbfbf'],
  ['6.9: other boundaries', 'ed9fbfee8080efbfbdf48fbfbf'],
  ['6.22: noncharacters U+FFFE U+FFFF U+10FFFE', 'efbfbeefbfbff48fbfbe'],
  ['6.23: U+FFFD', 'efbfbd'],
];
const INVALID: [string, string][] = [
  ['6.3: κόσμε with a surrogate, then "edited"', 'cebae1bdb9cf83cebcceb5eda080656469746564'],
  ['6.8: U+110000', 'f4908080'],
  ['6.8: five-byte form', 'f888808080'],
  ['6.12: unexpected continuation bytes', '80bf'],
  ['6.13: lonely start characters', 'c020c120'],
  ['6.14: sequence with last byte missing', 'e08061'],
  ['6.15: concatenated incomplete sequences', 'c0e080f08080'],
  ['6.16: impossible bytes fe ff', 'feff'],
  ['6.17: overlong ASCII "/"', 'e080af'],
  ['6.18: maximum overlong', 'f08fbfbf'],
  ['6.19: overlong NUL', 'c080'],
  ['6.20: single surrogate U+DB7F', 'edadbf'],
  ['6.21: paired surrogates U+D800 U+DC00', 'eda080edb080'],
  ['truncated at the end of the message', '61e282'],
];

for (const [name, hex] of VALID) {
  const bytes = Buffer.from(hex, 'hex');
  test(`Autobahn ${name} is echoed in one frame, one fragment per byte, and byte-wise`, async () => {
    for (const frames of [[text(bytes)], fragmented(OP.TEXT, bytes, 1)]) {
      const got = await exchange(port(), (c) => c.send(...frames, closeFrame(1000)));
      assert.equal(got.length, 2);
      assert.ok(got[0]!.payload.equals(bytes));
    }
    const got = await exchange(port(), async (c) => {
      await c.sendInPieces(text(bytes), 1);
      c.send(closeFrame(1000));
    });
    assert.ok(got[0]!.payload.equals(bytes));
  });
}

for (const [name, hex] of INVALID) {
  const bytes = Buffer.from(hex, 'hex');
  test(`Autobahn ${name}: fails with 1007, in one frame and one fragment per byte`, async () => {
    assert.deepEqual(await outcome(port(), (c) => c.send(text(bytes))), ['close 1007']);
    assert.deepEqual(await outcome(port(), (c) => c.send(...fragmented(OP.TEXT, bytes, 1))), ['close 1007']);
  });
}

const GOOD = Buffer.from('cebae1bdb9cf83cebcceb5', 'hex');
const BAD = Buffer.from('f4908080', 'hex');

test('Autobahn 6.4.1: fail fast — a bad second fragment fails with 1007 before the third is sent', async () => {
  assert.deepEqual(await outcome(port(), (c) => c.send(text(GOOD, { fin: false }), cont(BAD, { fin: false }))), ['close 1007']);
});
test('Autobahn 6.4.2: fail fast — a sequence cut between fragments and then broken fails with 1007', async () => {
  const frames = [text(Buffer.concat([GOOD, BAD.subarray(0, 1)]), { fin: false }), cont(BAD.subarray(1, 2), { fin: false })];
  assert.deepEqual(await outcome(port(), (c) => c.send(...frames)), ['close 1007']);
});
test('Autobahn 6.4.3/6.4.4: fail fast — inside one frame, 1007 arrives before the rest of the frame is sent', async () => {
  const frame = text(Buffer.concat([GOOD, BAD, Buffer.from('edited')]));
  const upToBad = 2 + 4 + GOOD.length + 2; // header, key, the valid part, F4 90
  assert.deepEqual(await outcome(port(), (c) => c.send(frame.subarray(0, upToBad))), ['close 1007']);
  assert.deepEqual(await outcome(port(), (c) => c.sendInPieces(frame.subarray(0, upToBad), 1)), ['close 1007']);
});
