/**
 * Writing answers. Every response goes through `sendJson`, `sendNoContent` or
 * `sendError`, so each one carries the security headers (SPEC §2), the request id,
 * and an exact `content-length`.
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

/**
 * Writes the status line and headers in one call (performance: one header block,
 * no per-header `setHeader` bookkeeping). Headers set earlier with `setHeader`
 * (CORS, `set-cookie`) are merged by Node.
 */
export function writeHead(res: ServerResponse, status: number, requestId: string, headers: Record<string, string | number>): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'x-request-id': requestId, ...headers });
}

export function sendJson(res: ServerResponse, requestId: string, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  writeHead(res, status, requestId, {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    // RFC 9111 §5.2.2.5: answers may carry tokens and personal data; no cache keeps them.
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** 204: RFC 9110 §15.3.5, no content and therefore no content-type. */
export function sendNoContent(res: ServerResponse, requestId: string, headers: Record<string, string> = {}): void {
  writeHead(res, 204, requestId, { 'cache-control': 'no-store', ...headers });
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
