/**
 * Helpers for the chat black-box tests: accounts and tokens over the HTTP API, and
 * a WebSocket chat client (the `ws` package, an independent implementation) with an
 * inbox that tests take events from in order, waiting when none is there yet.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';
import { startServer, type RunningServer, type StartOptions } from '../helpers/server.js';
import { request } from './http-client.js';

export interface Account {
  id: string;
  username: string;
  password: string;
  token: string;
  refreshToken: string;
}

/** Registers and logs in. (Each registration is a scrypt hash: keep their number small.) */
export async function account(server: RunningServer, username: string): Promise<Account> {
  const password = `${username}-password`;
  const registered = await request(server.url, '/api/auth/register', { method: 'POST', body: { username, password } });
  assert.equal(registered.status, 201, registered.text);
  return login(server, username, password);
}

/**
 * The usual set-up of a black-box test file: the built server, started with `options`,
 * and one account registered and logged in per username, in order (so the first is the
 * admin). The caller stops the server.
 */
export async function startWithAccounts<const Usernames extends readonly string[]>(
  usernames: Usernames,
  options?: StartOptions,
): Promise<{ server: RunningServer; accounts: { [K in keyof Usernames]: Account } }> {
  const server = await startServer(options);
  try {
    const accounts: Account[] = [];
    for (const username of usernames) accounts.push(await account(server, username));
    return { server, accounts: accounts as { [K in keyof Usernames]: Account } };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

export async function login(server: RunningServer, username: string, password = `${username}-password`): Promise<Account> {
  const answer = await request(server.url, '/api/auth/login', { method: 'POST', body: { username, password } });
  assert.equal(answer.status, 200, answer.text);
  return { id: answer.json.user.id, username, password, token: answer.json.accessToken, refreshToken: answer.json.refreshToken };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** An authenticated JSON call. */
export function api(server: RunningServer, token: string, method: string, path: string, body?: unknown) {
  return request(server.url, path, { method, headers: bearer(token), body });
}

/**
 * Waits until `check` holds, polling the server: for state that changes only after a TCP
 * close, which no event announces to another client.
 */
export async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`never: ${what}`);
}

type Event = Record<string, any>;

export class ChatClient {
  readonly inbox: Event[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiter: (() => void) | undefined;
  private nextId = 0;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.inbox.push(JSON.parse(data.toString()));
      this.waiter?.();
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Connects with `Authorization: Bearer` (or as `options` say) and waits for `welcome`. */
  static async open(server: RunningServer, token: string | undefined, options: WebSocket.ClientOptions & { path?: string; protocols?: string[] } = {}): Promise<ChatClient> {
    const client = ChatClient.connect(server, token, options);
    await client.opened();
    client.welcome = await client.next(() => true);
    assert.equal(client.welcome.type, 'welcome', 'welcome is the first frame');
    return client;
  }

  /** Connects without waiting. */
  static connect(server: RunningServer, token: string | undefined, options: WebSocket.ClientOptions & { path?: string; protocols?: string[] } = {}): ChatClient {
    const headers = { ...(token ? bearer(token) : {}), ...(options.headers ?? {}) };
    const ws = new WebSocket(`${server.wsUrl}${options.path ?? '/ws'}`, options.protocols ?? [], { ...options, headers });
    ws.on('error', () => {});
    return new ChatClient(ws);
  }

  opened(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`status ${res.statusCode}`), { status: res.statusCode })));
      this.ws.once('error', reject);
    });
  }

  /** The first frame, once `open` has seen it. */
  welcome: Event = {};

  send(event: Event | string): void {
    this.ws.send(typeof event === 'string' ? event : JSON.stringify(event));
  }

  /** Sends with a fresh id and resolves with the first event carrying `replyTo` = that id. */
  async call(event: Event): Promise<Event> {
    const id = `c${++this.nextId}`;
    this.send({ ...event, id });
    return this.next((e) => e.replyTo === id);
  }

  /** Takes the first event of that type (or matching the predicate), waiting for it. Events before it stay. */
  async next(match: string | ((event: Event) => boolean), timeoutMs = 4000): Promise<Event> {
    const predicate = typeof match === 'string' ? (e: Event) => e.type === match : match;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex(predicate);
      if (index !== -1) {
        return this.inbox.splice(index, 1)[0]!;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${typeof match === 'string' ? match : 'an event'}; inbox: ${JSON.stringify(this.inbox).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Removes and returns every event of that type now in the inbox. */
  drain(type: string): Event[] {
    const taken = this.inbox.filter((e) => e.type === type);
    for (const event of taken) this.inbox.splice(this.inbox.indexOf(event), 1);
    return taken;
  }

  /** A round trip: every event the server sent this socket before answering is in the inbox afterwards. */
  async sync(): Promise<void> {
    await this.call({ type: 'list_rooms' });
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}

/** The status and body of a refused WebSocket handshake. */
export function refusedHandshake(server: RunningServer, headers: Record<string, string>, path = '/ws'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, {
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
      agent: false,
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      reject(new Error(`unexpectedly upgraded (${res.statusCode})`));
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/** A minimal Server-Sent Events reader (WHATWG HTML §9.2 parsing, enough for tests). */
export class SseStream {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  private buffer = '';
  private waiter: (() => void) | undefined;

  private constructor(
    readonly status: number,
    readonly headers: Record<string, string | string[] | undefined>,
    private readonly destroy: () => void,
  ) {}

  static open(server: RunningServer, token: string, room: string, lastEventId?: string): Promise<SseStream> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...bearer(token), accept: 'text/event-stream' };
      if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
      const req = httpRequest(`${server.url}/api/rooms/${room}/events`, { headers, agent: false }, (res) => {
        const stream = new SseStream(res.statusCode ?? 0, res.headers, () => req.destroy());
        res.setEncoding('utf8').on('data', (chunk: string) => stream.feed(chunk));
        res.on('error', () => {});
        resolve(stream);
      });
      req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
      req.end();
    });
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) !== -1) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const event: SseEvent = { data: '' };
      let isEvent = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          this.comments.push(line);
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        isEvent = true;
        if (field === 'data') event.data += value;
        else if (field === 'id') event.id = value;
        else if (field === 'event') event.event = value;
      }
      if (isEvent && event.data !== '') this.events.push(event);
    }
    this.waiter?.();
  }

  /** Waits until `count` events have arrived (in total). */
  async waitFor(count: number, timeoutMs = 4000): Promise<SseEvent[]> {
    await this.until(() => this.events.length >= count, timeoutMs, () => `${count} SSE events; got ${this.events.length}`);
    return this.events.slice(0, count);
  }

  /** Waits until `count` comment lines (`: ...`) have arrived (in total). */
  async waitForComments(count: number, timeoutMs: number): Promise<string[]> {
    await this.until(() => this.comments.length >= count, timeoutMs, () => `${count} SSE comment lines; got ${this.comments.length}`);
    return this.comments.slice(0, count);
  }

  private async until(done: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  close(): void {
    this.destroy();
  }
}
