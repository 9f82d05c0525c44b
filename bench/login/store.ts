/** The store the login bench runs on: the MemoryStore once feat/store has landed it. */
import type { Store } from '../../src/store/types.js';

export async function storeForBench(): Promise<{ store: Store; storeName: string }> {
  try {
    const { MemoryStore } = (await import('../../dist/store/memory.js' as string)) as { MemoryStore: new () => Store };
    return { store: new MemoryStore(), storeName: 'MemoryStore' };
  } catch {
    const { makeStore } = await import('../../test/auth/store.js');
    return { store: makeStore(), storeName: 'the test stand-in store' };
  }
}
