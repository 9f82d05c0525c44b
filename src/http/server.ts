/**
 * The request pipeline over `node:http`, and the server's timeouts.
 *
 * For each request:
 *  1. Take a request id and split the target into path and query. An HTTP/1.1 request
 *     without `Host` is 400 (RFC 9112 §3.2).
 *  2. `OPTIONS` (any path, `*` included) is a CORS preflight: 204 (cors.ts).
 *  3. CORS: an allowed `Origin` gets its headers on whatever answer follows.
 *  4. Route: 404 `not_found`, 405 `method_not_allowed` with `allow`, 400 for a
 *     malformed percent-encoding in a parameter.
 *  5. Refuse a body that is not JSON (415) or is declared over 16 KiB (413), then
 *     run the handler. An `ApiError` it throws is rendered as SPEC §2's error body;
 *     anything else is a bug: logged at `error` with the request id and stack, and
 *     answered 500 `internal` with no detail.
 *  6. When the answer is over (written before the handler returned, or later finished
 *     or cut short: a client leaving an SSE stream or a long poll): count it in
 *     `socketlink_http_requests_total{route,status}` and the duration histogram, and log
 *     it at `debug` (at `trace` with the query and the request headers, redacted).
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { ApiError, badRequest, notFound } from '../errors.js';
import type { Logger } from '../log.js';
import { checkBodyHeaders } from './body.js';
import { RequestContext, type Handler } from './context.js';
import { corsHeaders, preflightHeaders } from './cors.js';
import type { Counter, Histogram, MetricsRegistry } from './metrics.js';
import type { OriginPolicy } from './origin.js';
import { JSON_CONTENT_TYPE, sendError, sendNoContent } from './response.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { Router, splitTarget } from './router.js';
import { nextRequestId } from './request-id.js';

/** Route labels for answers that matched no route pattern (bounded, like patterns). */
export const UNMATCHED_ROUTE = 'unmatched';
export const PREFLIGHT_ROUTE = 'OPTIONS *';

export interface HttpMetrics {
  readonly requests: Counter;
  readonly duration: Histogram;
}

export function createHttpMetrics(registry: MetricsRegistry): HttpMetrics {
  return {
    requests: registry.counter('socketlink_http_requests_total', 'HTTP requests answered, by route pattern and status.', ['route', 'status']),
    duration: registry.histogram('socketlink_http_request_duration_seconds', 'Time from request to the end of its answer, in seconds.'),
  };
}

export interface HttpAppOptions {
  readonly router: Router<Handler>;
  readonly log: Logger;
  readonly metrics: HttpMetrics;
  readonly origins: OriginPolicy;
}

/** Builds the `request` listener for `node:http`. */
export function createRequestListener(options: HttpAppOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { router, log, metrics, origins } = options;
  const accessLog = log.enabled('debug');
  // At trace the access line also carries the request headers, for people studying
  // the protocol; the logger redacts authorization, cookie and tokens (src/log.ts).
  const traceHeaders = log.enabled('trace');

  const fail = (ctx: { id: string; res: ServerResponse; route: string }, error: unknown) => {
    if (!(error instanceof ApiError)) {
      log.error('unhandled error in request handler', { reqId: ctx.id, route: ctx.route, error });
    }
    sendError(ctx.res, ctx.id, error);
  };

  // Steps 2–5 for one request; returns the route label it is counted under.
  const respond = (req: IncomingMessage, res: ServerResponse, id: string, method: string, path: string, query: string): string => {
    // RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any
    // HTTP/1.1 request message that lacks a Host header field".
    if (req.headers.host === undefined && req.httpVersion !== '1.0') {
      sendError(res, id, badRequest('Missing Host header'));
      return UNMATCHED_ROUTE;
    }
    const origin = req.headers.origin;
    // Step 2.
    if (method === 'OPTIONS') {
      sendNoContent(res, id, preflightHeaders(origin, req.headers.host, origins));
      return PREFLIGHT_ROUTE;
    }
    // Step 3.
    if (origin !== undefined) {
      const cors = corsHeaders(origin, req.headers.host, origins);
      for (const name in cors) res.setHeader(name, cors[name]!);
    }
    // Step 4.
    const found = router.match(method, path);
    switch (found.kind) {
      case 'not_found':
        sendError(res, id, notFound(`No route for ${method} ${path.length > 200 ? path.slice(0, 200) + '…' : path}`));
        return UNMATCHED_ROUTE;
      case 'method_not_allowed':
        sendError(res, id, new ApiError(405, 'method_not_allowed', `${method} is not allowed here`, { allow: found.allow }));
        return found.route;
      case 'bad_path':
        sendError(res, id, badRequest('Malformed percent-encoding in the path'));
        return found.route;
      case 'found':
        break;
    }
    // Step 5.
    const ctx = new RequestContext(req, res, id, found.route, path, query, found.params, log);
    try {
      // SPEC §2: a body must be JSON and at most 16 KiB on every route, including
      // those that never read it (body.ts steps 1–3; headers only, nothing is read).
      checkBodyHeaders(req);
      const result = found.handler(ctx);
      if (result instanceof Promise) result.catch((error: unknown) => fail(ctx, error));
    } catch (error) {
      fail(ctx, error);
    }
    return found.route;
  };

  return (req, res) => {
    // Step 1.
    const start = performance.now();
    const id = nextRequestId();
    const { path, query } = splitTarget(req.url ?? '/');
    const method = req.method ?? 'GET';
    const route = respond(req, res, id, method, path, query);

    // Step 6.
    const answered = () => {
      const seconds = (performance.now() - start) / 1000;
      metrics.requests.inc({ route, status: String(res.statusCode) });
      metrics.duration.observe(seconds);
      if (accessLog) {
        const fields = { reqId: id, method, route, path, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10 };
        if (traceHeaders) log.trace('request', { ...fields, query, headers: req.headers });
        else log.debug('request', fields);
      }
    };
    // Most answers are written before the handler returns: counted now. One still open
    // (an async handler, an SSE stream, a long poll) is counted on 'close', not 'finish':
    // it fires exactly once, also for an answer cut short, which never finishes.
    // Performance: a listener per request cost about 2 % of a health answer.
    if (res.writableEnded) answered();
    else res.once('close', answered);
  };
}

