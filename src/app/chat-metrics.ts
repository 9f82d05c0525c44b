/**
 * The chat families of `/metrics` (SPEC §2), registered at start so they exist
 * (at 0) before the chat layer does; the composition root hands these objects to
 * the chat layer, which updates them.
 */
import type { Counter, Gauge, MetricsRegistry } from '../http/metrics.js';

export interface ChatMetrics {
  /** Open WebSocket and SSE connections. */
  readonly connections: Gauge;
  /** Chat messages accepted, over any transport. */
  readonly messages: Counter;
  /** WebSocket frames by `direction` = `in` | `out`. */
  readonly wsFrames: Counter;
}

export function createChatMetrics(registry: MetricsRegistry): ChatMetrics {
  const metrics: ChatMetrics = {
    connections: registry.gauge('socketlink_connections', 'Open WebSocket and SSE connections.'),
    messages: registry.counter('socketlink_messages_total', 'Chat messages accepted.'),
    wsFrames: registry.counter('socketlink_ws_frames_total', 'WebSocket frames, by direction.', ['direction']),
  };
  // Both label values exist from the start, so the family shows two series at 0.
  metrics.wsFrames.inc({ direction: 'in' }, 0);
  metrics.wsFrames.inc({ direction: 'out' }, 0);
  return metrics;
}
