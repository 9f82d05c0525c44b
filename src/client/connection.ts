/**
 * The chat socket and its reconnect loop, as an explicit state machine.
 *
 *            start()                 welcome
 *   IDLE ───────────▶ PREPARING ──▶ CONNECTING ─────────▶ OPEN
 *                        ▲    │ session over              │ close
 *                        │    ▼                           ▼
 *                        │  ENDED ◀── 4003, or 4001 whose refresh fails
 *                        └──────────── WAITING (backoff timer) ◀─┘
 *   stop() from any state ──▶ STOPPED
 *
 * PREPARING makes sure the next handshake carries a usable token (issue 6
 * point 5): a token known to be expired is refreshed first, and after a
 * handshake that failed before `welcome` (a browser hides the 401 behind a bare
 * 1006) a GET /api/auth/me probe tells "server away" (retry later) from "token
 * rejected" (the probe's 401 triggers a refresh) from "session over" (the
 * refresh's 401 ends it).
 *
 * Offline: when the browser reports the network gone (`offline`), the socket is dropped
 * at once, since a dead link can take minutes to notice, and no attempt is made until
 * `online`, which retries at once. Messages typed meanwhile wait in the outbox.
 *
 * The socket is authenticated by the `sl_access` cookie, which the browser sends
 * on the same-origin handshake together with `Origin` (SPEC §4, §7 rule 15); see
 * docs/client.md for why not the `bearer.<token>` subprotocol.
 */
import { Api, ApiFailure } from './api.js';
import { DEFAULT_BACKOFF, fullJitterDelay, type BackoffPolicy } from './backoff.js';
import { CloseCode, closeAction } from './close-policy.js';
import type { ClientFrame, ServerFrame } from './protocol.js';

type State = 'idle' | 'preparing' | 'connecting' | 'open' | 'waiting' | 'ended' | 'stopped';

/** What the user sees in the status line. */
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting';

export interface ConnectionHooks {
  frame(frame: ServerFrame): void;
  status(status: ConnectionStatus): void;
  /** The session is over (revoked, deleted, refresh refused): show the sign-in form. */
  ended(reason: string): void;
}

export class ChatConnection {
  #state: State = 'idle';
  #socket: WebSocket | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #renewTimer: ReturnType<typeof setTimeout> | null = null;
  /** Retries since the last `welcome`; drives the backoff ceiling. */
  #attempt = 0;
  /** The last handshake never reached `welcome`: probe the token before the next. */
  #suspectToken = false;
  /** Whether a `welcome` was ever seen: the first connect says "Connecting…", later ones "Reconnecting…". */
  #everOpen = false;
  /** The browser said the network is gone: WAITING lasts until it says `online`. */
  #offline = false;
  readonly #api: Api;
  readonly #hooks: ConnectionHooks;
  readonly #url: string;
  readonly #backoff: BackoffPolicy;

  constructor(api: Api, hooks: ConnectionHooks, url = sameOriginSocketUrl(), backoff = DEFAULT_BACKOFF) {
    this.#api = api;
    this.#hooks = hooks;
    this.#url = url;
    this.#backoff = backoff;
  }

  get isOpen(): boolean {
    return this.#state === 'open';
  }

