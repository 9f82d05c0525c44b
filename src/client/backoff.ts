/**
 * Reconnect delays: exponential backoff with "full jitter".
 *
 * Why jitter: when a server restarts, every client notices in the same
 * millisecond. Plain exponential backoff keeps them in lock-step (all retry at
 * 0.5 s, then all at 1 s, …), so the reborn server is hit by a thundering herd
 * at each step. Full jitter draws the delay uniformly from [0, ceiling), which
 * spreads the herd over the whole window while keeping the same growth.
 *
 * Why a cap: without one the ceiling doubles forever and a client that lost the
 * network for a few minutes would wait for hours once it comes back.
 *
 * Pure and clock-free so it is unit-tested in Node (test/client/backoff.test.ts).
 */

export interface BackoffPolicy {
  /** Ceiling of the first retry's delay, in ms. */
  readonly baseMs: number;
  /** The ceiling never grows past this, in ms. */
  readonly capMs: number;
}

/** 0.5 s first ceiling, doubling to at most 15 s. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 15_000 };

/** Past this many doublings the ceiling is at the cap anyway; stops 2 ** n from overflowing. */
const MAX_EXPONENT = 30;

/** The ceiling for retry number `attempt` (0 for the first retry): min(cap, base · 2^attempt). */
export function backoffCeiling(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), MAX_EXPONENT);
  return Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
}

/**
 * The delay before retry number `attempt`: uniform in [0, ceiling).
 * `random` is injectable so tests can pin the draw; it must return a value in [0, 1).
 */
export function fullJitterDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * backoffCeiling(attempt, policy));
}
