/**
 * The records a store is made of. Every change to a store is one of these, so the
 * in-memory store and the durable store share one definition of "what happened":
 * the MemoryStore applies a record at once; the DurableStore first writes it to its
 * write-ahead journal and applies it after the `fsync` that covers it. Replaying
 * the journal at start applies the very same records again, so recovery and normal
 * operation can never disagree about what a record means.
 *
 * Records are plain JSON so the journal is readable with `jq` after stripping frames.
 */
import type { MessageRecord, RoomRecord, SessionRecord, UserRecord } from './types.js';

/** A room's identity on disk: a deleted and recreated room of the same name gets a new `gen`. */
export type RoomGen = number;

export type StoreRecord =
  | { readonly t: 'user.create'; readonly user: UserRecord }
  | { readonly t: 'user.delete'; readonly id: string }
  | { readonly t: 'session.create'; readonly session: SessionRecord }
  | { readonly t: 'session.update'; readonly session: SessionRecord }
  | { readonly t: 'session.delete'; readonly id: string }
  | { readonly t: 'token.revoke'; readonly jti: string; readonly expiresAt: number }
  | { readonly t: 'room.create'; readonly room: Omit<RoomRecord, 'lastSeq'>; readonly gen: RoomGen }
  | { readonly t: 'room.delete'; readonly name: string; readonly gen: RoomGen }
  | { readonly t: 'message'; readonly gen: RoomGen; readonly message: MessageRecord };

export type RecordType = StoreRecord['t'];
