/**
 * The Store API over a `StoreState`, shared by the MemoryStore and the DurableStore.
 *
 * Every write goes in two phases:
 *   1. Plan: check the request against committed state *plus what is already
 *      planned but not yet committed* (the reservations), and build the record —
 *      this is where the role of a new user and the next `seq` of a room are decided.
 *   2. Commit: the subclass persists the record (`persist`), then the record is
 *      applied to the state and its reservation released, in journal order.
 *
 * Reservations exist because the DurableStore applies a record only after its
 * `fsync`: two messages planned in the same tick must get seq N+1 and N+2, and two
 * registrations of "Alice" and "alice" in the same tick must not both succeed.
 * The MemoryStore commits at once, so its reservations are always empty — but it
 * runs the same code, which is how one test suite covers both.
 */
import type { StoreRecord } from './records.js';
import { StoreState, roomRecord, usernameKey, type RoomState } from './state.js';
import type {
  MessageRecord,
  NewMessage,
  NewUser,
  RoomRecord,
  SessionRecord,
  Store,
  UserRecord,
} from './types.js';

/** What has been planned but not committed yet. */
class Reservations {
  readonly usernames = new Set<string>();
  users = 0;
  readonly rooms = new Set<string>();
  /** Room generation → highest seq handed out. */
  readonly seqs = new Map<number, number>();

  release(record: StoreRecord): void {
    switch (record.t) {
      case 'user.create':
        this.usernames.delete(usernameKey(record.user.username));
        this.users -= 1;
        return;
      case 'room.create':
        this.rooms.delete(record.room.name);
        return;
      case 'message':
        if (this.seqs.get(record.gen) === record.message.seq) this.seqs.delete(record.gen);
        return;
      default:
        return;
    }
  }

  clear(): void {
    this.usernames.clear();
    this.users = 0;
    this.rooms.clear();
    this.seqs.clear();
  }
}

export interface RecordStoreOptions {
  /** Clock for revocation expiry; injectable for tests. */
  now?: () => number;
}

export abstract class RecordStore implements Store {
  protected readonly state: StoreState;
  private readonly reserved = new Reservations();
  /** Highest room generation handed out (recovery starts it at the state's). */
  private lastRoomGen = 0;

  constructor(options: RecordStoreOptions = {}) {
    this.state = new StoreState(options.now ?? Date.now);
  }

  /**
   * Makes `record` durable (or not, for memory), then calls `apply` exactly once,
   * synchronously and in the order records were persisted, and resolves with its result.
   * Rejects, without calling `apply`, when the record could not be persisted.
   */
  protected abstract persist<R>(record: StoreRecord, apply: () => R): Promise<R>;

  /**
   * Messages `from..to` of a room that are no longer in memory (DurableStore: from
   * the room's message file). The MemoryStore keeps everything, so it has none.
   */
  protected readOlder(_room: RoomState, _from: number, _to: number): Promise<MessageRecord[]> {
    return Promise.resolve([]);
  }

  /** For subclasses whose persist failed for every queued record: nothing is pending any more. */
  protected forgetReservations(): void {
    this.reserved.clear();
  }

  private commit<R>(record: StoreRecord, apply: () => R): Promise<R> {
    return this.persist(record, () => {
      this.reserved.release(record);
      return apply();
    });
  }

  // --- users -----------------------------------------------------------------------

  async createUser(user: NewUser): Promise<UserRecord | 'taken'> {
    // Step 1: unique ignoring case, among committed and planned accounts alike.
    const key = usernameKey(user.username);
    if (this.state.usersByName.has(key) || this.reserved.usernames.has(key)) return 'taken';
    // Step 2: SPEC §2: "the first account ever created is admin, later ones user" —
    // ever: deleting every account does not make the next one admin.
    const first = this.state.usersCreated + this.reserved.users === 0;
    const record: StoreRecord = { t: 'user.create', user: { ...user, role: first ? 'admin' : 'user' } };
    this.reserved.usernames.add(key);
    this.reserved.users += 1;
    return this.commit(record, () => this.state.createUser(record));
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    return this.state.users.get(id);
  }

  async getUserByName(username: string): Promise<UserRecord | undefined> {
    return this.state.getUserByName(username);
  }

  async listUsers(): Promise<UserRecord[]> {
    return [...this.state.users.values()];
  }

  async countUsers(): Promise<number> {
    return this.state.users.size;
  }

  async deleteUser(id: string): Promise<boolean> {
    if (!this.state.users.has(id)) return false;
    const record = { t: 'user.delete', id } as const;
    return this.commit(record, () => this.state.deleteUser(record));
  }

  // --- sessions ----------------------------------------------------------------------

