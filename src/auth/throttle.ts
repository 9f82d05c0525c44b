/**
 * Login throttling (SPEC §2, §7 rule 20): 5 failures per username + IP within 15 minutes,
 * and the 6th attempt inside the window is 429 `rate_limited` whatever the password.
 * A success clears the count.
 *
 * The window slides: an entry keeps the times of its last `maxFailures` failures, and the key
 * is blocked while the oldest of them is less than `windowMs` old.
 *
 * Memory is bounded two ways, both through `BoundedMap` (two generations of keys):
 * - a cap on entries: at most `maxEntries` keys; the stalest half is evicted as a batch when
 *   the newer half fills. A flood of distinct usernames thus costs at most `maxEntries`
 *   entries, and forgets the flood's own oldest keys first;
 * - entries expire: when a generation is older than the window, a new one starts, so a key
 *   with no failure for two windows is gone even without a flood. Failures older than the
 *   window are ignored by `check` meanwhile.
 */
import { rateLimited } from '../errors.js';
import { BoundedMap } from './bounded-map.js';

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
  /** key → failure times, oldest first, at most `maxFailures`. */
  readonly #failures: BoundedMap<string, number[]>;
  /** When the current generation of keys began (the last rotation, for size or for time). */
  #generationStart: number;

  constructor(options: ThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? MAX_FAILURES;
    this.windowMs = options.windowMs ?? WINDOW_MS;
    this.maxEntries = options.maxEntries ?? MAX_ENTRIES;
    this.#clock = options.clock ?? Date.now;
    this.#generationStart = this.#clock();
    this.#failures = new BoundedMap(this.maxEntries, () => (this.#generationStart = this.#clock()));
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
    // Every key written before the last rotation is at least a window old by now: forget them.
    if (now - this.#generationStart >= this.windowMs) this.#failures.rotate();
    const key = throttleKey(username, ip);
    const times = (this.#failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    times.push(now);
    if (times.length > this.maxFailures) times.shift();
    this.#failures.set(key, times);
  }

  /** A success forgets the failures (SPEC §7 rule 20). */
  succeed(username: string, ip: string): void {
    this.#failures.delete(throttleKey(username, ip));
  }
}

/** Usernames are unique ignoring case (SPEC §2), so the throttle ignores case too. */
function throttleKey(username: string, ip: string): string {
  return `${username.slice(0, MAX_KEY_USERNAME).toLowerCase()}\u0000${ip}`;
}
