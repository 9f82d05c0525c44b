/**
 * The room registry: which live sockets ("peers") are joined to which room.
 *
 * A peer may be in many rooms and a user may have many peers, so membership is
 * kept per peer, grouped per user: SPEC §7 rule 8 counts *users* (`members`), and
 * rule 11 makes `user_joined`/`user_left` per user, not per socket.
 *
 * Invariant: no empty map is ever left behind. A room with no peer has no entry,
 * a user with no peer in a room has no entry there, a peer in no room has no entry
 * — so after every socket closes the registry is empty (nothing leaks).
 */

export interface RoomPeer {
  readonly id: string;
  readonly user: { readonly id: string; readonly username: string };
}

interface UserInRoom<P> {
  readonly username: string;
  readonly peers: Map<string, P>;
}

export interface JoinOutcome {
  /** The peer was already joined: the join is idempotent (rule 11). */
  readonly peerWasIn: boolean;
  /** The user had another peer in the room already: no `user_joined` (rule 11). */
  readonly userWasPresent: boolean;
}

export interface LeaveOutcome {
  readonly peerWasIn: boolean;
  /** The user still has another peer in the room: no `user_left` (rule 11). */
  readonly userStillPresent: boolean;
}

export class RoomRegistry<P extends RoomPeer> {
  /** room → userId → that user's peers in the room, in join order. */
  private readonly rooms = new Map<string, Map<string, UserInRoom<P>>>();
  /** peerId → the rooms it is joined to. */
  private readonly peerRooms = new Map<string, Set<string>>();

  join(room: string, peer: P): JoinOutcome {
    let users = this.rooms.get(room);
    if (!users) this.rooms.set(room, (users = new Map()));
    let entry = users.get(peer.user.id);
    const userWasPresent = entry !== undefined;
    if (!entry) users.set(peer.user.id, (entry = { username: peer.user.username, peers: new Map() }));
    const peerWasIn = entry.peers.has(peer.id);
    entry.peers.set(peer.id, peer);
    let joined = this.peerRooms.get(peer.id);
    if (!joined) this.peerRooms.set(peer.id, (joined = new Set()));
    joined.add(room);
    return { peerWasIn, userWasPresent };
  }

  leave(room: string, peer: P): LeaveOutcome {
    const users = this.rooms.get(room);
    const entry = users?.get(peer.user.id);
    if (!users || !entry || !entry.peers.delete(peer.id)) return { peerWasIn: false, userStillPresent: entry !== undefined };
    const userStillPresent = entry.peers.size > 0;
    if (!userStillPresent) users.delete(peer.user.id);
    if (users.size === 0) this.rooms.delete(room);
    const joined = this.peerRooms.get(peer.id)!;
    joined.delete(room);
    if (joined.size === 0) this.peerRooms.delete(peer.id);
    return { peerWasIn: true, userStillPresent };
  }

  /** Rooms the peer is joined to (a copy, safe to iterate while leaving them). */
  roomsOf(peer: P): string[] {
    return [...(this.peerRooms.get(peer.id) ?? [])];
  }

  isMember(room: string, peer: P): boolean {
    return this.rooms.get(room)?.get(peer.user.id)?.peers.has(peer.id) ?? false;
  }

  /** SPEC §7 rule 8: distinct users with a peer joined now. */
  memberCount(room: string): number {
    return this.rooms.get(room)?.size ?? 0;
  }

  /** Usernames present, in the order they first joined (`joined_room.users`). */
  usernames(room: string): string[] {
    return [...(this.rooms.get(room)?.values() ?? [])].map((entry) => entry.username);
  }

  /** Every peer joined to the room. */
  *peersIn(room: string): Generator<P> {
    for (const entry of this.rooms.get(room)?.values() ?? []) yield* entry.peers.values();
  }

  /** Forgets a room (it was deleted) and returns the peers that were in it. */
  dropRoom(room: string): P[] {
    const peers = [...this.peersIn(room)];
    for (const peer of peers) this.leave(room, peer);
    return peers;
  }

  /** Rooms with at least one member and peers in at least one room: both 0 once all have left. */
  get size(): { rooms: number; peers: number } {
    return { rooms: this.rooms.size, peers: this.peerRooms.size };
  }
}
