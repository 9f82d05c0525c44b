/**
 * The account and session routes of SPEC §2, wired onto the `Auth` interface.
 * Handlers only translate: HTTP in (body, cookies, socket) → an `Auth` call →
 * HTTP out (status, JSON, cookies). Every rule lives in `src/auth/`.
 */
import type { Auth } from '../auth/types.js';
import { badRequest, unauthorized } from '../errors.js';
import type { Handler, RequestContext } from '../http/context.js';
import type { OriginPolicy } from '../http/origin.js';
import type { Router } from '../http/router.js';
import { authCookies, clearedAuthCookies, REFRESH_COOKIE, type AuthCookieSettings } from './auth-cookies.js';
import { requireCookieOrigin, type Authenticator } from './authenticate.js';
import { clientInfo } from './client-info.js';
import type { LiveStats } from './live-stats.js';

export interface AuthRouteDeps {
  readonly auth: Auth;
  readonly authenticate: Authenticator;
  readonly origins: OriginPolicy;
  readonly cookies: AuthCookieSettings;
  /** Read on every call, so the chat layer can install its provider later. */
  readonly live: () => LiveStats;
}

/** Register and login need a body; a bodiless POST there is a bad request. */
async function requireBody(ctx: RequestContext): Promise<Record<string, unknown>> {
  const body = await ctx.readJson();
  if (body === undefined) throw badRequest('A JSON body is required');
  return body;
}

export function addAuthRoutes(router: Router<Handler>, deps: AuthRouteDeps): void {
  const { auth, authenticate, origins, cookies } = deps;

  // POST /api/auth/register {username,password} → 201 {user}; creates no session (rule 19).
  router.add('POST', '/api/auth/register', async (ctx) => {
    const body = await requireBody(ctx);
    const user = await auth.register(body.username, body.password);
    ctx.json(201, { user });
  });

  // POST /api/auth/login {username,password} → 200 Tokens, and both cookies.
  router.add('POST', '/api/auth/login', async (ctx) => {
    const body = await requireBody(ctx);
    const tokens = await auth.login(body.username, body.password, clientInfo(ctx.req));
    ctx.setCookies(authCookies(tokens.accessToken, tokens.refreshToken, cookies));
    ctx.json(200, tokens);
  });

  // POST /api/auth/refresh {refreshToken} or the sl_refresh cookie → 200 Tokens (rotated).
  router.add('POST', '/api/auth/refresh', async (ctx) => {
    const body = await ctx.readJson();
    let refreshToken: unknown = body?.refreshToken;
    if (refreshToken === undefined) {
      refreshToken = ctx.cookie(REFRESH_COOKIE);
      if (refreshToken === undefined || refreshToken === '') throw unauthorized('No refresh token');
      // SPEC §7 rule 15: refresh by cookie follows the cookie Origin rule.
      requireCookieOrigin(ctx, origins);
    }
    const tokens = await auth.refresh(refreshToken, clientInfo(ctx.req));
    ctx.setCookies(authCookies(tokens.accessToken, tokens.refreshToken, cookies));
    ctx.json(200, tokens);
  });

  // POST /api/auth/logout → 204; ends the session and clears the cookies.
  router.add('POST', '/api/auth/logout', async (ctx) => {
    const claims = await authenticate(ctx);
    await auth.logout(claims);
    ctx.setCookies(clearedAuthCookies(cookies.secure));
    ctx.noContent();
  });

  router.add('GET', '/api/auth/me', async (ctx) => {
    const claims = await authenticate(ctx);
    ctx.json(200, { user: await auth.me(claims) });
  });

  router.add('GET', '/api/auth/sessions', async (ctx) => {
    const claims = await authenticate(ctx);
    ctx.json(200, { sessions: await auth.listSessions(claims) });
  });

  // DELETE /api/auth/sessions/:id → 204; 404 if it is not the caller's.
  router.add('DELETE', '/api/auth/sessions/:id', async (ctx) => {
    const claims = await authenticate(ctx);
    await auth.endSession(claims, ctx.params.id!);
    ctx.noContent();
  });

  // GET /api/auth/users → {users: [User & {online}]}.
  router.add('GET', '/api/auth/users', async (ctx) => {
    await authenticate(ctx);
    const live = deps.live();
    const users = (await auth.listUsers()).map((user) => ({ ...user, online: live.isOnline(user.id) }));
    ctx.json(200, { users });
  });

  // DELETE /api/users/:id → 204; admin only (403), 404 for an unknown id.
  router.add('DELETE', '/api/users/:id', async (ctx) => {
    const claims = await authenticate(ctx);
    await auth.deleteUser(claims, ctx.params.id!);
    ctx.noContent();
  });
}
