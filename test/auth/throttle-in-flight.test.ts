/**
 * SPEC §7 rule 20 under concurrency: attempts still being checked count as failures, so
 * guesses sent side by side get no more than five tries either (see src/auth/throttle.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/errors.js';
import { LoginThrottle } from '../../src/auth/throttle.js';

const limited = (error: unknown) => error instanceof ApiError && error.status === 429 && error.code === 'rate_limited' && error.headers['retry-after'] === '1';

test('SPEC §7 rule 20: five attempts in flight block a sixth; ending one without a failure frees its slot', () => {
  const throttle = new LoginThrottle({ clock: () => 1_700_000_000_000 });
  const ends = Array.from({ length: 5 }, () => throttle.begin('alice', 'ip'));
  assert.throws(() => throttle.begin('alice', 'ip'), limited);
  assert.doesNotThrow(() => throttle.check('alice', 'other-ip'), 'another key is unaffected');
  ends[0]!();
  ends[0]!(); // idempotent
  const sixth = throttle.begin('alice', 'ip');
  assert.throws(() => throttle.check('alice', 'ip'), limited);
  for (const end of [...ends.slice(1), sixth]) end();
  assert.doesNotThrow(() => throttle.check('alice', 'ip'), 'nothing in flight, no failure recorded');
});

test('SPEC §7 rule 20: failures and attempts in flight add up; a success clears only the failures', () => {
  const throttle = new LoginThrottle({ clock: () => 1_700_000_000_000 });
  for (let i = 0; i < 3; i++) throttle.fail('bob', 'ip');
  const first = throttle.begin('bob', 'ip');
  const second = throttle.begin('bob', 'ip');
  assert.throws(() => throttle.begin('bob', 'ip'), limited);
  throttle.succeed('bob', 'ip');
  first();
  assert.doesNotThrow(() => throttle.check('bob', 'ip'), 'one in flight, no failures');
  second();
});
