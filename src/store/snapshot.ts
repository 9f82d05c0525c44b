/**
 * The snapshot: the whole non-message state at one point of the journal, so that
 * a restart replays only the journal written since — restart time stays bounded
 * however long the server has run.
 *
 * Replacing a file safely is an ordering problem. The steps, and why each:
 *   1. write the new snapshot to `snapshot.tmp` — the old snapshot stays intact;
 *   2. fdatasync it — its bytes are on disk *before* any name points at them;
 *   3. rename it over `snapshot.bin` — rename(2) is atomic: a reader (or a crash)
 *      sees the old file or the new one, never a mix;
 *   4. fsync the directory — the rename itself is a directory change, and until
 *      the directory is synced a crash may undo it.
 * Only after step 4 may the journals the snapshot replaces be deleted. Swap steps 2
 * and 3 and a crash can leave `snapshot.bin` naming a file whose data never landed.
 */
import path from 'node:path';
import { StoreCorruptError } from './errors.js';
import { encodeFrames, scanFrames } from './frame.js';
import { errorCode, writeFully, type StoreFileSystem } from './fs.js';
import type { RoomExtent } from './room-files.js';
import type { RoomState, StoreState } from './state.js';
import type { RoomRecord, SessionRecord, UserRecord } from './types.js';

export const SNAPSHOT_FILE = 'snapshot.bin';
export const SNAPSHOT_TEMP_FILE = 'snapshot.tmp';
const SNAPSHOT_VERSION = 1;

export interface SnapshotRoom extends Omit<RoomRecord, 'lastSeq'> {
  readonly gen: number;
  /** The room's message files hold seq 1..extent.seq, which was its lastSeq at the snapshot. */
  readonly extent: RoomExtent;
}

export interface Snapshot {
  readonly version: typeof SNAPSHOT_VERSION;
  /** The first journal file to replay on top of this snapshot. */
  readonly journal: number;
  readonly usersCreated: number;
  readonly maxRoomGen: number;
  readonly users: readonly UserRecord[];
  readonly sessions: readonly SessionRecord[];
  readonly revoked: ReadonlyArray<readonly [string, number]>;
  readonly rooms: readonly SnapshotRoom[];
}

export async function writeSnapshot(fs: StoreFileSystem, dir: string, snapshot: Snapshot): Promise<void> {
  const temp = path.join(dir, SNAPSHOT_TEMP_FILE);
  const bytes = encodeFrames([Buffer.from(JSON.stringify(snapshot), 'utf8')]);
  // Steps 1 and 2: write and sync the temporary file.
  const file = await fs.open(temp, 'w');
  try {
    await writeFully(file, bytes, 0);
    await file.datasync();
  } finally {
    await file.close();
  }
  // Step 3: atomically put it in place.
  await fs.rename(temp, path.join(dir, SNAPSHOT_FILE));
  // Step 4: make the rename durable.
  await fs.syncDir(dir);
}

/** The snapshot, or undefined for a DATA_DIR that never had one. A bad one refuses to start. */
export async function readSnapshot(fs: StoreFileSystem, dir: string): Promise<Snapshot | undefined> {
  const file = path.join(dir, SNAPSHOT_FILE);
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  // Written whole and renamed into place, a snapshot is never torn: any bad byte is corruption.
  const scan = scanFrames(data);
  if (scan.bad) throw new StoreCorruptError(file, scan.bad.offset, scan.bad.reason);
  if (scan.frames.length !== 1) throw new StoreCorruptError(file, scan.validEnd, 'expected exactly one record');
  const snapshot = JSON.parse(scan.frames[0]!.payload.toString('utf8')) as Snapshot;
  if (snapshot.version !== SNAPSHOT_VERSION) throw new StoreCorruptError(file, 0, `unknown version ${String(snapshot.version)}`);
  return snapshot;
}

/** Everything but the messages, as of now (the caller adds where each room's files end). */
export function captureState(state: StoreState, journal: number, extentOf: (room: RoomState) => RoomExtent): Snapshot {
  return {
    version: SNAPSHOT_VERSION,
    journal,
    usersCreated: state.usersCreated,
    maxRoomGen: state.maxRoomGen,
    users: [...state.users.values()],
    sessions: state.sweepSessions(),
    revoked: state.sweepRevoked(),
    rooms: [...state.rooms.values()].map((room) => ({
      name: room.name,
      createdBy: room.createdBy,
      createdById: room.createdById,
      createdAt: room.createdAt,
      epoch: room.epoch,
      gen: room.gen,
      extent: extentOf(room),
    })),
  };
}

/** Loads a snapshot into an empty state: rooms start with no message in memory, lastSeq = extent.seq. */
export function restoreState(state: StoreState, snapshot: Snapshot): Map<number, RoomExtent> {
  const extents = new Map<number, RoomExtent>();
  state.usersCreated = snapshot.usersCreated;
  state.maxRoomGen = snapshot.maxRoomGen;
  for (const user of snapshot.users) state.createUser({ t: 'user.create', user });
  state.usersCreated = snapshot.usersCreated; // createUser counted them again
  for (const session of snapshot.sessions) state.createSession({ t: 'session.create', session });
  for (const [jti, expiresAt] of snapshot.revoked) state.revokeToken({ t: 'token.revoke', jti, expiresAt });
  for (const { gen, extent, ...room } of snapshot.rooms) {
    state.rooms.set(room.name, { ...room, gen, lastSeq: extent.seq, messages: [], firstSeq: extent.seq + 1 });
    state.messageCount += extent.seq;
    extents.set(gen, extent);
  }
  return extents;
}
