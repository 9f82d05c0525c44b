/**
 * Typing indicators (SPEC §4): `typing` / `stop_typing` from a member become
 * `user_typing` / `user_stop_typing` to the others, and the server sends
 * `user_stop_typing` itself after 5 s without a `typing` from that user.
 *
 * Throttle (issue 4 §7: typing must not be a way to flood a room): each user has,
 * per room, a small bucket of announcements. Repeated `typing` while already
 * typing only re-arms the 5 s timer and is never re-broadcast; a `typing` that
 * finds the bucket empty is accepted but not announced, and its later stop is not
 * announced either, so others always see matched pairs. A room thus sees at most
 * about one start/stop pair per user per second, however fast a client sends.
 *
 * State machine, one per (room, user):
 *
 *   (absent) --typing--> TYPING(announced?) --typing--> TYPING (timer re-armed)
 *   TYPING --stop_typing | 5 s silence--> COOLING --bucket full again--> (absent)
 *   COOLING --typing--> TYPING
 *
 * COOLING only remembers the bucket; when it is full again the entry is deleted,
 * so idle rooms hold nothing.
 */
import type { Clock } from './clock.js';

/** SPEC §4: "the server sends `user_stop_typing` itself after 5 s of silence". */
export const TYPING_AUTO_STOP_MS = 5000;
/** Announcement bucket: a couple of quick start/stop cycles pass, then one per second. */
export const TYPING_ANNOUNCE_BURST = 3;
export const TYPING_ANNOUNCE_REFILL_MS = 1000;

type TypingState = 'typing' | 'cooling';

interface Entry {
  readonly room: string;
  readonly userId: string;
  readonly username: string;
  state: TypingState;
  /** Whether others were told `user_typing` for the current TYPING spell. */
  announced: boolean;
  tokens: number;
  refilledAt: number;
  timer: unknown;
}

export interface TypingOptions {
  clock: Clock;
  /** Called when 5 s of silence end an announced spell: broadcast `user_stop_typing`. */
  onAutoStop(room: string, userId: string, username: string): void;
  autoStopMs?: number;
}

export class TypingTracker {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly onAutoStop: TypingOptions['onAutoStop'];
  private readonly autoStopMs: number;

  constructor(options: TypingOptions) {
    this.clock = options.clock;
    this.onAutoStop = options.onAutoStop;
    this.autoStopMs = options.autoStopMs ?? TYPING_AUTO_STOP_MS;
  }

  /** A `typing` frame. True when `user_typing` should be broadcast now. */
  start(room: string, user: { id: string; username: string }): boolean {
    const key = keyOf(room, user.id);
    let entry = this.entries.get(key);
    if (entry?.state === 'typing') {
      this.arm(entry, this.autoStopMs, () => this.expire(entry!));
      return false;
    }
    const now = this.clock.now();
    if (!entry) {
      entry = { room, userId: user.id, username: user.username, state: 'typing', announced: false, tokens: TYPING_ANNOUNCE_BURST, refilledAt: now, timer: undefined };
      this.entries.set(key, entry);
    }
    this.refill(entry, now);
    entry.state = 'typing';
    entry.announced = entry.tokens >= 1;
    if (entry.announced) entry.tokens -= 1;
    const current = entry;
    this.arm(current, this.autoStopMs, () => this.expire(current));
    return current.announced;
  }

  /** A `stop_typing` frame. True when `user_stop_typing` should be broadcast now. */
  stop(room: string, userId: string): boolean {
    const entry = this.entries.get(keyOf(room, userId));
    if (entry?.state !== 'typing') return false;
    const announced = entry.announced;
    this.cool(entry);
    return announced;
  }

  /**
   * The user left the room (or their last socket there closed): forget the entry
   * at once. True when a `user_stop_typing` is owed to the others.
   */
  forget(room: string, userId: string): boolean {
    const key = keyOf(room, userId);
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.clock.clearTimeout(entry.timer);
    this.entries.delete(key);
    return entry.state === 'typing' && entry.announced;
  }

  /** The room is gone: drop every entry in it, silently. */
  forgetRoom(room: string): void {
    for (const entry of [...this.entries.values()]) if (entry.room === room) this.forget(room, entry.userId);
  }

  /** Entries alive, for leak checks. */
  get size(): number {
    return this.entries.size;
  }

  /** Cancels every timer (server shutdown). */
  close(): void {
    for (const entry of this.entries.values()) this.clock.clearTimeout(entry.timer);
    this.entries.clear();
  }

  private expire(entry: Entry): void {
    const announced = entry.announced;
    this.cool(entry);
    if (announced) this.onAutoStop(entry.room, entry.userId, entry.username);
  }

  /** TYPING → COOLING: keep the bucket until it is full again, then delete the entry. */
  private cool(entry: Entry): void {
    const now = this.clock.now();
    this.refill(entry, now);
    entry.state = 'cooling';
    entry.announced = false;
    const untilFull = (TYPING_ANNOUNCE_BURST - entry.tokens) * TYPING_ANNOUNCE_REFILL_MS;
    if (untilFull <= 0) {
      this.forget(entry.room, entry.userId);
      return;
    }
    this.arm(entry, untilFull, () => this.forget(entry.room, entry.userId));
  }

  private refill(entry: Entry, now: number): void {
    const elapsed = Math.max(0, now - entry.refilledAt);
    entry.tokens = Math.min(TYPING_ANNOUNCE_BURST, entry.tokens + elapsed / TYPING_ANNOUNCE_REFILL_MS);
    entry.refilledAt = now;
  }

  private arm(entry: Entry, ms: number, callback: () => void): void {
    this.clock.clearTimeout(entry.timer);
    entry.timer = this.clock.setTimeout(callback, ms);
  }
}

const keyOf = (room: string, userId: string) => `${room}\n${userId}`;
