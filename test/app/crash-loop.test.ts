/**
 * SPEC §7 rule 22 at the level of the real server: "A 201 or an ack is sent only once
 * the change is durable: it survives `kill -9`."
 *
 * One DATA_DIR, ROUNDS rounds. Each round starts the BUILT server (dist/server.js),
 * checks everything acknowledged in earlier rounds, then lets a few concurrent writers
 * post messages as fast as the acks come back — over HTTP (`POST
 * /api/rooms/:name/messages`, 201) and over WebSocket (`send_message` with an `id`,
 * answered by `ack` carrying `message`, SPEC §4) — and SIGKILLs the server at a random
 * moment. After every restart:
 *
 *  1. every acknowledged message is in `GET /api/rooms/:name/messages` (paged with
 *     `since`/`limit`) with the id and seq its ack carried;
 *  2. each room's seq runs 1..lastSeq without a gap;
 *  3. the account logs in; the access token issued in round 0 still works; the refresh
 *     token handed out (acknowledged) before the crash rotates; the session logged out
 *     in round 0 stays revoked (access and refresh both 401).
 *
 * The kill moments come from a seeded PRNG: the seed is printed (and in every failure
 * message); replay a failure with CRASH_SEED=<seed>.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../helpers/server.js';
import { bearer } from './chat-client.js';
import { request } from './http-client.js';

const ROUNDS = 20;
/** The kill lands uniformly in [0, KILL_WINDOW_MS) after the writers start: short rounds keep 20 of them near 20 s. */
const KILL_WINDOW_MS = 250;
/** SPEC §4: a socket past 20 frames/s (bursts to 40) gets `rate_limited`; its writer pauses this long. */
const RATE_LIMITED_PAUSE_MS = 50;
/** SPEC §2: `limit` is 1–100. */
const PAGE_LIMIT = 100;
const ROOMS = ['crash-a', 'crash-b'];

const seed = Number(process.env['CRASH_SEED'] ?? Math.floor(Math.random() * 2 ** 32));
console.log(`crash-loop seed ${seed} (replay with CRASH_SEED=${seed})`);

/** mulberry32: a tiny seeded PRNG, enough to replay the kill moments of a failing run. */
function prng(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
const random = prng(seed);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'socketlink-crash-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

interface Acked {
  id: string;
  room: string;
  seq: number;
}
/** Every message a writer got a 201 or an ack for, by its (unique) text. */
const acked = new Map<string, Acked>();
const ackedBy = { http: 0, ws: 0 };

function record(message: any, via: 'http' | 'ws', where: string): void {
  assert.equal(acked.has(message.text), false, `${where}: one ack per text`);
  acked.set(message.text, { id: message.id, room: message.room, seq: message.seq });
  ackedBy[via] += 1;
}

/** Posts over one keep-alive connection until a request fails (the server was killed). */
async function httpWriter(server: RunningServer, token: string, room: string, tag: string): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let n = 0; ; n++) {
      const text = `${tag}-${n}`;
      let answer;
      try {
        answer = await request(server.url, `/api/rooms/${room}/messages`, { method: 'POST', headers: bearer(token), body: { text }, agent });
      } catch {
        return; // connection refused or reset: the kill; this message is unacknowledged
      }
      assert.equal(answer.status, 201, `${tag}: ${answer.text}`);
      record(answer.json.message, 'http', tag);
    }
  } finally {
    agent.destroy();
  }
}

/** A lean WebSocket client: requests by id, each resolved with its reply, or undefined once the socket closes. */
class WsCaller {
  private readonly pending = new Map<string, (reply: any) => void>();
  private nextId = 0;
  private closed = false;
  readonly welcome: Promise<any>;

