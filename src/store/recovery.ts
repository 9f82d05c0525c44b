/**
 * Recovery at start: rebuild the committed state from DATA_DIR.
 *
 *   1. Remove a half-written `snapshot.tmp` (a crash during a checkpoint): the old
 *      snapshot, which it was to replace, is still whole.
 *   2. Load `snapshot.bin`, if any.
 *   3. Delete journals older than the snapshot (a checkpoint crashed after its
 *      rename, before its cleanup), then replay the rest in order, record by record.
 *      - A bad record at the very end of the last journal is a torn write: the crash
 *        hit while it was being written, so it was never acknowledged. Cut it off
 *        and warn.
 *      - A bad record anywhere else is corruption: refuse to start, naming the file
 *        and byte offset. Skipping it would silently drop acknowledged data.
 *   4. For each room, cut its message files back to what the snapshot vouches for and
 *      load its most recent messages into memory.
 *   5. Delete the files of rooms that no longer exist.
 */
import path from 'node:path';
import { StoreCorruptError } from './errors.js';
import { scanFrames } from './frame.js';
import { errorCode, type StoreFileSystem } from './fs.js';
import { JOURNAL_FILE_PATTERN, journalFileName } from './journal.js';
import type { StoreRecord } from './records.js';
import { EMPTY_EXTENT, RoomFiles, type RoomExtent } from './room-files.js';
import { SNAPSHOT_TEMP_FILE, readSnapshot, restoreState } from './snapshot.js';
import { StoreState } from './state.js';

export interface StoreLog {
  warn(message: string): void;
}

export interface Recovered {
  readonly state: StoreState;
  /** Room generation → how far its message files are valid. */
  readonly extents: Map<number, RoomExtent>;
  /** The journal to continue appending to, and its valid length. */
  readonly journalNumber: number;
  readonly journalSize: number;
  /** Journal bytes replayed: large means a checkpoint is due. */
  readonly replayedBytes: number;
}

export async function recover(
  fs: StoreFileSystem,
  dir: string,
  roomFiles: RoomFiles,
  options: { now: () => number; log: StoreLog; recentMessages: number },
): Promise<Recovered> {
  // Step 1.
  await fs.unlink(path.join(dir, SNAPSHOT_TEMP_FILE)).catch((error: unknown) => {
    if (errorCode(error) !== 'ENOENT') throw error;
  });
  // Step 2.
  const state = new StoreState(options.now);
  const snapshot = await readSnapshot(fs, dir);
  const extents = snapshot ? restoreState(state, snapshot) : new Map<number, RoomExtent>();
  const firstJournal = snapshot?.journal ?? 1;

  // Step 3.
  const numbers = (await fs.readdir(dir))
    .map((name) => JOURNAL_FILE_PATTERN.exec(name))
    .filter((match) => match !== null)
    .map((match) => Number(match[1]))
    .sort((a, b) => a - b);
  for (const number of numbers.filter((n) => n < firstJournal)) await fs.unlink(path.join(dir, journalFileName(number)));
  const toReplay = numbers.filter((n) => n >= firstJournal);
  let journalSize = 0;
  let replayedBytes = 0;
  for (const [i, number] of toReplay.entries()) {
    const file = path.join(dir, journalFileName(number));
    const data = await fs.readFile(file);
    const scan = scanFrames(data);
    for (const frame of scan.frames) {
      let record: StoreRecord;
      try {
        record = JSON.parse(frame.payload.toString('utf8')) as StoreRecord;
        state.apply(record);
      } catch (error) {
        throw new StoreCorruptError(file, frame.offset, `record does not apply (${(error as Error).message})`);
      }
    }
    if (scan.bad) {
      const isLast = i === toReplay.length - 1;
      if (!isLast || !scan.bad.torn) throw new StoreCorruptError(file, scan.bad.offset, scan.bad.reason);
      options.log.warn(
        `${file}: torn record at byte ${scan.bad.offset} (${scan.bad.reason}), ${data.length - scan.validEnd} bytes cut off: the unacknowledged last write before a crash`,
      );
      const handle = await fs.open(file, 'r+');
      try {
        await handle.truncate(scan.validEnd);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    }
    journalSize = scan.validEnd;
    replayedBytes += scan.validEnd;
  }
  const journalNumber = Math.max(firstJournal, toReplay.at(-1) ?? 0);
  if (journalNumber !== toReplay.at(-1)) journalSize = 0;

  // Step 4.
  await fs.mkdir(roomFiles.dir);
  for (const room of state.rooms.values()) {
    const extent = extents.get(room.gen) ?? EMPTY_EXTENT;
    extents.set(room.gen, extent);
    await roomFiles.recover(room.name, room.gen, extent);
    const from = Math.max(1, extent.seq - options.recentMessages + 1);
    const tail = await roomFiles.read(room.name, room.gen, extent, from, extent.seq);
    room.messages = tail.concat(room.messages);
    room.firstSeq = from;
  }
  // Step 5.
  for (const { name, gen } of await roomFiles.list()) {
    if (state.rooms.get(name)?.gen !== gen) await roomFiles.remove(name, gen);
  }
  const liveGens = new Set([...state.rooms.values()].map((room) => room.gen));
  for (const gen of extents.keys()) if (!liveGens.has(gen)) extents.delete(gen);
  return { state, extents, journalNumber, journalSize, replayedBytes };
}
