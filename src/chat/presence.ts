/**
 * Presence (SPEC §4, §7 rule 12): a user is online while they have at least one
 * open WebSocket; SSE streams and long polls do not count. The tracker reports the
 * two transitions that produce a `presence` event: the first socket opening and
 * the last one closing. Empty sets are deleted, so nothing outlives the sockets.
 */
export class PresenceTracker {
  /** userId → ids of that user's open sockets. */
  private readonly users = new Map<string, Set<string>>();
  private sockets = 0;

  /** Records an open socket; true when it is the user's first (went online). */
  open(userId: string, peerId: string): boolean {
    let peers = this.users.get(userId);
    const first = peers === undefined;
    if (!peers) this.users.set(userId, (peers = new Set()));
    if (!peers.has(peerId)) {
      peers.add(peerId);
      this.sockets++;
    }
    return first;
  }

  /** Records a closed socket; true when it was the user's last (went offline). */
  close(userId: string, peerId: string): boolean {
    const peers = this.users.get(userId);
    if (!peers || !peers.delete(peerId)) return false;
    this.sockets--;
    if (peers.size > 0) return false;
    this.users.delete(userId);
    return true;
  }

  isOnline(userId: string): boolean {
    return this.users.has(userId);
  }

  get onlineUsers(): number {
    return this.users.size;
  }

  get connections(): number {
    return this.sockets;
  }
}