  constructor(readonly ws: WebSocket) {
    let welcomed: (event: any) => void;
    this.welcome = new Promise((resolve) => (welcomed = resolve));
    ws.on('message', (data) => {
      const event = JSON.parse(data.toString());
      if (event.type === 'welcome') welcomed(event);
      const resolve = this.pending.get(event.replyTo);
      this.pending.delete(event.replyTo);
      resolve?.(event);
    });
    ws.on('error', () => {});
    ws.once('close', () => {
      this.closed = true;
      welcomed(undefined);
      for (const resolve of this.pending.values()) resolve(undefined);
      this.pending.clear();
    });
  }

  call(event: Record<string, unknown>): Promise<any> {
    if (this.closed) return Promise.resolve(undefined);
    const id = `w${++this.nextId}`;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ ...event, id }), () => {});
    });
  }
}

/** Joins `room` and sends `send_message` after `send_message`, each awaiting its `ack`, until the socket dies. */
async function wsWriter(server: RunningServer, token: string, room: string, tag: string): Promise<void> {
  const caller = new WsCaller(new WebSocket(`${server.wsUrl}/ws`, { headers: bearer(token) }));
  try {
    if ((await caller.welcome) === undefined) return;
    const joined = await caller.call({ type: 'join_room', room });
    if (joined === undefined) return;
    assert.equal(joined.type, 'joined_room', `${tag}: ${JSON.stringify(joined)}`);
    for (let n = 0; ; n++) {
      const text = `${tag}-${n}`;
      const reply = await caller.call({ type: 'send_message', room, text });
      if (reply === undefined) return; // the kill; this message is unacknowledged
      if (reply.type === 'error' && reply.code === 'rate_limited') {
        await delay(RATE_LIMITED_PAUSE_MS);
        continue;
      }
      assert.equal(reply.type, 'ack', `${tag}: ${JSON.stringify(reply)}`);
      record(reply.message, 'ws', tag);
    }
  } finally {
    caller.ws.terminate();
  }
}

/** Reads a room from seq 1 to lastSeq, `since`/`limit` page by page, asserting seq is gapless. */
async function readRoom(server: RunningServer, token: string, room: string, where: string): Promise<Map<number, any>> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const bySeq = new Map<number, any>();
  try {
    let lastSeq = Infinity;
    for (let since = 0; since < lastSeq; ) {
      const page = await request(server.url, `/api/rooms/${room}/messages?since=${since}&limit=${PAGE_LIMIT}`, { headers: bearer(token), agent });
      assert.equal(page.status, 200, `${where}: ${page.text}`);
      lastSeq = page.json.lastSeq;
      if (since < lastSeq) assert.ok(page.json.messages.length > 0, `${where}: ${room} has messages after ${since} (lastSeq ${lastSeq})`);
      for (const message of page.json.messages) {
        assert.equal(message.seq, since + 1, `${where}: ${room} seq is gapless`);
        bySeq.set(message.seq, message);
        since = message.seq;
      }
    }
  } finally {
    agent.destroy();
  }
  return bySeq;
}

interface Account {
  username: string;
  password: string;
  /** Issued in round 0; must keep working across every restart (same JWT_SECRET). */
  firstAccessToken: string;
  /** The latest refresh token a 200 handed out. */
  refreshToken: string;
  /** Of a session logged out in round 0. */
  revoked: { accessToken: string; refreshToken: string };
}

async function setUp(server: RunningServer): Promise<Account> {
  const credentials = { username: 'crash_carol', password: 'crash-carol-password' };
  assert.equal((await request(server.url, '/api/auth/register', { method: 'POST', body: credentials })).status, 201);
  const kept = (await request(server.url, '/api/auth/login', { method: 'POST', body: credentials })).json;
  const out = (await request(server.url, '/api/auth/login', { method: 'POST', body: credentials })).json;
  assert.equal((await request(server.url, '/api/auth/logout', { method: 'POST', headers: bearer(out.accessToken) })).status, 204);
  for (const name of ROOMS) {
    const created = await request(server.url, '/api/rooms', { method: 'POST', headers: bearer(kept.accessToken), body: { name } });
    assert.equal(created.status, 201, created.text);
  }
  return {
    ...credentials,
    firstAccessToken: kept.accessToken,
    refreshToken: kept.refreshToken,
    revoked: { accessToken: out.accessToken, refreshToken: out.refreshToken },
  };
}

