/**
 * A bounded pool for expensive jobs (scrypt hashes): at most `concurrency` run at once,
 * at most `maxQueue` wait, and past that the job is refused with 503 `overloaded` and a
 * `retry-after` estimated from how long the queue ahead would take to drain.
 *
 * State per job: queued → running → settled. The pool never holds more than
 * `concurrency + maxQueue` jobs, which bounds the memory a login storm can claim
 * (each running scrypt at N = 2^17, r = 8 holds 128 MiB).
 */
import { availableParallelism, totalmem } from 'node:os';
import { overloaded } from '../errors.js';

/** One scrypt at N = 2^17, r = 8 (SPEC §3). */
export const HASH_MEMORY_BYTES = 128 * 1024 * 1024;
/** Never let hashes claim more than this share of the machine's memory. */
const MEMORY_SHARE = 0.25;
/**
 * libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise) also runs fs
 * and dns: the journal's writes must not queue behind a login storm's hashes, so one
 * thread is always left free.
 */
const THREAD_POOL_SIZE = Number(process.env['UV_THREADPOOL_SIZE']) || 4;
const MAX_DEFAULT_CONCURRENCY = Math.max(1, THREAD_POOL_SIZE - 1);
/** Enough to absorb a burst of 50 concurrent logins (the login-storm benchmark) without refusing any. */
export const DEFAULT_MAX_QUEUE = 128;
/** Before any job has finished, assume a hash takes this long (a 2^17 scrypt is 0.1–0.5 s). */
const INITIAL_ESTIMATE_MS = 300;

/**
 * K: one hash per core (scrypt is CPU-bound, more would only share the cores), capped by the
 * thread pool and by a quarter of total memory at 128 MiB each; at least 1.
 */
export function defaultConcurrency(): number {
  const byMemory = Math.floor((totalmem() * MEMORY_SHARE) / HASH_MEMORY_BYTES);
  return Math.max(1, Math.min(availableParallelism(), MAX_DEFAULT_CONCURRENCY, byMemory));
}

export interface HashPoolOptions {
  concurrency?: number;
  maxQueue?: number;
}

export class HashPool {
  readonly concurrency: number;
  readonly maxQueue: number;
  #running = 0;
  readonly #queue: Array<() => void> = [];
  /** Exponential moving average of job duration, for `retry-after`. */
  #averageMs = INITIAL_ESTIMATE_MS;

  constructor(options: HashPoolOptions = {}) {
    this.concurrency = options.concurrency ?? defaultConcurrency();
    this.maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Runs `job` when a slot is free; rejects at once with 503 when the queue is full. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    // 1. A free slot: start now. 2. Room in the queue: wait for a slot. 3. Else refuse.
    if (this.#running >= this.concurrency) {
      if (this.#queue.length >= this.maxQueue) {
        const drainMs = ((this.#queue.length + 1) * this.#averageMs) / this.concurrency;
        throw overloaded(drainMs / 1000, 'Too many password hashes in progress, try again later');
      }
      // The slot is handed over by the finishing job, so `#running` stays counted.
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    } else {
      this.#running++;
    }
    const started = performance.now();
    try {
      return await job();
    } finally {
      this.#averageMs = 0.8 * this.#averageMs + 0.2 * (performance.now() - started);
      const next = this.#queue.shift();
      if (next !== undefined) next();
      else this.#running--;
    }
  }
}
