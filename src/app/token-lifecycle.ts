/**
 * The access token on a live socket (SPEC §4, §7 rules 14 and 16):
 * - `token_expiring` 60 s before `exp` (at once if less remains), `expiresAt` in ms;
 * - close 4001 at `exp` itself (the 30 s verification skew does not extend a socket);
 * - an `auth` frame verifies a new token of the same user and restarts both timers
 *   (another user's token is `forbidden`);
 * - a session that ends (logout, device sign-out, refresh reuse) closes its sockets
 *   4001; a deleted account closes all of its user's sockets 4003.
 */
import type { Auth } from '../auth/types.js';
import { encodeEvent } from '../chat/protocol.js';
import { forbidden } from '../errors.js';
import type { WsPeer } from './ws-peer.js';

/** SPEC §4: warn this long before expiry. */
export const TOKEN_WARNING_MS = 60_000;
/** SPEC §4 close codes: token expired or session revoked; account deleted. */
export const CLOSE_TOKEN_EXPIRED = 4001;
export const CLOSE_ACCOUNT_DELETED = 4003;
/** Node timers hold at most 2^31 - 1 ms (about 24.8 days); longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class TokenLifecycle {
  private readonly peers = new Set<WsPeer>();

  constructor(
    private readonly auth: Auth,
    private readonly now: () => number = Date.now,
  ) {
    auth.on('sessionEnded', (sessionId) => this.closeWhere((peer) => peer.claims.sid === sessionId, CLOSE_TOKEN_EXPIRED, 'session ended'));
    auth.on('userDeleted', (userId) => this.closeWhere((peer) => peer.user.id === userId, CLOSE_ACCOUNT_DELETED, 'account deleted'));
  }

  /** Starts watching a socket once `welcome` is out (so `token_expiring` never precedes it). */
  track(peer: WsPeer): void {
    this.peers.add(peer);
    this.schedule(peer);
  }

  untrack(peer: WsPeer): void {
    this.peers.delete(peer);
    clearTimeout(peer.timers.warn);
    clearTimeout(peer.timers.expire);
    peer.timers = {};
  }

  /**
   * The `auth` frame:
   * 1. verify the token (401 `unauthorized` / `token_expired` as over HTTP);
   * 2. it must name the same user, else `forbidden` (rule 14);
   * 3. adopt it (its session from now on) and restart the timers.
   */
  async replace(peer: WsPeer, token: string): Promise<{ expiresAt: number }> {
    // Step 1.
    const claims = await this.auth.verifyAccessToken(token);
    // Step 2.
    if (claims.sub !== peer.user.id) throw forbidden('That token belongs to another user');
    // Step 3.
    peer.claims = claims;
    if (this.peers.has(peer)) this.schedule(peer);
    return { expiresAt: claims.exp * 1000 };
  }

  /** Shutdown: stop every timer. */
  close(): void {
    for (const peer of [...this.peers]) this.untrack(peer);
  }

  private schedule(peer: WsPeer): void {
    clearTimeout(peer.timers.warn);
    clearTimeout(peer.timers.expire);
    const expiresAt = peer.claims.exp * 1000;
    this.arm(peer, 'warn', expiresAt - TOKEN_WARNING_MS, () => peer.deliver(encodeEvent({ type: 'token_expiring', expiresAt }), 'essential'));
    this.arm(peer, 'expire', expiresAt, () => peer.close(CLOSE_TOKEN_EXPIRED, 'token expired'));
  }

  /**
   * Runs `callback` at `time` (epoch ms), re-armed across long waits. A time already
   * past still waits for the next timer turn: the frame being answered now goes out
   * first, so an `auth` with a token inside the skew is acked before the
   * `token_expiring` and the close that its passed `exp` brings at once.
   */
  private arm(peer: WsPeer, slot: 'warn' | 'expire', time: number, callback: () => void): void {
    const wait = Math.max(0, time - this.now());
    const timer = setTimeout(() => (this.now() >= time ? callback() : this.arm(peer, slot, time, callback)), Math.min(wait, MAX_TIMER_MS));
    timer.unref();
    peer.timers[slot] = timer;
  }

  private closeWhere(match: (peer: WsPeer) => boolean, code: number, reason: string): void {
    for (const peer of [...this.peers]) if (match(peer)) peer.close(code, reason);
  }
}
