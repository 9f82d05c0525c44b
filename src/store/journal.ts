/**
 * The write-ahead journal (WAL).
 *
 * A write-ahead log turns "change the data" into "append a description of the
 * change to a file, make that append durable, then change the data in memory".
 * After a crash, reading the log from the start and re-applying every record
 * rebuilds exactly the state that was acknowledged — nothing more, nothing less.
 *
 * Why fsync: write(2) only copies bytes into the kernel's page cache. They reach the
 * disk seconds later, or never if the power goes. fsync/fdatasync returns only once
 * they are on stable storage, so an ack may be sent only after it (SPEC §7 rule 22).
 *
 * Group commit: an fsync costs about as much for one record as for a thousand, so
 * every append made while the previous write is in flight (or in the same tick)
 * joins the next batch: one write(2) and one fdatasync(2) for all of them, and each
 * append's promise resolves only after the fdatasync that covers it.
 *
 * Failure: if a write or fdatasync fails (ENOSPC, EIO), nothing in the batch nor
 * queued behind it is acknowledged: their plans (seq numbers) may depend on the
 * failed ones. The file is cut back to its last durable length before the next
 * attempt — after a failed fsync the kernel may have dropped the dirty pages, so
 * what was written is not to be trusted — and the next append simply tries again.
 */
import path from 'node:path';
import { encodeFrames } from './frame.js';
import { openReadWrite, writeFully, type StoreFile, type StoreFileSystem } from './fs.js';

export const journalFileName = (number: number): string => `journal-${String(number).padStart(8, '0')}.wal`;
export const JOURNAL_FILE_PATTERN = /^journal-(\d{8})\.wal$/;

interface Entry {
  readonly payload: Buffer;
  readonly apply: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** A pending switch to a new journal file, run between two batches. */
interface Rotation {
  readonly capture: (sealedNumber: number, nextNumber: number) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export interface JournalOptions {
  readonly fs: StoreFileSystem;
  readonly dir: string;
  /** Called once per failed batch, before its appends reject; the error is what they reject with. */
  readonly onWriteFailure: (cause: unknown) => unknown;
  /** Called after every committed batch (e.g. to decide on a checkpoint). */
  readonly afterBatch?: () => void;
}

type JournalState = 'open' | 'closing' | 'closed';

export class Journal {
  private queue: Entry[] = [];
  private rotation: Rotation | undefined;
  private flushScheduled = false;
  private flushing = false;
  /** Set after a failed write: the bytes past `size` must be cut off before anything else. */
  private dirtyTail = false;
  private state: JournalState = 'open';
  private idle: Array<() => void> = [];

  private constructor(
    private readonly options: JournalOptions,
    private file: StoreFile,
    /** Number of the file being appended to. */
    public number: number,
    /** Bytes of that file known durable: the next batch is written here. */
    public size: number,
  ) {}

  /** Opens journal `number` for appending at `size` (its valid length), creating it if needed. */
  static async open(options: JournalOptions, number: number, size: number): Promise<Journal> {
    const file = await openForAppend(options, number, size);
    return new Journal(options, file, number, size);
  }

  /**
   * Appends `record`; once the fdatasync covering it returns, calls `apply`
   * (synchronously, in append order) and resolves with its result.
   */
  append<R>(record: unknown, apply: () => R): Promise<R> {
    if (this.state !== 'open') return Promise.reject(new Error('journal is closed'));
    const payload = Buffer.from(JSON.stringify(record), 'utf8');
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ payload, apply, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /**
   * Seals the current file and continues in a new one. `capture` runs between two
   * batches, after everything in the sealed file was applied and before anything
   * in the new one is: the state it sees is exactly "all journals up to the sealed one".
   */
  rotate<T>(capture: (sealedNumber: number, nextNumber: number) => T): Promise<T> {
    if (this.rotation) return Promise.reject(new Error('a rotation is already pending'));
    return new Promise<T>((resolve, reject) => {
      this.rotation = { capture, resolve: resolve as (value: unknown) => void, reject };
      this.schedule();
    });
  }

  /** Writes what is queued, then closes the file. Later appends reject. */
  async close(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    await this.whenIdle();
    this.state = 'closed';
    await this.file.close();
  }

  private whenIdle(): Promise<void> {
    if (!this.flushing && !this.flushScheduled) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.flushing || this.flushScheduled) return;
    this.flushScheduled = true;
    // setImmediate, not a microtask: every append made in this tick of the event loop joins the batch.
    setImmediate(() => void this.flush());
  }

  /** The group-commit loop: one batch at a time; whatever arrives meanwhile forms the next. */
  private async flush(): Promise<void> {
    this.flushScheduled = false;
    this.flushing = true;
    while (this.queue.length > 0 || this.rotation) {
      if (this.rotation) await this.rotateNow(this.rotation);
      if (this.queue.length > 0) await this.writeBatch();
    }
    this.flushing = false;
    for (const resolve of this.idle.splice(0)) resolve();
  }

  private async writeBatch(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    const bytes = encodeFrames(batch.map((entry) => entry.payload));
    try {
      // Step 1: a previous failure may have left part of a batch past `size`: cut it off.
      if (this.dirtyTail) {
        await this.file.truncate(this.size);
        this.dirtyTail = false;
      }
      // Step 2: one write(2) for the whole batch, at the durable end of the file.
      await writeFully(this.file, bytes, this.size);
      // Step 3: one fdatasync(2). Only after it returns is the batch durable.
      await this.file.datasync();
    } catch (cause) {
      this.dirtyTail = true;
      // Everything queued meanwhile was planned on top of this batch: it fails too.
      const failed = batch.concat(this.queue);
      this.queue = [];
      const error = this.options.onWriteFailure(cause);
      for (const entry of failed) entry.reject(error);
      return;
    }
    this.size += bytes.length;
    // Step 4: apply and acknowledge, in journal order.
    for (const entry of batch) {
      try {
        entry.resolve(entry.apply());
      } catch (error) {
        entry.reject(error);
      }
    }
    this.options.afterBatch?.();
  }

  private async rotateNow(rotation: Rotation): Promise<void> {
    this.rotation = undefined;
    const next = this.number + 1;
    try {
      // The new file must exist durably (file + directory entry) before any record goes in it.
      const file = await openForAppend(this.options, next, 0);
      const sealed = this.file;
      const sealedNumber = this.number;
      this.file = file;
      this.number = next;
      this.size = 0;
      this.dirtyTail = false;
      rotation.resolve(rotation.capture(sealedNumber, next));
      await sealed.close();
    } catch (error) {
      rotation.reject(error);
    }
  }
}

async function openForAppend(options: JournalOptions, number: number, size: number): Promise<StoreFile> {
  const file = path.join(options.dir, journalFileName(number));
  if (size === 0) {
    const { file: handle } = await openReadWrite(options.fs, file);
    await handle.truncate(0);
    await handle.datasync();
    await options.fs.syncDir(options.dir);
    return handle;
  }
  return options.fs.open(file, 'r+');
}
