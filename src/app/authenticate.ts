/**
 * Who is calling (SPEC §2 "Authentication"), as one algorithm:
 *  1. An `Authorization` header must be `Bearer <token>` (RFC 6750 §2.1; the scheme
 *     is case-insensitive, RFC 9110 §11.1). Anything else there is 401.
 *  2. Without one, the `sl_access` cookie. Neither: 401 `unauthorized`.
 *  3. A state-changing request (POST, PUT, PATCH, DELETE) authenticated by cookie
 *     must carry an `Origin` that is same-origin or in CORS_ORIGINS, else 403
 *     `forbidden` (SPEC §2, §7 rule 15). This is the CSRF defence: a browser attaches
 *     cookies to cross-site requests but always says where they come from.
 *     A Bearer token is never attached by a browser on its own, so needs no check.
 *  4. Verify the token (Auth.verifyAccessToken: signature, claims, live session).
 *
 * Every 401 carries `www-authenticate: Bearer` (RFC 6750 §3).
 */
import { ApiError, forbidden, unauthorized } from '../errors.js';
import type { AccessClaims, Auth } from '../auth/types.js';
import type { RequestContext } from '../http/context.js';
import type { OriginPolicy } from '../http/origin.js';
import { ACCESS_COOKIE } from './auth-cookies.js';

/** RFC 9110 §9.2.1: the methods that are not "safe". */
export const UNSAFE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const BEARER_SCHEME = 'bearer';

const challenge = (error: ApiError): ApiError =>
  error.status === 401
    ? new ApiError(401, error.code, error.message, { ...error.headers, 'www-authenticate': 'Bearer realm="socketlink"' })
    : error;

/** The token of `Authorization: Bearer <token>`, or undefined if the header is not that. */
export function parseBearer(header: string): string | undefined {
  const space = header.indexOf(' ');
  if (space === -1 || header.slice(0, space).toLowerCase() !== BEARER_SCHEME) return undefined;
  const token = header.slice(space + 1).trim();
  // RFC 6750 §2.1: b64token has no spaces.
  if (token === '' || token.includes(' ')) return undefined;
  return token;
}

/** Step 3, also used alone by refresh with the `sl_refresh` cookie. */
export function requireCookieOrigin(ctx: RequestContext, origins: OriginPolicy): void {
  if (!origins.isAllowed(ctx.header('origin'), ctx.header('host'))) {
    throw forbidden('A cookie-authenticated request must come from an allowed Origin');
  }
}

export type Authenticator = (ctx: RequestContext) => Promise<AccessClaims>;

export function createAuthenticator(auth: Auth, origins: OriginPolicy): Authenticator {
  return async (ctx) => {
    let token: string | undefined;
    const header = ctx.header('authorization');
    if (header !== undefined) {
      // Step 1.
      token = parseBearer(header);
      if (token === undefined) throw challenge(unauthorized('Authorization must be "Bearer <token>"'));
    } else {
      // Step 2.
      token = ctx.cookie(ACCESS_COOKIE);
      if (token === undefined || token === '') throw challenge(unauthorized());
      // Step 3.
      if (UNSAFE_METHODS.has(ctx.req.method ?? '')) requireCookieOrigin(ctx, origins);
    }
    // Step 4.
    try {
      return await auth.verifyAccessToken(token);
    } catch (error) {
      throw error instanceof ApiError ? challenge(error) : error;
    }
  };
}
