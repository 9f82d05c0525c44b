/**
 * What the rest of SocketLink sees of authentication. `AuthService` (in
 * `src/auth/service.ts`) implements it over a `Store`; the HTTP routes and the
 * WebSocket upgrade call it and never touch hashes or token internals.
 *
 * Every failure is an `ApiError` (src/errors.ts) carrying its status and code.
 */
import type { Role, UserRecord } from '../store/types.js';

/** SPEC §2 `User`. */
export interface PublicUser {
  id: string;
  username: string;
  role: Role;
  /** ISO-8601. */
  createdAt: string;
}

/** SPEC §2 `Tokens`. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: PublicUser;
}

/** SPEC §2 `Session`. */
export interface PublicSession {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string;
  ip: string;
  current: boolean;
}

/** The verified claims of an access token (SPEC §3). Times in seconds, as in the JWT. */
export interface AccessClaims {
  sub: string;
  name: string;
  role: Role;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  iss: 'socketlink';
  nbf?: number;
}

/** Who is asking, for sessions and throttling. */
export interface ClientInfo {
  ip: string;
  userAgent: string;
}

/** Raised so live connections can be closed: 4001 for a session, 4003 for an account. */
export interface AuthEvents {
  sessionEnded: (sessionId: string, userId: string) => void;
  userDeleted: (userId: string) => void;
}

export interface Auth {
  /** 201 path. 400 `bad_request` on validation, 409 `username_taken`, 503 `overloaded` when the hash queue is full. Creates no session (SPEC §7 rule 19). */
  register(username: unknown, password: unknown): Promise<PublicUser>;
  /** 401 `invalid_credentials` for unknown user and wrong password alike; 429 `rate_limited` per username+IP (SPEC §7 rule 20); 503 `overloaded`. */
  login(username: unknown, password: unknown, client: ClientInfo): Promise<Tokens>;
  /** Rotates. Reuse of a rotated-out token revokes the whole session (401). */
  refresh(refreshToken: unknown, client: ClientInfo): Promise<Tokens>;
  /** Ends the session of these claims and revokes the access token's `jti` until it expires. */
  logout(claims: AccessClaims): Promise<void>;
  /**
   * Verifies an access token (SPEC §3, §7 rules 2, 17, 18): signature, header, claims,
   * `iss`, live `sid` of `sub`, unrevoked `jti`, existing user.
   * 401 `token_expired` past `exp` + 30 s, 401 `unauthorized` for everything else.
   */
  verifyAccessToken(token: string): Promise<AccessClaims>;
  me(claims: AccessClaims): Promise<PublicUser>;
  listUsers(): Promise<Array<PublicUser>>;
  listSessions(claims: AccessClaims): Promise<PublicSession[]>;
  /** 404 if the session is not the caller's. */
  endSession(claims: AccessClaims, sessionId: string): Promise<void>;
  /** 403 for non-admins, 404 for an unknown id. */
  deleteUser(claims: AccessClaims, userId: string): Promise<void>;
  /** Subscribe to session ends and account deletions. */
  on<E extends keyof AuthEvents>(event: E, listener: AuthEvents[E]): void;
}

export function toPublicUser(user: UserRecord): PublicUser {
  return { id: user.id, username: user.username, role: user.role, createdAt: new Date(user.createdAt).toISOString() };
}
