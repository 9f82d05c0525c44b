/**
 * The durable store behind `DATA_DIR` (SPEC §1, §7 rule 22).
 *
 * Layout of DATA_DIR:
 *   LOCK                      pid of the owning process (lock.ts)
 *   journal-NNNNNNNN.wal      the write-ahead journal: every change, framed (journal.ts)
 *   snapshot.bin              users, sessions, revocations, rooms as of a journal cut (snapshot.ts)
 *   rooms/NAME~GEN.msg|.idx   each room's message history and its seq → offset index (room-files.ts)
 *
 * A write: plan (record-store.ts) → journal append → group fdatasync → apply to
 * memory → resolve (the caller acks). A read: memory, or for old history the room files.
 *
 * A checkpoint, when the journal passes `checkpointBytes`:
 *   1. rotate the journal, capturing the state exactly at the cut;
 *   2. append each room's messages since its last checkpoint to its files, fdatasync;
 *   3. write the snapshot (tmp, fdatasync, rename, fsync dir) pointing at the new journal;
 *   4. only then delete the old journals, and forget old messages from memory.
 * A crash anywhere in 1–3 leaves the old snapshot and its journals: recovery replays
 * them and cuts the room files back. After 3 the new snapshot is the truth.
 */
import path from 'node:path';
import { DataDirLock } from './lock.js';
import { diskUnavailable } from './errors.js';
import { errorCode, nodeFileSystem, type StoreFileSystem } from './fs.js';
import { JOURNAL_FILE_PATTERN, Journal } from './journal.js';
import type { StoreRecord } from './records.js';
import { RecordStore, type RecordStoreOptions } from './record-store.js';
import { recover, type StoreLog } from './recovery.js';
import { EMPTY_EXTENT, RoomFiles, type RoomExtent } from './room-files.js';
import { captureState, writeSnapshot } from './snapshot.js';
import type { RoomState } from './state.js';
import type { MessageRecord } from './types.js';

/** Journal size that triggers a checkpoint: bounds restart time and the messages held in memory. */
export const DEFAULT_CHECKPOINT_BYTES = 16 * 1024 * 1024;
/** Messages per room kept in memory after a checkpoint: the recent pages clients ask for most. */
export const DEFAULT_RECENT_MESSAGES = 1000;
/** After a failed checkpoint (disk trouble), wait this long before trying again. */
const CHECKPOINT_RETRY_MS = 1000;

export interface DurableStoreOptions extends RecordStoreOptions {
  log?: StoreLog;
  /** The file system; a test passes one that fails on demand. */
  fs?: StoreFileSystem;
  checkpointBytes?: number;
  recentMessages?: number;
}

const consoleLog: StoreLog = { warn: (message) => console.error(`warning: ${message}`) };

