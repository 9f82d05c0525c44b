/**
 * SPEC §7 rules 1–5 ("Errors and input"), black-box against the built server: the
 * clauses that the older files (http-server, chat-http, chat-ws, tokens) did not
 * assert at the level of the wire. See docs/spec-coverage.md for the whole map.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../helpers/server.js';
import { rawRequest, rawStatus, request, type Answer } from './http-client.js';
import { api, bearer, ChatClient, login, refusedHandshake, startWithAccounts, type Account } from './chat-client.js';
import { decodePayload, forge } from './jwt-forge.js';

let server: RunningServer;
let ann: Account, bob: Account;

before(async () => {
  ({ server, accounts: [ann, bob] } = await startWithAccounts(['ann_rules', 'bob_rules']));
  assert.equal((await api(server, ann.token, 'POST', '/api/rooms', { name: 'rules' })).status, 201);
});
after(() => server.stop());

const SKEW_SECONDS = 30;
const nowSeconds = () => Math.floor(Date.now() / 1000);

function assertError(answer: Answer, status: number, code: string) {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.json?.error, code, answer.text);
}

/** The JSON body of a raw HTTP answer. */
function rawJson(answer: string): any {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
}

/** A /ws opening handshake with every header valid unless overridden ('' drops one). */
function handshake(headers: Record<string, string>): string {
  const all: Record<string, string> = {
    Host: '127.0.0.1',
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    Authorization: `Bearer ${ann.token}`,
    ...headers,
  };
  let text = 'GET /ws HTTP/1.1\r\n';
  for (const [name, value] of Object.entries(all)) if (value !== '') text += `${name}: ${value}\r\n`;
  return `${text}\r\n`;
}

// --- Rule 1: a 400 is always bad_request; text over 1000 characters is message_too_long ---

test('SPEC §7 rule 1: a malformed /ws handshake is 400 with the JSON bad_request body, like every other 400', async () => {
  const brokenHandshakes: Array<Record<string, string>> = [{ 'Sec-WebSocket-Key': 'short' }, { 'Sec-WebSocket-Protocol': 'a b' }, { Upgrade: 'h2c, foo' }];
  for (const broken of brokenHandshakes) {
    const answer = await rawRequest(server.port, handshake(broken));
    assert.equal(rawStatus(answer), 400, answer);
    assert.match(answer, /\r\ncontent-type: application\/json; charset=utf-8\r\n/i, answer);
    const body = rawJson(answer);
    assert.equal(body.error, 'bad_request', JSON.stringify(broken));
    assert.equal(typeof body.message, 'string');
  }
  // Not a 400, but the same JSON shape: an unsupported version keeps its 426 and Sec-WebSocket-Version.
  const version = await rawRequest(server.port, handshake({ 'Sec-WebSocket-Version': '8' }));
  assert.equal(rawStatus(version), 426, version);
  assert.match(version, /\r\nsec-websocket-version: 13\r\n/i);
  assert.equal(rawJson(version).error, 'bad_request');
});

test('SPEC §7 rule 1: 1001 code points of text is message_too_long over HTTP and WebSocket alike; 1000 astral ones fit', async () => {
  const long = '😀'.repeat(1001);
  assertError(await api(server, ann.token, 'POST', '/api/rooms/rules/messages', { text: long }), 400, 'message_too_long');
  const client = await ChatClient.open(server, ann.token);
  await client.call({ type: 'join_room', room: 'rules' });
  const refused = await client.call({ type: 'send_message', room: 'rules', text: long });
  assert.deepEqual([refused.type, refused.code], ['error', 'message_too_long']);
  const accepted = await client.call({ type: 'send_message', room: 'rules', text: '😀'.repeat(1000) });
  assert.equal(accepted.type, 'ack', JSON.stringify(accepted).slice(0, 200));
  assert.equal(accepted.message.text, '😀'.repeat(1000));
  await client.close();
});

// --- Rule 2: token_expired past exp + 30 s; unauthorized for every other token failure ---

test('SPEC §7 rule 2: a /ws handshake with a token past exp + 30 s is 401 token_expired; a bad one is unauthorized', async () => {
  const expired = forge({ ...decodePayload(ann.token), jti: 'rule2-ws', iat: nowSeconds() - 3600, exp: nowSeconds() - SKEW_SECONDS - 15 });
  const answer = await refusedHandshake(server, { authorization: `Bearer ${expired}` });
  assert.equal(answer.status, 401);
  assert.equal(answer.json.error, 'token_expired');
  const byQuery = await refusedHandshake(server, {}, `/ws?token=${encodeURIComponent(expired)}`);
  assert.deepEqual([byQuery.status, byQuery.json.error], [401, 'token_expired']);
  const garbage = await refusedHandshake(server, { authorization: 'Bearer a.b.c' });
  assert.deepEqual([garbage.status, garbage.json.error], [401, 'unauthorized']);
});

