/**
 * Cookies (RFC 6265): parsing the `Cookie` request header and writing the two
 * `Set-Cookie` lines of SPEC §2.
 *
 *   sl_access  HttpOnly; SameSite=Strict; Path=/;         Max-Age=ACCESS_TOKEN_TTL
 *   sl_refresh HttpOnly; SameSite=Strict; Path=/api/auth; Max-Age=REFRESH_TOKEN_TTL
 *   plus `Secure` on both when COOKIE_SECURE=1.
 *
 * `HttpOnly` keeps tokens away from page scripts (an XSS cannot read them);
 * `SameSite=Strict` keeps cross-site requests from carrying them; the refresh
 * cookie's `Path=/api/auth` sends it only where it is used.
 */

export const ACCESS_COOKIE = 'sl_access';
export const REFRESH_COOKIE = 'sl_refresh';
export const ACCESS_COOKIE_PATH = '/';
export const REFRESH_COOKIE_PATH = '/api/auth';

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
 * RFC 6265 §3.1: a cookie is removed by sending it again with the same name, path
 * and a Max-Age of 0 (§5.2.2: a Max-Age of zero or less expires it at once).
 */
export function clearCookie(name: string, path: string, secure: boolean): string {
  return serializeCookie(name, '', { path, maxAgeSeconds: 0, secure });
}

export interface AuthCookieSettings {
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  secure: boolean;
}

/** The two cookies set by login and refresh. */
export function authCookies(accessToken: string, refreshToken: string, settings: AuthCookieSettings): string[] {
  return [
    serializeCookie(ACCESS_COOKIE, accessToken, { path: ACCESS_COOKIE_PATH, maxAgeSeconds: settings.accessTtlSeconds, secure: settings.secure }),
    serializeCookie(REFRESH_COOKIE, refreshToken, { path: REFRESH_COOKIE_PATH, maxAgeSeconds: settings.refreshTtlSeconds, secure: settings.secure }),
  ];
}

/** The two cookies cleared by logout. */
export function clearedAuthCookies(secure: boolean): string[] {
  return [clearCookie(ACCESS_COOKIE, ACCESS_COOKIE_PATH, secure), clearCookie(REFRESH_COOKIE, REFRESH_COOKIE_PATH, secure)];
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
    const eq = header.indexOf('=', start);
    if (eq !== -1 && eq < end && header.slice(start, eq).trim() === name) {
      let value = header.slice(eq + 1, end).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      return value;
    }
    start = end + 1;
  }
  return undefined;
}
