/**
 * ChatService: the SPEC §4 chat protocol and the room side of SPEC §2, over a
 * `Store` and a fan-out port. It knows no socket, no HTTP and no token: a live
 * WebSocket is a `ChatPeer` the app layer implements, an SSE stream or long poll
 * is a `RoomSubscriber`, and the `auth` frame is handed to the `onAuth` hook.
 *
 * Per peer, frames are judged by the flood meters the moment they arrive, then
 * processed one at a time in arrival order (a promise chain), so an `await` on the
 * store can never let a later frame overtake an earlier one.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ApiError, forbidden, notFound } from '../errors.js';
import type { PublicUser } from '../auth/types.js';
import type { RoomRecord, Store } from '../store/types.js';
import { systemClock, type Clock } from './clock.js';
import { DEFAULT_FLOOD_LIMITS, FloodGuard, type FloodLimits, type FloodVerdict } from './flood.js';
import { joinHistory, latestBefore, pageMessages, type MessageQuery } from './history.js';
import { toMessage, toRoom, type ChatActor, type Message, type Room } from './model.js';
import { PresenceTracker } from './presence.js';
import {
  encodeEvent,
  parseClientEvent,
  ProtocolError,
  validateMessageText,
  validateRoomName,
  type ClientEvent,
  type OutgoingFrame,
  type ServerEvent,
} from './protocol.js';
import { RoomRegistry } from './rooms.js';
import { TypingTracker } from './typing.js';

/** SPEC §4: the server pings every `heartbeatSeconds`, default 30. */
export const DEFAULT_HEARTBEAT_SECONDS = 30;
/** RFC 6455 §7.4.1: 1008, an endpoint received a message that violates its policy (flooding). */
const CLOSE_POLICY_VIOLATION = 1008;
/** RFC 6455 §7.4.1: 1011, the server met an unexpected condition. */
const CLOSE_INTERNAL_ERROR = 1011;

/**
 * How a transport should treat an event when the socket is backed up (issue 4 §7):
 * `ephemeral` ones (typing, presence) may be dropped; `essential` ones never are.
 */
export type Priority = 'essential' | 'ephemeral';

/** One live WebSocket, implemented by the app layer. */
export interface ChatPeer {
  readonly id: string;
  readonly user: PublicUser;
  /** Sends one event. The same frame object goes to every recipient of a broadcast. */
  deliver(frame: OutgoingFrame, priority: Priority): void;
  close(code: number, reason: string): void;
}

/** An SSE stream or a long poll on one room. */
export interface RoomSubscriber {
  message(message: Message): void;
  roomDeleted(): void;
}

export interface ChatStats {
  onlineUsers: number;
  connections: number;
  rooms: number;
  messages: number;
}

export interface ChatServiceOptions {
  store: Store;
  clock?: Clock;
  heartbeatSeconds?: number;
  flood?: FloodLimits;
  newMessageId?: () => string;
  newEpoch?: () => string;
  /**
   * Handles an `auth` frame (SPEC §4): verify the token, check it names the same
   * user (else throw `forbidden`, §7 rule 14), replace the connection's token. Its
   * result fields go into the `ack`. Throw an `ApiError` to answer with `error`.
   */
  onAuth?: (peer: ChatPeer, token: string) => Promise<Record<string, unknown> | void>;
  /**
   * Told about every message stored, whichever transport brought it (counters;
   * later the seam where a Redis fan-out publishes to other processes).
   */
  onMessage?: (message: Message) => void;
  /** Told about a bug (the peer is then closed 1011). */
  onInternalError?: (error: unknown, peer: ChatPeer) => void;
}

interface PeerState {
  readonly peer: ChatPeer;
  readonly flood: FloodGuard;
  /** Tail of this peer's processing chain. */
  queue: Promise<void>;
  /** False once disconnected or closed for flooding: queued frames are then dropped. */
  open: boolean;
  /** False until `welcome` went out: broadcasts skip the peer, so `welcome` is its first frame. */
  welcomed: boolean;
  /**
   * Rooms being joined: between membership and `message_history`, live messages
   * for that room wait here, so the client sees history first and seq in order.
   */
  readonly holding: Map<string, Message[]>;
}

