/**
 * `npm run bench:chat`: polling versus pushing (issue 4, SPEC §5).
 *
 * N clients (default 200, then 1,000) subscribe to one room while one sender posts R messages
 * per second (default 100) for S seconds (default 3) over HTTP. The same N clients
 * then subscribe as WebSocket members, SSE streams, long pollers and short pollers at two
 * intervals (250 ms and 1 s), one transport per phase, against one built server (`dist/server.js`,
 * DATA_DIR=:memory:). For each phase: delivery latency p50/p99/max from send to
 * receipt (one process holds sender and receivers, so one clock), deliveries
 * received of those expected, the server's CPU (from /proc), HTTP requests per
 * second and bytes on the wire per delivered message. Writes bench/results/chat.md and charts.
 *
 * Bounded: every phase has a deadline, traffic goes only to 127.0.0.1.
 * BENCH_CLIENTS, BENCH_RATE, BENCH_SECONDS override the defaults; BENCH_QUICK=1 shrinks them.
 */
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../test/helpers/server.js';
import type { BarChart } from '../lib/svg.js';
import { cpuSeconds, pin } from '../lib/proc.js';
import { pick, writeResults } from '../lib/results.js';
import { percentile } from '../lib/stats.js';

/** One table per subscriber count: the 2-core box saturates at 1,000, so a lighter run is shown too. */
const CLIENT_COUNTS = (process.env.BENCH_CLIENTS ?? pick('200,1000', '50')).split(',').map(Number);
let CLIENTS = CLIENT_COUNTS[0]!;
const RATE = Number(process.env.BENCH_RATE ?? pick(100, 50));
const SECONDS = Number(process.env.BENCH_SECONDS ?? pick(3, 1));
/** After the last send, how long stragglers may take before the phase is cut. */
const DRAIN_MS = 5000;
const CONNECT_BATCH = 100;
/** SPEC §5: short polling at two intervals, to show latency falling only as requests climb. */
const SHORT_POLL_INTERVALS_MS = [250, 1000];
const ROOM = 'bench';
const TEXT_MARK = '"text":"t:';
/** BENCH_PHASES=ws,sse,long,short runs a subset while iterating; the default is all. */
const PHASES = new Set((process.env.BENCH_PHASES ?? 'ws,sse,long,short').split(','));

interface Phase {
  name: string;
  latencies: number[];
  expected: number;
  cpuPercent: number;
  requests: number;
  bytes: number;
  sendSeconds: number;
}

// --- server and accounts ---------------------------------------------------------------------

/** Keep-alive connections for pollers and the sender; a fresh pool per server. */
let agent = new Agent({ keepAlive: true });
let requests = 0;
let wireBytes = 0;

