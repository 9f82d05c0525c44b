/**
 * The file-system calls the durable store makes, behind an interface so a test can
 * hand in one that fails with ENOSPC or EIO on demand. The default is `node:fs/promises`.
 */
import { open, readFile, readdir, rename, unlink, mkdir, rm } from 'node:fs/promises';

export interface StoreFile {
  /** Positional write: never depends on a shared file offset, so a retry rewrites the same bytes. */
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  /** fdatasync(2): the data and the size, not the mtime — all a reader needs after a crash. */
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

export interface StoreFileSystem {
  /** `flags` as in fs.open: 'r', 'r+', 'wx' (create, fail if it exists), 'a+'... */
  open(path: string, flags: string): Promise<StoreFile>;
  readFile(path: string): Promise<Buffer>;
  readdir(path: string): Promise<string[]>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  removeTree(path: string): Promise<void>;
  /**
   * fsync(2) on a directory: makes the directory entries themselves durable — that a
   * file was created, renamed or removed. Without it a crash can forget a rename
   * even though the renamed file's bytes were synced.
   */
  syncDir(path: string): Promise<void>;
}

export const nodeFileSystem: StoreFileSystem = {
  open: (path, flags) => open(path, flags),
  readFile: (path) => readFile(path),
  readdir: (path) => readdir(path),
  rename: (from, to) => rename(from, to),
  unlink: (path) => unlink(path),
  mkdir: async (path) => {
    await mkdir(path, { recursive: true });
  },
  removeTree: (path) => rm(path, { recursive: true, force: true }),
  syncDir: async (path) => {
    const dir = await open(path, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  },
};

/** Writes all of `buffer` at `position`: a regular-file write may be short, so loop until done. */
export async function writeFully(file: StoreFile, buffer: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesWritten } = await file.write(buffer, done, buffer.length - done, position + done);
    done += bytesWritten;
  }
}

/** Reads `length` bytes at `position` (fewer only at end of file). */
export async function readAt(file: StoreFile, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buffer.subarray(0, done);
}

export const errorCode = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;

/** Opens `path` read-write, creating it if missing (never O_APPEND: it would ignore our positions). */
export async function openReadWrite(fs: StoreFileSystem, path: string): Promise<{ file: StoreFile; created: boolean }> {
  try {
    return { file: await fs.open(path, 'r+'), created: false };
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
    return { file: await fs.open(path, 'w+'), created: true };
  }
}