export class ChatService {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly heartbeatSeconds: number;
  private readonly floodLimits: FloodLimits;
  private readonly newMessageId: () => string;
  private readonly newEpoch: () => string;
  private readonly onAuth: ChatServiceOptions['onAuth'];
  private readonly onInternalError: ChatServiceOptions['onInternalError'];
  private readonly onMessage: ChatServiceOptions['onMessage'];

  private readonly peers = new Map<string, PeerState>();
  private readonly rooms = new RoomRegistry<ChatPeer>();
  private readonly presence = new PresenceTracker();
  private readonly typing: TypingTracker;
  private readonly subscribers = new Map<string, Set<RoomSubscriber>>();
  /** One frame per message, however many sockets it goes to. */
  private readonly messageFrames = new WeakMap<Message, OutgoingFrame>();

  constructor(options: ChatServiceOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.heartbeatSeconds = options.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS;
    this.floodLimits = options.flood ?? DEFAULT_FLOOD_LIMITS;
    this.newMessageId = options.newMessageId ?? randomUUID;
    this.newEpoch = options.newEpoch ?? (() => randomBytes(12).toString('base64url'));
    this.onAuth = options.onAuth;
    this.onInternalError = options.onInternalError;
    this.onMessage = options.onMessage;
    this.typing = new TypingTracker({
      clock: this.clock,
      onAutoStop: (room, userId, username) => this.announceStopTyping(room, userId, username),
    });
  }

  // === live sockets ===================================================================

  /**
   * A socket finished its upgrade:
   * 1. register it (not yet reachable by broadcasts);
   * 2. send `welcome` — its first frame (SPEC §4);
   * 3. if it is the user's first socket, `presence` online to every other socket (rule 12).
   */
  connect(peer: ChatPeer): Promise<void> {
    // Step 1.
    const state: PeerState = {
      peer,
      flood: new FloodGuard(this.clock.now(), this.floodLimits),
      queue: Promise.resolve(),
      open: true,
      welcomed: false,
      holding: new Map(),
    };
    this.peers.set(peer.id, state);
    const welcomed = this.welcome(state);
    // Frames that arrive meanwhile queue behind the welcome, so it stays the first frame.
    state.queue = welcomed.catch(() => {});
    return welcomed;
  }

  private async welcome(state: PeerState): Promise<void> {
    const { peer } = state;
    const rooms = await this.listRooms();
    if (!state.open) return; // closed while we read the rooms
    // Step 2.
    const { id, username, role, createdAt } = peer.user;
    this.send(peer, { type: 'welcome', user: { id, username, role, createdAt }, rooms, heartbeatSeconds: this.heartbeatSeconds });
    state.welcomed = true;
    // Step 3.
    if (this.presence.open(peer.user.id, peer.id)) {
      this.toEveryone(encodeEvent({ type: 'presence', username, online: true }), 'ephemeral', peer);
    }
  }

  /**
   * A socket closed, for whatever reason. Leaves every room (with `user_stop_typing`
   * and `user_left` where this was the user's last socket there) and, on the user's
   * last socket, sends `presence` offline. Afterwards nothing refers to the peer.
   */
  disconnect(peer: ChatPeer): void {
    const state = this.peers.get(peer.id);
    if (!state) return;
    state.open = false;
    this.peers.delete(peer.id);
    for (const room of this.rooms.roomsOf(peer)) this.leaveRoom(peer, room);
    if (state.welcomed && this.presence.close(peer.user.id, peer.id)) {
      this.toEveryone(encodeEvent({ type: 'presence', username: peer.user.username, online: false }), 'ephemeral');
    }
  }

  /**
   * One client text frame (SPEC §4):
   * 1. it counts toward the flood limit whatever it holds (rule 13): past 100 in a
   *    second the socket is closed 1008; an empty bucket answers `rate_limited`;
   * 2. it is parsed; a bad one is answered with `error` and the socket stays open;
   * 3. it is queued behind this peer's earlier frames and dispatched.
   * The promise settles once this frame is fully handled (tests await it).
   */
  handle(peer: ChatPeer, text: string): Promise<void> {
    const state = this.peers.get(peer.id);
    if (!state?.open) return Promise.resolve();
    // Step 1.
    const verdict = this.meter(state);
    if (verdict === 'close') return Promise.resolve();
    // Step 2.
    const event = parseClientEvent(text);
    if (verdict === 'rate_limited') {
      const replyTo = event instanceof ProtocolError ? event.replyTo : event.id;
      this.sendError(peer, new ApiError(429, 'rate_limited', 'Too many frames, slow down'), replyTo);
      return Promise.resolve();
    }
    if (event instanceof ProtocolError) {
      this.sendError(peer, event, event.replyTo);
      return Promise.resolve();
    }
    // Step 3.
    state.queue = state.queue.then(() => this.dispatchSafely(state, event));
    return state.queue;
  }