/** Steps 1–3 of the header, after a restart. Returns a fresh access token for the writers. */
async function verify(server: RunningServer, account: Account, where: string): Promise<string> {
  // 3. Accounts and sessions.
  const login = await request(server.url, '/api/auth/login', { method: 'POST', body: { username: account.username, password: account.password } });
  assert.equal(login.status, 200, `${where}: login: ${login.text}`);
  const me = await request(server.url, '/api/auth/me', { headers: bearer(account.firstAccessToken) });
  assert.equal(me.status, 200, `${where}: round 0's access token: ${me.text}`);
  const refreshed = await request(server.url, '/api/auth/refresh', { method: 'POST', body: { refreshToken: account.refreshToken } });
  assert.equal(refreshed.status, 200, `${where}: the last acknowledged refresh token: ${refreshed.text}`);
  account.refreshToken = refreshed.json.refreshToken;
  assert.equal((await request(server.url, '/api/auth/me', { headers: bearer(account.revoked.accessToken) })).status, 401, `${where}: logged-out access token`);
  assert.equal((await request(server.url, '/api/auth/refresh', { method: 'POST', body: { refreshToken: account.revoked.refreshToken } })).status, 401, `${where}: logged-out refresh token`);

  // 1 and 2. Messages.
  const token = refreshed.json.accessToken;
  const stored = new Map<string, Map<number, any>>();
  for (const room of ROOMS) stored.set(room, await readRoom(server, token, room, where));
  for (const [text, ack] of acked) {
    const message = stored.get(ack.room)?.get(ack.seq);
    assert.ok(message, `${where}: acknowledged ${text} (${ack.room} seq ${ack.seq}) is missing`);
    assert.equal(message.text, text, `${where}: ${ack.room} seq ${ack.seq}`);
    assert.equal(message.id, ack.id, `${where}: ${text}`);
  }
  return token;
}

/** Runs the writers, SIGKILLs the server after `killAfterMs`, and waits for everything to wind down. */
async function writeAndKill(server: RunningServer, token: string, round: number, killAfterMs: number): Promise<void> {
  const exited = once(server.child, 'exit');
  const writers = ROOMS.flatMap((room, r) => [
    httpWriter(server, token, room, `r${round}-http${r}`),
    wsWriter(server, token, room, `r${round}-ws${r}`),
  ]);
  const done = Promise.all(writers);
  done.catch(() => {}); // a writer's failed assertion is reported by the await below, after the kill
  await delay(killAfterMs);
  server.child.kill('SIGKILL');
  const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
  assert.equal(signal, 'SIGKILL', `round ${round}: the server died by the kill (stderr: ${server.stderr()})`);
  await done;
}

test(`SPEC §7 rule 22: ${ROUNDS} rounds of kill -9 mid-traffic lose no acknowledged message, keep seq gapless, and keep accounts and sessions`, async (t) => {
  let account: Account | undefined;
  for (let round = 0; round <= ROUNDS; round++) {
    const where = `seed ${seed} round ${round}`;
    const server = await startServer({ env: { DATA_DIR: dataDir } });
    try {
      account ??= await setUp(server);
      const token = await verify(server, account, where);
      if (round === ROUNDS) break; // the last start only verifies
      await writeAndKill(server, token, round, random() * KILL_WINDOW_MS);
    } finally {
      await server.stop();
    }
  }
  t.diagnostic(`acknowledged before the kills: ${ackedBy.http} over HTTP, ${ackedBy.ws} over WebSocket`);
  // The writers must really have been acknowledged through both doors, or nothing was proven.
  assert.ok(ackedBy.http > ROUNDS, `HTTP acks: ${ackedBy.http}`);
  assert.ok(ackedBy.ws > ROUNDS, `WebSocket acks: ${ackedBy.ws}`);
});
