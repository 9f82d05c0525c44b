/**
 * Writing answers. Every response head goes through `writeHead`, `sendJson` or
 * `sendNoContent` (the error answers through `sendJson` too), so each carries the
 * security headers (SPEC §2) and the request id; a body of known size carries an
 * exact `content-length` (a stream such as SSE has none).
 */
import type { ServerResponse } from 'node:http';
import { ApiError } from '../errors.js';
import { SECURITY_HEADERS } from './security-headers.js';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** The SPEC §2 error body. */
export interface ErrorBody {
  error: string;
  message: string;
}

/** SECURITY_HEADERS as Node's flat `[name, value, name, value, …]` header list. */
const SECURITY_HEADER_LIST: readonly string[] = Object.entries(SECURITY_HEADERS).flat();

/**
 * Writes the status line and headers in one call: the security headers, the request
 * id, then `headers`, whose entries replace a security header of the same name (the client
 * routes' own CSP). Headers set earlier with `setHeader` (CORS, `set-cookie`) are merged by Node.
 *
 * Performance: the headers go to Node as one flat array, not an object. Node walks either
 * the same way, but a fresh object per answer with varying keys sends its `for…in` down
 * V8's slow path; measured at about 1.5 µs of the ~22 µs a health answer costs.
 */
export function writeHead(res: ServerResponse, status: number, requestId: string, headers: Readonly<Record<string, string | number>>): void {
  const list = baseHeaders(requestId, headers);
  for (const name in headers) list.push(name, headers[name]!);
  res.writeHead(status, list as string[]);
}

/** The security headers `overrides` does not replace, then the request id, as a flat list. */
function baseHeaders(requestId: string, overrides?: Readonly<Record<string, unknown>>): (string | number)[] {
  const list: (string | number)[] = [];
  for (let i = 0; i < SECURITY_HEADER_LIST.length; i += 2) {
    if (overrides === undefined || !(SECURITY_HEADER_LIST[i]! in overrides)) list.push(SECURITY_HEADER_LIST[i]!, SECURITY_HEADER_LIST[i + 1]!);
  }
  list.push('x-request-id', requestId);
  return list;
}

/** RFC 9111 §5.2.2.5: answers may carry tokens and personal data; no cache keeps them. */
const NO_STORE = 'no-store';

export function sendJson(res: ServerResponse, requestId: string, status: number, body: unknown, headers?: Readonly<Record<string, string>>): void {
  const text = JSON.stringify(body);
  const list = baseHeaders(requestId);
  list.push('content-type', JSON_CONTENT_TYPE, 'content-length', Buffer.byteLength(text), 'cache-control', NO_STORE);
  // Extra headers (`allow`, `retry-after`, `www-authenticate`, `referrer-policy`...) follow;
  // none repeats one above.
  if (headers !== undefined) for (const name in headers) list.push(name, headers[name]!);
  res.writeHead(status, list as string[]);
  res.end(text);
}

/** 204: RFC 9110 §15.3.5, no content and therefore no content-type. */
export function sendNoContent(res: ServerResponse, requestId: string, headers: Record<string, string> = {}): void {
  writeHead(res, 204, requestId, { 'cache-control': NO_STORE, ...headers });
  res.end();
}

/**
 * Renders any thrown value. An `ApiError` is the client's fault or an expected
 * condition and is shown as-is; anything else is a bug: 500 `internal`, with a
 * fixed message so no stack trace or internal detail reaches the client.
 */
export function errorToResponse(error: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } {
  if (error instanceof ApiError) {
    return { status: error.status, body: { error: error.code, message: error.message }, headers: { ...error.headers } };
  }
  return { status: 500, body: { error: 'internal', message: 'Internal server error' }, headers: {} };
}

export function sendError(res: ServerResponse, requestId: string, error: unknown): void {
  const { status, body, headers } = errorToResponse(error);
  if (res.headersSent) {
    // Too late to change the status: cut the connection so the client sees a failure
    // rather than a truncated body that looks complete.
    res.destroy();
    return;
  }
  sendJson(res, requestId, status, body, headers);
}
