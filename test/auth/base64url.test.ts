import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { decodeBase64url, encodeBase64url, isCanonicalBase64url } from '../../src/auth/base64url.js';

test('RFC 4648 §5: encodes with the URL-safe alphabet and no padding', () => {
  // RFC 4648 §10 test vectors, with `=` removed.
  assert.equal(encodeBase64url('f'), 'Zg');
  assert.equal(encodeBase64url('fo'), 'Zm8');
  assert.equal(encodeBase64url('foobar'), 'Zm9vYmFy');
  assert.equal(encodeBase64url(Buffer.from([0xfb, 0xff])), '-_8');
});

test('SPEC §7 rule 18: padding, +, / and whitespace are rejected', () => {
  for (const bad of ['Zg==', 'Zg=', '+_8', '-/8', 'Zm 9v', 'Zm9v\n']) {
    assert.equal(isCanonicalBase64url(bad), false, bad);
    assert.equal(decodeBase64url(bad), undefined, bad);
  }
});

test('RFC 4648 §3.5: non-zero unused trailing bits are rejected', () => {
  // "Zg" is 0x66; "Zh".."Zv" decode to the same byte with junk in the 4 spare bits.
  assert.equal(isCanonicalBase64url('Zg'), true);
  assert.equal(isCanonicalBase64url('Zh'), false);
  // "Zm8" is "fo"; "Zm9" carries 2 non-zero spare bits.
  assert.equal(isCanonicalBase64url('Zm8'), true);
  assert.equal(isCanonicalBase64url('Zm9'), false);
});

test('RFC 4648 §4: a length of 4k+1 characters is impossible', () => {
  assert.equal(isCanonicalBase64url('Zm9vY'), false);
});

test('canonical check agrees with decode-then-re-encode on arbitrary strings', () => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= ';
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 12 }), (s) => {
      const reencodes = Buffer.from(s, 'base64url').toString('base64url') === s;
      assert.equal(isCanonicalBase64url(s), reencodes);
    }),
    { numRuns: 2000 },
  );
});

test('decode inverts encode for random bytes', () => {
  for (let n = 0; n < 40; n++) {
    const bytes = randomBytes(n);
    assert.deepEqual(decodeBase64url(encodeBase64url(bytes)), bytes);
  }
});
