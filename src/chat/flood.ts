/**
 * The per-socket flood policy of SPEC §4 and §7 rule 13.
 *
 * Two independent meters see every client frame, valid or not:
 * - a token bucket, 20 tokens/s sustained with room for bursts of 40: a frame that
 *   finds the bucket empty is refused with `rate_limited` (the socket stays open);
 * - a sliding one-second window: a socket whose 101st frame arrives less than a
 *   second after the frame 100 before it is closed with 1008 (policy violation).
 */

/** SPEC §4: "more than 20 messages per second sustained (bursts to 40)". */
export const FLOOD_RATE_PER_SECOND = 20;
export const FLOOD_BURST = 40;
/** SPEC §4: "a peer that keeps going past 100 in a second is closed 1008". */
export const FLOOD_CLOSE_FRAMES = 100;
export const FLOOD_WINDOW_MS = 1000;

export interface FloodLimits {
  ratePerSecond: number;
  burst: number;
  closeFrames: number;
  windowMs: number;
}

export const DEFAULT_FLOOD_LIMITS: FloodLimits = {
  ratePerSecond: FLOOD_RATE_PER_SECOND,
  burst: FLOOD_BURST,
  closeFrames: FLOOD_CLOSE_FRAMES,
  windowMs: FLOOD_WINDOW_MS,
};

/** What to do with one arriving frame. */
export type FloodVerdict = 'accept' | 'rate_limited' | 'close';

export class FloodGuard {
  private readonly limits: FloodLimits;
  private tokens: number;
  private refilledAt: number;
  /** Arrival times of the last `closeFrames` frames, a ring; `NaN` while not yet filled. */
  private readonly arrivals: Float64Array;
  private next = 0;

  constructor(now: number, limits: FloodLimits = DEFAULT_FLOOD_LIMITS) {
    this.limits = limits;
    this.tokens = limits.burst;
    this.refilledAt = now;
    this.arrivals = new Float64Array(limits.closeFrames).fill(Number.NaN);
  }

  /** Records one frame arriving at `now` (ms) and judges it. */
  check(now: number): FloodVerdict {
    // 1. The window: the slot we are about to overwrite holds the arrival time of the
    //    frame `closeFrames` frames ago. If it lies within the window, this frame is
    //    the (closeFrames + 1)-th inside one window.
    const oldest = this.arrivals[this.next]!;
    this.arrivals[this.next] = now;
    this.next = (this.next + 1) % this.arrivals.length;
    if (now - oldest < this.limits.windowMs) return 'close';
    // 2. The bucket: refill for the time elapsed, capped at the burst size.
    const elapsed = Math.max(0, now - this.refilledAt);
    this.refilledAt = now;
    this.tokens = Math.min(this.limits.burst, this.tokens + (elapsed * this.limits.ratePerSecond) / 1000);
    // 3. One token per frame; none left means this frame is refused.
    if (this.tokens < 1) return 'rate_limited';
    this.tokens -= 1;
    return 'accept';
  }
}
