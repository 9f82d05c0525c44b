/**
 * The composition root: config → store → auth → routes → HTTP server. The one
 * place that knows every concrete class; everything else gets its collaborators
 * passed in, so tests and later layers (WebSocket, chat) can swap or extend them.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { AuthService } from '../auth/service.js';
import type { Auth } from '../auth/types.js';
import type { Config } from '../config.js';
import type { Handler } from '../http/context.js';
import { MetricsRegistry } from '../http/metrics.js';
import { OriginPolicy } from '../http/origin.js';
import { Router } from '../http/router.js';
import { createHttpMetrics, createHttpServer, createRequestListener } from '../http/server.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import { addAuthRoutes } from './auth-routes.js';
import { addClientRoutes } from './client-routes.js';
import { installChat } from './chat-wiring.js';
import { createAuthenticator, type Authenticator } from './authenticate.js';
import { createChatMetrics, type ChatMetrics } from './chat-metrics.js';
import { Lifecycle } from './lifecycle.js';
import { NO_LIVE_CONNECTIONS, type LiveStats } from './live-stats.js';
import { addObservabilityRoutes } from './observability-routes.js';

export interface AppDeps {
  readonly config: Config;
  readonly log: Logger;
  readonly store: Store;
  /** Defaults to an `AuthService` over `store` with the configured key and TTLs. */
  readonly auth?: Auth;
}

export interface App {
  readonly config: Config;
  readonly log: Logger;
  readonly store: Store;
  readonly auth: Auth;
  readonly server: Server;
  /** Later layers add routes here (rooms, messages, SSE) before `listen`. */
  readonly router: Router<Handler>;
  readonly authenticate: Authenticator;
  readonly origins: OriginPolicy;
  readonly metrics: MetricsRegistry;
  readonly chatMetrics: ChatMetrics;
  readonly lifecycle: Lifecycle;
  /** The chat layer installs its presence and connection counts here. */
  setLiveStats(provider: LiveStats): void;
  /** Resolves with the real address (PORT=0 picks a free port). */
  listen(): Promise<AddressInfo>;
  shutdown(reason: string): Promise<void>;
}

export function createApp(deps: AppDeps): App {
  const { config, log, store } = deps;
  const startedAt = performance.now();
  // 1. Collaborators.
  const auth =
    deps.auth ??
    new AuthService({ store, secret: config.jwtSecret, accessTtl: config.accessTokenTtlSeconds, refreshTtl: config.refreshTokenTtlSeconds });
  const origins = new OriginPolicy(config.corsOrigins);
  const metrics = new MetricsRegistry();
  const httpMetrics = createHttpMetrics(metrics);
  const chatMetrics = createChatMetrics(metrics);
  let live: LiveStats = NO_LIVE_CONNECTIONS;
  const getLive = () => live;
  // 2. Routes.
  const router = new Router<Handler>();
  const authenticate = createAuthenticator(auth, origins);
  addObservabilityRoutes(router, { store, registry: metrics, live: getLive, startedAt, now: () => performance.now() });
  addAuthRoutes(router, {
    auth,
    authenticate,
    origins,
    cookies: { accessTtlSeconds: config.accessTokenTtlSeconds, refreshTtlSeconds: config.refreshTokenTtlSeconds, secure: config.cookieSecure },
    live: getLive,
  });
  addClientRoutes(router);
  // 3. The server and its shutdown sequence; storage is flushed last.
  const server = createHttpServer(createRequestListener({ router, log, metrics: httpMetrics, origins }));
  const lifecycle = new Lifecycle(server, log);
  lifecycle.onShutdown('flush', () => store.close());

  const app: App = {
    config,
    log,
    store,
    auth,
    server,
    router,
    authenticate,
    origins,
    metrics,
    chatMetrics,
    lifecycle,
    setLiveStats(provider) {
      live = provider;
    },
    listen() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    shutdown: (reason) => lifecycle.shutdown(reason),
  };
  // 4. Chat: /ws, the room routes, SSE, live counts and the shutdown drain.
  installChat(app);
  return app;
}
