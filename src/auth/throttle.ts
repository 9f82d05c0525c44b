/**
 * Login throttling (SPEC §2, §7 rule 20): 5 failures per username + IP within 15 minutes,
 * and the 6th attempt inside the window is 429 `rate_limited` whatever the password.
 * A success clears the count.
 *
 * Attempts still being checked (a scrypt hash takes a while) count as failures until they
 * end: otherwise N concurrent guesses would all pass `check` before the first `fail` lands,
 * and the 6th, 7th, … attempt inside the window would be hashed instead of refused.
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
  /**
   * key → attempts begun and not yet ended. An entry lives only while an attempt is in
   * flight, so this is bounded by the requests the server is serving at once.
   */
  readonly #inFlight = new Map<string, number>();
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

  /**
   * Throws 429 with `retry-after` if this username + IP has used up its failures, counting
   * the attempts still in flight as failures.
   */
  check(username: string, ip: string): void {
    const now = this.#clock();
    const key = throttleKey(username, ip);
    const recent = (this.#failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    const inFlight = this.#inFlight.get(key) ?? 0;
    if (recent.length + inFlight < this.maxFailures) return;
    // Blocked by failures alone: until the oldest leaves the window. Blocked with attempts
    // still in flight: they end within a hash or two, so the shortest wait is the honest one.
    const retryAfterMs = recent.length >= this.maxFailures ? recent[0]! + this.windowMs - now : 0;
    throw rateLimited(retryAfterMs / 1000, 'Too many failed logins, try again later');
  }

  /**
   * Starts an attempt: `check`, then counts it in flight until the returned function is
   * called (idempotent). Call `fail` or `succeed` first, then the returned function.
   */
  begin(username: string, ip: string): () => void {
    this.check(username, ip);
    const key = throttleKey(username, ip);
    this.#inFlight.set(key, (this.#inFlight.get(key) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const left = (this.#inFlight.get(key) ?? 1) - 1;
      if (left > 0) this.#inFlight.set(key, left);
      else this.#inFlight.delete(key);
    };
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
