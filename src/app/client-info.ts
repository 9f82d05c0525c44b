/**
 * `ClientInfo` (src/auth/types.ts) from a request: the peer address of the TCP
 * socket and the User-Agent, for the sessions list and login throttling.
 *
 * We do not read `X-Forwarded-For`: behind no proxy it is whatever the client
 * wants it to be, and trusting it would let anyone dodge the login throttle.
 */
import type { IncomingMessage } from 'node:http';
import type { ClientInfo } from '../auth/types.js';

/** Long enough for any real browser's User-Agent; bounded because it is stored. */
export const MAX_USER_AGENT_LENGTH = 512;
const IPV4_MAPPED_PREFIX = '::ffff:';

export function clientInfo(req: IncomingMessage): ClientInfo {
  let ip = req.socket.remoteAddress ?? '';
  // A dual-stack socket reports IPv4 peers as IPv4-mapped IPv6 (RFC 4291 §2.5.5.2).
  if (ip.startsWith(IPV4_MAPPED_PREFIX) && ip.includes('.')) ip = ip.slice(IPV4_MAPPED_PREFIX.length);
  const userAgent = (req.headers['user-agent'] ?? '').slice(0, MAX_USER_AGENT_LENGTH);
  return { ip, userAgent };
}
