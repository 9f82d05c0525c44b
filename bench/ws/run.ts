/**
 * `npm run bench:ws`: SocketLink's WebSocket engine against the `ws` package and a raw
 * node:net echo (the ceiling), in one run, each server in its own process on core 0 and
 * the load generator on core 1. Every phase is bounded (a few seconds); the whole run
 * takes about two minutes. Writes bench/results/ws.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const CONNECTIONS = 100;
const WARMUP_MS = 300;
const DURATION_MS = 1000;
/** The machine is shared: each row is the median of this many rounds, servers interleaved. */
const ROUNDS = 3;
const FIXED_RATE = 10_000; // messages/s offered for the CPU-per-message phase
const FANOUT_ROUNDS = 20;
const IDLE_CONNECTIONS = 10_000;
type Impl = 'ours' | 'ws' | 'raw';
/** BENCH_PHASES=echo,cpu,fanout,memory runs a subset while iterating; the default is all. */
const PHASES = new Set((process.env.BENCH_PHASES ?? 'echo,cpu,fanout,memory').split(','));

const hasTaskset = existsSync('/usr/bin/taskset') && os.cpus().length >= 2;

function start(file: string, args: string[], core: number): ChildProcess {
  const node = [process.execPath, '--expose-gc', '--import', 'tsx', path.join(HERE, file), ...args];
  const [cmd, ...rest] = hasTaskset ? ['taskset', '-c', String(core), ...node] : node;
  return spawn(cmd!, rest, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function next<T = Record<string, any>>(child: ChildProcess, type: string, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`timed out waiting for ${type}`));
    }, timeoutMs);
    const onMessage = (message: any) => {
      if (message.type === 'error') {
        clearTimeout(timer);
        child.off('message', onMessage);
        reject(new Error(message.message));
      } else if (message.type === type) {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(message);
      }
    };
    child.on('message', onMessage);
  });
}

async function ask<T = Record<string, any>>(child: ChildProcess, message: object, type: string, timeoutMs?: number): Promise<T> {
  const reply = next<T>(child, type, timeoutMs);
  child.send(message);
  return reply;
}

interface Server {
  impl: Impl;
  child: ChildProcess;
  port: number;
}

async function startServer(impl: Impl): Promise<Server> {
  const child = start('server.ts', [impl], 0);
  const { port } = await next<{ port: number }>(child, 'ready');
  return { impl, child, port };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.send({ cmd: 'exit' });
  await exited;
}

const cpuMicros = (u: { cpu: { user: number; system: number } }) => u.cpu.user + u.cpu.system;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : `${(a / b).toFixed(2)}×`);

