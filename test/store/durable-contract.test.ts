import { after } from 'node:test';
import { storeContract } from './contract.js';
import { DurableStore } from '../../src/store/durable.js';
import { memoryLog, removeDir, tempDir } from './helpers.js';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await removeDir(dir);
});

storeContract('DurableStore', {
  open: async (clock) => {
    const dir = await tempDir();
    dirs.push(dir);
    return DurableStore.open(dir, { now: () => clock.now, log: memoryLog() });
  },
});

// The same contract with checkpoints after nearly every batch and 3 messages in memory per
// room, so paging crosses from the room files on disk into memory.
storeContract('DurableStore (tiny checkpoints)', {
  open: async (clock) => {
    const dir = await tempDir();
    dirs.push(dir);
    return DurableStore.open(dir, { now: () => clock.now, log: memoryLog(), checkpointBytes: 256, recentMessages: 3 });
  },
});