  /**
   * A frame with nothing for chat in it, a WebSocket ping or pong: it counts toward the
   * flood limit all the same (rule 13), so a ping flood is closed 1008 like any other and
   * spends the budget of the frames after it. It has no request to answer `rate_limited`.
   */
  countFrame(peer: ChatPeer): void {
    const state = this.peers.get(peer.id);
    if (state?.open) this.meter(state);
  }

  /** Step 1 of `handle`: one frame through the flood meters; a `close` verdict closes 1008 here. */
  private meter(state: PeerState): FloodVerdict {
    const verdict = state.flood.check(this.clock.now());
    if (verdict === 'close') {
      state.open = false;
      state.peer.close(CLOSE_POLICY_VIOLATION, 'flooding');
    }
    return verdict;
  }

  private async dispatchSafely(state: PeerState, event: ClientEvent): Promise<void> {
    if (!state.open) return;
    try {
      await this.dispatch(state, event);
    } catch (error) {
      if (error instanceof ApiError) {
        if (state.open) this.sendError(state.peer, error, event.id);
        return;
      }
      this.onInternalError?.(error, state.peer);
      state.open = false;
      state.peer.close(CLOSE_INTERNAL_ERROR, 'internal error');
    }
  }

  private async dispatch(state: PeerState, event: ClientEvent): Promise<void> {
    const { peer } = state;
    switch (event.type) {
      case 'list_rooms': {
        const rooms = await this.listRooms();
        return this.send(peer, { type: 'rooms_list', rooms, ...replyTo(event.id) });
      }
      case 'create_room': {
        await this.createRoomAs(peer.user, event.room, state, event.id);
        return;
      }
      case 'join_room':
        return this.join(state, event.room, event.since, event.epoch, event.id);
      case 'leave_room': {
        await this.requireMember(peer, event.room);
        this.leaveRoom(peer, event.room);
        return this.ack(peer, event.id);
      }
      case 'send_message': {
        await this.requireMember(peer, event.room);
        const message = await this.append(peer.user, event.room, event.text);
        if (event.id !== undefined) this.send(peer, { type: 'ack', replyTo: event.id, message });
        this.fanOut(message);
        return;
      }
      case 'typing': {
        await this.requireMember(peer, event.room);
        if (this.typing.start(event.room, peer.user)) {
          const frame = encodeEvent({ type: 'user_typing', room: event.room, username: peer.user.username });
          this.toRoom(event.room, frame, 'ephemeral', peer.user.id);
        }
        return this.ack(peer, event.id);
      }
      case 'stop_typing': {
        await this.requireMember(peer, event.room);
        if (this.typing.stop(event.room, peer.user.id)) this.announceStopTyping(event.room, peer.user.id, peer.user.username);
        return this.ack(peer, event.id);
      }
      case 'history': {
        const room = await this.requireRoom(event.room);
        const page = await latestBefore(this.store, room.name, event.before ?? Infinity, event.limit);
        return this.send(peer, { type: 'message_history', room: room.name, epoch: room.epoch, ...page, ...replyTo(event.id) });
      }
      case 'auth': {
        if (!this.onAuth) throw forbidden('Token replacement is not available');
        const result = await this.onAuth(peer, event.token);
        if (event.id !== undefined) this.send(peer, { ...result, type: 'ack', replyTo: event.id });
        return;
      }
    }
  }

