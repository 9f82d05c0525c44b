/**
 * CORS (Fetch standard, "CORS protocol") for the origins in CORS_ORIGINS.
 *
 * Actual requests: an allowed `Origin` gets `access-control-allow-origin` set to
 * that origin (never `*`: credentials — our cookies — are not allowed with `*`),
 * `access-control-allow-credentials: true`, and the response headers a script may
 * read. Any answer whose headers depend on `Origin` says `vary: origin` so a cache
 * does not hand one origin's answer to another.
 *
 * Preflight: the Fetch standard's preflight is an `OPTIONS` with
 * `Access-Control-Request-Method`; our choice is to answer every `OPTIONS` (any path,
 * `*` included, SPEC §2 `OPTIONS *`) the same way: always 204. An allowed origin gets
 * the methods and request headers it may use and a max-age; a disallowed one gets a
 * 204 with no CORS headers at all (SPEC §7 rule 21), which the browser reads as "no".
 */
import type { OriginPolicy } from './origin.js';

export const CORS_ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
export const CORS_ALLOWED_HEADERS = 'authorization, content-type, last-event-id, x-request-id';
export const CORS_EXPOSED_HEADERS = 'x-request-id, retry-after';
/** How long a browser may cache a preflight answer, in seconds. */
export const CORS_MAX_AGE_SECONDS = 600;

/** Headers for an actual (non-preflight) request; empty when CORS does not apply. */
export function corsHeaders(origin: string | undefined, host: string | undefined, policy: OriginPolicy): Record<string, string> {
  if (origin === undefined || !policy.isAllowed(origin, host)) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': CORS_EXPOSED_HEADERS,
    vary: 'origin',
  };
}

/** Headers for a preflight answer (status 204 in every case). */
export function preflightHeaders(origin: string | undefined, host: string | undefined, policy: OriginPolicy): Record<string, string> {
  if (origin === undefined || !policy.isAllowed(origin, host)) return { vary: 'origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': CORS_ALLOWED_METHODS,
    'access-control-allow-headers': CORS_ALLOWED_HEADERS,
    'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
    vary: 'origin',
  };
}
