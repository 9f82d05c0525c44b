/**
 * Health, stats and metrics (SPEC §2). None needs authentication; none reveals
 * more than counts.
 */
import type { Handler } from '../http/context.js';
import { PROMETHEUS_CONTENT_TYPE, type MetricsRegistry } from '../http/metrics.js';
import { writeHead } from '../http/response.js';
import type { Router } from '../http/router.js';
import type { Store } from '../store/types.js';
import type { LiveStats } from './live-stats.js';

export interface ObservabilityDeps {
  readonly store: Store;
  readonly registry: MetricsRegistry;
  readonly live: () => LiveStats;
  /** `performance.now()`-style milliseconds at start. */
  readonly startedAt: number;
  readonly now: () => number;
}

export function addObservabilityRoutes(router: Router<Handler>, deps: ObservabilityDeps): void {
  const uptimeSeconds = () => Math.floor((deps.now() - deps.startedAt) / 1000);

  // GET /api/health: answered without touching storage, so it measures the server itself.
  router.add('GET', '/api/health', (ctx) => {
    ctx.json(200, { status: 'ok', uptimeSeconds: uptimeSeconds() });
  });

  router.add('GET', '/api/stats', async (ctx) => {
    const live = deps.live();
    const [users, rooms, messages] = await Promise.all([deps.store.countUsers(), deps.store.listRooms(), deps.store.countMessages()]);
    ctx.json(200, {
      users,
      onlineUsers: live.onlineUsers(),
      connections: live.connections(),
      rooms: rooms.length,
      messages,
      uptimeSeconds: uptimeSeconds(),
    });
  });

  // GET /metrics: Prometheus text format 0.0.4, not JSON.
  router.add('GET', '/metrics', (ctx) => {
    const text = deps.registry.render();
    writeHead(ctx.res, 200, ctx.id, {
      'content-type': PROMETHEUS_CONTENT_TYPE,
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
    });
    ctx.res.end(text);
  });
}