  /**
   * `join_room` (SPEC §4, §7 rules 7 and 11):
   * 1. the room must exist, else `not_found`;
   * 2. join; if the user was not present, the others get `user_joined`;
   * 3. `joined_room` with `replyTo` (rule 10);
   * 4. `message_history`, while live messages for the room are held back;
   * 5. release the held messages newer than the history.
   */
  private async join(state: PeerState, name: string, since?: number, epoch?: string, id?: string): Promise<void> {
    const { peer } = state;
    // Step 1.
    const room = await this.requireRoom(name);
    if (!state.open) return;
    // Step 2.
    const outcome = this.rooms.join(name, peer);
    if (!outcome.userWasPresent) {
      const frame = encodeEvent({ type: 'user_joined', room: name, username: peer.user.username, userCount: this.rooms.memberCount(name) });
      this.toRoom(name, frame, 'essential', peer.user.id);
    }
    // Step 3.
    this.send(peer, { type: 'joined_room', room: name, users: this.rooms.usernames(name), ...replyTo(id) });
    // Step 4.
    const held: Message[] = [];
    state.holding.set(name, held);
    try {
      const page = await joinHistory(this.store, room, since, epoch);
      if (!state.open || !this.rooms.isMember(name, peer)) return;
      this.send(peer, { type: 'message_history', room: name, epoch: room.epoch, ...page });
      // Step 5.
      const newest = page.messages.at(-1)?.seq ?? 0;
      for (const message of held) if (message.seq > newest) peer.deliver(this.frameOf(message), 'essential');
    } finally {
      state.holding.delete(name);
    }
  }

  /** Leaves one room: `user_stop_typing` and `user_left` if this was the user's last socket in it. */
  private leaveRoom(peer: ChatPeer, room: string): void {
    const outcome = this.rooms.leave(room, peer);
    this.peers.get(peer.id)?.holding.delete(room);
    if (!outcome.peerWasIn || outcome.userStillPresent) return;
    if (this.typing.forget(room, peer.user.id)) this.announceStopTyping(room, peer.user.id, peer.user.username);
    const frame = encodeEvent({ type: 'user_left', room, username: peer.user.username, userCount: this.rooms.memberCount(room) });
    this.toRoom(room, frame, 'essential');
  }

  private announceStopTyping(room: string, userId: string, username: string): void {
    this.toRoom(room, encodeEvent({ type: 'user_stop_typing', room, username }), 'ephemeral', userId);
  }

  /** SPEC §4: sending (and typing, leaving) needs membership; an unknown room is `not_found`. */
  private async requireMember(peer: ChatPeer, room: string): Promise<void> {
    if (this.rooms.isMember(room, peer)) return;
    await this.requireRoom(room);
    throw new ApiError(403, 'not_in_room', `Join ${room} first`);
  }

  private async requireRoom(name: string): Promise<RoomRecord> {
    const room = await this.store.getRoom(name);
    if (!room) throw notFound(`No room named ${name}`);
    return room;
  }

  // === rooms and messages, shared by every transport ===================================

  /** SPEC §2 `GET /api/rooms` and `rooms_list`. */
  async listRooms(): Promise<Room[]> {
    const records = await this.store.listRooms();
    return records.map((record) => toRoom(record, this.rooms.memberCount(record.name)));
  }

  async getRoom(name: string): Promise<Room | undefined> {
    const record = await this.store.getRoom(name);
    return record && toRoom(record, this.rooms.memberCount(name));
  }

  /** SPEC §2 `POST /api/rooms`: 400 for a bad name, 409 `room_exists`; every socket gets `room_created`. */
  createRoom(actor: ChatActor, name: unknown): Promise<Room> {
    return this.createRoomAs(actor, name);
  }

  /**
   * Creates a room (SPEC §4 `create_room`, §7 rule 9):
   * 1. validate the name and store the room, `room_exists` if taken;
   * 2. over WebSocket, the creator's socket joins it;
   * 3. `room_created` with the full Room goes to every socket; the creator's copy
   *    carries `replyTo` (rule 10), so it is serialized separately.
   */
  private async createRoomAs(actor: ChatActor, rawName: unknown, creator?: PeerState, id?: string): Promise<Room> {
    // Step 1.
    const name = validateRoomName(rawName);
    if (name instanceof ApiError) throw name;
    const created = await this.store.createRoom({
      name,
      createdBy: actor.username,
      createdById: actor.id,
      createdAt: this.clock.now(),
      epoch: this.newEpoch(),
    });
    if (created === 'exists') throw new ApiError(409, 'room_exists', `A room named ${name} exists`);
    // Step 2.
    if (creator?.open) this.rooms.join(name, creator.peer);
    // Step 3.
    const room = toRoom(created, this.rooms.memberCount(name));
    if (creator?.open) this.send(creator.peer, { type: 'room_created', room, ...replyTo(id) });
    this.toEveryone(encodeEvent({ type: 'room_created', room }), 'essential', creator?.peer);
    return room;
  }

