/**
 * One room's message history as the client holds it: sorted by `seq`, each
 * `seq` once, tied to the room's `epoch`.
 *
 * Invariants (what "no message missed or shown twice" rests on):
 * 1. `seq` is unique per room and epoch (SPEC §2), so (room, seq) identifies a
 *    message; a second copy — from a rejoin's `message_history` overlapping a
 *    `new_message` that already arrived — is dropped.
 * 2. A different `epoch` means the server lost the room's history and `seq`
 *    restarted from 1; the old messages can no longer be deduplicated against
 *    the new ones, so they are dropped and the epoch replaced.
 * 3. `lastSeq` is the highest `seq` held; a rejoin sends it as `since`
 *    (exclusive, SPEC §4 `join_room`) so the server replays exactly what we lack.
 *
 * Pure (no DOM), unit-tested in Node (test/client/history.test.ts).
 */
import type { Message } from './protocol.js';

/** What an `add` did, so the view can mirror it without re-rendering everything. */
export type AddResult =
  | { kind: 'duplicate' }
  /** Insert before the message with seq `beforeSeq`, or at the end when it is null. */
  | { kind: 'inserted'; beforeSeq: number | null };

export class RoomHistory {
  #epoch: string | null = null;
  /** Sorted ascending by seq. */
  readonly #messages: Message[] = [];
  readonly #seqs = new Set<number>();

  get epoch(): string | null {
    return this.#epoch;
  }

  /** Highest seq held, 0 when empty. */
  get lastSeq(): number {
    return this.#messages.length === 0 ? 0 : this.#messages[this.#messages.length - 1]!.seq;
  }

  get messages(): readonly Message[] {
    return this.#messages;
  }

  /** Lowest seq held, 0 when empty. */
  get firstSeq(): number {
    return this.#messages.length === 0 ? 0 : this.#messages[0]!.seq;
  }

  /** Seqs count up from 1 (SPEC §2), so anything above 1 at the start means older pages exist. */
  get hasOlder(): boolean {
    return this.firstSeq > 1;
  }

  has(seq: number): boolean {
    return this.#seqs.has(seq);
  }

  /**
   * Adopts the epoch of a `message_history` answer. Returns true when it replaced
   * a different, known epoch — the held messages were dropped (invariant 2) and
   * the view must be rebuilt.
   */
  setEpoch(epoch: string): boolean {
    if (this.#epoch === epoch) return false;
    const hadOther = this.#epoch !== null;
    this.#epoch = epoch;
    if (hadOther) {
      this.#messages.length = 0;
      this.#seqs.clear();
    }
    return hadOther;
  }

  /** Adds one message in seq order unless its seq is already held (invariant 1). */
  add(message: Message): AddResult {
    if (this.#seqs.has(message.seq)) return { kind: 'duplicate' };
    this.#seqs.add(message.seq);
    // Step 1: the common case, a new message newer than all held: append.
    const last = this.#messages[this.#messages.length - 1];
    if (last === undefined || last.seq < message.seq) {
      this.#messages.push(message);
      return { kind: 'inserted', beforeSeq: null };
    }
    // Step 2: an older one (an overlapping page): binary search its slot.
    let low = 0;
    let high = this.#messages.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#messages[mid]!.seq < message.seq) low = mid + 1;
      else high = mid;
    }
    const before = this.#messages[low]!;
    this.#messages.splice(low, 0, message);
    return { kind: 'inserted', beforeSeq: before.seq };
  }

  /**
   * True when `seq` leaves a hole after what we hold — e.g. a `new_message` with
   * seq 9 while we hold up to 7 — so the client should rejoin with `since` to
   * fetch the missing ones. An empty history has no hole to fill.
   */
  isGapBefore(seq: number): boolean {
    return this.#messages.length > 0 && seq > this.lastSeq + 1;
  }
}
