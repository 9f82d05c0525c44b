/**
 * The storage seam. Routes, auth and chat talk to this interface only, so the
 * in-memory store, the durable journal-backed store (DATA_DIR) and a Redis store
 * are interchangeable. Every method is async: a durable write resolves only once
 * it is on disk (SPEC §7 rule 22), and a Redis read is a network round trip.
 *
 * Times are epoch milliseconds. Records are plain data; callers must not mutate
 * what a store returns.
 */

export type Role = 'user' | 'admin';

export interface UserRecord {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  /** PHC string, `$scrypt$ln=17,r=8,p=1$<salt>$<hash>` (SPEC §3). */
  readonly passwordHash: string;
  readonly createdAt: number;
}

export interface SessionRecord {
  readonly id: string;
  readonly userId: string;
  /** SHA-256 (base64url) of the current refresh token; the token itself is never stored. */
  readonly refreshHash: string;
  /** Hashes of refresh tokens rotated out of this session: presenting one is reuse. */
  readonly previousRefreshHashes: readonly string[];
  readonly createdAt: number;
  readonly lastUsedAt: number;
  readonly expiresAt: number;
  readonly userAgent: string;
  readonly ip: string;
}

export interface RoomRecord {
  readonly name: string;
  /** The creator's username (SPEC §7 rule 8). */
  readonly createdBy: string;
  readonly createdById: string;
  readonly createdAt: number;
  /** Random, fixed when the room's history begins (SPEC §2 `Room.epoch`). */
  readonly epoch: string;
  /** Highest `seq` assigned so far, 0 when none. */
  readonly lastSeq: number;
}

export interface MessageRecord {
  readonly id: string;
  readonly room: string;
  /** Counts up by one per room from 1, with no gaps. */
  readonly seq: number;
  readonly text: string;
  readonly sender: string;
  readonly senderId: string;
  readonly timestamp: number;
}

export interface NewUser {
  readonly id: string;
  readonly username: string;
  readonly passwordHash: string;
  readonly createdAt: number;
}

export interface NewMessage {
  readonly id: string;
  readonly text: string;
  readonly sender: string;
  readonly senderId: string;
  readonly timestamp: number;
}

export interface Store {
  // --- users -----------------------------------------------------------------
  /**
   * Creates the user atomically: `'taken'` if the username exists ignoring case.
   * The store picks the role: `admin` for the first account ever created, then `user`.
   */
  createUser(user: NewUser): Promise<UserRecord | 'taken'>;
  getUser(id: string): Promise<UserRecord | undefined>;
  /** Case-insensitive lookup. */
  getUserByName(username: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  countUsers(): Promise<number>;
  /** Deletes the user and all of their sessions. False if there was none. */
  deleteUser(id: string): Promise<boolean>;

  // --- sessions (devices) ----------------------------------------------------
  createSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  /** Replaces the session record (rotation, lastUsedAt). False if it no longer exists. */
  updateSession(session: SessionRecord): Promise<boolean>;
  /** Ends a session: from then on its `sid` is not live. False if there was none. */
  deleteSession(id: string): Promise<boolean>;
  listSessions(userId: string): Promise<SessionRecord[]>;

  // --- revoked access tokens -------------------------------------------------
  /** Remembers a revoked `jti` until `expiresAt`, after which the token is dead anyway. */
  revokeToken(jti: string, expiresAt: number): Promise<void>;
  isTokenRevoked(jti: string): Promise<boolean>;

  // --- rooms -----------------------------------------------------------------
  /** `'exists'` if the name is taken. */
  createRoom(room: Omit<RoomRecord, 'lastSeq'>): Promise<RoomRecord | 'exists'>;
  getRoom(name: string): Promise<RoomRecord | undefined>;
  listRooms(): Promise<RoomRecord[]>;
  /** Deletes the room and its history. False if there was none. */
  deleteRoom(name: string): Promise<boolean>;

  // --- messages --------------------------------------------------------------
  /** Assigns the next `seq` atomically and stores the message. Undefined if the room is gone. */
  appendMessage(room: string, message: NewMessage): Promise<MessageRecord | undefined>;
  /** Oldest first: the first `limit` messages with `seq > since`. */
  messagesAfter(room: string, since: number, limit: number): Promise<MessageRecord[]>;
  /** Oldest first: the last `limit` messages with `seq < before` (`before = Infinity` for the latest). */
  messagesBefore(room: string, before: number, limit: number): Promise<MessageRecord[]>;
  countMessages(): Promise<number>;

  /** Flushes and releases resources (the DATA_DIR lock, file handles). */
  close(): Promise<void>;
}
