/**
 * A workaround for a V8 11 slowdown in Node 20, found when `bench:http` showed the chat
 * server spending 30 % more CPU per request from its first long idle spell on, for good.
 *
 * `process.nextTick` queues each callback as an object literal with two symbol-keyed
 * (computed) properties, and node:http calls it several times per request. V8 builds
 * such a literal quickly while the object shape it ends in exists. When the process idles
 * long enough that no queued-callback object is left alive, V8's memory reducer runs a
 * full GC (`Mark-Compact (reduce)` in `--trace-gc`) that drops that shape, and from then
 * on every such literal takes a slow path: `nextTick` cost about 4× as much (70 ns → 300 ns
 * here) for the rest of the process's life.
 *
 * Holding one of those objects keeps the shape, and the fast path, alive. Inside a
 * `nextTick` callback, `executionAsyncResource()` is that callback's queued object.
 */
import { executionAsyncResource } from 'node:async_hooks';

let keptTickObject: object | undefined;

export function keepNextTickFast(): void {
  process.nextTick(() => {
    keptTickObject ??= executionAsyncResource();
  });
}