/** The servers in a different order each round, so none always runs first. */
function rotate<T>(items: T[], by: number): T[] {
  return items.map((_, i) => items[(i + by) % items.length]!);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function medians(samples: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  if (samples.length === 0) return out;
  for (const key of Object.keys(samples[0]!)) if (typeof samples[0]![key] === 'number') out[key] = median(samples.map((s) => s[key]!));
  return out;
}

async function main(): Promise<void> {
  const began = performance.now();
  const generator = start('load.ts', [], 1);
  await next(generator, 'ready');
  const impls: Impl[] = ['raw', 'ws', 'ours'];
  const servers = new Map<Impl, Server>();
  for (const impl of impls) servers.set(impl, await startServer(impl));
  const lines: string[] = [];
  const log = (line = '') => {
    lines.push(line);
    console.log(line);
  };

  log('# WebSocket engine benchmark');
  log();
  log(`Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; servers pinned to core 0 and the generator to core 1: ${hasTaskset ? 'yes' : 'no'}.`);
  log(`Echo: ${CONNECTIONS} connections, closed loop, ${WARMUP_MS} ms warm-up then ${DURATION_MS} ms measured; each row is the median of ${ROUNDS} rounds with the servers interleaved (the machine is shared). raw = node:net echo of the same bytes (no parsing; the ceiling).`);
  log();

  // 1. Echo throughput and latency.
  log('## Echo throughput');
  log();
  log('| message | in flight / conn | server | messages/s | p50 ms | p99 ms | generator CPU % | vs ws | vs raw |');
  log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const summary: string[] = [];
  for (const size of PHASES.has('echo') ? [32, 4096] : []) {
    for (const inflight of [1, 16]) {
      const samples = new Map<Impl, Record<string, number>[]>(impls.map((impl) => [impl, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const impl of rotate(impls, round)) {
          const server = servers.get(impl)!;
          const result = await ask(generator, { cmd: 'echo', port: server.port, conns: CONNECTIONS, size, inflight, warmupMs: WARMUP_MS, durationMs: DURATION_MS }, 'echo-result');
          samples.get(impl)!.push(result);
        }
      }
      const rows = new Map<Impl, Record<string, number>>(impls.map((impl) => [impl, medians(samples.get(impl)!)]));
      for (const impl of impls) {
        const r = rows.get(impl)!;
        log(
          `| ${size} B | ${inflight} | ${impl} | ${fmt(r.perSecond!)} | ${fmt(r.p50!, 2)} | ${fmt(r.p99!, 2)} | ${fmt(r.generatorCpuPercent!)} | ${ratio(r.perSecond!, rows.get('ws')!.perSecond!)} | ${ratio(r.perSecond!, rows.get('raw')!.perSecond!)} |`,
        );
      }
      summary.push(`echo ${size} B × ${inflight}: ours/ws ${ratio(rows.get('ours')!.perSecond!, rows.get('ws')!.perSecond!)}, ours/raw ${ratio(rows.get('ours')!.perSecond!, rows.get('raw')!.perSecond!)}`);
    }
  }
  log();

  // 2. Server CPU per echoed message at a fixed offered load.
  log(`## Server CPU per echoed message (fixed load: ${fmt(FIXED_RATE)} messages/s of 32 B over ${CONNECTIONS} connections)`);
  log();
  log('| server | echoed messages/s | server CPU µs / message | generator CPU % | vs ws |');
  log('| --- | ---: | ---: | ---: | ---: |');
  const cpuSamples = new Map<Impl, Record<string, number>[]>(impls.map((impl) => [impl, []]));
  for (let round = 0; round < (PHASES.has('cpu') ? ROUNDS : 0); round++) {
    for (const impl of rotate(impls, round)) {
      const server = servers.get(impl)!;
      const result = next(generator, 'echo-result');
      const measuring = next(generator, 'measuring');
      generator.send({ cmd: 'echo', port: server.port, conns: CONNECTIONS, size: 32, inflight: 1, warmupMs: WARMUP_MS, durationMs: 2 * DURATION_MS, rate: FIXED_RATE });
      await measuring;
      const before = await ask(server.child, { cmd: 'usage' }, 'usage');
      const r = await result;
      const after = await ask(server.child, { cmd: 'usage' }, 'usage');
      cpuSamples.get(impl)!.push({ perSecond: r.perSecond, micros: (cpuMicros(after as any) - cpuMicros(before as any)) / r.messages, gen: r.generatorCpuPercent });
    }
  }
  const cpuRows = new Map(impls.map((impl) => [impl, medians(cpuSamples.get(impl)!) as { perSecond: number; micros: number; gen: number }]));
  for (const impl of PHASES.has('cpu') ? impls : []) {
    const r = cpuRows.get(impl)!;
    log(`| ${impl} | ${fmt(r.perSecond)} | ${fmt(r.micros, 2)} | ${fmt(r.gen)} | ${ratio(r.micros, cpuRows.get('ws')!.micros)} |`);
  }
  if (PHASES.has('cpu')) summary.push(`server CPU per echoed message: ours ${fmt(cpuRows.get('ours')!.micros, 2)} µs, ws ${fmt(cpuRows.get('ws')!.micros, 2)} µs (ours/ws ${ratio(cpuRows.get('ours')!.micros, cpuRows.get('ws')!.micros)}; lower is better)`);
  log();

  // 3. Broadcast fan-out.
  log(`## Broadcast fan-out (${FANOUT_ROUNDS} broadcasts of one 64-byte text message, back to back)`);
  log();
  log('ours builds the frame once (`prepareFrame` + `sendPrepared`); ws broadcasts the usual way, `send()` per client.');
  log();
  log('"burst": the 20 broadcasts in one task, so our per-task write batching sends each socket one writev; "one per turn": each broadcast in its own event-loop turn (the frame-once effect alone).');
  log();
  log('| sockets | mode | server | deliveries/s | server CPU µs / delivery | vs ws (deliveries/s) | vs ws (CPU) |');
  log('| ---: | --- | --- | ---: | ---: | ---: | ---: |');
  const payload = JSON.stringify({ type: 'new_message', message: { text: 'x'.repeat(12) } }).padEnd(64, ' ');
  for (const [sockets, spread] of PHASES.has('fanout') ? ([[1000, false], [1000, true], [5000, false], [5000, true]] as const) : []) {
    const mode = spread ? 'one per turn' : 'burst';
    const rows = new Map<Impl, { rate: number; micros: number }>();
    for (const impl of ['ws', 'ours'] as Impl[]) {
      const server = servers.get(impl)!;
      const expect = sockets * FANOUT_ROUNDS;
      await ask(generator, { cmd: 'fanout', port: server.port, conns: sockets, expect }, 'fanout-ready');
      const before = await ask(server.child, { cmd: 'usage' }, 'usage');
      const done = next(generator, 'fanout-done');
      const t0 = performance.timeOrigin + performance.now();
      await ask(server.child, { cmd: 'broadcast', payload, rounds: FANOUT_ROUNDS, spread }, 'broadcast-sent');
      const { at } = await done;
      const after = await ask(server.child, { cmd: 'usage' }, 'usage');
      rows.set(impl, { rate: expect / ((at - t0) / 1000), micros: (cpuMicros(after as any) - cpuMicros(before as any)) / expect });
      await ask(generator, { cmd: 'close' }, 'closed');
    }
    for (const impl of ['ws', 'ours'] as Impl[]) {
      const r = rows.get(impl)!;
      log(`| ${fmt(sockets)} | ${mode} | ${impl} | ${fmt(r.rate)} | ${fmt(r.micros, 2)} | ${ratio(r.rate, rows.get('ws')!.rate)} | ${ratio(r.micros, rows.get('ws')!.micros)} |`);
    }
    summary.push(`fan-out to ${sockets} (${mode}): deliveries/s ours/ws ${ratio(rows.get('ours')!.rate, rows.get('ws')!.rate)}; server CPU per delivery ours/ws ${ratio(rows.get('ours')!.micros, rows.get('ws')!.micros)}`);
  }
  log();
  for (const server of servers.values()) await stop(server.child);

  // 4. Memory per idle connection, in fresh server processes.
  log(`## Memory per idle connection (${fmt(IDLE_CONNECTIONS)} connections, fresh server process, after GC)`);
  log();
  log('| server | RSS per connection | heap per connection | vs ws (RSS) | vs ws (heap) |');
  log('| --- | ---: | ---: | ---: | ---: |');
  const memRows = new Map<Impl, { rss: number; heap: number }>();
  const memoryImpls: Impl[] = PHASES.has('memory') ? ['ws', 'ours'] : [];
  for (const impl of memoryImpls) {
    const server = await startServer(impl);
    const before = await ask(server.child, { cmd: 'usage' }, 'usage');
    await ask(generator, { cmd: 'idle', port: server.port, conns: IDLE_CONNECTIONS }, 'idle-ready', 120_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await ask(server.child, { cmd: 'usage' }, 'usage');
    memRows.set(impl, { rss: (after.rss - before.rss) / IDLE_CONNECTIONS, heap: (after.heapUsed - before.heapUsed) / IDLE_CONNECTIONS });
    await ask(generator, { cmd: 'close' }, 'closed');
    await stop(server.child);
  }
  for (const impl of memoryImpls) {
    const r = memRows.get(impl)!;
    const w = memRows.get('ws')!;
    log(`| ${impl} | ${fmt(r.rss / 1024, 2)} KB | ${fmt(r.heap / 1024, 2)} KB | ${ratio(r.rss, w.rss)} | ${ratio(r.heap, w.heap)} |`);
  }
  if (memoryImpls.length) summary.push(`idle memory per connection: ours ${fmt(memRows.get('ours')!.rss / 1024, 2)} KB RSS / ${fmt(memRows.get('ours')!.heap / 1024, 2)} KB heap; ws ${fmt(memRows.get('ws')!.rss / 1024, 2)} KB / ${fmt(memRows.get('ws')!.heap / 1024, 2)} KB`);
  log();
  log('## Summary');
  log();
  for (const line of summary) log(`- ${line}`);
  log();
  log(`Run took ${fmt((performance.now() - began) / 1000, 1)} s. A JavaScript generator on one core saturates before a good server does: when the generator CPU column nears 100 %, throughput rows measure the generator, and the CPU-per-message table is the fairer comparison.`);
  await stop(generator);
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  if (PHASES.size < 4) return; // a partial run does not overwrite the results
  writeFileSync(path.join(ROOT, 'bench/results/ws.md'), `${lines.join('\n')}\n`);
}

const watchdog = setTimeout(() => {
  console.error('bench:ws exceeded its 4-minute bound');
  process.exit(1);
}, 240_000);
watchdog.unref();
await main();
