/**
 * One owner per DATA_DIR. Two processes appending to one journal would interleave
 * their records and each believe its own view of `seq` — so the second one must
 * not start.
 *
 * The lock is a file created with O_CREAT|O_EXCL (`'wx'`): the kernel guarantees that
 * exactly one of several racing creators succeeds. It holds the owner's pid, so a
 * lock left by a process that died (kill -9 cannot clean up) is recognised as stale
 * by asking the kernel whether that pid still exists.
 */
import path from 'node:path';
import { DataDirLockedError } from './errors.js';
import { errorCode, writeFully, type StoreFileSystem } from './fs.js';

export const LOCK_FILE = 'LOCK';

export class DataDirLock {
  private constructor(private readonly fs: StoreFileSystem, private readonly file: string) {}

  /**
   * Step 1: try to create the lock file exclusively, with our pid in it.
   * Step 2: if it exists, read the owner's pid; a live owner means DataDirLockedError.
   * Step 3: a dead (or unreadable) owner's lock is stale: remove it and go to step 1, once.
   */
  static async acquire(fs: StoreFileSystem, dir: string): Promise<DataDirLock> {
    const file = path.join(dir, LOCK_FILE);
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await fs.open(file, 'wx');
        try {
          await writeFully(handle, Buffer.from(`${process.pid}\n`), 0);
          await handle.datasync();
        } finally {
          await handle.close();
        }
        return new DataDirLock(fs, file);
      } catch (error) {
        if (errorCode(error) !== 'EEXIST' || attempt > 0) {
          if (errorCode(error) === 'EEXIST') throw new DataDirLockedError(await readOwner(fs, file));
          throw error;
        }
      }
      const owner = await readOwner(fs, file);
      if (owner > 0 && isAlive(owner)) throw new DataDirLockedError(owner);
      await fs.unlink(file).catch(() => undefined); // stale: its owner is gone
    }
  }

  async release(): Promise<void> {
    await this.fs.unlink(this.file).catch(() => undefined);
  }
}

async function readOwner(fs: StoreFileSystem, file: string): Promise<number> {
  // A crash between create and write leaves an empty file: pid 0 = nobody.
  const text = await fs.readFile(file).then((b) => b.toString('utf8'), () => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : 0;
}

/** kill(pid, 0) sends nothing; it only checks: ESRCH = no such process, EPERM = alive but not ours. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}
