/**
 * `npm run bench:store`: the durable store against the MemoryStore, in one run.
 *
 * 0. The headline (server-throughput.ts): the built server with a temp DATA_DIR
 *    against the same server with DATA_DIR=:memory:, 1/10/100 HTTP writers.
 * 1. Store-level append throughput (messages acknowledged per second) with 1, 10 and 100
 *    concurrent writers, each awaiting its ack before the next append — the
 *    DurableStore's acks wait for fdatasync, so this measures group commit.
 * 2. Restart time and RSS of a fresh process opening a DATA_DIR after 100,000
 *    and after 1,000,000 messages in 100 rooms: restart should stay well under
 *    10 s and RSS should not grow with total history.
 * Bounded: each throughput cell runs THROUGHPUT_MS; the fill stops at FILL_LIMIT_MS.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Store } from '../../src/store/types.js';
import { built } from '../lib/built.js';
import { pick, writeResults } from '../lib/results.js';
import { median } from '../lib/stats.js';
import type { Bar } from '../lib/svg.js';
import { CELL_MS, REPEATS, SERVER_ROOMS, serverThroughput } from './server-throughput.js';

// The built modules, as the server runs them (restart-child.mjs loads dist/ too).
const { DurableStore } = await built<typeof import('../../src/store/durable.js')>('store/durable.js');
const { MemoryStore } = await built<typeof import('../../src/store/memory.js')>('store/memory.js');

const HERE = path.dirname(fileURLToPath(import.meta.url));
const THROUGHPUT_MS = pick(2000, 300);
const WRITER_COUNTS = [1, 10, 100];
const ROOMS = 100;
const FILL_TARGETS = pick([100_000, 1_000_000], [10_000]);
const FILL_CONCURRENCY = 1000;
const FILL_LIMIT_MS = 90_000;
const FSYNC_SAMPLES = 200;
const silent = { warn: () => {} };

async function createRooms(store: Store): Promise<void> {
  for (let r = 0; r < ROOMS; r++) {
    await store.createRoom({ name: `room-${r}`, createdBy: 'bench', createdById: 'bench', createdAt: 0, epoch: `e${r}` });
  }
}

let counter = 0;
const message = () => ({ id: `m${++counter}`, text: `benchmark message number ${counter} with some text`, sender: 'bench', senderId: 'bench', timestamp: Date.now() });

/** `writers` loops, each appending and awaiting its ack, until `ms` is over (or `total` appends). */
async function hammer(store: Store, writers: number, ms: number, total = Infinity): Promise<{ count: number; seconds: number }> {
  let count = 0;
  let issued = 0;
  const started = performance.now();
  const deadline = started + ms;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      while (performance.now() < deadline && issued < total) {
        issued++;
        await store.appendMessage(`room-${(w + issued) % ROOMS}`, message());
        count++;
      }
    }),
  );
  return { count, seconds: (performance.now() - started) / 1000 };
}

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'socketlink-bench-store-'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** One bar per store and writer count, for the chart. */
const throughputBars: Bar[] = [];

async function throughput(): Promise<string[]> {
  const rows = ['| writers | MemoryStore msg/s | DurableStore msg/s | memory ÷ durable |', '| ---: | ---: | ---: | ---: |'];
  for (const writers of WRITER_COUNTS) {
    const memory = new MemoryStore();
    await createRooms(memory);
    const m = await hammer(memory, writers, THROUGHPUT_MS);
    const dir = await tempDir();
    const durable = await DurableStore.open(dir, { log: silent });
    await createRooms(durable);
    const d = await hammer(durable, writers, THROUGHPUT_MS);
    await durable.close();
    await rm(dir, { recursive: true, force: true });
    const mRate = m.count / m.seconds;
    const dRate = d.count / d.seconds;
    rows.push(`| ${writers} | ${fmt(mRate)} | ${fmt(dRate)} | ${(mRate / dRate).toFixed(2)}× |`);
    const group = `${writers} concurrent writer${writers === 1 ? '' : 's'}`;
    throughputBars.push({ group, label: 'MemoryStore', value: mRate }, { group, label: 'DurableStore (fdatasync acks)', value: dRate, highlight: true });
    console.log(rows.at(-1));
  }
  return rows;
}

