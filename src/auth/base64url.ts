/**
 * Base64url (RFC 4648 §5) as JWS uses it (RFC 7515 §2): the URL-safe alphabet with
 * every trailing `=` omitted, and nothing else allowed.
 *
 * Node's own `Buffer.from(s, 'base64url')` is lenient: it skips characters it does not
 * know, accepts `+`, `/` and `=`, and ignores non-zero bits left over at the end. Two
 * different strings then decode to the same bytes, so a token could be "the same" token
 * under several spellings. SPEC §7 rule 18 forbids that: every segment must be the one
 * canonical encoding of its bytes, i.e. decoding and re-encoding gives the same string.
 */

/** RFC 4648 §5 Table 2: value of each URL-safe alphabet character, -1 for any other. */
const ALPHABET_VALUE: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

/** Value of one base64url character, or -1 if it is not in the alphabet. */
export function alphabetValue(charCode: number): number {
  return charCode < 128 ? ALPHABET_VALUE[charCode]! : -1;
}

/**
 * True if `text[start, end)` is canonical unpadded base64url (SPEC §7 rule 18).
 *
 * Equivalent to "decode, re-encode, compare", checked without allocating:
 * 1. Every character is in the URL-safe alphabet (so no `=`, `+`, `/`, whitespace).
 * 2. RFC 4648 §4: each character carries 6 bits, so 4 characters are 3 bytes. A final
 *    group of 1 character (6 bits) cannot hold a byte: that length never occurs.
 * 3. RFC 4648 §3.5 ("pad bits MUST be set to zero by conforming encoders"): a final group
 *    of 2 characters carries 12 bits for 1 byte, so the last character's low 4 bits must be
 *    zero; a group of 3 carries 18 bits for 2 bytes, so its low 2 bits must be zero.
 *    Otherwise several strings would decode to the same bytes.
 */
export function isCanonicalBase64url(text: string, start = 0, end = text.length): boolean {
  // Step 1.
  for (let i = start; i < end; i++) if (alphabetValue(text.charCodeAt(i)) < 0) return false;
  return hasCanonicalEnd(text, start, end);
}

/**
 * Steps 2 and 3 of `isCanonicalBase64url` alone, for text whose alphabet is already known
 * to be right: only the length and the last character matter.
 */
export function hasCanonicalEnd(text: string, start = 0, end = text.length): boolean {
  // Step 2.
  const remainder = (end - start) % 4;
  if (remainder === 1) return false;
  // Step 3.
  const last = remainder === 0 ? 0 : alphabetValue(text.charCodeAt(end - 1));
  if (remainder === 2) return (last & 0b1111) === 0;
  if (remainder === 3) return (last & 0b11) === 0;
  return true;
}

/** Decodes canonical base64url; `undefined` for anything else (SPEC §7 rule 18). */
export function decodeBase64url(text: string): Buffer | undefined {
  return isCanonicalBase64url(text) ? Buffer.from(text, 'base64url') : undefined;
}

/** RFC 7515 §2 `BASE64URL(octets)`: URL-safe alphabet, no padding. */
export function encodeBase64url(data: Buffer | Uint8Array | string): string {
  return (typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength)).toString(
    'base64url',
  );
}
