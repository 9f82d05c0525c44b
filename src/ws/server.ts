/**
 * A small WebSocket server on an `http.Server`'s `upgrade` event: the opening handshake,
 * an optional hook to refuse with an HTTP status before `101`, the set of open
 * connections, and a graceful shutdown that closes each with 1001.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode } from './close-codes.js';
import { ReadyState, WebSocketConnection, type ConnectionOptions } from './connection.js';
import { checkUpgrade, rejectUpgrade } from './handshake.js';
import { acceptUpgrade } from './upgrade.js';

export interface Refusal {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface WebSocketServerOptions {
  /** Options for each connection, or a function of the request giving them (e.g. a per-connection trace). */
  connection?: ConnectionOptions | ((req: IncomingMessage) => ConnectionOptions);
  /**
   * The application's say before `101`: the Origin (§4.2.1 step 7), authentication (§4.2.2
   * step 2, e.g. a 401) and the subprotocol (§4.2.2 step 4, /subprotocol/). Return a
   * `Refusal` to answer with that status instead, or the selected subprotocol (or
   * undefined for none).
   */
  verify?: (req: IncomingMessage, protocols: readonly string[]) => Refusal | { protocol?: string } | undefined;
}


/** Until the handshake is done, a socket error just ends the socket (no per-socket closure). */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

export class WebSocketServer extends EventEmitter<{ connection: [connection: WebSocketConnection, req: IncomingMessage] }> {
  readonly connections = new Set<WebSocketConnection>();
  private readonly options: WebSocketServerOptions;
  /** One 'close' listener shared by every connection (memory: no closure per connection). */
  private readonly forget: (this: WebSocketConnection) => void;

  constructor(http: Server, options: WebSocketServerOptions = {}) {
    super();
    this.options = options;
    const connections = this.connections;
    this.forget = function (this: WebSocketConnection) {
      connections.delete(this);
    };
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(req, socket, head));
  }

  /** Runs the handshake on one upgrade request. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', destroyOnError);
    const check = checkUpgrade(req);
    if (!check.ok) return rejectUpgrade(socket, check.status, check.headers, `${check.message}\n`);
    const verdict = this.options.verify?.(req, check.protocols);
    if (verdict && 'status' in verdict) return rejectUpgrade(socket, verdict.status, verdict.headers ?? {}, verdict.body ?? '');
    const options = typeof this.options.connection === 'function' ? this.options.connection(req) : this.options.connection;
    const connection = acceptUpgrade(socket, head, check, { protocol: verdict?.protocol }, options);
    socket.off('error', destroyOnError); // the connection has its own from here on
    this.connections.add(connection);
    connection.on('close', this.forget);
    this.emit('connection', connection, req);
  }

  /**
   * Sends 1001 to every connection and resolves once all are gone, terminating any still
   * open after `timeoutMs`.
   */
  async shutdown(timeoutMs = 3000, reason = 'server shutting down'): Promise<void> {
    const open = [...this.connections];
    const closed = open.map((c) => new Promise<void>((resolve) => (c.readyState === ReadyState.CLOSED ? resolve() : c.once('close', () => resolve()))));
    for (const connection of open) connection.close(CloseCode.GoingAway, reason);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all(closed), timeout]);
    clearTimeout(timer);
    for (const connection of this.connections) connection.terminate();
  }
}
