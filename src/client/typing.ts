/**
 * Typing etiquette, the sending side (issue 6 point 6):
 * - while keys are pressed, `typing` goes out at most once every 2 s;
 * - `stop_typing` goes out after 2 s without a key, or at once on send;
 * - nothing goes out when nothing was announced (no stray `stop_typing`).
 *
 * An explicit two-state machine: IDLE (others see nothing) and TYPING (we told
 * them, and owe them a `stop_typing`). Timers and clock are injected so the
 * rules are unit-tested without sleeping (test/client/typing.test.ts).
 */

/** Minimum spacing of `typing` frames while typing continues. */
export const TYPING_THROTTLE_MS = 2_000;
/** Silence after which we announce `stop_typing`. Shorter than the server's own 5 s. */
export const TYPING_IDLE_MS = 2_000;

export interface TypingClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type TypingSignal = 'typing' | 'stop_typing';

/** IDLE: others see nothing. TYPING: we told them, and owe them a `stop_typing`. */
type TypingState = 'idle' | 'typing';

export class TypingNotifier {
  #state: TypingState = 'idle';
  #lastSentAt = 0;
  #idleTimer: unknown = null;
  readonly #emit: (signal: TypingSignal) => void;
  readonly #clock: TypingClock;

  constructor(emit: (signal: TypingSignal) => void, clock: TypingClock) {
    this.#emit = emit;
    this.#clock = clock;
  }

  /** A key was pressed in the message field. */
  keystroke(): void {
    const now = this.#clock.now();
    // Step 1: announce when idle, or re-announce once the throttle window passed
    // (so the server's 5 s auto-stop never fires while typing continues).
    if (this.#state === 'idle' || now - this.#lastSentAt >= TYPING_THROTTLE_MS) {
      this.#state = 'typing';
      this.#lastSentAt = now;
      this.#emit('typing');
    }
    // Step 2: restart the idle countdown.
    this.#clearIdle();
    this.#idleTimer = this.#clock.setTimeout(() => this.stop(), TYPING_IDLE_MS);
  }

  /** The message was sent, the field emptied, or the room left: stop now if we had announced. */
  stop(): void {
    this.#clearIdle();
    if (this.#state === 'idle') return;
    this.#state = 'idle';
    this.#emit('stop_typing');
  }

  /** Forget without emitting: the connection that heard `typing` is gone (the server stops it). */
  reset(): void {
    this.#clearIdle();
    this.#state = 'idle';
  }

  #clearIdle(): void {
    if (this.#idleTimer !== null) this.#clock.clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }
}