test('SPEC §7 rule 2: an expired token that is also wrongly signed is unauthorized (the signature is checked first)', async () => {
  const claims = { ...decodePayload(ann.token), jti: 'rule2-sig', exp: nowSeconds() - 3600 };
  const answer = await request(server.url, '/api/auth/me', { headers: bearer(forge(claims, { secret: 'another-secret-another-secret-0123456789' })) });
  assertError(answer, 401, 'unauthorized');
  // Control: the same claims correctly signed are token_expired.
  assertError(await request(server.url, '/api/auth/me', { headers: bearer(forge(claims)) }), 401, 'token_expired');
});

test('SPEC §7 rule 2: an auth frame with an expired token is token_expired, with garbage unauthorized; the socket stays open', async () => {
  const client = await ChatClient.open(server, ann.token);
  const expired = forge({ ...decodePayload(ann.token), jti: 'rule2-auth', exp: nowSeconds() - SKEW_SECONDS - 15 });
  const late = await client.call({ type: 'auth', token: expired });
  assert.deepEqual([late.type, late.code], ['error', 'token_expired']);
  const bad = await client.call({ type: 'auth', token: 'not.a.token' });
  assert.deepEqual([bad.type, bad.code], ['error', 'unauthorized']);
  assert.equal((await client.call({ type: 'list_rooms' })).type, 'rooms_list', 'still open');
  await client.close();
});

test('SPEC §7 rule 2: login with a malformed username or an out-of-range password is invalid_credentials, not bad_request', async () => {
  assertError(await request(server.url, '/api/auth/login', { method: 'POST', body: { username: 'no such user!', password: 'whatever-password' } }), 401, 'invalid_credentials');
  assertError(await request(server.url, '/api/auth/login', { method: 'POST', body: { username: 'bob_rules', password: 'short' } }), 401, 'invalid_credentials');
  // Control: the right password still works (two failures are under the throttle).
  await login(server, 'bob_rules');
});

// --- Rule 3: __proto__, constructor, prototype keys at any depth are 400 ---

test('SPEC §7 rule 3: each forbidden key alone, nested in objects and arrays, makes a valid request 400; nothing is created', async () => {
  const bodies = [
    '{"name":"r3-a","meta":{"list":[{"prototype":1}]}}',
    '{"name":"r3-b","meta":[[{"__proto__":{}}]]}',
    '{"name":"r3-c","constructor":"x"}',
    '{"name":"r3-d","a":{"b":{"c":{"d":{"__proto__":null}}}}}',
  ];
  for (const body of bodies) {
    const answer = await request(server.url, '/api/rooms', { method: 'POST', body, headers: { ...bearer(ann.token), 'content-type': 'application/json' } });
    assertError(answer, 400, 'bad_request');
  }
  const posted = await request(server.url, '/api/rooms/rules/messages', {
    method: 'POST',
    body: '{"text":"polluted","extra":[{"constructor":{}}]}',
    headers: { ...bearer(ann.token), 'content-type': 'application/json' },
  });
  assertError(posted, 400, 'bad_request');
  // Control: the same shapes with harmless keys (case matters) are accepted.
  const fine = await request(server.url, '/api/rooms', {
    method: 'POST',
    body: '{"name":"r3-ok","meta":{"Constructor":1,"proto":[{"prototypes":2}]}}',
    headers: { ...bearer(ann.token), 'content-type': 'application/json' },
  });
  assert.equal(fine.status, 201, fine.text);
  const names = (await api(server, ann.token, 'GET', '/api/rooms')).json.rooms.map((r: { name: string }) => r.name);
  assert.deepEqual(names.filter((n: string) => n.startsWith('r3-')), ['r3-ok']);
  const texts = (await api(server, ann.token, 'GET', '/api/rooms/rules/messages')).json.messages.map((m: { text: string }) => m.text);
  assert.ok(!texts.includes('polluted'));
});

// --- Rule 4: since, before, limit, wait not an integer in range are 400 ---

test('SPEC §7 rule 4: over HTTP, before=0, a signed, hexadecimal, exponent or unsafe since, and a non-numeric wait are 400', async () => {
  for (const query of ['?before=0', '?since=%2B1', '?since=0x1', '?since=1e2', `?since=${'9'.repeat(16)}`, '?wait=abc', '?wait=', '?limit=%201', '?before=-3']) {
    const answer = await api(server, ann.token, 'GET', `/api/rooms/rules/messages${query}`);
    assertError(answer, 400, 'bad_request');
  }
  // Control: the edges of every range are accepted.
  const edges = await api(server, ann.token, 'GET', `/api/rooms/rules/messages?since=${Number.MAX_SAFE_INTEGER}&limit=1&wait=0`);
  assert.equal(edges.status, 200, edges.text);
  assert.equal((await api(server, ann.token, 'GET', '/api/rooms/rules/messages?before=1&limit=100')).status, 200);
});

