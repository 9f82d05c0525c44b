/**
 * The signed-in client: what it knows about rooms, messages, typing and
 * presence, and how it reacts to each SPEC §4 server frame.
 *
 * Rejoin rule (issue 6 point 5): every room this client joined is joined again
 * after each `welcome`, with `since` = the highest seq held and the room's
 * `epoch`, so the server replays exactly the missed messages; RoomHistory drops
 * any it already holds. When the server says more were missed than it sent
 * (`complete:false` to a `since` with a matching epoch, SPEC §7 rule 7), the
 * client joins again from the last seq it got, until complete.
 *
 * Sends survive a drop: a message typed while disconnected waits in the outbox;
 * one sent but not acknowledged when the socket died is sent again only if the
 * rejoin's history does not already hold it (same sender, same text, newer seq).
 */
import type { Api } from './api.js';
import { ChatConnection, type ConnectionStatus } from './connection.js';
import { byId } from './dom.js';
import { RoomHistory } from './history.js';
import type { ClientFrame, Message, Room, ServerFrame, User } from './protocol.js';
import { TypingNotifier } from './typing.js';
import { LogView, renderDevices, renderOnline, renderRooms, renderTyping } from './views.js';

/** A message on its way: `afterSeq` is the room's lastSeq when it was sent, for reconciliation. */
interface Outgoing {
  room: string;
  text: string;
  afterSeq: number;
}

/** What the last `join_room` for a room asked, to read its `message_history` answer. */
interface JoinAsked {
  since: number | undefined;
  epoch: string | undefined;
}

/** Messages per older page (SPEC §2 allows 1–100). */
const OLDER_PAGE = 50;
/**
 * How often the Devices list is reloaded while the page is visible and connected. No
 * SPEC §4 event announces a sign-in on another device, so the list is polled; a list
 * that did not change is not re-rendered (a button about to be clicked stays put).
 */
const DEVICES_REFRESH_MS = 3000;

const STATUS_TEXT: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
};

export class ChatController {
  readonly #api: Api;
  readonly #connection: ChatConnection;
  readonly #onEnded: (reason: string) => void;
  #me: User | null = null;

  readonly #rooms = new Map<string, Room>();
  /** Rooms this client joined: rejoined after every reconnect. */
  readonly #joined = new Set<string>();
  readonly #histories = new Map<string, RoomHistory>();
  readonly #joinAsked = new Map<string, JoinAsked>();
  #active: string | null = null;

  /** room → usernames typing there. */
  readonly #typists = new Map<string, Set<string>>();
  readonly #online = new Set<string>();
  /** Presence events seen while the users list was loading, replayed on top of it. */
  #presenceDuringLoad: Array<{ username: string; online: boolean }> | null = null;

  #nextId = 1;
  /** Request id → outgoing message awaiting its ack. */
  readonly #inFlight = new Map<string, Outgoing>();
  /** Typed while disconnected, or in flight when the socket dropped: sent after the room's rejoin. */
  #outbox: Outgoing[] = [];
  /** Request ids of our `create_room`s, to switch to the room once created. */
  readonly #creating = new Set<string>();
  /** Request ids of our `history` (older page) requests. */
  readonly #pagingOlder = new Set<string>();

  #devicesTimer: ReturnType<typeof setInterval> | undefined;
  /** The sessions last rendered, as JSON. */
  #devicesShown = '';

