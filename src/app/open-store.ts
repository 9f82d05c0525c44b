/**
 * Chooses the `Store` for DATA_DIR (SPEC §1). `:memory:` keeps nothing on disk.
 * A directory selects the durable journal-backed store once it exists; until then
 * the server says on stderr that it is keeping data in memory only, rather than
 * pretending to be durable.
 */
import type { Config } from '../config.js';
import { MEMORY_DATA_DIR } from '../config.js';
import { MemoryStore } from '../store/memory.js';
import type { Store } from '../store/types.js';

export async function openStore(config: Config, warn: (line: string) => void): Promise<Store> {
  if (config.dataDir !== MEMORY_DATA_DIR) {
    warn(`warning: DATA_DIR=${config.dataDir}: durable storage is not available yet; data is kept in memory only`);
  }
  return new MemoryStore();
}
