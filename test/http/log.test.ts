import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, redact, redactString } from '../../src/log.js';

function capture(level: 'trace' | 'info' | 'warn') {
  const lines: string[] = [];
  return { lines, log: createLogger(level, (line) => lines.push(line)) };
}

test('one JSON object per line with time, level and msg', () => {
  const { lines, log } = capture('info');
  log.info('hello', { n: 1 });
  assert.equal(lines.length, 1);
  assert.ok(lines[0]!.endsWith('\n'));
  const record = JSON.parse(lines[0]!);
  assert.equal(record.level, 'info');
  assert.equal(record.msg, 'hello');
  assert.equal(record.n, 1);
  assert.ok(!Number.isNaN(Date.parse(record.time)));
});

test('LOG_LEVEL filters: at warn, info and debug lines are dropped', () => {
  const { lines, log } = capture('warn');
  log.debug('d');
  log.info('i');
  log.warn('w');
  log.error('e');
  assert.deepEqual(lines.map((l) => JSON.parse(l).msg), ['w', 'e']);
});

test('a child logger puts its fields (the request id) on every line', () => {
  const { lines, log } = capture('info');
  log.child({ reqId: 'r-1' }).info('x');
  assert.equal(JSON.parse(lines[0]!).reqId, 'r-1');
});

test('SPEC §1: fields named password, token, refreshToken, accessToken, authorization, cookie are redacted at any depth', () => {
  const { lines, log } = capture('trace');
  log.info('login', { body: { username: 'amy', password: 'hunter22secret' }, headers: { Authorization: 'Bearer abc', cookie: 'sl_access=zzz' }, tokens: [{ accessToken: 'access-secret-1', refreshToken: 'refresh-secret-1', token: 'token-secret-1' }] });
  const line = lines[0]!;
  for (const secret of ['hunter22secret', 'Bearer abc', 'sl_access=zzz', 'access-secret-1', 'refresh-secret-1', 'token-secret-1']) assert.ok(!line.includes(secret), secret);
  assert.ok(line.includes('amy'));
});

test('strings lose ?token= parameters, Bearer credentials and anything shaped like a JWT', () => {
  assert.equal(redactString('/ws?room=a&token=eyJhbGc.x.y&z=1'), '/ws?room=a&token=[redacted]&z=1');
  assert.equal(redactString('refreshToken=abc&access_token=def&tokens=1'), 'refreshToken=[redacted]&access_token=[redacted]&tokens=1');
  assert.equal(redactString('Authorization: Bearer s3cr3t'), 'Authorization: Bearer [redacted]');
  assert.equal(redactString('got eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_x- here'), 'got [redacted] here');
  assert.deepEqual(redact({ path: '/x?token=abc' }), { path: '/x?token=[redacted]' });
});

test('an Error is logged as name and message, redacted', () => {
  const { lines, log } = capture('info');
  log.error('boom', { error: new Error('bad token=abc') });
  const record = JSON.parse(lines[0]!);
  assert.equal(record.error.name, 'Error');
  assert.ok(!lines[0]!.includes('token=abc'));
});
