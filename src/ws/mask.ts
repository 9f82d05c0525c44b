/**
 * Masking (RFC 6455 §5.3): "Octet i of the transformed data … is the XOR of octet i of the
 * original data … with octet at index i modulo 4 of the masking key". Applying it twice
 * restores the data, so the same function masks and unmasks, in place.
 */

import { endianness } from 'node:os';

/** Performance: below this size the plain byte loop is as fast as setting up a word view. */
const WORD_LOOP_THRESHOLD = 128;
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * XORs `data` in place with `key`, as if `data` started at byte `keyOffset` of a longer
 * payload (so a payload unmasked chunk by chunk comes out right).
 */
export function applyMask(data: Uint8Array, key: Uint8Array, keyOffset = 0): void {
  const length = data.length;
  let i = 0;
  if (length >= WORD_LOOP_THRESHOLD) {
    // Performance trick (not essential): XOR 32 bits at a time. Typed-array views must be
    // 4-byte aligned, so walk byte by byte up to an aligned address first.
    const misalignment = (4 - (data.byteOffset & 3)) & 3;
    for (; i < misalignment; i++) data[i]! ^= key[(i + keyOffset) & 3]!;
    // The key, rotated to start at this byte, as one 32-bit word in native byte order
    // (signed, like the Int32Array it is XORed into, so V8 stays in 32-bit integers).
    const k0 = key[(i + keyOffset) & 3]!;
    const k1 = key[(i + 1 + keyOffset) & 3]!;
    const k2 = key[(i + 2 + keyOffset) & 3]!;
    const k3 = key[(i + 3 + keyOffset) & 3]!;
    const keyWord = LITTLE_ENDIAN ? k0 | (k1 << 8) | (k2 << 16) | (k3 << 24) : (k0 << 24) | (k1 << 16) | (k2 << 8) | k3;
    const words = (length - i) >>> 2;
    const view = new Int32Array(data.buffer, data.byteOffset + i, words);
    // Four words per turn: about a quarter less time than one (measured on 4 KiB payloads).
    let w = 0;
    for (; w + 4 <= words; w += 4) {
      view[w]! ^= keyWord;
      view[w + 1]! ^= keyWord;
      view[w + 2]! ^= keyWord;
      view[w + 3]! ^= keyWord;
    }
    for (; w < words; w++) view[w]! ^= keyWord;
    i += words * 4;
  }
  for (; i < length; i++) data[i]! ^= key[(i + keyOffset) & 3]!;
}
