/**
 * A plain HTTP client for black-box tests over node:http (not fetch: tests need
 * to send any `Origin`, `Host`, `Cookie` and bodies of exact sizes), plus the
 * raw-socket sender for requests no well-behaved client would make.
 */
import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: any;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string | string[]>;
  /** An object is sent as JSON with `content-type: application/json`. */
  body?: unknown;
  /** A keep-alive agent to reuse connections; default: a fresh connection per request. */
  agent?: Agent;
}

export function request(baseUrl: string, path: string, options: RequestOptions = {}): Promise<Answer> {
  const headers: Record<string, string | string[]> = { ...options.headers };
  let payload: Buffer | undefined;
  if (options.body !== undefined) {
    if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) payload = Buffer.from(options.body as string);
    else {
      payload = Buffer.from(JSON.stringify(options.body));
      headers['content-type'] ??= 'application/json';
    }
    headers['content-length'] ??= String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl}${path}`, { method: options.method ?? 'GET', headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text === '' ? undefined : JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Sends raw bytes and resolves with everything the server answers until it closes or `idleMs` passes. */
export function rawRequest(port: number, bytes: string | Buffer, idleMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1');
    socket.setTimeout(idleMs, () => socket.end());
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve(answer) : reject(error)));
    socket.write(bytes);
  });
}

/** The status code of the first response in a raw answer. */
export function rawStatus(answer: string): number {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(answer);
  return match ? Number(match[1]) : 0;
}

/** `name=value` of every `set-cookie` line, by cookie name, with the raw line. */
export function setCookies(headers: IncomingHttpHeaders): Map<string, { value: string; line: string }> {
  const cookies = new Map<string, { value: string; line: string }>();
  for (const line of headers['set-cookie'] ?? []) {
    const pair = line.split(';')[0]!;
    const eq = pair.indexOf('=');
    cookies.set(pair.slice(0, eq), { value: pair.slice(eq + 1), line });
  }
  return cookies;
}
