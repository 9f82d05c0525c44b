/**
 * Origins (RFC 6454) for CORS, for the cookie-request CSRF rule (SPEC §2, §7 rule
 * 15) and for the WebSocket handshake: same-origin is always allowed, others only
 * when listed in CORS_ORIGINS.
 */

/**
 * Normalizes a configured origin (`https://Chat.Example.com:443/` →
 * `https://chat.example.com`), or returns undefined if it is not a bare
 * scheme://host[:port] origin.
 */
export function normalizeOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password || url.search || url.hash) return undefined;
  if (url.pathname !== '/') return undefined;
  return url.origin;
}

/**
 * RFC 6454 §5: two origins are the same when scheme, host and port match. The
 * request's own origin is its Host header (RFC 9110 §7.2) under the scheme the
 * browser used: `http`, or `https` behind a TLS-terminating proxy, which we cannot
 * tell apart from here, so both are accepted for that host. The Host header is
 * serialized like an origin (lowercase, default port dropped) before comparing.
 */
export function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined || host === '') return false;
  let url: URL;
  let own: URL;
  try {
    url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    own = new URL(`${url.protocol}//${host}`);
  } catch {
    return false;
  }
  return url.origin === own.origin && own.pathname === '/' && own.username === '' && own.search === '';
}

/** The allowlist: same-origin, or exactly one of CORS_ORIGINS (already normalized). */
export class OriginPolicy {
  readonly #allowed: ReadonlySet<string>;

  constructor(allowedOrigins: Iterable<string>) {
    this.#allowed = new Set(allowedOrigins);
  }

  /** Listed in CORS_ORIGINS. The `Origin` header is compared as sent: browsers send it serialized (lowercase, no default port). */
  isListed(origin: string): boolean {
    return this.#allowed.has(origin);
  }

  /** Same-origin or listed. */
  isAllowed(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined) return false;
    return this.#allowed.has(origin) || isSameOrigin(origin, host);
  }
}
