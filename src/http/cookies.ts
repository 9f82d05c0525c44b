/**
 * Cookies (RFC 6265): parsing the `Cookie` request header and writing `Set-Cookie` lines
 * with the attributes every cookie of ours carries:
 *
 *   NAME=VALUE; HttpOnly; SameSite=Strict; Path=PATH; Max-Age=SECONDS[; Secure]
 *
 * `HttpOnly` (RFC 6265 §4.1.2.6) keeps a cookie away from page scripts, so an XSS cannot
 * read it; `SameSite=Strict` (defined by RFC 6265's successor draft, draft-ietf-httpbis-
 * rfc6265bis) keeps cross-site requests from carrying it; `Secure` (§4.1.2.5) keeps it off
 * plain HTTP. Which cookies exist, and their paths, is the application's (app/auth-cookies.ts).
 */

export interface CookieOptions {
  path: string;
  maxAgeSeconds: number;
  secure: boolean;
}

/**
 * RFC 6265 §4.1.1: cookie-value is a run of cookie-octets (printable US-ASCII
 * except DQUOTE, comma, semicolon and backslash). Our values are JWTs and
 * base64url strings, which always qualify; anything else is a bug upstream.
 */
function isCookieValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x22 || c === 0x2c || c === 0x3b || c === 0x5c) return false;
  }
  return true;
}

/** One `Set-Cookie` value, attributes in the order SPEC §2 lists them. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  if (!isCookieValue(value)) throw new Error(`cookie ${name}: value has characters a cookie cannot carry`);
  let line = `${name}=${value}; HttpOnly; SameSite=Strict; Path=${options.path}; Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`;
  if (options.secure) line += '; Secure';
  return line;
}

/**
 * Removes a cookie: the same name and path (RFC 6265 §5.3 step 11 replaces the stored
 * one) with `Max-Age=0`. Looser than the server grammar of §4.1.1, whose max-age starts
 * with a non-zero digit, but every user agent expires it at once (§5.2.2: "If delta-seconds
 * is less than or equal to zero (0), let expiry-time be the earliest representable date").
 */
export function clearCookie(name: string, path: string, secure: boolean): string {
  return serializeCookie(name, '', { path, maxAgeSeconds: 0, secure });
}

/**
 * Finds one cookie in a `Cookie` header (RFC 6265 §5.4: `name=value` pairs joined
 * by `; `). A linear scan, no regular expression. The first pair with the name wins
 * (§5.4 step 2 sorts the more specific path first). A value wrapped in DQUOTEs is
 * unwrapped (§4.1.1 allows them). Values are not percent-decoded: ours never need it.
 */
export function getCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    // The '=' is looked for within this pair only, so the whole scan stays linear.
    let eq = start;
    while (eq < end && header.charCodeAt(eq) !== 0x3d) eq++;
    if (eq < end && header.slice(start, eq).trim() === name) {
      let value = header.slice(eq + 1, end).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      return value;
    }
    start = end + 1;
  }
  return undefined;
}
