/**
 * Message history on disk, one pair of files per room (generation):
 *
 *   rooms/NAME~GEN.msg   the room's messages, framed (frame.ts), in seq order
 *   rooms/NAME~GEN.idx   8 bytes per message: the byte offset of seq s's frame at (s - 1) * 8
 *
 * Messages reach these files only at a checkpoint, copied from the journal; the
 * snapshot then records how far each room's files are valid (`RoomExtent`), so
 * anything a crashed checkpoint wrote beyond that is cut off at the next start.
 * Reading seq a..b is two positional reads (index, then data): O(1) in the size
 * of the history, which is why older pages need no memory.
 */
import path from 'node:path';
import { StoreCorruptError } from './errors.js';
import { FRAME_HEADER_BYTES, encodeFrames, scanFrames } from './frame.js';
import { errorCode, openReadWrite, readAt, writeFully, type StoreFile, type StoreFileSystem } from './fs.js';
import type { MessageRecord } from './types.js';

export const ROOMS_DIR = 'rooms';
const INDEX_ENTRY_BYTES = 8;

/** How much of a room's files is valid and durable. */
export interface RoomExtent {
  /** Highest seq in the files, 0 for none. */
  readonly seq: number;
  /** Valid length of the .msg file. */
  readonly bytes: number;
}
export const EMPTY_EXTENT: RoomExtent = { seq: 0, bytes: 0 };

/** Room names are `[a-z0-9_-]{1,32}` (SPEC §2), safe in a file name; `~` never occurs in them. */
export const roomFilePrefix = (name: string, gen: number): string => `${name}~${gen}`;
export const ROOM_FILE_PATTERN = /^([a-z0-9_-]+)~(\d+)\.(msg|idx)$/;

export class RoomFiles {
  readonly dir: string;

  constructor(private readonly fs: StoreFileSystem, dataDir: string) {
    this.dir = path.join(dataDir, ROOMS_DIR);
  }

  private paths(name: string, gen: number): { msg: string; idx: string } {
    const base = path.join(this.dir, roomFilePrefix(name, gen));
    return { msg: `${base}.msg`, idx: `${base}.idx` };
  }

  /**
   * Appends `messages` (seq extent.seq+1, +2, ...) after `extent` and makes them
   * durable; returns the new extent. Writes at the extent, not at the end of the
   * file, so leftovers of an earlier failed attempt are overwritten and cut off.
   */
  async append(name: string, gen: number, extent: RoomExtent, messages: readonly MessageRecord[]): Promise<RoomExtent> {
    if (messages.length === 0) return extent;
    const { msg, idx } = this.paths(name, gen);
    const data = encodeFrames(messages.map((m) => Buffer.from(JSON.stringify(m), 'utf8')));
    const index = Buffer.allocUnsafe(messages.length * INDEX_ENTRY_BYTES);
    let offset = extent.bytes;
    for (let i = 0; i < messages.length; i++) {
      if (messages[i]!.seq !== extent.seq + i + 1) throw new Error(`room ${name}: seq ${messages[i]!.seq} out of order`);
      index.writeBigUInt64BE(BigInt(offset), i * INDEX_ENTRY_BYTES);
      offset += FRAME_HEADER_BYTES + data.readUInt32BE(offset - extent.bytes);
    }
    await withFile(this.fs, msg, async (file) => {
      await file.truncate(extent.bytes);
      await writeFully(file, data, extent.bytes);
      await file.datasync();
    });
    await withFile(this.fs, idx, async (file) => {
      await file.truncate(extent.seq * INDEX_ENTRY_BYTES);
      await writeFully(file, index, extent.seq * INDEX_ENTRY_BYTES);
      await file.datasync();
    });
    return { seq: extent.seq + messages.length, bytes: extent.bytes + data.length };
  }

