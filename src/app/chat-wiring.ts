/**
 * Puts chat on the app (issue 4): the chat core over the store, the `/ws`
 * endpoint on the HTTP server's `upgrade` event, the rooms/messages/SSE routes,
 * live counts into `/api/stats` and `/metrics`, token events onto live sockets, and
 * the shutdown drain (1001 to every socket, SSE streams and long polls ended).
 */
import { ChatService } from '../chat/service.js';
import { ConnectionCount } from './connection-count.js';
import type { App } from './create-app.js';
import { addRoomRoutes, LongPolls } from './room-routes.js';
import { SseStreams } from './sse.js';
import { TokenLifecycle } from './token-lifecycle.js';
import { CHAT_PATH, ChatEndpoint } from './ws-endpoint.js';
import type { WsPeer } from './ws-peer.js';

export interface ChatWiring {
  readonly chat: ChatService;
  readonly endpoint: ChatEndpoint;
  readonly sse: SseStreams;
  readonly count: ConnectionCount;
}

export function installChat(app: App): ChatWiring {
  const { auth, log, router, authenticate, chatMetrics } = app;
  const { heartbeatSeconds } = app.config;
  // 1. The core, and the services around it.
  const count = new ConnectionCount(app.config.maxConnections, chatMetrics.connections);
  const tokens = new TokenLifecycle(auth);
  const chat = new ChatService({
    store: app.store,
    heartbeatSeconds,
    // Only WsPeers ever reach the chat core from this app.
    onAuth: (peer, token) => tokens.replace(peer as WsPeer, token),
    onMessage: () => chatMetrics.messages.inc(),
    onInternalError: (error, peer) => log.error('chat frame failed', { error, peer: peer.id }),
  });
  // 2. Transports.
  const endpoint = new ChatEndpoint({ chat, auth, origins: app.origins, count, tokens, metrics: chatMetrics, log, heartbeatSeconds });
  app.server.on('upgrade', endpoint.handleUpgrade);
  router.add('GET', CHAT_PATH, endpoint.handlePlainRequest);
  const polls = new LongPolls();
  addRoomRoutes(router, { chat, authenticate, polls });
  const sse = new SseStreams({ chat, authenticate, count, log });
  router.add('GET', '/api/rooms/:name/events', sse.handle);
  // 3. Counters.
  app.setLiveStats({
    onlineUsers: () => chat.onlineUsers,
    connections: () => count.total,
    isOnline: (userId) => chat.isOnline(userId),
  });
  // 4. Shutdown (SPEC §1): answer long polls, end streams, 1001 to every socket.
  app.lifecycle.onShutdown('drain', async () => {
    tokens.close();
    polls.abortAll();
    sse.closeAll();
    await endpoint.shutdown();
    chat.close();
  });
  app.lifecycle.onShutdown('flush', () => endpoint.terminateAll());
  return { chat, endpoint, sse, count };
}
