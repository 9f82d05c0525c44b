import { storeContract } from './contract.js';
import { MemoryStore } from '../../src/store/memory.js';

storeContract('MemoryStore', { open: async (clock) => new MemoryStore({ now: () => clock.now }) });
