/**
 * The HTTP side of the client (SPEC §2), authenticated by cookies.
 *
 * Why cookies and not the JSON tokens: login sets `sl_access` and `sl_refresh`
 * as HttpOnly, SameSite=Strict cookies, so script — including injected script,
 * should any ever slip past the CSP — cannot read either token. The client keeps
 * only the access token's expiry time, so it can refresh before reconnecting
 * instead of presenting a token it knows to be expired. Same-origin `fetch`
 * sends `Origin` on POST and DELETE, which the server requires of
 * cookie-authenticated state changes (SPEC §2, §7 rule 15).
 */
import type { ErrorBody, Session, Tokens, User } from './protocol.js';

/** A failed call: the API's status and stable `error` code, or status 0 and `network`. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiFailure';
    this.status = status;
    this.code = code;
  }
  /** The server answered "who are you?": the session may be refreshable, or over. */
  get isAuth(): boolean {
    return this.status === 401;
  }
  get isNetwork(): boolean {
    return this.status === 0;
  }
}

/** Refresh this long before the recorded expiry: covers clock drift and request latency. */
const EXPIRY_MARGIN_MS = 5_000;
/** Web Locks name that serializes refreshes across tabs sharing the cookie jar. */
const REFRESH_LOCK = 'socketlink-refresh';

export class Api {
  /** When the current access token expires (epoch ms), 0 when unknown. */
  #expiresAt = 0;
  /** The refresh in flight, shared by every caller (see `refresh`). */
  #refreshing: Promise<Tokens> | null = null;

  /** True when the access token is known to be expired (or about to be). */
  tokenKnownExpired(now = Date.now()): boolean {
    return this.#expiresAt !== 0 && now >= this.#expiresAt - EXPIRY_MARGIN_MS;
  }

  async register(username: string, password: string): Promise<User> {
    const body = await this.#send<{ user: User }>('POST', '/api/auth/register', { username, password }, false);
    return body.user;
  }

  async login(username: string, password: string): Promise<Tokens> {
    const tokens = await this.#send<Tokens>('POST', '/api/auth/login', { username, password }, false);
    this.#adopt(tokens);
    return tokens;
  }

  /**
   * POST /api/auth/refresh with the `sl_refresh` cookie. Single-flight: the server
   * rotates refresh tokens and treats a rotated-out token as theft, revoking the
   * whole session (SPEC §2). Two concurrent refreshes from one jar would present
   * the same token twice, so every caller shares one request, and tabs take
   * turns through a Web Lock (the later tab's request carries the rotated cookie).
   */
  refresh(): Promise<Tokens> {
    if (this.#refreshing === null) {
      const run = async (): Promise<Tokens> => {
        const tokens = await this.#send<Tokens>('POST', '/api/auth/refresh', undefined, false);
        this.#adopt(tokens);
        return tokens;
      };
      const locks = globalThis.navigator?.locks;
      const attempt = locks ? locks.request(REFRESH_LOCK, run) : run();
      this.#refreshing = attempt.finally(() => {
        this.#refreshing = null;
      });
    }
    return this.#refreshing;
  }

  async logout(): Promise<void> {
    try {
      await this.#send<void>('POST', '/api/auth/logout', undefined, false);
    } finally {
      this.#expiresAt = 0;
    }
  }

  async me(): Promise<User> {
    return (await this.#send<{ user: User }>('GET', '/api/auth/me')).user;
  }

  async users(): Promise<Array<User & { online: boolean }>> {
    return (await this.#send<{ users: Array<User & { online: boolean }> }>('GET', '/api/auth/users')).users;
  }

  async sessions(): Promise<Session[]> {
    return (await this.#send<{ sessions: Session[] }>('GET', '/api/auth/sessions')).sessions;
  }

  async endSession(id: string): Promise<void> {
    await this.#send<void>('DELETE', `/api/auth/sessions/${encodeURIComponent(id)}`);
  }

  #adopt(tokens: Tokens): void {
    this.#expiresAt = Date.now() + tokens.expiresIn * 1000;
  }

  /**
   * One request. With `retryAfterRefresh`, a 401 is answered by one refresh and
   * one retry: the access cookie may simply have expired (its Max-Age equals the
   * token's lifetime). A failed refresh surfaces as the refresh's own 401.
   */
  async #send<T>(method: string, path: string, body?: unknown, retryAfterRefresh = true): Promise<T> {
    const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
    // SPEC §7 rule 5: only a request with a body carries content-type.
    if (body !== undefined) {
      init.headers = { accept: 'application/json', 'content-type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await fetch(path, init);
    } catch {
      throw new ApiFailure(0, 'network', 'The server cannot be reached');
    }
    if (response.status === 401 && retryAfterRefresh) {
      await this.refresh();
      return this.#send<T>(method, path, body, false);
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page, say): reported below by status alone.
    }
    if (!response.ok) {
      const error = parsed as Partial<ErrorBody> | undefined;
      throw new ApiFailure(
        response.status,
        typeof error?.error === 'string' ? error.error : 'internal',
        typeof error?.message === 'string' ? error.message : `Request failed with status ${response.status}`,
      );
    }
    return parsed as T;
  }
}