/**
 * Timeouts against slow clients (slowloris: open many connections and send the
 * headers a byte at a time, so each holds a socket forever).
 *
 * - `headersTimeout` 10 s: the whole header block must arrive within 10 s of the
 *   first byte. Node's default is 60 s; a real client sends headers in one packet.
 * - `requestTimeout` 30 s: the whole request, body included (at most 16 KiB here).
 *   This bounds request *receipt* only, so long polls (≤ 30 s) and SSE streams,
 *   which are long *answers*, are not cut by it.
 * - `keepAliveTimeout` 5 s: an idle keep-alive connection is closed after 5 s
 *   (Node's default; long enough for a browser's next request).
 * - `connectionsCheckingInterval` 1 s: how often Node checks the two limits above
 *   (its default of 30 s would let a slow client stay up to 30 s past them).
 * - `maxHeaderSize` 16 KiB: Node's default, stated so it is a decision.
 */
export const SERVER_TIMEOUTS = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
  connectionsCheckingInterval: 1_000,
  maxHeaderSize: 16 * 1024,
} as const;

export type ServerTimeouts = { -readonly [K in keyof typeof SERVER_TIMEOUTS]: number };

export function createHttpServer(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  timeouts: ServerTimeouts = SERVER_TIMEOUTS,
): Server {
  const server = createServer(
    {
      headersTimeout: timeouts.headersTimeout,
      requestTimeout: timeouts.requestTimeout,
      keepAliveTimeout: timeouts.keepAliveTimeout,
      connectionsCheckingInterval: timeouts.connectionsCheckingInterval,
      maxHeaderSize: timeouts.maxHeaderSize,
      // Node's own answer to a missing Host is a bare 400; the listener answers it in JSON.
      requireHostHeader: false,
    },
    listener,
  );
  // No idle-socket timeout beyond the above: SSE streams are legitimately quiet
  // between their 15 s comment lines.
  server.timeout = 0;
  server.on('clientError', answerClientError);
  return server;
}

/**
 * Requests Node's parser rejects before any handler runs (a malformed request line
 * or header, headers over `maxHeaderSize`, a header or request timeout). Node's own
 * answer is a bare status line; ours keeps SPEC §2's promise that every body is JSON
 * with the security headers. The status is Node's (RFC 9110 §15.5.9 408, RFC 6585 §5
 * 431, 413 for chunk extensions over Node's limit, else 400); the `error` code is
 * `payload_too_large` for the 413 and otherwise `bad_request`, the only client-error
 * code SPEC defines for a request that could not be read. The connection is closed after it,
 * since the parser cannot find where the next request would begin.
 */
const CLIENT_ERROR_STATUS: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

const CLIENT_ERROR_BODY: Readonly<Record<number, { error: string; message: string }>> = {
  400: { error: 'bad_request', message: 'Malformed HTTP request' },
  408: { error: 'bad_request', message: 'Request not received in time' },
  413: { error: 'payload_too_large', message: 'Request body chunk extensions too large' },
  431: { error: 'bad_request', message: 'Request headers too large' },
};

function answerClientError(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400;
  const body = JSON.stringify(CLIENT_ERROR_BODY[status] ?? CLIENT_ERROR_BODY[400]);
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n`;
  const headers: Record<string, string | number> = {
    ...SECURITY_HEADERS,
    'x-request-id': nextRequestId(),
    'content-type': JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  };
  for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
  socket.end(`${head}\r\n${body}`);
}
