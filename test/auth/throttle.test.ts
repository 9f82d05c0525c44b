import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/errors.js';
import { LoginThrottle } from '../../src/auth/throttle.js';

const MINUTE = 60_000;

function fakeClock(start = 1_700_000_000_000) {
  const clock = { now: start, read: () => clock.now };
  return clock;
}

function isRateLimited(error: unknown): boolean {
  assert.ok(error instanceof ApiError);
  assert.equal(error.status, 429);
  assert.equal(error.code, 'rate_limited');
  assert.match(error.headers['retry-after']!, /^[1-9]\d*$/);
  return true;
}

test('SPEC §7 rule 20: five failures are allowed, the sixth attempt is 429', () => {
  const clock = fakeClock();
  const throttle = new LoginThrottle({ clock: clock.read });
  for (let i = 0; i < 5; i++) {
    assert.doesNotThrow(() => throttle.check('alice', '10.0.0.1'));
    throttle.fail('alice', '10.0.0.1');
  }
  assert.throws(() => throttle.check('alice', '10.0.0.1'), isRateLimited);
});

test('SPEC §2: retry-after counts down to when the oldest failure leaves the 15-minute window', () => {
  const clock = fakeClock();
  const throttle = new LoginThrottle({ clock: clock.read });
  for (let i = 0; i < 5; i++) throttle.fail('alice', 'ip');
  clock.now += 10 * MINUTE;
  assert.throws(() => throttle.check('alice', 'ip'), (e: unknown) => isRateLimited(e) && (e as ApiError).headers['retry-after'] === '300');
  clock.now += 5 * MINUTE;
  assert.doesNotThrow(() => throttle.check('alice', 'ip'));
});

test('the window slides: failures older than 15 minutes do not count', () => {
  const clock = fakeClock();
  const throttle = new LoginThrottle({ clock: clock.read });
  for (let i = 0; i < 4; i++) throttle.fail('bob', 'ip');
  clock.now += 16 * MINUTE;
  throttle.fail('bob', 'ip');
  assert.doesNotThrow(() => throttle.check('bob', 'ip'));
});

test('SPEC §7 rule 20: a success clears the count', () => {
  const throttle = new LoginThrottle({ clock: fakeClock().read });
  for (let i = 0; i < 4; i++) throttle.fail('carol', 'ip');
  throttle.succeed('carol', 'ip');
  for (let i = 0; i < 4; i++) throttle.fail('carol', 'ip');
  assert.doesNotThrow(() => throttle.check('carol', 'ip'));
});

test('the key is username ignoring case plus IP', () => {
  const throttle = new LoginThrottle({ clock: fakeClock().read });
  for (let i = 0; i < 5; i++) throttle.fail(i % 2 ? 'Dave' : 'dAVE', 'ip1');
  assert.throws(() => throttle.check('dave', 'ip1'), isRateLimited);
  assert.doesNotThrow(() => throttle.check('dave', 'ip2'));
  assert.doesNotThrow(() => throttle.check('erin', 'ip1'));
});

test('memory is bounded: a flood of distinct usernames never exceeds the cap, oldest evicted first', () => {
  const throttle = new LoginThrottle({ clock: fakeClock().read, maxEntries: 100 });
  for (let i = 0; i < 5; i++) throttle.fail('victim', 'ip');
  let peak = 0;
  for (let i = 0; i < 10_000; i++) {
    throttle.fail(`user${i}`, 'ip');
    peak = Math.max(peak, throttle.size);
  }
  assert.equal(peak, 100);
  // The stalest keys went first: the victim's entry (oldest) is gone, a recent one stays.
  assert.doesNotThrow(() => throttle.check('victim', 'ip'));
  for (let i = 0; i < 4; i++) throttle.fail('user9999', 'ip');
  assert.throws(() => throttle.check('user9999', 'ip'), isRateLimited);
});

test('memory is bounded: keys idle for two windows are dropped as new failures arrive', () => {
  const clock = fakeClock();
  const throttle = new LoginThrottle({ clock: clock.read });
  for (let i = 0; i < 50; i++) throttle.fail(`u${i}`, 'ip');
  clock.now += 16 * MINUTE;
  throttle.fail('fresh', 'ip');
  clock.now += 16 * MINUTE;
  throttle.fail('fresher', 'ip');
  assert.equal(throttle.size, 2);
});

test('a flood at the cap stays cheap per attempt (no per-eviction scan)', () => {
  const throttle = new LoginThrottle({ clock: fakeClock().read, maxEntries: 10_000 });
  for (let i = 0; i < 20_000; i++) throttle.fail(`warm${i}`, 'ip');
  const started = performance.now();
  for (let i = 0; i < 50_000; i++) throttle.fail(`flood${i}`, 'ip');
  const perOpMicros = ((performance.now() - started) * 1000) / 50_000;
  // Generous bound for a shared machine; a Map-front eviction scan measured ~60 µs here.
  assert.ok(perOpMicros < 20, `${perOpMicros.toFixed(1)} µs per failed attempt`);
  assert.ok(throttle.size <= 10_000);
});
