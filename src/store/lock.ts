/**
 * One owner per DATA_DIR. Two processes appending to one journal would interleave
 * their records and each believe its own view of `seq` — so the second one must
 * not start.
 *
 * The lock is a file created with O_CREAT|O_EXCL (`'wx'`): the kernel guarantees that
 * exactly one of several racing creators succeeds. It holds the owner's pid and host
 * name, so a lock left by a process that died (kill -9 cannot clean up) is recognised
 * as stale by asking the kernel whether that pid still exists — on this host only: a
 * pid says nothing about another machine (or container) sharing the directory.
 *
 * Our own pid in a lock this process does not hold is stale too: it was left by an
 * earlier process that had our pid. That is the rule, not the exception, in a container,
 * where the server is pid 1 on every start.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import { DataDirLockedError } from './errors.js';
import { errorCode, writeFully, type StoreFileSystem } from './fs.js';

export const LOCK_FILE = 'LOCK';

/** The lock files this process holds (absolute paths). */
const held = new Set<string>();

export class DataDirLock {
  private constructor(private readonly fs: StoreFileSystem, private readonly file: string) {}

  /**
   * Step 1: try to create the lock file exclusively, with our pid and host in it.
   * Step 2: if it exists, read the owner; a live owner, or one on another host (which
   *         cannot be checked from here), means DataDirLockedError.
   * Step 3: otherwise the lock is stale (dead owner, our own pid but not our lock, or
   *         unreadable): remove it and go to step 1, once.
   */
  static async acquire(fs: StoreFileSystem, dir: string): Promise<DataDirLock> {
    const file = path.resolve(dir, LOCK_FILE);
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await fs.open(file, 'wx');
        try {
          await writeFully(handle, Buffer.from(`${process.pid} ${hostname()}\n`), 0);
          await handle.datasync();
        } finally {
          await handle.close();
        }
        held.add(file);
        return new DataDirLock(fs, file);
      } catch (error) {
        if (errorCode(error) !== 'EEXIST' || attempt > 0) {
          if (errorCode(error) === 'EEXIST') throw lockedBy(await readOwner(fs, file));
          throw error;
        }
      }
      const owner = await readOwner(fs, file);
      if (owner.pid > 0 && !isStale(owner, file)) throw lockedBy(owner);
      await fs.unlink(file).catch(() => undefined); // stale: its owner is gone
    }
  }

  async release(): Promise<void> {
    held.delete(this.file);
    await this.fs.unlink(this.file).catch(() => undefined);
  }
}

interface Owner {
  /** 0 = nobody: a crash between create and write leaves an empty file. */
  readonly pid: number;
  /** Empty in a lock written before host names were recorded: taken as this host. */
  readonly host: string;
}

async function readOwner(fs: StoreFileSystem, file: string): Promise<Owner> {
  const text = await fs.readFile(file).then((b) => b.toString('utf8'), () => '');
  const [pidText = '', host = ''] = text.trim().split(' ');
  const pid = Number.parseInt(pidText, 10);
  return { pid: Number.isSafeInteger(pid) && pid > 0 ? pid : 0, host };
}

function isStale(owner: Owner, file: string): boolean {
  if (owner.host !== '' && owner.host !== hostname()) return false; // cannot tell: assume alive
  return owner.pid === process.pid ? !held.has(file) : !isAlive(owner.pid);
}

function lockedBy(owner: Owner): DataDirLockedError {
  return new DataDirLockedError(owner.pid, owner.host !== '' && owner.host !== hostname() ? owner.host : undefined);
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
