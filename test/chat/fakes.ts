/**
 * Test doubles for the chat core: a store holding rooms and messages (a stand-in
 * until MemoryStore lands; every other method throws), a hand-driven clock, and
 * peers that record what they are sent.
 */
import type { PublicUser } from '../../src/auth/types.js';
import type { Clock } from '../../src/chat/clock.js';
import type { OutgoingFrame } from '../../src/chat/protocol.js';
import type { ChatPeer, Priority } from '../../src/chat/service.js';
import type { MessageRecord, NewMessage, RoomRecord, Store } from '../../src/store/types.js';

const unused = () => Promise.reject(new Error('not used by chat'));

export class RoomsOnlyStore implements Store {
  readonly rooms = new Map<string, RoomRecord>();
  readonly messages = new Map<string, MessageRecord[]>();
  createUser = unused;
  getUser = unused;
  getUserByName = unused;
  listUsers = unused;
  countUsers = unused;
  deleteUser = unused;
  createSession = unused;
  getSession = unused;
  updateSession = unused;
  deleteSession = unused;
  listSessions = unused;
  revokeToken = unused;
  isTokenRevoked = unused;
  async createRoom(room: Omit<RoomRecord, 'lastSeq'>): Promise<RoomRecord | 'exists'> {
    if (this.rooms.has(room.name)) return 'exists';
    const record = { ...room, lastSeq: 0 };
    this.rooms.set(room.name, record);
    this.messages.set(room.name, []);
    return record;
  }
  async getRoom(name: string) {
    return this.rooms.get(name);
  }
  async listRooms() {
    return [...this.rooms.values()];
  }
  async deleteRoom(name: string) {
    this.messages.delete(name);
    return this.rooms.delete(name);
  }
  async appendMessage(room: string, message: NewMessage): Promise<MessageRecord | undefined> {
    const record = this.rooms.get(room);
    if (!record) return undefined;
    const stored: MessageRecord = { ...message, room, seq: record.lastSeq + 1 };
    this.rooms.set(room, { ...record, lastSeq: stored.seq });
    this.messages.get(room)!.push(stored);
    return stored;
  }
  async messagesAfter(room: string, since: number, limit: number) {
    return (this.messages.get(room) ?? []).filter((m) => m.seq > since).slice(0, limit);
  }
  async messagesBefore(room: string, before: number, limit: number) {
    const older = (this.messages.get(room) ?? []).filter((m) => m.seq < before);
    return older.slice(Math.max(0, older.length - limit));
  }
  async countMessages() {
    let n = 0;
    for (const list of this.messages.values()) n += list.length;
    return n;
  }
  async close() {}
}

/** A clock moved by hand: `advance(ms)` runs the timers that fall due, in order. */
export class ManualClock implements Clock {
  time = 1_700_000_000_000;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();
  now = () => this.time;
  setTimeout = (callback: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.timers.delete(handle as number);
  };
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = end;
  }
  get pending(): number {
    return this.timers.size;
  }
}

export interface Received {
  event: Record<string, any>;
  priority: Priority;
  frame: OutgoingFrame;
}

let peerCounter = 0;

export class FakePeer implements ChatPeer {
  readonly id = `peer-${++peerCounter}`;
  readonly user: PublicUser;
  readonly received: Received[] = [];
  closedWith: { code: number; reason: string } | undefined;
  constructor(user: PublicUser) {
    this.user = user;
  }
  deliver(frame: OutgoingFrame, priority: Priority): void {
    this.received.push({ event: JSON.parse(frame.text), priority, frame });
  }
  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
  }
  /** Events received so far, optionally of some types, and forgets them. */
  take(...types: string[]): Record<string, any>[] {
    const all = this.received.splice(0);
    return types.length === 0 ? all.map((r) => r.event) : all.filter((r) => types.includes(r.event.type)).map((r) => r.event);
  }
  types(): string[] {
    return this.received.map((r) => r.event.type);
  }
}

export function user(username: string, role: 'user' | 'admin' = 'user'): PublicUser {
  return { id: `u-${username}`, username, role, createdAt: '2026-01-01T00:00:00.000Z' };
}