  /**
   * SPEC §2 `DELETE /api/rooms/:name`: the creator or an admin, else `forbidden`.
   * Sockets get `room_deleted`; SSE streams and long polls on it end; membership
   * and typing state for it are dropped.
   */
  async deleteRoom(actor: ChatActor, name: string): Promise<void> {
    const room = await this.requireRoom(name);
    if (room.createdById !== actor.id && actor.role !== 'admin') throw forbidden('Only the creator or an admin may delete a room');
    if (!(await this.store.deleteRoom(name))) throw notFound(`No room named ${name}`);
    this.rooms.dropRoom(name);
    this.typing.forgetRoom(name);
    const subscribers = this.subscribers.get(name);
    this.subscribers.delete(name);
    for (const subscriber of subscribers ?? []) subscriber.roomDeleted();
    // Our choice: every socket, not only members, so every client's room list stays true.
    this.toEveryone(encodeEvent({ type: 'room_deleted', room: name }), 'essential');
  }

  /** SPEC §2 `POST /api/rooms/:name/messages`: rooms are public over HTTP, no join needed. */
  async postMessage(actor: ChatActor, room: string, text: unknown): Promise<Message> {
    const valid = validateMessageText(text);
    if (valid instanceof ApiError) throw valid;
    const message = await this.append(actor, room, valid);
    this.fanOut(message);
    return message;
  }

  /**
   * SPEC §2 `GET /api/rooms/:name/messages`, with the long poll:
   * 1. the room must exist;
   * 2. subscribe first, then read, so a message stored in between is not missed;
   * 3. if the page is empty and `waitMs` > 0 (not for `before` pages), wait until a
   *    message with `seq > since` exists, the time is up, the room goes, or `signal`
   *    aborts (the client hung up) — then read again;
   * 4. `lastSeq` is read last, as the room's highest seq when the answer is made (rule 6);
   *    a room deleted meanwhile (say during the wait) is 404, like one that never existed.
   */
  async readMessages(name: string, query: MessageQuery, waitMs = 0, signal?: AbortSignal): Promise<{ messages: Message[]; lastSeq: number }> {
    // Step 1.
    await this.requireRoom(name);
    // Step 2.
    const since = query.since ?? 0;
    const waiting = waitMs > 0 && query.before === undefined ? this.waitForMessage(name, since, waitMs, signal) : undefined;
    let messages = await pageMessages(this.store, name, query);
    // Step 3.
    if (waiting) {
      if (messages.length === 0 && (await waiting.arrived)) messages = await pageMessages(this.store, name, query);
      waiting.cancel();
    }
    // Step 4.
    const room = await this.requireRoom(name);
    return { messages, lastSeq: room.lastSeq };
  }

