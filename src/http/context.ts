/**
 * What a route handler sees of one request: the Node objects, the matched route,
 * decoded path parameters, the request id and a logger bound to it, and the
 * answer helpers. Nothing here knows of auth or chat.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { readJsonBody } from './body.js';
import { getCookie } from './cookies.js';
import { sendJson, sendNoContent } from './response.js';

export class RequestContext {
  #log: Logger | undefined;
  #query: URLSearchParams | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    /** Also in the `x-request-id` response header and every log line. */
    readonly id: string,
    /** The route pattern, e.g. `/api/auth/sessions/:id` (bounded: used as a metric label). */
    readonly route: string,
    readonly path: string,
    readonly rawQuery: string,
    readonly params: Readonly<Record<string, string>>,
    private readonly baseLog: Logger,
  ) {}

  /** A logger whose every line carries `reqId` (created on first use: most requests log nothing). */
  get log(): Logger {
    return (this.#log ??= this.baseLog.child({ reqId: this.id }));
  }

  get query(): URLSearchParams {
    return (this.#query ??= new URLSearchParams(this.rawQuery));
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  }

  cookie(name: string): string | undefined {
    return getCookie(this.req.headers.cookie, name);
  }

  /** The JSON object body, or undefined when the request has none (see body.ts). */
  readJson(): Promise<Record<string, unknown> | undefined> {
    return readJsonBody(this.req);
  }

  /** Adds `Set-Cookie` lines to the coming answer. */
  setCookies(lines: readonly string[]): void {
    const existing = this.res.getHeader('set-cookie');
    const before = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
    this.res.setHeader('set-cookie', [...before, ...lines]);
  }

  json(status: number, body: unknown, headers?: Record<string, string>): void {
    sendJson(this.res, this.id, status, body, headers);
  }

  noContent(headers?: Record<string, string>): void {
    sendNoContent(this.res, this.id, headers);
  }
}

export type Handler = (ctx: RequestContext) => unknown;
