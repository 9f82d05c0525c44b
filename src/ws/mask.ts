/**
 * Masking (RFC 6455 §5.3): "octet i of the transformed data is the XOR of octet i of the
 * original data with octet at index i modulo 4 of the masking key". Applying it twice
 * restores the data, so the same function masks and unmasks, in place.
 */

/** Performance: below this size the plain byte loop is as fast as setting up word views. */
const WORD_LOOP_THRESHOLD = 32;

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
    const word = new Uint8Array(4);
    for (let j = 0; j < 4; j++) word[j] = key[(i + j + keyOffset) & 3]!;
    const keyWord = new Uint32Array(word.buffer)[0]!; // native byte order, same as the view below
    const words = (length - i) >>> 2;
    const view = new Uint32Array(data.buffer, data.byteOffset + i, words);
    for (let w = 0; w < words; w++) view[w]! ^= keyWord;
    i += words * 4;
  }
  for (; i < length; i++) data[i]! ^= key[(i + keyOffset) & 3]!;
}
