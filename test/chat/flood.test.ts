import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FloodGuard } from '../../src/chat/flood.js';

const T0 = 1_000_000;

test('SPEC §4: a burst of 40 frames is accepted, the 41st at the same instant is rate_limited', () => {
  const guard = new FloodGuard(T0);
  for (let i = 0; i < 40; i++) assert.equal(guard.check(T0), 'accept', `frame ${i + 1}`);
  assert.equal(guard.check(T0), 'rate_limited');
});

test('SPEC §4: 20 frames per second sustained are accepted indefinitely', () => {
  const guard = new FloodGuard(T0);
  for (let i = 0; i < 400; i++) assert.equal(guard.check(T0 + i * 50), 'accept', `frame ${i + 1}`);
});

test('SPEC §4: sustained 25 frames per second runs the bucket dry and gets rate_limited', () => {
  const guard = new FloodGuard(T0);
  const verdicts = Array.from({ length: 500 }, (_, i) => guard.check(T0 + i * 40));
  assert.ok(verdicts.includes('rate_limited'));
  assert.ok(!verdicts.includes('close'));
});

test('SPEC §4: the 101st frame within one second closes (1008), the 100th does not', () => {
  const guard = new FloodGuard(T0);
  for (let i = 0; i < 100; i++) assert.notEqual(guard.check(T0 + i * 9), 'close', `frame ${i + 1}`);
  assert.equal(guard.check(T0 + 999), 'close');
});

test('SPEC §4: 100 frames a second, spread so no 101 share a one-second window, never close', () => {
  const guard = new FloodGuard(T0);
  for (let i = 0; i < 300; i++) assert.notEqual(guard.check(T0 + i * 10), 'close', `frame ${i + 1}`);
});

test('the bucket refills: after a drained burst, one second buys 20 more frames', () => {
  const guard = new FloodGuard(T0);
  for (let i = 0; i < 40; i++) guard.check(T0);
  assert.equal(guard.check(T0), 'rate_limited');
  for (let i = 0; i < 20; i++) assert.equal(guard.check(T0 + 1000), 'accept');
  assert.equal(guard.check(T0 + 1000), 'rate_limited');
});
