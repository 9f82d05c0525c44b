/**
 * Refresh tokens and the session records behind them (SPEC §3: opaque, ≥ 256 bits, stored
 * only as a hash).
 *
 * A refresh token is `<session id>.<secret>`: the session id makes lookup one `getSession`
 * (O(1)) instead of a search by hash, and the secret is 256 random bits, so knowing a
 * session id (it is shown in the sessions list) gives nothing. The store keeps only
 * SHA-256(token); a fast hash is enough because the token is random, not a password.
 *
 * Rotation (RFC 9700 §4.14.2, OAuth 2.0 Security BCP): every refresh issues a new token and
 * moves the old hash to `previousRefreshHashes`. Presenting one of those again means two
 * parties hold the token — the legitimate client and a thief — so the whole session ends.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionRecord } from '../store/types.js';
import type { ClientInfo, PublicSession } from './types.js';
import { decodeBase64url, isCanonicalBase64url } from './base64url.js';

/** SPEC §3: at least 256 bits. */
export const REFRESH_SECRET_BYTES = 32;
/** 128 random bits: unguessable, and unique without coordination. */
const ID_BYTES = 16;
/** How many rotated-out hashes a session remembers for reuse detection. */
export const MAX_PREVIOUS_HASHES = 32;
/** Stored strings from the client are capped so a huge User-Agent cannot bloat every session record. */
const MAX_USER_AGENT = 256;
const MAX_IP = 64;
/** 22 characters of id, a dot, 43 of secret: anything much longer is not ours and is not parsed. */
const MAX_REFRESH_TOKEN_LENGTH = 128;

/** A random, URL-safe identifier (session ids, `jti`). */
export function randomId(bytes = ID_BYTES): string {
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256 of the token, base64url: what the store keeps. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export interface IssuedRefreshToken {
  token: string;
  hash: string;
}

export function issueRefreshToken(sessionId: string): IssuedRefreshToken {
  const token = `${sessionId}.${randomId(REFRESH_SECRET_BYTES)}`;
  return { token, hash: hashRefreshToken(token) };
}

/** The session id a refresh token names, or undefined if it is not one of ours in shape. */
export function sessionIdOf(token: string): string | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > MAX_REFRESH_TOKEN_LENGTH) return undefined;
  const id = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  const decoded = decodeBase64url(secret);
  return isCanonicalBase64url(id) && decoded !== undefined && decoded.length === REFRESH_SECRET_BYTES ? id : undefined;
}

/** Where a presented token stands in its session's history. */
export type RefreshMatch = 'current' | 'reused' | 'unknown';

export function matchRefreshToken(session: SessionRecord, token: string): RefreshMatch {
  const presented = Buffer.from(hashRefreshToken(token));
  // Hashes are compared in constant time like every secret comparison, although they are
  // hashes of random tokens; it costs nothing and removes a question from review.
  if (sameHash(presented, session.refreshHash)) return 'current';
  let reused = false;
  for (const old of session.previousRefreshHashes) reused = sameHash(presented, old) || reused;
  return reused ? 'reused' : 'unknown';
}

function sameHash(presented: Buffer, stored: string): boolean {
  const expected = Buffer.from(stored);
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}

/** The device as last seen, capped. */
function clientFields(client: ClientInfo): Pick<SessionRecord, 'userAgent' | 'ip'> {
  return { userAgent: String(client.userAgent ?? '').slice(0, MAX_USER_AGENT), ip: String(client.ip ?? '').slice(0, MAX_IP) };
}

export function newSession(userId: string, client: ClientInfo, now: number, refreshTtlMs: number): { session: SessionRecord; refreshToken: string } {
  const id = randomId();
  const { token, hash } = issueRefreshToken(id);
  const session: SessionRecord = {
    id,
    userId,
    refreshHash: hash,
    previousRefreshHashes: [],
    createdAt: now,
    lastUsedAt: now,
    expiresAt: now + refreshTtlMs,
    ...clientFields(client),
  };
  return { session, refreshToken: token };
}

/** The next state of a session after a successful refresh: new token, old hash remembered, expiry slides. */
export function rotateSession(session: SessionRecord, client: ClientInfo, now: number, refreshTtlMs: number): { session: SessionRecord; refreshToken: string } {
  const { token, hash } = issueRefreshToken(session.id);
  const previous = [...session.previousRefreshHashes, session.refreshHash].slice(-MAX_PREVIOUS_HASHES);
  return {
    session: {
      ...session,
      refreshHash: hash,
      previousRefreshHashes: previous,
      lastUsedAt: now,
      expiresAt: now + refreshTtlMs,
      ...clientFields(client),
    },
    refreshToken: token,
  };
}

export function isLive(session: SessionRecord, now: number): boolean {
  return now < session.expiresAt;
}

export function toPublicSession(session: SessionRecord, currentSessionId: string): PublicSession {
  return {
    id: session.id,
    createdAt: new Date(session.createdAt).toISOString(),
    lastUsedAt: new Date(session.lastUsedAt).toISOString(),
    userAgent: session.userAgent,
    ip: session.ip,
    current: session.id === currentSessionId,
  };
}
