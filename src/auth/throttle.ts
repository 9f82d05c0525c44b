/**
 * Login throttling (SPEC §2, §7 rule 20): 5 failures per username + IP within 15 minutes,
 * and the 6th attempt inside the window is 429 `rate_limited` whatever the password.
 * A success clears the count.
 *
 * The window slides: an entry keeps the times of its last `maxFailures` failures, and the key
 * is blocked while the oldest of them is less than `windowMs` old.
 *
 * Memory is bounded two ways:
 * - entries expire: a key whose newest failure is older than the window is forgotten;
 * - a cap on entries: the Map is kept in order of last failure (re-inserted on each one), so
 *   its first entry is always the stalest; at the cap it is evicted. A flood of distinct
 *   usernames thus costs at most `maxEntries` entries, and forgets the flood's own oldest
 *   keys first.
 */
import { rateLimited } from '../errors.js';

export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60 * 1000;
export const MAX_ENTRIES = 10_000;
/** Usernames are at most 20 characters; a longer attempt is keyed by its prefix, not stored whole. */
const MAX_KEY_USERNAME = 64;

export interface ThrottleOptions {
  maxFailures?: number;
  windowMs?: number;
  maxEntries?: number;
  /** Epoch milliseconds. */
  clock?: () => number;
}

export class LoginThrottle {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly maxEntries: number;
  readonly #clock: () => number;
  /** key → failure times, oldest first, at most `maxFailures`. Ordered by last failure. */
  readonly #failures = new Map<string, number[]>();

  constructor(options: ThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? MAX_FAILURES;
    this.windowMs = options.windowMs ?? WINDOW_MS;
    this.maxEntries = options.maxEntries ?? MAX_ENTRIES;
    this.#clock = options.clock ?? Date.now;
  }

  /** Number of keys remembered (for tests and metrics). */
  get size(): number {
    return this.#failures.size;
  }

  /** Throws 429 with `retry-after` if this username + IP has used up its failures. */
  check(username: string, ip: string): void {
    const now = this.#clock();
    const times = this.#failures.get(throttleKey(username, ip));
    if (times === undefined || times.length < this.maxFailures) return;
    const oldest = times[0]!;
    const unblockAt = oldest + this.windowMs;
    if (now < unblockAt) throw rateLimited((unblockAt - now) / 1000, 'Too many failed logins, try again later');
  }

  /** Records a failed attempt. */
  fail(username: string, ip: string): void {
    const now = this.#clock();
    const key = throttleKey(username, ip);
    const times = (this.#failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    times.push(now);
    if (times.length > this.maxFailures) times.shift();
    // Re-insert so Map order stays "stalest first".
    this.#failures.delete(key);
    this.#sweep(now);
    this.#failures.set(key, times);
  }

  /** A success forgets the failures (SPEC §7 rule 20). */
  succeed(username: string, ip: string): void {
    this.#failures.delete(throttleKey(username, ip));
  }

  /** Drops expired entries from the stale end, then the stalest ones beyond the cap. O(1) amortized. */
  #sweep(now: number): void {
    for (const [key, times] of this.#failures) {
      const expired = now - times[times.length - 1]! >= this.windowMs;
      if (!expired && this.#failures.size < this.maxEntries) break;
      this.#failures.delete(key);
    }
  }
}

/** Usernames are unique ignoring case (SPEC §2), so the throttle ignores case too. */
function throttleKey(username: string, ip: string): string {
  return `${username.slice(0, MAX_KEY_USERNAME).toLowerCase()}\u0000${ip}`;
}
