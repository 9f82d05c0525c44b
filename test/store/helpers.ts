/** Temporary DATA_DIRs, a look at journal frames, and a file system that fails on demand, for the durable-store tests. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { nodeFileSystem, type StoreFile, type StoreFileSystem } from '../../src/store/fs.js';

/** The pid of a process that has already exited: what a lock left by `kill -9` holds. */
export function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

export async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'socketlink-store-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** The journal files of a DATA_DIR, oldest first. */
export async function journals(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.wal')).sort();
}

/** Reads the frames of a journal with the test's own understanding of the format: [u32 length][u32 crc][payload]. */
export async function frameOffsets(file: string): Promise<number[]> {
  const data = await readFile(file);
  const offsets: number[] = [];
  for (let at = 0; at < data.length; at += 8 + data.readUInt32BE(at)) offsets.push(at);
  return offsets;
}

/** Collects warnings instead of printing them. */
export function memoryLog(): { warn(message: string): void; warnings: string[] } {
  const warnings: string[] = [];
  return { warn: (message) => warnings.push(message), warnings };
}

const fsError = (code: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: simulated disk failure`), { code });

/**
 * `nodeFileSystem`, except that while `failing` is set every write writes half its
 * bytes and then fails with `code` (as a full disk does), and every sync fails.
 */
export class FaultyFileSystem implements StoreFileSystem {
  failing: string | undefined;
  failures = 0;

  open = async (file: string, flags: string): Promise<StoreFile> => {
    const inner = await nodeFileSystem.open(file, flags);
    const faults = this;
    return {
      async write(buffer, offset, length, position) {
        if (faults.failing) {
          faults.failures += 1;
          const half = Math.floor(length / 2);
          if (half > 0) await inner.write(buffer, offset, half, position);
          throw fsError(faults.failing);
        }
        return inner.write(buffer, offset, length, position);
      },
      read: (buffer, offset, length, position) => inner.read(buffer, offset, length, position),
      async datasync() {
        if (faults.failing) throw fsError(faults.failing);
        return inner.datasync();
      },
      truncate: (length) => inner.truncate(length),
      stat: () => inner.stat(),
      close: () => inner.close(),
    };
  };
  readFile = nodeFileSystem.readFile;
  readdir = nodeFileSystem.readdir;
  rename = nodeFileSystem.rename;
  unlink = nodeFileSystem.unlink;
  mkdir = nodeFileSystem.mkdir;
  removeTree = nodeFileSystem.removeTree;
  syncDir = async (dir: string): Promise<void> => {
    if (this.failing) throw fsError(this.failing);
    return nodeFileSystem.syncDir(dir);
  };
}