test('SPEC §7 rule 4: over WebSocket, join_room since and history before/limit out of range or not integers are bad_request', async () => {
  const client = await ChatClient.open(server, bob.token);
  const cases: Array<Record<string, unknown>> = [
    { type: 'join_room', room: 'rules', since: -1 },
    { type: 'join_room', room: 'rules', since: 1.5 },
    { type: 'join_room', room: 'rules', since: '3' },
    { type: 'join_room', room: 'rules', since: 2 ** 53 },
    { type: 'history', room: 'rules', before: 0 },
    { type: 'history', room: 'rules', before: 'x' },
    { type: 'history', room: 'rules', limit: 101 },
    { type: 'history', room: 'rules', limit: 2.5 },
  ];
  for (const event of cases) {
    const answer = await client.call(event);
    assert.deepEqual([answer.type, answer.code], ['error', 'bad_request'], JSON.stringify(event));
  }
  assert.equal((await client.call({ type: 'history', room: 'rules', before: 1, limit: 100 })).type, 'message_history');
  assert.equal((await client.call({ type: 'join_room', room: 'rules', since: 0 })).type, 'joined_room');
  await client.close();
});

// --- Rule 5: 415 only with a body; 16384 / 16385; 1009 over 65536; code points; trimmed ---

test('SPEC §7 rule 5: a POST with content-length 0 needs no JSON content-type; a body without one is 415', async () => {
  const session = await login(server, 'bob_rules');
  const empty = await request(server.url, '/api/auth/logout', { method: 'POST', headers: { ...bearer(session.token), 'content-type': 'text/plain', 'content-length': '0' } });
  assert.equal(empty.status, 204, empty.text);
  const untyped = await request(server.url, '/api/rooms', { method: 'POST', headers: bearer(ann.token), body: '{"name":"r5-untyped"}' });
  assertError(untyped, 415, 'unsupported_media_type');
});

test('SPEC §7 rule 5: a 16384-byte body creates a room (201); 16385 bytes is 413 and creates nothing', async () => {
  const body = (name: string, size: number) => {
    const head = `{"name":"${name}","pad":"`;
    return head + 'x'.repeat(size - head.length - 2) + '"}';
  };
  assert.equal(Buffer.byteLength(body('r5-exact', 16384)), 16384);
  const headers = { ...bearer(ann.token), 'content-type': 'application/json' };
  const exact = await request(server.url, '/api/rooms', { method: 'POST', body: body('r5-exact', 16384), headers });
  assert.equal(exact.status, 201, exact.text);
  const over = await request(server.url, '/api/rooms', { method: 'POST', body: body('r5-over', 16385), headers });
  assertError(over, 413, 'payload_too_large');
  assert.equal((await api(server, ann.token, 'GET', '/api/rooms/r5-over/messages')).status, 404);
});

test('SPEC §7 rule 5: a fragmented message is judged by its whole payload: 65536 bytes in three fragments is processed, 65537 closes 1009', async () => {
  const client = await ChatClient.open(server, ann.token);
  const head = '{"type":"send_message","room":"rules","text":"';
  const frame = (size: number) => head + 'y'.repeat(size - head.length - 2) + '"}';
  const sendInFragments = (text: string) => {
    const third = Math.floor(text.length / 3);
    client.ws.send(text.slice(0, third), { fin: false });
    client.ws.send(text.slice(third, 2 * third), { fin: false });
    client.ws.send(text.slice(2 * third), { fin: true });
  };
  sendInFragments(frame(65536));
  assert.equal((await client.next('error')).code, 'message_too_long', 'the 65536-byte message was read and judged');
  sendInFragments(frame(65537));
  assert.equal((await client.closed).code, 1009);
});

test('SPEC §7 rule 5: text is counted after trimming and stored trimmed, over HTTP and WebSocket', async () => {
  const padded = `\n \t${'x'.repeat(1000)}  \r\n`;
  const posted = await api(server, ann.token, 'POST', '/api/rooms/rules/messages', { text: padded });
  assert.equal(posted.status, 201, posted.text);
  assert.equal(posted.json.message.text, 'x'.repeat(1000));
  const client = await ChatClient.open(server, ann.token);
  await client.call({ type: 'join_room', room: 'rules' });
  const ack = await client.call({ type: 'send_message', room: 'rules', text: `  ${'z'.repeat(1000)}\n` });
  assert.equal(ack.type, 'ack');
  assert.equal(ack.message.text, 'z'.repeat(1000));
  const stored = await api(server, ann.token, 'GET', '/api/rooms/rules/messages?limit=2');
  assert.deepEqual(stored.json.messages.map((m: { text: string }) => m.text), ['x'.repeat(1000), 'z'.repeat(1000)]);
  await client.close();
});