  readonly #typing: TypingNotifier;
  readonly #log = new LogView(byId('log', HTMLElement));
  readonly #ui = {
    status: byId('status', HTMLElement),
    rooms: byId('rooms', HTMLUListElement),
    roomTitle: byId('room-title', HTMLElement),
    typing: byId('typing', HTMLElement),
    online: byId('online', HTMLUListElement),
    devices: byId('devices', HTMLUListElement),
    message: byId('message', HTMLInputElement),
    send: byId('send', HTMLButtonElement),
    older: byId('older', HTMLButtonElement),
    error: byId('chat-error', HTMLElement),
  };

  constructor(api: Api, onEnded: (reason: string) => void) {
    this.#api = api;
    this.#onEnded = onEnded;
    this.#connection = new ChatConnection(api, {
      frame: (frame) => this.#onFrame(frame),
      status: (status) => this.#showStatus(status),
      ended: (reason) => this.#onEnded(reason),
    });
    this.#typing = new TypingNotifier(
      (signal) => {
        if (this.#active !== null) this.#connection.send({ type: signal, room: this.#active });
      },
      { now: () => Date.now(), setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as number) },
    );
  }

  start(): void {
    this.#ui.status.hidden = false;
    this.#connection.start();
    this.#devicesTimer = setInterval(() => {
      if (this.#connection.isOpen && document.visibilityState === 'visible') void this.refreshDevices(true);
    }, DEVICES_REFRESH_MS);
  }

  /** Log out or session over: close the socket for good. */
  stop(): void {
    clearInterval(this.#devicesTimer);
    this.#typing.reset();
    this.#connection.stop();
    this.#ui.status.hidden = true;
  }

  // ---- user actions -------------------------------------------------------

  pickRoom(name: string): void {
    if (!this.#rooms.has(name)) return;
    if (this.#active !== name) {
      this.#typing.stop(); // owed to the room we are leaving the view of
      this.#active = name;
      this.#showActiveRoom();
    }
    if (!this.#joined.has(name)) {
      this.#joined.add(name);
      this.#join(name);
    }
  }

  createRoom(name: string): void {
    this.#clearError();
    const id = this.#id();
    if (!this.#connection.send({ type: 'create_room', id, room: name })) return this.#showError('Not connected; try again in a moment.');
    this.#creating.add(id);
  }

  sendMessage(raw: string): boolean {
    const text = raw.trim();
    const room = this.#active;
    if (text === '' || room === null) return false;
    this.#clearError();
    this.#typing.stop();
    const outgoing: Outgoing = { room, text, afterSeq: this.#history(room).lastSeq };
    const id = this.#id();
    if (this.#connection.send({ type: 'send_message', id, room, text })) this.#inFlight.set(id, outgoing);
    else this.#outbox.push(outgoing);
    return true;
  }

  /** SPEC §4 `history`: the page of messages before the oldest one shown. */
  loadOlder(): void {
    const room = this.#active;
    if (room === null) return;
    const id = this.#id();
    const before = this.#history(room).firstSeq;
    if (this.#connection.send({ type: 'history', id, room, before, limit: OLDER_PAGE })) this.#pagingOlder.add(id);
  }

  keystroke(): void {
    if (this.#active !== null) this.#typing.keystroke();
  }

  /** `quiet`: a background poll, whose failure (e.g. during a restart) is not worth an alert. */
  async refreshDevices(quiet = false): Promise<void> {
    try {
      const sessions = await this.#api.sessions();
      const shown = JSON.stringify(sessions);
      if (shown === this.#devicesShown) return;
      this.#devicesShown = shown;
      renderDevices(this.#ui.devices, sessions, (id) => void this.#signOutDevice(id));
    } catch (error) {
      if (!quiet) this.#showError(`Could not load devices: ${(error as Error).message}`);
    }
  }

  async #signOutDevice(id: string): Promise<void> {
    try {
      await this.#api.endSession(id);
    } catch (error) {
      this.#showError(`Could not sign that device out: ${(error as Error).message}`);
    }
    await this.refreshDevices();
  }

  // ---- server frames (SPEC §4) --------------------------------------------

  #onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome':
        return this.#onWelcome(frame.user, frame.rooms);
      case 'rooms_list':
        this.#rooms.clear();
        for (const room of frame.rooms) this.#rooms.set(room.name, room);
        return this.#renderRooms();
      case 'room_created':
        return this.#onRoomCreated(frame.room, frame.replyTo);
      case 'room_deleted':
        return this.#onRoomDeleted(frame.room);
      case 'joined_room':
        return;
      case 'message_history':
        if (frame.replyTo !== undefined && this.#pagingOlder.delete(frame.replyTo)) return this.#onOlderPage(frame.room, frame.epoch, frame.messages);
        return this.#onHistory(frame.room, frame.epoch, frame.messages, frame.complete);
      case 'new_message':
        return this.#onNewMessage(frame.message);
      case 'user_typing':
      case 'user_stop_typing':
        return this.#setTyping(frame.room, frame.username, frame.type === 'user_typing');
      case 'user_left':
        return this.#setTyping(frame.room, frame.username, false);
      case 'presence':
        return this.#onPresence(frame.username, frame.online);
      case 'ack':
        if (frame.replyTo !== undefined) {
          this.#inFlight.delete(frame.replyTo);
          if (this.#creating.delete(frame.replyTo) && typeof frame['room'] === 'object') {
            this.#onRoomCreated(frame['room'] as Room, undefined, true);
          }
        }
        return;
      case 'error':
        if (frame.replyTo !== undefined) {
          this.#inFlight.delete(frame.replyTo);
          this.#creating.delete(frame.replyTo);
          this.#pagingOlder.delete(frame.replyTo);
        }
        return this.#showError(frame.message || frame.code);
      default:
        return; // user_joined, token_expiring (the connection renews it): nothing to show.
    }
  }

  #onWelcome(user: User, rooms: Room[]): void {
    this.#me = user;
    this.#rooms.clear();
    for (const room of rooms) this.#rooms.set(room.name, room);
    // Rooms deleted while we were away are not rejoined.
    for (const name of [...this.#joined]) if (!this.#rooms.has(name)) this.#forgetRoom(name);
    // A new connection: typing state of the old one is void (the server stopped it).
    this.#typing.reset();
    this.#typists.clear();
    this.#renderTyping();
    // Messages unacknowledged on the old socket join the outbox, to be reconciled after rejoin.
    this.#outbox = [...this.#inFlight.values(), ...this.#outbox];
    this.#inFlight.clear();
    this.#renderRooms();
    for (const name of this.#joined) this.#join(name);
    this.#showActiveRoom();
    void this.#loadOnline();
    void this.refreshDevices();
  }

  #onRoomCreated(room: Room, replyTo: string | undefined, fromAck = false): void {
    this.#rooms.set(room.name, room);
    this.#renderRooms();
    // SPEC §7 rule 10: the creator's `room_created` carries replyTo; it has joined already.
    if (fromAck || (replyTo !== undefined && this.#creating.delete(replyTo))) {
      byId('new-room', HTMLInputElement).value = '';
      // The server joined us; join again (idempotent, rule 11) for the epoch and history.
      this.#joined.delete(room.name);
      this.pickRoom(room.name);
    }
  }

  #onRoomDeleted(name: string): void {
    this.#rooms.delete(name);
    this.#forgetRoom(name);
    if (this.#active === name) {
      this.#active = null;
      this.#showActiveRoom();
    }
    this.#renderRooms();
  }

  #onHistory(room: string, epoch: string, messages: Message[], complete: boolean): void {
    const history = this.#history(room);
    const asked = this.#joinAsked.get(room);
    this.#joinAsked.delete(room);
    // A new epoch: the server's history restarted, our seqs mean nothing now (RoomHistory invariant 2).
    const reset = history.setEpoch(epoch);
    for (const message of messages) this.#addMessage(message, reset);
    if (reset && room === this.#active) this.#log.show(history.messages);
    // SPEC §7 rule 7: more were missed than one answer holds; continue from the last seq we got.
    if (!complete && asked?.since !== undefined && asked.epoch === epoch && messages.length > 0) {
      this.#join(room);
      return;
    }
    this.#flushOutbox(room, history);
    if (room === this.#active) this.#showOlderButton();
  }

  /** An older page: same epoch only (else it belongs to a history we dropped); keep the reader's place. */
  #onOlderPage(room: string, epoch: string, messages: Message[]): void {
    const history = this.#history(room);
    if (history.epoch !== epoch) return;
    const keep = room === this.#active ? this.#log.holdScroll() : () => undefined;
    for (const message of messages) this.#addMessage(message, false);
    keep();
    this.#showOlderButton();
  }

  #onNewMessage(message: Message): void {
    const history = this.#history(message.room);
    // A hole before this message (we missed some): ask for them, from what we hold.
    if (history.isGapBefore(message.seq) && this.#joined.has(message.room)) this.#join(message.room);
    this.#addMessage(message, false);
    // The typist's message arrived: their indicator ends with it (issue 6 point 6).
    this.#setTyping(message.room, message.sender, false);
  }

  #addMessage(message: Message, silent: boolean): void {
    const result = this.#history(message.room).add(message);
    if (!silent && message.room === this.#active) this.#log.add(message, result);
  }

  #setTyping(room: string, username: string, typing: boolean): void {
    let names = this.#typists.get(room);
    if (names === undefined) this.#typists.set(room, (names = new Set()));
    if (typing) names.add(username);
    else names.delete(username);
    if (room === this.#active) this.#renderTyping();
  }

  #onPresence(username: string, online: boolean): void {
    this.#presenceDuringLoad?.push({ username, online });
    if (online) this.#online.add(username);
    else this.#online.delete(username);
    renderOnline(this.#ui.online, this.#online);
  }

  /** The online users now: GET /api/auth/users, then presence events that raced it. */
  async #loadOnline(): Promise<void> {
    this.#presenceDuringLoad = [];
    try {
      const users = await this.#api.users();
      this.#online.clear();
      for (const user of users) if (user.online) this.#online.add(user.username);
      for (const event of this.#presenceDuringLoad) {
        if (event.online) this.#online.add(event.username);
        else this.#online.delete(event.username);
      }
      // This socket counts (rule 12) even if the list was read a moment before it opened.
      if (this.#me !== null && this.#connection.isOpen) this.#online.add(this.#me.username);
      renderOnline(this.#ui.online, this.#online);
    } catch (error) {
      this.#showError(`Could not load online users: ${(error as Error).message}`);
    } finally {
      this.#presenceDuringLoad = null;
    }
  }

  // ---- helpers ------------------------------------------------------------

  /** SPEC §4 `join_room`, with `since` and `epoch` once we hold any of the room's history. */
  #join(room: string): void {
    const history = this.#history(room);
    const frame: Extract<ClientFrame, { type: 'join_room' }> = { type: 'join_room', room };
    if (history.epoch !== null) {
      frame.since = history.lastSeq;
      frame.epoch = history.epoch;
    }
    this.#joinAsked.set(room, { since: frame.since, epoch: frame.epoch });
    this.#connection.send(frame);
  }

  /** Sends what waited for this room, skipping any the rejoin shows already delivered. */
  #flushOutbox(room: string, history: RoomHistory): void {
    const me = this.#me;
    const waiting = this.#outbox.filter((item) => item.room === room);
    if (waiting.length === 0 || !this.#connection.isOpen) return;
    this.#outbox = this.#outbox.filter((item) => item.room !== room);
    const claimed = new Set<number>();
    for (const item of waiting) {
      const delivered = history.messages.find(
        (m) => m.seq > item.afterSeq && !claimed.has(m.seq) && m.senderId === me?.id && m.text === item.text,
      );
      if (delivered !== undefined) {
        claimed.add(delivered.seq);
        continue;
      }
      const id = this.#id();
      this.#connection.send({ type: 'send_message', id, room, text: item.text });
      this.#inFlight.set(id, item);
    }
  }

  #forgetRoom(name: string): void {
    this.#joined.delete(name);
    this.#histories.delete(name);
    this.#typists.delete(name);
    this.#joinAsked.delete(name);
    this.#outbox = this.#outbox.filter((item) => item.room !== name);
  }

  #history(room: string): RoomHistory {
    let history = this.#histories.get(room);
    if (history === undefined) this.#histories.set(room, (history = new RoomHistory()));
    return history;
  }

  #showActiveRoom(): void {
    const room = this.#active;
    this.#ui.roomTitle.textContent = room === null ? 'Pick or create a room' : `# ${room}`;
    this.#ui.message.disabled = room === null;
    this.#ui.send.disabled = room === null;
    this.#log.show(room === null ? [] : this.#history(room).messages);
    this.#showOlderButton();
    this.#renderTyping();
    this.#renderRooms();
  }

  #showOlderButton(): void {
    this.#ui.older.hidden = this.#active === null || !this.#history(this.#active).hasOlder;
  }

  #renderRooms(): void {
    const names = [...this.#rooms.keys()].sort();
    renderRooms(this.#ui.rooms, names, this.#active);
  }

  #renderTyping(): void {
    renderTyping(this.#ui.typing, this.#active === null ? [] : (this.#typists.get(this.#active) ?? []));
  }

  #showStatus(status: ConnectionStatus): void {
    this.#ui.status.textContent = STATUS_TEXT[status];
    this.#ui.status.dataset['state'] = status;
  }

  #showError(message: string): void {
    this.#ui.error.textContent = message;
  }

  #clearError(): void {
    this.#ui.error.textContent = '';
  }

  #id(): string {
    return `c${this.#nextId++}`;
  }
}
