/**
 * What only the chat layer knows — who is online, how many sockets are open — as
 * a provider it fills in once it exists. Until then everyone is offline and the
 * counts are 0, which is the truth for a server without WebSockets.
 */
export interface LiveStats {
  /** Distinct users with at least one open WebSocket (SPEC §7 rule 12). */
  onlineUsers(): number;
  /** Open WebSocket and SSE connections. */
  connections(): number;
  isOnline(userId: string): boolean;
}

export const NO_LIVE_CONNECTIONS: LiveStats = {
  onlineUsers: () => 0,
  connections: () => 0,
  isOnline: () => false,
};
