/**
 * `GET /ws` (SPEC §4): the opening handshake with SocketLink's own checks, then
 * one `WsPeer` per connection handed to the chat core.
 *
 * The engine's checks (RFC 6455 §4.2.1) run first; ours follow as numbered steps.
 * Authentication is asynchronous (a store lookup), so this is an `upgrade`
 * listener of its own rather than the engine's synchronous `verify` hook.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AccessClaims, Auth, PublicUser } from '../auth/types.js';
import type { ChatService } from '../chat/service.js';
import { ApiError, forbidden, notFound, overloaded, unauthorized } from '../errors.js';
import type { RequestContext } from '../http/context.js';
import type { OriginPolicy } from '../http/origin.js';
import { nextRequestId } from '../http/request-id.js';
import { JSON_CONTENT_TYPE } from '../http/response.js';
import { splitTarget } from '../http/router.js';
import { SECURITY_HEADERS } from '../http/security-headers.js';
import type { Logger } from '../log.js';
import { acceptUpgrade, checkUpgrade, formatFrame, frameRecord, plainRequestRefusal, ReadyState, rejectUpgrade, type TraceFn, type WebSocketConnection } from '../ws/index.js';
import type { ChatMetrics } from './chat-metrics.js';
import { OVERLOADED_RETRY_AFTER_SECONDS, type ConnectionCount } from './connection-count.js';
import type { TokenLifecycle } from './token-lifecycle.js';
import { findHandshakeToken, selectChatSubprotocol } from './ws-token.js';
import { SLOW_CONSUMER_BYTES, WsPeer } from './ws-peer.js';

export const CHAT_PATH = '/ws';
/** SPEC §4, §7 rule 5: a chat message payload over 64 KiB is closed 1009. */
export const MAX_CHAT_MESSAGE_BYTES = 64 * 1024;
/** RFC 6455 §7.4.1 1001: "an endpoint is going away, such as a server going down". */
const CLOSE_GOING_AWAY = 1001;

export interface ChatEndpointDeps {
  readonly chat: ChatService;
  readonly auth: Auth;
  readonly origins: OriginPolicy;
  readonly count: ConnectionCount;
  readonly tokens: TokenLifecycle;
  readonly metrics: ChatMetrics;
  readonly log: Logger;
  readonly heartbeatSeconds: number;
}

export class ChatEndpoint {
  private readonly connections = new Set<WebSocketConnection>();
  private closing = false;

  constructor(private readonly deps: ChatEndpointDeps) {}

  /**
   * A plain `GET /ws`, without the upgrade headers: the engine's verdict (426 with
   * `Upgrade: websocket`, RFC 9110 §15.5.22 / RFC 6455 §4.2.2) as a SPEC §2 error, as a
   * `ws` server answers one. An upgrade request never comes this way: node:http hands it
   * to `handleUpgrade`.
   */
  readonly handlePlainRequest = (ctx: RequestContext): never => {
    const refusal = plainRequestRefusal(ctx.req);
    throw handshakeError(refusal.status, refusal.message, refusal.headers);
  };

