import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Utf8Validator } from '../../src/ws/utf8.js';

/** The WHATWG decoder in fatal mode is our independent oracle. */
const oracle = (bytes: Uint8Array) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
};

/** Cases after Markus Kuhn's UTF-8 decoder stress test (the source of Autobahn family 6). */
const CASES: { name: string; hex: string; valid: boolean; firstBad?: number }[] = [
  { name: 'ASCII', hex: '48656c6c6f', valid: true },
  { name: 'κόσμε', hex: 'cebae1bdb9cf83cebcceb5', valid: true },
  { name: 'first 2/3/4-byte code points U+0080 U+0800 U+10000', hex: 'c280e0a080f0908080', valid: true },
  { name: 'last code points U+07FF U+FFFF U+10FFFF', hex: 'dfbfefbfbff48fbfbf', valid: true },
  { name: 'noncharacters U+FFFE U+FFFF are valid UTF-8', hex: 'efbfbeefbfbf', valid: true },
  { name: 'U+D7FF and U+E000 around the surrogates', hex: 'ed9fbfee8080', valid: true },
  { name: 'U+110000 (above the Unicode range)', hex: 'f4908080', valid: false, firstBad: 1 },
  { name: 'F5 lead byte', hex: 'f5808080', valid: false, firstBad: 0 },
  { name: 'lonely continuation byte', hex: '6180', valid: false, firstBad: 1 },
  { name: 'overlong "/" in two bytes', hex: 'c0af', valid: false, firstBad: 0 },
  { name: 'overlong "/" in three bytes', hex: 'e080af', valid: false, firstBad: 1 },
  { name: 'overlong "/" in four bytes', hex: 'f08080af', valid: false, firstBad: 1 },
  { name: 'maximum overlong U+FFFF in four bytes', hex: 'f08fbfbf', valid: false, firstBad: 1 },
  { name: 'high surrogate U+D800', hex: 'eda080', valid: false, firstBad: 1 },
  { name: 'low surrogate U+DFFF', hex: 'edbfbf', valid: false, firstBad: 1 },
  { name: 'paired surrogates U+D800 U+DC00', hex: 'eda080edb080', valid: false, firstBad: 1 },
  { name: 'κόσμε with a surrogate inside', hex: 'cebae1bdb9cf83cebcceb5eda080656469746564', valid: false, firstBad: 12 },
  { name: 'impossible byte FE', hex: '61fe', valid: false, firstBad: 1 },
  { name: 'impossible byte FF', hex: 'ff', valid: false, firstBad: 0 },
  { name: 'start byte followed by ASCII', hex: 'c220', valid: false, firstBad: 1 },
  { name: 'truncated three-byte sequence at the end', hex: '61e282', valid: false },
  { name: 'truncated four-byte sequence at the end', hex: 'f09f98', valid: false },
];

function validateWhole(bytes: Buffer): boolean {
  const v = new Utf8Validator();
  return v.write(bytes) && v.end();
}

for (const { name, hex, valid } of CASES) {
  test(`RFC 3629 §4: ${name} is ${valid ? 'valid' : 'invalid'} (agrees with TextDecoder)`, () => {
    const bytes = Buffer.from(hex, 'hex');
    assert.equal(oracle(bytes), valid, 'oracle disagrees with the table');
    assert.equal(validateWhole(bytes), valid);
  });
  test(`RFC 6455 §8.1: ${name} gives the same verdict split at every offset`, () => {
    const bytes = Buffer.from(hex, 'hex');
    for (let cut = 0; cut <= bytes.length; cut++) {
      const v = new Utf8Validator();
      const verdict = v.write(bytes.subarray(0, cut)) && v.write(bytes.subarray(cut)) && v.end();
      assert.equal(verdict, valid, `split at ${cut}`);
    }
  });
}

for (const { name, hex, firstBad } of CASES.filter((c) => c.firstBad !== undefined)) {
  test(`RFC 6455 §8.1 fail fast: ${name} is rejected at byte ${firstBad}, fed one byte at a time`, () => {
    const bytes = Buffer.from(hex, 'hex');
    const v = new Utf8Validator();
    let failedAt = -1;
    for (let i = 0; i < bytes.length; i++) {
      if (!v.write(bytes.subarray(i, i + 1))) {
        failedAt = i;
        break;
      }
    }
    assert.equal(failedAt, firstBad);
  });
}

test('RFC 3629: every code point boundary agrees with TextDecoder on random byte strings', () => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
  const alphabet = [0x41, 0x7f, 0x80, 0xbf, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0x9f, 0xa0, 0x8f, 0x90];
  for (let n = 0; n < 3000; n++) {
    const bytes = Buffer.from(Array.from({ length: 1 + (rand() % 8) }, () => alphabet[rand() % alphabet.length]!));
    const cut = rand() % (bytes.length + 1);
    const v = new Utf8Validator();
    const verdict = v.write(bytes.subarray(0, cut)) && v.write(bytes.subarray(cut)) && v.end();
    assert.equal(verdict, oracle(bytes), bytes.toString('hex'));
  }
});
