// Measures one restart of a DATA_DIR in a fresh process: open time, RSS, one old page.
// Run by bench/store/run.ts with the built store (dist/).
import { DurableStore } from '../../dist/store/durable.js';

const dir = process.argv[2];
const started = performance.now();
const store = await DurableStore.open(dir, { log: { warn: () => {} } });
const openMs = performance.now() - started;
globalThis.gc?.();
const rss = process.memoryUsage().rss;
const pageStarted = performance.now();
const oldPage = await store.messagesBefore('room-0', 51, 50);
const oldPageMs = performance.now() - pageStarted;
const messages = await store.countMessages();
await store.close();
process.stdout.write(JSON.stringify({ openMs, rss, oldPageMs, oldPageSeqs: [oldPage[0]?.seq, oldPage.at(-1)?.seq], messages }) + '\n');
