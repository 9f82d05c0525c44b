/**
 * Test doubles for the chat core: a hand-driven clock and peers that record what
 * they are sent. The store is the real MemoryStore.
 */
import type { PublicUser } from '../../src/auth/types.js';
import type { Clock } from '../../src/chat/clock.js';
import type { OutgoingFrame } from '../../src/chat/protocol.js';
import type { ChatPeer, Priority } from '../../src/chat/service.js';

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