function http(server: RunningServer, method: string, pathname: string, token?: string, body?: unknown): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${pathname}`, { method, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
        wireBytes += Buffer.byteLength(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    requests++;
    req.on('error', reject);
    req.end(payload);
  });
}

async function signIn(server: RunningServer, username: string): Promise<string> {
  const credentials = { username, password: `${username}-password` };
  await http(server, 'POST', '/api/auth/register', undefined, credentials);
  const login = await http(server, 'POST', '/api/auth/login', undefined, credentials);
  return JSON.parse(login.text).accessToken;
}

/** Every `"text":"t:<ms>"` in a chunk: the send time of each message in it. */
function sendTimes(text: string): number[] {
  const times: number[] = [];
  for (let at = text.indexOf(TEXT_MARK); at !== -1; at = text.indexOf(TEXT_MARK, at + 1)) {
    times.push(Number.parseFloat(text.slice(at + TEXT_MARK.length, at + TEXT_MARK.length + 24)));
  }
  return times;
}

// --- one phase: subscribe, send at RATE for SECONDS, wait for deliveries ------------------------

async function runPhase(server: RunningServer, name: string, senderToken: string, subscribe: (latencies: number[]) => Promise<() => void>): Promise<Phase> {
  const latencies: number[] = [];
  const unsubscribe = await subscribe(latencies);
  const total = Math.round(RATE * SECONDS);
  const expected = total * CLIENTS;
  requests = 0;
  wireBytes = 0;
  const cpu0 = cpuSeconds(server.child.pid) ?? NaN;
  const start = performance.now();
  // Paced by elapsed time, not by a timer per message: sends catch up after a late tick.
  let sent = 0;
  const posts: Promise<unknown>[] = [];
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * RATE) / 1000) + 1);
      for (; sent < due; sent++) posts.push(http(server, 'POST', `/api/rooms/${ROOM}/messages`, senderToken, { text: `t:${performance.now()}` }));
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  await Promise.all(posts);
  const sendSeconds = (performance.now() - start) / 1000;
  const deadline = performance.now() + DRAIN_MS;
  while (latencies.length < expected && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  const elapsed = (performance.now() - start) / 1000;
  const cpuPercent = (((cpuSeconds(server.child.pid) ?? NaN) - cpu0) / elapsed) * 100;
  const phaseRequests = requests - total; // the sender's posts are the same in every phase
  const bytes = wireBytes;
  unsubscribe();
  console.log(`${name}: ${latencies.length}/${expected} deliveries`);
  return { name, latencies, expected, cpuPercent, requests: phaseRequests / elapsed, bytes, sendSeconds };
}

async function inBatches<T>(count: number, open: (i: number) => Promise<T>): Promise<T[]> {
  const all: T[] = [];
  for (let i = 0; i < count; i += CONNECT_BATCH) {
    all.push(...(await Promise.all(Array.from({ length: Math.min(CONNECT_BATCH, count - i) }, (_, j) => open(i + j)))));
  }
  return all;
}

// --- transports ----------------------------------------------------------------------------------

const webSocket = (server: RunningServer, token: string) => async (latencies: number[]) => {
  const sockets = await inBatches(CLIENTS, () => {
    const ws = new WebSocket(`${server.wsUrl}/ws`, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
    return new Promise<WebSocket>((resolve, reject) => {
      ws.on('error', reject);
      ws.on('message', (data: Buffer) => {
        const text = data.toString('latin1');
        if (text.includes('"type":"message_history"')) return resolve(ws);
        if (!text.startsWith('{"type":"new_message"')) return;
        wireBytes += data.length + (data.length < 126 ? 2 : 4);
        const now = performance.now();
        for (const sent of sendTimes(text)) latencies.push(now - sent);
      });
      ws.once('open', () => ws.send(JSON.stringify({ type: 'join_room', room: ROOM })));
    });
  });
  return () => sockets.forEach((ws) => ws.terminate());
};

const serverSentEvents = (server: RunningServer, token: string) => async (latencies: number[]) => {
  const streams = await inBatches(CLIENTS, () => {
    return new Promise<() => void>((resolve, reject) => {
      const req = httpRequest(`${server.url}/api/rooms/${ROOM}/events`, { headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
        res.setEncoding('latin1');
        res.on('data', (chunk: string) => {
          if (chunk.startsWith(': connected')) return resolve(() => req.destroy());
          wireBytes += chunk.length;
          const now = performance.now();
          for (const sent of sendTimes(chunk)) latencies.push(now - sent);
        });
        res.on('error', () => {});
      });
      req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
      req.end();
    });
  });
  return () => streams.forEach((close) => close());
};

/** `wait` > 0: long poll; otherwise short polling every `intervalMs` (with jitter so clients spread). */
const polling = (server: RunningServer, token: string, waitSeconds: number, intervalMs = 0) => async (latencies: number[]) => {
  const lastSeq = JSON.parse((await http(server, 'GET', `/api/rooms/${ROOM}/messages?limit=1`, token)).text).lastSeq as number;
  let running = true;
  const loop = async (since: number) => {
    if (intervalMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * intervalMs));
    while (running) {
      const started = performance.now();
      const answer = await http(server, 'GET', `/api/rooms/${ROOM}/messages?since=${since}&limit=100${waitSeconds ? `&wait=${waitSeconds}` : ''}`, token).catch(() => undefined);
      if (!answer || answer.status !== 200 || !running) continue;
      const now = performance.now();
      for (const sent of sendTimes(answer.text)) latencies.push(now - sent);
      since = (JSON.parse(answer.text) as { lastSeq: number; messages: Array<{ seq: number }> }).messages.at(-1)?.seq ?? since;
      if (intervalMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (performance.now() - started))));
    }
  };
  for (let i = 0; i < CLIENTS; i++) void loop(lastSeq);
  return () => {
    running = false;
  };
};

// --- report ------------------------------------------------------------------------------------------

const ms = (value: number) => (Number.isNaN(value) ? 'n/a' : value < 10 ? value.toFixed(1) : value.toFixed(0));

/** The headline chart of one subscriber count: p50 and p99 delivery latency per transport. */
function latencyChart(phases: Phase[]): BarChart {
  const bars = (['p50', 'p99'] as const).flatMap((p) =>
    phases.map((phase) => ({
      group: `${p} delivery latency`,
      label: phase.name,
      value: percentile([...phase.latencies].sort((a, b) => a - b), p === 'p50' ? 50 : 99),
      highlight: phase.name === 'WebSocket',
    })),
  );
  return {
    title: `Chat delivery latency, ${CLIENTS.toLocaleString('en-US')} subscribers (ms, lower is better)`,
    subtitle: `${RATE} messages/s for ${SECONDS} s to one room; same-run ratios to WebSocket; shared 2-core machine`,
    unit: 'ms',
    ratioTo: 'WebSocket',
    digits: 1,
    bars,
  };
}

/** Server CPU per transport, in the same run: what each way of delivering costs the server. */
function cpuChart(phases: Phase[]): BarChart {
  return {
    title: `Chat server CPU, ${CLIENTS.toLocaleString('en-US')} subscribers (% of one core, lower is better)`,
    subtitle: 'user + system time of the server process over each phase; same-run ratios to WebSocket',
    unit: '%',
    ratioTo: 'WebSocket',
    digits: 0,
    bars: phases.map((phase) => ({ label: phase.name, value: phase.cpuPercent, highlight: phase.name === 'WebSocket' })),
  };
}

function report(phases: Phase[]): string {
  const base = phases[0]!;
  const baseP50 = percentile([...base.latencies].sort((a, b) => a - b), 50);
  const rows = phases.map((phase) => {
    const sorted = [...phase.latencies].sort((a, b) => a - b);
    const delivered = phase.latencies.length;
    return `| ${phase.name} | ${delivered.toLocaleString('en-US')} / ${phase.expected.toLocaleString('en-US')} | ${ms(percentile(sorted, 50))} | ${ms(percentile(sorted, 99))} | ${ms(sorted.at(-1) ?? NaN)} | ${(percentile(sorted, 50) / baseP50).toFixed(1)}× | ${phase.cpuPercent.toFixed(0)}% | ${(phase.cpuPercent / base.cpuPercent).toFixed(1)}× | ${phase.requests.toFixed(0)} | ${delivered ? (phase.bytes / delivered).toFixed(0) : 'n/a'} |`;
  });
  return [
    `## ${CLIENTS.toLocaleString('en-US')} subscribers`,
    '',
    `Node ${process.version}, ${os.cpus().length} cores shared with other work; ${CLIENTS.toLocaleString('en-US')} subscribers in one room, one sender posting ${RATE} messages/s for ${SECONDS} s over HTTP (${Math.round(RATE * SECONDS)} messages, each to every subscriber). Server: \`dist/server.js\`, DATA_DIR=:memory:. Subscribers and sender share one client process (one clock), so latency includes the client's own queueing.`,
    '',
    '| transport | deliveries | p50 ms | p99 ms | max ms | p50 vs WebSocket | server CPU | CPU vs WebSocket | requests/s | bytes/delivery |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    '',
    '- Latency is from the sender handing the POST to the socket to the subscriber parsing the delivery. Server CPU is user+system time of the server process over the phase (100% = one core).',
    '- requests/s counts subscriber HTTP requests only (the sender\'s posts are the same in every phase). bytes/delivery counts payload bytes received per delivered message (WebSocket: plus the frame header; HTTP: body only, not headers).',
    `- Short polling asks every ${SHORT_POLL_INTERVALS_MS.join(' or ')} ms; its latency is bounded below by the interval (about half of it at p50), its request rate by clients / interval: a shorter interval buys latency with requests and server CPU.`,
  ].join('\n');
}

