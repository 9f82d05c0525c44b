/**
 * The two cookies of SPEC §2, set by login and refresh and cleared by logout:
 *
 *   sl_access  HttpOnly; SameSite=Strict; Path=/;         Max-Age=ACCESS_TOKEN_TTL
 *   sl_refresh HttpOnly; SameSite=Strict; Path=/api/auth; Max-Age=REFRESH_TOKEN_TTL
 *   plus `Secure` on both when COOKIE_SECURE=1.
 *
 * The refresh cookie's `Path=/api/auth` sends it only where it is used.
 */
import { clearCookie, serializeCookie } from '../http/cookies.js';

export const ACCESS_COOKIE = 'sl_access';
export const REFRESH_COOKIE = 'sl_refresh';
const ACCESS_COOKIE_PATH = '/';
const REFRESH_COOKIE_PATH = '/api/auth';

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
