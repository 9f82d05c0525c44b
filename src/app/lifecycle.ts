/**
 * The shutdown sequence (SPEC §1: on SIGINT/SIGTERM stop accepting, send close 1001
 * to every socket, flush storage, exit 0 within 5 s), as numbered steps with hooks
 * for the layers that join later:
 *
 *  1. Stop accepting: `server.close()`; no new connection is taken.
 *  2. `drain` hooks, in parallel: the chat layer sends close 1001 to every WebSocket
 *     and ends SSE streams and long polls. Bounded by `DRAIN_TIMEOUT_MS`.
 *  3. Idle keep-alive connections are closed at once; connections still busy get
 *     `GRACE_MS` to finish their answer, then are cut.
 *  4. `flush` hooks, in order: storage writes its last records and releases DATA_DIR;
 *     WebSockets that never finished their closing handshake are cut.
 *
 * Worst case 1 s + 1.5 s + the flush, well inside the 5 s of SPEC §1; the entry
 * point holds a hard deadline besides.
 */
import type { Server } from 'node:http';
import type { Logger } from '../log.js';

export type ShutdownPhase = 'drain' | 'flush';
export type ShutdownHook = () => Promise<void> | void;

export const DRAIN_TIMEOUT_MS = 1_000;
export const GRACE_MS = 1_500;

function within(ms: number, work: Promise<unknown>): Promise<'done' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([work.then(() => 'done' as const), timeout]).finally(() => clearTimeout(timer));
}

export class Lifecycle {
  readonly #hooks: Record<ShutdownPhase, ShutdownHook[]> = { drain: [], flush: [] };
  #shutdown: Promise<void> | undefined;

  constructor(
    private readonly server: Server,
    private readonly log: Logger,
  ) {}

  onShutdown(phase: ShutdownPhase, hook: ShutdownHook): void {
    this.#hooks[phase].push(hook);
  }

  /** Runs the sequence once; later calls return the same promise. */
  shutdown(reason: string): Promise<void> {
    return (this.#shutdown ??= this.#run(reason));
  }

  async #run(reason: string): Promise<void> {
    this.log.info('shutting down', { reason });
    // Step 1.
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Step 2.
    const drained = await within(
      DRAIN_TIMEOUT_MS,
      Promise.allSettled(this.#hooks.drain.map(async (hook) => hook())).then((results) => this.#report('drain', results)),
    );
    if (drained === 'timeout') this.log.warn('drain hooks did not finish in time', { ms: DRAIN_TIMEOUT_MS });
    // Step 3.
    this.server.closeIdleConnections();
    // Not awaited after the cut: node:http no longer tracks upgraded sockets, so a
    // WebSocket that never answered its 1001 would hold `closed` open. The flush hooks
    // terminate those.
    if ((await within(GRACE_MS, closed)) === 'timeout') this.server.closeAllConnections();
    // Step 4.
    for (const hook of this.#hooks.flush) {
      try {
        await hook();
      } catch (error) {
        this.log.error('flush hook failed', { error });
      }
    }
    this.log.info('stopped');
  }

  #report(phase: ShutdownPhase, results: PromiseSettledResult<unknown>[]): void {
    for (const result of results) if (result.status === 'rejected') this.log.error(`${phase} hook failed`, { error: result.reason });
  }
}