// --- main ----------------------------------------------------------------------------------------------

let current: RunningServer | undefined;

async function measure(clients: number): Promise<{ markdown: string; charts: BarChart[] }> {
  CLIENTS = clients;
  agent = new Agent({ keepAlive: true, maxSockets: clients + 16 });
  const server = (current = await startServer({ env: { LOG_LEVEL: 'warn', MAX_CONNECTIONS: String(CLIENTS * 2 + 100), NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS } }));
  pin(0, server.child.pid);
  try {
    const reader = await signIn(server, 'bench_reader');
    const sender = await signIn(server, 'bench_sender');
    await http(server, 'POST', '/api/rooms', sender, { name: ROOM });
    const phases: Phase[] = [];
    if (PHASES.has('ws')) phases.push(await runPhase(server, 'WebSocket', sender, webSocket(server, reader)));
    if (PHASES.has('sse')) phases.push(await runPhase(server, 'SSE', sender, serverSentEvents(server, reader)));
    if (PHASES.has('long')) phases.push(await runPhase(server, 'long polling (wait=30)', sender, polling(server, reader, 30)));
    for (const interval of PHASES.has('short') ? SHORT_POLL_INTERVALS_MS : []) {
      phases.push(await runPhase(server, `short polling (${interval} ms)`, sender, polling(server, reader, 0, interval)));
    }
    return { markdown: report(phases), charts: [latencyChart(phases), cpuChart(phases)] };
  } finally {
    agent.destroy();
    await server.stop();
  }
}

async function main(): Promise<void> {
  // The client process on core 1, each server on core 0, when the box has two.
  pin(1);
  const hardStop = setTimeout(() => {
    console.error('bench:chat: overall deadline passed');
    current?.child.kill('SIGKILL');
    process.exit(1);
  }, 6 * 60_000);
  hardStop.unref();
  const sections: string[] = ['# Chat delivery: polling versus pushing', ''];
  const charts: BarChart[] = [];
  for (const clients of CLIENT_COUNTS) {
    const measured = await measure(clients);
    sections.push(measured.markdown, '');
    charts.push(...measured.charts);
  }
  const markdown = sections.join('\n');
  console.log(markdown);
  console.log(`wrote ${writeResults('chat', markdown, charts).join(', ')}`);
}

await main();
