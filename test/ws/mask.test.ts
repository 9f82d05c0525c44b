import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMask } from '../../src/ws/mask.js';
import { SIMD_SCRATCH_BYTES, xorInPlace } from '../../src/ws/mask-simd.js';

const KEY = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

/** RFC 6455 §5.3 as written: octet i XOR key octet (i + offset) mod 4, into a new buffer. */
function maskedByDefinition(original: Uint8Array, key: Uint8Array, keyOffset = 0): Buffer {
  return Buffer.from(original.map((byte, i) => byte ^ key[(i + keyOffset) % 4]!));
}

function pattern(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 89 + (i >> 8)) & 0xff;
  return bytes;
}

test('RFC 6455 §5.3: unmasking in pieces at any offset and alignment equals unmasking byte by byte', () => {
  // 700 bytes use the word loop, 5000 the SIMD path, 140000 the SIMD path across scratch pieces.
  for (const length of [700, 5000, 140_000]) {
    const original = pattern(length);
    const expected = maskedByDefinition(original, KEY);
    for (const start of [0, 1, 2, 3, 5]) {
      const cuts = [0, 1, 130, 131, 333, 1025, length - 1030, length - start].filter((cut) => cut >= 0 && cut <= length);
      for (const cut of cuts) {
        const copy = Buffer.alloc(length + 8);
        const data = copy.subarray(start, start + length); // varies the alignment
        original.copy(data);
        applyMask(data.subarray(0, cut), KEY, 0);
        applyMask(data.subarray(cut), KEY, cut & 3);
        assert.ok(data.equals(expected), `length ${length} start ${start} cut ${cut}`);
      }
    }
  }
});

test('every payload length from 0 to 2100 unmasks like the definition, at every key offset', () => {
  for (let length = 0; length <= 2100; length++) {
    const original = pattern(length);
    const offset = length & 3;
    const data = Buffer.from(original);
    applyMask(data, KEY, offset);
    assert.ok(data.equals(maskedByDefinition(original, KEY, offset)), `length ${length}`);
  }
});

test('the WebAssembly SIMD kernel is available here, and XORs exactly the bytes it is given', () => {
  assert.ok(xorInPlace, 'WebAssembly SIMD is missing: only the JavaScript loop would be tested');
  const keyWord = KEY.readInt32LE(0);
  // Lengths that end inside a 16-byte block, and one that fills the scratch area exactly.
  for (const length of [1, 15, 16, 17, 31, 1000, SIMD_SCRATCH_BYTES]) {
    const around = Buffer.alloc(length + 64, 0xee);
    const data = around.subarray(32, 32 + length);
    const original = pattern(length);
    original.copy(data);
    xorInPlace(data, keyWord);
    assert.ok(data.equals(maskedByDefinition(original, KEY)), `length ${length}`);
    assert.ok(around.subarray(0, 32).every((b) => b === 0xee) && around.subarray(32 + length).every((b) => b === 0xee), `length ${length}: neighbours untouched`);
  }
});
