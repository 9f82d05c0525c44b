/**
 * `npm run bench:http`: requests per second for GET /api/health and an
 * authenticated GET /api/auth/me on SocketLink (the built dist/server.js), side by
 * side in the same run with a bare node:http handler, Express and Fastify answering
 * the same JSON (bench/http/peer.ts). Writes bench/results/http.md.
 *
 * Bounded: every server is a child process on 127.0.0.1; each measurement is one
 * autocannon run of DURATION_S seconds after a WARMUP_S warm-up; ROUNDS rounds of
 * 10 measurements, then the goal phase (about 5.5 minutes at the defaults). One server
 * is loaded at a time.
 *
 * Goal (issue 2): SocketLink's health ≥ 0.9× bare node:http and ≥ 1.0× Fastify, judged
 * in the goal phase: GOAL_SLICES slices of health alone, each server GOAL_SLICE_S
 * seconds back to back in rotated order, so a slow spell of this shared machine (they
 * come and go within seconds) falls on the servers compared alike.
 *
 * Beside the goal, for information: the same slices against a bare handler that sends
 * SocketLink's own response head (peer.ts `bare-headers`). Next to plain bare, it tells
 * what SocketLink's header policy costs apart from its pipeline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { canPin, cpuSeconds, pin, pinnedCommand } from '../lib/proc.js';
import { pick, ROOT, writeResults } from '../lib/results.js';
import { median as medianOf, middleHalf, rotate } from '../lib/stats.js';

const SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const DURATION_S = Number(process.env.BENCH_DURATION ?? pick(4, 1));
const WARMUP_S = 1;
const CONNECTIONS = 32;
/** Rounds over all servers in rotated order; each row reports the median round, each goal the median per-round ratio. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? pick(5, 1));
const GOAL_SLICES = pick(16, 2);
const GOAL_SLICE_S = 1;
const SAME_HEADERS = 'node:http, same headers';
const GOAL_SERVERS = ['SocketLink', 'node:http (bare)', SAME_HEADERS, 'Fastify'];

interface Target {
  name: string;
  args: string[];
}

const TARGETS: Target[] = [
  { name: 'SocketLink', args: [path.join(ROOT, 'dist/server.js')] },
  { name: 'node:http (bare)', args: ['--import', 'tsx', path.join(ROOT, 'bench/http/peer.ts'), 'bare'] },
  { name: SAME_HEADERS, args: ['--import', 'tsx', path.join(ROOT, 'bench/http/peer.ts'), 'bare-headers'] },
  { name: 'Fastify', args: ['--import', 'tsx', path.join(ROOT, 'bench/http/peer.ts'), 'fastify'] },
  { name: 'Express', args: ['--import', 'tsx', path.join(ROOT, 'bench/http/peer.ts'), 'express'] },
];

/** Each server gets core 0 to itself and autocannon (this process) core 1, as in bench:ws. */
const SERVER_CORE = 0;
const GENERATOR_CORE = 1;
pin(GENERATOR_CORE);