/** The floor under every durable ack: one small write + fdatasync on this disk. */
async function fsyncLatency(): Promise<string> {
  const dir = await tempDir();
  const file = await open(path.join(dir, 'probe'), 'w');
  const samples: number[] = [];
  const chunk = Buffer.alloc(256, 1);
  for (let i = 0; i < FSYNC_SAMPLES; i++) {
    const t = performance.now();
    await file.write(chunk, 0, chunk.length, i * chunk.length);
    await file.datasync();
    samples.push(performance.now() - t);
  }
  await file.close();
  await rm(dir, { recursive: true, force: true });
  const middle = median(samples);
  return `Raw 256-byte write + fdatasync on this disk: median ${middle.toFixed(2)} ms (${FSYNC_SAMPLES} samples), so one writer can get at most ~${fmt(1000 / middle)} acks/s and N writers ~N× that.`;
}

async function restarts(): Promise<string[]> {
  const rows = [
    '| messages on disk | fill time | restart (open) | RSS after restart | old page (seq 1–50) read |',
    '| ---: | ---: | ---: | ---: | ---: |',
  ];
  const dir = await tempDir();
  let store = await DurableStore.open(dir, { log: silent });
  await createRooms(store);
  const started = performance.now();
  let written = 0;
  for (const target of FILL_TARGETS) {
    const left = FILL_LIMIT_MS - (performance.now() - started);
    if (left <= 0) break;
    written += (await hammer(store, FILL_CONCURRENCY, left, target - written)).count;
    const fillSeconds = (performance.now() - started) / 1000;
    await store.close();
    const out = execFileSync(process.execPath, ['--expose-gc', path.join(HERE, 'restart-child.mjs'), dir], { encoding: 'utf8' });
    const r = JSON.parse(out) as { openMs: number; rss: number; oldPageMs: number; oldPageSeqs: number[]; messages: number };
    rows.push(`| ${fmt(r.messages)} | ${fillSeconds.toFixed(1)} s | ${(r.openMs / 1000).toFixed(2)} s | ${mib(r.rss)} MiB | ${r.oldPageMs.toFixed(1)} ms |`);
    console.log(rows.at(-1));
    store = await DurableStore.open(dir, { log: silent });
  }
  await store.close();
  await rm(dir, { recursive: true, force: true });
  return rows;
}

const latency = await fsyncLatency();
console.log(latency);
const server = await serverThroughput();
const tput = await throughput();
const restart = await restarts();
const report = [
  '# Store benchmark',
  '',
  `Node ${process.version}, ${os.cpus().length} cores (shared), ${os.platform()}; ${new Date().toISOString()}.`,
  'The DurableStore acks only after the fdatasync that covers the record (group commit: one write + one fdatasync per batch).',
  latency,
  '',
  '## Server level: acknowledged messages per second over HTTP',
  '',
  `The built server (\`dist/server.js\`) with \`DATA_DIR=:memory:\` and the same server with a fresh temp DATA_DIR, side by side in this run.`,
  `N writers, each on its own keep-alive HTTP connection, post \`POST /api/rooms/:name/messages\` (${SERVER_ROOMS} rooms) and await the 201`,
  `before the next post. Cells of ${CELL_MS / 1000} s alternate memory/durable; best of ${REPEATS} each. Client and server share the same 2 cores.`,
  'Goal: durable within 2× of memory at 100 writers.',
  '',
  ...server.rows,
  '',
  '## Store level: append throughput (no HTTP)',
  '',
  `Each writer awaits its ack before its next append; ${ROOMS} rooms; ${THROUGHPUT_MS / 1000} s per cell.`,
  '',
  ...tput,
  '',
  `## Restart after N messages in ${ROOMS} rooms (store level: a fresh process opens the DATA_DIR after a clean close; RSS after gc)`,
  '',
  ...restart,
  '',
];
const serverChart = {
  title: 'Server message throughput over HTTP (201s/s, higher is better)',
  subtitle: `dist/server.js, DATA_DIR=:memory: vs a temp DATA_DIR; each writer awaits its 201; best of ${REPEATS} × ${CELL_MS / 1000} s; shared machine`,
  unit: 'msg/s',
  ratioTo: 'DATA_DIR=:memory:',
  bars: server.bars,
};
const chart = {
  title: 'Store append throughput (messages acknowledged/s, higher is better)',
  subtitle: `each writer awaits its ack; ${THROUGHPUT_MS / 1000} s per cell; same-run ratios to MemoryStore; shared machine`,
  unit: 'msg/s',
  ratioTo: 'MemoryStore',
  bars: throughputBars,
};
console.log(`wrote ${writeResults('store', report.join('\n'), [serverChart, chart]).join(', ')}`);