  async createSession(session: SessionRecord): Promise<void> {
    const record = { t: 'session.create', session } as const;
    return this.commit(record, () => this.state.createSession(record));
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    return this.state.sessions.get(id);
  }

  async updateSession(session: SessionRecord): Promise<boolean> {
    if (!this.state.sessions.has(session.id)) return false;
    const record = { t: 'session.update', session } as const;
    return this.commit(record, () => this.state.updateSession(record));
  }

  async deleteSession(id: string): Promise<boolean> {
    if (!this.state.sessions.has(id)) return false;
    const record = { t: 'session.delete', id } as const;
    return this.commit(record, () => this.state.deleteSession(record));
  }

  async listSessions(userId: string): Promise<SessionRecord[]> {
    return this.state.listSessions(userId);
  }

  // --- revoked access tokens ---------------------------------------------------------

  async revokeToken(jti: string, expiresAt: number): Promise<void> {
    const record = { t: 'token.revoke', jti, expiresAt } as const;
    return this.commit(record, () => this.state.revokeToken(record));
  }

  async isTokenRevoked(jti: string): Promise<boolean> {
    return this.state.isTokenRevoked(jti);
  }

  // --- rooms ----------------------------------------------------------------------------

  async createRoom(room: Omit<RoomRecord, 'lastSeq'>): Promise<RoomRecord | 'exists'> {
    if (this.state.rooms.has(room.name) || this.reserved.rooms.has(room.name)) return 'exists';
    // A fresh generation names the room's files, so a deleted room's history never leaks into a new one.
    const gen = (this.lastRoomGen = Math.max(this.lastRoomGen, this.state.maxRoomGen) + 1);
    const record: StoreRecord = {
      t: 'room.create',
      room: { name: room.name, createdBy: room.createdBy, createdById: room.createdById, createdAt: room.createdAt, epoch: room.epoch },
      gen,
    };
    this.reserved.rooms.add(room.name);
    return this.commit(record, () => this.state.createRoom(record));
  }

  async getRoom(name: string): Promise<RoomRecord | undefined> {
    const room = this.state.rooms.get(name);
    return room && roomRecord(room);
  }

  async listRooms(): Promise<RoomRecord[]> {
    return [...this.state.rooms.values()].map(roomRecord);
  }

  async deleteRoom(name: string): Promise<boolean> {
    const room = this.state.rooms.get(name);
    if (!room) return false;
    const record = { t: 'room.delete', name, gen: room.gen } as const;
    return this.commit(record, () => this.state.deleteRoom(record));
  }

  // --- messages -----------------------------------------------------------------------------

  async appendMessage(roomName: string, message: NewMessage): Promise<MessageRecord | undefined> {
    const room = this.state.rooms.get(roomName);
    if (!room) return undefined;
    // The next seq after everything committed or already handed out: gapless because a
    // failed write rejects every record queued behind it and clears the reservations.
    const seq = (this.reserved.seqs.get(room.gen) ?? room.lastSeq) + 1;
    this.reserved.seqs.set(room.gen, seq);
    const record: StoreRecord = {
      t: 'message',
      gen: room.gen,
      message: {
        id: message.id,
        room: roomName,
        seq,
        text: message.text,
        sender: message.sender,
        senderId: message.senderId,
        timestamp: message.timestamp,
      },
    };
    return this.commit(record, () => this.state.appendMessage(record));
  }

  async messagesAfter(roomName: string, since: number, limit: number): Promise<MessageRecord[]> {
    const room = this.state.rooms.get(roomName);
    if (!room || limit <= 0) return [];
    const from = Math.max(1, Math.floor(since) + 1);
    return this.range(room, from, Math.min(room.lastSeq, from + limit - 1));
  }

  async messagesBefore(roomName: string, before: number, limit: number): Promise<MessageRecord[]> {
    const room = this.state.rooms.get(roomName);
    if (!room || limit <= 0) return [];
    const to = Math.min(room.lastSeq, Math.ceil(before) - 1);
    return this.range(room, Math.max(1, to - limit + 1), to);
  }

  async countMessages(): Promise<number> {
    return this.state.messageCount;
  }

  abstract close(): Promise<void>;

  /** Messages `from..to` (inclusive, oldest first): the in-memory part now, the older part from disk. */
  private async range(room: RoomState, from: number, to: number): Promise<MessageRecord[]> {
    if (to < from) return [];
    // Sliced synchronously, before any await, so it is consistent with `room.firstSeq` now.
    const recent = this.state.memoryRange(room, from, to);
    if (from >= room.firstSeq) return recent;
    const older = await this.readOlder(room, from, Math.min(to, room.firstSeq - 1));
    return older.concat(recent);
  }
}
