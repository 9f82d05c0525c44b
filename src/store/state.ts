/**
 * The in-memory state both stores share, and the one place that knows what each
 * record does to it (`apply`). It holds only committed data: for the durable store
 * that means data whose journal record is already on disk, so a read never shows
 * something a crash could take back.
 *
 * Lookups: users by id and by lower-cased name, sessions by id and by user, rooms
 * by name; a room's messages sit in an array where `messages[i].seq === firstSeq + i`,
 * so finding a seq is one subtraction (O(1)).
 */
import type { RoomGen, StoreRecord } from './records.js';
import type { MessageRecord, RoomRecord, SessionRecord, UserRecord } from './types.js';

export interface RoomState {
  readonly name: string;
  readonly createdBy: string;
  readonly createdById: string;
  readonly createdAt: number;
  readonly epoch: string;
  readonly gen: RoomGen;
  /** Highest seq assigned and committed, 0 when none. */
  lastSeq: number;
  /**
   * The messages kept in memory, oldest first: all of them for the MemoryStore, the
   * recent ones for the DurableStore (older ones are in the room's message file).
   * Invariant: `messages[i].seq === firstSeq + i` and `firstSeq + messages.length === lastSeq + 1`.
   */
  messages: MessageRecord[];
  firstSeq: number;
}

/** Usernames are unique ignoring case (SPEC §2 "Validation"). */
export const usernameKey = (username: string): string => username.toLowerCase();

/**
 * Expired sessions and revocations are swept when their table has doubled since its last
 * sweep: amortized O(1) per insert, and neither table outgrows twice what is still live.
 */
const MIN_SWEEP_SIZE = 1024;
/** The size at which a table just swept down to `size` entries is swept next. */
const nextSweepAt = (size: number): number => Math.max(MIN_SWEEP_SIZE, size * 2);

export class StoreState {
  readonly users = new Map<string, UserRecord>();
  readonly usersByName = new Map<string, string>();
  /** Accounts ever created, deleted ones included: the first one ever is `admin` (SPEC §2). */
  usersCreated = 0;
  readonly sessions = new Map<string, SessionRecord>();
  readonly sessionsByUser = new Map<string, Set<string>>();
  /** Revoked access-token `jti` → expiry (epoch ms); past it the token is dead anyway. */
  readonly revoked = new Map<string, number>();
  private revokedSweepAt = MIN_SWEEP_SIZE;
  private sessionsSweepAt = MIN_SWEEP_SIZE;
  readonly rooms = new Map<string, RoomState>();
  /** Highest room generation ever used, so a recreated room never reuses an old one's files. */
  maxRoomGen = 0;
  /** Messages in rooms that still exist. */
  messageCount = 0;

  constructor(private readonly now: () => number) {}

  // --- the one switch over record types (used by journal replay) ---------------

  apply(record: StoreRecord): void {
    switch (record.t) {
      case 'user.create': this.createUser(record); return;
      case 'user.delete': this.deleteUser(record); return;
      case 'session.create': this.createSession(record); return;
      case 'session.update': this.updateSession(record); return;
      case 'session.delete': this.deleteSession(record); return;
      case 'token.revoke': this.revokeToken(record); return;
      case 'room.create': this.createRoom(record); return;
      case 'room.delete': this.deleteRoom(record); return;
      case 'message': this.appendMessage(record); return;
    }
  }

  // --- users ---------------------------------------------------------------------

  createUser(record: Extract<StoreRecord, { t: 'user.create' }>): UserRecord {
    const { user } = record;
    this.users.set(user.id, user);
    this.usersByName.set(usernameKey(user.username), user.id);
    this.usersCreated += 1;
    return user;
  }

  /** Deletes the user and every session of theirs (SPEC §2 `DELETE /api/users/:id`). */
  deleteUser(record: Extract<StoreRecord, { t: 'user.delete' }>): boolean {
    const user = this.users.get(record.id);
    if (!user) return false;
    this.users.delete(user.id);
    this.usersByName.delete(usernameKey(user.username));
    for (const sessionId of this.sessionsByUser.get(user.id) ?? []) this.sessions.delete(sessionId);
    this.sessionsByUser.delete(user.id);
    return true;
  }

  getUserByName(username: string): UserRecord | undefined {
    const id = this.usersByName.get(usernameKey(username));
    return id === undefined ? undefined : this.users.get(id);
  }

  // --- sessions ------------------------------------------------------------------

  createSession(record: Extract<StoreRecord, { t: 'session.create' }>): void {
    const { session } = record;
    this.sessions.set(session.id, session);
    let ids = this.sessionsByUser.get(session.userId);
    if (!ids) this.sessionsByUser.set(session.userId, (ids = new Set()));
    ids.add(session.id);
    if (this.sessions.size >= this.sessionsSweepAt) {
      this.sweepSessions();
      this.sessionsSweepAt = nextSweepAt(this.sessions.size);
    }
  }

