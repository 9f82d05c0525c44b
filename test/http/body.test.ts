/**
 * The JSON body reader against a real node:http server in this process, fed by raw
 * sockets so that lying and absent content-lengths can be sent.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_BODY_BYTES, readJsonBody } from '../../src/http/body.js';
import { sendError, sendJson } from '../../src/http/response.js';
import { rawRequest, rawStatus } from '../app/http-client.js';

let server: Server;
let port: number;

before(async () => {
  server = createServer((req, res) => {
    readJsonBody(req).then(
      // Echo only a summary: a 5000-deep body would overflow JSON.stringify.
      (body) => sendJson(res, 'test', 200, { present: body !== undefined, a: typeof body?.a === 'string' ? body.a : null }),
      (error: unknown) => sendError(res, 'test', error),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

function post(body: string | Buffer, headers: Record<string, string | undefined> = {}): Promise<string> {
  const bytes = Buffer.from(body);
  const all: Record<string, string | undefined> = { 'content-type': 'application/json', 'content-length': String(bytes.length), connection: 'close', ...headers };
  let head = 'POST /x HTTP/1.1\r\nHost: t\r\n';
  for (const [name, value] of Object.entries(all)) if (value !== undefined) head += `${name}: ${value}\r\n`;
  return rawRequest(port, Buffer.concat([Buffer.from(head + '\r\n'), bytes]));
}

/** A JSON object of exactly `size` bytes: {"a":"xxx…"}. */
function jsonOfSize(size: number): string {
  return `{"a":"${'x'.repeat(size - 8)}"}`;
}

function chunked(body: string, chunkSize = 1000): string {
  let out = '';
  for (let i = 0; i < body.length; i += chunkSize) {
    const part = body.slice(i, i + chunkSize);
    out += `${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`;
  }
  return out + '0\r\n\r\n';
}

const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));

test('SPEC §7 rule 5: a body of exactly 16384 bytes is accepted', async () => {
  const body = jsonOfSize(MAX_BODY_BYTES);
  assert.equal(Buffer.byteLength(body), 16384);
  const answer = await post(body);
  assert.equal(rawStatus(answer), 200);
  assert.equal(bodyOf(answer).a.length, 16384 - 8);
});

test('SPEC §7 rule 5: 16385 bytes with an honest content-length is 413 payload_too_large', async () => {
  const answer = await post(jsonOfSize(MAX_BODY_BYTES + 1));
  assert.equal(rawStatus(answer), 413);
  assert.equal(bodyOf(answer).error, 'payload_too_large');
});

test('413 when a chunked body (no content-length) passes 16384 bytes, 200 at exactly 16384', async () => {
  const over = await post(chunked(jsonOfSize(MAX_BODY_BYTES + 1)), { 'content-length': undefined, 'transfer-encoding': 'chunked' });
  assert.equal(rawStatus(over), 413);
  const exact = await post(chunked(jsonOfSize(MAX_BODY_BYTES)), { 'content-length': undefined, 'transfer-encoding': 'chunked' });
  assert.equal(rawStatus(exact), 200);
});

test('413 at once for a declared content-length over the limit, before any body byte is sent', async () => {
  const answer = await rawRequest(port, `POST /x HTTP/1.1\r\nHost: t\r\ncontent-type: application/json\r\ncontent-length: 1000000\r\n\r\n`);
  assert.equal(rawStatus(answer), 413);
  assert.match(answer, /connection: close/i);
});

test('a megabyte chunked body is cut off at the limit with 413, not buffered', async () => {
  const answer = await post(chunked('{"a":"' + 'y'.repeat(1024 * 1024) + '"}', 16 * 1024), { 'content-length': undefined, 'transfer-encoding': 'chunked' });
  assert.equal(rawStatus(answer), 413);
});

test('SPEC §7 rule 5: no body means no content-type check (undefined body)', async () => {
  const answer = await rawRequest(port, 'POST /x HTTP/1.1\r\nHost: t\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  assert.equal(rawStatus(answer), 200);
  assert.equal(bodyOf(answer).present, false);
});

test('415 unsupported_media_type for a body that is not application/json, or is missing a content-type', async () => {
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonp', 'application/json; charset=latin1', undefined]) {
    const answer = await post('{"a":1}', { 'content-type': type });
    assert.equal(rawStatus(answer), 415, String(type));
    assert.equal(bodyOf(answer).error, 'unsupported_media_type');
  }
});

test('application/json with a utf-8 charset parameter, in any case and quoted, is accepted', async () => {
  for (const type of ['application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"', 'application/json ; foo=bar']) {
    assert.equal(rawStatus(await post('{"a":1}', { 'content-type': type })), 200, type);
  }
});

test('400 bad_request for malformed JSON, a non-object and invalid UTF-8', async () => {
  const cases: Array<string | Buffer> = ['{"a":', 'not json', '[1,2]', '"str"', '42', 'null', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])];
  for (const body of cases) {
    const answer = await post(body);
    assert.equal(rawStatus(answer), 400, String(body));
    assert.equal(bodyOf(answer).error, 'bad_request');
  }
});

test('SPEC §7 rule 3: __proto__, constructor and prototype keys at any depth are 400', async () => {
  const cases = [
    '{"__proto__":{"admin":true}}',
    '{"a":{"b":[{"constructor":{"prototype":{}}}]}}',
    '{"user":{"prototype":1}}',
    '{"x":[[[{"__proto__":null}]]]}',
  ];
  for (const body of cases) {
    const answer = await post(body);
    assert.equal(rawStatus(answer), 400, body);
    assert.equal(bodyOf(answer).error, 'bad_request');
  }
  assert.equal(({} as Record<string, unknown>).admin, undefined, 'Object.prototype stays clean');
});

test('a body nested 5000 deep is checked without overflowing the stack', async () => {
  const deep = '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
  assert.equal(rawStatus(await post(deep)), 200);
});
