/**
 * `AuthService`: accounts, logins, sessions and access tokens over a `Store`
 * (src/store/types.ts). It knows no transport: callers pass what they know of the client
 * (`ClientInfo`) and get back data or an `ApiError`.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, badRequest, forbidden, notFound, unauthorized } from '../errors.js';
import type { SessionRecord, Store, UserRecord } from '../store/types.js';
import { toPublicUser, type AccessClaims, type Auth, type AuthEvents, type ClientInfo, type PublicSession, type PublicUser, type Tokens } from './types.js';
import { CLOCK_SKEW_SECONDS, Hs256Jwt } from './jwt.js';
import { normalizePassword, requireValidPassword, ScryptHasher, type PasswordHasher } from './password.js';
import { LoginThrottle } from './throttle.js';
import { isLive, matchRefreshToken, newSession, randomId, rotateSession, sessionIdOf, toPublicSession } from './sessions.js';
import { SerialByKey } from './serial-by-key.js';

/** SPEC §2: 3–20 characters of `[A-Za-z0-9_-]`. Anchored and linear. */
const USERNAME_PATTERN = /^[A-Za-z0-9_-]{3,20}$/;

export interface AuthServiceOptions {
  store: Store;
  /** HS256 key, ≥ 32 bytes (SPEC §1 `JWT_SECRET`). */
  secret: Buffer;
  /** Access token lifetime in seconds (SPEC §1 `ACCESS_TOKEN_TTL`). */
  accessTtl: number;
  /** Refresh token / session lifetime in seconds (SPEC §1 `REFRESH_TOKEN_TTL`), sliding on each refresh. */
  refreshTtl: number;
  /** Epoch milliseconds. */
  clock?: () => number;
  hasher?: PasswordHasher;
  throttle?: LoginThrottle;
}

const invalidCredentials = () => new ApiError(401, 'invalid_credentials', 'Invalid username or password');
const sessionGone = () => unauthorized('Session ended');

type Listeners = { [E in keyof AuthEvents]: Array<AuthEvents[E]> };

export class AuthService implements Auth {
  readonly #store: Store;
  readonly #jwt: Hs256Jwt;
  readonly #hasher: PasswordHasher;
  readonly #throttle: LoginThrottle;
  readonly #clock: () => number;
  readonly #accessTtl: number;
  readonly #refreshTtlMs: number;
  readonly #listeners: Listeners = { sessionEnded: [], userDeleted: [] };
  readonly #refreshing = new SerialByKey();

  constructor(options: AuthServiceOptions) {
    this.#store = options.store;
    this.#clock = options.clock ?? Date.now;
    this.#jwt = new Hs256Jwt({ secret: options.secret, clock: this.#clock });
    this.#hasher = options.hasher ?? new ScryptHasher();
    this.#throttle = options.throttle ?? new LoginThrottle({ clock: this.#clock });
    this.#accessTtl = options.accessTtl;
    this.#refreshTtlMs = options.refreshTtl * 1000;
  }

