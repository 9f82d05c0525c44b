/**
 * The connection cap (SPEC §1 `MAX_CONNECTIONS`, §2 503): open WebSockets and SSE
 * streams together, mirrored into the `socketlink_connections` gauge.
 * Long polls are ordinary requests and do not count.
 */
import { overloaded } from '../errors.js';
import type { Gauge } from '../http/metrics.js';

/** How long an overloaded client is asked to wait before trying again. */
export const OVERLOADED_RETRY_AFTER_SECONDS = 5;

export type ConnectionKind = 'ws' | 'sse';

export class ConnectionCount {
  private readonly open: Record<ConnectionKind, number> = { ws: 0, sse: 0 };

  constructor(
    private readonly max: number,
    private readonly gauge: Gauge,
  ) {}

  get total(): number {
    return this.open.ws + this.open.sse;
  }

  /** Throws 503 `overloaded` with `retry-after` when the cap is reached. */
  check(): void {
    if (this.total >= this.max) throw overloaded(OVERLOADED_RETRY_AFTER_SECONDS, 'Too many open connections, try again later');
  }

  /** Counts one connection in; returns the function that counts it out (idempotent). */
  add(kind: ConnectionKind): () => void {
    this.open[kind]++;
    this.gauge.set(this.total);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open[kind]--;
      this.gauge.set(this.total);
    };
  }
}