async function start(target: Target): Promise<{ child: ChildProcess; url: string }> {
  const [command, ...args] = pinnedCommand(SERVER_CORE, [process.execPath, ...target.args]);
  const child = spawn(command!, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: ':memory:', JWT_SECRET: SECRET, LOG_LEVEL: 'info', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await once(lines, 'line')) as [string];
  const match = /^listening on http:\/\/([^/]+)\/$/.exec(first);
  if (!match) throw new Error(`${target.name}: unexpected first line ${first}`);
  child.stdout!.resume();
  return { child, url: `http://${match[1]}` };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

async function json(url: string, init: RequestInit): Promise<any> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A token SocketLink accepts; the peers check its signature with the same key. */
async function socketLinkToken(url: string): Promise<string> {
  const credentials = JSON.stringify({ username: 'bench_user', password: 'bench-password-1' });
  const headers = { 'content-type': 'application/json' };
  await json(`${url}/api/auth/register`, { method: 'POST', headers, body: credentials });
  const tokens = await json(`${url}/api/auth/login`, { method: 'POST', headers, body: credentials });
  return tokens.accessToken as string;
}

// Server CPU time per request (bench/lib/proc.ts) is the steadier number on a shared machine:
// requests per second also move with what the load generator and other tenants get.
interface Measurement {
  /** Server CPU microseconds per answered request. */
  cpuUs: number | undefined;
  /** Share of one core the load generator (autocannon, in this process) used: near 100 % it is the limit. */
  generatorCpu: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function measure(url: string, headers: Record<string, string>, pid: number | undefined): Promise<Measurement> {
  await autocannon({ url, connections: CONNECTIONS, duration: WARMUP_S, headers });
  const cpuBefore = cpuSeconds(pid);
  const generatorBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers });
  const generator = process.cpuUsage(generatorBefore);
  const generatorCpu = (generator.user + generator.system) / 1000 / (performance.now() - wallBefore);
  const cpuAfter = cpuSeconds(pid);
  const cpuUs = cpuBefore === undefined || cpuAfter === undefined ? undefined : ((cpuAfter - cpuBefore) * 1e6) / result.requests.total;
  return { cpuUs, generatorCpu, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

/** Median of a round's measurements, by requests per second. */
function median(samples: Measurement[]): Measurement {
  const sorted = [...samples].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const pct = (share: number) => `${Math.round(share * 100)} %`;

// All servers run at once (idle while not measured), and the rounds rotate the
// order, so no server is favoured by when it ran on this shared machine.
const running = new Map<string, { child: ChildProcess; url: string }>();
const samples = new Map<string, { health: Measurement[]; me: Measurement[] }>();
/** The goal phase: one map of server → health req/s per slice. */
const goalSlices: Map<string, number>[] = [];
let token = '';
try {
  for (const target of TARGETS) {
    running.set(target.name, await start(target));
    samples.set(target.name, { health: [], me: [] });
  }
  token = await socketLinkToken(running.get('SocketLink')!.url);
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < TARGETS.length; i++) {
      const target = TARGETS[(i + round) % TARGETS.length]!;
      const { url, child } = running.get(target.name)!;
      const health = await measure(`${url}/api/health`, {}, child.pid);
      const me = await measure(`${url}/api/auth/me`, { authorization: `Bearer ${token}` }, child.pid);
      samples.get(target.name)!.health.push(health);
      samples.get(target.name)!.me.push(me);
      process.stdout.write(
        `round ${round + 1} ${target.name}: health ${health.rps.toFixed(0)} req/s ${health.cpuUs?.toFixed(1)} µs CPU/req (generator ${pct(health.generatorCpu)}), me ${me.rps.toFixed(0)} req/s ${me.cpuUs?.toFixed(1)} µs CPU/req (generator ${pct(me.generatorCpu)})\n`,
      );
    }
  }
  for (let slice = 0; slice < GOAL_SLICES; slice++) {
    const rps = new Map<string, number>();
    for (const name of rotate(GOAL_SERVERS, slice)) {
      const result = await autocannon({ url: `${running.get(name)!.url}/api/health`, connections: CONNECTIONS, duration: GOAL_SLICE_S });
      rps.set(name, result.requests.total / result.duration);
    }
    goalSlices.push(rps);
    // Each slice on the console, so a run whose goal ratio surprises can be read slice by slice.
    process.stdout.write(`goal slice ${slice + 1}: ${[...rps].map(([name, value]) => `${name} ${value.toFixed(0)}`).join(', ')} req/s\n`);
  }
  process.stdout.write(`goal phase: ${GOAL_SLICES} slices done\n`);
} finally {
  for (const { child } of running.values()) await stop(child);
}
const results = new Map<string, { health: Measurement; me: Measurement }>();
for (const [name, s] of samples) results.set(name, { health: median(s.health), me: median(s.me) });
/** Median CPU per request over the rounds, independently of the req/s median. */
const cpuMedian = (list: Measurement[]) => {
  const values = list.map((m) => m.cpuUs).filter((v): v is number => v !== undefined);
  return values.length === 0 ? undefined : medianOf(values);
};
for (const [name, s] of samples) {
  results.get(name)!.health.cpuUs = cpuMedian(s.health);
  results.get(name)!.me.cpuUs = cpuMedian(s.me);
}

const bare = results.get('node:http (bare)')!;
const fastify = results.get('Fastify')!;
const ratio = (a: number, b: number) => (a / b).toFixed(2);
const fmt = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(1));
/** Efficiency ratio: how many of this server's requests fit in the CPU of one of the peer's. */
const cpuRatio = (mine: number | undefined, peer: number | undefined) => (mine === undefined || peer === undefined ? 'n/a' : (peer / mine).toFixed(2));
let table =
  '| server | route | req/s | p50 ms | p99 ms | errors | × bare (req/s) | × Fastify (req/s) | server CPU µs/req | × bare (CPU) | × Fastify (CPU) | generator CPU |\n' +
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n';
for (const route of ['health', 'me'] as const) {
  for (const [name, r] of results) {
    const m = r[route];
    table += `| ${name} | ${route === 'health' ? 'GET /api/health' : 'GET /api/auth/me'} | ${m.rps.toFixed(0)} | ${m.p50} | ${m.p99} | ${m.non2xx + m.errors} | ${ratio(m.rps, bare[route].rps)} | ${ratio(m.rps, fastify[route].rps)} | ${fmt(m.cpuUs)} | ${cpuRatio(m.cpuUs, bare[route].cpuUs)} | ${cpuRatio(m.cpuUs, fastify[route].cpuUs)} | ${pct(m.generatorCpu)} |\n`;
  }
}
const sl = results.get('SocketLink')!;
/** SocketLink's health req/s over the peer's, slice by slice (the goal phase). */
function sliceRatios(peer: string): number[] {
  return goalSlices.map((slice) => slice.get('SocketLink')! / slice.get(peer)!);
}
const bareRatios = sliceRatios('node:http (bare)');
const fastifyRatios = sliceRatios('Fastify');
const sameHeadersRatios = sliceRatios(SAME_HEADERS);
const goalBare = medianOf(bareRatios);
const goalFastify = medianOf(fastifyRatios);
/** The middle half of the slice ratios: how much the machine moved them. */
const spread = (ratios: number[]) => {
  const [low, high] = middleHalf(ratios);
  return `middle half of the slices ${low.toFixed(2)}–${high.toFixed(2)}`;
};
const cpuGoal = (peer: Measurement) => (sl.health.cpuUs === undefined || peer.cpuUs === undefined ? 'n/a' : `${(peer.cpuUs / sl.health.cpuUs).toFixed(2)}×`);
// The goal ratios get three decimals: at two, 0.897 reads "0.90×, not met".
const report = `# HTTP routing benchmark

\`npm run bench:http\` — ${new Date().toISOString()} — Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}.
autocannon, ${CONNECTIONS} connections, ${WARMUP_S} s warm-up then ${DURATION_S} s per measurement, ${ROUNDS} rounds over the ${TARGETS.length} servers in rotated order
(each row is the median round), all on 127.0.0.1, one server under load at a time.
${canPin ? `Each server pinned to core ${SERVER_CORE}, autocannon to core ${GENERATOR_CORE} (taskset); the generator CPU column shows how busy autocannon was (near 100 %, it is the limit).` : 'No pinning (taskset or a second core missing): servers and autocannon share the cores.'}

${table}
Goal (issue 2): SocketLink's health route ≥ 0.9× bare node:http (**${goalBare.toFixed(3)}×**, ${spread(bareRatios)}, ${goalBare >= 0.9 ? 'met' : 'not met'})
and ≥ 1.0× Fastify (**${goalFastify.toFixed(3)}×**, ${spread(fastifyRatios)}, ${goalFastify >= 1 ? 'met' : 'not met'}) in requests/s,
each the median of ${GOAL_SLICES} per-slice ratios: health alone, the ${GOAL_SERVERS.length} servers ${GOAL_SLICE_S} s each, back to back in
rotated order, so a slow spell of the machine falls on all alike (the table's rows are each server's median round).
By server CPU per request (the steadier measure here): ${cpuGoal(bare.health)} bare node:http, ${cpuGoal(fastify.health)} Fastify
(a ratio above 1 means SocketLink spends less CPU per health request than the peer).

For information, not the goal: SocketLink's health route is **${medianOf(sameHeadersRatios).toFixed(2)}×** (${spread(sameHeadersRatios)}) a bare node:http handler that sends
SocketLink's response head (security headers, request id, \`cache-control: no-store\`); bare itself sends only
\`content-type\` and \`content-length\`. The gap between the two bare rows is what those headers cost in Node.

What each answers: the same JSON bodies. SocketLink's \`/api/auth/me\` verifies the HS256
token in full (header, claims, \`iss\`, live session, revocation, user lookup in the store);
the peers only check the HMAC signature (createHmac + timingSafeEqual), so the \`me\` rows
set SocketLink's whole pipeline against the cryptographic floor. SocketLink also adds its
security headers, request id, CORS check and metrics to every answer; the peers do not
(but for "${SAME_HEADERS}", which sends the same head).
Fastify uses response schemas (its documented fast path); Express runs with its defaults.
The machine is shared with other work, so requests/s move between runs and rounds; the CPU-per-request columns (from /proc, user + system time
of the server process during the measurement) are steadier. Compare ratios within one run.
`;
const ROUTES = { health: 'GET /api/health', me: 'GET /api/auth/me' } as const;
const subtitle = `autocannon, ${CONNECTIONS} connections, median of ${ROUNDS} rotated rounds; same-run ratios; shared 2-core machine`;
const charts = [
  {
    title: 'HTTP requests per second (req/s, higher is better)',
    subtitle,
    unit: 'req/s',
    ratioTo: 'node:http (bare)',
    bars: (['health', 'me'] as const).flatMap((route) => [...results].map(([name, r]) => ({ group: ROUTES[route], label: name, value: r[route].rps, highlight: name === 'SocketLink' }))),
  },
  {
    title: 'HTTP server CPU per request (µs, lower is better)',
    subtitle,
    unit: 'µs',
    ratioTo: 'node:http (bare)',
    digits: 1,
    bars: (['health', 'me'] as const).flatMap((route) => [...results].map(([name, r]) => ({ group: ROUTES[route], label: name, value: r[route].cpuUs ?? NaN, highlight: name === 'SocketLink' }))),
  },
];
process.stdout.write(`\n${report}`);
console.log(`wrote ${writeResults('http', report, charts).join(', ')}`);