  /** Replaces a live session only: an update racing a logout must not resurrect it. */
  updateSession(record: Extract<StoreRecord, { t: 'session.update' }>): boolean {
    const current = this.sessions.get(record.session.id);
    if (!current || current.userId !== record.session.userId) return false;
    this.sessions.set(record.session.id, record.session);
    return true;
  }

  deleteSession(record: Extract<StoreRecord, { t: 'session.delete' }>): boolean {
    const session = this.sessions.get(record.id);
    if (!session) return false;
    this.sessions.delete(session.id);
    const ids = this.sessionsByUser.get(session.userId);
    ids?.delete(session.id);
    if (ids?.size === 0) this.sessionsByUser.delete(session.userId);
    return true;
  }

  /**
   * Forgets sessions past their expiry (their refresh tokens and access tokens are refused
   * anyway: auth/sessions.ts `isLive`); returns what is left.
   */
  sweepSessions(): SessionRecord[] {
    const now = this.now();
    for (const session of this.sessions.values()) {
      if (session.expiresAt <= now) this.deleteSession({ t: 'session.delete', id: session.id });
    }
    return [...this.sessions.values()];
  }

  listSessions(userId: string): SessionRecord[] {
    return [...(this.sessionsByUser.get(userId) ?? [])].map((id) => this.sessions.get(id)!);
  }

  // --- revoked access tokens -------------------------------------------------------

  revokeToken(record: Extract<StoreRecord, { t: 'token.revoke' }>): void {
    this.revoked.set(record.jti, Math.max(record.expiresAt, this.revoked.get(record.jti) ?? 0));
    if (this.revoked.size >= this.revokedSweepAt) {
      this.sweepRevoked();
      this.revokedSweepAt = nextSweepAt(this.revoked.size);
    }
  }

  isTokenRevoked(jti: string): boolean {
    const expiresAt = this.revoked.get(jti);
    if (expiresAt === undefined) return false;
    if (expiresAt > this.now()) return true;
    this.revoked.delete(jti); // expired: the token's own `exp` rejects it from now on
    return false;
  }

  /** Forgets revocations whose tokens have expired; returns what is left. */
  sweepRevoked(): Array<[string, number]> {
    const now = this.now();
    for (const [jti, expiresAt] of this.revoked) if (expiresAt <= now) this.revoked.delete(jti);
    return [...this.revoked];
  }

  // --- rooms -------------------------------------------------------------------------

  createRoom(record: Extract<StoreRecord, { t: 'room.create' }>): RoomRecord {
    const room: RoomState = { ...record.room, gen: record.gen, lastSeq: 0, messages: [], firstSeq: 1 };
    this.rooms.set(room.name, room);
    this.maxRoomGen = Math.max(this.maxRoomGen, record.gen);
    return roomRecord(room);
  }

  /** Deletes the room and its history. The generation must match: an old delete never hits a newer room. */
  deleteRoom(record: Extract<StoreRecord, { t: 'room.delete' }>): boolean {
    const room = this.rooms.get(record.name);
    if (!room || room.gen !== record.gen) return false;
    this.rooms.delete(room.name);
    this.messageCount -= room.lastSeq;
    return true;
  }

  // --- messages ------------------------------------------------------------------------

  /**
   * Appends a message whose seq was assigned when it was planned. Undefined when the
   * room it was planned for is gone (deleted, or deleted and recreated) meanwhile.
   */
  appendMessage(record: Extract<StoreRecord, { t: 'message' }>): MessageRecord | undefined {
    const room = this.rooms.get(record.message.room);
    if (!room || room.gen !== record.gen) return undefined;
    // Invariant check: seq is gapless per room; a planner bug must not corrupt history.
    if (record.message.seq !== room.lastSeq + 1) {
      throw new Error(`seq ${record.message.seq} does not follow ${room.lastSeq} in room ${room.name}`);
    }
    room.messages.push(record.message);
    room.lastSeq = record.message.seq;
    this.messageCount += 1;
    return record.message;
  }

  /** The messages with `from <= seq <= to` that are in memory (oldest first). */
  memoryRange(room: RoomState, from: number, to: number): MessageRecord[] {
    const start = Math.max(from, room.firstSeq) - room.firstSeq;
    const end = Math.min(to, room.lastSeq) - room.firstSeq + 1;
    return end > start ? room.messages.slice(start, end) : [];
  }

  /** Forgets in-memory messages with `seq < keepFrom` (they are safe on disk). */
  dropMessagesBefore(room: RoomState, keepFrom: number): void {
    const count = Math.min(keepFrom, room.lastSeq + 1) - room.firstSeq;
    if (count <= 0) return;
    room.messages.splice(0, count);
    room.firstSeq += count;
  }
}

/** The public, immutable view of a room (a fresh object: `lastSeq` moves on). */
export function roomRecord(room: RoomState): RoomRecord {
  return {
    name: room.name,
    createdBy: room.createdBy,
    createdById: room.createdById,
    createdAt: room.createdAt,
    epoch: room.epoch,
    lastSeq: room.lastSeq,
  };
}
