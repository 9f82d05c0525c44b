/**
 * Turning an accepted upgrade request into a `WebSocketConnection` (RFC 6455 §4.2.2).
 */
import type { Duplex } from 'node:stream';
import { WebSocketConnection, type ConnectionOptions } from './connection.js';
import { acceptResponse, type UpgradeCheck } from './handshake.js';

export interface AcceptOptions {
  /** The subprotocol selected; it must be one the client offered (§4.2.2 step 4, /subprotocol/). */
  protocol?: string;
  /** Extra response headers (e.g. Set-Cookie). */
  headers?: Record<string, string>;
}

/**
 * Writes the `101 Switching Protocols` answer and returns the open connection. `head`
 * holds any bytes that arrived after the request's headers; they are the first frame bytes.
 */
export function acceptUpgrade(
  socket: Duplex,
  head: Buffer | undefined,
  check: Extract<UpgradeCheck, { ok: true }>,
  accept: AcceptOptions = {},
  options: ConnectionOptions = {},
): WebSocketConnection {
  // §4.2.2 step 4 (/subprotocol/) / §4.1: the client fails the connection if the server
  // selects a protocol it did not offer, so refuse that programming error here.
  if (accept.protocol !== undefined && !check.protocols.includes(accept.protocol)) {
    throw new RangeError(`subprotocol ${accept.protocol} was not offered by the client`);
  }
  if (!socket.destroyed) socket.write(acceptResponse(check.key, accept.protocol, accept.headers));
  return new WebSocketConnection(socket, head, options, accept.protocol ?? '');
}
