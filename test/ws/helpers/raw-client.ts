/**
 * A WebSocket client over a raw node:net socket, for conformance tests: it sends exactly
 * the bytes a test crafts (broken frames included) and reports every frame the server
 * sends back and when the TCP connection closes.
 */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { parseFrames, type ServerFrame } from './frames.js';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function handshakeRequest(path = '/', extra: Record<string, string> = {}, key = randomBytes(16).toString('base64')): string {
  const headers: Record<string, string> = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': key,
    'Sec-WebSocket-Version': '13',
    ...extra,
  };
  let out = `GET ${path} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) if (value !== '') out += `${name}: ${value}\r\n`;
  return `${out}\r\n`;
}

export class RawClient {
  readonly socket: Socket;
  /** Every server frame received so far, in order. */
  readonly frames: ServerFrame[] = [];
  answer: HttpAnswer | undefined;
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private need = 2;
  private headerDone = false;
  private readonly closedPromise: Promise<void>;
  private isClosed = false;
  private listeners = new Set<() => void>();

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    this.closedPromise = once(socket, 'close').then(() => {
      this.isClosed = true;
      this.notify();
    });
  }

  /** Opens a TCP connection and sends `request` (default: a valid handshake), waiting for the HTTP answer. */
  static async open(port: number, request: string | Buffer = handshakeRequest()): Promise<RawClient> {
    const socket = connect({ port, host: '127.0.0.1' });
    await once(socket, 'connect');
    const client = new RawClient(socket);
    socket.write(request);
    await client.waitFor(() => client.answer !== undefined || client.isClosed, 5000, 'HTTP answer');
    return client;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  send(...buffers: Buffer[]): void {
    for (const b of buffers) this.socket.write(b);
  }

  /** Writes `buffer` in pieces of `size` bytes, yielding to the event loop between them. */
  async sendInPieces(buffer: Buffer, size: number): Promise<void> {
    for (let at = 0; at < buffer.length; at += size) {
      this.socket.write(buffer.subarray(at, at + size));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Resolves with every frame received once the server has closed the TCP connection. */
  async untilClosed(timeoutMs = 5000): Promise<ServerFrame[]> {
    await this.waitFor(() => this.isClosed, timeoutMs, 'TCP close');
    return this.frames;
  }

  /** Resolves once at least `count` frames have arrived. */
  async framesAtLeast(count: number, timeoutMs = 5000): Promise<ServerFrame[]> {
    await this.waitFor(() => this.frames.length >= count || this.isClosed, timeoutMs, `${count} frames`);
    return this.frames;
  }

  async waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (predicate()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${this.frames.length} frames, closed=${this.isClosed}`));
      }, timeoutMs);
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve();
      };
      this.listeners.add(check);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private onData(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    if (!this.headerDone) {
      const all = Buffer.concat(this.pending);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.answer = parseAnswer(all.subarray(0, end).toString('latin1'), all.subarray(end + 4));
      this.headerDone = true;
      const rest = this.answer.status === 101 ? all.subarray(end + 4) : Buffer.alloc(0);
      this.pending = rest.length ? [rest] : [];
      this.pendingLength = rest.length;
      if (this.answer.status !== 101) {
        this.answer.body = all.subarray(end + 4).toString('utf8');
        this.pending = [];
        this.pendingLength = 0;
      }
    } else if (this.pendingLength < this.need) {
      return; // Performance for 16 MiB cases: parse only once the next frame can be complete.
    }
    if (this.answer?.status === 101 && this.pendingLength >= 2) {
      const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingLength);
      const { frames, rest } = parseFrames(all);
      this.frames.push(...frames);
      this.pending = rest.length ? [rest] : [];
      this.pendingLength = rest.length;
      this.need = frameSize(rest);
    }
    this.notify();
  }
}

/** Bytes needed for the frame starting `buffer` to be complete (or for its header to be readable). */
function frameSize(buffer: Buffer): number {
  if (buffer.length < 2) return 2;
  const len7 = buffer[1]! & 0x7f;
  const mask = buffer[1]! & 0x80 ? 4 : 0;
  if (len7 < 126) return 2 + mask + len7;
  if (len7 === 126) return buffer.length < 4 ? 4 : 4 + mask + buffer.readUInt16BE(2);
  return buffer.length < 10 ? 10 : 10 + mask + Number(buffer.readBigUInt64BE(2));
}

function parseAnswer(head: string, rest: Buffer): HttpAnswer {
  const [statusLine, ...lines] = head.split('\r\n');
  const status = Number(statusLine!.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, body: rest.toString('utf8') };
}

/** Summaries that make deepEqual failures readable. */
export function summarize(frames: ServerFrame[]): string[] {
  return frames.map((f) => {
    if (f.opcode === 0x8) return f.payload.length >= 2 ? `close ${f.payload.readUInt16BE(0)}` : 'close';
    const name = ({ 0: 'cont', 1: 'text', 2: 'binary', 9: 'ping', 10: 'pong' } as Record<number, string>)[f.opcode] ?? `op${f.opcode}`;
    const body = f.opcode === 1 && f.payload.length <= 64 ? JSON.stringify(f.payload.toString('utf8')) : `${f.payload.length}B`;
    return `${f.fin ? '' : 'nofin '}${name} ${body}`;
  });
}
