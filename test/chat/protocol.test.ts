import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseClientEvent, ProtocolError, validateMessageText, validateRoomName, encodeEvent } from '../../src/chat/protocol.js';
import { ApiError } from '../../src/errors.js';

function rejected(text: string): ProtocolError {
  const result = parseClientEvent(text);
  assert.ok(result instanceof ProtocolError, `expected an error for ${text}`);
  return result;
}

test('SPEC §4: a frame that is not JSON is bad_request without replyTo', () => {
  const error = rejected('{"type":');
  assert.equal(error.code, 'bad_request');
  assert.equal(error.replyTo, undefined);
});

test('SPEC §4: JSON that is not an object (array, null, number, string) is bad_request', () => {
  for (const text of ['[]', 'null', '42', '"list_rooms"']) assert.equal(rejected(text).code, 'bad_request');
});

test('SPEC §4: an unknown or missing type is bad_request and keeps the request id as replyTo', () => {
  const error = rejected('{"type":"dance","id":"r1"}');
  assert.equal(error.code, 'bad_request');
  assert.equal(error.replyTo, 'r1');
  assert.equal(rejected('{"id":"r2"}').replyTo, 'r2');
});

test('SPEC §4 and §7 rule 5: an id must be a string of at most 64 characters, counted in code points', () => {
  assert.deepEqual(parseClientEvent(`{"type":"list_rooms","id":"${'a'.repeat(64)}"}`), { type: 'list_rooms', id: 'a'.repeat(64) });
  assert.equal(rejected(`{"type":"list_rooms","id":"${'a'.repeat(65)}"}`).code, 'bad_request');
  // 64 emoji are 128 UTF-16 units but 64 characters; 65 are one too many.
  assert.deepEqual(parseClientEvent(JSON.stringify({ type: 'list_rooms', id: '😀'.repeat(64) })), { type: 'list_rooms', id: '😀'.repeat(64) });
  assert.equal(rejected(JSON.stringify({ type: 'list_rooms', id: '😀'.repeat(65) })).code, 'bad_request');
  assert.equal(rejected('{"type":"list_rooms","id":7}').code, 'bad_request');
});

test('SPEC §2: room names are 1-32 characters of [a-z0-9_-]', () => {
  for (const good of ['a', 'general', 'a-b_c9', 'x'.repeat(32)]) assert.equal(validateRoomName(good), good);
  for (const badName of ['', 'x'.repeat(33), 'General', 'has space', 'é', 'a/b', 7, null]) {
    assert.ok(validateRoomName(badName) instanceof ApiError, String(badName));
  }
  assert.equal(rejected('{"type":"join_room","room":"Nope","id":"j"}').replyTo, 'j');
});

test('SPEC §2 and §7 rule 5: message text is trimmed and counted in code points', () => {
  assert.equal(validateMessageText('  hi  '), 'hi');
  // 1000 astral code points are 2000 UTF-16 units and still fit.
  assert.equal(validateMessageText('😀'.repeat(1000)), '😀'.repeat(1000));
  assert.equal(validateMessageText(` ${'a'.repeat(1000)}\n`), 'a'.repeat(1000));
});

test('SPEC §7 rule 1: text over 1000 code points is message_too_long, empty text is bad_request', () => {
  assert.equal((validateMessageText('a'.repeat(1001)) as ApiError).code, 'message_too_long');
  assert.equal((validateMessageText('😀'.repeat(1001)) as ApiError).code, 'message_too_long');
  assert.equal((validateMessageText('   ') as ApiError).code, 'bad_request');
  assert.equal((validateMessageText(5) as ApiError).code, 'bad_request');
  const error = rejected(`{"type":"send_message","room":"r","text":"${'b'.repeat(1001)}","id":"s"}`);
  assert.equal(error.code, 'message_too_long');
  assert.equal(error.replyTo, 's');
});

test('SPEC §7 rule 4: since, before and limit must be integers in range', () => {
  assert.deepEqual(parseClientEvent('{"type":"join_room","room":"r","since":0,"epoch":"e"}'), { type: 'join_room', room: 'r', since: 0, epoch: 'e' });
  assert.deepEqual(parseClientEvent('{"type":"history","room":"r","before":10,"limit":100}'), { type: 'history', room: 'r', before: 10, limit: 100 });
  assert.deepEqual(parseClientEvent('{"type":"history","room":"r"}'), { type: 'history', room: 'r', limit: 50 });
  for (const frame of [
    '{"type":"join_room","room":"r","since":-1}',
    '{"type":"join_room","room":"r","since":1.5}',
    '{"type":"join_room","room":"r","since":"3"}',
    '{"type":"history","room":"r","limit":0}',
    '{"type":"history","room":"r","limit":101}',
    '{"type":"history","room":"r","before":0}',
    '{"type":"join_room","room":"r","epoch":5}',
  ]) {
    assert.equal(rejected(frame).code, 'bad_request', frame);
  }
});

test('SPEC §4: every client event type parses with its fields', () => {
  assert.deepEqual(parseClientEvent('{"type":"create_room","room":"r"}'), { type: 'create_room', room: 'r' });
  assert.deepEqual(parseClientEvent('{"type":"leave_room","room":"r"}'), { type: 'leave_room', room: 'r' });
  assert.deepEqual(parseClientEvent('{"type":"typing","room":"r"}'), { type: 'typing', room: 'r' });
  assert.deepEqual(parseClientEvent('{"type":"stop_typing","room":"r"}'), { type: 'stop_typing', room: 'r' });
  assert.deepEqual(parseClientEvent('{"type":"send_message","room":"r","text":" x "}'), { type: 'send_message', room: 'r', text: 'x' });
  assert.deepEqual(parseClientEvent('{"type":"auth","token":"t"}'), { type: 'auth', token: 't' });
  assert.equal(rejected('{"type":"auth","token":""}').code, 'bad_request');
});

test('a __proto__ key in a frame is inert: it neither pollutes nor supplies fields', () => {
  const result = parseClientEvent('{"__proto__":{"room":"r"},"type":"typing"}');
  assert.ok(result instanceof ProtocolError);
  assert.equal(({} as Record<string, unknown>)['room'], undefined);
});

test('property: any string id of at most 64 characters is echoed back; any frame yields an event or an error, never a throw', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 64 }), (id) => {
      const result = parseClientEvent(JSON.stringify({ type: 'nope', id }));
      return result instanceof ProtocolError && result.replyTo === id;
    }),
  );
  fc.assert(
    fc.property(fc.json(), (text) => {
      const result = parseClientEvent(text);
      return result instanceof ProtocolError || typeof result.type === 'string';
    }),
  );
});

test('encodeEvent serializes once: the frame text is the JSON of the event', () => {
  const frame = encodeEvent({ type: 'presence', username: 'ann', online: true });
  assert.equal(frame.type, 'presence');
  assert.deepEqual(JSON.parse(frame.text), { type: 'presence', username: 'ann', online: true });
  assert.ok(Object.isFrozen(frame));
});