  /** The `upgrade` listener of the HTTP server. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    // Like every HTTP answer, the handshake's (101 or a refusal) carries a request id.
    const id = nextRequestId();
    this.upgrade(req, socket, head, id).catch((error: unknown) => {
      this.deps.log.error('websocket upgrade failed', { reqId: id, error });
      reject(socket, new ApiError(500, 'internal', 'Internal server error'), id);
    });
  };

  /**
   * 1. only `/ws` upgrades (anything else is 404);
   * 2. RFC 6455 §4.2.1: a valid opening handshake (the engine's `checkUpgrade`), its
   *    refusal rendered as a SPEC §2 JSON error (rule 1: a 400 is `bad_request`);
   * 3. SPEC §1–§2: under `MAX_CONNECTIONS`, else 503 with `retry-after`, before any crypto;
   * 4. SPEC §4: a token from one of the four transports, else 401;
   * 5. SPEC §7 rule 15: an `Origin`, when sent, must be same-origin or listed; without
   *    one, only a non-cookie token is accepted (a browser always sends `Origin`, so a
   *    cookie without one is not a page of ours). Else 403;
   * 6. SPEC §3: the token verifies (401 `unauthorized` / `token_expired`);
   * 7. the client is still there and the cap still holds;
   * 8. `101`, selecting `socketlink.v1` when offered; the chat core takes over.
   */
  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, id: string): Promise<void> {
    const { auth, origins, count } = this.deps;
    // Step 1.
    const { path, query } = splitTarget(req.url ?? '/');
    if (path !== CHAT_PATH) return reject(socket, notFound('WebSocket endpoint is /ws'), id);
    // Step 2.
    const check = checkUpgrade(req);
    if (!check.ok) return reject(socket, handshakeError(check.status, check.message, check.headers), id);
    // Step 3.
    if (this.closing) return reject(socket, overloaded(OVERLOADED_RETRY_AFTER_SECONDS, 'Server shutting down'), id);
    const full = attempt(() => count.check());
    if (full) return reject(socket, full, id);
    // Step 4.
    const found = findHandshakeToken(req, check.protocols, new URLSearchParams(query));
    if (!found) return reject(socket, unauthorized(), id);
    // Step 5.
    const origin = req.headers.origin;
    if (origin !== undefined ? !origins.isAllowed(origin, req.headers.host) : found.source === 'cookie') {
      return reject(socket, forbidden('WebSocket connections must come from an allowed Origin'), id);
    }
    // Step 6.
    let claims: AccessClaims;
    let user: PublicUser;
    try {
      claims = await auth.verifyAccessToken(found.token);
      user = await auth.me(claims);
    } catch (error) {
      if (error instanceof ApiError) return reject(socket, error, id);
      throw error;
    }
    // Step 7.
    if (socket.destroyed) return;
    const fullNow = this.closing ? overloaded(OVERLOADED_RETRY_AFTER_SECONDS, 'Server shutting down') : attempt(() => count.check());
    if (fullNow) return reject(socket, fullNow, id);
    // Step 8.
    const connection = acceptUpgrade(
      socket,
      head,
      check,
      { protocol: selectChatSubprotocol(check.protocols), headers: { 'x-request-id': id } },
      {
        maxMessageSize: MAX_CHAT_MESSAGE_BYTES,
        maxBufferedAmount: SLOW_CONSUMER_BYTES,
        heartbeatIntervalMs: this.deps.heartbeatSeconds * 1000,
        trace: this.tracer(user),
      },
    );
    this.attach(connection, claims, user, id);
  }

  /**
   * SPEC §1: at LOG_LEVEL=trace every frame in and out is logged with its RFC 6455 §5.2
   * fields, as `echo-server --trace` prints them. The logger redacts tokens in the line;
   * the preview holds only the first TRACE_PAYLOAD_PREVIEW bytes, so an `auth` event's
   * token never appears whole (at most the start of its public JOSE header).
   */
  private tracer(user: PublicUser): TraceFn | undefined {
    const { log } = this.deps;
    if (!log.enabled('trace')) return undefined;
    return (direction, frame) => log.trace(formatFrame(direction, frame), { user: user.id, ...frameRecord(direction, frame) });
  }

  /** Wires one open connection to the chat core, the counters and the token lifecycle. */
  private attach(connection: WebSocketConnection, claims: AccessClaims, user: PublicUser, requestId: string): void {
    const { chat, count, tokens, metrics, log } = this.deps;
    const release = count.add('ws');
    const peer = new WsPeer(randomUUID(), user, connection, claims, () => metrics.wsFrames.inc({ direction: 'out' }));
    this.connections.add(connection);
    connection.on('message', (data) => {
      metrics.wsFrames.inc({ direction: 'in' });
      // Binary frames are decoded too: anything that is not our JSON is a bad_request, not a close.
      void chat.handle(peer, data.toString('utf8'));
    });
    // SPEC §7 rule 13: "every client frame" counts, control frames too (the engine has
    // already answered a ping with its pong).
    connection.on('ping', () => chat.countFrame(peer));
    connection.on('pong', () => chat.countFrame(peer));
    // The engine closes the connection itself on a protocol error; the close event follows.
    connection.on('error', (error) => log.debug('websocket error', { peer: peer.id, user: user.id, code: error.code, closeCode: error.closeCode }));
    connection.once('close', (code) => {
      this.connections.delete(connection);
      release();
      tokens.untrack(peer);
      chat.disconnect(peer);
      log.debug('websocket closed', { peer: peer.id, user: user.id, code });
    });
    log.debug('websocket open', { reqId: requestId, peer: peer.id, user: user.id });
    chat.connect(peer).then(
      () => {
        if (connection.readyState === ReadyState.OPEN) tokens.track(peer);
      },
      (error: unknown) => {
        log.error('chat connect failed', { error });
        connection.close(1011, 'internal error');
      },
    );
  }

  /** SPEC §1 shutdown: refuse new upgrades, send 1001 to every socket, wait for them (bounded by the caller). */
  async shutdown(): Promise<void> {
    this.closing = true;
    const open = [...this.connections];
    const closed = open.map((c) => new Promise<void>((resolve) => (c.readyState === ReadyState.CLOSED ? resolve() : c.once('close', () => resolve()))));
    for (const connection of open) connection.close(CLOSE_GOING_AWAY, 'server shutting down');
    await Promise.all(closed);
  }

  /** Cuts whatever did not finish its closing handshake. */
  terminateAll(): void {
    for (const connection of this.connections) connection.terminate();
  }

  get size(): number {
    return this.connections.size;
  }
}

function attempt(check: () => void): ApiError | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
}

/**
 * The engine's verdict on a broken opening handshake, in the SPEC §2 error shape: every
 * response body of the chat server is JSON, and a 400 is always `bad_request` (SPEC §7
 * rule 1). A 405 is `method_not_allowed`; a 426 (unsupported `Sec-WebSocket-Version`)
 * has no code of its own in SPEC §2, so it is `bad_request` too, its status and
 * `Sec-WebSocket-Version` header saying the rest (RFC 6455 §4.4).
 */
function handshakeError(status: number, message: string, headers: Record<string, string>): ApiError {
  return new ApiError(status, status === 405 ? 'method_not_allowed' : 'bad_request', message, headers);
}

/** A refused handshake: a plain HTTP answer with the SPEC §2 JSON error body instead of 101. */
function reject(socket: Duplex, error: ApiError, requestId: string): void {
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    'x-request-id': requestId,
    'content-type': JSON_CONTENT_TYPE,
    'cache-control': 'no-store',
    ...error.headers,
  };
  // RFC 6750 §3: a 401 names the scheme.
  if (error.status === 401) headers['www-authenticate'] = 'Bearer realm="socketlink"';
  rejectUpgrade(socket, error.status, headers, JSON.stringify({ error: error.code, message: error.message }));
}