  /** Messages `from..to` (1 <= from <= to <= extent.seq), oldest first. */
  async read(name: string, gen: number, extent: RoomExtent, from: number, to: number): Promise<MessageRecord[]> {
    if (from > to) return [];
    const { msg, idx } = this.paths(name, gen);
    // Step 1: offsets of `from` .. `to + 1` (the end of `to` is where `to + 1` starts, or the extent's end).
    const lastEntry = Math.min(to + 1, extent.seq);
    const entries = await readOnly(this.fs, idx, (file) =>
      readAt(file, (from - 1) * INDEX_ENTRY_BYTES, (lastEntry - from + 1) * INDEX_ENTRY_BYTES),
    );
    if (entries.length !== (lastEntry - from + 1) * INDEX_ENTRY_BYTES) {
      throw new StoreCorruptError(idx, entries.length, 'index shorter than its extent');
    }
    const start = Number(entries.readBigUInt64BE(0));
    const end = to < extent.seq ? Number(entries.readBigUInt64BE((to + 1 - from) * INDEX_ENTRY_BYTES)) : extent.bytes;
    // Step 2: one read of the frames, checked like any other (length + CRC).
    const data = await readOnly(this.fs, msg, (file) => readAt(file, start, end - start));
    const scan = scanFrames(data, start);
    if (scan.bad) throw new StoreCorruptError(msg, scan.bad.offset, scan.bad.reason);
    const messages = scan.frames.map((frame) => JSON.parse(frame.payload.toString('utf8')) as MessageRecord);
    if (messages.length !== to - from + 1 || messages[0]?.seq !== from) {
      throw new StoreCorruptError(msg, start, `expected seq ${from}..${to}`);
    }
    return messages;
  }

  /**
   * At start: cut the files back to the extent the snapshot vouches for (a crashed
   * checkpoint may have written more); files shorter than it mean lost data.
   */
  async recover(name: string, gen: number, extent: RoomExtent): Promise<void> {
    const { msg, idx } = this.paths(name, gen);
    for (const [file, length] of [[msg, extent.bytes], [idx, extent.seq * INDEX_ENTRY_BYTES]] as const) {
      let handle: StoreFile;
      try {
        handle = await this.fs.open(file, 'r+');
      } catch (error) {
        if (errorCode(error) === 'ENOENT' && length === 0) continue;
        throw new StoreCorruptError(file, 0, `missing (${errorCode(error) ?? 'unreadable'})`);
      }
      try {
        const { size } = await handle.stat();
        if (size < length) throw new StoreCorruptError(file, size, `shorter than the ${length} bytes the snapshot records`);
        if (size > length) {
          await handle.truncate(length);
          await handle.datasync();
        }
      } finally {
        await handle.close();
      }
    }
  }

  async remove(name: string, gen: number): Promise<void> {
    const { msg, idx } = this.paths(name, gen);
    await this.fs.unlink(msg).catch(() => undefined);
    await this.fs.unlink(idx).catch(() => undefined);
  }

  /** Every (name, gen) with files on disk. */
  async list(): Promise<Array<{ name: string; gen: number }>> {
    const seen = new Map<string, { name: string; gen: number }>();
    for (const entry of await this.fs.readdir(this.dir)) {
      const match = ROOM_FILE_PATTERN.exec(entry);
      if (match) seen.set(`${match[1]}~${match[2]}`, { name: match[1]!, gen: Number(match[2]) });
    }
    return [...seen.values()];
  }
}

async function withFile<T>(fs: StoreFileSystem, file: string, use: (handle: StoreFile) => Promise<T>): Promise<T> {
  const { file: handle } = await openReadWrite(fs, file);
  try {
    return await use(handle);
  } finally {
    await handle.close();
  }
}

async function readOnly<T>(fs: StoreFileSystem, file: string, use: (handle: StoreFile) => Promise<T>): Promise<T> {
  const handle = await fs.open(file, 'r');
  try {
    return await use(handle);
  } finally {
    await handle.close();
  }
}
