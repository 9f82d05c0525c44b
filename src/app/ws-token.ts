/**
 * Where the access token of a `/ws` handshake comes from (SPEC §4), in our order
 * of preference:
 *  1. `Authorization: Bearer <token>` (RFC 6750 §2.1);
 *  2. a subprotocol `bearer.<token>` offered beside `socketlink.v1` — browsers
 *     cannot set headers on a WebSocket, but they can offer subprotocols;
 *  3. the `?token=` query parameter (never logged: we never log an upgrade URL);
 *  4. the `sl_access` cookie — the only source a browser attaches by itself, which
 *     is why the Origin rule (SPEC §7 rule 15) is stricter for it.
 */
import type { IncomingMessage } from 'node:http';
import { getCookie } from '../http/cookies.js';
import { ACCESS_COOKIE } from './auth-cookies.js';
import { parseBearer } from './authenticate.js';

/** SPEC §4: the chat subprotocol the server selects. */
export const CHAT_SUBPROTOCOL = 'socketlink.v1';
/** SPEC §4: a subprotocol carrying the token. */
const BEARER_SUBPROTOCOL_PREFIX = 'bearer.';

export type TokenSource = 'header' | 'subprotocol' | 'query' | 'cookie';

export interface HandshakeToken {
  token: string;
  source: TokenSource;
}

/**
 * Finds the token, or `undefined` when none was presented. A malformed
 * `Authorization` header counts as presented-and-bad: it yields `''`, which fails
 * verification with 401, rather than silently falling back to the cookie.
 */
export function findHandshakeToken(req: IncomingMessage, protocols: readonly string[], query: URLSearchParams): HandshakeToken | undefined {
  // Step 1.
  const header = req.headers.authorization;
  if (header !== undefined) return { token: parseBearer(header) ?? '', source: 'header' };
  // Step 2.
  const offered = protocols.find((protocol) => protocol.startsWith(BEARER_SUBPROTOCOL_PREFIX));
  if (offered !== undefined) return { token: offered.slice(BEARER_SUBPROTOCOL_PREFIX.length), source: 'subprotocol' };
  // Step 3.
  const query_ = query.get('token');
  if (query_ !== null) return { token: query_, source: 'query' };
  // Step 4.
  const cookie = getCookie(req.headers.cookie, ACCESS_COOKIE);
  if (cookie !== undefined && cookie !== '') return { token: cookie, source: 'cookie' };
  return undefined;
}

/**
 * RFC 6455 §4.2.2 step 5.4: the server selects one of the offered subprotocols or
 * none. We select `socketlink.v1` whenever offered, and never echo `bearer.<token>`
 * (that would put the token in a response header).
 */
export function selectChatSubprotocol(protocols: readonly string[]): string | undefined {
  return protocols.includes(CHAT_SUBPROTOCOL) ? CHAT_SUBPROTOCOL : undefined;
}
