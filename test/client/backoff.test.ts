import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { backoffCeiling, fullJitterDelay, type BackoffPolicy } from '../../src/client/backoff.js';

const policy: BackoffPolicy = { baseMs: 500, capMs: 15_000 };

test('backoff: the ceiling doubles from the base per attempt: 500, 1000, 2000, 4000 ms', () => {
  assert.deepEqual([0, 1, 2, 3].map((n) => backoffCeiling(n, policy)), [500, 1000, 2000, 4000]);
});

test('backoff: the ceiling is capped, even after thousands of attempts', () => {
  assert.equal(backoffCeiling(5, policy), 15_000);
  assert.equal(backoffCeiling(10_000, policy), 15_000);
});

test('backoff: full jitter draws from [0, ceiling): a zero draw waits 0, the largest draw stays under the ceiling', () => {
  assert.equal(fullJitterDelay(3, policy, () => 0), 0);
  assert.equal(fullJitterDelay(3, policy, () => 0.5), 2000);
  assert.ok(fullJitterDelay(3, policy, () => 0.999999) < 4000);
});

test('backoff property: every delay lies in [0, min(cap, base·2^attempt))', () => {
  fc.assert(
    fc.property(fc.nat(100), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, draw) => {
      const delay = fullJitterDelay(attempt, policy, () => draw);
      return Number.isInteger(delay) && delay >= 0 && delay < Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
    }),
  );
});

test('backoff: a herd of clients retrying at the same attempt spreads over the window instead of one instant', () => {
  const delays = new Set(Array.from({ length: 200 }, () => fullJitterDelay(4, policy)));
  // 200 uniform draws over 8000 ms: far more than a handful of distinct values.
  assert.ok(delays.size > 150, `only ${delays.size} distinct delays`);
});
