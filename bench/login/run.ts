/**
 * Login storm: 50 concurrent logins against AuthService (in process, real scrypt at
 * N = 2^17, r = 8, p = 1 through the bounded hash pool) while perf_hooks measures the
 * event-loop delay. Goal: p99 delay under 20 ms — scrypt runs on libuv's thread pool, so
 * the loop should stay free whatever the storm — and logins per second reported.
 *
 * Bounded: one registration, then CONCURRENT logins, once. Writes bench/results/login.md.
 */
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { built } from '../lib/built.js';
import { pick, writeResults } from '../lib/results.js';
import { percentile } from '../lib/stats.js';

// The built modules, as the server runs them.
const { AuthService } = await built<typeof import('../../src/auth/service.js')>('auth/service.js');
const { ScryptHasher } = await built<typeof import('../../src/auth/password.js')>('auth/password.js');
const { HashPool } = await built<typeof import('../../src/auth/hash-pool.js')>('auth/hash-pool.js');
const { LoginThrottle } = await built<typeof import('../../src/auth/throttle.js')>('auth/throttle.js');
const { MemoryStore } = await built<typeof import('../../src/store/memory.js')>('store/memory.js');

const CONCURRENT = pick(50, 8);
const PASSWORD = 'storm-password-123';
const ms = (ns: number) => (ns / 1e6).toFixed(1);

const store = new MemoryStore();
const pool = new HashPool();
const auth = new AuthService({
  store,
  secret: Buffer.from('login-bench-secret-login-bench-secret!!', 'utf8'),
  accessTtl: 900,
  refreshTtl: 604_800,
  hasher: new ScryptHasher({ pool }),
  throttle: new LoginThrottle(),
});
await auth.register('stormy', PASSWORD);

// Peak resident memory, sampled while the storm runs (each running scrypt holds 128 MiB).
let peakRss = process.memoryUsage().rss;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
const started = performance.now();
const latencies: number[] = [];
const results = await Promise.allSettled(
  Array.from({ length: CONCURRENT }, async (_, i) => {
    const t0 = performance.now();
    // Distinct client IPs, as a storm of real users would be: the throttle keys on username + IP.
    await auth.login('stormy', PASSWORD, { ip: `10.0.${i >> 8}.${i & 255}`, userAgent: 'bench' });
    latencies.push(performance.now() - t0);
  }),
);
const elapsedMs = performance.now() - started;
delay.disable();
clearInterval(rssTimer);
await store.close();

const ok = results.filter((r) => r.status === 'fulfilled').length;
latencies.sort((a, b) => a - b);
const pct = (p: number) => percentile(latencies, p);
const p99 = delay.percentile(99);
const lines = [
  '# Login storm',
  '',
  `Node ${process.version}, ${availableParallelism()} cores. ${CONCURRENT} concurrent logins of one account from ${CONCURRENT} IPs, in process on AuthService + MemoryStore;`,
  `scrypt N=2^17 r=8 p=1; hash pool K = ${pool.concurrency}, queue bound ${pool.maxQueue}.`,
  '',
  '| measure | value |',
  '| --- | ---: |',
  `| logins succeeded | ${ok} / ${CONCURRENT} |`,
  `| wall time | ${(elapsedMs / 1000).toFixed(2)} s |`,
  `| logins/s | ${((ok * 1000) / elapsedMs).toFixed(1)} |`,
  `| login latency p50 / p99 | ${pct(50).toFixed(0)} / ${pct(99).toFixed(0)} ms |`,
  `| event-loop delay p50 / p99 / max | ${ms(delay.percentile(50))} / ${ms(p99)} / ${ms(delay.max)} ms |`,
  `| peak RSS | ${(peakRss / 2 ** 20).toFixed(0)} MiB |`,
  '',
  `Goal p99 event-loop delay < 20 ms: **${p99 / 1e6 < 20 ? 'met' : 'not met'}** (${ms(p99)} ms).`,
  'Logins/s is bounded by K scrypt hashes at a time; the rest of the storm waits in the bounded queue.',
  '',
];
// The headline: event-loop delay stays far below the goal while logins take scrypt's time.
const chart = {
  title: `Login storm: ${CONCURRENT} concurrent scrypt logins`,
  subtitle: 'event-loop delay percentiles against the 20 ms goal (lower is better); shared machine',
  unit: 'ms',
  ratioTo: 'goal',
  bars: [
    { label: 'goal: p99 event-loop delay', value: 20, note: '' },
    { label: 'event-loop delay p50', value: delay.percentile(50) / 1e6, highlight: true, note: `${(delay.percentile(50) / 1e6 / 20).toFixed(2)}× goal` },
    { label: 'event-loop delay p99', value: p99 / 1e6, highlight: true, note: `${(p99 / 1e6 / 20).toFixed(2)}× goal` },
    { label: 'event-loop delay max', value: delay.max / 1e6, highlight: true, note: `${(delay.max / 1e6 / 20).toFixed(2)}× goal` },
  ],
};
console.log(lines.join('\n'));
console.log(`wrote ${writeResults('login', lines.join('\n'), [chart]).join(', ')}`);