export class DurableStore extends RecordStore {
  private journal!: Journal;
  private checkpointing: Promise<void> | undefined;
  private checkpointRetryAt = 0;
  /** Rooms deleted since the last checkpoint: their files go once no snapshot names them. */
  private deadRooms: Array<{ name: string; gen: number }> = [];
  private writesFailing = false;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly fs: StoreFileSystem,
    private readonly log: StoreLog,
    private readonly lock: DataDirLock,
    private readonly roomFiles: RoomFiles,
    private readonly extents: Map<number, RoomExtent>,
    private readonly checkpointBytes: number,
    private readonly recentMessages: number,
    options: RecordStoreOptions,
    state: RecordStore['state'],
  ) {
    super(options, state);
  }

  /**
   * Opens DATA_DIR: takes the lock (DataDirLockedError if another process has it),
   * recovers (StoreCorruptError on a bad record before the end), and is ready to write.
   */
  static async open(dir: string, options: DurableStoreOptions = {}): Promise<DurableStore> {
    const fs = options.fs ?? nodeFileSystem;
    const log = options.log ?? consoleLog;
    await fs.mkdir(dir);
    const lock = await DataDirLock.acquire(fs, dir);
    try {
      const roomFiles = new RoomFiles(fs, dir);
      const recentMessages = options.recentMessages ?? DEFAULT_RECENT_MESSAGES;
      const checkpointBytes = options.checkpointBytes ?? DEFAULT_CHECKPOINT_BYTES;
      const recovered = await recover(fs, dir, roomFiles, { now: options.now ?? Date.now, log, recentMessages });
      const store = new DurableStore(
        dir, fs, log, lock, roomFiles, recovered.extents, checkpointBytes, recentMessages, options, recovered.state,
      );
      store.journal = await Journal.open(
        { fs, dir, onWriteFailure: (cause) => store.writeFailed(cause), afterBatch: () => store.afterBatch() },
        recovered.journalNumber,
        recovered.journalSize,
      );
      // A long replay means the last checkpoints did not happen: do one now, so the next start is quick.
      if (recovered.replayedBytes >= checkpointBytes) store.startCheckpoint();
      return store;
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  protected persist<R>(record: StoreRecord, apply: () => R): Promise<R> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return this.journal.append(record, () => {
      const result = apply();
      if (record.t === 'room.delete' && result === true) this.deadRooms.push({ name: record.name, gen: record.gen });
      return result;
    });
  }

  /** A batch failed to reach the disk: nothing planned on it stands; writes answer 503 until the disk recovers. */
  private writeFailed(cause: unknown): unknown {
    this.forgetReservations();
    if (!this.writesFailing) this.log.warn(`journal write failed (${errorCode(cause) ?? String(cause)}): writes answer 503 until the disk recovers`);
    this.writesFailing = true;
    return diskUnavailable(cause);
  }

  private afterBatch(): void {
    if (this.writesFailing) {
      this.writesFailing = false;
      this.log.warn('journal writes succeed again');
    }
    if (this.journal.size >= this.checkpointBytes) this.startCheckpoint();
  }

  private startCheckpoint(): void {
    if (this.checkpointing || this.closed || Date.now() < this.checkpointRetryAt) return;
    this.checkpointing = this.checkpoint()
      .catch((error: unknown) => {
        this.checkpointRetryAt = Date.now() + CHECKPOINT_RETRY_MS;
        this.log.warn(`checkpoint failed (${errorCode(error) ?? String(error)}); the journal keeps everything, will retry`);
      })
      .finally(() => {
        this.checkpointing = undefined;
      });
  }

  private async checkpoint(): Promise<void> {
    // Step 1: cut the journal; capture, at the cut, the state and each room's messages not yet in its files.
    const cut = await this.journal.rotate((_sealed, next) => {
      const pending = new Map<RoomState, MessageRecord[]>();
      for (const room of this.state.rooms.values()) {
        const extent = this.extentOf(room);
        pending.set(room, this.state.memoryRange(room, extent.seq + 1, room.lastSeq));
      }
      // The snapshot must be taken here, at the cut: a record committed after it is in
      // the new journal and will be replayed on top of the snapshot.
      const snapshot = captureState(this.state, next, (room) => this.extentOf(room));
      return { next, pending, snapshot, deadRooms: this.deadRooms.splice(0) };
    });
    // Step 2: copy those messages into the room files and sync them.
    const newExtents = new Map<number, RoomExtent>();
    for (const [room, messages] of cut.pending) {
      newExtents.set(room.gen, await this.roomFiles.append(room.name, room.gen, this.extentOf(room), messages));
    }
    await this.fs.syncDir(this.roomFiles.dir); // new room files' names must survive a crash too
    // Step 3: the snapshot at the cut, with the rooms' new extents, naming the new journal.
    const rooms = cut.snapshot.rooms.map((room) => ({ ...room, extent: newExtents.get(room.gen) ?? room.extent }));
    await writeSnapshot(this.fs, this.dir, { ...cut.snapshot, rooms });
    // Step 4: the new snapshot is durable; what it replaces can go.
    for (const [gen, extent] of newExtents) this.extents.set(gen, extent);
    for (const room of this.state.rooms.values()) {
      const extent = this.extentOf(room);
      this.state.dropMessagesBefore(room, Math.min(extent.seq + 1, room.lastSeq + 1 - this.recentMessages));
    }
    for (const name of await this.fs.readdir(this.dir)) {
      const match = JOURNAL_FILE_PATTERN.exec(name);
      if (match && Number(match[1]) < cut.next) await this.fs.unlink(path.join(this.dir, name));
    }
    for (const { name, gen } of cut.deadRooms) {
      this.extents.delete(gen);
      await this.roomFiles.remove(name, gen);
    }
  }

  private extentOf(room: RoomState): RoomExtent {
    return this.extents.get(room.gen) ?? EMPTY_EXTENT;
  }

  protected override async readOlder(room: RoomState, from: number, to: number): Promise<MessageRecord[]> {
    const extent = this.extentOf(room); // read synchronously: files only grow past it
    try {
      return await this.roomFiles.read(room.name, room.gen, extent, from, to);
    } catch (error) {
      // The room was deleted meanwhile and its files removed: it has no history any more.
      if (this.state.rooms.get(room.name)?.gen !== room.gen) return [];
      throw error;
    }
  }

  /** Waits for queued writes and a running checkpoint, closes the journal, releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.checkpointing;
    await this.journal.close();
    await this.lock.release();
  }
}