  start(): void {
    if (this.#state !== 'idle') return;
    this.#offline = !navigator.onLine;
    addEventListener('offline', this.#onOffline);
    addEventListener('online', this.#onOnline);
    this.#hooks.status('connecting');
    if (this.#offline) this.#scheduleRetry();
    else void this.#prepare();
  }

  /** Signing out: close for good, never reconnect. */
  stop(): void {
    this.#state = 'stopped';
    removeEventListener('offline', this.#onOffline);
    removeEventListener('online', this.#onOnline);
    this.#clearTimer();
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(CloseCode.NORMAL, 'signed out');
  }

  /** Sends when open; returns false otherwise so the caller can keep the frame for later. */
  send(frame: ClientFrame): boolean {
    if (this.#state !== 'open' || this.#socket === null) return false;
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  /** PREPARING: make the token usable, then connect; network trouble means WAITING. */
  async #prepare(): Promise<void> {
    this.#state = 'preparing';
    try {
      // Step 1: never present a token we know to be expired.
      if (this.#api.tokenKnownExpired()) await this.#api.refresh();
      // Step 2: after a handshake refused for an unknown reason, ask over HTTP,
      // where the status is visible; a 401 there refreshes and retries itself.
      else if (this.#suspectToken) await this.#api.me();
    } catch (error) {
      if (this.#isStopped()) return;
      if (error instanceof ApiFailure && error.isAuth) return this.#end('Your session has ended. Please log in again.');
      return this.#scheduleRetry();
    }
    if (this.#isStopped()) return;
    this.#connect();
  }

  /** CONNECTING: open the socket; OPEN begins at `welcome`, not at the handshake. */
  #connect(): void {
    this.#state = 'connecting';
    const socket = new WebSocket(this.#url);
    this.#socket = socket;
    socket.addEventListener('message', (event) => {
      if (socket !== this.#socket) return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(event.data)) as ServerFrame;
      } catch {
        return; // SPEC §4: every frame is JSON; a broken one is ignored rather than fatal.
      }
      if (frame.type === 'welcome') {
        this.#state = 'open';
        this.#attempt = 0;
        this.#suspectToken = false;
        this.#everOpen = true;
        this.#hooks.status('connected');
      } else if (frame.type === 'token_expiring') {
        this.#scheduleRenewal(frame.expiresAt);
      }
      this.#hooks.frame(frame);
    });
    socket.addEventListener('close', (event) => {
      if (socket !== this.#socket) return;
      this.#socket = null;
      this.#clearTimer();
      this.#onClose(event.code);
    });
  }

  /**
   * SPEC §4 `token_expiring` (and §7 rule 14: sent at once when under 60 s remain
   * at connect): renew halfway through the time left, not at once. With a
   * normal lifetime that is ~30 s before expiry; with a very short one it keeps
   * the client from answering each fresh token's warning with yet another
   * refresh in a tight loop.
   */
  #scheduleRenewal(expiresAt: number): void {
    if (this.#renewTimer !== null) return; // one renewal at a time
    const delay = Math.max(0, (expiresAt - Date.now()) / 2);
    this.#renewTimer = setTimeout(() => {
      this.#renewTimer = null;
      if (this.#state === 'open') void this.#renewToken();
    }, delay);
  }

  /** Refresh and hand the open socket the new token (SPEC §4 `auth`) before 4001 comes. */
  async #renewToken(): Promise<void> {
    try {
      const tokens = await this.#api.refresh();
      this.send({ type: 'auth', token: tokens.accessToken });
    } catch {
      // The server will close with 4001 at `exp`; #onClose decides what then.
    }
  }

  /** The socket closed: decide by close code (SPEC §4) between retrying and giving up. */
  #onClose(code: number): void {
    if (this.#isStopped()) return;
    const action = closeAction(code);
    if (action === 'give_up') return this.#end('This account has been deleted.');
    if (action === 'refresh') {
      // Expired or revoked: a refresh tells which. Granted, reconnect after the
      // usual jittered delay (under 0.5 s after a healthy connection), so a server
      // that keeps answering 4001 cannot spin us in a tight loop.
      this.#state = 'preparing';
      this.#hooks.status('reconnecting');
      this.#api.refresh().then(
        () => {
          if (!this.#isStopped()) this.#scheduleRetry();
        },
        (error: unknown) => {
          if (this.#isStopped()) return;
          if (error instanceof ApiFailure && error.isAuth) this.#end('This device was signed out.');
          else this.#scheduleRetry();
        },
      );
      return;
    }
    // Closed before `welcome`: perhaps a refused handshake (a 401 the browser hides).
    if (this.#state !== 'open') this.#suspectToken = true;
    this.#scheduleRetry();
  }

  /** The network is gone: drop the socket (or the pending retry) and wait for `online`. */
  readonly #onOffline = (): void => {
    this.#offline = true;
    if (this.#state !== 'open' && this.#state !== 'connecting' && this.#state !== 'waiting') return; // PREPARING fails into WAITING
    const socket = this.#socket;
    this.#socket = null; // its late close event is ignored
    socket?.close(CloseCode.NORMAL, 'offline');
    this.#scheduleRetry();
  };

  /** The network is back: retry now rather than at the end of a long backoff. */
  readonly #onOnline = (): void => {
    this.#offline = false;
    if (this.#state !== 'waiting') return;
    this.#clearTimer();
    this.#attempt = 0;
    void this.#prepare();
  };

  /** WAITING: full-jitter backoff, then PREPARING again; offline, until `online`. */
  #scheduleRetry(): void {
    this.#state = 'waiting';
    this.#hooks.status(this.#everOpen ? 'reconnecting' : 'connecting');
    this.#clearTimer();
    if (this.#offline) return;
    const delay = fullJitterDelay(this.#attempt, this.#backoff);
    this.#attempt += 1;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#prepare();
    }, delay);
  }

  #end(reason: string): void {
    this.stop();
    this.#state = 'ended';
    this.#hooks.ended(reason);
  }

  #isStopped(): boolean {
    return this.#state === 'stopped' || this.#state === 'ended';
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#renewTimer !== null) clearTimeout(this.#renewTimer);
    this.#timer = this.#renewTimer = null;
  }
}

/** `ws://host/ws` for a page on `http://host/`, `wss://` under https. */
export function sameOriginSocketUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}
