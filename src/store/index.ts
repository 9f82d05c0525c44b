/**
 * What the entry point needs from the storage layer: one call that turns the
 * `DATA_DIR` setting (SPEC §1) into a Store, and the errors it may print and exit 1 on.
 */
import { DurableStore } from './durable.js';
import { MemoryStore } from './memory.js';
import type { StoreLog } from './recovery.js';
import type { Store } from './types.js';

export { DataDirLockedError, StoreCorruptError } from './errors.js';
export { DurableStore, type DurableStoreOptions } from './durable.js';
export { MemoryStore } from './memory.js';
export type { StoreLog } from './recovery.js';

/** `DATA_DIR=:memory:` keeps nothing on disk. */
export const MEMORY_DATA_DIR = ':memory:';

/**
 * `:memory:` → MemoryStore; any other value → DurableStore on that directory (created if
 * missing). Rejects with DataDirLockedError (`DATA_DIR in use by pid N`) or
 * StoreCorruptError (file and byte offset): print `error.message` and exit 1.
 */
export async function openStore(dataDir: string, log: StoreLog): Promise<Store> {
  if (dataDir === MEMORY_DATA_DIR) return new MemoryStore();
  return DurableStore.open(dataDir, { log });
}