  /** Resolves true when a message with `seq > since` arrives, false on timeout, abort or deletion. */
  private waitForMessage(room: string, since: number, ms: number, signal?: AbortSignal): { arrived: Promise<boolean>; cancel(): void } {
    let settle: (value: boolean) => void = () => {};
    const arrived = new Promise<boolean>((resolve) => (settle = resolve));
    const timer = this.clock.setTimeout(() => finish(false), ms);
    const onAbort = () => finish(false);
    const subscriber: RoomSubscriber = {
      message: (message) => message.seq > since && finish(true),
      roomDeleted: () => finish(false),
    };
    const unsubscribe = this.subscribe(room, subscriber);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) finish(false);
    function finish(value: boolean): void {
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
      settle(value);
    }
    return {
      arrived,
      cancel: () => {
        this.clock.clearTimeout(timer);
        finish(false);
      },
    };
  }

  /** SSE and long polls: called with every new message in the room. Returns the unsubscribe. */
  subscribe(room: string, subscriber: RoomSubscriber): () => void {
    let set = this.subscribers.get(room);
    if (!set) this.subscribers.set(room, (set = new Set()));
    set.add(subscriber);
    return () => {
      const current = this.subscribers.get(room);
      if (!current?.delete(subscriber)) return;
      if (current.size === 0) this.subscribers.delete(room);
    };
  }

  /** Stores a message; `not_found` if the room is gone. */
  private async append(actor: ChatActor, room: string, text: string): Promise<Message> {
    const record = await this.store.appendMessage(room, {
      id: this.newMessageId(),
      text,
      sender: actor.username,
      senderId: actor.id,
      timestamp: this.clock.now(),
    });
    if (!record) throw notFound(`No room named ${room}`);
    return toMessage(record);
  }

  /**
   * The one fan-out path for a new message, whichever transport it came by
   * (issue 4 §5): `new_message` to every socket in the room, the sender's too,
   * then every SSE stream and long poll of the room.
   */
  private fanOut(message: Message): void {
    this.onMessage?.(message);
    const frame = this.frameOf(message);
    for (const peer of this.rooms.peersIn(message.room)) {
      const held = this.peers.get(peer.id)?.holding.get(message.room);
      if (held) held.push(message);
      else peer.deliver(frame, 'essential');
    }
    for (const subscriber of [...(this.subscribers.get(message.room) ?? [])]) subscriber.message(message);
  }

  private frameOf(message: Message): OutgoingFrame {
    let frame = this.messageFrames.get(message);
    if (!frame) this.messageFrames.set(message, (frame = encodeEvent({ type: 'new_message', message })));
    return frame;
  }

  // === introspection ==================================================================

  isOnline(userId: string): boolean {
    return this.presence.isOnline(userId);
  }

  /** Distinct users with an open WebSocket (SPEC §7 rule 12). */
  get onlineUsers(): number {
    return this.presence.onlineUsers;
  }

  /** The sockets of the service, e.g. to close them at shutdown or on token events. */
  *connectedPeers(): Generator<ChatPeer> {
    for (const state of this.peers.values()) yield state.peer;
  }

  /** `connections` counts WebSockets only; the app adds its SSE streams. */
  async stats(): Promise<ChatStats> {
    const [rooms, messages] = await Promise.all([this.store.listRooms(), this.store.countMessages()]);
    return { onlineUsers: this.presence.onlineUsers, connections: this.presence.connections, rooms: rooms.length, messages };
  }

  /** Live entries of every table, for leak checks: all zero once every socket and stream is gone. */
  get retained(): { peers: number; rooms: number; roomPeers: number; onlineUsers: number; typing: number; subscribedRooms: number } {
    const { rooms, peers } = this.rooms.size;
    return { peers: this.peers.size, rooms, roomPeers: peers, onlineUsers: this.presence.onlineUsers, typing: this.typing.size, subscribedRooms: this.subscribers.size };
  }

  /** Cancels timers (shutdown). Sockets are closed by the app. */
  close(): void {
    this.typing.close();
  }

  // === sending ========================================================================

  private send(peer: ChatPeer, event: ServerEvent): void {
    peer.deliver(encodeEvent(event), 'essential');
  }

  private ack(peer: ChatPeer, id: string | undefined): void {
    if (id !== undefined) this.send(peer, { type: 'ack', replyTo: id });
  }

  private sendError(peer: ChatPeer, error: ApiError, id: string | undefined): void {
    this.send(peer, { type: 'error', code: error.code, message: error.message, ...replyTo(id) });
  }

  /** To every socket joined to the room, except those of `exceptUserId` ("others"). */
  private toRoom(room: string, frame: OutgoingFrame, priority: Priority, exceptUserId?: string): void {
    for (const peer of this.rooms.peersIn(room)) if (peer.user.id !== exceptUserId) peer.deliver(frame, priority);
  }

  /** To every welcomed socket, except `except`. */
  private toEveryone(frame: OutgoingFrame, priority: Priority, except?: ChatPeer): void {
    for (const state of this.peers.values()) {
      if (state.welcomed && state.open && state.peer !== except) state.peer.deliver(frame, priority);
    }
  }
}

const replyTo = (id: string | undefined): { replyTo?: string } => (id === undefined ? {} : { replyTo: id });
