/**
 * `DATA_DIR=:memory:` (SPEC §1): everything lives in the process and dies with it.
 * All the logic is in `RecordStore`/`StoreState`, shared with the DurableStore; the
 * only thing this store decides is that a record is "persisted" the moment it exists.
 */
import type { StoreRecord } from './records.js';
import { RecordStore, type RecordStoreOptions } from './record-store.js';

export class MemoryStore extends RecordStore {
  constructor(options: RecordStoreOptions = {}) {
    super(options);
  }

  protected persist<R>(_record: StoreRecord, apply: () => R): Promise<R> {
    // Nothing to wait for: apply now, so reservations never outlive the call.
    return Promise.resolve(apply());
  }

  async close(): Promise<void> {}
}