  on<E extends keyof AuthEvents>(event: E, listener: AuthEvents[E]): void {
    (this.#listeners[event] as Array<AuthEvents[E]>).push(listener);
  }

  async register(username: unknown, password: unknown): Promise<PublicUser> {
    // 1. Validate both fields (SPEC §2) before spending a hash.
    if (typeof username !== 'string' || !USERNAME_PATTERN.test(username)) {
      throw badRequest('username must be 3–20 characters of A–Z, a–z, 0–9, _ and -');
    }
    const normalized = requireValidPassword(password);
    // 2. A cheap early answer for a taken name: no 128 MiB hash for a request bound to fail.
    if ((await this.#store.getUserByName(username)) !== undefined) throw usernameTaken();
    // 3. Hash (bounded pool: may be 503), then create; the store re-checks atomically and
    //    picks the role: the first account ever is admin. No session (SPEC §7 rule 19).
    const passwordHash = await this.#hasher.hash(normalized);
    const created = await this.#store.createUser({ id: randomUUID(), username, passwordHash, createdAt: this.#clock() });
    if (created === 'taken') throw usernameTaken();
    return toPublicUser(created);
  }

  async login(username: unknown, password: unknown, client: ClientInfo): Promise<Tokens> {
    // 1. Shape: both fields are strings.
    if (typeof username !== 'string' || typeof password !== 'string') throw badRequest('username and password must be strings');
    // 2. Throttle first: the 6th attempt in the window is 429 whatever the password (SPEC §7
    //    rule 20). Attempts in flight count, so concurrent guesses get no more than 5 either.
    const end = this.#throttle.begin(username, client.ip);
    try {
      // 3. A password outside the length rule cannot be anyone's: a failure, without hashing.
      const normalized = normalizePassword(password);
      // 4. Unknown users are verified against the dummy hash, so both failures cost one scrypt
      //    and look alike (SPEC §2 login: "in about the same time").
      const user = USERNAME_PATTERN.test(username) ? await this.#store.getUserByName(username) : undefined;
      const ok = normalized !== undefined && (await this.#hasher.verify(normalized, user?.passwordHash ?? this.#hasher.dummyHash));
      if (user === undefined || !ok) {
        this.#throttle.fail(username, client.ip);
        throw invalidCredentials();
      }
      // 5. Success clears the count, then a new session (device) and its tokens.
      this.#throttle.succeed(username, client.ip);
      const { session, refreshToken } = newSession(user.id, client, this.#clock(), this.#refreshTtlMs);
      await this.#store.createSession(session);
      return this.#tokens(user, session, refreshToken);
    } finally {
      end();
    }
  }

  async refresh(refreshToken: unknown, client: ClientInfo): Promise<Tokens> {
    if (typeof refreshToken !== 'string') throw badRequest('refreshToken must be a string');
    // 1. The token names its session: one lookup.
    const sessionId = sessionIdOf(refreshToken);
    if (sessionId === undefined) throw unauthorized('Invalid refresh token');
    // One refresh per session at a time (see serial-by-key.ts).
    return this.#refreshing.run(sessionId, () => this.#refreshSession(sessionId, refreshToken, client));
  }

  async #refreshSession(sessionId: string, refreshToken: string, client: ClientInfo): Promise<Tokens> {
    const session = await this.#store.getSession(sessionId);
    if (session === undefined) throw unauthorized('Invalid refresh token');
    const now = this.#clock();
    // 2. An expired session is over.
    if (!isLive(session, now)) {
      await this.#endSession(session);
      throw unauthorized('Refresh token expired');
    }
    // 3. Reuse of a rotated-out token: someone else holds this session's tokens. End it all.
    const match = matchRefreshToken(session, refreshToken);
    if (match === 'reused') {
      await this.#endSession(session);
      throw unauthorized('Refresh token reused; session revoked');
    }
    // A token that was never this session's (a guess at the id) ends nothing.
    if (match === 'unknown') throw unauthorized('Invalid refresh token');
    // 4. The account must still exist.
    const user = await this.#store.getUser(session.userId);
    if (user === undefined) throw sessionGone();
    // 5. Rotate. If a logout removed the session meanwhile, fail.
    const rotated = rotateSession(session, client, now, this.#refreshTtlMs);
    if (!(await this.#store.updateSession(rotated.session))) throw sessionGone();
    return this.#tokens(user, rotated.session, rotated.refreshToken);
  }

  async logout(claims: AccessClaims): Promise<void> {
    // The access token stays cryptographically valid until exp + skew: remember its jti that long.
    await this.#store.revokeToken(claims.jti, (claims.exp + CLOCK_SKEW_SECONDS) * 1000);
    const session = await this.#store.getSession(claims.sid);
    if (session !== undefined) await this.#endSession(session);
  }

  async verifyAccessToken(token: string): Promise<AccessClaims> {
    // 1. Signature, header and claims (jwt.ts, RFC 7519 §7.2).
    const claims = this.#jwt.verify(token);
    // 2. SPEC §3, §7 rule 17: `sid` a live session of `sub`, `jti` not revoked, the user exists.
    const [session, revoked, user] = await Promise.all([
      this.#store.getSession(claims.sid),
      this.#store.isTokenRevoked(claims.jti),
      this.#store.getUser(claims.sub),
    ]);
    if (session === undefined || session.userId !== claims.sub || !isLive(session, this.#clock())) throw unauthorized('Session ended');
    if (revoked) throw unauthorized('Token revoked');
    if (user === undefined) throw unauthorized('Account deleted');
    return claims;
  }

  async me(claims: AccessClaims): Promise<PublicUser> {
    const user = await this.#store.getUser(claims.sub);
    if (user === undefined) throw unauthorized('Account deleted');
    return toPublicUser(user);
  }

  async listUsers(): Promise<PublicUser[]> {
    return (await this.#store.listUsers()).map(toPublicUser);
  }

  async listSessions(claims: AccessClaims): Promise<PublicSession[]> {
    const now = this.#clock();
    const sessions = await this.#store.listSessions(claims.sub);
    return sessions.filter((s) => isLive(s, now)).map((s) => toPublicSession(s, claims.sid));
  }

  async endSession(claims: AccessClaims, sessionId: string): Promise<void> {
    const session = await this.#store.getSession(sessionId);
    // Someone else's session is "not found", not "forbidden": ids of others are not confirmed.
    if (session === undefined || session.userId !== claims.sub) throw notFound('No such session');
    await this.#endSession(session);
  }

  async deleteUser(claims: AccessClaims, userId: string): Promise<void> {
    // 1. The caller's role as stored now, not as the token remembers it.
    const caller = await this.#store.getUser(claims.sub);
    if (caller?.role !== 'admin') throw forbidden('Only an admin may delete accounts');
    // 2. The store deletes the user and all of their sessions; their sockets close with 4003.
    if (!(await this.#store.deleteUser(userId))) throw notFound('No such user');
    for (const listener of this.#listeners.userDeleted) listener(userId);
  }

  async #endSession(session: SessionRecord): Promise<void> {
    if (await this.#store.deleteSession(session.id)) {
      for (const listener of this.#listeners.sessionEnded) listener(session.id, session.userId);
    }
  }

  #tokens(user: UserRecord, session: SessionRecord, refreshToken: string): Tokens {
    const iat = Math.floor(this.#clock() / 1000);
    const accessToken = this.#jwt.sign({
      sub: user.id,
      name: user.username,
      role: user.role,
      sid: session.id,
      jti: randomId(),
      iat,
      exp: iat + this.#accessTtl,
    });
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: this.#accessTtl, user: toPublicUser(user) };
  }
}

function usernameTaken(): ApiError {
  return new ApiError(409, 'username_taken', 'Username is taken');
}
