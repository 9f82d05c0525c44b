/**
 * Server-level durable throughput (issue 5's benchmark): the BUILT server
 * (dist/server.js) with a temporary DATA_DIR against the same server with
 * `DATA_DIR=:memory:`, in the same run.
 *
 * Each of N writers owns one keep-alive HTTP connection and posts
 * `POST /api/rooms/:name/messages`, awaiting the 201 before its next post — so a
 * writer's rate is bounded by its ack latency, and N writers show how well group
 * commit shares one fdatasync among everything that arrived in the same tick.
 * Both servers run side by side (an idle one costs nothing) and their cells alternate.
 * Bounded: REPEATS cells of CELL_MS per server and writer count after a short warm-up;
 * traffic only to 127.0.0.1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../test/helpers/server.js';
import { pick } from '../lib/results.js';
import type { Bar } from '../lib/svg.js';

export const WRITER_COUNTS = [1, 10, 100];
export const CELL_MS = pick(2000, 300);
/** Cells per server and writer count; the best one is reported. */
export const REPEATS = pick(2, 1);
const WARMUP_MS = pick(300, 100);
export const SERVER_ROOMS = 10;
const TEXT = JSON.stringify({ text: 'benchmark message with a little text in it' });

/** One JSON request over `agent`; resolves with the status once the body is read. */
function post(server: RunningServer, agent: Agent, pathName: string, body: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
    if (token) headers['authorization'] = `Bearer ${token}`;
    const req = request(`${server.url}${pathName}`, { method: 'POST', headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Registers, logs in and creates SERVER_ROOMS rooms; returns an access token. */
export async function prepare(server: RunningServer): Promise<string> {
  const agent = new Agent({ keepAlive: true });
  const user = JSON.stringify({ username: 'bench_writer', password: 'bench-writer-password' });
  await post(server, agent, '/api/auth/register', user);
  const login = await post(server, agent, '/api/auth/login', user);
  const token = JSON.parse(login.body).accessToken as string;
  for (let r = 0; r < SERVER_ROOMS; r++) await post(server, agent, '/api/rooms', JSON.stringify({ name: `bench-${r}` }), token);
  agent.destroy();
  return token;
}

/** `writers` loops, each posting and awaiting its 201, for `ms`; counts the 201s. */
export async function hammer(server: RunningServer, token: string, writers: number, ms: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: writers });
  const deadline = performance.now() + ms;
  let acked = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      while (performance.now() < deadline) {
        const answer = await post(server, agent, `/api/rooms/bench-${w % SERVER_ROOMS}/messages`, TEXT, token);
        if (answer.status !== 201) throw new Error(`POST message: ${answer.status} ${answer.body}`);
        acked++;
      }
    }),
  );
  agent.destroy();
  return acked;
}

interface Target {
  readonly server: RunningServer;
  readonly token: string;
}

async function launch(dataDir: string): Promise<Target> {
  const server = await startServer({ env: { DATA_DIR: dataDir, LOG_LEVEL: 'warn' } });
  const token = await prepare(server);
  await hammer(server, token, 10, WARMUP_MS);
  return { server, token };
}

/**
 * Best of REPEATS cells per server and writer count. The cells alternate (memory,
 * durable, memory, durable) so that load from other processes on the shared cores
 * hits both alike instead of whichever ran during it.
 */
async function measureBoth(memory: Target, durable: Target): Promise<{ memory: number[]; durable: number[] }> {
  const best = { memory: [] as number[], durable: [] as number[] };
  for (const writers of WRITER_COUNTS) {
    let m = 0;
    let d = 0;
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      for (const [which, target] of [['memory', memory], ['durable', durable]] as const) {
        const started = performance.now();
        const acked = await hammer(target.server, target.token, writers, CELL_MS);
        const rate = acked / ((performance.now() - started) / 1000);
        if (which === 'memory') m = Math.max(m, rate);
        else d = Math.max(d, rate);
      }
    }
    best.memory.push(m);
    best.durable.push(d);
  }
  return best;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The Markdown rows (memory, durable, and the ratio, per writer count) and the chart's bars. */
export async function serverThroughput(): Promise<{ rows: string[]; bars: Bar[] }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'socketlink-bench-server-'));
  const targets: Target[] = [];
  let rates: { memory: number[]; durable: number[] };
  try {
    targets.push(await launch(':memory:'), await launch(dir));
    rates = await measureBoth(targets[0]!, targets[1]!);
  } finally {
    for (const target of targets) await target.server.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const { memory, durable } = rates;
  const rows = ['| writers | `DATA_DIR=:memory:` msg/s | temp `DATA_DIR` msg/s | memory ÷ durable |', '| ---: | ---: | ---: | ---: |'];
  const bars: Bar[] = [];
  WRITER_COUNTS.forEach((writers, i) => {
    const group = `${writers} concurrent writer${writers === 1 ? '' : 's'}`;
    bars.push({ group, label: 'DATA_DIR=:memory:', value: memory[i]! }, { group, label: 'temp DATA_DIR (fdatasync acks)', value: durable[i]!, highlight: true });
    rows.push(`| ${writers} | ${fmt(memory[i]!)} | ${fmt(durable[i]!)} | ${(memory[i]! / durable[i]!).toFixed(2)}× |`);
    console.log(rows.at(-1));
  });
  return { rows, bars };
}
