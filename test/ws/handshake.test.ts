import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { checkUpgrade, computeAccept, selectProtocol } from '../../src/ws/handshake.js';
import { prepareFrame } from '../../src/ws/sender.js';
import { describeCloseCode, isValidWireCloseCode, CLOSE_CODES } from '../../src/ws/close-codes.js';

function request(headers: Record<string, string>, method = 'GET', version = '1.1'): IncomingMessage {
  const [major, minor] = version.split('.').map(Number);
  return { method, headers, httpVersion: version, httpVersionMajor: major, httpVersionMinor: minor } as unknown as IncomingMessage;
}

const GOOD = {
  host: 'example.com',
  upgrade: 'websocket',
  connection: 'Upgrade',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'sec-websocket-version': '13',
};

test('RFC 6455 §1.3: the sample key gives the sample Sec-WebSocket-Accept', () => {
  assert.equal(computeAccept('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('RFC 6455 §4.2.1: a complete request is accepted with its offered protocols in order', () => {
  assert.deepEqual(checkUpgrade(request({ ...GOOD, 'sec-websocket-protocol': 'chat, superchat' })), {
    ok: true,
    key: GOOD['sec-websocket-key'],
    protocols: ['chat', 'superchat'],
  });
});

test('RFC 6455 §4.2.1 steps 3-4: Upgrade and Connection are case-insensitive token lists', () => {
  const check = checkUpgrade(request({ ...GOOD, upgrade: 'WebSocket', connection: 'keep-alive, UPGRADE' }));
  assert.equal(check.ok, true);
});

const REJECTIONS: [string, IncomingMessage, number, Record<string, string>?][] = [
  ['step 1: POST is 405 with Allow: GET', request(GOOD, 'POST'), 405, { Allow: 'GET' }],
  ['step 1: HTTP/1.0 is 400', request(GOOD, 'GET', '1.0'), 400],
  ['step 2: no Host is 400', request({ ...GOOD, host: '' }), 400],
  ['step 3: Upgrade: h2c is 400', request({ ...GOOD, upgrade: 'h2c' }), 400],
  ['step 4: Connection without upgrade is 400', request({ ...GOOD, connection: 'keep-alive' }), 400],
  ['step 5: a missing key is 400', request({ ...GOOD, 'sec-websocket-key': undefined as unknown as string }), 400],
  ['step 5: a key of 15 bytes is 400', request({ ...GOOD, 'sec-websocket-key': Buffer.alloc(15).toString('base64') }), 400],
  ['step 5: a key of 17 bytes is 400', request({ ...GOOD, 'sec-websocket-key': Buffer.alloc(17).toString('base64') }), 400],
  ['step 5: a key that is not base64 is 400', request({ ...GOOD, 'sec-websocket-key': '!!!!!!!!!!!!!!!!!!!!!!==' }), 400],
  ['step 6: version 8 is 426 with Sec-WebSocket-Version: 13', request({ ...GOOD, 'sec-websocket-version': '8' }), 426, { 'Sec-WebSocket-Version': '13' }],
  ['step 6: no version is 426', request({ ...GOOD, 'sec-websocket-version': undefined as unknown as string }), 426, { 'Sec-WebSocket-Version': '13' }],
  ['step 8: a protocol that is not a token is 400', request({ ...GOOD, 'sec-websocket-protocol': 'a b' }), 400],
];

for (const [name, req, status, headers] of REJECTIONS) {
  test(`RFC 6455 §4.2.1 ${name}`, () => {
    for (const k of Object.keys(req.headers)) if (req.headers[k] === undefined || req.headers[k] === '') delete req.headers[k];
    const check = checkUpgrade(req);
    assert.equal(check.ok, false);
    if (check.ok) return;
    assert.equal(check.status, status);
    if (headers) assert.deepEqual(check.headers, headers);
  });
}

test('RFC 6455 §4.2.2: the server selects the first offered protocol it supports', () => {
  assert.equal(selectProtocol(['bearer.x', 'socketlink.v1'], ['socketlink.v1']), 'socketlink.v1');
  assert.equal(selectProtocol(['a'], ['b']), undefined);
});

test('RFC 6455 §5.2: prepared frames use the 7-, 16- and 64-bit length forms at 125/126 and 65535/65536', () => {
  const sizes: [number, number[]][] = [
    [0, [0x81, 0]],
    [125, [0x81, 125]],
    [126, [0x81, 126, 0, 126]],
    [65535, [0x81, 126, 0xff, 0xff]],
    [65536, [0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]],
  ];
  for (const [size, header] of sizes) {
    const frame = prepareFrame('a'.repeat(size));
    assert.deepEqual([...frame.bytes.subarray(0, header.length)], header, `size ${size}`);
    assert.equal(frame.bytes.length, header.length + size);
    assert.equal(frame.payloadLength, size);
  }
  assert.equal(prepareFrame(Buffer.from([1, 2])).bytes[0], 0x82);
});

test('RFC 6455 §7.4: valid wire close codes are exactly 1000-1003, 1007-1014, 3000-4999', () => {
  const valid = (c: number) => (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
  for (let code = 0; code < 70000; code++) assert.equal(isValidWireCloseCode(code), valid(code), String(code));
});

test('close-code table: RFC and IANA codes by name; 3000-4999 described by range; the table agrees with the wire check', () => {
  assert.equal(describeCloseCode(1013).name, 'Try Again Later');
  assert.equal(describeCloseCode(1006).onTheWire, false);
  assert.equal(describeCloseCode(4001).name, 'Private Use');
  assert.equal(describeCloseCode(3001).name, 'Registered');
  assert.equal(describeCloseCode(2000).onTheWire, false);
  for (const info of CLOSE_CODES) assert.equal(info.onTheWire, isValidWireCloseCode(info.code), String(info.code));
});
